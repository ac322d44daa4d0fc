/*
 * exhaustive_orders: the loop orders of one complete factorization, for the
 * exhaustive strategy, searched by branch and bound.
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
 * indices).  Groups count the anchor dims' spatial factors (distinct
 * positions along an anchor index are distinct boxes), partitions are
 * R7's, counts are divided by block_words without rounding up.
 */
#include <math.h>
#include <string.h>

#include "strategy.h"

/* Bounds are compared after shrinking by this much, so that a bound summed
 * in another order than the model's cost never cuts a point of equal cost
 * (which would make results depend on timing). */
#define BOUND_SLACK 1e-9
#define CHECK_EVERY 2048

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

/* The least weighted words over the steps of the innermost mover of
 * window index i of tensor t at keeper c (see the top of the file);
 * fixed: level lv's order is known. */
static double mover_words(const struct order_bound *b, const struct mapping *m,
                          const struct tensor_spec *t, int i, int lv, bool fixed,
                          double size, double extent)
{
    const struct mapping_level *ml = &m->level[lv];
    double outside = b->above[lv], best = INFINITY, before = 1;
    double all = 1;
    for (int d = 0; d < DIM_COUNT; d++)
        if (t->index[i].coef[d] && ml->temporal[d] > 1)
            all *= ml->temporal[d];
    int last = -1;
    if (fixed) {
        for (int k = DIM_COUNT - 1; k >= 0 && last < 0; k--) {
            int d = ml->order[k];
            if (t->index[i].coef[d] && ml->temporal[d] > 1)
                last = d;
        }
        for (int k = 0; k < DIM_COUNT && ml->order[k] != last; k++)
            before *= ml->temporal[ml->order[k]];
    }
    for (int d = 0; d < DIM_COUNT; d++) {
        if (!t->index[i].coef[d] || ml->temporal[d] <= 1 || (fixed && d != last))
            continue;
        double n = ml->temporal[d];
        double step = fabs((double)t->index[i].coef[d]) * b->stride[lv][d];
        double others = fixed ? before : all / n;
        double v = (n - 1) * outside * others * size * (step < extent ? step : extent) / extent;
        if (v < best)
            best = v;
    }
    return best;
}

void order_bound_init(struct order_bound *b, const struct mapspace *s, const struct mapping *m)
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
        sp[j] = b->tprod[j] = 1;
        for (int d = 0; d < DIM_COUNT; d++) {
            uint64_t spd = (uint64_t)ml->spatial_x[d] * ml->spatial_y[d];
            b->stride[j][d] = (double)(spd * ext[j + 1][d]);
            ext[j][d] = ext[j + 1][d] * ml->temporal[d] * spd;
            sp[j] *= (double)spd;
            b->tprod[j] *= ml->temporal[d];
        }
        b->cc *= b->tprod[j];
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
        if (result) {
            /* R7's partitions, through every level. */
            unsigned __int128 pt = tensor_box_words(t, ext[0]);
            part[0] = (double)pt;
            for (int c = 1; c < L; c++) {
                uint64_t size_c = tensor_box_words(t, ext[c]), span = size_c;
                if (sp[c - 1] > 1) {
                    uint64_t spread[DIM_COUNT];
                    for (int d = 0; d < DIM_COUNT; d++)
                        spread[d] = ext[c][d] * m->level[c - 1].spatial_x[d] *
                                    m->level[c - 1].spatial_y[d];
                    span = tensor_box_words(t, spread);
                }
                pt = pt * size_c / span;
                part[c] = (double)pt;
            }
        }
        int pl = 0;
        for (int c = 1; c <= L; c++) {
            if (c < L && (!a->level[c].keeps[sl] || m->level[c].bypass[sl]))
                continue;
            struct order_pair *pr = &b->pair[b->npairs++];
            pr->slot = (uint8_t)sl;
            pr->parent = (uint8_t)pl;
            pr->child = (uint8_t)c;
            pr->groups = 1;
            for (int f = pl; f < c; f++)
                for (int d = 0; d < DIM_COUNT; d++)
                    if ((anchor >> d) & 1)
                        pr->groups *= (double)m->level[f].spatial_x[d] *
                                      m->level[f].spatial_y[d];
            pr->inst_p = inst[pl];
            pr->inst_c = c < L ? inst[c] : 0;
            pr->part_p = result ? part[pl] : 0;
            pr->part_c = result && c < L ? part[c] : 0;
            pr->size = c < L ? (double)tensor_box_words(t, ext[c]) : 0;
            pr->jstar = -1;
            pr->nwin = 0;
            if (c < L) {
                for (int j = c - 1; j >= 0 && pr->jstar < 0; j--)
                    for (int d = 0; d < DIM_COUNT; d++)
                        if (((anchor >> d) & 1) && m->level[j].temporal[d] > 1)
                            pr->jstar = (int8_t)j;
                if (pr->jstar >= 0) {
                    pr->anchors = 1;
                    for (int d = 0; d < DIM_COUNT; d++)
                        if ((anchor >> d) & 1)
                            pr->anchors *= m->level[pr->jstar].temporal[d];
                }
                for (int i = 0; i < t->rank && s->sliding[sl]; i++) {
                    int moving = 0, lv = -1;
                    double extent = 1;
                    for (int d = 0; d < DIM_COUNT; d++)
                        if (t->index[i].coef[d]) {
                            moving += p->bound[d] > 1;
                            extent += fabs((double)t->index[i].coef[d]) *
                                      (double)(ext[c][d] - 1);
                        }
                    for (int j = c - 1; j >= 0 && lv < 0 && moving > 1; j--)
                        for (int d = 0; d < DIM_COUNT; d++)
                            if (t->index[i].coef[d] && m->level[j].temporal[d] > 1)
                                lv = j;
                    if (lv < 0)
                        continue;
                    struct order_window *wi = &pr->win[pr->nwin++];
                    wi->index = (uint8_t)i;
                    wi->level = (uint8_t)lv;
                    wi->extent = extent;
                    wi->free_words = mover_words(b, m, t, i, lv, false, pr->size, extent);
                }
            }
            const struct arch_level *par = &a->level[pl];
            pr->read_pj = par->read_pj / par->block_words;
            pr->update_pj = par->update_pj / par->block_words;
            pr->fill_pj = c < L ? a->level[c].fill_pj / a->level[c].block_words : 0;
            pr->result = result;
            pl = c;
        }
    }
}

/* The bound with the orders of the levels in fixed known (m's). */
static void bound_at(const struct order_bound *b, const struct mapspace *s,
                     const struct mapping *m, uint32_t fixed, double *energy, double *cycles)
{
    const struct arch *a = s->arch;
    int L = s->nlevels;
    double e = b->base_energy;
    double rd[ARCH_MAX_LEVELS] = { 0 }, wr[ARCH_MAX_LEVELS] = { 0 };
    for (int k = 0; k < b->npairs; k++) {
        const struct order_pair *pr = &b->pair[k];
        double pas;
        if (pr->child == L) {
            pas = b->cc;
        } else {
            pas = pr->size;
            if (pr->jstar >= 0) {
                const struct mapping_level *ml = &m->level[pr->jstar];
                double own = (fixed >> pr->jstar) & 1
                                 ? b->tprod[pr->jstar] /
                                       trailing_product(ml, s->anchor[pr->slot])
                                 : pr->anchors;
                pas *= b->above[pr->jstar] * own;
            }
            if (pr->nwin) {
                double win = pr->size;
                const struct tensor_spec *t = &s->prob->tensor[pr->slot];
                for (int i = 0; i < pr->nwin; i++) {
                    const struct order_window *wi = &pr->win[i];
                    win += (fixed >> wi->level) & 1
                               ? mover_words(b, m, t, wi->index, wi->level, true,
                                             pr->size, wi->extent)
                               : wi->free_words;
                }
                if (win > pas)
                    pas = win;
            }
        }
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
        e += pr->inst_p * (reads * pr->read_pj + updates * pr->update_pj);
        if (pr->child < L) {
            e += pr->inst_c * fills * pr->fill_pj;
            wr[pr->child] += fills;
        }
        rd[pr->parent] += reads;
        wr[pr->parent] += updates;
    }
    /* R10: a level's cycles are at least its counts over its bandwidths;
     * the slack keeps this below the model's rounding. */
    double cyc = b->cc;
    for (int l = 0; l < L; l++) {
        const struct arch_level *al = &a->level[l];
        double need = 0;
        if (isfinite(al->read_bw) && rd[l] / al->read_bw > need)
            need = rd[l] / al->read_bw;
        if (isfinite(al->write_bw) && wr[l] / al->write_bw > need)
            need = wr[l] / al->write_bw;
        if (isfinite(al->shared_bw) && (rd[l] + wr[l]) / al->shared_bw > need)
            need = (rd[l] + wr[l]) / al->shared_bw;
        need = ceil(need * (1 - BOUND_SLACK));
        if (need > cyc)
            cyc = need;
    }
    *energy = e;
    *cycles = cyc;
}

double order_bound_cost(const struct order_bound *b, const struct search_ctx *c,
                        const struct mapping *m, uint32_t fixed)
{
    double energy, cycles;
    bound_at(b, c->space, m, fixed, &energy, &cycles);
    if (cycles < c->bounds.cycles)
        cycles = c->bounds.cycles;
    switch (c->opt->objective) {
    case OBJ_ENERGY: return energy;
    case OBJ_LATENCY: return cycles;
    default: return energy * cycles;
    }
}

static bool cut(struct order_search *o, const struct mapping *m, uint32_t fixed)
{
    double bound = order_bound_cost(&o->bound, o->c, m, fixed);
    return bound * (1 - BOUND_SLACK) > search_incumbent(o->c);
}

/* Chooses the order of varied level i and inward; fixed: the levels whose
 * order is known, those before i among them.  Returns true to stop. */
static bool walk_orders(struct order_search *o, struct mapping *m, int i, uint32_t fixed)
{
    struct mapspace_classes *cl = &o->classes;
    if (i == cl->nlevels) {
        if (i > 0 && cut(o, m, fixed))
            return false;
        search_offer(o->c, m, o->best);
        if (++*o->since_check >= CHECK_EVERY) {
            *o->since_check = 0;
            return search_should_stop(o->c);
        }
        return false;
    }
    struct mapspace_level_orders *lo = &cl->lv[i];
    int k = 0;
    mapspace_level_first(lo, m);
    fixed |= 1u << lo->level;
    do {
        /* The last level's bound is the leaf's, checked there. */
        if ((i + 1 == cl->nlevels || !cut(o, m, fixed)) && walk_orders(o, m, i + 1, fixed))
            return true;
    } while (mapspace_level_next(lo, m, &k));
    return false;
}

bool order_search_run(struct order_search *o, struct mapping *m)
{
    o->best->factorizations++;
    order_bound_init(&o->bound, o->c->space, m);
    mapspace_classes_first(o->c->space, m, &o->classes);
    uint32_t fixed = (1u << o->c->space->nlevels) - 1;
    for (int i = 0; i < o->classes.nlevels; i++)
        fixed &= ~(1u << o->classes.lv[i].level);
    if (cut(o, m, fixed)) {
        o->best->cut++;
        return false;
    }
    return walk_orders(o, m, 0, fixed);
}
