/*
 * Tests of mapper/search and mapper/mapspace: the exhaustive strategy
 * against a plain enumeration of every mapping (every bypass choice, every
 * factorization over every loop, every permutation of every level's dims,
 * the innermost level's included), determinism across thread counts and
 * seeds, time limits, interrupts, constraints and empty spaces.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>

#include "../arch/arch.h"
#include "../mapper/constraints.h"
#include "../mapper/mapspace.h"
#include "../mapper/search.h"
#include "../mapper/strategy.h"
#include "../model/model.h"
#include "../workloads/workload.h"

/* ---- the plain enumeration ---- */

struct plain {
    const struct arch *a;
    const struct problem *p;
    enum objective obj;
    struct mapping m;
    int dims[DIM_COUNT], ndims;         /* the dims of bound > 1 */
    bool have;
    struct model_stats best;
    uint64_t evaluated;
};

/* Every permutation of the problem's dims at each level, from level l. */
static void plain_orders(struct plain *pl, int l)
{
    if (l == pl->a->nlevels) {
        struct model_stats s;
        if (model_eval(pl->a, pl->p, &pl->m, &s, NULL) != 0)
            return;
        pl->evaluated++;
        if (!pl->have || search_cost(pl->obj, &s) < search_cost(pl->obj, &pl->best) ||
            (search_cost(pl->obj, &s) == search_cost(pl->obj, &pl->best) &&
             s.energy_pj < pl->best.energy_pj)) {
            pl->have = true;
            pl->best = s;
        }
        return;
    }
    int perm[DIM_COUNT];
    memcpy(perm, pl->dims, sizeof perm);
    int n = pl->ndims;
    /* Heap's algorithm, iterative. */
    int c[DIM_COUNT] = { 0 };
    for (int k = 0;;) {
        uint8_t *order = pl->m.level[l].order;
        int used[DIM_COUNT] = { 0 }, o = 0;
        for (int i = 0; i < n; i++) {
            order[o++] = (uint8_t)perm[i];
            used[perm[i]] = 1;
        }
        for (int d = 0; d < DIM_COUNT; d++)
            if (!used[d])
                order[o++] = (uint8_t)d;
        plain_orders(pl, l + 1);
        while (k < n && c[k] >= k) {
            c[k] = 0;
            k++;
        }
        if (k >= n)
            break;
        int j = k % 2 ? c[k] : 0;
        int t = perm[j]; perm[j] = perm[k]; perm[k] = t;
        c[k]++;
        k = 0;
    }
}

/* Every way to split what is left of dim pl->dims[i] over the loops from
 * loop number `loop` on (temporal, X, Y of each level). */
static void plain_factors(struct plain *pl, int i, int loop, uint64_t rem)
{
    int L = pl->a->nlevels;
    if (i == pl->ndims) {
        plain_orders(pl, 0);
        return;
    }
    int d = pl->dims[i];
    if (loop == 3 * L) {
        if (rem == 1)
            plain_factors(pl, i + 1, 0, pl->p->bound[pl->dims[i + 1 < pl->ndims ? i + 1 : i]]);
        return;
    }
    const struct arch_level *al = &pl->a->level[loop / 3];
    if ((loop % 3 == 1 && al->fanout_x == 1) || (loop % 3 == 2 && al->fanout_y == 1)) {
        plain_factors(pl, i, loop + 1, rem);    /* an axis with no fanout */
        return;
    }
    struct mapping_level *ml = &pl->m.level[loop / 3];
    uint32_t *f = loop % 3 == 0 ? &ml->temporal[d] : loop % 3 == 1 ? &ml->spatial_x[d]
                                                                   : &ml->spatial_y[d];
    for (uint64_t x = 1; x <= rem; x++) {
        if (rem % x)
            continue;
        *f = (uint32_t)x;
        plain_factors(pl, i, loop + 1, rem / x);
    }
    *f = 1;
}

static void plain_search(struct plain *pl)
{
    int L = pl->a->nlevels;
    pl->ndims = 0;
    for (int d = 0; d < DIM_COUNT; d++)
        if (pl->p->bound[d] > 1)
            pl->dims[pl->ndims++] = d;
    int free = 0;
    for (int l = 1; l < L; l++)
        for (int s = 0; s < SLOT_COUNT; s++)
            free += pl->a->level[l].keeps[s];
    for (uint64_t b = 0; b < (1ull << free); b++) {
        mapping_init(&pl->m, L);
        int k = 0;
        for (int l = 1; l < L; l++)
            for (int s = 0; s < SLOT_COUNT; s++)
                if (pl->a->level[l].keeps[s])
                    pl->m.level[l].bypass[s] = (b >> k++) & 1;
        plain_factors(pl, 0, 0, pl->p->bound[pl->dims[0]]);
    }
}

/* ---- fixtures ---- */

/* DRAM -> Buf -> PE (2 x 1, small) -> 2 MACs. */
static const char *arch_small =
    "{\"name\": \"small\", \"word_bits\": 16, \"clock_mhz\": 1000, \"levels\": ["
    " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 100, \"fill_pj\": 100,"
    "  \"update_pj\": 110},"
    " {\"name\": \"Buf\", \"class\": \"sram\", \"size_words\": 24, \"read_pj\": 6,"
    "  \"fill_pj\": 7, \"update_pj\": 8},"
    " {\"name\": \"PE\", \"class\": \"regfile\", \"mesh_x\": 2, \"size_words\": 6,"
    "  \"read_pj\": 0.5, \"fill_pj\": 0.75, \"update_pj\": 1}],"
    " \"compute\": {\"name\": \"MAC\", \"mesh_x\": 2, \"energy_pj\": 1}}";

struct fixture {
    struct arch *arch;
    struct workload *wl;
    struct problem prob;
};

static void fixture_load(struct fixture *f, const char *arch_json, const char *wl_json,
                         enum kernel k)
{
    struct err e;
    memset(f, 0, sizeof *f);
    ck_assert_msg(arch_parse("arch", arch_json, strlen(arch_json), &f->arch, &e) == 0,
                  "%s", e.msg);
    ck_assert_msg(workload_parse("wl", wl_json, strlen(wl_json), &f->wl, &e) == 0,
                  "%s", e.msg);
    ck_assert_msg(workload_derive(f->wl, 0, k, LOWER_NONE, &f->prob, &e) == 0, "%s", e.msg);
}

static void fixture_release(struct fixture *f)
{
    arch_free(f->arch);
    workload_free(f->wl);
}

static struct search_options options(enum strategy st, enum objective o, int threads)
{
    struct search_options opt = { .strategy = st, .objective = o, .threads = threads,
                                  .seed = 7, .time_limit_s = 120 };
    return opt;
}

/* Small layers whose every mapping the plain enumeration can evaluate: a
 * 1-D convolution with a halo, and a layer with two channel dims. */
static const char *const small_layers[] = {
    "{\"name\": \"c\", \"batch\": 1, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 1, \"K\": 2, \"P\": 3, \"Q\": 1, \"R\": 2, \"S\": 1}]}",
    "{\"name\": \"c\", \"batch\": 1, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 2, \"K\": 2, \"P\": 2, \"Q\": 1, \"R\": 1, \"S\": 1}]}",
};

/* Four levels: DRAM with 2-word blocks and a read bandwidth, a buffer with a
 * shared bandwidth fanning out over X to a level that only fans out (over
 * Y) to 2 x 2 PEs. */
static const char *arch_chain =
    "{\"name\": \"chain\", \"word_bits\": 16, \"clock_mhz\": 1000, \"levels\": ["
    " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 64, \"fill_pj\": 64,"
    "  \"update_pj\": 80, \"block_words\": 2, \"read_bw\": 1},"
    " {\"name\": \"Buf\", \"class\": \"sram\", \"size_words\": 16, \"read_pj\": 6,"
    "  \"fill_pj\": 7, \"update_pj\": 8, \"shared_bw\": 2},"
    " {\"name\": \"Row\", \"class\": \"sram\", \"mesh_x\": 2, \"keeps\": []},"
    " {\"name\": \"PE\", \"class\": \"regfile\", \"mesh_x\": 2, \"mesh_y\": 2,"
    "  \"size_words\": 4, \"read_pj\": 0.5, \"fill_pj\": 0.75, \"update_pj\": 1}],"
    " \"compute\": {\"name\": \"MAC\", \"mesh_x\": 2, \"mesh_y\": 2, \"energy_pj\": 1}}";

START_TEST(exhaustive_should_find_the_optimum_on_a_chain_of_fanouts)
{
    static const enum kernel kernels[] = { KERNEL_FWD, KERNEL_BWD_WEIGHT };
    struct fixture f;
    fixture_load(&f, arch_chain, small_layers[0], kernels[_i]);
    struct plain pl = { .a = f.arch, .p = &f.prob, .obj = OBJ_EDP };
    plain_search(&pl);
    ck_assert(pl.have);
    struct search_options opt = options(STRATEGY_EXHAUSTIVE, OBJ_EDP, 2);
    struct search_result r;
    struct err e;
    ck_assert_int_eq(search_run(f.arch, &f.prob, &opt, &r, &e), 0);
    ck_assert(r.found && r.optimal);
    ck_assert_msg(r.stats.edp == pl.best.edp, "search %.17g, plain %.17g (%llu mappings)",
                  r.stats.edp, pl.best.edp, (unsigned long long)pl.evaluated);
    fixture_release(&f);
}
END_TEST

START_TEST(exhaustive_should_find_the_optimum_of_a_plain_enumeration)
{
    int layer = _i / (3 * OBJ_COUNT), kernel = (_i / OBJ_COUNT) % 3, obj = _i % OBJ_COUNT;
    static const enum kernel kernels[] = { KERNEL_FWD, KERNEL_BWD_DATA, KERNEL_BWD_WEIGHT };
    struct fixture f;
    fixture_load(&f, arch_small, small_layers[layer], kernels[kernel]);
    struct plain pl = { .a = f.arch, .p = &f.prob, .obj = (enum objective)obj };
    plain_search(&pl);
    ck_assert(pl.have);
    struct search_options opt = options(STRATEGY_EXHAUSTIVE, (enum objective)obj, 2);
    struct search_result r;
    struct err e;
    ck_assert_int_eq(search_run(f.arch, &f.prob, &opt, &r, &e), 0);
    ck_assert(r.found);
    ck_assert(r.optimal);
    ck_assert_msg(search_cost(opt.objective, &r.stats) == search_cost(opt.objective, &pl.best),
                  "layer %d kernel %d objective %d: search %.17g, plain %.17g (%llu mappings)",
                  layer, kernel, obj, search_cost(opt.objective, &r.stats),
                  search_cost(opt.objective, &pl.best), (unsigned long long)pl.evaluated);
    /* The reported stats are the model's for the reported mapping. */
    struct model_stats again;
    ck_assert_int_eq(model_eval(f.arch, &f.prob, &r.best, &again, NULL), 0);
    ck_assert(again.energy_pj == r.stats.energy_pj && again.cycles == r.stats.cycles);
    fixture_release(&f);
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
        struct fixture f;
        fixture_load(&f, arch_small, st == STRATEGY_EXHAUSTIVE ? wl_conv_1d : wl_conv,
                     KERNEL_FWD);
        struct search_result r1, r3;
        struct search_options o1 = options((enum strategy)st, OBJ_EDP, 1);
        struct search_options o3 = options((enum strategy)st, OBJ_EDP, 3);
        struct err e;
        ck_assert_int_eq(search_run(f.arch, &f.prob, &o1, &r1, &e), 0);
        ck_assert_int_eq(search_run(f.arch, &f.prob, &o3, &r3, &e), 0);
        ck_assert(r1.found && r3.found);
        ck_assert_msg(memcmp(&r1.best, &r3.best, sizeof r1.best) == 0, "%s",
                      strategy_name((enum strategy)st));
        ck_assert(r1.stats.edp == r3.stats.edp);
        ck_assert(r1.optimal == r3.optimal);
        ck_assert(r1.optimal == (st == STRATEGY_EXHAUSTIVE));
        fixture_release(&f);
    }
}
END_TEST

START_TEST(sampling_should_repeat_for_a_seed)
{
    struct fixture f;
    fixture_load(&f, arch_small, wl_conv, KERNEL_BWD_WEIGHT);
    for (int st = STRATEGY_RANDOM; st < STRATEGY_COUNT; st++) {
        struct search_result a, b;
        struct search_options o = options((enum strategy)st, OBJ_ENERGY, 2);
        struct err e;
        ck_assert_int_eq(search_run(f.arch, &f.prob, &o, &a, &e), 0);
        ck_assert_int_eq(search_run(f.arch, &f.prob, &o, &b, &e), 0);
        ck_assert(a.found);
        ck_assert(!a.optimal);
        ck_assert_int_eq(memcmp(&a.best, &b.best, sizeof a.best), 0);
        ck_assert_uint_eq(a.evaluated, b.evaluated);
    }
    fixture_release(&f);
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
    struct search_options o = options(STRATEGY_EXHAUSTIVE, OBJ_EDP, 2);
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
    struct fixture f;
    fixture_load(&f, arch_small, wl_conv, KERNEL_FWD);
    static atomic_int stop = 1;
    struct search_options o = options(STRATEGY_EXHAUSTIVE, OBJ_EDP, 2);
    o.stop = &stop;
    struct search_result r;
    struct err e;
    ck_assert_int_eq(search_run(f.arch, &f.prob, &o, &r, &e), 0);
    ck_assert(r.interrupted);
    ck_assert(!r.optimal);
    fixture_release(&f);
}
END_TEST

START_TEST(search_should_evaluate_a_stream_directly)
{
    struct fixture f;
    fixture_load(&f, arch_small, wl_conv, KERNEL_UPDATE);
    struct search_options o = options(STRATEGY_EXHAUSTIVE, OBJ_EDP, 2);
    struct search_result r;
    struct err e;
    ck_assert_int_eq(search_run(f.arch, &f.prob, &o, &r, &e), 0);
    ck_assert(r.found && r.optimal);
    /* SGD: one operation per weight, 8 * 8 * 3 * 3 = 576. */
    ck_assert_uint_eq(r.stats.macs, 576);
    fixture_release(&f);
}
END_TEST

START_TEST(search_should_keep_to_the_constraints)
{
    struct fixture f;
    fixture_load(&f, arch_small, wl_conv, KERNEL_FWD);
    static const char *text =
        "{\"name\": \"k-over-pes\", \"levels\": ["
        " {\"level\": \"@array\", \"spatial\": {\"x\": [\"K\"]}},"
        " {\"level\": \"@innermost\", \"temporal\": {\"R\": 3}, \"order\": \"R\"}]}";
    struct constraints_file *cf;
    struct constraints c;
    struct err e;
    ck_assert_msg(constraints_parse("c.json", text, strlen(text), &cf, &e) == 0, "%s", e.msg);
    ck_assert_msg(constraints_bind(cf, f.arch, &c, &e) == 0, "%s", e.msg);
    for (int st = 0; st < STRATEGY_COUNT; st++) {
        struct search_options o = options((enum strategy)st, OBJ_EDP, 2);
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
    fixture_release(&f);
}
END_TEST

START_TEST(search_should_say_when_no_mapping_fits)
{
    /* The PE holds 6 words; a layer whose one-element tiles need more
     * cannot be mapped: no, every mapping fits one-element tiles.  Force
     * the PE to keep all three tensors with R = 3 inside: W 3 + I 3 + O 1
     * = 7 > 6. */
    struct fixture f;
    fixture_load(&f, arch_small, wl_conv, KERNEL_FWD);
    static const char *text =
        "{\"levels\": [{\"level\": \"PE\", \"temporal\": {\"R\": 3},"
        " \"keep\": [\"weights\", \"inputs\", \"outputs\"]}]}";
    struct constraints_file *cf;
    struct constraints c;
    struct err e;
    ck_assert_int_eq(constraints_parse("c.json", text, strlen(text), &cf, &e), 0);
    ck_assert_int_eq(constraints_bind(cf, f.arch, &c, &e), 0);
    struct search_options o = options(STRATEGY_EXHAUSTIVE, OBJ_EDP, 2);
    o.constraints = &c;
    struct search_result r;
    ck_assert_int_eq(search_run(f.arch, &f.prob, &o, &r, &e), 0);
    ck_assert(!r.found);
    ck_assert_int_eq(e.code, ERR_NO_MAPPING);
    ck_assert_str_eq(e.msg, "c fwd: no mapping fits the arch under the constraints: "
                            "c.json: levels[0] (level 'PE') leaves no mapping");
    constraints_file_free(cf);
    fixture_release(&f);
}
END_TEST

START_TEST(search_should_name_a_minimum_utilization_no_mapping_reaches)
{
    /* fc 3 x 3: no dim divides by the 2 MACs, so at most one MAC is busy:
     * utilization 9 / (2 * 9) = 0.5 at best. */
    static const char *wl =
        "{\"name\": \"fc\", \"batch\": 1, \"layers\": [{\"name\": \"fc\", \"type\": \"fc\","
        " \"C\": 3, \"K\": 3}]}";
    struct fixture f;
    fixture_load(&f, arch_small, wl, KERNEL_FWD);
    static const char *text = "{\"min_utilization\": 0.9, \"levels\": []}";
    struct constraints_file *cf;
    struct constraints c;
    struct err e;
    ck_assert_msg(constraints_parse("u.json", text, strlen(text), &cf, &e) == 0, "%s", e.msg);
    ck_assert_msg(constraints_bind(cf, f.arch, &c, &e) == 0, "%s", e.msg);
    struct search_options o = options(STRATEGY_EXHAUSTIVE, OBJ_EDP, 2);
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
    fixture_release(&f);
}
END_TEST

/* ---- pruning against full enumeration where it is most likely wrong ---- */

/* Layers with sliding windows, strides, dilation and two-dim windows, small
 * enough for the plain enumeration. */
static const char *const window_layers[] = {
    /* 1-D, stride 2: H = (2 - 1) * 2 + (3 - 1) + 1 = 5, gaps between tiles. */
    "{\"name\": \"c\", \"batch\": 1, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 1, \"K\": 2, \"P\": 2, \"Q\": 1, \"R\": 3, \"S\": 1, \"stride\": 2}]}",
    /* 1-D, dilation 2: H = (3 - 1) + (2 - 1) * 2 + 1 = 5. */
    "{\"name\": \"c\", \"batch\": 1, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 1, \"K\": 2, \"P\": 3, \"Q\": 1, \"R\": 2, \"S\": 1, \"dilation\": 2}]}",
    /* A window next to an anchor dim of the input (N). */
    "{\"name\": \"c\", \"batch\": 2, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 1, \"K\": 1, \"P\": 2, \"Q\": 1, \"R\": 2, \"S\": 1}]}",
    /* A window, an anchor (C) and a stride. */
    "{\"name\": \"c\", \"batch\": 1, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 2, \"K\": 1, \"P\": 2, \"Q\": 1, \"R\": 2, \"S\": 1, \"stride\": 2}]}",
};

START_TEST(exhaustive_should_find_the_optimum_with_windows_strides_and_dilation)
{
    int layer = _i / (3 * OBJ_COUNT), kernel = (_i / OBJ_COUNT) % 3, obj = _i % OBJ_COUNT;
    static const enum kernel kernels[] = { KERNEL_FWD, KERNEL_BWD_DATA, KERNEL_BWD_WEIGHT };
    struct fixture f;
    fixture_load(&f, arch_small, window_layers[layer], kernels[kernel]);
    struct plain pl = { .a = f.arch, .p = &f.prob, .obj = (enum objective)obj };
    plain_search(&pl);
    ck_assert(pl.have);
    struct search_options opt = options(STRATEGY_EXHAUSTIVE, (enum objective)obj, 2);
    struct search_result r;
    struct err e;
    ck_assert_int_eq(search_run(f.arch, &f.prob, &opt, &r, &e), 0);
    ck_assert(r.found && r.optimal);
    ck_assert_msg(search_cost(opt.objective, &r.stats) == search_cost(opt.objective, &pl.best),
                  "layer %d kernel %d objective %d: search %.17g, plain %.17g (%llu mappings)",
                  layer, kernel, obj, search_cost(opt.objective, &r.stats),
                  search_cost(opt.objective, &pl.best), (unsigned long long)pl.evaluated);
    fixture_release(&f);
}
END_TEST

START_TEST(exhaustive_should_find_the_optimum_with_windows_on_a_chain_of_fanouts)
{
    static const enum kernel kernels[] = { KERNEL_FWD, KERNEL_BWD_DATA, KERNEL_BWD_WEIGHT };
    struct fixture f;
    fixture_load(&f, arch_chain, window_layers[0], kernels[_i]);
    struct plain pl = { .a = f.arch, .p = &f.prob, .obj = OBJ_EDP };
    plain_search(&pl);
    ck_assert(pl.have);
    struct search_options opt = options(STRATEGY_EXHAUSTIVE, OBJ_EDP, 2);
    struct search_result r;
    struct err e;
    ck_assert_int_eq(search_run(f.arch, &f.prob, &opt, &r, &e), 0);
    ck_assert(r.found && r.optimal);
    ck_assert_msg(r.stats.edp == pl.best.edp, "kernel %d: search %.17g, plain %.17g",
                  _i, r.stats.edp, pl.best.edp);
    fixture_release(&f);
}
END_TEST

/* Four storage levels that all keep every tensor (the orders of three
 * levels reach the innermost one), with fanouts at two of them. */
static const char *arch_deep =
    "{\"name\": \"deep\", \"word_bits\": 16, \"clock_mhz\": 1000, \"levels\": ["
    " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 100, \"fill_pj\": 100,"
    "  \"update_pj\": 110},"
    " {\"name\": \"L2\", \"class\": \"sram\", \"size_words\": 64, \"read_pj\": 9,"
    "  \"fill_pj\": 10, \"update_pj\": 11, \"read_bw\": 2},"
    " {\"name\": \"L1\", \"class\": \"sram\", \"mesh_x\": 2, \"size_words\": 16,"
    "  \"read_pj\": 3, \"fill_pj\": 4, \"update_pj\": 5, \"block_words\": 2},"
    " {\"name\": \"PE\", \"class\": \"regfile\", \"mesh_x\": 2, \"size_words\": 6,"
    "  \"read_pj\": 0.5, \"fill_pj\": 0.75, \"update_pj\": 1}],"
    " \"compute\": {\"name\": \"MAC\", \"mesh_x\": 4, \"energy_pj\": 1}}";

/* The distinct (energy, cycles) pairs a set of evaluations gave. */
struct costs {
    int n;
    double energy[4096], cycles[4096];
};

static void costs_add(struct costs *c, const struct model_stats *s)
{
    for (int i = 0; i < c->n; i++)
        if (c->energy[i] == s->energy_pj && c->cycles[i] == (double)s->cycles)
            return;
    ck_assert_int_lt(c->n, 4096);
    c->energy[c->n] = s->energy_pj;
    c->cycles[c->n++] = (double)s->cycles;
}

struct class_check {
    const struct mapspace *s;
    struct search_ctx ctx;
    struct mapspace_classes cl;
    struct order_bound b;
    uint64_t seen, every;       /* checks one factorization in every */
    uint64_t factorizations, orders, classes;
};

static void classes_walk(struct class_check *k, struct mapping *m, int i, struct costs *got)
{
    if (i == k->cl.nlevels) {
        struct model_stats st;
        if (model_eval(k->s->arch, k->s->prob, m, &st, NULL) == 0)
            costs_add(got, &st);
        k->classes++;
        return;
    }
    int cursor = 0;
    mapspace_level_first(&k->cl.lv[i], m);
    do
        classes_walk(k, m, i + 1, got);
    while (mapspace_level_next(&k->cl.lv[i], m, &cursor));
}

/* For one factorization: every (energy, cycles) that some combination of
 * orders gives is given by some combination of the enumerated classes, and
 * the order bound, with every order free and with every order fixed, is at
 * most each combination's cost. */
static bool check_classes(void *arg, struct mapping *m)
{
    struct class_check *k = arg;
    static struct costs all, got;
    struct mapspace_orders o;
    mapspace_orders_first(k->s, m, &o);
    uint64_t combos = 1;
    for (int i = 0; i < o.nlevels; i++)
        for (int j = 2; j <= o.ndims[i]; j++)
            combos *= (uint64_t)j;
    /* Only factorizations with many orders, spread over the space. */
    if (combos < 6 || k->seen++ % k->every)
        return false;
    all.n = got.n = 0;
    k->factorizations++;
    order_bound_init(&k->b, k->s, m);
    do {
        struct model_stats st;
        if (model_eval(k->s->arch, k->s->prob, m, &st, NULL) != 0)
            continue;
        costs_add(&all, &st);
        k->orders++;
        double cost = search_cost(k->ctx.opt->objective, &st);
        ck_assert_msg(order_bound_cost(&k->b, &k->ctx, m, 0) <= cost * (1 + 1e-12),
                      "free bound %.17g > cost %.17g", order_bound_cost(&k->b, &k->ctx, m, 0),
                      cost);
        ck_assert_msg(order_bound_cost(&k->b, &k->ctx, m, ~0u) <= cost * (1 + 1e-12),
                      "fixed bound %.17g > cost %.17g",
                      order_bound_cost(&k->b, &k->ctx, m, ~0u), cost);
    } while (mapspace_orders_next(&o, m));
    mapspace_classes_first(k->s, m, &k->cl);
    classes_walk(k, m, 0, &got);
    ck_assert_int_eq(got.n, all.n);
    for (int i = 0; i < all.n; i++) {
        bool found = false;
        for (int j = 0; j < got.n && !found; j++)
            found = got.energy[j] == all.energy[i] && got.cycles[j] == all.cycles[i];
        ck_assert_msg(found, "energy %.17g cycles %.0f is given by no enumerated order",
                      all.energy[i], all.cycles[i]);
    }
    return false;
}

START_TEST(order_classes_should_lose_no_cost_of_a_full_enumeration)
{
    static const enum kernel kernels[] = { KERNEL_FWD, KERNEL_BWD_DATA, KERNEL_BWD_WEIGHT };
    static const char *const layers[] = {
        /* Anchors N and C of the input around a P/R window. */
        "{\"name\": \"c\", \"batch\": 2, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
        " \"C\": 2, \"K\": 1, \"P\": 2, \"Q\": 1, \"R\": 2, \"S\": 1}]}",
        /* Windows on both axes with a stride. */
        "{\"name\": \"c\", \"batch\": 1, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
        " \"C\": 1, \"K\": 1, \"P\": 2, \"Q\": 2, \"R\": 2, \"S\": 2, \"stride\": 2}]}",
        /* Dilation, K irrelevant to the input. */
        "{\"name\": \"c\", \"batch\": 1, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
        " \"C\": 1, \"K\": 2, \"P\": 3, \"Q\": 1, \"R\": 2, \"S\": 1, \"dilation\": 2}]}",
    };
    /* Of the factorizations with 6 order combinations or more, one in
     * `every` is checked: a few thousand per case. */
    static const uint64_t every[] = { 5, 5, 1 };
    int layer = _i / 6, kernel = (_i / 2) % 3;
    struct fixture f;
    fixture_load(&f, _i % 2 ? arch_chain : arch_deep, layers[layer], kernels[kernel]);
    struct mapspace *s = malloc(sizeof *s);
    struct class_check *k = calloc(1, sizeof *k);
    ck_assert(s && k);
    struct err e;
    ck_assert_int_eq(mapspace_init(s, f.arch, &f.prob, NULL, &e), 0);
    struct search_options opt = options(STRATEGY_EXHAUSTIVE, OBJ_EDP, 1);
    k->s = s;
    k->every = every[layer];
    k->ctx.space = s;
    k->ctx.opt = &opt;
    model_bounds(f.arch, &f.prob, &k->ctx.bounds);
    struct mapping m;
    mapping_init(&m, s->nlevels);
    mapspace_factorizations(s, &m, 0, 1, check_classes, NULL, k);
    ck_assert_uint_gt(k->factorizations, 150);
    /* The classes are fewer than the orders: the check is not vacuous. */
    ck_assert_msg(k->classes < k->orders, "%llu classes, %llu orders over %llu factorizations",
                  (unsigned long long)k->classes, (unsigned long long)k->orders,
                  (unsigned long long)k->factorizations);
    free(k);
    free(s);
    fixture_release(&f);
}
END_TEST

Suite *search_suite(void)
{
    Suite *s = suite_create("search");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, exhaustive_should_find_the_optimum_of_a_plain_enumeration, 0,
                        2 * 3 * OBJ_COUNT);
    tcase_add_loop_test(tc, exhaustive_should_find_the_optimum_on_a_chain_of_fanouts, 0, 2);

    tcase_add_test(tc, search_should_give_the_same_result_for_any_thread_count);
    tcase_add_test(tc, sampling_should_repeat_for_a_seed);
    tcase_add_test(tc, search_should_return_the_best_so_far_at_the_time_limit);
    tcase_add_test(tc, search_should_stop_when_interrupted);
    tcase_add_test(tc, search_should_evaluate_a_stream_directly);
    tcase_add_test(tc, search_should_keep_to_the_constraints);
    tcase_add_test(tc, search_should_say_when_no_mapping_fits);
    tcase_add_test(tc, search_should_name_a_minimum_utilization_no_mapping_reaches);
    suite_add_tcase(s, tc);
    /* The pruning against full enumeration where it is most likely wrong. */
    TCase *tw = tcase_create("windows");
    tcase_set_timeout(tw, 300);
    tcase_add_loop_test(tw, exhaustive_should_find_the_optimum_with_windows_strides_and_dilation,
                        0, 4 * 3 * OBJ_COUNT);
    tcase_add_loop_test(tw, exhaustive_should_find_the_optimum_with_windows_on_a_chain_of_fanouts,
                        0, 3);
    suite_add_tcase(s, tw);
    TCase *tk = tcase_create("classes");
    tcase_set_timeout(tk, 300);
    tcase_add_loop_test(tk, order_classes_should_lose_no_cost_of_a_full_enumeration, 0, 3 * 3 * 2);
    suite_add_tcase(s, tk);
    return s;
}
