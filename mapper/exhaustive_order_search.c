/*
 * exhaustive_order_search: the loop orders of one complete factorization,
 * for the exhaustive strategy, searched by branch and bound on the bound
 * of exhaustive_orders.c.  Called for every factorization that survives
 * the node bounds (up to millions per search); nothing allocates.
 *
 * A factorization is first bounded with every level's order free (no more
 * than any bound below, and cheaper than listing its classes, which most
 * factorizations never need).  Then levels whose orders vary (one order
 * per class, orders.c) are fixed from the innermost outward, each partial
 * choice bounded with the levels still free taking their least; the model
 * evaluates what is left.  Innermost first: an inner level's order decides
 * the words every keeper under it receives, where a free order's least is
 * loosest (windows, and one order for many tensors), so its partial
 * choices are cut most often; on the 3x3 convolutions of ResNet-50 on
 * Eyeriss the leaves are a fifth of those outermost first.
 */
#include "strategy.h"

#define CHECK_EVERY 2048

static bool cut(struct order_search *o, const struct mapping *m, uint32_t fixed)
{
    double bound = order_bound_cost(&o->bound, o->c, m, fixed);
    return bound * (1 - BOUND_SLACK) > search_incumbent(o->c);
}

/* Chooses the order of the i-th varied level from the innermost and of
 * those outward of it; fixed: the levels whose order is known, the i
 * before it among them.  Returns true to stop. */
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
    struct mapspace_level_orders *lo = &cl->lv[cl->nlevels - 1 - i];     /* lv: outermost first */
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

bool order_search_bound(struct order_search *o, const struct mapping *m)
{
    o->best->factorizations++;
    order_bound_init(&o->bound, o->c->space, m);
    /* Every order free first: no more than the bound below (each free
     * level takes its least over all its orders), and most factorizations
     * are cut by it before their classes are listed. */
    o->bounded = !cut(o, m, 0);
    if (!o->bounded)
        o->best->cut++;
    return !o->bounded;
}

bool order_search_run(struct order_search *o, struct mapping *m)
{
    if (!o->bounded && order_search_bound(o, m))
        return false;
    o->bounded = false;
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
