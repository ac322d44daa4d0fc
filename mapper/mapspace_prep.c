/*
 * mapspace_prep: a space's preparation (see mapspace.h): the bypass
 * choices, the levels' spatial modes, the tensors' anchors and windows,
 * the walk order and its mirror pairs, each dim's divisors and primes, and
 * the check that fixed factors divide the bounds.  Once per problem, so
 * it favours plain loops over speed.
 */
#include "mapspace.h"

#include <string.h>

#include "../common/ckd.h"

/* The divisors of n (1 <= n < 2^32) in ascending order: pairs (q, n / q)
 * for q up to the square root, the large ones filled in from the end. */
static int divisors(uint64_t n, uint32_t *out, uint32_t *count)
{
    if (n == 0 || n > UINT32_MAX)
        return -1;
    uint32_t small = 0, large = 0;
    uint32_t big[MAPSPACE_MAX_DIVISORS];
    for (uint64_t q = 1; q * q <= n; q++)
        if (n % q == 0) {
            out[small++] = (uint32_t)q;
            if (q * q != n)
                big[large++] = (uint32_t)(n / q);
        }
    for (uint32_t i = 0; i < large; i++)
        out[small + i] = big[large - 1 - i];
    *count = small + large;
    return 0;
}

/* split[P] for fanouts fx, fy (see mapspace.h): by trial of every number
 * up to the square root of each P. */
static void split_table(uint64_t fx, uint64_t fy, uint16_t *split)
{
    for (uint64_t P = fx + 1; P <= fx * fy && P <= MAPSPACE_SPLIT_TABLE; P++) {
        uint64_t best = 1;
        for (uint64_t t = 2; t * t <= P; t++)
            if (P % t == 0) {
                if (t <= fx && t > best)
                    best = t;
                if (P / t <= fx && P / t > best)
                    best = P / t;
            }
        split[P] = (uint16_t)(P / best <= fy ? best : 0);
    }
}

/* The dim sigma maps d to: P <-> Q and R <-> S swapped, others kept. */
static int mirror_dim(int d)
{
    switch (d) {
    case DIM_P: return DIM_Q;
    case DIM_Q: return DIM_P;
    case DIM_R: return DIM_S;
    case DIM_S: return DIM_R;
    default: return d;
    }
}

/* Whether every mapping costs what its image under sigma costs: the
 * bounds, every tensor's indices (as a multiset: the model multiplies
 * over them) and the constraints are the same under sigma, and no level's
 * order is constrained (a prefix of P would have no image). */
static bool sigma_symmetric(const struct mapspace *s)
{
    const struct problem *p = s->prob;
    if (p->bound[DIM_P] != p->bound[DIM_Q] || p->bound[DIM_R] != p->bound[DIM_S] ||
        (p->bound[DIM_P] == 1 && p->bound[DIM_R] == 1))
        return false;
    for (int sl = 0; sl < SLOT_COUNT; sl++) {
        const struct tensor_spec *t = &p->tensor[sl];
        for (int i = 0; i < t->rank; i++) {
            int same = 0, images = 0;
            for (int j = 0; j < t->rank; j++) {
                bool eq = true, img = true;
                for (int d = 0; d < DIM_COUNT; d++) {
                    eq &= t->index[j].coef[d] == t->index[i].coef[d];
                    img &= t->index[j].coef[mirror_dim(d)] == t->index[i].coef[d];
                }
                same += eq;
                images += img;
            }
            if (same != images)
                return false;
        }
    }
    for (int l = 0; l < s->nlevels; l++) {
        const struct level_constraint *lc = &s->cons.level[l];
        if (lc->order_prefix_len || lc->order_exact)
            return false;
        for (int d = 0; d < DIM_COUNT; d++) {
            int e = mirror_dim(d);
            if (lc->temporal[d] != lc->temporal[e] || lc->spatial_x[d] != lc->spatial_x[e] ||
                lc->spatial_y[d] != lc->spatial_y[e] ||
                ((lc->spatial_x_dims >> d) & 1) != ((lc->spatial_x_dims >> e) & 1) ||
                ((lc->spatial_y_dims >> d) & 1) != ((lc->spatial_y_dims >> e) & 1))
                return false;
        }
    }
    return true;
}

int mapspace_init(struct mapspace *s, const struct arch *a, const struct problem *p,
                  const struct constraints *c, struct err *err)
{
    memset(s, 0, sizeof *s);
    s->arch = a;
    s->prob = p;
    s->nlevels = a->nlevels;
    for (int l = 0; l < a->nlevels; l++) {
        const struct arch_level *al = &a->level[l];
        s->read_pw[l] = al->read_pj / al->block_words;
        s->update_pw[l] = al->update_pj / al->block_words;
        s->fill_pw[l] = al->fill_pj / al->block_words;
        s->one_instance[l] = l == 0 || (s->one_instance[l - 1] && a->level[l - 1].fanout_x == 1 &&
                                        a->level[l - 1].fanout_y == 1);
    }
    if (c)
        s->cons = *c;
    else
        constraints_init(&s->cons, a);
    for (int l = 0; l < a->nlevels; l++) {
        const struct level_constraint *lc = &s->cons.level[l];
        for (int sl = 0; sl < SLOT_COUNT; sl++) {
            if (!a->level[l].keeps[sl])
                continue;
            if (l == 0 || lc->keep[sl] == KEEP_FORCE)
                s->forced_keep[l][sl] = true;
            else if (lc->keep[sl] == KEEP_FREE) {
                s->free_level[s->nfree] = (uint8_t)l;
                s->free_slot[s->nfree++] = (uint8_t)sl;
            }
            s->may_keep[l][sl] = s->forced_keep[l][sl] || lc->keep[sl] == KEEP_FREE;
        }
    }
    for (int l = 0; l < a->nlevels; l++) {
        const struct level_constraint *lc = &s->cons.level[l];
        bool mirror = a->level[l].fanout_x == a->level[l].fanout_y &&
                      a->level[l].fanout_x > 1 && lc->spatial_x_dims == lc->spatial_y_dims;
        for (int d = 0; d < DIM_COUNT && mirror; d++)
            mirror = lc->spatial_x[d] == lc->spatial_y[d];
        s->xy_mirror[l] = mirror;
        bool product = lc->spatial_x_dims == lc->spatial_y_dims;
        for (int d = 0; d < DIM_COUNT && product; d++)
            product = !lc->spatial_x[d] && !lc->spatial_y[d];
        s->by_product[l] = product;
        if (product) {
            s->xy_mirror[l] = false;
            split_table(a->level[l].fanout_x, a->level[l].fanout_y, s->split[l]);
        }
    }
    for (int d = 0; d < DIM_COUNT; d++) {
        uint64_t n = p->bound[d];
        for (uint64_t q = 2; q * q <= n && n <= UINT32_MAX; q++)
            if (n % q == 0) {
                s->prime[d][s->nprimes[d]++] = (uint32_t)q;
                while (n % q == 0)
                    n /= q;
            }
        if (n > 1 && n <= UINT32_MAX)
            s->prime[d][s->nprimes[d]++] = (uint32_t)n;
    }
    for (int sl = 0; sl < SLOT_COUNT; sl++) {
        const struct tensor_spec *t = &p->tensor[sl];
        for (int i = 0; i < t->rank; i++) {
            int moving = 0;
            for (int d = 0; d < DIM_COUNT; d++)
                if (t->index[i].coef[d] != 0 && p->bound[d] > 1) {
                    int64_t coef = t->index[i].coef[d];
                    moving++;
                    s->index_dims[sl][i] |= (uint8_t)(1u << d);
                    s->term[sl][s->nterms[sl]++] = (struct mapspace_term){
                        (uint8_t)d, false, (uint64_t)(coef < 0 ? -coef : coef) };
                }
            if (moving)
                s->term[sl][s->nterms[sl] - 1].last = true;
            if (moving > 1) {
                s->sliding[sl] = true;
                s->window_mask[sl] |= (uint8_t)(1u << i);
            }
        }
        for (int d = 0; d < DIM_COUNT; d++) {
            bool used = false, alone = p->bound[d] > 1;
            for (int i = 0; i < t->rank; i++) {
                if (!t->index[i].coef[d])
                    continue;
                used = true;
                for (int e = 0; e < DIM_COUNT; e++)
                    if (e != d && t->index[i].coef[e] && p->bound[e] > 1)
                        alone = false;
            }
            if (used && alone)
                s->anchor[sl] |= (uint8_t)(1u << d);
        }
        for (int i = 0; i < t->rank; i++) {
            bool own = (s->window_mask[sl] >> i) & 1;
            for (int k = 0; k < t->rank && own; k++)
                own = k == i || !(s->index_dims[sl][k] & s->index_dims[sl][i]);
            s->group_windows[sl] |= (uint8_t)(own << i);
        }
        s->words[sl] = (double)mapspace_box_words(s, sl, p->bound);
    }
    for (int d = 0; d < DIM_COUNT; d++)
        if (divisors(p->bound[d], s->divisor[d], &s->ndivisors[d]) < 0)
            return err_set(err, ERR_TOO_LARGE, "%s %s: the bound %llu of %c is too large "
                           "(at most 2^32 - 1)", p->layer, kernel_name(p->kernel),
                           (unsigned long long)p->bound[d], dim_letter((enum dim)d));
    /* The walk order: the dims of bound 1 first (they take factor 1
     * everywhere, so a level is complete as soon as its last real dim is
     * placed), then the dims that move a window (the bounds of the
     * exhaustive search count a window only once all its dims are placed),
     * then the other dims of a tensor with a window, then the rest; by
     * bound, largest first, within each; ties in dim order.  The bounds of
     * a partial level grow fastest when the tensor with windows, whose
     * accesses they bound least exactly, is decided first: on the 3x3
     * convolutions of the benchmarks every kernel visits half the nodes
     * it visits with its channel dims in plain dim order. */
    int key[DIM_COUNT];
    for (int d = 0; d < DIM_COUNT; d++) {
        bool window = false, windowed = false;
        for (int sl = 0; sl < SLOT_COUNT; sl++)
            for (int i = 0; i < p->tensor[sl].rank; i++) {
                bool moves = (s->index_dims[sl][i] >> d) & 1;
                window |= ((s->window_mask[sl] >> i) & 1) && moves;
                windowed |= s->sliding[sl] && moves;
            }
        key[d] = p->bound[d] == 1 ? 3 : window ? 2 : windowed ? 1 : 0;
        s->walk_order[d] = (uint8_t)d;
    }
    for (int i = 1; i < DIM_COUNT; i++)
        for (int j = i; j > 0; j--) {
            int da = s->walk_order[j - 1], db = s->walk_order[j];
            bool swap = key[db] > key[da] ||
                        (key[db] == key[da] && p->bound[db] > p->bound[da]);
            if (!swap)
                break;
            s->walk_order[j - 1] = (uint8_t)db;
            s->walk_order[j] = (uint8_t)da;
        }
    /* Under sigma, the later of two mirror dims in the walk order is
     * compared with the earlier one (see mapspace.h). */
    bool sigma = sigma_symmetric(s);
    for (int i = 0; i < DIM_COUNT; i++) {
        int d = s->walk_order[i], e = mirror_dim(d);
        s->mirror_of[i] = -1;
        for (int k = 0; k < i && sigma && p->bound[d] > 1; k++)
            if (s->walk_order[k] == e)
                s->mirror_of[i] = (int8_t)e;
    }
    for (int d = 0; d < DIM_COUNT; d++) {
        uint64_t fixed = 1;
        for (int l = 0; l < a->nlevels; l++) {
            const struct level_constraint *lc = &s->cons.level[l];
            uint64_t f[3] = { lc->temporal[d], lc->spatial_x[d], lc->spatial_y[d] };
            for (int i = 0; i < 3; i++) {
                if (!f[i])
                    continue;
                if (ckd_mul_u64(&fixed, fixed, f[i]) || p->bound[d] % fixed != 0)
                    return err_set(err, ERR_NO_MAPPING,
                                   "%s: fixed factors of dim %c do not divide its bound %llu",
                                   s->cons.source[l][0] ? s->cons.source[l] : "constraints",
                                   dim_letter((enum dim)d),
                                   (unsigned long long)p->bound[d]);
            }
        }
    }
    return 0;
}

uint64_t mapspace_bypass_count(const struct mapspace *s)
{
    return 1ull << s->nfree;
}

void mapspace_set_bypass(const struct mapspace *s, uint64_t i, struct mapping *m)
{
    for (int l = 0; l < s->nlevels; l++)
        for (int sl = 0; sl < SLOT_COUNT; sl++)
            m->level[l].bypass[sl] = !s->forced_keep[l][sl];
    for (int f = 0; f < s->nfree; f++)
        m->level[s->free_level[f]].bypass[s->free_slot[f]] = !((i >> f) & 1);
}
