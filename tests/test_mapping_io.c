/*
 * Tests of mapper/mapping_io: the mapping JSON schema (every error pinned
 * to its exact message), binding to an arch and a problem, and writing a
 * mapping back so that it reads and binds to the same struct.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../mapper/mapping_io.h"
#include "../workloads/workload.h"

#define DATA "tests/data/mapping/"

/* ---- fixtures ---------------------------------------------------------- */

#define CONV3X3 "tests/validation/conv3x3_fwd/"

/* The validation cases' 16-PE arch (DRAM, GlobalBuffer, RegisterFile), as
 * a value: the loaded arch without its comment. */
static void small_arch(struct arch *a)
{
    struct arch *loaded;
    struct err e;
    ck_assert_msg(arch_load(CONV3X3 "arch.json", &loaded, &e) == 0, "%s", e.msg);
    *a = *loaded;
    a->comment = NULL;
    arch_free(loaded);
}

/* Kernel k of layer conv3x3 of the validation cases: N2 K64 C64 P14 Q14
 * R3 S3, tensors W, I, O (fwd), W, dO, dI (bwd_data), dO, I, dW
 * (bwd_weight). */
static void conv3x3(struct problem *p, enum kernel k)
{
    struct workload *w;
    struct err e;
    ck_assert_msg(workload_load(CONV3X3 "workload.json", &w, &e) == 0, "%s", e.msg);
    ck_assert_msg(workload_derive(w, 0, k, LOWER_NONE, p, &e) == 0, "%s", e.msg);
    workload_free(w);
}

static int parse(const char *text, struct mapping_file **mf, struct err *e)
{
    return mapping_parse("m.json", text, strlen(text), mf, e);
}

/* Parses text and binds it to the 16-PE arch and conv3x3 kernel k. */
static int bind_text(const char *text, enum kernel k, struct mapping *m, struct err *e)
{
    struct mapping_file *mf;
    struct arch a;
    struct problem p;
    small_arch(&a);
    conv3x3(&p, k);
    int rc = parse(text, &mf, e);
    if (rc == 0)
        rc = mapping_bind(mf, "m.json", &a, &p, m, e);
    mapping_file_free(mf);
    return rc;
}

/* The mapping of tests/validation/conv3x3_fwd, with a bypass slot to fill
 * in and a level list to replace. */
#define LEVEL_DRAM "{ \"level\": \"DRAM\", \"temporal\": { \"N\": 2, \"K\": 4, \"C\": 4 }, \"order\": \"NKC\" }"
#define LEVEL_GB(bypass) "{ \"level\": \"GlobalBuffer\", \"temporal\": { \"K\": 2, \"C\": 4, \"P\": 2, \"Q\": 14 }, " \
    "\"order\": \"KCPQ\", \"spatial\": { \"x\": { \"K\": 4 }, \"y\": { \"C\": 4 } }, \"bypass\": [" bypass "] }"
#define LEVEL_RF "{ \"level\": \"RegisterFile\", \"temporal\": { \"K\": 2, \"P\": 7, \"S\": 3, \"R\": 3 }, \"order\": \"KPSR\" }"
#define MAPPING(head, levels) "{ " head " \"levels\": [" levels "] }"
#define CONV3X3_FWD MAPPING("\"layer\": \"conv3x3\", \"kernel\": \"fwd\",", \
                            LEVEL_DRAM ", " LEVEL_GB("") ", " LEVEL_RF)

/* ---- schema ---------------------------------------------------------- */

static const char *const validation_cases[] = {
    "conv1x1s2_fwd", "conv3x3_bwd_data", "conv3x3_fwd", "conv3x3_fwd_dram_bw",
    "conv3x3_fwd_wbypass", "conv3x3_wgrad", "gemm_fwd", "tutorial_00_1level",
    "tutorial_01_os", "tutorial_01_ws", "tutorial_02_no_tiling", "tutorial_02_tiling",
    "tutorial_03_bypass", "tutorial_03_no_bypass", "tutorial_04_cp", "tutorial_04_kp",
};
#define NCASES ((int)(sizeof validation_cases / sizeof validation_cases[0]))

START_TEST(mapping_load_should_accept_every_validation_mapping)
{
    char path[256];
    struct mapping_file *mf;
    struct err e;
    snprintf(path, sizeof path, "tests/validation/%s/mapping.json", validation_cases[_i]);
    int rc = mapping_load(path, &mf, &e);
    ck_assert_msg(rc == 0, "%s", e.msg);
    ck_assert_int_ge(mf->nlevels, 1);
    ck_assert_int_eq(mf->kernel >= 0, 1);
    ck_assert(mf->layer[0] != '\0');
    mapping_file_free(mf);
}
END_TEST

START_TEST(mapping_load_should_keep_names_factors_and_comment)
{
    struct mapping_file *mf;
    struct err e;
    ck_assert_int_eq(mapping_load(DATA "good_full.json", &mf, &e), 0);
    ck_assert_str_eq(mf->layer, "conv3x3");
    ck_assert_int_eq(mf->kernel, KERNEL_FWD);
    ck_assert_str_eq(mf->comment, "every key of the format once");
    ck_assert_int_eq(mf->nlevels, 3);
    ck_assert_str_eq(mf->level[1].level, "GlobalBuffer");
    ck_assert_uint_eq(mf->level[1].temporal[DIM_Q], 14);
    ck_assert_uint_eq(mf->level[1].temporal[DIM_N], 1);
    ck_assert_uint_eq(mf->level[1].spatial_x[DIM_K], 4);
    ck_assert_uint_eq(mf->level[1].spatial_y[DIM_C], 4);
    ck_assert_uint_eq(mf->level[1].spatial_y[DIM_K], 1);
    ck_assert_str_eq(mf->level[1].order, "KCPQ");
    ck_assert_int_eq(mf->level[1].nbypass, 1);
    ck_assert_str_eq(mf->level[1].bypass[0], "W");
    ck_assert_int_eq(mf->level[2].nbypass, 0);
    ck_assert_str_eq(mf->level[2].order, "KPSR");
    mapping_file_free(mf);
}
END_TEST

START_TEST(mapping_parse_should_allow_no_order_when_every_factor_is_one)
{
    struct mapping_file *mf;
    struct err e;
    ck_assert_int_eq(parse("{\"levels\": [{\"level\": \"A\", \"temporal\": {\"K\": 1}},"
                           " {\"level\": \"B\", \"temporal\": {}, \"order\": \"\"},"
                           " {\"level\": \"C\", \"temporal\": {\"P\": 3}, \"order\": \"KP\"}]}",
                           &mf, &e), 0);
    ck_assert_int_eq(mf->kernel, -1);
    ck_assert_str_eq(mf->layer, "");
    ck_assert_ptr_null(mf->comment);
    ck_assert_str_eq(mf->level[0].order, "");
    ck_assert_str_eq(mf->level[2].order, "KP");
    mapping_file_free(mf);
}
END_TEST

struct bad_file {
    const char *file;
    const char *msg;
};

#define F(name) DATA name ".json", DATA name ".json: "
static const struct bad_file bad_files[] = {
    { F("unknown_key") "layers: unknown key, expected one of: layer, kernel, levels, comment" },
    { F("unknown_dim") "levels[1].temporal.Z: unknown dim, expected one of N, K, C, P, Q, R, S, G" },
    { F("zero_factor") "levels[0].temporal.K: expected a positive integer, got 0" },
    { F("negative_spatial") "levels[1].spatial.x.K: expected a positive integer, got -4" },
    { F("fractional_factor") "levels[0].temporal.C: expected a positive integer, got 2.5" },
    { F("order_twice") "levels[0].order: N appears twice in \"NKN\"" },
    { F("order_unknown_letter") "levels[0].order: unknown dim 'k', expected letters from N, K, C, P, Q, R, S, G" },
    { F("order_leaves_out") "levels[0].order: \"NK\" leaves out C, expected every dim with a temporal factor > 1" },
    { F("order_missing") "levels[0].order: missing, expected the dims with a temporal factor > 1 outermost first (N, K, C)" },
    { F("order_not_string") "levels[0].order: expected a string of dim letters such as \"NKC\", got an array" },
    { F("unknown_kernel") "kernel: expected one of fwd, bwd_data, bwd_weight, update, im2col, col2im, got \"forward\"" },
    { F("levels_missing") "levels: missing, expected an array with one entry per arch level, outermost first" },
    { F("levels_empty") "levels: empty, expected an array with one entry per arch level, outermost first" },
    { F("too_many_levels") "levels: 9 entries, expected at most 8 (one per arch level)" },
    { F("level_unknown_key") "levels[2].bypas: unknown key, expected one of: level, temporal, order, spatial, bypass, comment" },
    { F("level_name_missing") "levels[0].level: missing, expected a non-empty string of at most 63 bytes" },
    { F("spatial_z") "levels[0].spatial.z: unknown key, expected one of: x, y, comment" },
    { F("temporal_not_object") "levels[0].temporal: expected an object of dim factors such as {\"K\": 4}, got an array" },
    { F("duplicate_dim") "levels[0].temporal.K: duplicate key" },
    { F("bypass_not_array") "levels[1].bypass: expected an array of slot or tensor names, got \"W\"" },
    { F("bypass_twice") "levels[1].bypass[1]: \"W\" is listed twice" },
    { F("bypass_empty_name") "levels[1].bypass[1]: expected a slot or tensor name, got \"\"" },
    { F("not_object") "(top level): expected a mapping object, got an array" },
};
#undef F

START_TEST(mapping_load_should_reject_malformed_files_with_exact_messages)
{
    const struct bad_file *b = &bad_files[_i];
    struct mapping_file *mf = (struct mapping_file *)1;
    struct err e;
    err_clear(&e);
    ck_assert_int_eq(mapping_load(b->file, &mf, &e), ERR_SCHEMA);
    ck_assert_ptr_null(mf);
    ck_assert_str_eq(e.msg, b->msg);
}
END_TEST

START_TEST(mapping_load_should_call_a_factor_above_32_bits_too_large)
{
    struct mapping_file *mf;
    struct err e;
    /* 2^32 = 4294967296, one more than the largest uint32 factor */
    ck_assert_int_eq(mapping_load(DATA "huge_factor.json", &mf, &e), ERR_TOO_LARGE);
    ck_assert_str_eq(e.msg, DATA "huge_factor.json: levels[0].temporal.K: 4294967296 is too large (at most 4294967295)");
}
END_TEST

START_TEST(mapping_load_should_locate_syntax_errors)
{
    struct mapping_file *mf;
    struct err e;
    /* line 2: `  "levels": [ { "level": "DRAM", "temporal": { "N": 2, } } ] }`,
     * the '}' after "2, " is column 56 */
    ck_assert_int_eq(mapping_load(DATA "trailing_comma.json", &mf, &e), ERR_SYNTAX);
    ck_assert_str_eq(e.msg, DATA "trailing_comma.json:2:56: expected a string key, got '}'");
}
END_TEST

START_TEST(mapping_load_should_report_a_missing_file)
{
    struct mapping_file *mf;
    struct err e;
    ck_assert_int_eq(mapping_load(DATA "no_such_file.json", &mf, &e), ERR_IO);
    ck_assert_str_eq(e.msg, DATA "no_such_file.json: cannot open: No such file or directory");
}
END_TEST

START_TEST(mapping_file_free_should_accept_null)
{
    mapping_file_free(NULL);
}
END_TEST

/* ---- binding --------------------------------------------------------- */

START_TEST(mapping_bind_should_fill_factors_canonical_orders_and_bypass)
{
    struct mapping m;
    struct err e;
    int rc = bind_text(MAPPING("", LEVEL_DRAM ", " LEVEL_GB("\"W\", \"outputs\"") ", " LEVEL_RF),
                       KERNEL_FWD, &m, &e);
    ck_assert_msg(rc == 0, "%s", e.msg);
    ck_assert_str_eq(m.layer, "conv3x3");
    ck_assert_int_eq(m.kernel, KERNEL_FWD);
    ck_assert_int_eq(m.nlevels, 3);
    ck_assert_uint_eq(m.level[0].temporal[DIM_N], 2);
    ck_assert_uint_eq(m.level[1].temporal[DIM_Q], 14);
    ck_assert_uint_eq(m.level[1].spatial_x[DIM_K], 4);
    ck_assert_uint_eq(m.level[1].spatial_y[DIM_C], 4);
    ck_assert_uint_eq(m.level[2].temporal[DIM_S], 3);
    /* RegisterFile "KPSR", then the rest in NKCPQRSG order: N C Q G */
    static const uint8_t rf[DIM_COUNT] = { DIM_K, DIM_P, DIM_S, DIM_R,
                                           DIM_N, DIM_C, DIM_Q, DIM_G };
    ck_assert_mem_eq(m.level[2].order, rf, sizeof rf);
    ck_assert(m.level[1].bypass[SLOT_WEIGHTS]);
    ck_assert(!m.level[1].bypass[SLOT_INPUTS]);
    ck_assert(m.level[1].bypass[SLOT_OUTPUTS]);
    ck_assert(!m.level[2].bypass[SLOT_WEIGHTS]);
}
END_TEST

START_TEST(mapping_bind_should_drop_factor_one_dims_from_the_order)
{
    struct mapping m;
    struct err e;
    /* DRAM order "QNKC": Q has factor 1 there, so the order is N K C, then
     * P Q R S G */
    int rc = bind_text(MAPPING("", "{ \"level\": \"DRAM\", \"temporal\": { \"N\": 2, \"K\": 4, "
                                   "\"C\": 4 }, \"order\": \"QNKC\" }, "
                                   LEVEL_GB("") ", " LEVEL_RF),
                       KERNEL_FWD, &m, &e);
    ck_assert_msg(rc == 0, "%s", e.msg);
    static const uint8_t dram[DIM_COUNT] = { DIM_N, DIM_K, DIM_C, DIM_P,
                                             DIM_Q, DIM_R, DIM_S, DIM_G };
    ck_assert_mem_eq(m.level[0].order, dram, sizeof dram);
}
END_TEST

START_TEST(mapping_bind_should_resolve_kernel_tensor_names)
{
    struct mapping m;
    struct err e;
    /* bwd_weight: weights slot holds dO, outputs slot dW */
    int rc = bind_text(MAPPING("\"kernel\": \"bwd_weight\",",
                               LEVEL_DRAM ", " LEVEL_GB("\"dW\", \"dO\"") ", " LEVEL_RF),
                       KERNEL_BWD_WEIGHT, &m, &e);
    ck_assert_msg(rc == 0, "%s", e.msg);
    ck_assert(m.level[1].bypass[SLOT_WEIGHTS]);
    ck_assert(!m.level[1].bypass[SLOT_INPUTS]);
    ck_assert(m.level[1].bypass[SLOT_OUTPUTS]);
}
END_TEST

struct bad_bind {
    const char *text;
    enum kernel kernel;
    const char *msg;
};

#define LIST "DRAM, GlobalBuffer, RegisterFile"
static const struct bad_bind bad_binds[] = {
    { MAPPING("\"layer\": \"conv1\",", LEVEL_DRAM ", " LEVEL_GB("") ", " LEVEL_RF), KERNEL_FWD,
      "m.json: layer: expected \"conv3x3\" (the layer evaluated), got \"conv1\"" },
    { CONV3X3_FWD, KERNEL_BWD_DATA,
      "m.json: kernel: expected \"bwd_data\" (the kernel evaluated), got \"fwd\"" },
    { MAPPING("", LEVEL_DRAM ", { \"level\": \"GB\" }, " LEVEL_RF), KERNEL_FWD,
      "m.json: levels[1].level: expected a level of arch 'validation-16pe' (" LIST "), got \"GB\"" },
    { MAPPING("", LEVEL_DRAM ", " LEVEL_RF ", " LEVEL_GB("")), KERNEL_FWD,
      "m.json: levels[1].level: expected \"GlobalBuffer\", got \"RegisterFile\" (one entry per "
      "arch level, outermost first: " LIST ")" },
    { MAPPING("", LEVEL_DRAM ", " LEVEL_RF), KERNEL_FWD,
      "m.json: levels[1].level: expected \"GlobalBuffer\", got \"RegisterFile\" (one entry per "
      "arch level, outermost first: " LIST ")" },
    { MAPPING("", LEVEL_DRAM ", " LEVEL_GB("")), KERNEL_FWD,
      "m.json: levels: no entry for arch level \"RegisterFile\" (one entry per arch level, "
      "outermost first: " LIST ")" },
    { MAPPING("", LEVEL_DRAM ", " LEVEL_GB("") ", " LEVEL_RF ", " LEVEL_DRAM), KERNEL_FWD,
      "m.json: levels[3].level: \"DRAM\" is listed twice (one entry per arch level, "
      "outermost first: " LIST ")" },
    { MAPPING("", LEVEL_DRAM ", " LEVEL_GB("\"X\"") ", " LEVEL_RF), KERNEL_FWD,
      "m.json: levels[1].bypass[0]: expected a slot or a tensor of fwd (weights, inputs, "
      "outputs, W, I, O), got \"X\"" },
    { MAPPING("", LEVEL_DRAM ", " LEVEL_GB("\"I\", \"O\"") ", " LEVEL_RF), KERNEL_BWD_WEIGHT,
      "m.json: levels[1].bypass[1]: expected a slot or a tensor of bwd_weight (weights, inputs, "
      "outputs, dO, I, dW), got \"O\"" },
    /* C: DRAM 4 x GlobalBuffer 4 x spatial y 4 = 64 without the RF's; with
     * the GlobalBuffer's 4 dropped, 4 x 4 = 16 */
    { MAPPING("", LEVEL_DRAM ", { \"level\": \"GlobalBuffer\", \"temporal\": { \"K\": 2, "
              "\"P\": 2, \"Q\": 14 }, \"order\": \"KPQ\", \"spatial\": { \"x\": { \"K\": 4 }, "
              "\"y\": { \"C\": 4 } } }, " LEVEL_RF), KERNEL_FWD,
      "m.json: dim C: factors multiply to 16, expected the bound 64" },
    /* N: 2 at DRAM x 2 more at the RF = 4 */
    { MAPPING("", LEVEL_DRAM ", " LEVEL_GB("") ", { \"level\": \"RegisterFile\", \"temporal\": "
              "{ \"N\": 2, \"K\": 2, \"P\": 7, \"S\": 3, \"R\": 3 }, \"order\": \"NKPSR\" }"),
      KERNEL_FWD, "m.json: dim N: factors multiply to 4, expected the bound 2" },
    /* G has bound 1: any factor above it is wrong */
    { MAPPING("", LEVEL_DRAM ", " LEVEL_GB("") ", { \"level\": \"RegisterFile\", \"temporal\": "
              "{ \"K\": 2, \"P\": 7, \"S\": 3, \"R\": 3 }, \"order\": \"KPSR\", "
              "\"spatial\": { \"x\": { \"G\": 3 } } }"),
      KERNEL_FWD, "m.json: dim G: factors multiply to 3, expected the bound 1" },
};
#undef LIST

START_TEST(mapping_bind_should_reject_mismatches_with_exact_messages)
{
    struct mapping m;
    struct err e;
    err_clear(&e);
    ck_assert_int_eq(bind_text(bad_binds[_i].text, bad_binds[_i].kernel, &m, &e), ERR_SCHEMA);
    ck_assert_str_eq(e.msg, bad_binds[_i].msg);
}
END_TEST

START_TEST(mapping_bind_should_reject_factor_products_that_overflow)
{
    struct mapping m;
    struct err e;
    /* 4294967295^3 > 2^64 (2^96 roughly) */
    const char *text = MAPPING("", "{ \"level\": \"DRAM\", \"temporal\": { \"N\": 2, \"C\": 4, "
                               "\"K\": 4294967295 }, \"order\": \"NCK\", \"spatial\": { \"x\": { \"K\": 4294967295 }, "
                               "\"y\": { \"K\": 4294967295 } } }, "
                               LEVEL_GB("") ", " LEVEL_RF);
    ck_assert_int_eq(bind_text(text, KERNEL_FWD, &m, &e), ERR_SCHEMA);
    ck_assert_str_eq(e.msg, "m.json: dim K: factors multiply to more than "
                            "18446744073709551615, expected the bound 64");
}
END_TEST

START_TEST(mapping_bind_should_refuse_a_streaming_kernel)
{
    struct mapping_file *mf;
    struct arch a;
    struct problem p;
    struct mapping m;
    struct err e;
    small_arch(&a);
    conv3x3(&p, KERNEL_UPDATE);
    ck_assert_int_eq(parse(MAPPING("", LEVEL_DRAM), &mf, &e), 0);
    ck_assert_int_eq(mapping_bind(mf, "m.json", &a, &p, &m, &e), ERR_SCHEMA);
    ck_assert_str_eq(e.msg, "m.json: kernel update of layer \"conv3x3\" streams its tensors "
                            "and takes no mapping");
    mapping_file_free(mf);
}
END_TEST

/* ---- writing --------------------------------------------------------- */

/* to_json, print, parse, bind: must give m back. */
static void assert_round_trip(const struct mapping *m, const struct arch *a,
                              const struct problem *p)
{
    struct mapping back;
    struct mapping_file *mf;
    struct err e;
    cJSON *j = mapping_to_json(m, a, p);
    ck_assert_ptr_nonnull(j);
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    ck_assert_int_eq(mapping_parse("out.json", text, strlen(text), &mf, &e), 0);
    free(text);
    ck_assert_msg(mapping_bind(mf, "out.json", a, p, &back, &e) == 0, "%s", e.msg);
    mapping_file_free(mf);
    ck_assert_mem_eq(&back, m, sizeof *m);
}

START_TEST(mapping_to_json_should_write_the_file_format)
{
    struct mapping m;
    struct arch a;
    struct problem p;
    struct err e;
    small_arch(&a);
    conv3x3(&p, KERNEL_FWD);
    ck_assert_int_eq(bind_text(MAPPING("\"comment\": \"dropped\",", LEVEL_DRAM ", "
                                       LEVEL_GB("\"inputs\"") ", " LEVEL_RF),
                               KERNEL_FWD, &m, &e), 0);
    cJSON *j = mapping_to_json(&m, &a, &p);
    char *text = cJSON_PrintUnformatted(j);
    ck_assert_str_eq(text,
        "{\"layer\":\"conv3x3\",\"kernel\":\"fwd\",\"levels\":["
        "{\"level\":\"DRAM\",\"temporal\":{\"N\":2,\"K\":4,\"C\":4},\"order\":\"NKC\"},"
        "{\"level\":\"GlobalBuffer\",\"temporal\":{\"K\":2,\"C\":4,\"P\":2,\"Q\":14},"
        "\"order\":\"KCPQ\",\"spatial\":{\"x\":{\"K\":4},\"y\":{\"C\":4}},\"bypass\":[\"I\"]},"
        "{\"level\":\"RegisterFile\",\"temporal\":{\"K\":2,\"P\":7,\"S\":3,\"R\":3},"
        "\"order\":\"KPSR\"}]}");
    free(text);
    cJSON_Delete(j);
    assert_round_trip(&m, &a, &p);
}
END_TEST

START_TEST(mapping_to_json_should_round_trip_the_identity_mapping)
{
    struct mapping m;
    struct arch a;
    struct problem p;
    small_arch(&a);
    conv3x3(&p, KERNEL_FWD);
    for (int d = 0; d < DIM_COUNT; d++)
        p.bound[d] = 1;
    mapping_init(&m, a.nlevels);
    snprintf(m.layer, sizeof m.layer, "conv3x3");
    assert_round_trip(&m, &a, &p);
    m.level[0].bypass[SLOT_OUTPUTS] = true;
    m.level[2].spatial_y[DIM_P] = 1;
    assert_round_trip(&m, &a, &p);
}
END_TEST

START_TEST(mapping_to_json_should_round_trip_every_conv3x3_validation_mapping)
{
    static const char *const cases[] = { "conv3x3_fwd", "conv3x3_wgrad", "conv3x3_bwd_data",
                                         "conv3x3_fwd_wbypass", "conv3x3_fwd_dram_bw" };
    static const enum kernel kernels[] = { KERNEL_FWD, KERNEL_BWD_WEIGHT, KERNEL_BWD_DATA,
                                           KERNEL_FWD, KERNEL_FWD };
    for (int i = 0; i < 5; i++) {
        char path[256];
        struct mapping_file *mf;
        struct mapping m;
        struct arch a;
        struct problem p;
        struct err e;
        small_arch(&a);
        conv3x3(&p, kernels[i]);
        snprintf(path, sizeof path, "tests/validation/%s/mapping.json", cases[i]);
        ck_assert_int_eq(mapping_load(path, &mf, &e), 0);
        ck_assert_msg(mapping_bind(mf, path, &a, &p, &m, &e) == 0, "%s", e.msg);
        mapping_file_free(mf);
        assert_round_trip(&m, &a, &p);
    }
}
END_TEST

/* Loads tests/validation/<name>: its arch, the problem its mapping names
 * (derived from its workload) and its mapping bound to both. */
static void load_case(const char *name, struct arch **a, struct problem *p, struct mapping *m)
{
    char path[256];
    struct mapping_file *mf;
    struct workload *w;
    struct err e;
    snprintf(path, sizeof path, "tests/validation/%s/arch.json", name);
    ck_assert_msg(arch_load(path, a, &e) == 0, "%s", e.msg);
    snprintf(path, sizeof path, "tests/validation/%s/workload.json", name);
    ck_assert_msg(workload_load(path, &w, &e) == 0, "%s", e.msg);
    snprintf(path, sizeof path, "tests/validation/%s/mapping.json", name);
    ck_assert_msg(mapping_load(path, &mf, &e) == 0, "%s", e.msg);
    int layer = workload_find_layer(w, mf->layer);
    ck_assert_int_ge(layer, 0);
    ck_assert_msg(workload_derive(w, layer, (enum kernel)mf->kernel, LOWER_NONE, p, &e) == 0,
                  "%s", e.msg);
    ck_assert_msg(mapping_bind(mf, path, *a, p, m, &e) == 0, "%s", e.msg);
    mapping_file_free(mf);
    workload_free(w);
}

START_TEST(mapping_to_json_should_round_trip_every_validation_mapping)
{
    struct arch *a;
    struct problem p;
    struct mapping m;
    load_case(validation_cases[_i], &a, &p, &m);
    assert_round_trip(&m, a, &p);
    arch_free(a);
}
END_TEST

START_TEST(mapping_bind_should_name_the_arch_levels_a_mapping_lacks)
{
    struct arch *a;
    struct problem p;
    struct mapping m;
    struct mapping_file *mf;
    struct err e;
    /* tutorial_03 has MainMemory, GlobalBuffer, RegisterFile; the
     * conv3x3_fwd mapping starts with DRAM */
    load_case("tutorial_03_bypass", &a, &p, &m);
    ck_assert_int_eq(mapping_load("tests/validation/conv3x3_fwd/mapping.json", &mf, &e), 0);
    snprintf(mf->layer, sizeof mf->layer, "%s", p.layer);
    ck_assert_int_eq(mapping_bind(mf, "m.json", a, &p, &m, &e), ERR_SCHEMA);
    ck_assert_str_eq(e.msg, "m.json: levels[0].level: expected a level of arch "
                            "'tutorial_03_bypass' (MainMemory, GlobalBuffer, RegisterFile), "
                            "got \"DRAM\"");
    mapping_file_free(mf);
    arch_free(a);
}
END_TEST

Suite *mapping_io_suite(void)
{
    Suite *s = suite_create("mapping_io");
    TCase *tc = tcase_create("schema");
    tcase_add_loop_test(tc, mapping_load_should_accept_every_validation_mapping, 0, NCASES);
    tcase_add_test(tc, mapping_load_should_keep_names_factors_and_comment);
    tcase_add_test(tc, mapping_parse_should_allow_no_order_when_every_factor_is_one);
    tcase_add_loop_test(tc, mapping_load_should_reject_malformed_files_with_exact_messages, 0,
                        (int)(sizeof bad_files / sizeof bad_files[0]));
    tcase_add_test(tc, mapping_load_should_call_a_factor_above_32_bits_too_large);
    tcase_add_test(tc, mapping_load_should_locate_syntax_errors);
    tcase_add_test(tc, mapping_load_should_report_a_missing_file);
    tcase_add_test(tc, mapping_file_free_should_accept_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("bind");
    tcase_add_test(tc, mapping_bind_should_fill_factors_canonical_orders_and_bypass);
    tcase_add_test(tc, mapping_bind_should_drop_factor_one_dims_from_the_order);
    tcase_add_test(tc, mapping_bind_should_resolve_kernel_tensor_names);
    tcase_add_loop_test(tc, mapping_bind_should_reject_mismatches_with_exact_messages, 0,
                        (int)(sizeof bad_binds / sizeof bad_binds[0]));
    tcase_add_test(tc, mapping_bind_should_reject_factor_products_that_overflow);
    tcase_add_test(tc, mapping_bind_should_refuse_a_streaming_kernel);
    suite_add_tcase(s, tc);

    tc = tcase_create("write");
    tcase_add_test(tc, mapping_to_json_should_write_the_file_format);
    tcase_add_test(tc, mapping_to_json_should_round_trip_the_identity_mapping);
    tcase_add_test(tc, mapping_to_json_should_round_trip_every_conv3x3_validation_mapping);
    tcase_add_loop_test(tc, mapping_to_json_should_round_trip_every_validation_mapping, 0, NCASES);
    tcase_add_test(tc, mapping_bind_should_name_the_arch_levels_a_mapping_lacks);
    suite_add_tcase(s, tc);
    return s;
}
