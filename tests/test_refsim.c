/*
 * Tests of the reference simulator (tests/refsim.c): it must reproduce every
 * validation case (Timeloop's own numbers, loaded through the real loaders),
 * agree with hand arithmetic rule by rule (refsim_rules.c), and its random
 * cases must be valid, replayable and varied enough to be worth holding the
 * model to.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../arch/arch.h"
#include "../common/json.h"
#include "../mapper/mapping_io.h"
#include "../workloads/workload.h"
#include "refsim.h"

void refsim_add_rule_tests(TCase *tc);

/* ---- the validation cases ------------------------------------------------ */

#define VALIDATION_DIR "tests/validation"

/* Every folder of the validation README's table. */
static const char *const validation_cases[] = {
    "conv3x3_fwd",          "conv3x3_wgrad",         "conv3x3_bwd_data",
    "conv1x1s2_fwd",        "gemm_fwd",              "conv3x3_fwd_wbypass",
    "conv3x3_fwd_dram_bw",  "tutorial_00_1level",    "tutorial_01_os",
    "tutorial_01_ws",       "tutorial_02_no_tiling", "tutorial_02_tiling",
    "tutorial_03_bypass",   "tutorial_03_no_bypass", "tutorial_04_cp",
    "tutorial_04_kp",
};
#define NCASES ((int)(sizeof validation_cases / sizeof *validation_cases))

/* Loads a case's arch (caller frees), problem and mapping. */
static struct arch *load_case(const char *name, struct problem *p, struct mapping *m)
{
    char path[256];
    struct err err;
    struct arch *a = NULL;
    struct workload *w = NULL;
    struct mapping_file *mf = NULL;

    snprintf(path, sizeof path, VALIDATION_DIR "/%s/arch.json", name);
    ck_assert_msg(arch_load(path, &a, &err) == 0, "%s", err.msg);
    snprintf(path, sizeof path, VALIDATION_DIR "/%s/workload.json", name);
    ck_assert_msg(workload_load(path, &w, &err) == 0, "%s", err.msg);
    snprintf(path, sizeof path, VALIDATION_DIR "/%s/mapping.json", name);
    ck_assert_msg(mapping_load(path, &mf, &err) == 0, "%s", err.msg);
    int layer = workload_find_layer(w, mf->layer);
    ck_assert_int_ge(layer, 0);
    ck_assert_msg(workload_derive(w, layer, (enum kernel)mf->kernel, LOWER_NONE, p, &err) == 0,
                  "%s", err.msg);
    ck_assert_msg(mapping_bind(mf, path, a, p, m, &err) == 0, "%s", err.msg);
    mapping_file_free(mf);
    workload_free(w);
    return a;
}

static const cJSON *get(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    ck_assert_msg(v != NULL, "expected.json lacks \"%s\"", key);
    return v;
}

static void expect_exact(const char *cs, const char *what, uint64_t got,
                         const cJSON *obj, const char *key)
{
    double want = get(obj, key)->valuedouble;
    ck_assert_msg((double)got == want, "%s: %s %s: got %llu, expected %.17g",
                  cs, what, key, (unsigned long long)got, want);
}

static void expect_close(const char *cs, const char *what, double got,
                         const cJSON *obj, const char *key)
{
    double want = get(obj, key)->valuedouble;
    ck_assert_msg(fabs(got - want) <= 1e-9 * fabs(want), "%s: %s %s: got %.17g, expected %.17g",
                  cs, what, key, got, want);
}

/* Exact: counts, tiles, instances, cycles; within 1e-9: energies, EDP,
 * utilization (the validation README's comparison rules). */
START_TEST(refsim_should_reproduce_every_validation_case)
{
    const char *cs = validation_cases[_i];
    char path[256];
    struct err err;
    struct problem p;
    struct mapping m;
    struct model_stats s;
    cJSON *e = NULL;

    struct arch *a = load_case(cs, &p, &m);
    ck_assert_int_eq(refsim_eval(a, &p, &m, &s), 0);
    snprintf(path, sizeof path, VALIDATION_DIR "/%s/expected.json", cs);
    ck_assert_msg(json_load(path, &e, &err) == 0, "%s", err.msg);

    expect_exact(cs, "", s.macs, e, "macs");
    expect_exact(cs, "", s.cycles, e, "cycles");
    expect_exact(cs, "", s.compute_cycles, e, "compute_cycles");
    expect_close(cs, "", s.utilization, e, "utilization");
    expect_close(cs, "", s.energy_pj, e, "energy_pj");
    expect_close(cs, "", s.edp, e, "edp");
    expect_exact(cs, "compute", s.mac_instances_used, get(e, "compute"), "instances_used");
    expect_close(cs, "compute", s.mac_energy_pj, get(e, "compute"), "energy_pj");

    const cJSON *levels = get(e, "levels");
    ck_assert_int_eq(cJSON_GetArraySize(levels), a->nlevels);
    ck_assert_int_eq(s.nlevels, a->nlevels);
    for (int l = 0; l < a->nlevels; l++) {
        const cJSON *el = cJSON_GetArrayItem(levels, l);
        const struct level_stats *ls = &s.level[l];
        const char *ln = a->level[l].name;
        ck_assert_str_eq(get(el, "name")->valuestring, ln);
        expect_exact(cs, ln, ls->instances_used, el, "instances_used");
        expect_exact(cs, ln, ls->cycles, el, "cycles");
        expect_close(cs, ln, ls->energy_pj, el, "energy_pj");
        const cJSON *ts = get(el, "tensors");
        ck_assert_int_eq(cJSON_GetArraySize(ts), SLOT_COUNT);
        ck_assert_int_eq(ls->ntensors, SLOT_COUNT);
        for (int t = 0; t < SLOT_COUNT; t++) {
            const cJSON *et = cJSON_GetArrayItem(ts, t);
            const struct tensor_stats *st = &ls->tensor[t];
            char what[128];
            snprintf(what, sizeof what, "%s %s", ln, st->name);
            ck_assert_str_eq(get(et, "name")->valuestring, st->name);
            ck_assert_int_eq((int)st->slot, t);
            ck_assert_msg(cJSON_IsTrue(get(et, "kept")) == st->kept, "%s: %s kept", cs, what);
            expect_exact(cs, what, st->tile_words, et, "tile_words");
            expect_exact(cs, what, st->reads, et, "reads_per_instance");
            expect_exact(cs, what, st->fills, et, "fills_per_instance");
            expect_exact(cs, what, st->updates, et, "updates_per_instance");
            expect_exact(cs, what, st->reads * ls->instances_used, et, "reads");
            expect_exact(cs, what, st->fills * ls->instances_used, et, "fills");
            expect_exact(cs, what, st->updates * ls->instances_used, et, "updates");
            expect_close(cs, what, st->energy_pj, et, "energy_pj");
        }
    }
    cJSON_Delete(e);
    arch_free(a);
}
END_TEST

/* ---- the random cases ---------------------------------------------------- */

#define NRANDOM 2000

START_TEST(refsim_random_case_should_depend_on_the_seed_alone)
{
    struct arch a1, a2;
    struct problem p1, p2;
    struct mapping m1, m2;
    for (uint64_t seed = 0; seed < 50; seed++) {
        ck_assert_int_eq(refsim_random_case(seed, &a1, &p1, &m1), 0);
        ck_assert_int_eq(refsim_random_case(seed, &a2, &p2, &m2), 0);
        ck_assert(memcmp(&a1, &a2, sizeof a1) == 0);
        ck_assert(memcmp(&m1, &m2, sizeof m1) == 0);
        ck_assert(memcmp(p1.bound, p2.bound, sizeof p1.bound) == 0);
        ck_assert(memcmp(p1.tensor, p2.tensor, sizeof p1.tensor) == 0);
        ck_assert_int_eq(p1.kernel, p2.kernel);
    }
}
END_TEST

/* What a random case exercises; each must turn up among NRANDOM seeds. */
enum feature {
    F_FWD, F_BWD_DATA, F_BWD_WEIGHT, F_STRIDE2, F_DILATION2, F_FOUR_LEVELS,
    F_MACS_FANOUT,      /* the innermost level spreads work over several MACs */
    F_FANOUT_CHAIN,     /* two adjacent levels both with spatial factors */
    F_FANOUT_ONLY,      /* a level keeping nothing, with spatial factors */
    F_BYPASS, F_BANDWIDTH_BOUND, F_BLOCKS, F_DOUBLE_BUFFER,
    F_SLIDING_SPLIT,    /* a P, Q, R or S dim with factors at two levels */
    F_SLIDING_SPATIAL,  /* a spatial factor over P, Q, R or S */
    F_IRRELEVANT_INSIDE_SLIDING, /* N, K inside a P, Q, R or S temporal loop */
    F_GROUPS, F_LOWERED,
    F_COUNT
};

static uint64_t level_spatial(const struct mapping_level *ml)
{
    uint64_t f = 1;
    for (int d = 0; d < DIM_COUNT; d++)
        f *= (uint64_t)ml->spatial_x[d] * ml->spatial_y[d];
    return f;
}

static void note_features(const struct arch *a, const struct problem *p,
                          const struct mapping *m, const struct model_stats *s,
                          bool seen[F_COUNT])
{
    const struct tensor_spec *in = &p->tensor[p->kernel == KERNEL_BWD_DATA ? SLOT_OUTPUTS
                                                                           : SLOT_INPUTS];
    seen[p->kernel == KERNEL_FWD ? F_FWD : p->kernel == KERNEL_BWD_DATA ? F_BWD_DATA
                                                                        : F_BWD_WEIGHT] = true;
    for (int r = 0; r < in->rank; r++) {
        seen[F_STRIDE2] |= p->bound[DIM_P] > 1 && in->index[r].coef[DIM_P] == 2;
        seen[F_DILATION2] |= p->bound[DIM_R] > 1 && in->index[r].coef[DIM_R] == 2;
    }
    seen[F_FOUR_LEVELS] |= a->nlevels == 4;
    seen[F_GROUPS] |= p->bound[DIM_G] > 1;
    for (int t = 0; t < SLOT_COUNT; t++)
        seen[F_LOWERED] |= strstr(p->tensor[t].name, "col") != NULL;
    seen[F_MACS_FANOUT] |= level_spatial(&m->level[a->nlevels - 1]) > 1;
    seen[F_BANDWIDTH_BOUND] |= s->cycles > s->compute_cycles;
    for (int l = 0; l < a->nlevels; l++) {
        const struct mapping_level *ml = &m->level[l];
        bool keeps = false;
        for (int t = 0; t < SLOT_COUNT; t++) {
            keeps |= a->level[l].keeps[t] && !ml->bypass[t];
            seen[F_BYPASS] |= a->level[l].keeps[t] && ml->bypass[t];
        }
        seen[F_FANOUT_ONLY] |= !keeps && level_spatial(ml) > 1;
        seen[F_FANOUT_CHAIN] |= l > 0 && level_spatial(ml) > 1 &&
                                level_spatial(&m->level[l - 1]) > 1;
        seen[F_BLOCKS] |= a->level[l].block_words > 1;
        seen[F_DOUBLE_BUFFER] |= a->level[l].multiple_buffering == 2 &&
                                 a->level[l].size_kind != SIZE_UNBOUNDED;
        bool sliding_above = false;
        for (int i = 0; i < DIM_COUNT; i++) {
            int d = ml->order[i];
            bool sliding = d >= DIM_P && d <= DIM_S;
            if (ml->temporal[d] <= 1)
                continue;
            seen[F_IRRELEVANT_INSIDE_SLIDING] |= sliding_above && (d == DIM_N || d == DIM_K);
            sliding_above |= sliding;
        }
        for (int d = DIM_P; d <= DIM_S; d++)
            seen[F_SLIDING_SPATIAL] |= ml->spatial_x[d] * ml->spatial_y[d] > 1;
    }
    for (int d = DIM_P; d <= DIM_S; d++) {
        int parts = 0;
        for (int l = 0; l < a->nlevels; l++)
            parts += m->level[l].temporal[d] * m->level[l].spatial_x[d] *
                     m->level[l].spatial_y[d] > 1;
        seen[F_SLIDING_SPLIT] |= parts >= 2;
    }
}

START_TEST(refsim_random_cases_should_be_valid_and_cover_every_feature)
{
    bool seen[F_COUNT] = { false };
    for (uint64_t seed = 0; seed < NRANDOM; seed++) {
        struct arch a;
        struct problem p;
        struct mapping m;
        struct model_stats s;
        ck_assert_int_eq(refsim_random_case(seed, &a, &p, &m), 0);
        ck_assert_msg(refsim_eval(&a, &p, &m, &s) == 0, "seed %llu", (unsigned long long)seed);
        note_features(&a, &p, &m, &s, seen);
    }
    for (int f = 0; f < F_COUNT; f++)
        ck_assert_msg(seen[f], "feature %d never drawn", f);
}
END_TEST

Suite *refsim_suite(void)
{
    Suite *s = suite_create("refsim");
    TCase *tc = tcase_create("validation");
    tcase_add_loop_test(tc, refsim_should_reproduce_every_validation_case, 0, NCASES);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("rules");
    refsim_add_rule_tests(tc);
    suite_add_tcase(s, tc);

    tc = tcase_create("random");
    tcase_add_test(tc, refsim_random_case_should_depend_on_the_seed_alone);
    tcase_add_test(tc, refsim_random_cases_should_be_valid_and_cover_every_feature);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}
