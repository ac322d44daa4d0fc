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
 * counted by hand from the files, as the comments say.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../arch/arch.h"
#include "../mapper/constraints.h"
#include "../mapper/mapping_io.h"
#include "../workloads/workload.h"

#define DATA "tests/data/hostile/"
#define REGRESSIONS "tests/data/fuzz-regressions/"
#define ARCH_16PE "tests/validation/conv3x3_fwd/arch.json"

/* ---- the four loaders behind one call --------------------------------- */

enum loader { L_ARCH, L_WORKLOAD, L_MAPPING, L_CONSTRAINTS, L_COUNT };

static const char *const loader_name[L_COUNT] = { "arch", "workload", "mapping",
                                                  "constraints" };

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
    default: {
        struct constraints_file *c = NULL;
        rc = constraints_load(path, &c, e);
        ck_assert(rc == 0 || c == NULL);
        constraints_file_free(c);
        break;
    }
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
    for (int l = 0; l < L_COUNT; l++) {
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
    static const char *const want[L_COUNT] = {
        DATA "top_level_string.json: (top level): expected an arch object, got \"arch\"",
        DATA "top_level_string.json: (top level): expected a workload object, got \"arch\"",
        DATA "top_level_string.json: (top level): expected a mapping object, got \"arch\"",
        DATA "top_level_string.json: (top level): expected a constraints object, got \"arch\"",
    };
    for (int l = 0; l < L_COUNT; l++) {
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
    for (int l = 0; l < L_COUNT; l++) {
        struct err e;
        ck_assert_int_eq(load((enum loader)l, path, &e), ERR_IO);
        ck_assert_str_eq(e.msg, want);
    }
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
 * ERR_NOMEM, which here would mean a misread input), leaving nothing
 * behind; under `make sanitize` any memory error fails the run. */
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
            ck_assert_msg(rc == 0 || rc == ERR_SYNTAX || rc == ERR_SCHEMA || rc == ERR_TOO_LARGE,
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

/* ---- the CLI ------------------------------------------------------------ */

static const char *binary(void)
{
    const char *b = getenv("TRAINMAP");
    return b && b[0] ? b : "build/trainmap";
}

/* The whole file, NUL-terminated ("" when it cannot be read). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    if (f) {
        len = fread(buf, 1, cap - 1, f);
        fclose(f);
    }
    buf[len] = '\0';
    return buf;
}

/* Starts the binary with args (argv[1..], NULL-terminated), stdin from
 * /dev/null, stdout and stderr into temporary files named in out/err. */
static pid_t start(char *const *args, char *out, char *err)
{
    strcpy(out, "/tmp/trainmap-hostile-out-XXXXXX");
    strcpy(err, "/tmp/trainmap-hostile-err-XXXXXX");
    int fo = mkstemp(out), fe = mkstemp(err);
    ck_assert(fo >= 0 && fe >= 0);
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)binary();
    while (args[n - 1] && n < 31) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        dup2(null, STDIN_FILENO);
        dup2(fo, STDOUT_FILENO);
        dup2(fe, STDERR_FILENO);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fo);
    close(fe);
    return pid;
}

/* Waits for pid at most seconds; kills it (and fails) past that.  Returns
 * the exit code, or -1 when a signal ended it. */
static int wait_for(pid_t pid, double seconds)
{
    int status;
    for (double t = 0; t < seconds; t += 0.01) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        ck_assert_int_ge(r, 0);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ck_abort_msg("still running after %.0f s", seconds);
    return -1;
}

struct run {
    int code;
    char *out, *err;
};

static void run(char *const *args, double seconds, struct run *r)
{
    char out[64], err[64];
    pid_t pid = start(args, out, err);
    r->code = wait_for(pid, seconds);
    r->out = slurp(out);
    r->err = slurp(err);
    unlink(out);
    unlink(err);
}

static void run_release(struct run *r)
{
    free(r->out);
    free(r->err);
}

struct cli_case {
    char *args[16];
    int code;
    const char *err;    /* all of stderr */
};

#define WL_16PE "tests/validation/conv3x3_fwd/workload.json"
#define MAP_16PE "tests/validation/conv3x3_fwd/mapping.json"

static const struct cli_case cli_cases[] = {
    { { "check", "tests/data/hostile", NULL }, 2,
      "trainmap: tests/data/hostile: is a directory, expected a JSON file\n" },
    { { "check", DATA "empty.json", NULL }, 2,
      "trainmap: " DATA "empty.json:1:1: expected a value, got end of file\n" },
    { { "check", "/proc/self/mem", NULL }, 2,
      "trainmap: /proc/self/mem: cannot read: Input/output error\n" },
    { { "kernels", "-w", "/dev/zero", NULL }, 2,
      "trainmap: /dev/zero: file too large (more than 67108864 bytes)\n" },
    { { "kernels", "-w", DATA "workload_bounds_2_31.json", NULL }, 2,
      "trainmap: " DATA "workload_bounds_2_31.json: layers[0]: fwd MAC count is too large "
      "(exceeds 2^64-1)\n" },
    { { "eval", "-a", DATA "arch_energy_overflow.json", "-w", WL_16PE, "--layer", "conv3x3",
        "-k", "fwd", "-m", MAP_16PE, NULL }, 2,
      "trainmap: " DATA "arch_energy_overflow.json: levels[1].read_pj: expected a "
      "non-negative number, got " RANGE "\n" },
    { { "eval", "-a", ARCH_16PE, "-w", WL_16PE, "--layer", "conv3x3", "-k", "fwd",
        "-m", DATA "escape_lone_high.json", NULL }, 2,
      "trainmap: " DATA "escape_lone_high.json:1:14: unpaired UTF-16 surrogate in a \\u "
      "escape\n" },
    /* a mapping written for another arch: the 16-PE mapping on a 1-level arch */
    { { "eval", "-a", DATA "arch_mesh_2_31_squared.json", "-w", WL_16PE, "--layer",
        "conv3x3", "-k", "fwd", "-m", MAP_16PE, NULL }, 2,
      "trainmap: " MAP_16PE ": levels[1].level: expected a level of arch 'hostile' (DRAM), "
      "got \"GlobalBuffer\"\n" },
    { { "map", "-a", ARCH_16PE, "-w", DATA "deep.json", NULL }, 2,
      "trainmap: " DATA "deep.json:1:91: nesting deeper than 64 levels\n" },
    { { "map", "-a", ARCH_16PE, "-w", WL_16PE, "--constraints",
        DATA "constraints_factor_overflow.json", NULL }, 2,
      "trainmap: " DATA "constraints_factor_overflow.json: levels[0].spatial_factors.x.K: "
      RANGE " is too large (at most 4294967295)\n" },
    /* -o checked before the search: a directory in the way, a file as
     * the directory, an empty name */
    { { "map", "-a", ARCH_16PE, "-w", WL_16PE, "-o", "tests/data", NULL }, 2,
      "trainmap map: -o: cannot write 'tests/data': tests/data: is a directory\n" },
    { { "map", "-a", ARCH_16PE, "-w", WL_16PE, "-o", DATA "empty.json/r.json", NULL }, 2,
      "trainmap map: -o: cannot write '" DATA "empty.json/r.json': " DATA "empty.json: "
      "Not a directory\n" },
    { { "map", "-a", ARCH_16PE, "-w", WL_16PE, "-o", "", NULL }, 2,
      "trainmap map: -o: cannot write '': '': No such file or directory\n" },
};
#define NCLI (int)(sizeof cli_cases / sizeof cli_cases[0])

START_TEST(cli_should_reject_hostile_inputs_with_exact_messages)
{
    const struct cli_case *c = &cli_cases[_i];
    struct run r;
    run(c->args, 60, &r);
    ck_assert_msg(r.code == c->code, "%s %s: exit %d, stderr %s", c->args[0], c->args[1],
                  r.code, r.err);
    ck_assert_str_eq(r.err, c->err);
    run_release(&r);
}
END_TEST

/* A prime bound near 2^31 (P = 2^31 - 1) once made the annealing move
 * factor it by trial division up to 2^31 per step, so the search never
 * reached its time limit.  Each strategy must now stop on time: 3
 * problems at 0.3 s each, far inside the 60 s allowed. */
START_TEST(cli_map_should_stop_on_time_with_prime_bounds_near_2_31)
{
    static const char *const strategies[] = { "exhaustive", "random", "anneal" };
    for (int i = 0; i < 3; i++) {
        char *args[] = { "map", "-a", ARCH_16PE, "-w", DATA "workload_stride_2_31.json",
                         "-s", (char *)strategies[i], "-j", "2", "--time-limit", "0.3", NULL };
        struct run r;
        run(args, 60, &r);
        ck_assert_msg(r.code == 0, "%s: exit %d: %s", strategies[i], r.code, r.err);
        run_release(&r);
    }
}
END_TEST

/* Every command on its success path and its main failure paths, for the
 * sanitizers: under `make sanitize` TRAINMAP is build/asan/trainmap with
 * leak checking on, so a leak, a memory error or undefined behaviour on
 * any of these paths prints its report on stderr and changes the exit
 * code.  (The golden and map tests of the cli suite cover more paths the
 * same way.) */
START_TEST(cli_every_command_should_run_clean_under_the_sanitizers)
{
    char dir[] = "/tmp/trainmap-hostile-XXXXXX", out[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(out, sizeof out, "%s/out.json", dir);
    struct { char *args[20]; int code; } runs[] = {
        { { NULL }, 2 },
        { { "--help", NULL }, 0 },
        { { "bogus", NULL }, 2 },
        { { "check", "arch/presets/eyeriss.json", "workloads/nets/resnet50.json",
            MAP_16PE, NULL }, 0 },
        { { "check", DATA "empty.json", "arch/presets/eyeriss.json", NULL }, 2 },
        { { "kernels", "-w", "workloads/nets/mobilenet_v2.json", "--json", NULL }, 0 },
        { { "kernels", "-w", "workloads/nets/resnet18.json", "--lowering", "im2col", NULL }, 0 },
        { { "eval", "-a", ARCH_16PE, "-w", WL_16PE, "--layer", "conv3x3", "-k", "fwd",
            "-m", MAP_16PE, "-o", out, NULL }, 0 },
        { { "eval", "-a", ARCH_16PE, "-w", WL_16PE, "--layer", "conv3x3", "-k", "update",
            NULL }, 0 },
        { { "map", "-a", "tests/data/map/tiny_4pe.json", "-w", "tests/data/map/twins.json",
            "-o", out, NULL }, 0 },
        { { "map", "-a", "tests/data/map/tiny_4pe.json", "-w", "tests/data/map/one_layer.json",
            "--constraints", "tests/data/map/k_three.json", "-s", "anneal", "-o", out, NULL }, 1 },
        { { "map", "-a", "tests/data/map/tiny_4pe.json", "-w", "tests/data/map/one_layer.json",
            "--layers", "(", NULL }, 2 },
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        struct run r;
        run(runs[i].args, 120, &r);
        ck_assert_msg(r.code == runs[i].code, "run %zu (%s): exit %d, stderr %s", i,
                      runs[i].args[0] ? runs[i].args[0] : "no arguments", r.code, r.err);
        ck_assert_msg(!strstr(r.err, "Sanitizer") && !strstr(r.err, "runtime error"),
                      "run %zu: %s", i, r.err);
        run_release(&r);
    }
    unlink(out);
    rmdir(dir);
}
END_TEST

/* ---- outputs under kills and interrupts ------------------------------- */

/* One hexadecimal signal mask line ("SigCgt:") of /proc/pid/status. */
static unsigned long long proc_mask(pid_t pid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    unsigned long long v = 0;
    if (!f)
        return 0;
    size_t n = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0) {
            v = strtoull(line + n, NULL, 16);
            break;
        }
    fclose(f);
    return v;
}

#define SIGINT_BIT (1ull << (SIGINT - 1))

/* Waits until map has put its SIGINT handler in place, which it does just
 * before the search starts. */
static void wait_for_search(pid_t pid)
{
    for (int i = 0; i < 3000 && !(proc_mask(pid, "SigCgt:") & SIGINT_BIT); i++)
        nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
    ck_assert_msg(proc_mask(pid, "SigCgt:") & SIGINT_BIT, "map never started its search");
}

/* The names in dir, space-separated, into out. */
static void list_dir(const char *dir, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    out[0] = '\0';
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? " " : "",
                     de->d_name);
    closedir(d);
}

#define BIG "tests/data/map/big.json"

/* SIGKILL cannot be caught: what protects an existing report is that the
 * report is written only after the search, through a temporary file and a
 * rename (common/outfile.h).  Killed mid-search, map leaves the old
 * report as it was and no other file. */
START_TEST(cli_map_killed_mid_search_should_leave_an_existing_report_untouched)
{
    char dir[] = "/tmp/trainmap-hostile-XXXXXX", path[64], out[64], err[64], names[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/report.json", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("the previous report\n", f);
    fclose(f);
    char *args[] = { "map", "-a", ARCH_16PE, "-w", BIG, "-j", "2", "--time-limit", "20",
                     "-o", path, NULL };
    pid_t pid = start(args, out, err);
    wait_for_search(pid);
    nanosleep(&(struct timespec){ 0, 300000000 }, NULL);
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    ck_assert_int_eq(wait_for(pid, 30), -1);
    unlink(out);
    unlink(err);
    char *text = slurp(path);
    ck_assert_str_eq(text, "the previous report\n");
    free(text);
    list_dir(dir, names, sizeof names);
    ck_assert_str_eq(names, "report.json");
    unlink(path);
    rmdir(dir);
}
END_TEST

/* The first Ctrl-C stops the search and writes the best-so-far report; a
 * second one exits at once with 130 and writes nothing.  The second must
 * land between the first's delivery and the report's write, a window of
 * milliseconds: the test sends it as soon as /proc shows the first
 * delivered, and tries again (up to 10 times) when the report was written
 * first anyway.  A temporary file left behind fails at once. */
START_TEST(cli_map_second_sigint_should_exit_at_once_without_writing)
{
    char dir[] = "/tmp/trainmap-hostile-XXXXXX", path[64], out[64], err[64], names[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/report.json", dir);
    bool seen = false;
    for (int attempt = 0; attempt < 10 && !seen; attempt++) {
        char *args[] = { "map", "-a", ARCH_16PE, "-w", BIG, "-j", "2", "--time-limit", "20",
                         "-o", path, NULL };
        pid_t pid = start(args, out, err);
        wait_for_search(pid);
        nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
        ck_assert_int_eq(kill(pid, SIGINT), 0);
        for (long spin = 0; spin < 10000000; spin++)
            if (!((proc_mask(pid, "ShdPnd:") | proc_mask(pid, "SigPnd:")) & SIGINT_BIT))
                break;
        kill(pid, SIGINT);
        int code = wait_for(pid, 60);
        char *stdout_text = slurp(out);
        unlink(out);
        unlink(err);
        list_dir(dir, names, sizeof names);
        if (names[0] == '\0') {
            ck_assert_int_eq(code, 130);
            /* the summary follows the report: neither was written */
            ck_assert_str_eq(stdout_text, "");
            seen = true;
        } else {
            /* the report was written before the second signal came */
            ck_assert_str_eq(names, "report.json");
            unlink(path);
        }
        free(stdout_text);
    }
    ck_assert_msg(seen, "the report was written before every second SIGINT");
    rmdir(dir);
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
    tcase_add_loop_test(tc, loaders_should_reject_hostile_values_with_exact_messages, 0, NVALUE);
    tcase_add_test(tc, hostile_data_should_all_be_tested);
    tcase_add_test(tc, loaders_should_accept_extremes_that_fit_in_64_bits);
    tcase_add_test(tc, fuzz_regressions_should_load_or_fail_cleanly);
    tcase_add_test(tc, fuzz_regression_escape_nul_should_be_a_syntax_error);
    suite_add_tcase(s, tc);
    TCase *cli = tcase_create("cli");
    tcase_set_timeout(cli, 300);
    tcase_add_loop_test(cli, cli_should_reject_hostile_inputs_with_exact_messages, 0, NCLI);
    tcase_add_test(cli, cli_map_should_stop_on_time_with_prime_bounds_near_2_31);
    tcase_add_test(cli, cli_every_command_should_run_clean_under_the_sanitizers);
    suite_add_tcase(s, cli);
    TCase *outputs = tcase_create("outputs");
    tcase_set_timeout(outputs, 600);
    tcase_add_test(outputs, cli_map_killed_mid_search_should_leave_an_existing_report_untouched);
    tcase_add_test(outputs, cli_map_second_sigint_should_exit_at_once_without_writing);
    suite_add_tcase(s, outputs);
    return s;
}
