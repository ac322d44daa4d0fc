/*
 * exhaustive: every point of a shard's part of the mapspace, in the
 * enumeration order of mapspace.h, with branch and bound.  When every shard
 * completes, the best point is the optimum of the space.
 *
 * The hot loop of the mapper: up to ~10^8 nodes of the factor walk per
 * search, each bounded here in well under a microsecond.  Partial
 * factorizations are cut when a lower bound of every completion exceeds
 * the incumbent:
 *
 *   cycles >= macs / (the most MACs a completion can use), so an array
 *            that the inner levels already leave idle cannot win on EDP;
 *   energy >= the MACs, plus, for each tensor and each pair of levels
 *            whose factors are known, what the inner level must receive
 *            at the least (its tile once per position of its anchor dims'
 *            factors above it, known or not) and what its parent must read
 *            for it, plus what the MACs read from the innermost keeper
 *            (exact once the levels below it are known), plus the whole
 *            tensor once at the outermost level;
 *   and, under level 1 of an arch whose level 0 takes what is left, the
 *            bound of exhaustive_nodes.c: the MACs' accesses, then the
 *            order bound of exhaustive_orders.c on the factors placed so
 *            far.
 * Complete factorizations go to the order search of exhaustive_orders.c.
 * All are bounds of the model's own counts (MODEL.md R4-R10), compared
 * with a strict excess, so a cut never loses a point that could beat or
 * tie the incumbent.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "strategy.h"

#define CHECK_EVERY 2048


struct walk {
    struct search_ctx *c;
    struct shard_best *best;
    unsigned since_check;
    double energy_lb[ARCH_MAX_LEVELS + 1];  /* once levels >= l are known */
    double words[SLOT_COUNT];               /* whole tensors */
    bool may_keep[ARCH_MAX_LEVELS][SLOT_COUNT]; /* under some bypass choice */
    struct order_search orders;             /* of the current factorization */
    bool outer_forced;          /* level 0 takes what is left (no fanout) */
    struct mapping scratch;
};

/* The energy bound of any completion of m whose levels >= kl are known. */
static double energy_lb(const struct walk *w, const struct mapping *m, int kl)
{
    const struct mapspace *s = w->c->space;
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
        const struct arch_level *l0 = &a->level[0];
        double pj0 = (result ? l0->update_pj : l0->read_pj) / l0->block_words;
        /* The cheapest level strictly between level 0 and kl that may keep
         * the tensor: the unknown parent of the outermost known keeper. */
        double mid_pj = INFINITY;
        for (int j = 1; j < kl; j++)
            if (w->may_keep[j][sl]) {
                const struct arch_level *al = &a->level[j];
                double pj = (result ? al->update_pj : al->read_pj) / al->block_words;
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
                for (int d = 0; d < DIM_COUNT; d++)
                    if ((single >> d) & 1)
                        groups *= (double)m->level[f].spatial_x[d] * m->level[f].spatial_y[d];
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
                if (!result) {
                    const struct arch_level *ch = &a->level[c];
                    energy += fills * ch->fill_pj / ch->block_words;
                }
                served = inst_p * pas * groups;
                if (served < unique)
                    served = unique;
            }
            if (pl == 0) {
                top = served;
                top_known = true;
            } else if (pl > 0) {
                const struct arch_level *par = &a->level[pl];
                energy += served * (result ? par->update_pj : par->read_pj) / par->block_words;
            } else {
                /* The parent is level 0, or a level between: the cheaper of
                 * the two accounts, each with the whole tensor at level 0. */
                double at_top = (served > w->words[sl] ? served : w->words[sl]) * pj0;
                double between = served * mid_pj + w->words[sl] * pj0;
                energy += at_top < between ? at_top : between;
                top_known = true;   /* level 0's share is counted */
                top = -1;
            }
            pl = c;
        }
        if (top >= 0)
            energy += (top_known && top > w->words[sl] ? top : w->words[sl]) * pj0;
    }
    return energy;
}

static bool prune(void *arg, const struct mapping *m, const struct mapspace_node *node)
{
    struct walk *w = arg;
    /* Level 0's factors are forced when it takes what is left: its partial
     * nodes teach nothing the complete factorization will not. */
    if (node->level == 0 && node->dims_done < DIM_COUNT && w->outer_forced)
        return false;
    w->best->nodes++;
    /* Cut walks evaluate little: the stop flags are read here too, and once
     * the search halts every node is cut. */
    if (atomic_load_explicit(&w->c->halt, memory_order_relaxed))
        return true;
    if (++w->since_check >= CHECK_EVERY) {
        w->since_check = 0;
        if (search_should_stop(w->c))
            return true;
    }
    const struct mapspace *s = w->c->space;
    int l = node->level;
    int kl = node->dims_done == DIM_COUNT ? l : l + 1;
    if (node->dims_done == DIM_COUNT)
        w->energy_lb[l] = energy_lb(w, m, l);
    double energy = w->energy_lb[kl];
    if (energy < w->c->bounds.energy_pj)
        energy = w->c->bounds.energy_pj;
    /* The most MACs a completion can keep busy. */
    double used = 1;
    for (int j = l + 1; j < s->nlevels; j++)
        for (int d = 0; d < DIM_COUNT; d++)
            used *= (double)m->level[j].spatial_x[d] * m->level[j].spatial_y[d];
    used *= (double)node->spatial_max;
    for (int j = 0; j < l; j++)
        used *= (double)s->arch->level[j].fanout_x * s->arch->level[j].fanout_y;
    double cycles = ceil((double)s->prob->macs / used);
    if (cycles < w->c->bounds.cycles)
        cycles = w->c->bounds.cycles;
    double incumbent = search_incumbent(w->c);
    if (search_bound_cost(w->c->opt->objective, energy, cycles) * (1 - BOUND_SLACK) > incumbent)
        return true;
    /* Under level 1 with level 0 taking the rest: the bound of the orders,
     * on the factors known so far (see order_bound_node).  Not once level
     * 1 is complete: the factorization is then complete too, and the order
     * search bounds it at once, with bandwidths and partitions. */
    if (l != 1 || !w->outer_forced || node->dims_done == 0 || node->dims_done == DIM_COUNT)
        return false;
    struct mapping *sm = &w->scratch;
    /* The bound reads the walked levels only. */
    sm->nlevels = m->nlevels;
    memcpy(sm->level, m->level, (size_t)s->nlevels * sizeof m->level[0]);
    uint8_t decided = 0;
    for (int i = 0; i < node->dims_done; i++) {
        int d = s->walk_order[i];
        decided |= (uint8_t)(1u << d);
        sm->level[0].temporal[d] = (uint32_t)(s->prob->bound[d] / node->ext[d]);
    }
    double room = (double)(node->spatial_max / node->spatial);
    double bound = order_bound_node(&w->orders.bound, w->c, sm, decided, node->ext, room,
                                    cycles);
    w->best->node_bounds++;
    return bound * (1 - BOUND_SLACK) > incumbent;
}

static bool on_factorization(void *arg, struct mapping *m)
{
    struct walk *w = arg;
    return order_search_run(&w->orders, m);
}

void exhaustive_shard(struct search_ctx *c, uint64_t i, uint64_t n, struct shard_best *out)
{
    const struct mapspace *s = c->space;
    /* On the heap: the order classes are too big for a thread's stack. */
    struct walk *w = calloc(1, sizeof *w);
    if (!w)
        return;     /* out of memory: the shard is not covered */
    w->c = c;
    w->best = out;
    w->orders.c = c;
    w->orders.best = out;
    w->orders.since_check = &w->since_check;
    w->outer_forced = s->nlevels > 2 && s->arch->level[0].fanout_x == 1 &&
                      s->arch->level[0].fanout_y == 1;
    for (int sl = 0; sl < SLOT_COUNT; sl++) {
        uint64_t words = 0;
        problem_tensor_words(s->prob, (enum slot)sl, &words);
        w->words[sl] = (double)words;
    }
    w->energy_lb[s->nlevels] = c->bounds.energy_pj;
    for (int l = 0; l < s->nlevels; l++)
        for (int sl = 0; sl < SLOT_COUNT; sl++)
            w->may_keep[l][sl] = s->forced_keep[l][sl];
    for (int f = 0; f < s->nfree; f++)
        w->may_keep[s->free_level[f]][s->free_slot[f]] = true;
    struct mapping m;
    mapping_init(&m, s->nlevels);
    bool stopped = mapspace_factorizations(s, &m, i, n, on_factorization, prune, w);
    free(w);
    if (!stopped && !atomic_load(&c->halt))
        out->complete = true;   /* else the shard is not covered */
}
