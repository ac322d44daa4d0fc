/*
 * nest: tiles, temporal deltas, multicast groups and partitions of one
 * mapping (MODEL.md R1, R4, R5/R6, R7).
 *
 * On the mapper's hot path (millions of calls per search, a few hundred
 * nanoseconds each): every function here runs for every tensor and level
 * of every evaluated mapping, so nothing allocates, what depends on the
 * problem alone comes prepared (struct model_prep), and the temporal walk
 * of R4 is computed in closed form over the ruler sequence of the sampled
 * nest (O(k * rank) for k loops) rather than step by step (2^k); most
 * tensors and levels need not even that (no loop above them moves a
 * window).  Loops over dims and indices are unrolled where profiles showed
 * their overhead.
 */
#include "nest.h"

#include <string.h>

static uint64_t mul_ck(struct nest *n, uint64_t a, uint64_t b)
{
    uint64_t r;
    if (__builtin_mul_overflow(a, b, &r)) {
        n->overflow = true;
        return UINT64_MAX;
    }
    return r;
}

static uint64_t add_ck(struct nest *n, uint64_t a, uint64_t b)
{
    uint64_t r;
    if (__builtin_add_overflow(a, b, &r)) {
        n->overflow = true;
        return UINT64_MAX;
    }
    return r;
}

_Static_assert(SLOT_COUNT == 3, "nest_build reads the three bypass flags");

static int64_t abs64(int64_t x) { return x < 0 ? -x : x; }

/* Words of slot s's box over the children of one instance of level p
 * (child level c = p + 1): every dim spans its extent at c times its
 * spatial factor at p.  With overflow checks. */
static uint64_t spread_box_words(struct nest *n, const struct model_prep_tensor *pt, int p)
{
    const uint64_t *ext = n->ext[p + 1], *sp = n->spatial[p];
    uint64_t w = 1;
    for (int i = 0; i < pt->rank; i++) {
        uint64_t e = 1;
        for (int j = 0; j < pt->nterms[i]; j++) {
            int d = pt->dim[i][j];
            e = add_ck(n, e, mul_ck(n, pt->coef[i][j], mul_ck(n, ext[d], sp[d]) - 1));
        }
        w = mul_ck(n, w, e);
    }
    return w;
}

/* ext, spatial, spread, fanouts and children from the factors; returns
 * false when a product does not fit 64 bits. */
static bool multiply_factors(struct nest *n, const struct mapping *m)
{
    int L = n->nlevels;
    /* Products of factors of at most 32 bits each, in 128 bits: their high
     * halves are ORed together and tested once. */
    uint64_t high = 0;
    for (int d = 0; d < DIM_COUNT; d++)
        n->ext[L][d] = 1;
    for (int l = L - 1; l >= 0; l--) {
        const struct mapping_level *ml = &m->level[l];
        uint64_t fx = 1, fy = 1;
#pragma GCC unroll 8
        for (int d = 0; d < DIM_COUNT; d++) {
            uint64_t sp = (uint64_t)ml->spatial_x[d] * ml->spatial_y[d];
            n->spatial[l][d] = sp;
            fx *= ml->spatial_x[d];
            fy *= ml->spatial_y[d];
            unsigned __int128 t = (unsigned __int128)n->ext[l + 1][d] * ml->temporal[d];
            high |= (uint64_t)(t >> 64);
            t = (unsigned __int128)(uint64_t)t * sp;
            high |= (uint64_t)(t >> 64);
            n->ext[l][d] = (uint64_t)t;
        }
        /* The product of the spatial factors, 64-bit like its parts: 1 for
         * most levels, which then spread over no dim.  (When the factors
         * multiply to the bounds, the product does not wrap: it is at most
         * the product of the bounds, which the derivation of the problem
         * checked, like the tensor sizes.) */
        uint64_t children = fx * fy;
        unsigned spread = 0;
        if (children != 1)
            for (int d = 0; d < DIM_COUNT; d++)
                spread |= (unsigned)(n->spatial[l][d] > 1) << d;
        n->spread[l] = (uint8_t)spread;
        n->fanout_x[l] = fx;
        n->fanout_y[l] = fy;
        n->children[l] = children;
    }
    return high == 0;
}

/* The temporal loops of bound > 1 outermost first, their prefix products,
 * the dims above each level, and which levels keep which slots. */
static void list_loops(struct nest *n, const struct model_prep *pp, const struct mapping *m)
{
    int L = n->nlevels;
    n->nloops = 0;
    n->compute_cycles = 1;
    n->big_step = ARCH_MAX_LEVELS * DIM_COUNT;
    unsigned keepers[SLOT_COUNT] = { 0 };
    unsigned above = 0;
    uint64_t steps = 1;
    for (int l = 0; l < L; l++) {
        const struct mapping_level *ml = &m->level[l];
        n->first_loop[l] = n->nloops;
        n->above[l] = (uint8_t)above;
#pragma GCC unroll 8
        for (int i = 0; i < DIM_COUNT; i++) {
            int d = ml->order[i];
            if (ml->temporal[d] <= 1)
                continue;
            int at = n->nloops++;
            struct nest_loop *lp = &n->loop[at];
            lp->dim = (uint8_t)d;
            lp->bound = ml->temporal[d];
            if (__builtin_mul_overflow(steps, lp->bound, &steps) && n->big_step > at)
                n->big_step = at;
            n->steps[at] = steps;
            lp->stride = n->spatial[l][d] * n->ext[l + 1][d];
            n->compute_cycles *= ml->temporal[d];
            above |= 1u << d;
        }
        unsigned bypass = (unsigned)ml->bypass[0] | (unsigned)ml->bypass[1] << 1 |
                          (unsigned)ml->bypass[2] << 2;
        unsigned keep = pp->may_keep[l] & ~bypass;
        n->keep[l] = keep;
#pragma GCC unroll 3
        for (int s = 0; s < SLOT_COUNT; s++)
            keepers[s] |= ((keep >> s) & 1) << l;
    }
    n->first_loop[L] = n->nloops;
    n->above[L] = (uint8_t)above;
    /* Element by element: one wide copy of what was just written as
     * narrow stores would stall their forwarding. */
    for (int s = 0; s < SLOT_COUNT; s++)
        n->keepers[s] = keepers[s];
}

/* Every level's boxes from the prepared values: the dims' extents, and the
 * compound extents (windows, strides) computed once for all tensors.  Dims
 * of bound 1 have extent 1 everywhere and add nothing.  Operands need tiles
 * only where they are kept; the result's partitions (R7) need every
 * level's. */
static void tile_levels(struct nest *n, const struct model_prep *pp)
{
    int ncompounds = pp->ncompounds;
    for (int l = 0; l < n->nlevels; l++) {
        const uint64_t *ext = n->ext[l];
        uint64_t val[MODEL_MAX_VALUES];
        memcpy(val, ext, sizeof n->ext[l]);
        val[MODEL_VALUE_ONE] = 1;
        for (int k = 0; k < ncompounds; k++) {
            const struct model_prep_compound *cp = &pp->compound[k];
            uint64_t e = 1;
            for (int j = 0; j < cp->nterms; j++)
                e += cp->coef[j] * (ext[cp->dim[j]] - 1);
            val[MODEL_VALUE_ONE + 1 + k] = e;
        }
        for (int s = 0; s < SLOT_COUNT; s++) {
            if (!nest_keeps(n, l, s) && s != SLOT_OUTPUTS)
                continue;
            const struct model_prep_tensor *pt = &pp->tensor[s];
            const uint8_t *value = pt->value;
            int rank = pt->rank;
            uint64_t *box = n->box[s][l];
            if (rank == 4 && !pt->windows) {
                /* The common rank, multiplied as a tree (a shorter chain);
                 * the boxes only the walk reads are left out. */
                uint64_t e0 = val[value[0]], e1 = val[value[1]];
                uint64_t e2 = val[value[2]], e3 = val[value[3]];
                n->tile[s][l] = (e0 * e1) * (e2 * e3);
                continue;
            }
            uint64_t w = 1;
            for (int i = 0; i < rank; i++) {
                uint64_t e = val[value[i]];
                box[i] = e;
                w *= e;
            }
            n->tile[s][l] = w;
        }
    }
}

bool nest_build(struct nest *n, const struct model_prep *pp, const struct mapping *m)
{
    n->prep = pp;
    n->map = m;
    n->nlevels = pp->nlevels;
    n->factors_ok = false;
    n->overflow = !multiply_factors(n, m);
    if (n->overflow)
        return false;
    /* One by one: ext was just stored as scalars, and a vector load of
     * them would wait for the stores to retire. */
    for (int d = 0; d < DIM_COUNT; d++)
        if (n->ext[0][d] != pp->prob->bound[d])
            return false;
    n->factors_ok = true;
    list_loops(n, pp, m);
    tile_levels(n, pp);
    return true;
}

/*
 * R4 in closed form.  Number the k loops above c from the innermost (j = 0).
 * The sampled walk is a binary counter: the step that advances loop j resets
 * every loop inside it, so its translation is v_j = e_j - sum_{m<j} e_m and
 * the transitions form the ruler sequence T(m) = T(m-1), t_{m-1}, T(m-1).
 *
 * Every T(m) starts with t_0, whose outcome depends on the remembered
 * translation S only through one question: is S nothing or v_0 (class A),
 * or something else (class B)?  After t_0 the walk no longer depends on S.
 * So two sums per m suffice: G[m][c] = words received during T(m) entered
 * in class c, weighted by the loops inside m, and E[m][c] = the state at
 * its end.  With (r, S2) the outcome of t_{m-1} from E[m-1][c] and c2 the
 * class of S2:
 *   G[m][c] = G[m-1][c] + (n_{m-1} - 1) * (r + G[m-1][c2]),
 *   E[m][c] = E[m-1][c2].
 * A state is 0 (nothing remembered) or 1 + j, standing for the translation
 * v_j.  O(k * rank) per tensor and level.
 */
#define MAX_LOOPS (ARCH_MAX_LEVELS * DIM_COUNT)

static inline bool same_translation(const int64_t *a, const int64_t *b, int rank)
{
#pragma GCC unroll 6
    for (int i = 0; i < rank; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/* Transition t_j of the walk from state s1: what it receives (r) and
 * whether the state it leaves is of class A. */
struct step {
    uint64_t r;
    bool a;
};

static inline struct step walk_step(int64_t (*v)[TENSOR_MAX_RANK], const uint64_t *diff,
                                    const bool *zero, int rank, uint64_t size, int j, int s1)
{
    struct step st;
    int s2;
    if (s1 == 0 || same_translation(v[s1 - 1], v[j], rank)) {
        st.r = diff[j];
        s2 = s1 == 0 ? 1 + j : s1;
    } else {
        st.r = size;
        s2 = 0;
    }
    st.a = s2 == 0 || zero[s2 - 1];
    return st;
}

/* The general walk, for a tensor whose tiles can overlap their translates
 * (k >= 1 loops above c).  Inlined into walk() once per rank it is
 * specialised for. */
static inline __attribute__((always_inline)) uint64_t
walk_rank(struct nest *n, const struct model_prep_tensor *pt, const uint64_t *box,
          uint64_t size, int k, const int rank)
{
    int64_t inner[TENSOR_MAX_RANK] = { 0 };     /* sum of e_m, m < j */
    int64_t v[MAX_LOOPS][TENSOR_MAX_RANK];
    uint64_t diff[MAX_LOOPS];
    bool overlaps = false;
    for (int j = 0; j < k; j++) {
        const struct nest_loop *lp = &n->loop[k - 1 - j];
        int64_t *vj = v[j];
        /* Dense over the indices (the step is 0 where the loop's dim does
         * not move the tile), so that inner stays in registers. */
        const int64_t *step = pt->step[lp->dim];
        int64_t stride = (int64_t)lp->stride;
#pragma GCC unroll 6
        for (int i = 0; i < rank; i++) {
            int64_t e = step[i] * stride;
            vj[i] = e - inner[i];
            inner[i] += e;
        }
        uint64_t overlap = 1;
#pragma GCC unroll 6
        for (int i = 0; i < rank; i++) {
            uint64_t mv = (uint64_t)abs64(vj[i]);
            overlap *= mv >= box[i] ? 0 : box[i] - mv;
        }
        diff[j] = size - overlap;
        overlaps |= overlap != 0 && overlap != size;
    }
    /* Closed form when no step keeps part of the tile: loops inside the
     * innermost one that moves the tile are stationary and cost nothing
     * (the state before each moving step is then always the remembered zero
     * translation, so it is received whole); every step of the loops from
     * there outward receives the whole tile. */
    int moving = 0;
    while (moving < k && diff[moving] == 0)
        moving++;
    bool whole = !overlaps;
    for (int j = moving; j < k && whole; j++)
        whole = diff[j] == size;
    if (whole) {
        uint64_t words = size;
        for (int i = 0; i < k - moving; i++)
            words = mul_ck(n, words, n->loop[i].bound);
        return words;
    }
    /* zero[j]: v_j equals v_0, so remembering v_j leaves class A. */
    bool zero[MAX_LOOPS];
    for (int j = 0; j < k; j++)
        zero[j] = same_translation(v[j], v[0], rank);
    /* G and E of classes A and B in scalars, not arrays: the update reads
     * both halves of what it just wrote, which an array turns into a
     * stalled store-to-load forward on every step.  Step 0 in closed form:
     * class A (nothing remembered) receives diff_0 and remembers v_0,
     * class B receives the whole tile and forgets. */
    uint64_t w0 = n->loop[k - 1].bound - 1;
    uint64_t ga = mul_ck(n, w0, diff[0]), gb = mul_ck(n, w0, size);
    int ea = 1, eb = 0;         /* E[m][A], E[m][B] */
    for (int j = 1; j < k; j++) {
        uint64_t w = n->loop[k - 1 - j].bound - 1;
        struct step a = walk_step(v, diff, zero, rank, size, j, ea);
        struct step b = walk_step(v, diff, zero, rank, size, j, eb);
        uint64_t nga = add_ck(n, ga, mul_ck(n, w, add_ck(n, a.r, a.a ? ga : gb)));
        uint64_t ngb = add_ck(n, gb, mul_ck(n, w, add_ck(n, b.r, b.a ? ga : gb)));
        int nea = a.a ? ea : eb, neb = b.a ? ea : eb;
        ga = nga;
        gb = ngb;
        ea = nea;
        eb = neb;
    }
    return add_ck(n, size, ga);
}

/* Kept out of line: its frame is large and most calls never need it.  Rank
 * 4 (N, C, H, W, the inputs of a convolution) gets loops the compiler
 * unrolls. */
static __attribute__((noinline)) uint64_t walk(struct nest *n, const struct model_prep_tensor *pt,
                                               const uint64_t *box, uint64_t size, int k)
{
    if (pt->rank == 4)
        return walk_rank(n, pt, box, size, k, 4);
    return walk_rank(n, pt, box, size, k, pt->rank);
}

uint64_t nest_received_words(struct nest *n, enum slot s, int c)
{
    if (c >= n->nlevels)
        return n->compute_cycles;
    const struct model_prep_tensor *pt = &n->prep->tensor[s];
    int k = n->first_loop[c];
    uint64_t size = n->tile[s][c];
    if (k == 0)
        return size;
    if (n->above[c] & pt->windows)
        return walk(n, pt, n->box[s][c], size, k);
    /* The loops above c move only indices that follow one dim (no window
     * among them).  Such a loop of dim d moves the tile by its stride less
     * the strides of the loops of d inside it, at least the innermost
     * one's, which is at least d's extent at c; so no step keeps part of
     * the tile, and the closed form of walk() applies; only the innermost
     * moving loop needs finding. */
    int j = k - 1;
    unsigned uses = pt->uses;
    while (j >= 0 && !((uses >> n->loop[j].dim) & 1))
        j--;
    /* size times the bounds of loops 0..j. */
    if (j < 0)
        return size;
    if (j >= n->big_step) {
        n->overflow = true;
        return UINT64_MAX;
    }
    return mul_ck(n, size, n->steps[j]);
}

/*
 * Distinct positions of the tensor's tile over the spatial loops of level f.
 * A spatial loop of dim d moves index i by coef[i][d] * ext[f+1][d] per
 * step.  Dims that share no index with another spatial dim contribute their
 * factor (x * e is distinct for distinct x when e != 0); dims coupled
 * through a shared index (a sliding window split over P and R, say) are
 * enumerated together and their distinct positions counted in a bitmap.
 */
#define GROUP_BITMAP_BITS (1u << 18)

/*
 * Distinct values of a*x + b*y, 0 <= x < n1, 0 <= y < n2, when dims d1 and
 * d2 move exactly one shared index with steps of one sign (a window split
 * over P and R, say).  With a' = a/g, b' = b/g (g = gcd), the pairs with
 * equal values form chains (x + k b', y - k a'); each chain is one value, so
 * the count is the number of pairs minus those with a predecessor:
 * n1 n2 - (n1 - b')+ (n2 - a')+.  Returns 0 when the dims do not fit that
 * shape (the caller then enumerates).
 */
/* Greatest common divisor by shifts (Stein): no division on the hot
 * path.  gcd(x, 0) = x. */
static uint64_t gcd(uint64_t a, uint64_t b)
{
    if (a == 0 || b == 0)
        return a | b;
    int shift = __builtin_ctzll(a | b);
    a >>= __builtin_ctzll(a);
    do {
        b >>= __builtin_ctzll(b);
        if (a > b) {
            uint64_t t = a;
            a = b;
            b = t;
        }
        b -= a;
    } while (b);
    return a << shift;
}

static uint64_t coupled_pair(const struct nest *n, const struct tensor_spec *t,
                             int f, int d1, int d2)
{
    int shared = -1;
    for (int i = 0; i < t->rank; i++) {
        bool u1 = t->index[i].coef[d1] != 0, u2 = t->index[i].coef[d2] != 0;
        if (u1 != u2)
            return 0;           /* one of them also moves another index */
        if (u1) {
            if (shared >= 0)
                return 0;
            shared = i;
        }
    }
    int64_t c1 = t->index[shared].coef[d1], c2 = t->index[shared].coef[d2];
    if ((c1 < 0) != (c2 < 0))
        return 0;
    uint64_t a = (uint64_t)abs64(c1) * n->ext[f + 1][d1];
    uint64_t b = (uint64_t)abs64(c2) * n->ext[f + 1][d2];
    uint64_t g = gcd(a, b);
    uint64_t n1 = n->spatial[f][d1], n2 = n->spatial[f][d2];
    if (g == 0)
        return 0;               /* a zero extent: enumerate */
    uint64_t a1 = g == 1 ? a : a / g, b1 = g == 1 ? b : b / g;
    uint64_t pred = (n1 > b1 ? n1 - b1 : 0) * (n2 > a1 ? n2 - a1 : 0);
    return n1 * n2 - pred;
}

uint64_t nest_groups(const struct nest *n, enum slot s, int f)
{
    const struct model_prep_tensor *pt = &n->prep->tensor[s];
    unsigned mask = n->spread[f] & pt->uses;
    if (mask == 0)
        return 1;
    const struct tensor_spec *t = &n->prep->prob->tensor[s];
    uint64_t groups = 1;
    /* A dim that shares no index with another spatial dim is a component
     * of its own: its factor. */
    for (unsigned b = mask; b; b &= b - 1) {
        int d = __builtin_ctz(b);
        if ((pt->couple[d] & mask) == 1u << d) {
            groups *= n->spatial[f][d];
            mask &= ~(1u << d);
        }
    }
    /* The other components of the spatial dims linked by a shared index,
     * each from its lowest dim. */
    while (mask) {
        unsigned comp = mask & -mask, frontier = comp;
        while (frontier) {
            int d = __builtin_ctz(frontier);
            frontier &= frontier - 1;
            unsigned more = pt->couple[d] & mask & ~comp;
            comp |= more;
            frontier |= more;
        }
        mask &= ~comp;
        /* Components have two dims or more here; two (a window split over
         * P and R, say) usually count in closed form. */
        unsigned second = comp & (comp - 1);
        if (second && (second & (second - 1)) == 0) {
            uint64_t pair = coupled_pair(n, t, f, __builtin_ctz(comp), __builtin_ctz(second));
            if (pair) {
                groups *= pair;
                continue;
            }
        }
        int member[DIM_COUNT], nm = 0;
        for (unsigned b = comp; b; b &= b - 1)
            member[nm++] = __builtin_ctz(b);
        /* Ranges of the touched indices, for a mixed-radix code. */
        int64_t lo[TENSOR_MAX_RANK], radix[TENSOR_MAX_RANK];
        uint64_t total = 1, combos = 1;
        for (int i = 0; i < t->rank; i++) {
            int64_t l0 = 0, h0 = 0;
            for (int a = 0; a < nm; a++) {
                int d = member[a];
                int64_t step = (int64_t)t->index[i].coef[d] * (int64_t)n->ext[f + 1][d];
                int64_t far = step * (int64_t)(n->spatial[f][d] - 1);
                if (far < 0) l0 += far; else h0 += far;
            }
            lo[i] = l0;
            radix[i] = h0 - l0 + 1;
            total *= (uint64_t)radix[i];
        }
        for (int a = 0; a < nm; a++)
            combos *= n->spatial[f][member[a]];
        if (total > GROUP_BITMAP_BITS) {
            /* Too wide to enumerate without allocating: count every child
             * as its own group (no multicast credit). */
            groups *= combos;
            continue;
        }
        uint64_t bitmap[GROUP_BITMAP_BITS / 64];
        memset(bitmap, 0, (size_t)((total + 63) / 64) * sizeof bitmap[0]);
        uint64_t x[DIM_COUNT] = { 0 };
        uint64_t distinct = 0;
        for (uint64_t it = 0; it < combos; it++) {
            uint64_t code = 0;
            for (int i = 0; i < t->rank; i++) {
                int64_t pos = -lo[i];
                for (int a = 0; a < nm; a++) {
                    int d = member[a];
                    pos += (int64_t)t->index[i].coef[d] * (int64_t)n->ext[f + 1][d] *
                           (int64_t)x[a];
                }
                code = code * (uint64_t)radix[i] + (uint64_t)pos;
            }
            uint64_t bit = 1ull << (code & 63);
            if (!(bitmap[code >> 6] & bit)) {
                bitmap[code >> 6] |= bit;
                distinct++;
            }
            for (int a = 0; a < nm; a++) {
                if (++x[a] < n->spatial[f][member[a]])
                    break;
                x[a] = 0;
            }
        }
        groups *= distinct;
    }
    return groups;
}

void nest_partitions(struct nest *n, enum slot s, uint64_t *part)
{
    const struct model_prep_tensor *pt = &n->prep->tensor[s];
    part[0] = n->tile[s][0];
    for (int c = 1; c < n->nlevels; c++) {
        int p = c - 1;
        /* A spread over no dim of the tensor spans one child's tile:
         * the partition passes down whole. */
        uint64_t size_c = n->tile[s][c];
        if (n->spread[p] & pt->uses)
            part[c] = (uint64_t)((unsigned __int128)part[p] * size_c /
                                 spread_box_words(n, pt, p));
        else
            part[c] = part[p];
    }
}
