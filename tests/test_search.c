/*
 * Tests of mapper/search: the exhaustive strategy
 * against a plain enumeration of every mapping (every bypass choice, every
 * factorization over every loop, every permutation of every level's dims,
 * the innermost level's included), determinism across thread counts and
 * seeds, time limits, interrupts, constraints and empty spaces.
 */
#include <check.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "../arch/arch.h"
#include "../mapper/constraints.h"
#include "../mapper/mapspace.h"
#include "../mapper/search.h"
#include "../model/model.h"
#include "../workloads/workload.h"
#include "search_helpers.h"

/* ---- fixtures ---- */

/* Small layers whose every mapping the plain enumeration can evaluate: a
 * 1-D convolution with a halo, and a layer with two channel dims. */
static const char *const small_layers[] = {
    "{\"name\": \"c\", \"batch\": 1, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 1, \"K\": 2, \"P\": 3, \"Q\": 1, \"R\": 2, \"S\": 1}]}",
    "{\"name\": \"c\", \"batch\": 1, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 2, \"K\": 2, \"P\": 2, \"Q\": 1, \"R\": 1, \"S\": 1}]}",
};

START_TEST(exhaustive_should_find_the_optimum_on_a_chain_of_fanouts)
{
    static const enum kernel kernels[] = { KERNEL_FWD, KERNEL_BWD_WEIGHT };
    sh_expect_plain_optimum(sh_arch_chain, small_layers[0], kernels[_i], OBJ_EDP);
}
END_TEST

START_TEST(exhaustive_should_find_the_optimum_of_a_plain_enumeration)
{
    int layer = _i / (3 * OBJ_COUNT), kernel = (_i / OBJ_COUNT) % 3, obj = _i % OBJ_COUNT;
    static const enum kernel kernels[] = { KERNEL_FWD, KERNEL_BWD_DATA, KERNEL_BWD_WEIGHT };
    sh_expect_plain_optimum(sh_arch_small, small_layers[layer], kernels[kernel],
                            (enum objective)obj);
}
END_TEST

static const char *wl_conv =
    "{\"name\": \"c\", \"batch\": 2, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 8, \"K\": 8, \"P\": 6, \"Q\": 6, \"R\": 3, \"S\": 3}]}";

/* Small enough for the exhaustive search to finish in well under a second. */
static const char *wl_conv_1d =
    "{\"name\": \"c\", \"batch\": 2, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 4, \"K\": 4, \"P\": 6, \"Q\": 1, \"R\": 3, \"S\": 1}]}";

START_TEST(search_should_give_the_same_result_for_any_thread_count)
{
    for (int st = 0; st < STRATEGY_COUNT; st++) {
        struct sh_fixture f;
        sh_fixture_load(&f, sh_arch_small, st == STRATEGY_EXHAUSTIVE ? wl_conv_1d : wl_conv,
                     KERNEL_FWD);
        struct search_result r1, r3;
        struct search_options o1 = sh_options((enum strategy)st, OBJ_EDP, 1);
        struct search_options o3 = sh_options((enum strategy)st, OBJ_EDP, 3);
        struct err e;
        ck_assert_int_eq(search_run(f.arch, &f.prob, &o1, &r1, &e), 0);
        ck_assert_int_eq(search_run(f.arch, &f.prob, &o3, &r3, &e), 0);
        ck_assert(r1.found && r3.found);
        ck_assert_msg(memcmp(&r1.best, &r3.best, sizeof r1.best) == 0, "%s",
                      strategy_name((enum strategy)st));
        ck_assert(r1.stats.edp == r3.stats.edp);
        ck_assert(r1.optimal == r3.optimal);
        ck_assert(r1.optimal == (st == STRATEGY_EXHAUSTIVE));
        sh_fixture_release(&f);
    }
}
END_TEST

START_TEST(sampling_should_repeat_for_a_seed)
{
    struct sh_fixture f;
    sh_fixture_load(&f, sh_arch_small, wl_conv, KERNEL_BWD_WEIGHT);
    for (int st = STRATEGY_RANDOM; st < STRATEGY_COUNT; st++) {
        struct search_result a, b;
        struct search_options o = sh_options((enum strategy)st, OBJ_ENERGY, 2);
        struct err e;
        ck_assert_int_eq(search_run(f.arch, &f.prob, &o, &a, &e), 0);
        ck_assert_int_eq(search_run(f.arch, &f.prob, &o, &b, &e), 0);
        ck_assert(a.found);
        ck_assert(!a.optimal);
        ck_assert_int_eq(memcmp(&a.best, &b.best, sizeof a.best), 0);
        ck_assert_uint_eq(a.evaluated, b.evaluated);
    }
    sh_fixture_release(&f);
}
END_TEST

START_TEST(search_should_return_the_best_so_far_at_the_time_limit)
{
    struct err e;
    struct arch *a;
    struct workload *w;
    struct problem p;
    ck_assert_int_eq(arch_load("tests/validation/conv3x3_fwd/arch.json", &a, &e), 0);
    ck_assert_int_eq(workload_load("tests/validation/conv3x3_fwd/workload.json", &w, &e), 0);
    ck_assert_int_eq(workload_derive(w, 0, KERNEL_FWD, LOWER_NONE, &p, &e), 0);
    struct search_options o = sh_options(STRATEGY_EXHAUSTIVE, OBJ_EDP, 2);
    o.time_limit_s = 0.3;
    struct search_result r;
    ck_assert_int_eq(search_run(a, &p, &o, &r, &e), 0);
    ck_assert(r.timed_out);
    ck_assert(!r.optimal);
    ck_assert(r.found);
    ck_assert_msg(r.search_s < 3.0, "stopped after %.2f s", r.search_s);
    workload_free(w);
    arch_free(a);
}
END_TEST

START_TEST(search_should_stop_when_interrupted)
{
    struct sh_fixture f;
    sh_fixture_load(&f, sh_arch_small, wl_conv, KERNEL_FWD);
    static atomic_int stop = 1;
    struct search_options o = sh_options(STRATEGY_EXHAUSTIVE, OBJ_EDP, 2);
    o.stop = &stop;
    struct search_result r;
    struct err e;
    ck_assert_int_eq(search_run(f.arch, &f.prob, &o, &r, &e), 0);
    ck_assert(r.interrupted);
    ck_assert(!r.optimal);
    sh_fixture_release(&f);
}
END_TEST

START_TEST(search_should_evaluate_a_stream_directly)
{
    struct sh_fixture f;
    sh_fixture_load(&f, sh_arch_small, wl_conv, KERNEL_UPDATE);
    struct search_options o = sh_options(STRATEGY_EXHAUSTIVE, OBJ_EDP, 2);
    struct search_result r;
    struct err e;
    ck_assert_int_eq(search_run(f.arch, &f.prob, &o, &r, &e), 0);
    ck_assert(r.found && r.optimal);
    /* SGD: one operation per weight, 8 * 8 * 3 * 3 = 576. */
    ck_assert_uint_eq(r.stats.macs, 576);
    sh_fixture_release(&f);
}
END_TEST

START_TEST(search_should_keep_to_the_constraints)
{
    struct sh_fixture f;
    sh_fixture_load(&f, sh_arch_small, wl_conv, KERNEL_FWD);
    static const char *text =
        "{\"name\": \"k-over-pes\", \"levels\": ["
        " {\"level\": \"@array\", \"spatial\": {\"x\": [\"K\"]}},"
        " {\"level\": \"@innermost\", \"temporal\": {\"R\": 3}, \"order\": \"R\"}]}";
    struct constraints_file *cf;
    struct constraints c;
    struct err e;
    cf = sh_constraints(f.arch, text, &c);
    for (int st = 0; st < STRATEGY_COUNT; st++) {
        struct search_options o = sh_options((enum strategy)st, OBJ_EDP, 2);
        o.constraints = &c;
        struct search_result r;
        ck_assert_int_eq(search_run(f.arch, &f.prob, &o, &r, &e), 0);
        ck_assert(r.found);
        const char *why = NULL;
        ck_assert_msg(constraints_allow(&c, &r.best, &why), "%s: %s",
                      strategy_name((enum strategy)st), why);
        ck_assert_uint_eq(r.best.level[2].temporal[DIM_R], 3);
        for (int d = 0; d < DIM_COUNT; d++)
            ck_assert(d == DIM_K || r.best.level[1].spatial_x[d] == 1);
    }
    constraints_file_free(cf);
    sh_fixture_release(&f);
}
END_TEST

START_TEST(search_should_say_when_no_mapping_fits)
{
    /* The PE holds 6 words; a layer whose one-element tiles need more
     * cannot be mapped: no, every mapping fits one-element tiles.  Force
     * the PE to keep all three tensors with R = 3 inside: W 3 + I 3 + O 1
     * = 7 > 6. */
    struct sh_fixture f;
    sh_fixture_load(&f, sh_arch_small, wl_conv, KERNEL_FWD);
    static const char *text =
        "{\"levels\": [{\"level\": \"PE\", \"temporal\": {\"R\": 3},"
        " \"keep\": [\"weights\", \"inputs\", \"outputs\"]}]}";
    struct constraints_file *cf;
    struct constraints c;
    struct err e;
    cf = sh_constraints(f.arch, text, &c);
    struct search_options o = sh_options(STRATEGY_EXHAUSTIVE, OBJ_EDP, 2);
    o.constraints = &c;
    struct search_result r;
    ck_assert_int_eq(search_run(f.arch, &f.prob, &o, &r, &e), 0);
    ck_assert(!r.found);
    ck_assert_int_eq(e.code, ERR_NO_MAPPING);
    ck_assert_str_eq(e.msg, "c fwd: no mapping fits the arch under the constraints: "
                            "c.json: levels[0] (level 'PE') leaves no mapping");
    constraints_file_free(cf);
    sh_fixture_release(&f);
}
END_TEST

START_TEST(search_should_name_a_minimum_utilization_no_mapping_reaches)
{
    /* fc 3 x 3: no dim divides by the 2 MACs, so at most one MAC is busy:
     * utilization 9 / (2 * 9) = 0.5 at best. */
    static const char *wl =
        "{\"name\": \"fc\", \"batch\": 1, \"layers\": [{\"name\": \"fc\", \"type\": \"fc\","
        " \"C\": 3, \"K\": 3}]}";
    struct sh_fixture f;
    sh_fixture_load(&f, sh_arch_small, wl, KERNEL_FWD);
    static const char *text = "{\"min_utilization\": 0.9, \"levels\": []}";
    struct constraints_file *cf;
    struct constraints c;
    struct err e;
    cf = sh_constraints(f.arch, text, &c);
    struct search_options o = sh_options(STRATEGY_EXHAUSTIVE, OBJ_EDP, 2);
    o.constraints = &c;
    struct search_result r;
    ck_assert_int_eq(search_run(f.arch, &f.prob, &o, &r, &e), 0);
    ck_assert(!r.found);
    ck_assert_str_eq(e.msg, "fc fwd: no mapping fits the arch under the constraints: "
                            "min_utilization 0.9 leaves no mapping");
    c.min_utilization = 0.5;
    ck_assert_int_eq(search_run(f.arch, &f.prob, &o, &r, &e), 0);
    ck_assert(r.found);
    ck_assert_double_eq_tol(r.stats.utilization, 0.5, 1e-12);
    constraints_file_free(cf);
    sh_fixture_release(&f);
}
END_TEST

Suite *search_suite(void)
{
    Suite *s = suite_create("search");
    /* The optimum against a plain enumeration: many problems through the
     * threads "core" exercises, kept apart so `make tsan` runs "core" only. */
    TCase *tc = tcase_create("optimum");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, exhaustive_should_find_the_optimum_of_a_plain_enumeration, 0,
                        2 * 3 * OBJ_COUNT);
    tcase_add_loop_test(tc, exhaustive_should_find_the_optimum_on_a_chain_of_fanouts, 0, 2);
    suite_add_tcase(s, tc);

    tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, search_should_give_the_same_result_for_any_thread_count);
    tcase_add_test(tc, sampling_should_repeat_for_a_seed);
    tcase_add_test(tc, search_should_return_the_best_so_far_at_the_time_limit);
    tcase_add_test(tc, search_should_stop_when_interrupted);
    tcase_add_test(tc, search_should_evaluate_a_stream_directly);
    tcase_add_test(tc, search_should_keep_to_the_constraints);
    tcase_add_test(tc, search_should_say_when_no_mapping_fits);
    tcase_add_test(tc, search_should_name_a_minimum_utilization_no_mapping_reaches);
    suite_add_tcase(s, tc);
    return s;
}
