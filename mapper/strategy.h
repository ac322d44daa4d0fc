/*
 * strategy: what the search strategies share (internal to mapper/).
 *
 * search.c runs a strategy's shards on the threads and reduces their
 * results in shard order; a strategy is the function that searches one
 * shard.  A shard's result depends only on the space, the options and the
 * shard's index, never on the thread that runs it.
 */
#ifndef TRAINMAP_STRATEGY_H
#define TRAINMAP_STRATEGY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../model/model.h"
#include "mapspace.h"
#include "search.h"

/* The best point a shard has seen. */
struct shard_best {
    bool found;
    struct mapping map;
    struct model_stats stats;
    uint64_t evaluated;
    bool complete;              /* the shard covered its part of the space */
};

struct search_ctx {
    const struct mapspace *space;
    const struct search_options *opt;
    double deadline_s;          /* monotonic clock */
    atomic_int halt;            /* 0 running, 1 time limit, 2 interrupted */
    /* The best cost any shard has found (bits of a double; exhaustive only):
     * subtrees whose lower bound exceeds it are cut.  Cutting only on a
     * strict excess keeps every optimal point, so the result does not
     * depend on which shard lowered it when. */
    atomic_uint_fast64_t incumbent;
    struct model_bounds bounds; /* of the problem, for partial bounds */
    struct model_prep prep;     /* the space's arch and problem, for search_offer */
};

/* The incumbent cost, and an offer to lower it. */
double search_incumbent(struct search_ctx *c);
void search_lower_incumbent(struct search_ctx *c, double cost);

/* Monotonic wall clock in seconds. */
double search_now_s(void);

/* True when the search must stop (deadline or interrupt); cheap enough to
 * call every few thousand evaluations. */
bool search_should_stop(struct search_ctx *c);

/* True when stats a beats stats b under the objective (b may be unset when
 * !have_b).  Ties keep b: the first found wins, which keeps results
 * independent of timing. */
bool search_better(enum objective o, const struct model_stats *a,
                   const struct model_stats *b);

/* Evaluates m and keeps it in best when valid, within min_utilization and
 * better.  Returns true when m was valid. */
bool search_offer(struct search_ctx *c, const struct mapping *m, struct shard_best *best);

/* The strategies: search shard i of n. */
void exhaustive_shard(struct search_ctx *c, uint64_t i, uint64_t n, struct shard_best *out);
void random_shard(struct search_ctx *c, uint64_t i, uint64_t n, struct shard_best *out);
void anneal_shard(struct search_ctx *c, uint64_t i, uint64_t n, struct shard_best *out);

#endif
