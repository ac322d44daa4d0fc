/*
 * exhaustive_nodes: the bound of a partial factorization under the global
 * buffer, for the exhaustive strategy's node cuts (exhaustive.c).
 *
 * Called at most nodes of the factor walk (tens of millions per search),
 * so the cheapest part goes first: the MACs' own accesses, a few dozen
 * multiplications that cut about a quarter of the nodes alone.  The rest
 * is the order bound of exhaustive_orders.c on the factors placed so far,
 * with what the dims still to come must add: their whole remainder where
 * they anchor a tensor, and level 0's share of it where they do not and
 * level 1's capacity limits its own.  Nothing allocates.
 */
#include <math.h>

#include "strategy.h"

#define ALL_DIMS ((1u << DIM_COUNT) - 1)

/* The MACs' energy and their accesses to each tensor's innermost keeper pl
 * at a node (order_bound_node's m, ext and decided; room: how much level
 * 1's spatial product may still grow).  R5: the MACs of an instance of pl's
 * fanout touch at least one element per distinct position of the anchor
 * dims' spatial factors per cycle, so the accesses are at least the MACs
 * over the spatial factors of the other dims at levels >= pl.  Those still
 * to come can add no more than what is left of them, nor than room. */
static double macs_energy(const struct mapspace *s, const struct mapping *m, uint8_t decided,
                          const uint64_t *ext, double room)
{
    int L = s->nlevels;
    double macs = (double)s->prob->macs, e = macs * s->arch->compute.energy_pj;
    for (int sl = 0; sl < SLOT_COUNT; sl++) {
        int pl = L - 1;
        while (pl > 0 && (!s->arch->level[pl].keeps[sl] || m->level[pl].bypass[sl]))
            pl--;
        unsigned others = ~(unsigned)s->anchor[sl] & ALL_DIMS;
        double spread = 1, more = 1;
        for (int f = pl; f < L; f++)
            for (unsigned r = others; r; r &= r - 1) {
                int d = __builtin_ctz(r);
                spread *= (double)m->level[f].spatial_x[d] * m->level[f].spatial_y[d];
            }
        if (pl <= 1) {
            for (unsigned r = others & ~(unsigned)decided; r; r &= r - 1) {
                int d = __builtin_ctz(r);
                more *= (double)(s->prob->bound[d] / ext[d]);
            }
            if (more > room)
                more = room;
        }
        double pj = sl == SLOT_OUTPUTS ? s->update_pw[pl] : s->read_pw[pl];
        e += macs / (spread * more) * pj;
    }
    return e;
}

/* Per slot, the least product of level 0's loops over the dims still to
 * come that do not anchor it.  What is left of such a dim d goes to level
 * 1 (temporal or spatial) or level 0; level 1's share multiplies the tile
 * of every tensor it keeps that d anchors, so it is at most that tile's
 * capacity over its size now, and level 0 takes the rest. */
static void level0_growth(const struct mapspace *s, const struct mapping *m, uint8_t decided,
                          const uint64_t *ext, double *outer)
{
    const struct arch_level *al = &s->arch->level[1];
    double most[DIM_COUNT];      /* of level 1's share of each dim */
    for (int d = 0; d < DIM_COUNT; d++)
        most[d] = INFINITY;
    if (al->size_kind != SIZE_UNBOUNDED) {
        double tile[SLOT_COUNT] = { 0 }, total = 0;
        for (int sl = 0; sl < SLOT_COUNT; sl++)
            if (al->keeps[sl] && !m->level[1].bypass[sl]) {
                tile[sl] = (double)mapspace_box_words(s, sl, ext);
                total += tile[sl];
            }
        for (int sl = 0; sl < SLOT_COUNT; sl++) {
            if (tile[sl] == 0)
                continue;
            double room = al->size_kind == SIZE_PER_SLOT
                              ? (double)arch_capacity_words(al, (enum slot)sl)
                              : (double)arch_capacity_words(al, SLOT_WEIGHTS) - (total - tile[sl]);
            double share = floor(room / tile[sl]);
            for (unsigned r = s->anchor[sl] & ~(unsigned)decided; r; r &= r - 1) {
                int d = __builtin_ctz(r);
                if (share < most[d])
                    most[d] = share;
            }
        }
    }
    for (int sl = 0; sl < SLOT_COUNT; sl++) {
        outer[sl] = 1;
        for (unsigned r = ~(unsigned)s->anchor[sl] & ~(unsigned)decided & ALL_DIMS; r;
             r &= r - 1) {
            int d = __builtin_ctz(r);
            double rem = (double)(s->prob->bound[d] / ext[d]);
            if (most[d] < rem)
                outer[sl] *= ceil(rem / most[d]);
        }
    }
}

double order_bound_node(struct order_bound *b, const struct search_ctx *c, struct mapping *m,
                        uint8_t decided, const uint64_t *ext, double room, double cycles)
{
    const struct mapspace *s = c->space;
    /* First the MACs' part alone: a few multiplications, and often enough
     * to cut. */
    double macs_e = macs_energy(s, m, decided, ext, room);
    double early = search_bound_cost(c->opt->objective, macs_e, cycles);
    if (early * (1 - BOUND_SLACK) > search_incumbent(c))
        return early;
    /* A dim still to come puts what is left of it (rem) at level 1, its
     * fanout or level 0: for a tensor it anchors, any split multiplies the
     * anchor part of every PAS below level 0 (by the loops outward of the
     * innermost anchor, the tile, or the instances and groups) by rem. */
    double scale[SLOT_COUNT];
    for (int sl = 0; sl < SLOT_COUNT; sl++) {
        scale[sl] = 1;
        for (unsigned r = s->anchor[sl] & ~(unsigned)decided; r; r &= r - 1) {
            int d = __builtin_ctz(r);
            scale[sl] *= (double)(s->prob->bound[d] / ext[d]);
        }
    }
    double outer[SLOT_COUNT];
    level0_growth(s, m, decided, ext, outer);
    order_bound_init_partial(b, s, m, 1, decided);
    return order_bound_at(b, c, m, 0, scale, outer, macs_e, cycles);
}
