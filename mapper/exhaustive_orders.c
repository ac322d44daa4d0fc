/*
 * exhaustive_orders: the lower bound of the cost over the loop orders of a
 * factorization, complete or partial, for the exhaustive strategy.
 *
 * Called for every factorization that survives the node bounds of
 * exhaustive.c (up to millions per search), so the bound here is built
 * once per factorization in a few hundred operations and then re-evaluated
 * per partial order in a few dozen.  Nothing allocates.
 *
 * The bound.  Only the words each keeper c of a tensor t receives from its
 * parent (PAS, MODEL.md R4) depend on orders, and energy and cycles only
 * grow with them (R7, R9, R10), so a lower bound of every PAS, pushed
 * through R7-R10 with lower bounds of the other counts, bounds the cost.
 * Per (t, c), with the loops above c:
 *   - every step of a loop at or outside t's innermost anchor loop receives
 *     the whole tile (orders.c), so PAS >= tile * the product of the loops
 *     from the outermost down to that loop.  With the order of the
 *     innermost level above c that has an anchor loop still free, the
 *     least such product leaves out the level's non-anchor loops; once the
 *     order is known, the loops after its innermost anchor.  Exact for
 *     tensors without windows.
 *   - for a window index (two dims of bound > 1 move it), the innermost
 *     loop that moves the index moves the tile by exactly its own step
 *     along it (no loop inside it touches the index), so each of its steps
 *     receives at least tile * min(step, extent) / extent; it lies at the
 *     innermost level above c with such loops, and its steps count
 *     (bound - 1) times the loops outside it.  Free orders take the least
 *     over the candidates.
 *   PAS >= max(the first, tile + the sum of the second over window
 * indices); and where a window's innermost mover lies inside the innermost
 * anchor, its steps are others than the anchor's, so PAS >= the first +
 * the second of every such window.  Groups are mapspace_groups' (the
 * anchor dims' spatial factors and the windows' spread), partitions are
 * R7's, counts are divided by block_words without rounding up.  Where a
 * level's order is free, the energy of the pairs whose innermost anchor
 * level it is takes the least over that level's orders as a whole
 * (level_least), not each pair's own least: one order cannot put every
 * tensor's other loops inside its anchors, nor its windows' movers
 * outside them.
 *
 * Every bound first sums each pair at its own least, and runs the dynamic
 * programs only when that sum does not already exceed the incumbent.  The
 * search over orders that uses it is exhaustive_order_search.c.
 */
#include <math.h>
#include <string.h>

#include "strategy.h"

/* Product of the loops of level order ml after the innermost loop whose
 * dim is in mask (all of them when none is). */
static double trailing_product(const struct mapping_level *ml, uint8_t mask)
{
    double p = 1;
    for (int i = DIM_COUNT - 1; i >= 0; i--) {
        int d = ml->order[i];
        if (ml->temporal[d] <= 1)
            continue;
        if ((mask >> d) & 1)
            break;
        p *= ml->temporal[d];
    }
    return p;
}

/* Position in level order ml of the innermost loop whose dim is in mask,
 * -1 when none is. */
static int innermost_position(const struct mapping_level *ml, unsigned mask)
{
    for (int i = DIM_COUNT - 1; i >= 0; i--) {
        int d = ml->order[i];
        if (ml->temporal[d] > 1 && ((mask >> d) & 1))
            return i;
    }
    return -1;
}

/* The least weighted words over the steps of the innermost mover of
 * window index i of tensor t at keeper c (see the top of the file);
 * movers: the dims of bound > 1 that move the index; fixed: level lv's
 * order is known. */
static double mover_words(const struct order_bound *b, const struct mapping *m,
                          const struct tensor_spec *t, int i, uint8_t movers, int lv,
                          bool fixed, double size, double extent)
{
    const struct mapping_level *ml = &m->level[lv];
    unsigned live = movers & b->tmask[lv];      /* the index's loops at lv */
    double outside = b->above[lv], best = INFINITY, before = 1;
    double all = 1;
    for (unsigned r = live; r; r &= r - 1)
        all *= ml->temporal[__builtin_ctz(r)];
    if (fixed) {
        int last = -1;
        for (int k = DIM_COUNT - 1; k >= 0 && last < 0; k--) {
            int d = ml->order[k];
            if ((live >> d) & 1)
                last = d;
        }
        for (int k = 0; k < DIM_COUNT && ml->order[k] != last; k++)
            before *= ml->temporal[ml->order[k]];
        live = last >= 0 ? 1u << last : 0;
    }
    for (unsigned r = live; r; r &= r - 1) {
        int d = __builtin_ctz(r);
        double n = ml->temporal[d];
        double step = fabs((double)t->index[i].coef[d]) * b->stride[lv][d];
        double others = fixed ? before : all / n;
        double v = (n - 1) * outside * others * size * (step < extent ? step : extent) / extent;
        if (v < best)
            best = v;
    }
    return best;
}

/* R7's partitions of the result into part[], from ext[c]: the extents of
 * the tiles of every level c (with spatial loops only where it fans out). */
static void partitions(const struct mapspace *s, const struct mapping *m,
                       uint64_t (*ext)[DIM_COUNT], double *part)
{
    const struct arch *a = s->arch;
    int sl = SLOT_OUTPUTS;
    unsigned __int128 pt = mapspace_box_words(s, sl, s->prob->bound);
    part[0] = (double)pt;
    for (int c = 1; c < s->nlevels; c++) {
        uint64_t size_c = mapspace_box_words(s, sl, ext[c]), span = size_c;
        if (a->level[c - 1].fanout_x > 1 || a->level[c - 1].fanout_y > 1) {
            uint64_t spread[DIM_COUNT];
            for (int d = 0; d < DIM_COUNT; d++)
                spread[d] = ext[c][d] * m->level[c - 1].spatial_x[d] *
                            m->level[c - 1].spatial_y[d];
            span = mapspace_box_words(s, sl, spread);
        }
        pt = pt * size_c / span;
        part[c] = (double)pt;
    }
}

/* See strategy.h. */
void result_partitions(const struct mapspace *s, const struct mapping *m, double *part)
{
    int L = s->nlevels;
    uint64_t ext[ARCH_MAX_LEVELS + 1][DIM_COUNT];
    for (int d = 0; d < DIM_COUNT; d++)
        ext[L][d] = 1;
    for (int j = L - 1; j >= 1; j--) {
        const struct mapping_level *ml = &m->level[j];
        bool fans = s->arch->level[j].fanout_x > 1 || s->arch->level[j].fanout_y > 1;
        for (int d = 0; d < DIM_COUNT; d++)
            ext[j][d] = ext[j + 1][d] * ml->temporal[d] *
                        (fans ? (uint64_t)ml->spatial_x[d] * ml->spatial_y[d] : 1);
    }
    partitions(s, m, ext, part);
}

void order_bound_init(struct order_bound *b, const struct mapspace *s, const struct mapping *m)
{
    order_bound_init_partial(b, s, m, -1, 0, NULL);
}

void order_bound_init_partial(struct order_bound *b, const struct mapspace *s,
                              const struct mapping *m, int level, uint8_t decided,
                              const double *result_part)
{
    const struct arch *a = s->arch;
    const struct problem *p = s->prob;
    int L = s->nlevels;
    uint64_t ext[ARCH_MAX_LEVELS + 1][DIM_COUNT];
    double sp[ARCH_MAX_LEVELS], inst[ARCH_MAX_LEVELS + 1];
    for (int d = 0; d < DIM_COUNT; d++)
        ext[L][d] = 1;
    b->cc = 1;
    for (int j = L - 1; j >= 0; j--) {
        const struct mapping_level *ml = &m->level[j];
        bool fans = a->level[j].fanout_x > 1 || a->level[j].fanout_y > 1;
        double spj = 1, tpj = 1;
        uint8_t tmask = 0;
        for (int d = 0; d < DIM_COUNT; d++) {
            uint64_t spd = fans ? (uint64_t)ml->spatial_x[d] * ml->spatial_y[d] : 1;
            b->stride[j][d] = (double)(spd * ext[j + 1][d]);
            ext[j][d] = ext[j + 1][d] * ml->temporal[d] * spd;
            if (fans)
                spj *= (double)spd;
            tpj *= ml->temporal[d];
            tmask |= (uint8_t)((ml->temporal[d] > 1) << d);
            b->tprod_dim[j][d] = ml->temporal[d];
        }
        sp[j] = spj;
        b->tprod[j] = tpj;
        b->tmask[j] = tmask;
        b->cc *= tpj;
    }
    inst[0] = b->above[0] = 1;
    for (int j = 0; j < L; j++) {
        inst[j + 1] = inst[j] * sp[j];
        b->above[j + 1] = b->above[j] * b->tprod[j];
    }
    b->base_energy = (double)p->macs * a->compute.energy_pj;
    b->npairs = 0;
    for (int sl = 0; sl < SLOT_COUNT; sl++) {
        const struct tensor_spec *t = &p->tensor[sl];
        bool result = sl == SLOT_OUTPUTS;
        uint8_t anchor = s->anchor[sl];
        double part[ARCH_MAX_LEVELS];
        if (result && level < 0)
            partitions(s, m, ext, part);
        else if (result)
            memcpy(part, result_part, (size_t)L * sizeof *part);
        double grp[ARCH_MAX_LEVELS];
        for (int j = 0; j < L; j++)
            grp[j] = mapspace_groups(s, sl, m, j);
        int pl = 0;
        for (int c = 1; c <= L; c++) {
            if (c < L && (!a->level[c].keeps[sl] || m->level[c].bypass[sl]))
                continue;
            struct order_pair *pr = &b->pair[b->npairs++];
            pr->slot = (uint8_t)sl;
            pr->parent = (uint8_t)pl;
            pr->child = (uint8_t)c;
            double groups = 1;
            for (int f = pl; f < c; f++)
                groups *= grp[f];
            pr->groups = groups;
            pr->inst_p = inst[pl];
            pr->inst_c = c < L ? inst[c] : 0;
            pr->part_p = result ? part[pl] : 0;
            pr->part_c = result && c < L ? part[c] : 0;
            pr->size = c < L ? (double)mapspace_box_words(s, sl, ext[c]) : 0;
            pr->jstar = -1;
            pr->nwin = 0;
            if (c < L) {
                int j = c - 1;
                while (j >= 0 && !(b->tmask[j] & anchor))
                    j--;
                pr->jstar = (int8_t)j;
                if (j >= 0) {
                    pr->anchors = 1;
                    for (unsigned r = anchor & b->tmask[j]; r; r &= r - 1)
                        pr->anchors *= b->tprod_dim[j][__builtin_ctz(r)];
                }
                for (int i = 0; i < t->rank && s->sliding[sl]; i++) {
                    uint8_t movers = s->index_dims[sl][i];
                    if (!((s->window_mask[sl] >> i) & 1))
                        continue;
                    double extent = 1;
                    for (int d = 0; d < DIM_COUNT; d++)
                        if (t->index[i].coef[d])
                            extent += fabs((double)t->index[i].coef[d]) *
                                      (double)(ext[c][d] - 1);
                    int lv = c - 1;
                    while (lv >= 0 && !(b->tmask[lv] & movers))
                        lv--;
                    /* Partial: a dim still to come could put a mover inward
                     * of this one, unless every mover is decided. */
                    bool unsafe = level >= 0 && lv <= level && (movers & ~decided);
                    if (lv < 0 || unsafe)
                        continue;
                    struct order_window *wi = &pr->win[pr->nwin++];
                    wi->index = (uint8_t)i;
                    wi->level = (uint8_t)lv;
                    wi->extent = extent;
                    wi->free_words = mover_words(b, m, t, i, movers, lv, false, pr->size,
                                                 extent);
                }
            }
            pr->read_pj = s->read_pw[pl];
            pr->update_pj = s->update_pw[pl];
            pr->fill_pj = c < L ? s->fill_pw[c] : 0;
            pr->result = result;
            pl = c;
        }
    }
}

/* The bound with the orders of the levels in fixed known (m's). */
/* What pair pr adds to the energy when its child receives pas (per
 * instance); its counts go to rd and wr when given. */
static double pair_energy(const struct order_pair *pr, double pas, int L, double *rd,
                          double *wr)
{
    double ca = pas * pr->groups, reads, fills = 0, updates = 0;
    if (pr->result) {
        updates = ca;
        reads = ca > pr->part_p ? ca - pr->part_p : 0;
        if (pr->child < L)
            fills = pas > pr->part_c ? pas - pr->part_c : 0;
    } else {
        reads = ca;
        if (pr->child < L)
            fills = pas;
    }
    if (rd) {
        if (pr->child < L)
            wr[pr->child] += fills;
        rd[pr->parent] += reads;
        wr[pr->parent] += updates;
    }
    double e = pr->inst_p * (reads * pr->read_pj + updates * pr->update_pj);
    if (pr->child < L)
        e += pr->inst_c * fills * pr->fill_pj;
    return e;
}

/* A window of a pair whose innermost movers are level j's loops (and
 * move no other index), as level_least sees it: its movers among the
 * loops of the dynamic program, and the words each of their steps
 * receives. */
struct dp_window {
    uint8_t live;
    double words[DIM_COUNT];
};

/* The least energy over the orders of level j of the pairs whose innermost
 * anchor level is j (free order): unlike the sum of each pair's own least,
 * this sees that one order cannot put every tensor's other loops inside
 * its anchors.  A dynamic program over the sets of loops placed innermost:
 * a pair's PAS is decided when the first anchor of its tensor is placed,
 * the loops inside it being left out of its product.  win[k] is pair k's
 * window part, inside[k] the words of its windows at inner levels (see
 * order_bound_at), grow its scale.
 *
 * A window whose movers are level j's loops is decided there too: each of
 * the T steps at or outside the anchor (T: the product of the loops
 * outside the set S inside it) receives the whole tile, and when S holds
 * some of the window's movers, the innermost of them, m, steps
 * (n_m - 1) times per step outside it: at least T times the other movers
 * in S, each step receiving its shift of the tile (mover_words).  So PAS
 * >= T * (tile + the least such count over the candidates for m).  Both
 * parts only shrink as S grows (a mover's shift is at most the tile), so
 * the loops that decide no pair still go innermost. */
static double level_least(const struct order_bound *b, const struct mapspace *s, int j,
                          const int *pairs, int np, const double *win, const double *inside,
                          const double *grow)
{
    int L = s->nlevels;
    uint8_t dims[DIM_COUNT];
    double n[DIM_COUNT];
    int k = 0;
    for (int d = 0; d < DIM_COUNT; d++)
        if ((b->tmask[j] >> d) & 1) {
            dims[k] = (uint8_t)d;
            n[k++] = b->tprod_dim[j][d];
        }
    uint8_t anchor_at[SLOT_COUNT * (ARCH_MAX_LEVELS + 1)];
    double lin[SLOT_COUNT * (ARCH_MAX_LEVELS + 1)];     /* energy * prod[S], or 0 */
    struct dp_window dw[SLOT_COUNT * (ARCH_MAX_LEVELS + 1)][TENSOR_MAX_RANK];
    int ndw[SLOT_COUNT * (ARCH_MAX_LEVELS + 1)];
    double top = b->above[j] * b->tprod[j];
    for (int q = 0; q < np; q++) {
        const struct order_pair *pr = &b->pair[pairs[q]];
        const struct tensor_spec *t = &s->prob->tensor[pr->slot];
        anchor_at[q] = 0;
        for (int i = 0; i < k; i++)
            if ((s->anchor[pr->slot] >> dims[i]) & 1)
                anchor_at[q] |= (uint8_t)(1u << i);
        ndw[q] = 0;
        for (int w = 0; w < pr->nwin; w++) {
            const struct order_window *wi = &pr->win[w];
            if (wi->level != j || !((s->group_windows[pr->slot] >> wi->index) & 1))
                continue;
            struct dp_window *d = &dw[q][ndw[q]++];
            d->live = 0;
            for (int i = 0; i < k; i++) {
                int64_t coef = t->index[wi->index].coef[dims[i]];
                if (!coef)
                    continue;
                double step = fabs((double)coef) * b->stride[j][dims[i]];
                d->live |= (uint8_t)(1u << i);
                d->words[i] = pr->size * (step < wi->extent ? step : wi->extent) / wi->extent;
            }
        }
        /* Without a window part or partition credits the pair's energy is
         * linear in its PAS. */
        lin[q] = 0;
        if (win[q] == 0 && (!pr->result || (isinf(pr->part_p) && isinf(pr->part_c))))
            lin[q] = pair_energy(pr, pr->size * top * grow[q], L, NULL, NULL);
    }
    double f[1 << DIM_COUNT], prod[1 << DIM_COUNT];
    int full = (1 << k) - 1;
    /* decides[x]: the pairs that placing loop x decides when none of their
     * anchors is placed yet.  A pair's energy depends on S alone, so it is
     * computed once per S, then summed (in pair order) per x. */
    uint32_t decides[DIM_COUNT] = { 0 };
    for (int q = 0; q < np; q++)
        for (int i = 0; i < k; i++)
            if ((anchor_at[q] >> i) & 1)
                decides[i] |= 1u << q;
    /* Loops that decide no pair go innermost in some least order: there
     * they cost nothing and only shrink the PAS of every pair decided
     * after them (a pair's energy never grows as prod[S] does).  So the
     * sets S worth expanding hold them all. */
    int idle = 0;
    for (int i = 0; i < k; i++)
        if (!decides[i])
            idle |= 1 << i;
    /* The supersets of idle, ascending (each after its subsets). */
    int rest = full & ~idle;
    prod[idle] = 1;
    for (unsigned r = (unsigned)idle; r; r &= r - 1)
        prod[idle] *= n[__builtin_ctz(r)];
    f[idle] = 0;
    for (int sub = -rest & rest; sub; sub = (sub - rest) & rest) {
        int low = __builtin_ctz((unsigned)sub);
        prod[idle | sub] = prod[idle | (sub & (sub - 1))] * n[low];
        f[idle | sub] = INFINITY;
    }
    for (int sub = 0; sub != rest; sub = (sub - rest) & rest) {
        int S = idle | sub;
        if (f[S] == INFINITY)
            continue;
        uint32_t open = 0;
        double g[SLOT_COUNT * (ARCH_MAX_LEVELS + 1)];
        for (int q = 0; q < np; q++) {
            if (anchor_at[q] & S)
                continue;
            open |= 1u << q;
            if (lin[q] > 0)
                continue;
            const struct order_pair *pr = &b->pair[pairs[q]];
            double outside = top / prod[S], pas = pr->size * outside * grow[q];
            if (win[q] > pas)
                pas = win[q];
            double inner = pr->size;
            for (int w = 0; w < ndw[q]; w++) {
                unsigned in = dw[q][w].live & (unsigned)S;
                if (!in)
                    continue;
                double steps = 1, least = INFINITY;
                for (unsigned r = in; r; r &= r - 1)
                    steps *= n[__builtin_ctz(r)];
                for (unsigned r = in; r; r &= r - 1) {
                    int x = __builtin_ctz(r);
                    double v = steps / n[x] * (n[x] - 1) * dw[q][w].words[x];
                    if (v < least)
                        least = v;
                }
                inner += least;
            }
            if (inner * outside + inside[q] > pas)
                pas = inner * outside + inside[q];
            g[q] = pair_energy(pr, pas, L, NULL, NULL);
        }
        for (unsigned rx = (unsigned)(full & ~S); rx; rx &= rx - 1) {
            int x = __builtin_ctz(rx);
            double cost = f[S], linear = 0;
            for (uint32_t r = open & decides[x]; r; r &= r - 1) {
                int q = __builtin_ctz(r);
                if (lin[q] > 0)
                    linear += lin[q];
                else
                    cost += g[q];
            }
            cost += linear / prod[S];
            if (cost < f[S | (1 << x)])
                f[S | (1 << x)] = cost;
        }
    }
    return f[full];
}

/* See strategy.h.  The dynamic programs of level_least only raise the
 * energy above the sum of each pair's own least, so when that sum already
 * exceeds the incumbent it is returned without them: the point is cut
 * either way. */
double order_bound_at(const struct order_bound *b, const struct search_ctx *c,
                      const struct mapping *m, uint32_t fixed, const double *scale,
                      double macs_e, double cycles)
{
    const struct mapspace *s = c->space;
    const struct arch *a = s->arch;
    int L = s->nlevels;
    double e = scale ? macs_e : b->base_energy;
    double rd[ARCH_MAX_LEVELS] = { 0 }, wr[ARCH_MAX_LEVELS] = { 0 };
    /* Pairs left to level_least, by level. */
    int group[ARCH_MAX_LEVELS][SLOT_COUNT * (ARCH_MAX_LEVELS + 1)], ngroup[ARCH_MAX_LEVELS];
    double gwin[ARCH_MAX_LEVELS][SLOT_COUNT * (ARCH_MAX_LEVELS + 1)];
    double ggrow[ARCH_MAX_LEVELS][SLOT_COUNT * (ARCH_MAX_LEVELS + 1)];
    double ginside[ARCH_MAX_LEVELS][SLOT_COUNT * (ARCH_MAX_LEVELS + 1)];
    memset(ngroup, 0, sizeof ngroup);
    double each = 0;    /* the free-order pairs, each at its own least */
    double each_at[ARCH_MAX_LEVELS] = { 0 };    /* the same per level */
    for (int k = 0; k < b->npairs; k++) {
        const struct order_pair *pr = &b->pair[k];
        double pas, win = 0, inside = 0;
        double grow = scale ? scale[pr->slot] : 1;
        bool free_order = false;
        if (pr->child == L) {
            if (scale)
                continue;   /* in macs_e */
            pas = b->cc * grow;
        } else {
            /* outside: the steps at or outside the innermost anchor, each
             * receiving the whole tile. */
            double outside = 1;
            int anchor_pos = -1;
            if (pr->jstar >= 0) {
                const struct mapping_level *ml = &m->level[pr->jstar];
                free_order = !((fixed >> pr->jstar) & 1);
                double own = free_order ? pr->anchors
                                        : b->tprod[pr->jstar] /
                                              trailing_product(ml, s->anchor[pr->slot]);
                outside = b->above[pr->jstar] * own;
                if (!free_order)
                    anchor_pos = innermost_position(ml, s->anchor[pr->slot]);
            }
            pas = pr->size * outside * grow;
            if (pr->nwin) {
                /* The windows' steps inside the innermost anchor are other
                 * steps than those: their words add to the whole tiles. */
                win = pr->size;
                const struct tensor_spec *t = &s->prob->tensor[pr->slot];
                for (int i = 0; i < pr->nwin; i++) {
                    const struct order_window *wi = &pr->win[i];
                    uint8_t movers = s->index_dims[pr->slot][wi->index];
                    bool known = (fixed >> wi->level) & 1;
                    double words = known ? mover_words(b, m, t, wi->index, movers, wi->level,
                                                       true, pr->size, wi->extent)
                                         : wi->free_words;
                    win += words;
                    if (wi->level > pr->jstar ||
                        (wi->level == pr->jstar && !free_order &&
                         innermost_position(&m->level[wi->level], movers) > anchor_pos))
                        inside += words;
                }
                if (win > pas)
                    pas = win;
                if (pr->size * outside + inside > pas)
                    pas = pr->size * outside + inside;
            }
        }
        double here = pair_energy(pr, pas, L, rd, wr);
        if (free_order) {
            int j = pr->jstar, q = ngroup[j]++;
            group[j][q] = k;
            gwin[j][q] = win;
            ginside[j][q] = inside;
            ggrow[j][q] = grow;
            each += here;
            each_at[j] += here;
            continue;       /* counted by level_least */
        }
        e += here;
    }
    /* R10: a level's cycles are at least its counts over its bandwidths;
     * the slack keeps this below the model's rounding.  At a node, levels 0
     * and 1 only: one instance each (level 0 has no fanout), so their counts
     * are totals, which the dims still to come only raise; inward, more
     * instances may share them. */
    if (b->cc > cycles)
        cycles = b->cc;
    for (int l = 0; l < L && (!scale || l <= 1); l++) {
        const struct arch_level *al = &a->level[l];
        double need = 0;
        if (isfinite(al->read_bw) && rd[l] / al->read_bw > need)
            need = rd[l] / al->read_bw;
        if (isfinite(al->write_bw) && wr[l] / al->write_bw > need)
            need = wr[l] / al->write_bw;
        if (isfinite(al->shared_bw) && (rd[l] + wr[l]) / al->shared_bw > need)
            need = (rd[l] + wr[l]) / al->shared_bw;
        need = ceil(need * (1 - BOUND_SLACK));
        if (need > cycles)
            cycles = need;
    }
    enum objective o = c->opt->objective;
    double incumbent = search_incumbent(c);
    double early = search_bound_cost(o, e + each, cycles);
    if (early * (1 - BOUND_SLACK) > incumbent)
        return early;
    /* So does each level's program, with the levels after it still at
     * their pairs' own least. */
    for (int j = 0; j < L; j++) {
        if (!ngroup[j])
            continue;
        e += level_least(b, s, j, group[j], ngroup[j], gwin[j], ginside[j], ggrow[j]);
        double rest = 0;
        bool later = false;
        for (int i = j + 1; i < L; i++) {
            rest += each_at[i];
            later |= ngroup[i] > 0;
        }
        if (!later)
            break;
        double now = search_bound_cost(o, e + rest, cycles);
        if (now * (1 - BOUND_SLACK) > incumbent)
            return now;
    }
    return search_bound_cost(o, e, cycles);
}

double order_bound_cost(const struct order_bound *b, const struct search_ctx *c,
                        const struct mapping *m, uint32_t fixed)
{
    return order_bound_at(b, c, m, fixed, NULL, 0, c->bounds.cycles);
}
