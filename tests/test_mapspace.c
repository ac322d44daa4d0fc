/*
 * Tests of mapper/mapspace: the factor walk visits each spatial product
 * vector once (against a brute force over every per-axis assignment),
 * chooses per axis where the axes differ, and announces spatial bounds
 * every completion keeps to; the groups bound of the search's bounds is
 * at most the model's grouping, and equal to it where steps are unit; and
 * the space's tile sizes and axis splits match plain computations.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../arch/arch.h"
#include "../mapper/constraints.h"
#include "../mapper/mapspace.h"
#include "../model/model.h"
#include "../model/nest.h"
#include "../workloads/workload.h"
#include "search_helpers.h"

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


/* ---- the groups bound ---- */

/* DRAM fanning out to 16 x 16 PEs, for the groups of DRAM's spatial
 * loops. */
static const char *const arch_fan16 =
    "{\"name\": \"fan16\", \"word_bits\": 16, \"clock_mhz\": 1000, \"levels\": ["
    " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 100, \"fill_pj\": 100,"
    "  \"update_pj\": 110},"
    " {\"name\": \"PE\", \"class\": \"regfile\", \"mesh_x\": 16, \"mesh_y\": 16,"
    "  \"size_words\": 1000000, \"read_pj\": 0.5, \"fill_pj\": 0.75, \"update_pj\": 1}],"
    " \"compute\": {\"name\": \"MAC\", \"mesh_x\": 16, \"mesh_y\": 16, \"energy_pj\": 1}}";

/* Two windows (P with R, Q with S) beside two anchors of the input (N, C):
 * unit steps, a stride, a dilation. */
static const char *const group_layers[] = {
    "{\"name\": \"c\", \"batch\": 2, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 2, \"K\": 2, \"P\": 4, \"Q\": 3, \"R\": 3, \"S\": 2}]}",
    "{\"name\": \"c\", \"batch\": 2, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 2, \"K\": 2, \"P\": 4, \"Q\": 3, \"R\": 3, \"S\": 2, \"stride\": 2}]}",
    "{\"name\": \"c\", \"batch\": 2, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 2, \"K\": 2, \"P\": 4, \"Q\": 3, \"R\": 3, \"S\": 2, \"dilation\": 2}]}",
};

struct group_check {
    const struct mapspace *s;
    struct model_prep prep;
    struct mapping m;
    bool unit;                  /* stride and dilation 1, fwd */
    uint64_t cases, windowed;
};

/* Dim i of N, C, P, Q, R, S onward: each split of its bound into a spatial
 * factor at DRAM, a loop at the PEs under it (a step between the
 * children's tiles) and DRAM's loop; then every slot's groups. */
static void group_split(struct group_check *k, int i)
{
    static const enum dim dims[] = { DIM_N, DIM_C, DIM_P, DIM_Q, DIM_R, DIM_S };
    const struct mapspace *s = k->s;
    if (i == 6) {
        struct nest n;
        ck_assert(nest_build(&n, &k->prep, &k->m));
        bool unit_steps = k->unit;
        for (int d = 0; d < DIM_COUNT; d++)
            unit_steps &= k->m.level[1].temporal[d] == 1;
        for (int sl = 0; sl < SLOT_COUNT; sl++) {
            double bound = mapspace_groups(s, sl, &k->m, 0);
            uint64_t model = nest_groups(&n, (enum slot)sl, 0);
            ck_assert_msg(bound <= (double)model, "slot %d: bound %g > model %llu", sl, bound,
                          (unsigned long long)model);
            if (unit_steps)
                ck_assert_msg(bound == (double)model, "slot %d: bound %g, model %llu", sl,
                              bound, (unsigned long long)model);
            double anchors = 1;
            for (int d = 0; d < DIM_COUNT; d++)
                if ((s->anchor[sl] >> d) & 1)
                    anchors *= k->m.level[0].spatial_x[d];
            k->windowed += bound > anchors;
        }
        k->cases++;
        return;
    }
    int d = dims[i];
    uint64_t b = s->prob->bound[d];
    for (uint64_t q = 1; q <= b; q++)
        for (uint64_t t = 1; q * t <= b; t++) {
            if (b % (q * t))
                continue;
            k->m.level[0].spatial_x[d] = (uint32_t)q;
            k->m.level[1].temporal[d] = (uint32_t)t;
            k->m.level[0].temporal[d] = (uint32_t)(b / q / t);
            group_split(k, i + 1);
        }
}

START_TEST(mapspace_groups_should_be_at_most_the_models_and_exact_for_unit_steps)
{
    static const enum kernel kernels[] = { KERNEL_FWD, KERNEL_BWD_DATA, KERNEL_BWD_WEIGHT };
    struct sh_fixture f;
    sh_fixture_load(&f, arch_fan16, group_layers[_i / 3], kernels[_i % 3]);
    struct mapspace *s = malloc(sizeof *s);
    struct group_check *k = calloc(1, sizeof *k);
    ck_assert(s && k);
    struct err e;
    ck_assert_int_eq(mapspace_init(s, f.arch, &f.prob, NULL, &e), 0);
    k->s = s;
    model_prepare(&k->prep, f.arch, &f.prob);
    mapping_init(&k->m, s->nlevels);
    for (int d = 0; d < DIM_COUNT; d++)
        k->m.level[0].temporal[d] = (uint32_t)f.prob.bound[d];
    k->unit = _i == 0;
    group_split(k, 0);
    /* 6 splits of P (4), 3 of Q and R (3), and of S, N and C (2). */
    ck_assert_uint_eq(k->cases, 6 * 3 * 3 * 3 * 3 * 3);
    /* Windows spread in most of them: the bound is not the anchors'. */
    ck_assert_uint_gt(k->windowed, k->cases / 2);
    free(k);
    free(s);
    sh_fixture_release(&f);
}
END_TEST

/* ---- the space's tables ---- */

/* Every extent vector of ext[i..] within the bounds: the tile sizes of
 * mapspace_box_words (the space's term lists) are tensor_box_words'. */
static void box_extents(const struct mapspace *s, uint64_t *ext, int i, uint64_t *cases)
{
    if (i == DIM_COUNT) {
        for (int sl = 0; sl < SLOT_COUNT; sl++)
            ck_assert_uint_eq(mapspace_box_words(s, sl, ext),
                              tensor_box_words(&s->prob->tensor[sl], ext));
        ++*cases;
        return;
    }
    for (ext[i] = 1; ext[i] <= s->prob->bound[i]; ext[i]++)
        box_extents(s, ext, i + 1, cases);
}

START_TEST(mapspace_box_words_should_be_the_tensors_box_words)
{
    static const enum kernel kernels[] = { KERNEL_FWD, KERNEL_BWD_DATA, KERNEL_BWD_WEIGHT };
    struct sh_fixture f;
    sh_fixture_load(&f, arch_fan16, group_layers[_i / 3], kernels[_i % 3]);
    struct mapspace *s = malloc(sizeof *s);
    ck_assert_ptr_nonnull(s);
    struct err e;
    ck_assert_int_eq(mapspace_init(s, f.arch, &f.prob, NULL, &e), 0);
    uint64_t ext[DIM_COUNT], cases = 0;
    box_extents(s, ext, 0, &cases);
    /* N 2, K 2, C 2, P 4, Q 3, R 3, S 2. */
    ck_assert_uint_eq(cases, 2 * 2 * 2 * 4 * 3 * 3 * 2);
    free(s);
    sh_fixture_release(&f);
}
END_TEST

/* The split table of a level walked by product, against every divisor D of
 * each product P: the largest D that fits on X with P / D fitting on Y. */
START_TEST(mapspace_split_table_should_give_the_largest_share_that_fits)
{
    const char *const archs[] = { arch_uneven, arch_wide };
    struct sh_fixture f;
    sh_fixture_load(&f, archs[_i], wl_small_dims, KERNEL_FWD);
    struct mapspace *s = malloc(sizeof *s);
    ck_assert_ptr_nonnull(s);
    struct err e;
    ck_assert_int_eq(mapspace_init(s, f.arch, &f.prob, NULL, &e), 0);
    int tabled = 0, empty = 0;
    for (int l = 0; l < s->nlevels; l++) {
        uint64_t fx = f.arch->level[l].fanout_x, fy = f.arch->level[l].fanout_y;
        if (!s->by_product[l] || fx * fy == 1)
            continue;
        for (uint64_t P = fx + 1; P <= fx * fy && P <= MAPSPACE_SPLIT_TABLE; P++) {
            uint64_t best = 0;
            for (uint64_t D = 1; D <= fx; D++)
                if (P % D == 0 && P / D <= fy)
                    best = D;
            ck_assert_msg(s->split[l][P] == best, "level %d, P %llu: %u, expected %llu", l,
                          (unsigned long long)P, s->split[l][P], (unsigned long long)best);
            tabled++;
            empty += best == 0;
        }
    }
    /* Uneven: 4 x 2 PEs (P 5 to 8) of 2 x 4 MACs (P 3 to 8); wide: 100 x 90,
     * up to 4096.  Both have products that fit (8) and that fit nowhere
     * (primes above fanout_x: 5 on the MACs, 101 on the PEs). */
    ck_assert_int_eq(tabled, _i ? 4096 - 100 : 4 + 6);
    ck_assert_int_gt(empty, 0);
    ck_assert_int_lt(empty, tabled);
    free(s);
    sh_fixture_release(&f);
}
END_TEST

/* ---- sigma: P <-> Q with R <-> S ---- */

/* Square layers: 2-D windows with unit steps and with a stride. */
static const char *const square_layers[] = {
    "{\"name\": \"c\", \"batch\": 1, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 1, \"K\": 2, \"P\": 2, \"Q\": 2, \"R\": 2, \"S\": 2}]}",
    "{\"name\": \"c\", \"batch\": 2, \"layers\": [{\"name\": \"c\", \"type\": \"conv\","
    " \"C\": 2, \"K\": 2, \"P\": 4, \"Q\": 4, \"R\": 3, \"S\": 3, \"stride\": 2}]}",
};

/* DRAM fanning out to 2 x 2 PEs. */
static const char *const arch_square =
    "{\"name\": \"square\", \"word_bits\": 16, \"clock_mhz\": 1000, \"levels\": ["
    " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 100, \"fill_pj\": 100,"
    "  \"update_pj\": 110},"
    " {\"name\": \"PE\", \"class\": \"regfile\", \"mesh_x\": 2, \"mesh_y\": 2,"
    "  \"size_words\": 1000000, \"read_pj\": 0.5, \"fill_pj\": 0.75, \"update_pj\": 1}],"
    " \"compute\": {\"name\": \"MAC\", \"mesh_x\": 2, \"mesh_y\": 2, \"energy_pj\": 1}}";

static int sigma_dim(int d)
{
    static const int to[DIM_COUNT] = { [DIM_P] = DIM_Q, [DIM_Q] = DIM_P, [DIM_R] = DIM_S,
                                       [DIM_S] = DIM_R };
    return to[d] ? to[d] : d;
}

static struct pvec sigma_pvec(const struct pvec *v)
{
    struct pvec w;
    for (int l = 0; l < ARCH_MAX_LEVELS; l++)
        for (int d = 0; d < DIM_COUNT; d++) {
            w.t[l][sigma_dim(d)] = v->t[l][d];
            w.q[l][sigma_dim(d)] = v->q[l][d];
        }
    return w;
}

/* Removes repeats from sorted s. */
static void pset_unique(struct pset *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (i == 0 || pvec_cmp(&s->v[n - 1], &s->v[i]) != 0)
            s->v[n++] = s->v[i];
    s->n = n;
}

/* The walk keeps one of each mirror pair of factorizations and loses none:
 * what it keeps and the images of that under sigma are every product
 * vector of the brute force.  By product (arch_uneven), and per axis with
 * the X/Y mirror (arch_square, a factor fixed on both axes). */
START_TEST(mapspace_should_walk_one_of_each_mirror_image_of_a_square_layer)
{
    struct sh_fixture f;
    sh_fixture_load(&f, _i ? arch_square : arch_uneven, square_layers[0], KERNEL_FWD);
    struct constraints_file *cf = NULL;
    struct constraints c;
    struct err e;
    if (_i)
        cf = sh_constraints(f.arch, "{\"levels\": [{\"level\": \"DRAM\", \"spatial_factors\":"
                                    " {\"x\": {\"C\": 1}, \"y\": {\"C\": 1}}}]}", &c);
    struct mapspace *s = malloc(sizeof *s);
    ck_assert(s);
    ck_assert_int_eq(mapspace_init(s, f.arch, &f.prob, cf ? &c : NULL, &e), 0);
    ck_assert(_i ? s->xy_mirror[0] && !s->by_product[0] : s->by_product[1]);
    struct walk_set k = { .a = f.arch, .p = &f.prob };
    struct mapping m;
    mapping_init(&m, s->nlevels);
    ck_assert(!mapspace_factorizations(s, &m, 0, 1, walk_collect, NULL, &k));
    pset_sort(&k.got);
    pset_unique(&k.got);
    size_t kept = k.got.n, self = 0;
    for (size_t i = 0; i < kept; i++) {
        struct pvec img = sigma_pvec(&k.got.v[i]);
        bool in = bsearch(&img, k.got.v, kept, sizeof img, pvec_cmp) != NULL;
        bool fixed = pvec_cmp(&img, &k.got.v[i]) == 0;
        ck_assert_msg(!in || fixed, "factorization %zu and its image are both walked", i);
        self += fixed;
        if (!fixed)
            pset_add(&k.got, &img);
    }
    ck_assert_uint_gt(kept, 2 * self);     /* most have an image apart */
    pset_sort(&k.got);
    struct brute b = { .a = f.arch, .p = &f.prob };
    memset(&b.v, 0, sizeof b.v);
    for (int l = 0; l < f.arch->nlevels; l++)
        b.px[l] = b.py[l] = 1;
    brute_dim(&b, 0);
    pset_sort(&b.set);
    pset_unique(&b.set);
    ck_assert_uint_eq(k.got.n, b.set.n);
    for (size_t i = 0; i < b.set.n; i++)
        ck_assert(pvec_cmp(&k.got.v[i], &b.set.v[i]) == 0);
    free(k.got.v);
    free(b.set.v);
    free(s);
    constraints_file_free(cf);
    sh_fixture_release(&f);
}
END_TEST

/* What sigma's pruning rests on: a mapping of a square layer and its image
 * (factors and orders mirrored) cost the same, for every kernel. */
START_TEST(model_should_cost_a_mapping_and_its_mirror_image_the_same)
{
    static const enum kernel kernels[] = { KERNEL_FWD, KERNEL_BWD_DATA, KERNEL_BWD_WEIGHT };
    const char *const archs[] = { arch_uneven, arch_square };
    struct sh_fixture f;
    sh_fixture_load(&f, archs[_i % 2], square_layers[1], kernels[_i / 2]);
    struct mapspace *s = malloc(sizeof *s);
    ck_assert(s);
    struct err e;
    ck_assert_int_eq(mapspace_init(s, f.arch, &f.prob, NULL, &e), 0);
    uint64_t rng = 11, valid = 0;
    for (int n = 0; n < 3000; n++) {
        struct mapping m, img;
        mapping_init(&m, s->nlevels);
        mapspace_set_bypass(s, mapspace_rand(&rng) % mapspace_bypass_count(s), &m);
        mapspace_random(s, &m, &rng);
        img = m;
        for (int l = 0; l < s->nlevels; l++)
            for (int d = 0; d < DIM_COUNT; d++) {
                int to = sigma_dim(d);
                img.level[l].temporal[to] = m.level[l].temporal[d];
                img.level[l].spatial_x[to] = m.level[l].spatial_x[d];
                img.level[l].spatial_y[to] = m.level[l].spatial_y[d];
                img.level[l].order[d] = (uint8_t)sigma_dim(m.level[l].order[d]);
            }
        struct model_stats a, b;
        int ra = model_eval(f.arch, &f.prob, &m, &a, NULL);
        int rb = model_eval(f.arch, &f.prob, &img, &b, NULL);
        ck_assert_int_eq(ra, rb);
        if (ra != 0)
            continue;
        valid++;
        ck_assert_msg(a.energy_pj == b.energy_pj && a.cycles == b.cycles,
                      "energy %.17g vs %.17g, cycles %llu vs %llu", a.energy_pj, b.energy_pj,
                      (unsigned long long)a.cycles, (unsigned long long)b.cycles);
    }
    ck_assert_uint_gt(valid, 300);
    free(s);
    sh_fixture_release(&f);
}
END_TEST

Suite *mapspace_suite(void)
{
    Suite *s = suite_create("mapspace");
    TCase *tc = tcase_create("walk");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, mapspace_should_walk_each_spatial_product_vector_once, 0, 2);
    tcase_add_test(tc, mapspace_should_walk_a_level_per_axis_when_its_axes_differ);
    tcase_add_loop_test(tc, mapspace_nodes_should_bound_the_spatial_product_of_every_completion,
                        0, 3);
    tcase_add_loop_test(tc, mapspace_should_walk_one_of_each_mirror_image_of_a_square_layer, 0, 2);
    tcase_add_loop_test(tc, model_should_cost_a_mapping_and_its_mirror_image_the_same, 0, 2 * 3);
    suite_add_tcase(s, tc);
    tc = tcase_create("groups");
    tcase_add_loop_test(tc, mapspace_groups_should_be_at_most_the_models_and_exact_for_unit_steps,
                        0, 3 * 3);
    suite_add_tcase(s, tc);
    tc = tcase_create("tables");
    tcase_add_loop_test(tc, mapspace_box_words_should_be_the_tensors_box_words, 0, 3 * 3);
    tcase_add_loop_test(tc, mapspace_split_table_should_give_the_largest_share_that_fits, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
