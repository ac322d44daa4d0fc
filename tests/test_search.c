/*
 * Tests of mapper/search and mapper/mapspace: the exhaustive strategy
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

/* ---- the factor walk by spatial product ---- */

/* DRAM -> Buf -> 4 x 2 PEs -> 2 x 4 MACs each, with capacities nothing
 * reaches: fanouts wider in X (Buf, 4 x 2) and in Y (PE, 2 x 4). */
static const char *const arch_uneven =
    "{\"name\": \"uneven\", \"word_bits\": 16, \"clock_mhz\": 1000, \"levels\": ["
    " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 100, \"fill_pj\": 100,"
    "  \"update_pj\": 110},"
    " {\"name\": \"Buf\", \"class\": \"sram\", \"size_words\": 1000000, \"read_pj\": 6,"
    "  \"fill_pj\": 7, \"update_pj\": 8},"
    " {\"name\": \"PE\", \"class\": \"regfile\", \"mesh_x\": 4, \"mesh_y\": 2,"
    "  \"size_words\": 1000000, \"read_pj\": 0.5, \"fill_pj\": 0.75, \"update_pj\": 1}],"
    " \"compute\": {\"name\": \"MAC\", \"mesh_x\": 8, \"mesh_y\": 8, \"energy_pj\": 1}}";

/* DRAM fanning out to 100 x 90 PEs: spatial products above 4096 (split by
 * factoring), some that a split fits (7680 = 2^9 * 3 * 5 = 96 x 80) and
 * some that none does (8192 = 2^13: 64 x 128 or 128 x 64; no power of 2
 * lies between 8192 / 90 = 91.02 and 100). */
static const char *const arch_wide =
    "{\"name\": \"wide\", \"word_bits\": 16, \"clock_mhz\": 1000, \"levels\": ["
    " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 100, \"fill_pj\": 100,"
    "  \"update_pj\": 110},"
    " {\"name\": \"PE\", \"class\": \"regfile\", \"mesh_x\": 100, \"mesh_y\": 90,"
    "  \"size_words\": 1000000, \"read_pj\": 0.5, \"fill_pj\": 0.75, \"update_pj\": 1}],"
    " \"compute\": {\"name\": \"MAC\", \"mesh_x\": 100, \"mesh_y\": 90, \"energy_pj\": 1}}";

/* Several dims of small bounds for the uneven arch; K = 2^6, C = 2^7 and
 * P = 3 * 5 for the wide one. */
static const char *const wl_small_dims =
    "{\"name\": \"c\", \"batch\": 2, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 2, \"K\": 4, \"P\": 3, \"Q\": 1, \"R\": 1, \"S\": 1}]}";
static const char *const wl_wide_dims =
    "{\"name\": \"c\", \"batch\": 1, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 128, \"K\": 64, \"P\": 15, \"Q\": 1, \"R\": 1, \"S\": 1}]}";

/* A factorization as the model reads it: per level and dim, the temporal
 * factor and the spatial product. */
struct pvec {
    uint32_t t[ARCH_MAX_LEVELS][DIM_COUNT], q[ARCH_MAX_LEVELS][DIM_COUNT];
};

struct pset {
    size_t n, cap;
    struct pvec *v;
};

static void pset_add(struct pset *s, const struct pvec *v)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 1024;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        ck_assert(s->v);
    }
    s->v[s->n++] = *v;
}

static int pvec_cmp(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(struct pvec));
}

/* Sorts s; returns how many of its entries equal the one before. */
static size_t pset_sort(struct pset *s)
{
    qsort(s->v, s->n, sizeof *s->v, pvec_cmp);
    size_t dup = 0;
    for (size_t i = 1; i < s->n; i++)
        dup += pvec_cmp(&s->v[i - 1], &s->v[i]) == 0;
    return dup;
}

/* The walk's side: every complete factorization under the bypass choice
 * that keeps everything (the others repeat the same factors). */
struct walk_set {
    const struct arch *a;
    const struct problem *p;
    struct pset got;
};

static bool walk_collect(void *arg, struct mapping *m)
{
    struct walk_set *k = arg;
    for (int l = 0; l < k->a->nlevels; l++)
        for (int sl = 0; sl < SLOT_COUNT; sl++)
            if (k->a->level[l].keeps[sl] && m->level[l].bypass[sl])
                return false;
    struct err e;
    ck_assert_msg(model_check(k->a, k->p, m, &e) == 0, "%s", e.msg);
    struct pvec v;
    memset(&v, 0, sizeof v);
    for (int l = 0; l < k->a->nlevels; l++)
        for (int d = 0; d < DIM_COUNT; d++) {
            v.t[l][d] = m->level[l].temporal[d];
            v.q[l][d] = m->level[l].spatial_x[d] * m->level[l].spatial_y[d];
        }
    pset_add(&k->got, &v);
    return false;
}

/* The brute force's side: every per-axis assignment of every dim (each
 * value tried, not only divisors), kept when each level's X and Y
 * products fit its fanout, recorded as its product vector. */
struct brute {
    const struct arch *a;
    const struct problem *p;
    struct pvec v;
    uint64_t px[ARCH_MAX_LEVELS], py[ARCH_MAX_LEVELS];
    uint64_t assignments;
    struct pset set;
};

static void brute_loops(struct brute *b, int d, int j, uint64_t rem);

static void brute_dim(struct brute *b, int d)
{
    if (d == DIM_COUNT) {
        b->assignments++;
        pset_add(&b->set, &b->v);
        return;
    }
    brute_loops(b, d, 0, b->p->bound[d]);
}

/* Loop j of dim d: innermost level first, its X, Y, then temporal loop;
 * level 0's temporal loop takes what is left. */
static void brute_loops(struct brute *b, int d, int j, uint64_t rem)
{
    int L = b->a->nlevels;
    if (j == 3 * L) {
        brute_dim(b, d + 1);
        return;
    }
    int l = L - 1 - j / 3, k = j % 3;
    const struct arch_level *al = &b->a->level[l];
    for (uint64_t f = 1; f <= rem; f++) {
        if (rem % f || (k == 2 && l == 0 && f != rem))
            continue;
        if (k == 0) {
            if (b->px[l] * f > al->fanout_x)
                break;
            b->px[l] *= f;
            b->v.q[l][d] = (uint32_t)f;
        } else if (k == 1) {
            if (b->py[l] * f > al->fanout_y)
                break;
            b->py[l] *= f;
            b->v.q[l][d] *= (uint32_t)f;
        } else {
            b->v.t[l][d] = (uint32_t)f;
        }
        brute_loops(b, d, j + 1, rem / f);
        if (k == 0)
            b->px[l] /= f;
        else if (k == 1) {
            b->py[l] /= f;
            b->v.q[l][d] /= (uint32_t)f;
        }
    }
}

START_TEST(mapspace_should_walk_each_spatial_product_vector_once)
{
    static const char *const *const archs[] = { &arch_uneven, &arch_wide };
    static const char *const *const wls[] = { &wl_small_dims, &wl_wide_dims };
    struct sh_fixture f;
    sh_fixture_load(&f, *archs[_i], *wls[_i], KERNEL_FWD);
    struct mapspace *s = malloc(sizeof *s);
    ck_assert(s);
    struct err e;
    ck_assert_int_eq(mapspace_init(s, f.arch, &f.prob, NULL, &e), 0);
    for (int l = 0; l < f.arch->nlevels; l++)
        ck_assert(s->by_product[l]);
    struct walk_set k = { .a = f.arch, .p = &f.prob };
    struct mapping m;
    mapping_init(&m, s->nlevels);
    ck_assert(!mapspace_factorizations(s, &m, 0, 1, walk_collect, NULL, &k));
    /* (a) every one passed model_check; (b) no two alike: */
    ck_assert_uint_eq(pset_sort(&k.got), 0);
    struct brute b = { .a = f.arch, .p = &f.prob };
    memset(&b.v, 0, sizeof b.v);
    for (int l = 0; l < f.arch->nlevels; l++)
        b.px[l] = b.py[l] = 1;
    brute_dim(&b, 0);
    size_t dup = pset_sort(&b.set);
    /* (c) the same set as the brute force's distinct product vectors,
     * which many per-axis assignments repeat. */
    ck_assert_uint_gt(dup, 0);
    size_t n = 0;
    for (size_t i = 0; i < b.set.n; i++)
        if (i == 0 || pvec_cmp(&b.set.v[i - 1], &b.set.v[i]) != 0)
            b.set.v[n++] = b.set.v[i];
    ck_assert_uint_eq(k.got.n, n);
    for (size_t i = 0; i < n; i++)
        ck_assert(pvec_cmp(&k.got.v[i], &b.set.v[i]) == 0);
    free(k.got.v);
    free(b.set.v);
    free(s);
    sh_fixture_release(&f);
}
END_TEST

START_TEST(mapspace_should_walk_a_level_per_axis_when_its_axes_differ)
{
    struct sh_fixture f;
    sh_fixture_load(&f, arch_uneven, wl_small_dims, KERNEL_FWD);
    static const char *text =
        "{\"levels\": [{\"level\": \"Buf\", \"spatial\": {\"x\": [\"K\"]}},"
        " {\"level\": \"PE\", \"spatial_factors\": {\"y\": {\"C\": 2}}}]}";
    struct constraints_file *cf;
    struct constraints c;
    struct err e;
    cf = sh_constraints(f.arch, text, &c);
    struct mapspace *s = malloc(sizeof *s);
    ck_assert(s);
    ck_assert_int_eq(mapspace_init(s, f.arch, &f.prob, &c, &e), 0);
    ck_assert(s->by_product[0]);
    ck_assert(!s->by_product[1]);
    ck_assert(!s->by_product[2]);
    free(s);
    constraints_file_free(cf);
    sh_fixture_release(&f);
}
END_TEST

/* The spatial bound every node of the walk announces, by level and depth
 * (0 where none is recorded on the current path). */
struct reach_check {
    uint64_t bound[ARCH_MAX_LEVELS][DIM_COUNT + 1];
    uint64_t checked;
};

static bool reach_record(void *arg, const struct mapping *m, const struct mapspace_node *node)
{
    (void)m;
    struct reach_check *k = arg;
    k->bound[node->level][node->dims_done] = node->spatial_max;
    for (int i = node->dims_done + 1; i <= DIM_COUNT; i++)
        k->bound[node->level][i] = 0;
    return false;
}

static bool reach_check_completion(void *arg, struct mapping *m)
{
    struct reach_check *k = arg;
    for (int l = 0; l < m->nlevels; l++) {
        uint64_t sp = 1;
        for (int d = 0; d < DIM_COUNT; d++)
            sp *= (uint64_t)m->level[l].spatial_x[d] * m->level[l].spatial_y[d];
        for (int i = 0; i <= DIM_COUNT; i++)
            if (k->bound[l][i]) {
                ck_assert_msg(sp <= k->bound[l][i],
                              "level %d: %llu spatial, but %llu announced after %d dims", l,
                              (unsigned long long)sp, (unsigned long long)k->bound[l][i], i);
                k->checked++;
            }
    }
    return false;
}

/* Every node's spatial_max is at least the spatial product of its level in
 * every completion: by product (the fanouts 4 x 2 and 2 x 4, K = 4 needing
 * a factor above 2; 100 x 90 with products past 4096), and per axis. */
START_TEST(mapspace_nodes_should_bound_the_spatial_product_of_every_completion)
{
    static const char *const *const archs[] = { &arch_uneven, &arch_wide, &arch_uneven };
    static const char *const *const wls[] = { &wl_small_dims, &wl_wide_dims, &wl_small_dims };
    struct sh_fixture f;
    sh_fixture_load(&f, *archs[_i], *wls[_i], KERNEL_FWD);
    struct constraints_file *cf = NULL;
    struct constraints c;
    struct err e;
    if (_i == 2) {
        static const char *text =
            "{\"levels\": [{\"level\": \"Buf\", \"spatial\": {\"x\": [\"K\", \"C\"]}}]}";
        cf = sh_constraints(f.arch, text, &c);
    }
    struct mapspace *s = malloc(sizeof *s);
    struct reach_check *k = calloc(1, sizeof *k);
    ck_assert(s && k);
    ck_assert_int_eq(mapspace_init(s, f.arch, &f.prob, cf ? &c : NULL, &e), 0);
    ck_assert(s->by_product[1] == (_i != 2));
    struct mapping m;
    mapping_init(&m, s->nlevels);
    ck_assert(!mapspace_factorizations(s, &m, 0, 1, reach_check_completion, reach_record, k));
    ck_assert_uint_gt(k->checked, 1000);
    free(k);
    free(s);
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

    tc = tcase_create("mapspace");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, mapspace_should_walk_each_spatial_product_vector_once, 0, 2);
    tcase_add_test(tc, mapspace_should_walk_a_level_per_axis_when_its_axes_differ);
    tcase_add_loop_test(tc, mapspace_nodes_should_bound_the_spatial_product_of_every_completion,
                        0, 3);
    suite_add_tcase(s, tc);
    return s;
}
