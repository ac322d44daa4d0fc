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
 *   energy >= energy_bound_known (exhaustive_nodes.c) of the complete
 *            levels: the MACs, what each known keeper must receive and
 *            its parent serve, the whole tensor once at the outermost
 *            level;
 *   and, under level 1 of an arch whose level 0 takes what is left, the
 *            bound of exhaustive_nodes.c: the MACs' accesses, then the
 *            order bound of exhaustive_orders.c on the factors placed so
 *            far.
 * Complete factorizations go to the order search of exhaustive_order_search.c.
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
    struct order_search orders;             /* of the current factorization */
    bool outer_forced;          /* level 0 takes what is left (no fanout) */
    struct mapping scratch;
};

static bool prune(void *arg, const struct mapping *m, const struct mapspace_node *node)
{
    struct walk *w = arg;
    /* Level 0's factors are forced when it takes what is left: its partial
     * nodes teach nothing the complete factorization will not. */
    if (node->level == 0 && node->dims_done < DIM_COUNT && w->outer_forced)
        return false;
    /* Nor does level 0's complete node once the order search's own bound,
     * the strongest there is, let its factorization through (see below):
     * it goes to the order search at once, with that bound. */
    if (node->level == 0 && w->orders.bounded)
        return false;
    w->orders.bounded = false;
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
    /* Under level 1 with level 0 taking the rest, the node bound below is
     * the one that cuts: level 1's own energy bound would only delay it
     * (level 0's, once it is complete, sees more). */
    bool under_buffer = l == 1 && w->outer_forced;
    int kl = node->dims_done == DIM_COUNT && !under_buffer ? l : l + 1;
    if (node->dims_done == DIM_COUNT)
        w->energy_lb[l] = under_buffer ? w->energy_lb[l + 1] : energy_bound_known(s, m, l);
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
     * on the factors known so far (see order_bound_node).  Once level 1 is
     * complete the factorization is too (level 0 takes what is left): the
     * order search's own first bound, kept for it when it does not cut. */
    if (!under_buffer || node->dims_done == 0)
        return false;
    struct mapping *sm = &w->scratch;
    /* The bound reads the walked levels only. */
    sm->nlevels = m->nlevels;
    memcpy(sm->level, m->level, (size_t)s->nlevels * sizeof m->level[0]);
    if (node->dims_done == DIM_COUNT) {
        for (int d = 0; d < DIM_COUNT; d++)
            sm->level[0].temporal[d] = (uint32_t)(s->prob->bound[d] / node->ext[d]);
        return order_search_bound(&w->orders, sm);
    }
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
    w->energy_lb[s->nlevels] = c->bounds.energy_pj;
    struct mapping m;
    mapping_init(&m, s->nlevels);
    bool stopped = mapspace_factorizations(s, &m, i, n, on_factorization, prune, w);
    free(w);
    if (!stopped && !atomic_load(&c->halt))
        out->complete = true;   /* else the shard is not covered */
}
