/*
 * Tests of the exhaustive search's pruning where it is most likely wrong:
 * against the plain enumeration on layers with sliding windows, strides
 * and dilation (every bypass choice included), and its two parts alone on
 * 3- and 4-level archs: the order classes lose no cost that some order of
 * a full enumeration gives, and the order bound is at most every order's
 * cost.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../mapper/constraints.h"
#include "../mapper/mapspace.h"
#include "../mapper/search.h"
#include "../mapper/strategy.h"
#include "../model/model.h"
#include "search_helpers.h"

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
    sh_expect_plain_optimum(sh_arch_small, window_layers[layer], kernels[kernel],
                            (enum objective)obj);
}
END_TEST

START_TEST(exhaustive_should_find_the_optimum_with_windows_on_a_chain_of_fanouts)
{
    static const enum kernel kernels[] = { KERNEL_FWD, KERNEL_BWD_DATA, KERNEL_BWD_WEIGHT };
    sh_expect_plain_optimum(sh_arch_chain, window_layers[0], kernels[_i], OBJ_EDP);
}
END_TEST

/* DRAM -> Buf -> 4 x 2 PEs, one MAC each: a fanout wider in X than in Y,
 * with capacities that cut (Buf 24 words, PE 6). */
static const char *const arch_uneven =
    "{\"name\": \"uneven\", \"word_bits\": 16, \"clock_mhz\": 1000, \"levels\": ["
    " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 100, \"fill_pj\": 100,"
    "  \"update_pj\": 110},"
    " {\"name\": \"Buf\", \"class\": \"sram\", \"size_words\": 24, \"read_pj\": 6,"
    "  \"fill_pj\": 7, \"update_pj\": 8},"
    " {\"name\": \"PE\", \"class\": \"regfile\", \"mesh_x\": 4, \"mesh_y\": 2,"
    "  \"size_words\": 6, \"read_pj\": 0.5, \"fill_pj\": 0.75, \"update_pj\": 1}],"
    " \"compute\": {\"name\": \"MAC\", \"mesh_x\": 4, \"mesh_y\": 2, \"energy_pj\": 1}}";

/* Small layers for it: a window (P, R) with K, and three channel-like dims. */
static const char *const uneven_layers[] = {
    "{\"name\": \"c\", \"batch\": 1, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 1, \"K\": 2, \"P\": 3, \"Q\": 1, \"R\": 2, \"S\": 1}]}",
    "{\"name\": \"c\", \"batch\": 2, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 2, \"K\": 2, \"P\": 1, \"Q\": 1, \"R\": 1, \"S\": 1}]}",
};

/* On Buf, axes that allow different dims: the level is walked per axis. */
static const char *const per_axis_constraints =
    "{\"levels\": [{\"level\": \"Buf\", \"spatial\": {\"x\": [\"K\", \"P\"],"
    " \"y\": [\"N\", \"C\", \"R\"]}}]}";

/* The exhaustive strategy alone over the whole space, from no incumbent
 * (search_run seeds it with an annealing run, which may find the optimum
 * and hide a point the walk or its cuts lose). */
static struct shard_best *exhaustive_unseeded(const struct arch *a, const struct problem *p,
                                              const struct search_options *opt)
{
    struct mapspace *s = malloc(sizeof *s);
    struct shard_best *out = calloc(1, sizeof *out);
    ck_assert(s && out);
    struct err e;
    ck_assert_int_eq(mapspace_init(s, a, p, opt->constraints, &e), 0);
    struct search_ctx ctx;
    search_ctx_init(&ctx, s, opt, search_now_s() + opt->time_limit_s);
    exhaustive_shard(&ctx, 0, 1, out);
    ck_assert(out->complete && out->found);
    free(s);
    return out;
}

/* The exhaustive search, seeded and alone, finds the least cost of the
 * plain enumeration of layer's fwd on arch under objective obj and the
 * constraints in text (NULL: none), and its mapping keeps them. */
static void expect_constrained_optimum(const char *arch, const char *layer, const char *text,
                                       enum objective obj)
{
    struct sh_fixture f;
    sh_fixture_load(&f, arch, layer, KERNEL_FWD);
    struct constraints_file *cf = NULL;
    struct constraints c;
    struct err e;
    if (text)
        cf = sh_constraints(f.arch, text, &c);
    struct sh_plain pl = { .a = f.arch, .p = &f.prob, .obj = obj, .cons = text ? &c : NULL };
    sh_plain_search(&pl);
    ck_assert(pl.have);
    struct search_options opt = sh_options(STRATEGY_EXHAUSTIVE, obj, 2);
    opt.constraints = text ? &c : NULL;
    struct search_result r;
    ck_assert_int_eq(search_run(f.arch, &f.prob, &opt, &r, &e), 0);
    ck_assert(r.found && r.optimal);
    ck_assert_msg(search_cost(obj, &r.stats) == search_cost(obj, &pl.best),
                  "%s objective %d: search %.17g, plain %.17g (%llu mappings)",
                  text ? text : "unconstrained", obj, search_cost(obj, &r.stats),
                  search_cost(obj, &pl.best), (unsigned long long)pl.evaluated);
    ck_assert_int_eq(model_check(f.arch, &f.prob, &r.best, NULL), 0);
    struct shard_best *alone = exhaustive_unseeded(f.arch, &f.prob, &opt);
    ck_assert_msg(search_cost(obj, &alone->stats) == search_cost(obj, &pl.best),
                  "unseeded: search %.17g, plain %.17g", search_cost(obj, &alone->stats),
                  search_cost(obj, &pl.best));
    free(alone);
    if (text) {
        const char *why = NULL;
        ck_assert_msg(constraints_allow(&c, &r.best, &why), "%s", why);
    }
    constraints_file_free(cf);
    sh_fixture_release(&f);
}

/* DRAM's factor of K fixed: the factors level 0 must take are often not
 * allowed, so many complete tilings of the buffer have no mapping. */
static const char *const level0_fixed =
    "{\"levels\": [{\"level\": \"DRAM\", \"temporal\": {\"K\": 2}}]}";

START_TEST(exhaustive_should_find_the_optimum_on_an_uneven_fanout)
{
    const char *const cons[] = { NULL, per_axis_constraints, level0_fixed };
    int layer = _i / (3 * OBJ_COUNT), obj = _i % OBJ_COUNT;
    expect_constrained_optimum(arch_uneven, uneven_layers[layer], cons[(_i / OBJ_COUNT) % 3],
                               (enum objective)obj);
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

/* order_bound_cost of m under incumbent inc. */
static double bound_under(struct class_check *k, const struct mapping *m, uint32_t fixed,
                          double inc)
{
    uint64_t bits;
    memcpy(&bits, &inc, sizeof bits);
    atomic_store(&k->ctx.incumbent, bits);
    return order_bound_cost(&k->b, &k->ctx, m, fixed);
}

/* For one factorization: every (energy, cycles) that some combination of
 * orders gives is given by some combination of the enumerated classes, and
 * the order bound, with every order free and with every order fixed, is at
 * most each combination's cost, the free one at most the fixed one (so a
 * factorization cut with its orders free would be cut with any fixed). */
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
        /* No incumbent: the whole bound, dynamic programs included. */
        double free_b = bound_under(k, m, 0, INFINITY);
        double fixed_b = bound_under(k, m, ~0u, INFINITY);
        ck_assert_msg(free_b <= cost * (1 + 1e-12), "free bound %.17g > cost %.17g",
                      free_b, cost);
        ck_assert_msg(fixed_b <= cost * (1 + 1e-12), "fixed bound %.17g > cost %.17g",
                      fixed_b, cost);
        ck_assert_msg(free_b <= fixed_b * (1 + 1e-12), "free bound %.17g > fixed bound %.17g",
                      free_b, fixed_b);
        /* Under an incumbent of 0 every bound exceeds it before the dynamic
         * programs run: what is returned then is at most the whole bound. */
        double early = bound_under(k, m, 0, 0);
        ck_assert_msg(early <= free_b * (1 + 1e-12), "early bound %.17g > free bound %.17g",
                      early, free_b);
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
    struct sh_fixture f;
    sh_fixture_load(&f, _i % 2 ? sh_arch_chain : arch_deep, layers[layer], kernels[kernel]);
    struct mapspace *s = malloc(sizeof *s);
    struct class_check *k = calloc(1, sizeof *k);
    ck_assert(s && k);
    struct err e;
    ck_assert_int_eq(mapspace_init(s, f.arch, &f.prob, NULL, &e), 0);
    struct search_options opt = sh_options(STRATEGY_EXHAUSTIVE, OBJ_EDP, 1);
    k->s = s;
    k->every = every[layer];
    search_ctx_init(&k->ctx, s, &opt, 0);
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
    sh_fixture_release(&f);
}
END_TEST

/* Fanout at level 1 (2 x 2 below the buffer), and at level 2 as well. */
static const char *const fan_archs[] = {
    "{\"name\": \"fan1\", \"word_bits\": 16, \"clock_mhz\": 1000, \"levels\": ["
    " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 100, \"fill_pj\": 100,"
    "  \"update_pj\": 110},"
    " {\"name\": \"Buf\", \"class\": \"sram\", \"size_words\": 48, \"read_pj\": 6,"
    "  \"fill_pj\": 7, \"update_pj\": 8},"
    " {\"name\": \"PE\", \"class\": \"regfile\", \"mesh_x\": 2, \"mesh_y\": 2,"
    "  \"size_words\": 8, \"read_pj\": 0.5, \"fill_pj\": 0.75, \"update_pj\": 1}],"
    " \"compute\": {\"name\": \"MAC\", \"mesh_x\": 2, \"mesh_y\": 2, \"energy_pj\": 1}}",
    "{\"name\": \"fan2\", \"word_bits\": 16, \"clock_mhz\": 1000, \"levels\": ["
    " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 64, \"fill_pj\": 64,"
    "  \"update_pj\": 80},"
    " {\"name\": \"Buf\", \"class\": \"sram\", \"size_words\": 32, \"read_pj\": 6,"
    "  \"fill_pj\": 7, \"update_pj\": 8},"
    " {\"name\": \"PE\", \"class\": \"regfile\", \"mesh_x\": 2, \"keeps\": [\"weights\"],"
    "  \"size_words\": 4, \"read_pj\": 0.5, \"fill_pj\": 0.75, \"update_pj\": 1}],"
    " \"compute\": {\"name\": \"MAC\", \"mesh_x\": 2, \"mesh_y\": 2, \"energy_pj\": 1}}",
};

/* A layer whose every dim but G has a bound of 2. */
static const char *const every_dim_layer =
    "{\"name\": \"c\", \"batch\": 2, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 2, \"K\": 2, \"P\": 2, \"Q\": 1, \"R\": 2, \"S\": 1}]}";

struct node_check {
    const struct mapspace *s;
    struct search_ctx ctx;
    struct order_bound b;
    uint64_t factorizations, nodes;
};

/* The least cost under objective obj of factorization m over all its
 * orders (m is left at its last order); INFINITY if none is valid. */
static double least_over_orders(const struct mapspace *s, struct mapping *m,
                                enum objective obj)
{
    struct mapspace_orders o;
    mapspace_orders_first(s, m, &o);
    double least = INFINITY;
    do {
        struct model_stats st;
        if (model_eval(s->arch, s->prob, m, &st, NULL) == 0 && search_cost(obj, &st) < least)
            least = search_cost(obj, &st);
    } while (mapspace_orders_next(&o, m));
    return least;
}

/* order_bound_node at node sm under incumbent inc, with the problem's own
 * cycle bound. */
static double bound_node_under(struct node_check *k, struct mapping *sm, uint8_t decided,
                               const uint64_t *ext, double room, double inc)
{
    uint64_t bits;
    memcpy(&bits, &inc, sizeof bits);
    atomic_store(&k->ctx.incumbent, bits);
    return order_bound_node(&k->b, &k->ctx, sm, decided, ext, room, k->ctx.bounds.cycles);
}

/* For one complete factorization: the least cost over its orders, then the
 * node bound at each partial level-1 node above it (the walk's own states:
 * the first i dims of walk_order placed at level 1, level 0 holding what
 * is left of them), with and without an incumbent, is at most that cost. */
static bool check_nodes(void *arg, struct mapping *m)
{
    struct node_check *k = arg;
    const struct mapspace *s = k->s;
    const struct arch *a = s->arch;
    double least = least_over_orders(s, m, k->ctx.opt->objective);
    if (least == INFINITY)
        return false;
    k->factorizations++;
    for (int i = 1; i <= DIM_COUNT; i++) {
        struct mapping sm = *m;
        uint64_t ext[DIM_COUNT], px = 1, py = 1;
        uint8_t decided = 0;
        for (int j = 0; j < i; j++)
            decided |= (uint8_t)(1u << s->walk_order[j]);
        for (int d = 0; d < DIM_COUNT; d++) {
            ext[d] = 1;
            for (int l = 2; l < s->nlevels; l++)
                ext[d] *= (uint64_t)m->level[l].temporal[d] * m->level[l].spatial_x[d] *
                          m->level[l].spatial_y[d];
            struct mapping_level *l1 = &sm.level[1], *l0 = &sm.level[0];
            if ((decided >> d) & 1) {
                ext[d] *= (uint64_t)l1->temporal[d] * l1->spatial_x[d] * l1->spatial_y[d];
                px *= l1->spatial_x[d];
                py *= l1->spatial_y[d];
            } else {
                l1->temporal[d] = l1->spatial_x[d] = l1->spatial_y[d] = 1;
                l0->temporal[d] = 1;
            }
        }
        double room = 1;
        if (i < DIM_COUNT)
            room = (double)(a->level[1].fanout_x / px) * (double)(a->level[1].fanout_y / py);
        double whole = bound_node_under(k, &sm, decided, ext, room, INFINITY);
        double early = bound_node_under(k, &sm, decided, ext, room, 0);
        ck_assert_msg(whole <= least * (1 + 1e-12) && early <= least * (1 + 1e-12),
                      "%d dims placed: node bound %.17g (first part %.17g) > cost %.17g",
                      i, whole, early, least);
        k->nodes++;
    }
    return false;
}

/* A buffer that keeps inputs and outputs only, too small for the larger
 * tiles, over PEs with a scratchpad per slot (as on Eyeriss), bandwidths
 * that limit at every level, and a layer whose batch the buffer cannot
 * hold whole. */
static const char *const arch_small_buffer =
    "{\"name\": \"eye\", \"word_bits\": 16, \"clock_mhz\": 1000, \"levels\": ["
    " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 200, \"write_pj\": 200,"
    "  \"read_bw\": 1},"
    " {\"name\": \"Buf\", \"class\": \"sram\", \"keeps\": [\"inputs\", \"outputs\"],"
    "  \"size_words\": 12, \"read_pj\": 6, \"write_pj\": 6, \"read_bw\": 2, \"write_bw\": 1},"
    " {\"name\": \"PE\", \"class\": \"regfile\", \"mesh_x\": 2, \"mesh_y\": 2,"
    "  \"size_words\": {\"weights\": 4, \"inputs\": 2, \"outputs\": 2},"
    "  \"read_pj\": 1, \"write_pj\": 1, \"shared_bw\": 1}],"
    " \"compute\": {\"name\": \"MAC\", \"mesh_x\": 2, \"mesh_y\": 2, \"energy_pj\": 1}}";
static const char *const batch_layer =
    "{\"name\": \"c\", \"batch\": 8, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 2, \"K\": 4, \"P\": 2, \"Q\": 1, \"R\": 1, \"S\": 1}]}";

static void check_nodes_of(const char *arch, const char *layer, enum kernel kernel,
                           enum objective obj)
{
    struct sh_fixture f;
    sh_fixture_load(&f, arch, layer, kernel);
    struct mapspace *s = malloc(sizeof *s);
    struct node_check *k = calloc(1, sizeof *k);
    ck_assert(s && k);
    struct err e;
    ck_assert_int_eq(mapspace_init(s, f.arch, &f.prob, NULL, &e), 0);
    struct search_options opt = sh_options(STRATEGY_EXHAUSTIVE, obj, 1);
    k->s = s;
    search_ctx_init(&k->ctx, s, &opt, 0);
    struct mapping m;
    mapping_init(&m, s->nlevels);
    mapspace_factorizations(s, &m, 0, 1, check_nodes, NULL, k);
    ck_assert_uint_gt(k->factorizations, 20);
    sh_fixture_release(&f);
    free(k);
    free(s);
}

START_TEST(order_bound_node_should_be_at_most_every_completion_under_a_small_buffer)
{
    static const enum kernel kernels[] = { KERNEL_FWD, KERNEL_BWD_DATA, KERNEL_BWD_WEIGHT };
    check_nodes_of(arch_small_buffer, batch_layer, kernels[_i / OBJ_COUNT],
                   (enum objective)(_i % OBJ_COUNT));
}
END_TEST

START_TEST(order_bound_node_should_be_at_most_every_completion)
{
    static const enum kernel kernels[] = { KERNEL_FWD, KERNEL_BWD_DATA, KERNEL_BWD_WEIGHT };
    const char *layer = _i / 6 < 4 ? window_layers[_i / 6] : every_dim_layer;
    check_nodes_of(fan_archs[_i % 2], layer, kernels[(_i / 2) % 3],
                   (enum objective)(_i % OBJ_COUNT));
}
END_TEST

START_TEST(exhaustive_should_find_the_optimum_with_fanout_under_the_buffer)
{
    static const enum kernel kernels[] = { KERNEL_FWD, KERNEL_BWD_DATA, KERNEL_BWD_WEIGHT };
    sh_expect_plain_optimum(fan_archs[_i % 2], window_layers[_i / 6 ? 3 : 2],
                            kernels[(_i / 2) % 3], OBJ_EDP);
}
END_TEST

struct energy_check {
    const struct mapspace *s;
    uint64_t factorizations;
};

/* energy_bound_known with levels >= kl from m is at most the energy of m
 * under every order (m completes its own partial factorization). */
static bool check_energy_bounds(void *arg, struct mapping *m)
{
    struct energy_check *k = arg;
    const struct mapspace *s = k->s;
    double least = least_over_orders(s, m, OBJ_ENERGY);
    if (least == INFINITY)
        return false;
    for (int kl = 0; kl < s->nlevels; kl++) {
        double b = energy_bound_known(s, m, kl);
        ck_assert_msg(b <= least * (1 + 1e-12), "levels from %d: bound %.17g > energy %.17g",
                      kl, b, least);
    }
    k->factorizations++;
    return false;
}

/* A square layer, whose mappings the walk keeps one of each mirror pair of
 * (P <-> Q). */
static const char *const square_layer =
    "{\"name\": \"c\", \"batch\": 1, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 1, \"K\": 2, \"P\": 2, \"Q\": 2, \"R\": 1, \"S\": 1}]}";

START_TEST(exhaustive_should_find_the_optimum_of_a_square_convolution)
{
    static const enum kernel kernels[] = { KERNEL_FWD, KERNEL_BWD_DATA, KERNEL_BWD_WEIGHT };
    const char *const archs[] = { sh_arch_small, fan_archs[0] };
    sh_expect_plain_optimum(archs[_i % 2], square_layer, kernels[_i / 2], OBJ_EDP);
}
END_TEST

START_TEST(energy_bound_of_known_levels_should_be_at_most_every_completion)
{
    static const enum kernel kernels[] = { KERNEL_FWD, KERNEL_BWD_DATA, KERNEL_BWD_WEIGHT };
    const char *const archs[] = { arch_small_buffer, fan_archs[0], fan_archs[1], sh_arch_chain };
    const char *const layers[] = { batch_layer, window_layers[2], every_dim_layer };
    struct sh_fixture f;
    sh_fixture_load(&f, archs[_i % 4], layers[(_i / 4) % 3], kernels[_i / 12]);
    struct mapspace *s = malloc(sizeof *s);
    ck_assert(s);
    struct err e;
    ck_assert_int_eq(mapspace_init(s, f.arch, &f.prob, NULL, &e), 0);
    struct energy_check k = { s, 0 };
    struct mapping m;
    mapping_init(&m, s->nlevels);
    mapspace_factorizations(s, &m, 0, 1, check_energy_bounds, NULL, &k);
    ck_assert_uint_gt(k.factorizations, 20);
    sh_fixture_release(&f);
    free(s);
}
END_TEST

Suite *search_prune_suite(void)
{
    Suite *s = suite_create("search_prune");
    TCase *tw = tcase_create("windows");
    tcase_set_timeout(tw, 300);
    tcase_add_loop_test(tw, exhaustive_should_find_the_optimum_with_windows_strides_and_dilation,
                        0, 4 * 3 * OBJ_COUNT);
    tcase_add_loop_test(tw, exhaustive_should_find_the_optimum_with_windows_on_a_chain_of_fanouts,
                        0, 3);
    tcase_add_loop_test(tw, exhaustive_should_find_the_optimum_of_a_square_convolution, 0, 2 * 3);
    suite_add_tcase(s, tw);
    TCase *tu = tcase_create("uneven");
    tcase_set_timeout(tu, 300);
    tcase_add_loop_test(tu, exhaustive_should_find_the_optimum_on_an_uneven_fanout, 0,
                        2 * 3 * OBJ_COUNT);
    suite_add_tcase(s, tu);
    TCase *tk = tcase_create("classes");
    tcase_set_timeout(tk, 300);
    tcase_add_loop_test(tk, order_classes_should_lose_no_cost_of_a_full_enumeration, 0, 3 * 3 * 2);
    suite_add_tcase(s, tk);
    TCase *tn = tcase_create("nodes");
    tcase_set_timeout(tn, 300);
    tcase_add_loop_test(tn, order_bound_node_should_be_at_most_every_completion, 0, 5 * 3 * 2);
    tcase_add_loop_test(tn, order_bound_node_should_be_at_most_every_completion_under_a_small_buffer,
                        0, 3 * OBJ_COUNT);
    tcase_add_loop_test(tn, exhaustive_should_find_the_optimum_with_fanout_under_the_buffer, 0,
                        2 * 3 * 2);
    tcase_add_loop_test(tn, energy_bound_of_known_levels_should_be_at_most_every_completion, 0,
                        4 * 3 * 3);
    suite_add_tcase(s, tn);
    return s;
}
