/*
 * Tests of reports/stats_json: the stats object's shape and key order
 * (DESIGN.md section 3, as in tests/validation/<case>/expected.json), exact
 * printing of every number, and totals that cannot overflow.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/json.h"
#include "../reports/stats_json.h"

struct fmt_case {
    double v;
    const char *text;
};

static const struct fmt_case fmt_cases[] = {
    { 0.1, "0.1" },
    { -0.5, "-0.5" },
    { 1.0, "1.0" },
    { 0.0, "0.0" },
    { 14450688.0, "14450688.0" },
    /* from tests/validation/conv3x3_fwd/expected.json and
     * tutorial_03_bypass/expected.json: 17 significant digits needed */
    { 33396531.200000003, "33396531.200000003" },
    { 17110.747116000002, "17110.747116000002" },
    { 92516587772313.61, "92516587772313.61" },
    { 1e16, "1e+16" },
    { 1e300, "1e+300" },
    { 5e-324, "5e-324" },
    { 0.44, "0.44" },
};

START_TEST(stats_json_format_double_should_print_the_shortest_exact_text)
{
    char out[32];
    ck_assert_str_eq(stats_json_format_double(fmt_cases[_i].v, out), fmt_cases[_i].text);
    ck_assert(strtod(out, NULL) == fmt_cases[_i].v);
}
END_TEST

START_TEST(stats_json_format_double_should_print_null_when_not_finite)
{
    char out[32];
    ck_assert_str_eq(stats_json_format_double(NAN, out), "null");
    ck_assert_str_eq(stats_json_format_double(INFINITY, out), "null");
    ck_assert_str_eq(stats_json_format_double(-INFINITY, out), "null");
}
END_TEST

/* ---- a stats struct read from an expected.json ----------------------- */

static uint64_t u64(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "%s", key);
    return (uint64_t)v->valuedouble;
}

static double dbl(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "%s", key);
    return v->valuedouble;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(cJSON_IsString(v), "%s", key);
    return v->valuestring;
}

/* Fills a, p and s with what expected (a stats object) says: the names,
 * counts and energies; the bounds are made up (not in the file). */
static void from_expected(const cJSON *x, struct arch *a, struct problem *p,
                          struct model_stats *s)
{
    memset(a, 0, sizeof *a);
    memset(p, 0, sizeof *p);
    memset(s, 0, sizeof *s);
    snprintf(p->layer, sizeof p->layer, "%s", str(x, "layer"));
    p->kernel = (enum kernel)kernel_from_name(str(x, "kernel"));
    s->macs = u64(x, "macs");
    s->cycles = u64(x, "cycles");
    s->compute_cycles = u64(x, "compute_cycles");
    s->utilization = dbl(x, "utilization");
    s->energy_pj = dbl(x, "energy_pj");
    s->edp = dbl(x, "edp");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(x, "compute");
    snprintf(a->compute.name, sizeof a->compute.name, "%s", str(c, "name"));
    s->mac_instances_used = u64(c, "instances_used");
    s->mac_energy_pj = dbl(c, "energy_pj");
    const cJSON *lv;
    cJSON_ArrayForEach(lv, cJSON_GetObjectItemCaseSensitive(x, "levels")) {
        int l = a->nlevels++;
        struct level_stats *ls = &s->level[l];
        snprintf(a->level[l].name, sizeof a->level[l].name, "%s", str(lv, "name"));
        ls->instances_used = u64(lv, "instances_used");
        ls->cycles = u64(lv, "cycles");
        ls->energy_pj = dbl(lv, "energy_pj");
        const cJSON *t;
        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(lv, "tensors")) {
            struct tensor_stats *ts = &ls->tensor[ls->ntensors++];
            snprintf(ts->name, sizeof ts->name, "%s", str(t, "name"));
            ts->slot = (enum slot)slot_from_name(str(t, "slot"));
            ts->kept = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "kept"));
            ts->tile_words = u64(t, "tile_words");
            ts->reads = u64(t, "reads_per_instance");
            ts->fills = u64(t, "fills_per_instance");
            ts->updates = u64(t, "updates_per_instance");
            ts->energy_pj = dbl(t, "energy_pj");
        }
    }
    s->nlevels = a->nlevels;
    s->bounds.energy_pj = s->energy_pj / 2;
    s->bounds.cycles = (double)s->cycles / 4;
}

/* Same keys in the same order with the same values, numbers bit for bit;
 * got may have the extra top-level "bounds", expected the extra "source". */
static void assert_same(const cJSON *want, const cJSON *got, const char *path)
{
    ck_assert_msg(want->type == got->type, "%s: type %d, expected %d", path, got->type,
                  want->type);
    if (cJSON_IsNumber(want))
        ck_assert_msg(want->valuedouble == got->valuedouble, "%s: %.17g, expected %.17g",
                      path, got->valuedouble, want->valuedouble);
    else if (cJSON_IsString(want))
        ck_assert_msg(strcmp(want->valuestring, got->valuestring) == 0, "%s", path);
    if (!cJSON_IsObject(want) && !cJSON_IsArray(want))
        return;
    const cJSON *w = want->child, *g = got->child;
    int i = 0;
    for (; w; w = w->next, i++) {
        char p[JSON_PATH_MAX];
        if (w->string && strcmp(w->string, "source") == 0)
            continue;
        ck_assert_msg(g != NULL, "%s: ends before %s", path, w->string ? w->string : "");
        if (cJSON_IsObject(want)) {
            ck_assert_msg(strcmp(w->string, g->string) == 0, "%s: key %s, expected %s",
                          path, g->string, w->string);
            json_path_key(p, path, w->string);
        } else {
            json_path_index(p, path, i);
        }
        assert_same(w, g, p);
        g = g->next;
    }
    if (g && path[0] == '\0' && strcmp(g->string, "bounds") == 0)
        g = g->next;
    ck_assert_msg(g == NULL, "%s: unexpected %s", path, g && g->string ? g->string : "item");
}

static const char *const cases[] = {
    "conv1x1s2_fwd", "conv3x3_bwd_data", "conv3x3_fwd", "conv3x3_fwd_dram_bw",
    "conv3x3_fwd_wbypass", "conv3x3_wgrad", "gemm_fwd", "tutorial_00_1level",
    "tutorial_01_os", "tutorial_01_ws", "tutorial_02_no_tiling", "tutorial_02_tiling",
    "tutorial_03_bypass", "tutorial_03_no_bypass", "tutorial_04_cp", "tutorial_04_kp",
};

START_TEST(stats_json_build_should_reproduce_each_expected_file_exactly)
{
    char path[256];
    struct err e;
    cJSON *want, *got;
    struct arch a;
    struct problem p;
    struct model_stats s;
    snprintf(path, sizeof path, "tests/validation/%s/expected.json", cases[_i]);
    ck_assert_int_eq(json_load(path, &want, &e), 0);
    from_expected(want, &a, &p, &s);
    char *text = stats_json_print(&a, &p, &s);
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(json_parse("stats", text, strlen(text), &got, &e), 0);
    assert_same(want, got, "");
    /* the totals are per-instance counts times instances_used */
    const cJSON *rf = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(got, "levels"),
                                        a.nlevels - 1);
    const cJSON *t0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rf, "tensors"), 0);
    ck_assert(dbl(t0, "reads") == dbl(t0, "reads_per_instance") * dbl(rf, "instances_used"));
    free(text);
    cJSON_Delete(want);
    cJSON_Delete(got);
}
END_TEST

START_TEST(stats_json_build_should_add_bounds_and_ratios)
{
    struct arch a;
    struct problem p;
    struct model_stats s;
    struct err e;
    cJSON *want, *got;
    ck_assert_int_eq(json_load("tests/validation/conv3x3_fwd/expected.json", &want, &e), 0);
    from_expected(want, &a, &p, &s);
    cJSON_Delete(want);
    s.energy_pj = 200.0;
    s.cycles = 1000;
    s.bounds.energy_pj = 50.0;
    s.bounds.cycles = 800.0;
    char *text = stats_json_print(&a, &p, &s);
    ck_assert_int_eq(json_parse("stats", text, strlen(text), &got, &e), 0);
    free(text);
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(got, "bounds");
    ck_assert_str_eq(b->prev->string, "levels");
    ck_assert(dbl(b, "energy_pj") == 50.0);
    ck_assert(dbl(b, "cycles") == 800.0);
    ck_assert(dbl(b, "energy_ratio") == 4.0);    /* 200 / 50 */
    ck_assert(dbl(b, "cycles_ratio") == 1.25);   /* 1000 / 800 */
    cJSON_Delete(got);

    s.bounds.energy_pj = 0;
    text = stats_json_print(&a, &p, &s);
    ck_assert_ptr_nonnull(strstr(text, "\"energy_ratio\":\tnull"));
    free(text);
}
END_TEST

START_TEST(stats_json_build_should_print_totals_beyond_64_bits_exactly)
{
    struct arch a;
    struct problem p;
    struct model_stats s;
    memset(&a, 0, sizeof a);
    memset(&p, 0, sizeof p);
    memset(&s, 0, sizeof s);
    a.nlevels = s.nlevels = 1;
    snprintf(a.level[0].name, sizeof a.level[0].name, "L");
    s.level[0].instances_used = 16;
    s.level[0].ntensors = 1;
    s.level[0].tensor[0].reads = UINT64_MAX;
    s.macs = UINT64_MAX;
    char *text = stats_json_print(&a, &p, &s);
    /* 18446744073709551615 * 16 = 295147905179352825856 - 16 */
    ck_assert_ptr_nonnull(strstr(text, "\"reads\":\t295147905179352825840,"));
    ck_assert_ptr_nonnull(strstr(text, "\"reads_per_instance\":\t18446744073709551615,"));
    ck_assert_ptr_nonnull(strstr(text, "\"macs\":\t18446744073709551615,"));
    ck_assert_int_eq(text[strlen(text) - 1], '\n');
    free(text);
}
END_TEST

Suite *stats_json_suite(void)
{
    Suite *s = suite_create("stats_json");
    TCase *tc = tcase_create("numbers");
    tcase_add_loop_test(tc, stats_json_format_double_should_print_the_shortest_exact_text, 0,
                        (int)(sizeof fmt_cases / sizeof fmt_cases[0]));
    tcase_add_test(tc, stats_json_format_double_should_print_null_when_not_finite);
    suite_add_tcase(s, tc);
    tc = tcase_create("build");
    tcase_add_loop_test(tc, stats_json_build_should_reproduce_each_expected_file_exactly, 0,
                        (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, stats_json_build_should_add_bounds_and_ratios);
    tcase_add_test(tc, stats_json_build_should_print_totals_beyond_64_bits_exactly);
    suite_add_tcase(s, tc);
    return s;
}
