/*
 * mapspace_sample: random points of the space and their neighbours, for
 * the sampling strategies; see mapspace.h.
 *
 * Called at every sample or annealing step, on the search's threads, each
 * with its own random state; nothing here allocates.  Prime factors are
 * moved one at a time, so a bound near 2^31 costs a trial division to its
 * square root, never a loop to the bound.
 */
#include "mapspace.h"

uint64_t mapspace_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static bool dim_allowed(uint8_t mask, int d) { return (mask >> d) & 1; }


/* The loops a prime factor of dim d may go to: 3 per level (temporal, X,
 * Y), numbered l * 3 + k; fixed loops are excluded. */
static int free_loops(const struct mapspace *s, int d, int *loop)
{
    int n = 0;
    for (int l = 0; l < s->nlevels; l++) {
        const struct arch_level *al = &s->arch->level[l];
        const struct level_constraint *lc = &s->cons.level[l];
        bool exact_excluded = lc->order_exact;
        for (int i = 0; exact_excluded && i < lc->order_prefix_len; i++)
            exact_excluded = lc->order_prefix[i] != d;
        if (!lc->temporal[d] && !exact_excluded)
            loop[n++] = l * 3;
        if (al->fanout_x > 1 && !lc->spatial_x[d] && dim_allowed(lc->spatial_x_dims, d))
            loop[n++] = l * 3 + 1;
        if (al->fanout_y > 1 && !lc->spatial_y[d] && dim_allowed(lc->spatial_y_dims, d))
            loop[n++] = l * 3 + 2;
    }
    return n;
}

static uint32_t *loop_factor(struct mapping *m, int loop, int d)
{
    struct mapping_level *ml = &m->level[loop / 3];
    return loop % 3 == 0 ? &ml->temporal[d] : loop % 3 == 1 ? &ml->spatial_x[d]
                                                           : &ml->spatial_y[d];
}

/* Product of the spatial factors on one axis of level l. */
static uint64_t axis_product(const struct mapping *m, int l, int axis)
{
    uint64_t p = 1;
    for (int d = 0; d < DIM_COUNT; d++)
        p *= axis == 1 ? m->level[l].spatial_x[d] : m->level[l].spatial_y[d];
    return p;
}

static bool loop_can_grow(const struct mapspace *s, const struct mapping *m, int loop,
                          uint64_t f)
{
    int l = loop / 3, axis = loop % 3;
    if (axis == 0)
        return true;
    uint64_t fan = axis == 1 ? s->arch->level[l].fanout_x : s->arch->level[l].fanout_y;
    return axis_product(m, l, axis) * f <= fan;
}

static void shuffle_order(const struct mapspace *s, struct mapping *m, int l, uint64_t *rng)
{
    int prefix;
    int free = mapspace_canonical_order(s, m, l, &prefix);
    uint8_t *seg = m->level[l].order + prefix;
    for (int i = free - 1; i > 0; i--) {
        int j = (int)(mapspace_rand(rng) % (uint64_t)(i + 1));
        uint8_t t = seg[i]; seg[i] = seg[j]; seg[j] = t;
    }
}

void mapspace_random(const struct mapspace *s, struct mapping *m, uint64_t *rng)
{
    for (int l = 0; l < s->nlevels; l++) {
        const struct level_constraint *lc = &s->cons.level[l];
        for (int d = 0; d < DIM_COUNT; d++) {
            struct mapping_level *ml = &m->level[l];
            ml->temporal[d] = lc->temporal[d] ? lc->temporal[d] : 1;
            ml->spatial_x[d] = lc->spatial_x[d] ? lc->spatial_x[d] : 1;
            ml->spatial_y[d] = lc->spatial_y[d] ? lc->spatial_y[d] : 1;
        }
    }
    for (int d = 0; d < DIM_COUNT; d++) {
        uint64_t rem = s->prob->bound[d];
        for (int l = 0; l < s->nlevels; l++)
            rem /= (uint64_t)m->level[l].temporal[d] * m->level[l].spatial_x[d] *
                   m->level[l].spatial_y[d];
        int loop[3 * ARCH_MAX_LEVELS];
        int n = free_loops(s, d, loop);
        for (uint64_t q = 2; rem > 1; q++) {
            while (rem % q == 0) {
                rem /= q;
                int fit[3 * ARCH_MAX_LEVELS], nf = 0;
                for (int i = 0; i < n; i++)
                    if (loop_can_grow(s, m, loop[i], q))
                        fit[nf++] = loop[i];
                /* Level 0's temporal loop always takes what is left over. */
                int to = nf ? fit[mapspace_rand(rng) % (uint64_t)nf] : 0;
                *loop_factor(m, to, d) *= (uint32_t)q;
            }
            if (q * q > rem && rem > 1) {
                q = rem - 1;     /* rem is prime: its turn next */
            }
        }
    }
    for (int l = 0; l < s->nlevels; l++)
        shuffle_order(s, m, l, rng);
}

void mapspace_neighbour(const struct mapspace *s, struct mapping *m, uint64_t *rng)
{
    uint64_t kind = mapspace_rand(rng) % 8;
    if (kind == 0 && s->nfree > 0) {
        int f = (int)(mapspace_rand(rng) % (uint64_t)s->nfree);
        bool *b = &m->level[s->free_level[f]].bypass[s->free_slot[f]];
        *b = !*b;
        return;
    }
    if (kind <= 2) {
        /* Swap two loops of factor > 1 of one level (after its prefix). */
        int l = (int)(mapspace_rand(rng) % (uint64_t)s->nlevels);
        struct mapping_level *ml = &m->level[l];
        int pos[DIM_COUNT], n = 0;
        for (int i = s->cons.level[l].order_prefix_len; i < DIM_COUNT; i++)
            if (ml->temporal[ml->order[i]] > 1)
                pos[n++] = i;
        if (n >= 2) {
            int i = (int)(mapspace_rand(rng) % (uint64_t)n);
            int j = (int)(mapspace_rand(rng) % (uint64_t)(n - 1));
            if (j >= i)
                j++;
            uint8_t t = ml->order[pos[i]];
            ml->order[pos[i]] = ml->order[pos[j]];
            ml->order[pos[j]] = t;
            return;
        }
    }
    /* Move one prime factor of a random dim from one loop to another. */
    for (int attempt = 0; attempt < 16; attempt++) {
        int d = (int)(mapspace_rand(rng) % DIM_COUNT);
        if (s->prob->bound[d] <= 1)
            continue;
        int loop[3 * ARCH_MAX_LEVELS];
        int n = free_loops(s, d, loop);
        if (n < 2)
            continue;
        int from = loop[mapspace_rand(rng) % (uint64_t)n];
        int to = loop[mapspace_rand(rng) % (uint64_t)n];
        uint32_t *ff = loop_factor(m, from, d);
        if (from == to || *ff <= 1)
            continue;
        /* Its smallest prime factor: trial division stops at the square
         * root, so a prime factor near 2^31 costs 46341 steps, not 2^31. */
        uint32_t q = 2;
        while (*ff % q && (uint64_t)q * q <= *ff)
            q++;
        if (*ff % q)
            q = *ff;
        if (!loop_can_grow(s, m, to, q))
            continue;
        /* Orders stay permutations of every dim whatever the factors. */
        *ff /= q;
        *loop_factor(m, to, d) *= q;
        return;
    }
}
