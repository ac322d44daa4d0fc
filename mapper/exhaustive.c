/*
 * exhaustive: every point of a shard's part of the mapspace, in the
 * enumeration order of mapspace.h.  When every shard completes, the best
 * point is the optimum of the space.
 *
 * The hot loop of the mapper: per factorization it walks the order
 * combinations and evaluates each with the model; the stop flags are read
 * every few thousand evaluations.
 */
#include "strategy.h"

#define CHECK_EVERY 2048

struct walk {
    struct search_ctx *c;
    struct shard_best *best;
    unsigned since_check;
};

static bool on_factorization(void *arg, struct mapping *m)
{
    struct walk *w = arg;
    struct mapspace_orders o;
    mapspace_orders_first(w->c->space, m, &o);
    do {
        search_offer(w->c, m, w->best);
        if (++w->since_check >= CHECK_EVERY) {
            w->since_check = 0;
            if (search_should_stop(w->c))
                return true;
        }
    } while (mapspace_orders_next(&o, m));
    return false;
}

void exhaustive_shard(struct search_ctx *c, uint64_t i, uint64_t n, struct shard_best *out)
{
    const struct mapspace *s = c->space;
    struct walk w = { .c = c, .best = out };
    struct mapping m;
    mapping_init(&m, s->nlevels);
    uint64_t choices = mapspace_bypass_count(s);
    for (uint64_t b = 0; b < choices; b++) {
        mapspace_set_bypass(s, b, &m);
        if (mapspace_factorizations(s, &m, i, n, on_factorization, &w))
            return;
    }
    out->complete = true;
}
