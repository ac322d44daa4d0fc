/*
 * Hostile inputs: what people and programs may hand trainmap that no
 * well-meaning file contains.  Every loader (arch, workload, mapping,
 * constraints) and the CLI must answer each with a clean error whose text
 * is pinned here, never a crash, a hang, an overflow or a wrap-around.
 *
 * Data: tests/data/hostile/ (generic cases, named after what they hold,
 * are fed to every loader; NAME_*.json cases belong to one loader) and
 * tests/data/fuzz-regressions/LOADER/ (inputs the fuzzers once crashed
 * on, replayed through their loader).  Column numbers in the messages are
 * counted by hand from the files, as the comments say.  The CLI's side
 * (the same inputs through the commands, kills and interrupts) is in
 * test_hostile_cli.c.
 */
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../arch/arch.h"
#include "../mapper/constraints.h"
#include "../mapper/mapping_io.h"
#include "../reports/report_read.h"
#include "../workloads/import_onnx.h"
#include "../workloads/import_torch.h"
#include "../workloads/workload.h"

#define DATA "tests/data/hostile/"
#define REGRESSIONS "tests/data/fuzz-regressions/"
#define ARCH_16PE "tests/validation/conv3x3_fwd/arch.json"

/* ---- the loaders behind one call --------------------------------------- */

/* The JSON loaders first (L_JSON of them), then the importers. */
enum loader {
    L_ARCH, L_WORKLOAD, L_MAPPING, L_CONSTRAINTS, L_REPORT, L_JSON = L_REPORT + 1,
    L_IMPORT_ONNX = L_JSON, L_IMPORT_TORCH, L_COUNT
};

/* Also the folder names under tests/data/fuzz-regressions/. */
static const char *const loader_name[L_COUNT] = { "arch", "workload", "mapping",
                                                  "constraints", "report", "import_onnx",
                                                  "import_torch" };

/* An importer's run: the model at path into a net, released after. */
static int import(enum loader l, const char *path, struct err *e)
{
    struct import_opts opts = { .name = "imported" };
    struct import_net net;
    import_net_init(&net);
    int rc = l == L_IMPORT_ONNX ? import_onnx(path, &opts, &net, e)
                                : import_torch(path, &opts, &net, e);
    import_net_release(&net);
    return rc;
}

/* Loads path with loader l and frees what it made.  A failure must leave
 * the result NULL. */
static int load(enum loader l, const char *path, struct err *e)
{
    int rc;
    err_clear(e);
    switch (l) {
    case L_ARCH: {
        struct arch *a = NULL;
        rc = arch_load(path, &a, e);
        ck_assert(rc == 0 || a == NULL);
        arch_free(a);
        break;
    }
    case L_WORKLOAD: {
        struct workload *w = NULL;
        rc = workload_load(path, &w, e);
        ck_assert(rc == 0 || w == NULL);
        workload_free(w);
        break;
    }
    case L_MAPPING: {
        struct mapping_file *m = NULL;
        rc = mapping_load(path, &m, e);
        ck_assert(rc == 0 || m == NULL);
        mapping_file_free(m);
        break;
    }
    case L_CONSTRAINTS: {
        struct constraints_file *c = NULL;
        rc = constraints_load(path, &c, e);
        ck_assert(rc == 0 || c == NULL);
        constraints_file_free(c);
        break;
    }
    case L_REPORT: {
        struct report_doc *d = NULL;
        rc = report_doc_load(path, &d, e);
        ck_assert(rc == 0 || d == NULL);
        report_doc_free(d);
        break;
    }
    default:
        rc = import(l, path, e);
        break;
    }
    return rc;
}

/* ---- generic cases: the same answer from every loader ----------------- */

struct generic_case {
    const char *path;
    int code;
    const char *msg;    /* the whole message */
};

static const struct generic_case generic_cases[] = {
    { DATA "empty.json", ERR_SYNTAX, DATA "empty.json:1:1: expected a value, got end of file" },
    /* "\n\n  ": line 3, after two spaces */
    { DATA "whitespace.json", ERR_SYNTAX,
      DATA "whitespace.json:3:3: expected a value, got end of file" },
    /* line 2 is `  "comment": NaN`: 2 spaces, 9 for "comment", ':' and ' ' -> col 14 */
    { DATA "nan.json", ERR_SYNTAX, DATA "nan.json:2:14: expected a value, got 'N'" },
    { DATA "infinity.json", ERR_SYNTAX, DATA "infinity.json:2:14: expected a value, got 'I'" },
    { DATA "minus_infinity.json", ERR_SYNTAX,
      DATA "minus_infinity.json:2:15: expected a digit, got 'I'" },
    /* `{"comment": "` is 13 columns: the string's first byte is at col 14 */
    { DATA "utf8_invalid_byte.json", ERR_SYNTAX,      /* "caf" then Latin-1 0xE9 */
      DATA "utf8_invalid_byte.json:1:17: invalid UTF-8 in string" },
    { DATA "utf8_overlong.json", ERR_SYNTAX,          /* C0 AF: '/' in two bytes */
      DATA "utf8_overlong.json:1:14: invalid UTF-8 in string" },
    { DATA "utf8_surrogate.json", ERR_SYNTAX,         /* ED A0 80: U+D800 */
      DATA "utf8_surrogate.json:1:14: invalid UTF-8 in string" },
    { DATA "utf8_truncated.json", ERR_SYNTAX,         /* E2 82, then the quote */
      DATA "utf8_truncated.json:1:14: invalid UTF-8 in string" },
    { DATA "utf8_in_key.json", ERR_SYNTAX, DATA "utf8_in_key.json:1:3: invalid UTF-8 in string" },
    { DATA "utf8_outside_string.json", ERR_SYNTAX,
      DATA "utf8_outside_string.json:1:1: expected a value, got byte 0xff" },
    { DATA "escape_lone_high.json", ERR_SYNTAX,       /* "\ud800" alone */
      DATA "escape_lone_high.json:1:14: unpaired UTF-16 surrogate in a \\u escape" },
    { DATA "escape_lone_low.json", ERR_SYNTAX,        /* "x\udc00": the escape at col 15 */
      DATA "escape_lone_low.json:1:15: unpaired UTF-16 surrogate in a \\u escape" },
    { DATA "escape_high_then_other.json", ERR_SYNTAX, /* "\ud800\u0041" */
      DATA "escape_high_then_other.json:1:14: unpaired UTF-16 surrogate in a \\u escape" },
    { DATA "escape_nul_byte.json", ERR_SYNTAX,        /* a backslash, then byte 0 at col 15 */
      DATA "escape_nul_byte.json:1:15: expected an escape character (one of \"\\/bfnrtu), "
      "got byte 0x00" },
    /* `{"comment": "x", "levels": ` is 27 columns; the object is depth 1,
     * so depth 65 is the 64th '[' at col 28 + 63 = 91 */
    { DATA "deep.json", ERR_SYNTAX, DATA "deep.json:1:91: nesting deeper than 64 levels" },
    { DATA "duplicate_comment.json", ERR_SCHEMA, DATA "duplicate_comment.json: comment: duplicate key" },
    { "tests/data/hostile", ERR_IO, "tests/data/hostile: is a directory, expected a JSON file" },
    { DATA "empty.json/x", ERR_IO, DATA "empty.json/x: cannot open: Not a directory" },
    /* Readable by its permissions, even for root, but reading it at offset
     * 0 fails (the page is not mapped): an unreadable file whoever runs. */
    { "/proc/self/mem", ERR_IO, "/proc/self/mem: cannot read: Input/output error" },
    /* Endless: the loader stops at JSON_MAX_BYTES = 64 MiB = 67108864. */
    { "/dev/zero", ERR_TOO_LARGE, "/dev/zero: file too large (more than 67108864 bytes)" },
};
#define NGENERIC (int)(sizeof generic_cases / sizeof generic_cases[0])

START_TEST(every_loader_should_reject_hostile_files_with_the_same_message)
{
    for (int l = 0; l < L_JSON; l++) {
        const struct generic_case *c = &generic_cases[_i];
        struct err e;
        int rc = load((enum loader)l, c->path, &e);
        ck_assert_msg(rc == c->code, "%s on %s: code %d (%s)", loader_name[l], c->path, rc, e.msg);
        ck_assert_msg(strcmp(e.msg, c->msg) == 0, "%s on %s:\n got  %s\n want %s",
                      loader_name[l], c->path, e.msg, c->msg);
    }
}
END_TEST

START_TEST(every_loader_should_name_the_object_it_expected_at_the_top)
{
    static const char *const want[L_JSON] = {
        DATA "top_level_string.json: (top level): expected an arch object, got \"arch\"",
        DATA "top_level_string.json: (top level): expected a workload object, got \"arch\"",
        DATA "top_level_string.json: (top level): expected a mapping object, got \"arch\"",
        DATA "top_level_string.json: (top level): expected a constraints object, got \"arch\"",
        DATA "top_level_string.json: (top level): expected a report object, got \"arch\"",
    };
    for (int l = 0; l < L_JSON; l++) {
        struct err e;
        ck_assert_int_eq(load((enum loader)l, DATA "top_level_string.json", &e), ERR_SCHEMA);
        ck_assert_str_eq(e.msg, want[l]);
    }
}
END_TEST

/* A file its owner cannot read.  Permissions do not bind root, so as root
 * (CI runs as root) this case is skipped: /proc/self/mem above is the
 * unreadable file that fails for everyone. */
START_TEST(every_loader_should_report_a_file_without_read_permission)
{
    if (geteuid() == 0)
        return;
    char dir[] = "/tmp/trainmap-hostile-XXXXXX", path[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/locked.json", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{}\n", f);
    fclose(f);
    ck_assert_int_eq(chmod(path, 0), 0);
    char want[128];
    snprintf(want, sizeof want, "%s: cannot open: Permission denied", path);
    for (int l = 0; l < L_JSON; l++) {
        struct err e;
        ck_assert_int_eq(load((enum loader)l, path, &e), ERR_IO);
        ck_assert_str_eq(e.msg, want);
    }
    unlink(path);
    rmdir(dir);
}
END_TEST

/* The size limit, JSON_MAX_BYTES = 64 MiB = 67108864 bytes, is exact: a
 * file of that size is read whole (here "{}" and spaces: the arch loader
 * then misses its name), one byte more is too large. */
START_TEST(loaders_should_read_64_mib_and_refuse_one_byte_more)
{
    char dir[] = "/tmp/trainmap-hostile-XXXXXX", path[64], want[160];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/big.json", dir);
    size_t n = 67108864;
    char *text = malloc(n + 1);
    ck_assert_ptr_nonnull(text);
    memset(text, ' ', n + 1);
    memcpy(text, "{}", 2);
    struct err e;
    for (size_t len = n; len <= n + 1; len++) {
        FILE *f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(text, 1, len, f), len);
        fclose(f);
        int rc = load(L_ARCH, path, &e);
        if (len == n) {
            ck_assert_int_eq(rc, ERR_SCHEMA);
            snprintf(want, sizeof want, "%s: name: missing, expected a non-empty string of at "
                     "most 63 bytes", path);
        } else {
            ck_assert_int_eq(rc, ERR_TOO_LARGE);
            snprintf(want, sizeof want, "%s: file too large (more than 67108864 bytes)", path);
        }
        ck_assert_str_eq(e.msg, want);
    }
    free(text);
    unlink(path);
    rmdir(dir);
}
END_TEST

/* ---- one loader's values ---------------------------------------------- */

struct value_case {
    enum loader loader;
    const char *file;   /* under DATA */
    int code;
    const char *tail;   /* the message after "DATA file" */
};

#define RANGE "a number beyond the range of a double"

static const struct value_case value_cases[] = {
    /* 1e400 is not a double: cJSON reads it as infinity, which no field takes */
    { L_ARCH, "arch_energy_overflow.json", ERR_SCHEMA,
      ": levels[1].read_pj: expected a non-negative number, got " RANGE },
    { L_ARCH, "arch_energy_negative_overflow.json", ERR_SCHEMA,
      ": levels[2].update_pj: expected a non-negative number, got " RANGE },
    { L_ARCH, "arch_mac_energy_negative.json", ERR_SCHEMA,
      ": compute.energy_pj: expected a non-negative number, got -1" },
    { L_ARCH, "arch_bandwidth_overflow.json", ERR_SCHEMA,
      ": levels[1].read_bw: expected a positive number, got " RANGE },
    { L_ARCH, "arch_bandwidth_negative.json", ERR_SCHEMA,
      ": levels[1].write_bw: expected a positive number, got -16" },
    { L_ARCH, "arch_clock_overflow.json", ERR_SCHEMA,
      ": clock_mhz: expected a positive number, got " RANGE },
    /* sizes: at most 2^53 = 9007199254740992 words, the doubles' integers */
    { L_ARCH, "arch_size_overflow.json", ERR_TOO_LARGE,
      ": levels[1].size_words: " RANGE " is too large (at most 9007199254740992)" },
    /* 2^64 = 18446744073709551616 prints as a double with 17 digits */
    { L_ARCH, "arch_size_2_64.json", ERR_TOO_LARGE,
      ": levels[1].size_words: 1.8446744073709552e+19 is too large (at most 9007199254740992)" },
    { L_ARCH, "arch_size_zero.json", ERR_SCHEMA,
      ": levels[2].size_words: expected a positive integer, got 0" },
    { L_ARCH, "arch_slot_size_zero.json", ERR_SCHEMA,
      ": levels[2].size_words.inputs: expected a positive integer, got 0" },
    /* meshes, factors and counts: 32 bits, at most 2^32 - 1 = 4294967295 */
    { L_ARCH, "arch_mesh_2_32.json", ERR_TOO_LARGE,
      ": levels[2].mesh_x: 4294967296 is too large (at most 4294967295)" },
    { L_ARCH, "arch_compute_mesh_zero.json", ERR_SCHEMA,
      ": compute.mesh_x: expected a positive integer, got 0" },
    { L_ARCH, "arch_compute_mesh_overflow.json", ERR_TOO_LARGE,
      ": compute.mesh_y: " RANGE " is too large (at most 4294967295)" },
    { L_ARCH, "arch_block_words_zero.json", ERR_SCHEMA,
      ": levels[1].block_words: expected a positive integer, got 0" },
    { L_ARCH, "arch_multiple_buffering_2_32.json", ERR_TOO_LARGE,
      ": levels[1].multiple_buffering: 4294967296 is too large (at most 4294967295)" },
    { L_ARCH, "arch_word_bits_zero.json", ERR_SCHEMA,
      ": word_bits: expected an integer from 1 to 64, got 0" },
    /* workload bounds: at most 2^31 - 1 = 2147483647 */
    { L_WORKLOAD, "workload_channels_overflow.json", ERR_TOO_LARGE,
      ": layers[0].C: " RANGE " is too large (at most 2147483647)" },
    { L_WORKLOAD, "workload_batch_2_64.json", ERR_TOO_LARGE,
      ": batch: 1.8446744073709552e+19 is too large (at most 2147483647)" },
    { L_WORKLOAD, "workload_batch_zero.json", ERR_SCHEMA,
      ": batch: expected a positive integer, got 0" },
    { L_WORKLOAD, "workload_stride_zero.json", ERR_SCHEMA,
      ": layers[0].stride: expected a positive integer, got 0" },
    /* every bound 2^31 - 1: the MACs, (2^31 - 1)^7, pass 2^64 */
    { L_WORKLOAD, "workload_bounds_2_31.json", ERR_TOO_LARGE,
      ": layers[0]: fwd MAC count is too large (exceeds 2^64-1)" },
    /* R = S = dilation = 2^31 - 1, P = Q = 1: MACs R*S < 2^62 fit, but the
     * input box is H = W = (R-1)*dilation + 1 > 2^61 and H*W > 2^64 */
    { L_WORKLOAD, "workload_window_2_31.json", ERR_TOO_LARGE,
      ": layers[0]: fwd tensor I is too large (exceeds 2^64-1)" },
    /* a NUL would cut the name short ("a\u0000b" read as "a"); line 6 is
     * `   "name": "a\u0000b",`: the escape at col 3 + 6 + 2 + 2 + 1 = 14 */
    { L_WORKLOAD, "workload_name_with_nul.json", ERR_SYNTAX,
      ":6:14: \\u0000 (NUL) is not allowed in a string" },
    { L_MAPPING, "mapping_factor_overflow.json", ERR_TOO_LARGE,
      ": levels[0].temporal.N: " RANGE " is too large (at most 4294967295)" },
    { L_MAPPING, "mapping_spatial_2_32.json", ERR_TOO_LARGE,
      ": levels[1].spatial.x.K: 4294967296 is too large (at most 4294967295)" },
    { L_CONSTRAINTS, "constraints_utilization_overflow.json", ERR_SCHEMA,
      ": min_utilization: expected a number from 0 to 1, got " RANGE },
    { L_CONSTRAINTS, "constraints_utilization_negative.json", ERR_SCHEMA,
      ": min_utilization: expected a number from 0 to 1, got -0.5" },
    { L_CONSTRAINTS, "constraints_factor_overflow.json", ERR_TOO_LARGE,
      ": levels[0].spatial_factors.x.K: " RANGE " is too large (at most 4294967295)" },
};
#define NVALUE (int)(sizeof value_cases / sizeof value_cases[0])

START_TEST(loaders_should_reject_hostile_values_with_exact_messages)
{
    const struct value_case *c = &value_cases[_i];
    char path[256], want[512];
    snprintf(path, sizeof path, DATA "%s", c->file);
    snprintf(want, sizeof want, "%s%s", path, c->tail);
    struct err e;
    int rc = load(c->loader, path, &e);
    ck_assert_msg(rc == c->code, "%s: code %d (%s)", c->file, rc, e.msg);
    ck_assert_str_eq(e.msg, want);
}
END_TEST

/* Every tests/data/hostile file belongs to a case, so no data file goes
 * untested. */
START_TEST(hostile_data_should_all_be_tested)
{
    DIR *d = opendir("tests/data/hostile");
    ck_assert_ptr_nonnull(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, DATA "%s", de->d_name);
        bool used = strcmp(de->d_name, "top_level_string.json") == 0;
        for (int i = 0; i < NGENERIC && !used; i++)
            used = strcmp(generic_cases[i].path, path) == 0;
        for (int i = 0; i < NVALUE && !used; i++)
            used = strcmp(value_cases[i].file, de->d_name) == 0;
        for (const char *const *a = (const char *const[]){ "arch_mesh_2_31_squared.json",
                                                          "workload_stride_2_31.json",
                                                          "workload_fc_2_31.json", NULL };
             *a && !used; a++)
            used = strcmp(*a, de->d_name) == 0;
        ck_assert_msg(used, "%s is tested by no case", path);
    }
    closedir(d);
}
END_TEST

/* Extremes that are valid must load, with every size exact. */
START_TEST(loaders_should_accept_extremes_that_fit_in_64_bits)
{
    struct err e;
    struct arch *a = NULL;
    ck_assert_msg(arch_load(DATA "arch_mesh_2_31_squared.json", &a, &e) == 0, "%s", e.msg);
    /* 2^31 x 2^31 MACs = 2^62 */
    ck_assert_uint_eq(arch_mac_count(a), 4611686018427387904ull);
    arch_free(a);

    struct workload *w = NULL;
    ck_assert_msg(workload_load(DATA "workload_stride_2_31.json", &w, &e) == 0, "%s", e.msg);
    struct problem p;
    ck_assert_int_eq(workload_derive(w, 0, KERNEL_FWD, LOWER_NONE, &p, &e), 0);
    uint64_t words;
    ck_assert(problem_tensor_words(&p, SLOT_INPUTS, &words));
    /* P = 2^31 - 1, stride 2^31 - 1, R = 1: H = (P-1)*stride + 1
     * = (2^31-2)(2^31-1) + 1 = 2^62 - 3*2^31 + 3; W = 1; C = 4:
     * I = 4H = 2^64 - 3*2^33 + 12 = 18446744073709551616 - 25769803776 + 12 */
    ck_assert_uint_eq(words, 18446744047939747852ull);
    workload_free(w);
}
END_TEST

/* ---- inputs the fuzzers found ----------------------------------------- */

/* Replays every file under tests/data/fuzz-regressions/LOADER/ through
 * that loader: each must load or fail with an input error (never
 * ERR_NOMEM, which here would mean a misread input; an importer may also
 * ask for an option, ERR_USAGE), leaving nothing behind; under `make
 * sanitize` any memory error or undefined behaviour fails the run. */
START_TEST(fuzz_regressions_should_load_or_fail_cleanly)
{
    int replayed = 0;
    for (int l = 0; l < L_COUNT; l++) {
        char dir[128];
        snprintf(dir, sizeof dir, REGRESSIONS "%s", loader_name[l]);
        DIR *d = opendir(dir);
        if (!d)
            continue;
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            struct err e;
            int rc = load((enum loader)l, path, &e);
            ck_assert_msg(rc == 0 || rc == ERR_SYNTAX || rc == ERR_SCHEMA || rc == ERR_TOO_LARGE ||
                              (l >= L_JSON && rc == ERR_USAGE),
                          "%s: code %d (%s)", path, rc, e.msg);
            replayed++;
        }
        closedir(d);
    }
    ck_assert_int_gt(replayed, 0);
}
END_TEST

/* The first crash the arch fuzzer found: a backslash followed by byte 0
 * passed the syntax check (strchr finds the terminating NUL of its list
 * of escape letters), then cJSON refused the text and the loader called
 * that running out of memory.  The NUL is on line 7 after
 * `   "name": "MainMem\`: 3 + 6 + 2 + 1 + 7 = 19 columns, the backslash
 * at col 20, the NUL at col 21. */
START_TEST(fuzz_regression_escape_nul_should_be_a_syntax_error)
{
    struct err e;
    ck_assert_int_eq(load(L_ARCH, REGRESSIONS "arch/escape_nul.json", &e), ERR_SYNTAX);
    ck_assert_str_eq(e.msg, REGRESSIONS "arch/escape_nul.json:7:21: expected an escape "
                     "character (one of \"\\/bfnrtu), got byte 0x00");
}
END_TEST

/* The torch importer's fuzzer found a torchinfo header whose column
 * titles its pattern could not capture (bytes 0 inside the line): the
 * missing group came back as a NULL pointer, and the code computed the
 * end of the titles as NULL + 0, which is undefined behaviour.  With no
 * titles captured the table has no shape columns, said on line 2. */
START_TEST(fuzz_regression_torchinfo_header_without_columns_should_be_refused)
{
    struct err e;
    ck_assert_int_eq(load(L_IMPORT_TORCH, REGRESSIONS "import_torch/header_without_columns.txt",
                          &e), ERR_SCHEMA);
    ck_assert_str_eq(e.msg, REGRESSIONS "import_torch/header_without_columns.txt:2: the table "
                     "has no Input Shape or no Output Shape column: call summary(model, "
                     "input_size=..., col_names=(\"input_size\", \"output_size\", "
                     "\"kernel_size\"))");
}
END_TEST

/* Also from the torch importer's fuzzer: a 2^31 - 1 tap window (a kernel
 * cell of 2147483647), whose stride the importer inferred by trying every
 * padding from 0 to 2^31 - 2: seconds per layer, a timeout under the
 * sanitizers.  The stride now comes in closed form, at once.  The row is
 * in 13 x 13, out 13 x 26, R = S = 2^31 - 1:
 *  - H: with the usual padding (R-1)/2 = 2^30 - 1 the window leaves
 *    13 + 2(2^30 - 1) - (2^31 - 1) = 12 past its first place, and
 *    floor(12 / 1) = 12 = 13 - 1 outputs: stride 1;
 *  - W: the usual padding gives 12 again, which no stride maps to 26 - 1;
 *    over every padding the places left are the even numbers from 0 (the
 *    parity of 13 - R is even), and the smallest stride s with an even a
 *    where floor(a / s) = 25 is 2 (a = 50); s = 1 would need a = 25. */
START_TEST(fuzz_regression_torchinfo_huge_window_should_import_at_once)
{
    struct import_opts opts = { .name = "imported" };
    struct import_net net;
    struct err e;
    struct timespec t0, t1;
    import_net_init(&net);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = import_torch(REGRESSIONS "import_torch/window_2_31.txt", &opts, &net, &e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ck_assert_msg(rc == 0, "%s", e.msg);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    ck_assert_msg(s < 2.0, "took %.1f s", s);
    int found = 0;
    for (int i = 0; i < net.nlayers; i++)
        if (net.layers[i].R == 2147483647u) {
            ck_assert_uint_eq(net.layers[i].stride_h, 1);
            ck_assert_uint_eq(net.layers[i].stride_w, 2);
            found++;
        }
    ck_assert_int_eq(found, 1);
    import_net_release(&net);
}
END_TEST

Suite *hostile_suite(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("loaders");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, every_loader_should_reject_hostile_files_with_the_same_message, 0,
                        NGENERIC);
    tcase_add_test(tc, every_loader_should_name_the_object_it_expected_at_the_top);
    tcase_add_test(tc, every_loader_should_report_a_file_without_read_permission);
    tcase_add_test(tc, loaders_should_read_64_mib_and_refuse_one_byte_more);
    tcase_add_loop_test(tc, loaders_should_reject_hostile_values_with_exact_messages, 0, NVALUE);
    tcase_add_test(tc, hostile_data_should_all_be_tested);
    tcase_add_test(tc, loaders_should_accept_extremes_that_fit_in_64_bits);
    tcase_add_test(tc, fuzz_regressions_should_load_or_fail_cleanly);
    tcase_add_test(tc, fuzz_regression_escape_nul_should_be_a_syntax_error);
    tcase_add_test(tc, fuzz_regression_torchinfo_header_without_columns_should_be_refused);
    tcase_add_test(tc, fuzz_regression_torchinfo_huge_window_should_import_at_once);
    suite_add_tcase(s, tc);
    return s;
}
