/*
 * nest: tiles, temporal deltas, multicast groups and partitions of one
 * mapping (MODEL.md R1, R4, R5/R6, R7).
 *
 * On the mapper's hot path: every function here runs for every tensor and
 * level of every evaluated mapping, so nothing allocates and the temporal
 * walk of R4 is computed in closed form over the ruler sequence of the
 * sampled nest (O(k^2) for k loops) rather than step by step (2^k).
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

static int64_t abs64(int64_t x) { return x < 0 ? -x : x; }

void nest_build(struct nest *n, const struct arch *a, const struct problem *p,
                const struct mapping *m)
{
    n->arch = a;
    n->prob = p;
    n->map = m;
    n->nlevels = a->nlevels;
    n->overflow = false;
    int L = n->nlevels;
    for (int d = 0; d < DIM_COUNT; d++)
        n->ext[L][d] = 1;
    for (int l = L - 1; l >= 0; l--) {
        const struct mapping_level *ml = &m->level[l];
        for (int d = 0; d < DIM_COUNT; d++) {
            n->spatial[l][d] = (uint64_t)ml->spatial_x[d] * ml->spatial_y[d];
            n->ext[l][d] = mul_ck(n, mul_ck(n, n->ext[l + 1][d], ml->temporal[d]),
                                  n->spatial[l][d]);
        }
    }
    n->nloops = 0;
    n->compute_cycles = 1;
    for (int l = 0; l < L; l++) {
        const struct mapping_level *ml = &m->level[l];
        n->first_loop[l] = n->nloops;
        for (int i = 0; i < DIM_COUNT; i++) {
            int d = ml->order[i];
            if (ml->temporal[d] <= 1)
                continue;
            struct nest_loop *lp = &n->loop[n->nloops++];
            lp->level = (uint8_t)l;
            lp->dim = (uint8_t)d;
            lp->bound = ml->temporal[d];
            lp->stride = mul_ck(n, n->spatial[l][d], n->ext[l + 1][d]);
            n->compute_cycles = mul_ck(n, n->compute_cycles, ml->temporal[d]);
        }
        for (int s = 0; s < SLOT_COUNT; s++)
            n->keeps[l][s] = a->level[l].keeps[s] && !ml->bypass[s];
    }
    n->first_loop[L] = n->nloops;
}

/* Extent of index i of tensor t when every dim d spans ext[d]. */
static uint64_t index_extent(struct nest *n, const struct tensor_spec *t, int i,
                             const uint64_t *ext)
{
    uint64_t e = 1;
    for (int d = 0; d < DIM_COUNT; d++) {
        int64_t c = t->index[i].coef[d];
        if (c != 0)
            e = add_ck(n, e, mul_ck(n, (uint64_t)abs64(c), ext[d] - 1));
    }
    return e;
}

static uint64_t box_words(struct nest *n, const struct tensor_spec *t,
                          const uint64_t *ext)
{
    uint64_t w = 1;
    for (int i = 0; i < t->rank; i++)
        w = mul_ck(n, w, index_extent(n, t, i, ext));
    return w;
}

uint64_t nest_tile_words(const struct nest *n, enum slot s, int l)
{
    /* index_extent only flags overflow, which nest_build already bounds. */
    return box_words((struct nest *)n, &n->prob->tensor[s], n->ext[l]);
}

/*
 * R4 in closed form.  Number the k loops above c from the innermost (j = 0).
 * The sampled walk is a binary counter: the step that advances loop j resets
 * every loop inside it, so its translation is v_j = e_j - sum_{m<j} e_m and
 * the transitions form the ruler sequence T(m) = T(m-1), m-1, T(m-1).  What
 * a transition receives depends only on j and the remembered translation, so
 * G[m][S] = (weighted words received in T(m) entered with state S, state at
 * its end) follows from G[m-1]:
 *   G[m][S] = a + (n_j - 1) * (r + b), with (a, S1) = G[m-1][S],
 *   (r, S2) = transition j from S1, (b, S3) = G[m-1][S2], end state S3.
 * States: 0 = nothing remembered, 1 + i = the translation v_i (i the first
 * loop with that translation).
 */
#define MAX_LOOPS (ARCH_MAX_LEVELS * DIM_COUNT)

uint64_t nest_received_words(struct nest *n, enum slot s, int c)
{
    if (c >= n->nlevels)
        return n->compute_cycles;
    const struct tensor_spec *t = &n->prob->tensor[s];
    int k = n->first_loop[c];
    int rank = t->rank;
    uint64_t box[TENSOR_MAX_RANK];
    uint64_t size = 1;
    for (int i = 0; i < rank; i++) {
        box[i] = index_extent(n, t, i, n->ext[c]);
        size = mul_ck(n, size, box[i]);
    }
    int64_t inner[TENSOR_MAX_RANK] = { 0 };     /* sum of e_m, m < j */
    int64_t v[MAX_LOOPS][TENSOR_MAX_RANK];
    uint64_t diff[MAX_LOOPS];
    uint8_t canon[MAX_LOOPS];
    for (int j = 0; j < k; j++) {
        const struct nest_loop *lp = &n->loop[k - 1 - j];
        uint64_t overlap = 1;
        for (int i = 0; i < rank; i++) {
            int64_t e = (int64_t)t->index[i].coef[lp->dim] * (int64_t)lp->stride;
            v[j][i] = e - inner[i];
            inner[i] += e;
            int64_t mv = abs64(v[j][i]);
            overlap *= (uint64_t)mv >= box[i] ? 0 : box[i] - (uint64_t)mv;
        }
        diff[j] = size - overlap;
        canon[j] = (uint8_t)j;
        for (int i = 0; i < j; i++)
            if (memcmp(v[i], v[j], sizeof(int64_t) * (size_t)rank) == 0) {
                canon[j] = canon[i];
                break;
            }
    }
    uint64_t sum[2][MAX_LOOPS + 1];
    uint8_t end[2][MAX_LOOPS + 1];
    int cur = 0;
    for (int st = 0; st <= k; st++) {
        sum[cur][st] = 0;
        end[cur][st] = (uint8_t)st;
    }
    for (int j = 0; j < k; j++) {
        int nxt = cur ^ 1;
        uint64_t w = n->loop[k - 1 - j].bound - 1;
        int mine = 1 + canon[j];
        for (int st = 0; st <= k; st++) {
            int s1 = end[cur][st], s2;
            uint64_t r;
            if (s1 == 0) {
                r = diff[j];
                s2 = mine;
            } else if (s1 == mine) {
                r = diff[j];
                s2 = s1;
            } else {
                r = size;
                s2 = 0;
            }
            uint64_t inside = add_ck(n, r, sum[cur][s2]);
            sum[nxt][st] = add_ck(n, sum[cur][st], mul_ck(n, w, inside));
            end[nxt][st] = end[cur][s2];
        }
        cur = nxt;
    }
    return add_ck(n, size, sum[cur][0]);
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

uint64_t nest_groups(const struct nest *n, enum slot s, int f)
{
    const struct tensor_spec *t = &n->prob->tensor[s];
    int dims[DIM_COUNT], nd = 0;
    for (int d = 0; d < DIM_COUNT; d++)
        if (n->spatial[f][d] > 1 && tensor_uses_dim(t, (enum dim)d))
            dims[nd++] = d;
    if (nd == 0)
        return 1;
    /* Union-find over the spatial dims by shared index. */
    int comp[DIM_COUNT];
    for (int a = 0; a < nd; a++)
        comp[a] = a;
    for (int i = 0; i < t->rank; i++) {
        int first = -1;
        for (int a = 0; a < nd; a++) {
            if (t->index[i].coef[dims[a]] == 0)
                continue;
            if (first < 0) {
                first = a;
                continue;
            }
            int from = comp[a], to = comp[first];
            for (int b = 0; b < nd; b++)
                if (comp[b] == from)
                    comp[b] = to;
        }
    }
    uint64_t groups = 1;
    for (int root = 0; root < nd; root++) {
        int member[DIM_COUNT], nm = 0;
        for (int a = 0; a < nd; a++)
            if (comp[a] == root)
                member[nm++] = dims[a];
        if (nm == 0)
            continue;
        if (nm == 1) {
            groups *= n->spatial[f][member[0]];
            continue;
        }
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

uint64_t nest_partition(struct nest *n, enum slot s, int l)
{
    const struct tensor_spec *t = &n->prob->tensor[s];
    uint64_t part = box_words(n, t, n->ext[0]);
    for (int c = 1; c <= l; c++) {
        int p = c - 1;
        uint64_t size_c = box_words(n, t, n->ext[c]);
        uint64_t spread[DIM_COUNT];
        bool fans = false;
        for (int d = 0; d < DIM_COUNT; d++) {
            spread[d] = mul_ck(n, n->ext[c][d], n->spatial[p][d]);
            fans |= n->spatial[p][d] > 1;
        }
        uint64_t span = fans ? box_words(n, t, spread) : size_c;
        part = (uint64_t)((unsigned __int128)part * size_c / span);
    }
    return part;
}
