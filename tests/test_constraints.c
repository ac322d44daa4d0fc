/*
 * Tests of mapper/constraints: the constraints JSON schema (every error
 * pinned to its exact message), binding level names and roles to the
 * shipped arches, the shipped dataflow presets against every shipped arch,
 * and constraints_allow on the validation mappings and hand-made ones.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../mapper/constraints.h"
#include "../mapper/mapping_io.h"
#include "../workloads/workload.h"

#define DATA "tests/data/constraints/"
#define PRESETS "mapper/presets/"
#define ARCHES "arch/presets/"

/* ---- fixtures ---------------------------------------------------------- */

static struct arch *load_arch(const char *path)
{
    struct arch *a;
    struct err e;
    ck_assert_msg(arch_load(path, &a, &e) == 0, "%s", e.msg);
    return a;
}

/* Parses text (named "c.json") and binds it to arch a. */
static int bind_text(const char *text, const struct arch *a, struct constraints *c,
                     struct err *e)
{
    struct constraints_file *cf;
    int rc = constraints_parse("c.json", text, strlen(text), &cf, e);
    if (rc == 0)
        rc = constraints_bind(cf, a, c, e);
    constraints_file_free(cf);
    return rc;
}

/* Loads the file at path and binds it to the arch at arch_path. */
static int bind_files(const char *path, const char *arch_path, struct constraints *c,
                      struct err *e)
{
    struct constraints_file *cf;
    struct arch *a = load_arch(arch_path);
    int rc = constraints_load(path, &cf, e);
    ck_assert_msg(rc == 0, "%s", e->msg);
    rc = constraints_bind(cf, a, c, e);
    constraints_file_free(cf);
    arch_free(a);
    return rc;
}

/* A mapping bound to the arch and the one-layer workload of validation
 * case dir: its mapping.json, or text (read as "m.json") when not NULL;
 * *a receives the case's arch. */
static void case_mapping(const char *dir, const char *text, struct arch **a,
                         struct mapping *m)
{
    char path[256];
    struct workload *w;
    struct mapping_file *mf;
    struct problem p;
    struct err e;
    snprintf(path, sizeof path, "tests/validation/%s/arch.json", dir);
    *a = load_arch(path);
    snprintf(path, sizeof path, "tests/validation/%s/workload.json", dir);
    ck_assert_msg(workload_load(path, &w, &e) == 0, "%s", e.msg);
    snprintf(path, sizeof path, "tests/validation/%s/mapping.json", dir);
    if (text)
        snprintf(path, sizeof path, "m.json");
    int rc = text ? mapping_parse(path, text, strlen(text), &mf, &e) : mapping_load(path, &mf, &e);
    ck_assert_msg(rc == 0, "%s", e.msg);
    ck_assert_msg(workload_derive(w, 0, (enum kernel)mf->kernel, LOWER_NONE, &p, &e) == 0,
                  "%s", e.msg);
    ck_assert_msg(mapping_bind(mf, path, *a, &p, m, &e) == 0, "%s", e.msg);
    mapping_file_free(mf);
    workload_free(w);
}

/* Binds constraints text to the arch of validation case dir and checks its
 * mapping.  Returns constraints_allow's answer; *why as it leaves it. */
static bool allow_text(const char *dir, const char *text, const char **why)
{
    struct arch *a;
    struct mapping m;
    struct constraints c;
    struct err e;
    case_mapping(dir, NULL, &a, &m);
    ck_assert_msg(bind_text(text, a, &c, &e) == 0, "%s", e.msg);
    arch_free(a);
    *why = "untouched";
    return constraints_allow(&c, &m, why);
}

#define DIMBIT(d) (1u << (d))

/* ---- schema ---------------------------------------------------------- */

static const char *const presets[] = {
    "weight_stationary", "output_stationary", "input_stationary", "row_stationary",
};
#define NPRESETS ((int)(sizeof presets / sizeof presets[0]))

START_TEST(constraints_load_should_accept_every_preset)
{
    char path[128];
    struct constraints_file *cf;
    struct err e;
    snprintf(path, sizeof path, PRESETS "%s.json", presets[_i]);
    ck_assert_msg(constraints_load(path, &cf, &e) == 0, "%s", e.msg);
    ck_assert_ptr_nonnull(cf);
    constraints_file_free(cf);
}
END_TEST

START_TEST(constraints_bind_should_place_every_key_of_the_format)
{
    struct constraints c;
    struct err e;
    /* validation-16pe: DRAM (0), GlobalBuffer (1, fans out 4 x 4),
     * RegisterFile (2, innermost) */
    int rc = bind_files(DATA "good_full.json", ARCHES "validation-16pe.json", &c, &e);
    ck_assert_msg(rc == 0, "%s", e.msg);
    ck_assert_int_eq(c.nlevels, 3);
    ck_assert(c.min_utilization == 0.25);
    /* DRAM: R = S = 1 fixed, order prefix N K */
    ck_assert_uint_eq(c.level[0].temporal[DIM_R], 1);
    ck_assert_uint_eq(c.level[0].temporal[DIM_S], 1);
    ck_assert_uint_eq(c.level[0].temporal[DIM_N], 0);
    ck_assert_int_eq(c.level[0].order_prefix_len, 2);
    ck_assert_uint_eq(c.level[0].order_prefix[0], DIM_N);
    ck_assert_uint_eq(c.level[0].order_prefix[1], DIM_K);
    ck_assert(!c.level[0].order_exact);
    ck_assert_uint_eq(c.level[0].spatial_x_dims, 0xFF);
    ck_assert_str_eq(c.source[0], DATA "good_full.json: levels[0]");
    /* @array = GlobalBuffer: x allows K (bit 1) and Q (bit 4), y nothing */
    ck_assert_uint_eq(c.level[1].spatial_x_dims, DIMBIT(DIM_K) | DIMBIT(DIM_Q));
    ck_assert_uint_eq(c.level[1].spatial_y_dims, 0);
    ck_assert_uint_eq(c.level[1].spatial_x[DIM_K], 2);
    ck_assert_uint_eq(c.level[1].spatial_x[DIM_Q], 0);
    ck_assert_int_eq(c.level[1].keep[SLOT_WEIGHTS], BYPASS_FORCE);
    ck_assert_int_eq(c.level[1].keep[SLOT_INPUTS], KEEP_FORCE);
    ck_assert_int_eq(c.level[1].keep[SLOT_OUTPUTS], KEEP_FREE);
    ck_assert_str_eq(c.source[1], DATA "good_full.json: levels[1]");
    /* @innermost = RegisterFile: K = 2 fixed, exact order K P Q */
    ck_assert_uint_eq(c.level[2].temporal[DIM_K], 2);
    ck_assert_int_eq(c.level[2].order_prefix_len, 3);
    ck_assert_uint_eq(c.level[2].order_prefix[2], DIM_Q);
    ck_assert(c.level[2].order_exact);
    ck_assert_int_eq(c.level[2].keep[SLOT_WEIGHTS], KEEP_FORCE);
    ck_assert_int_eq(c.level[2].keep[SLOT_OUTPUTS], KEEP_FORCE);
    ck_assert_int_eq(c.level[2].keep[SLOT_INPUTS], KEEP_FREE);
    ck_assert_str_eq(c.source[2], DATA "good_full.json: levels[2]");
}
END_TEST

struct bad_file {
    const char *file;
    const char *msg;
};

#define F(name) DATA name ".json", DATA name ".json: "
static const struct bad_file bad_files[] = {
    { F("unknown_key") "level: unknown key, expected one of: name, min_utilization, levels, comment" },
    { F("level_unknown_key") "levels[0].spatial_factor: unknown key, expected one of: level, "
                             "temporal, order, order_exact, spatial, spatial_factors, keep, "
                             "bypass, comment" },
    { F("unknown_dim") "levels[1].temporal.Z: unknown dim, expected one of N, K, C, P, Q, R, S, G" },
    { F("zero_factor") "levels[0].temporal.K: expected a positive integer, got 0" },
    { F("order_twice") "levels[0].order: N appears twice in \"NPN\"" },
    { F("order_unknown_letter") "levels[0].order: unknown dim 'p', expected letters from N, K, C, P, Q, R, S, G" },
    { F("unknown_slot") "levels[0].keep[0]: expected one of weights, inputs, outputs, got \"psums\"" },
    { F("slot_twice") "levels[0].keep[1]: \"weights\" is listed twice" },
    { F("keep_and_bypass") "levels[0].bypass[1]: \"inputs\" is also listed in keep (a slot is "
                           "kept or bypassed, not both)" },
    { F("min_utilization") "min_utilization: expected a number from 0 to 1, got 1.5" },
    { F("unknown_role") "levels[0].level: unknown role \"@arary\", expected @outermost, "
                        "@innermost, @array or a level name" },
    { F("bypass_outermost_role") "levels[0].bypass[0]: \"weights\" cannot bypass the outermost "
                                 "level (@outermost), which holds every tensor" },
    { F("spatial_unknown_dim") "levels[0].spatial.y[1]: expected one of N, K, C, P, Q, R, S, G, got \"Z\"" },
    { F("spatial_not_array") "levels[0].spatial.x: expected an array of dims such as [\"K\", \"C\"], got \"K\"" },
    { F("spatial_factor_forbidden") "levels[0].spatial_factors.x.C: 4 on a dim that spatial.x "
                                    "does not allow (K)" },
    { F("order_exact_leaves_out") "levels[0].temporal.K: 4 is above 1, but the exact order \"NP\" leaves K out" },
    { F("order_exact_without_order") "levels[0].order: missing, expected the exact loop order "
                                     "(order_exact is true)" },
    { F("order_exact_not_bool") "levels[0].order_exact: expected true or false, got \"yes\"" },
    { F("too_many_levels") "levels: 9 entries, expected at most 8 (one per arch level)" },
    { F("level_missing") "levels[0].level: missing, expected a non-empty string of at most 63 bytes" },
    { F("not_object") "(top level): expected a constraints object, got an array" },
};
#undef F
#define NBAD ((int)(sizeof bad_files / sizeof bad_files[0]))

START_TEST(constraints_load_should_reject_malformed_files_with_exact_messages)
{
    const struct bad_file *b = &bad_files[_i];
    struct constraints_file *cf = (struct constraints_file *)1;
    struct err e;
    err_clear(&e);
    ck_assert_int_eq(constraints_load(b->file, &cf, &e), ERR_SCHEMA);
    ck_assert_ptr_null(cf);
    ck_assert_str_eq(e.msg, b->msg);
}
END_TEST

START_TEST(constraints_load_should_call_a_factor_above_32_bits_too_large)
{
    struct constraints_file *cf;
    struct err e;
    /* 2^32 = 4294967296, one more than the largest uint32 factor */
    ck_assert_int_eq(constraints_load(DATA "huge_factor.json", &cf, &e), ERR_TOO_LARGE);
    ck_assert_str_eq(e.msg, DATA "huge_factor.json: levels[0].temporal.K: 4294967296 is too "
                            "large (at most 4294967295)");
}
END_TEST

START_TEST(constraints_load_should_locate_syntax_errors)
{
    struct constraints_file *cf;
    struct err e;
    /* line 2: `  { "level": "@array", "spatial": { "x": ["K",] } } ] }`: two
     * spaces, then `{ "level": ` (cols 3-13), `"@array", ` (14-23),
     * `"spatial": ` (24-34), `{ "x": ` (35-41), `["K",` (42-46): ']' is 47 */
    ck_assert_int_eq(constraints_load(DATA "syntax.json", &cf, &e), ERR_SYNTAX);
    ck_assert_str_eq(e.msg, DATA "syntax.json:2:47: expected a value, got ']'");
}
END_TEST

START_TEST(constraints_load_should_report_a_missing_file)
{
    struct constraints_file *cf;
    struct err e;
    ck_assert_int_eq(constraints_load(DATA "no_such_file.json", &cf, &e), ERR_IO);
    ck_assert_str_eq(e.msg, DATA "no_such_file.json: cannot open: No such file or directory");
}
END_TEST

START_TEST(constraints_parse_should_accept_an_empty_object_and_free_null)
{
    struct constraints_file *cf;
    struct constraints c;
    struct err e;
    struct arch *a = load_arch(ARCHES "validation-16pe.json");
    ck_assert_int_eq(constraints_parse("c.json", "{}", 2, &cf, &e), 0);
    ck_assert_int_eq(constraints_bind(cf, a, &c, &e), 0);
    ck_assert_int_eq(c.nlevels, 3);
    ck_assert(c.min_utilization == 0);
    constraints_file_free(cf);
    constraints_file_free(NULL);
    arch_free(a);
}
END_TEST

/* ---- binding --------------------------------------------------------- */

START_TEST(constraints_bind_of_null_should_equal_init)
{
    struct arch *a = load_arch(ARCHES "gemmini.json");
    struct constraints bound, init;
    struct err e;
    memset(&bound, 0xAB, sizeof bound);
    ck_assert_int_eq(constraints_bind(NULL, a, &bound, &e), 0);
    constraints_init(&init, a);
    ck_assert_mem_eq(&bound, &init, sizeof init);
    /* gemmini: DRAM, Scratchpad, Accumulator, PEWeights */
    ck_assert_int_eq(init.nlevels, 4);
    for (int l = 0; l < init.nlevels; l++) {
        ck_assert_uint_eq(init.level[l].spatial_x_dims, 0xFF);
        ck_assert_uint_eq(init.level[l].spatial_y_dims, 0xFF);
        ck_assert_int_eq(init.level[l].order_prefix_len, 0);
        ck_assert_uint_eq(init.level[l].temporal[DIM_K], 0);
        ck_assert_int_eq(init.level[l].keep[SLOT_OUTPUTS], KEEP_FREE);
        ck_assert_str_eq(init.source[l], "");
    }
    arch_free(a);
}
END_TEST

struct bad_bind {
    const char *file, *arch, *msg;
};

#define F(name) DATA name ".json"
#define P(name) PRESETS name ".json"
static const struct bad_bind bad_binds[] = {
    { F("unknown_level"), ARCHES "validation-16pe.json",
      F("unknown_level") ": levels[1].level: expected a level of arch 'validation-16pe' (DRAM, "
      "GlobalBuffer, RegisterFile) or a role (@outermost, @innermost, @array), got \"L2\"" },
    /* one-pe: DRAM and RegisterFile, both mesh 1 x 1, over one MAC */
    { P("weight_stationary"), DATA "one_pe_arch.json",
      P("weight_stationary") ": levels[0].level: @array needs a level that fans out to more "
      "than one child, and arch 'one-pe' has none" },
    /* mac-fanout: Buffer (1 x 1) feeds 4 x 4 MACs, so it is both roles */
    { P("weight_stationary"), DATA "mac_fanout_arch.json",
      P("weight_stationary") ": levels[1].level: \"@innermost\" is Buffer, already constrained "
      "by levels[0] (\"@array\")" },
    { F("duplicate_level"), ARCHES "validation-16pe.json",
      F("duplicate_level") ": levels[1].level: \"RegisterFile\" is already constrained by "
      "levels[0] (\"@innermost\")" },
    { F("duplicate_role"), ARCHES "validation-16pe.json",
      F("duplicate_role") ": levels[1].level: \"@array\" is GlobalBuffer, already constrained "
      "by levels[0] (\"GlobalBuffer\")" },
    { F("bypass_outermost"), ARCHES "validation-16pe.json",
      F("bypass_outermost") ": levels[1].bypass[0]: \"inputs\" cannot bypass the outermost "
      "level (DRAM), which holds every tensor" },
    /* eyeriss's GlobalBuffer keeps inputs and outputs */
    { F("keep_unkept"), ARCHES "eyeriss.json",
      F("keep_unkept") ": levels[0].keep[1]: \"weights\" cannot be kept at GlobalBuffer, which "
      "keeps only inputs, outputs" },
    /* training-hbm: the fanout levels are HBM (2 x 1), VectorMemory (4/2 x 1)
     * and MXU (512/4 x 128); MXU, the innermost of them, keeps [] */
    { F("keep_at_fanout_level"), ARCHES "training-hbm.json",
      F("keep_at_fanout_level") ": levels[0].keep[0]: \"weights\" cannot be kept at MXU, which "
      "keeps nothing" },
    /* GlobalBuffer fans out 4 x 4; y: K 2 x C 4 = 8 > 4 (x: K 2 fits) */
    { F("fanout_exceeded"), ARCHES "validation-16pe.json",
      F("fanout_exceeded") ": levels[0].spatial_factors.y: factors multiply to 8, more than "
      "the fanout of GlobalBuffer along y (4)" },
};
#undef F
#undef P
#define NBADBIND ((int)(sizeof bad_binds / sizeof bad_binds[0]))

START_TEST(constraints_bind_should_reject_what_the_arch_cannot_hold_with_exact_messages)
{
    const struct bad_bind *b = &bad_binds[_i];
    struct constraints c;
    struct err e;
    err_clear(&e);
    ck_assert_int_eq(bind_files(b->file, b->arch, &c, &e), ERR_SCHEMA);
    ck_assert_str_eq(e.msg, b->msg);
}
END_TEST

START_TEST(constraints_bind_should_keep_the_end_of_a_long_file_name_in_source)
{
    struct constraints_file *cf;
    struct constraints c;
    struct err e;
    char name[201];
    struct arch *a = load_arch(ARCHES "validation-16pe.json");
    memset(name, 'd', 200);
    memcpy(name + 190, "/last.json", 11);
    const char *text = "{\"levels\": [{\"level\": \"@innermost\"}]}";
    ck_assert_int_eq(constraints_parse(name, text, strlen(text), &cf, &e), 0);
    ck_assert_int_eq(constraints_bind(cf, a, &c, &e), 0);
    /* 127 characters: "..." + the name's last 113 + ": levels[0]" (11) */
    ck_assert_uint_eq(strlen(c.source[2]), 127);
    ck_assert(strncmp(c.source[2], "...ddd", 6) == 0);
    ck_assert_str_eq(c.source[2] + 127 - 21, "/last.json: levels[0]");
    constraints_file_free(cf);
    arch_free(a);
}
END_TEST

/* ---- presets against the shipped arches ------------------------------- */

struct preset_case {
    const char *arch;
    int array, innermost;  /* the levels the roles resolve to */
    const char *weights_only; /* the innermost level when it keeps only weights */
};

/* Fanout = the next inner mesh (or the MAC mesh) over the level's own.
 * eyeriss: DRAM 1, GlobalBuffer 14x12 -> @array 1; PEScratchpads 1.
 * gemmini: DRAM, Scratchpad 1; Accumulator 16x16 -> 2; PEWeights 1.
 * simba: GlobalBuffer 4x4; PEInput/PEWeightBuffer 1; PEAccuBuffer
 *   32/4 x 32/4 = 8x8 -> 4; PEWeightRegs 1 (innermost 5).
 * tpu-v1: Accumulators 256x256 -> 3; MatrixWeights 1 (4).
 * training-hbm: HBM 2x1, VectorMemory 2x1, MXU 128x128 -> 2; MXUWeights 1.
 * validation-16pe: GlobalBuffer 4x4 -> 1; RegisterFile 1. */
static const struct preset_case preset_arches[] = {
    { "eyeriss", 1, 2, NULL },
    { "gemmini", 2, 3, "PEWeights" },
    { "simba", 4, 5, "PEWeightRegs" },
    { "tpu-v1", 3, 4, "MatrixWeights" },
    { "training-hbm", 2, 3, "MXUWeights" },
    { "validation-16pe", 1, 2, NULL },
};
#define NARCHES ((int)(sizeof preset_arches / sizeof preset_arches[0]))

/* The first slot each preset forces kept at @innermost, other than
 * weights, and its index in the preset's "keep" list (NULL: weights only). */
static const char *const preset_keep[NPRESETS][2] = {
    { NULL, NULL }, { "outputs", "0" }, { "inputs", "0" }, { "inputs", "1" },
};

START_TEST(every_preset_should_bind_to_every_shipped_arch_that_can_run_it)
{
    const struct preset_case *pc = &preset_arches[_i % NARCHES];
    int pi = _i / NARCHES;
    char path[128], arch_path[128], msg[512];
    struct constraints c;
    struct err e;
    snprintf(path, sizeof path, PRESETS "%s.json", presets[pi]);
    snprintf(arch_path, sizeof arch_path, ARCHES "%s.json", pc->arch);
    int rc = bind_files(path, arch_path, &c, &e);
    if (pc->weights_only && preset_keep[pi][0]) {
        /* a PE with only a weight register cannot hold the stationary
         * inputs or outputs these dataflows need */
        snprintf(msg, sizeof msg, "%s: levels[1].keep[%s]: \"%s\" cannot be kept at %s, which "
                 "keeps only weights", path, preset_keep[pi][1], preset_keep[pi][0],
                 pc->weights_only);
        ck_assert_int_eq(rc, ERR_SCHEMA);
        ck_assert_str_eq(e.msg, msg);
        return;
    }
    ck_assert_msg(rc == 0, "%s", e.msg);
    for (int l = 0; l < c.nlevels; l++) {
        if (l == pc->array)
            snprintf(msg, sizeof msg, "%s: levels[0]", path);
        else if (l == pc->innermost)
            snprintf(msg, sizeof msg, "%s: levels[1]", path);
        else
            msg[0] = '\0';
        ck_assert_str_eq(c.source[l], msg);
    }
    ck_assert_uint_ne(c.level[pc->array].spatial_x_dims, 0xFF);
    ck_assert_uint_ne(c.level[pc->innermost].temporal[DIM_N] +
                      c.level[pc->innermost].temporal[DIM_K], 0);
}
END_TEST

START_TEST(preset_table_should_name_every_shipped_arch)
{
    /* the table's roles are worked out by hand per arch: a new preset in
     * arch/presets must be added to it */
    DIR *dir = opendir(ARCHES);
    struct dirent *ent;
    int n = 0;
    ck_assert_ptr_nonnull(dir);
    while ((ent = readdir(dir))) {
        size_t len = strlen(ent->d_name);
        if (len < 6 || strcmp(ent->d_name + len - 5, ".json") != 0)
            continue;
        bool listed = false;
        for (int i = 0; i < NARCHES && !listed; i++)
            listed = strlen(preset_arches[i].arch) == len - 5 &&
                     strncmp(ent->d_name, preset_arches[i].arch, len - 5) == 0;
        ck_assert_msg(listed, "%s is missing from preset_arches", ent->d_name);
        n++;
    }
    closedir(dir);
    ck_assert_int_eq(n, NARCHES);
}
END_TEST

START_TEST(weight_stationary_should_pin_k_by_c_and_one_weight_per_pe)
{
    struct constraints c;
    struct err e;
    int rc = bind_files(PRESETS "weight_stationary.json", ARCHES "tpu-v1.json", &c, &e);
    ck_assert_msg(rc == 0, "%s", e.msg);
    /* @array = Accumulators (3): K across x, C across y */
    ck_assert_uint_eq(c.level[3].spatial_x_dims, DIMBIT(DIM_K));
    ck_assert_uint_eq(c.level[3].spatial_y_dims, DIMBIT(DIM_C));
    /* @innermost = MatrixWeights (4): K C R S G fixed to 1, N P Q free */
    static const uint32_t want[DIM_COUNT] = { 0, 1, 1, 0, 0, 1, 1, 1 };
    ck_assert_mem_eq(c.level[4].temporal, want, sizeof want);
    ck_assert_int_eq(c.level[4].keep[SLOT_WEIGHTS], KEEP_FORCE);
    ck_assert_int_eq(c.level[4].keep[SLOT_INPUTS], BYPASS_FORCE);
    ck_assert_int_eq(c.level[4].keep[SLOT_OUTPUTS], BYPASS_FORCE);
    ck_assert_uint_eq(c.level[2].spatial_x_dims, 0xFF);
}
END_TEST

/* ---- constraints_allow ------------------------------------------------ */

static const char *const validation_cases[] = {
    "conv1x1s2_fwd", "conv3x3_bwd_data", "conv3x3_fwd", "conv3x3_fwd_dram_bw",
    "conv3x3_fwd_wbypass", "conv3x3_wgrad", "gemm_fwd", "tutorial_00_1level",
    "tutorial_01_os", "tutorial_01_ws", "tutorial_02_no_tiling", "tutorial_02_tiling",
    "tutorial_03_bypass", "tutorial_03_no_bypass", "tutorial_04_cp", "tutorial_04_kp",
};
#define NCASES ((int)(sizeof validation_cases / sizeof validation_cases[0]))

START_TEST(constraints_allow_should_accept_every_validation_mapping_when_unconstrained)
{
    struct arch *a;
    struct mapping m;
    struct constraints c;
    case_mapping(validation_cases[_i], NULL, &a, &m);
    constraints_init(&c, a);
    ck_assert(constraints_allow(&c, &m, NULL));
    arch_free(a);
}
END_TEST

/* conv3x3_fwd on validation-16pe: DRAM N2 K4 C4 "NKC"; GlobalBuffer K2 C4 P2
 * Q14 "KCPQ", spatial x K4, y C4; RegisterFile K2 P7 S3 R3 "KPSR". */
#define CONV "conv3x3_fwd"

struct allow_case {
    const char *dir, *text;
    const char *why;       /* NULL: allowed */
};

static const struct allow_case allow_cases[] = {
    /* factors equal to the mapping's: allowed */
    { CONV, "{\"levels\": [{\"level\": \"DRAM\", \"temporal\": {\"N\": 2, \"K\": 4, \"R\": 1}}]}", NULL },
    { CONV, "{\"levels\": [{\"level\": \"DRAM\", \"temporal\": {\"K\": 2}}]}", "fixed temporal factor" },
    /* the RegisterFile loops over K, R, S: weight stationary forbids it */
    { CONV, "{\"levels\": [{\"level\": \"@innermost\", \"temporal\": {\"R\": 1}}]}", "fixed temporal factor" },
    { CONV, "{\"levels\": [{\"level\": \"DRAM\", \"order\": \"NK\"}]}", NULL },
    /* Q and P have factor 1 at DRAM: no loops, skipped in the prefix */
    { CONV, "{\"levels\": [{\"level\": \"DRAM\", \"order\": \"QNPK\"}]}", NULL },
    { CONV, "{\"levels\": [{\"level\": \"DRAM\", \"order\": \"KN\"}]}", "loop order prefix" },
    { CONV, "{\"levels\": [{\"level\": \"DRAM\", \"order\": \"NKC\", \"order_exact\": true}]}", NULL },
    { CONV, "{\"levels\": [{\"level\": \"DRAM\", \"order\": \"NK\", \"order_exact\": true}]}", "exact loop order" },
    { CONV, "{\"levels\": [{\"level\": \"@innermost\", \"order\": \"KPSRC\", \"order_exact\": true}]}", NULL },
    { CONV, "{\"levels\": [{\"level\": \"@array\", \"spatial\": {\"x\": [\"K\"], \"y\": [\"C\"]}}]}", NULL },
    { CONV, "{\"levels\": [{\"level\": \"@array\", \"spatial\": {\"x\": [\"C\"]}}]}",
      "dim not allowed on the spatial x axis" },
    { CONV, "{\"levels\": [{\"level\": \"@array\", \"spatial\": {\"y\": [\"K\", \"N\"]}}]}",
      "dim not allowed on the spatial y axis" },
    /* a spatial list restricts only factors above 1 */
    { CONV, "{\"levels\": [{\"level\": \"@innermost\", \"spatial\": {\"x\": [], \"y\": []}}]}", NULL },
    { CONV, "{\"levels\": [{\"level\": \"@array\", \"spatial_factors\": {\"x\": {\"K\": 4}, \"y\": {\"C\": 4}}}]}", NULL },
    { CONV, "{\"levels\": [{\"level\": \"@array\", \"spatial_factors\": {\"y\": {\"C\": 2}}}]}", "fixed spatial factor" },
    { CONV, "{\"levels\": [{\"level\": \"GlobalBuffer\", \"keep\": [\"weights\"]}]}", NULL },
    { CONV, "{\"levels\": [{\"level\": \"GlobalBuffer\", \"bypass\": [\"weights\"]}]}", "forced bypass" },
    /* the same mapping with weights bypassing the GlobalBuffer */
    { "conv3x3_fwd_wbypass", "{\"levels\": [{\"level\": \"GlobalBuffer\", \"bypass\": [\"weights\"]}]}", NULL },
    { "conv3x3_fwd_wbypass", "{\"levels\": [{\"level\": \"GlobalBuffer\", \"keep\": [\"weights\"]}]}", "forced keep" },
    /* 1-D conv P16 R3 over MainMemory and Buffer: weight stationary keeps
     * R out of the Buffer's loops (R outer, P inner), output stationary P */
    { "tutorial_01_ws", "{\"levels\": [{\"level\": \"@innermost\", \"temporal\": {\"R\": 1}}]}", NULL },
    { "tutorial_01_os", "{\"levels\": [{\"level\": \"@innermost\", \"temporal\": {\"R\": 1}}]}", "fixed temporal factor" },
    { "tutorial_01_os", "{\"levels\": [{\"level\": \"@innermost\", \"temporal\": {\"P\": 1}}]}", NULL },
    { "tutorial_01_ws", "{\"levels\": [{\"level\": \"@innermost\", \"temporal\": {\"P\": 1}}]}", "fixed temporal factor" },
};
#define NALLOW ((int)(sizeof allow_cases / sizeof allow_cases[0]))

START_TEST(constraints_allow_should_name_the_first_rule_a_mapping_breaks)
{
    const struct allow_case *ac = &allow_cases[_i];
    const char *why;
    bool ok = allow_text(ac->dir, ac->text, &why);
    ck_assert_msg(ok == (ac->why == NULL), "case %d: %s", _i, ok ? "allowed" : why);
    ck_assert_str_eq(why, ac->why ? ac->why : "untouched");
}
END_TEST

/* conv3x3_fwd rearranged for weight stationary: K, R, S move from the
 * RegisterFile to the GlobalBuffer (K 2x2 = 4, R 3, S 3), so the register
 * file loops over P alone and may drop inputs and outputs. */
#define WS_MAPPING(bypass) \
    "{\"layer\": \"conv3x3\", \"kernel\": \"fwd\", \"levels\": [{\"level\": \"DRAM\", \"temporal\": {\"N\": 2, \"K\": 4, \"C\": 4}, \"order\": \"NKC\"}," \
    " {\"level\": \"GlobalBuffer\", \"temporal\": {\"K\": 4, \"C\": 4, \"P\": 2, \"Q\": 14, \"R\": 3, \"S\": 3}," \
    "  \"order\": \"KCPQRS\", \"spatial\": {\"x\": {\"K\": 4}, \"y\": {\"C\": 4}}}," \
    " {\"level\": \"RegisterFile\", \"temporal\": {\"P\": 7}, \"order\": \"P\", \"bypass\": [" bypass "]}]}"

static bool allow_ws_preset(const char *mapping_text, const char **why)
{
    struct arch *a;
    struct mapping m;
    struct constraints c;
    struct err e;
    case_mapping(CONV, mapping_text, &a, &m);
    ck_assert_int_eq(bind_files(PRESETS "weight_stationary.json", ARCHES "validation-16pe.json",
                                &c, &e), 0);
    arch_free(a);
    *why = "untouched";
    return constraints_allow(&c, &m, why);
}

START_TEST(weight_stationary_preset_should_accept_a_weight_stationary_mapping)
{
    const char *why;
    ck_assert_msg(allow_ws_preset(WS_MAPPING("\"I\", \"O\""), &why), "%s", why);
    ck_assert(!allow_ws_preset(WS_MAPPING("\"I\""), &why));
    ck_assert_str_eq(why, "forced bypass");
}
END_TEST

START_TEST(constraints_allow_should_reject_a_mapping_of_another_level_count)
{
    struct arch *a, *small;
    struct mapping m;
    struct constraints c;
    const char *why = NULL;
    case_mapping("tutorial_01_ws", NULL, &small, &m);   /* 2 levels */
    a = load_arch(ARCHES "validation-16pe.json");       /* 3 levels */
    constraints_init(&c, a);
    ck_assert(!constraints_allow(&c, &m, &why));
    ck_assert_str_eq(why, "mapping and constraints differ in their number of levels");
    arch_free(a);
    arch_free(small);
}
END_TEST

Suite *constraints_suite(void)
{
    Suite *s = suite_create("constraints");
    TCase *tc = tcase_create("schema");
    tcase_add_loop_test(tc, constraints_load_should_accept_every_preset, 0, NPRESETS);
    tcase_add_test(tc, constraints_bind_should_place_every_key_of_the_format);
    tcase_add_loop_test(tc, constraints_load_should_reject_malformed_files_with_exact_messages,
                        0, NBAD);
    tcase_add_test(tc, constraints_load_should_call_a_factor_above_32_bits_too_large);
    tcase_add_test(tc, constraints_load_should_locate_syntax_errors);
    tcase_add_test(tc, constraints_load_should_report_a_missing_file);
    tcase_add_test(tc, constraints_parse_should_accept_an_empty_object_and_free_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("bind");
    tcase_add_test(tc, constraints_bind_of_null_should_equal_init);
    tcase_add_loop_test(tc, constraints_bind_should_reject_what_the_arch_cannot_hold_with_exact_messages,
                        0, NBADBIND);
    tcase_add_test(tc, constraints_bind_should_keep_the_end_of_a_long_file_name_in_source);
    tcase_add_loop_test(tc, every_preset_should_bind_to_every_shipped_arch_that_can_run_it, 0,
                        NPRESETS * NARCHES);
    tcase_add_test(tc, preset_table_should_name_every_shipped_arch);
    tcase_add_test(tc, weight_stationary_should_pin_k_by_c_and_one_weight_per_pe);
    suite_add_tcase(s, tc);

    tc = tcase_create("allow");
    tcase_add_loop_test(tc, constraints_allow_should_accept_every_validation_mapping_when_unconstrained,
                        0, NCASES);
    tcase_add_loop_test(tc, constraints_allow_should_name_the_first_rule_a_mapping_breaks, 0, NALLOW);
    tcase_add_test(tc, weight_stationary_preset_should_accept_a_weight_stationary_mapping);
    tcase_add_test(tc, constraints_allow_should_reject_a_mapping_of_another_level_count);
    suite_add_tcase(s, tc);
    return s;
}
