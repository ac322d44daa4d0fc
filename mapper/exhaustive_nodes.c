/*
 * exhaustive_nodes: the bounds of partial factorizations, for the
 * exhaustive strategy's node cuts (exhaustive.c).  The energy of the
 * complete levels, each time a level completes; and under the global
 * buffer, at every node, the bound below.
 *
 * That one is called at most nodes of the factor walk (tens of millions
 * per search), so the cheapest part goes first: the MACs' own accesses, a
 * few dozen multiplications that cut about a quarter of the nodes alone.
 * The rest is the order bound of exhaustive_orders.c on the factors placed
 * so far, with what the dims still to come must add: their whole remainder
 * where they anchor a tensor, and the least loop level 0 must take of
 * each, level 1's capacity limiting its own share.  Nothing allocates.
 */
#include <math.h>

#include "strategy.h"

#define ALL_DIMS ((1u << DIM_COUNT) - 1)

/* See strategy.h. */
double energy_bound_known(const struct mapspace *s, const struct mapping *m, int kl)
{
    const struct arch *a = s->arch;
    const struct problem *p = s->prob;
    int L = s->nlevels;
    uint64_t ext[ARCH_MAX_LEVELS + 1][DIM_COUNT];
    double sp[ARCH_MAX_LEVELS];
    for (int d = 0; d < DIM_COUNT; d++)
        ext[L][d] = 1;
    for (int j = L - 1; j >= kl; j--) {
        const struct mapping_level *ml = &m->level[j];
        sp[j] = 1;
        for (int d = 0; d < DIM_COUNT; d++) {
            ext[j][d] = ext[j + 1][d] * ml->temporal[d] * ml->spatial_x[d] * ml->spatial_y[d];
            sp[j] *= (double)ml->spatial_x[d] * ml->spatial_y[d];
        }
    }
    double energy = (double)p->macs * a->compute.energy_pj;
    for (int sl = 0; sl < SLOT_COUNT; sl++) {
        bool result = sl == SLOT_OUTPUTS;
        uint8_t single = s->anchor[sl];
        double pj0 = result ? s->update_pw[0] : s->read_pw[0];
        /* The cheapest level strictly between level 0 and kl that may keep
         * the tensor: the unknown parent of the outermost known keeper. */
        double mid_pj = INFINITY;
        for (int j = 1; j < kl; j++)
            if (s->may_keep[j][sl]) {
                double pj = result ? s->update_pw[j] : s->read_pw[j];
                if (pj < mid_pj)
                    mid_pj = pj;
            }
        double top = 0;         /* what level 0 must serve, when known */
        bool top_known = false;
        int pl = -1;            /* the previous known keeper, -1 if outward */
        for (int c = kl; c <= L; c++) {
            if (c < L && (!a->level[c].keeps[sl] || m->level[c].bypass[sl]))
                continue;
            if (c == 0) {
                pl = 0;         /* the outermost level has no parent */
                continue;
            }
            /* Pair (parent, c): parent pl when known, else a level < kl. */
            int q = pl >= 0 ? pl : kl;
            double groups = 1, inst_p = 1, inst_c = 1, served;
            for (int f = q; f < c; f++)
                groups *= mapspace_groups(s, sl, m, f);
            for (int j = kl; j < c; j++) {
                inst_c *= sp[j];
                if (j < pl)
                    inst_p *= sp[j];
            }
            if (c == L) {
                if (pl < 0)
                    break;      /* MACs fed from outward: nothing known */
                /* MACs: exact, macs * groups / spatial below the keeper. */
                double spread = 1;
                for (int f = pl; f < L; f++)
                    spread *= sp[f];
                served = (double)p->macs * groups / spread;
            } else {
                double tile = (double)mapspace_box_words(s, sl, ext[c]);
                double pas = tile;
                for (int d = 0; d < DIM_COUNT; d++) {
                    if (!((single >> d) & 1))
                        continue;
                    for (int j = kl; j < c; j++)
                        pas *= m->level[j].temporal[d];
                }
                /* Over all instances, c receives its tile at least once
                 * per position of the anchor dims' factors above it, be
                 * they temporal or spatial, known or not: each position is
                 * a distinct tile (see factorization_lb), and its parent
                 * reads each at least once. */
                double unique = tile;
                for (int d = 0; d < DIM_COUNT; d++)
                    if ((single >> d) & 1)
                        unique *= (double)(p->bound[d] / ext[c][d]);
                double fills = inst_c * pas > unique ? inst_c * pas : unique;
                if (!result)
                    energy += fills * s->fill_pw[c];
                else if (s->one_instance[c] && fills > s->words[sl])
                    energy += (fills - s->words[sl]) * s->fill_pw[c];
                served = inst_p * pas * groups;
                if (served < unique)
                    served = unique;
            }
            /* R7: a result is read back but for its partition, the whole
             * tensor where its keeper has one instance. */
            double back = result && served > s->words[sl] ? served - s->words[sl] : 0;
            if (pl == 0) {
                top = served;
                top_known = true;
            } else if (pl > 0) {
                energy += served * (result ? s->update_pw[pl] : s->read_pw[pl]);
                if (s->one_instance[pl])
                    energy += back * s->read_pw[pl];
            } else {
                /* The parent is level 0, or a level between: the cheaper of
                 * the two accounts, each with the whole tensor at level 0. */
                double at_top = (served > s->words[sl] ? served : s->words[sl]) * pj0 +
                                back * s->read_pw[0];
                double between = served * mid_pj + s->words[sl] * pj0;
                energy += at_top < between ? at_top : between;
                top_known = true;   /* level 0's share is counted */
                top = -1;
            }
            pl = c;
        }
        if (top >= 0) {
            energy += (top_known && top > s->words[sl] ? top : s->words[sl]) * pj0;
            if (result && top_known && top > s->words[sl])
                energy += (top - s->words[sl]) * s->read_pw[0];
        }
    }
    return energy;
}

/* The MACs' energy and their accesses to each tensor's innermost keeper pl
 * at a node (order_bound_node's m, ext and decided; room: how much level
 * 1's spatial product may still grow; part: result_partitions').  R5, R6:
 * per cycle, the MACs under an instance of pl touch at least the groups of
 * mapspace_groups at every fanout level from pl inward, so the accesses
 * are at least the MACs times those groups over the spatial products of
 * those levels.  The dims still to come, at factor 1 in m, can only raise
 * the groups, and raise the products, but for the anchors' (which raise
 * the groups as much), by no more than what is left of them, nor than
 * room.  A result's accesses are updates, and reads but for the
 * partitions of pl's instances: the whole tensor where pl has one
 * instance, else bounded from above (below). */
static double macs_energy(const struct mapspace *s, const struct mapping *m, uint8_t decided,
                          const uint64_t *ext, double room, const double *part)
{
    int L = s->nlevels;
    double macs = (double)s->prob->macs, e = macs * s->arch->compute.energy_pj;
    double spread_from[ARCH_MAX_LEVELS + 1];    /* spatial products of levels >= f */
    spread_from[L] = 1;
    for (int f = L - 1; f >= 0; f--) {
        spread_from[f] = spread_from[f + 1];
        if (s->arch->level[f].fanout_x > 1 || s->arch->level[f].fanout_y > 1)
            for (int d = 0; d < DIM_COUNT; d++)
                spread_from[f] *= (double)m->level[f].spatial_x[d] * m->level[f].spatial_y[d];
    }
    for (int sl = 0; sl < SLOT_COUNT; sl++) {
        int pl = L - 1;
        while (pl > 0 && (!s->arch->level[pl].keeps[sl] || m->level[pl].bypass[sl]))
            pl--;
        unsigned others = ~(unsigned)s->anchor[sl] & ALL_DIMS;
        double groups = 1, spread = spread_from[pl], more = 1;
        for (int f = pl; f < L; f++)
            groups *= mapspace_groups(s, sl, m, f);
        if (pl <= 1) {
            for (unsigned r = others & ~(unsigned)decided; r; r &= r - 1) {
                int d = __builtin_ctz(r);
                more *= (double)(s->prob->bound[d] / ext[d]);
            }
            if (more > room)
                more = room;
        }
        double acc = macs * groups / (spread * more);
        if (sl != SLOT_OUTPUTS) {
            e += acc * s->read_pw[pl];
            continue;
        }
        /* R7: a result is also read back, but for its first writes: the
         * partitions of pl's instances.  Each is at most part[pl], and a
         * dim still to come spread over level 1 adds instances; where it
         * anchors the result, it narrows each partition as much (its spans
         * grow by its factor at least), so only the others count, by no
         * more than what is left of them, nor than room. */
        e += acc * s->update_pw[pl];
        double firsts = s->words[sl];
        if (!s->one_instance[pl]) {
            double extra = 1;
            for (unsigned r = others & ~(unsigned)decided; r; r &= r - 1) {
                int d = __builtin_ctz(r);
                extra *= (double)(s->prob->bound[d] / ext[d]);
            }
            if (extra > room)
                extra = room;
            firsts = part[pl] * spread_from[0] / spread_from[pl] * extra;
        }
        if (acc > firsts)
            e += (acc - firsts) * s->read_pw[pl];
    }
    return e;
}

/* Per dim still to come, the most of what is left of it (rem) level 1 can
 * take, temporal and spatial together: that share multiplies the tile of
 * every tensor level 1 keeps that the dim anchors, so it is at most that
 * tile's room over its size now (and at least 1: the node fits). */
static void level1_most(const struct mapspace *s, const struct mapping *m, uint8_t decided,
                        const uint64_t *ext, double *most)
{
    const struct arch_level *al = &s->arch->level[1];
    for (int d = 0; d < DIM_COUNT; d++)
        most[d] = INFINITY;
    if (al->size_kind == SIZE_UNBOUNDED)
        return;
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
        if (share < 1)
            share = 1;
        for (unsigned r = s->anchor[sl] & ~(unsigned)decided; r; r &= r - 1) {
            int d = __builtin_ctz(r);
            if (share < most[d])
                most[d] = share;
        }
    }
}

double order_bound_node(struct order_bound *b, const struct search_ctx *c, struct mapping *m,
                        uint8_t decided, const uint64_t *ext, double room, double cycles)
{
    const struct mapspace *s = c->space;
    /* First the MACs' part alone: a few multiplications, and often enough
     * to cut. */
    double part[ARCH_MAX_LEVELS];
    result_partitions(s, m, part);
    double macs_e = macs_energy(s, m, decided, ext, room, part);
    double early = search_bound_cost(c->opt->objective, macs_e, cycles);
    if (early * (1 - BOUND_SLACK) > search_incumbent(c))
        return early;
    /* A dim still to come puts what is left of it (rem) at level 1, its
     * fanout or level 0.  Level 1's share is a divisor of rem no larger
     * than level1_most allows, so level 0 takes at least rem over the
     * largest such divisor: m's level 0 gets that loop, which the order
     * bound places like any other (a loop's factor only raises the counts
     * it enters).  For a tensor the dim anchors, any split multiplies the
     * anchor part of every PAS below level 0 (by the loops outward of the
     * innermost anchor, the tile, or the instances and groups) by rem, of
     * which level 0's loop gives its factor and scale the rest. */
    double most[DIM_COUNT], scale[SLOT_COUNT];
    level1_most(s, m, decided, ext, most);
    for (unsigned r = ~(unsigned)decided & ALL_DIMS; r; r &= r - 1) {
        int d = __builtin_ctz(r);
        uint64_t rem = s->prob->bound[d] / ext[d], share = 1;
        for (uint32_t k = s->ndivisors[d]; k-- > 0 && share == 1;) {
            uint64_t dv = s->divisor[d][k];
            if (dv <= most[d] && dv <= rem && rem % dv == 0)
                share = dv;
        }
        m->level[0].temporal[d] = (uint32_t)(rem / share);
    }
    for (int sl = 0; sl < SLOT_COUNT; sl++) {
        scale[sl] = 1;
        for (unsigned r = s->anchor[sl] & ~(unsigned)decided; r; r &= r - 1) {
            int d = __builtin_ctz(r);
            scale[sl] *= (double)(s->prob->bound[d] / ext[d]) / m->level[0].temporal[d];
        }
    }
    order_bound_init_partial(b, s, m, 1, decided, part);
    return order_bound_at(b, c, m, 0, scale, macs_e, cycles);
}
