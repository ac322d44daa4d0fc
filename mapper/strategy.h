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
    /* Exhaustive only: partial factorizations visited, complete ones, and
     * complete ones cut by their order-free bound. */
    uint64_t nodes, factorizations, cut, node_bounds;
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

/* Sets c up for a search of space under opt until deadline_s (monotonic
 * clock): running, no incumbent, the problem's bounds and prepared model. */
void search_ctx_init(struct search_ctx *c, const struct mapspace *space,
                     const struct search_options *opt, double deadline_s);

/* The incumbent cost, and an offer to lower it. */
double search_incumbent(const struct search_ctx *c);
void search_lower_incumbent(struct search_ctx *c, double cost);

/* The objective's value of lower bounds of the energy and the cycles. */
double search_bound_cost(enum objective o, double energy_pj, double cycles);

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

/* ---- the exhaustive strategy's order bound (exhaustive_orders.c) and order
 * search (exhaustive_order_search.c) ---- */

/* Bounds are compared with the incumbent after shrinking by this much, so
 * that a bound summed in another order than the model's cost never cuts a
 * point of equal cost (which would make results depend on timing). */
#define BOUND_SLACK 1e-9

/* A window index of a tensor at a keeper: its innermost mover's level. */
struct order_window {
    uint8_t index, level;
    double extent;              /* the tile's extent along the index */
    double free_words;          /* the least its mover's steps receive */
};

/* A tensor's keeper (child) and the keeper outward of it (parent). */
struct order_pair {
    uint8_t slot, parent, child;    /* child = nlevels: the MACs */
    bool result;
    int8_t jstar;               /* innermost level above child with an
                                 * anchor loop, -1 if none */
    double anchors;             /* product of jstar's anchor loops */
    double size;                /* child's tile */
    double groups;              /* lower bound of the multicast groups */
    double inst_p, inst_c;      /* instances used */
    double part_p, part_c;      /* R7 partitions (result) */
    double read_pj, update_pj, fill_pj;     /* per word */
    int nwin;
    struct order_window win[TENSOR_MAX_RANK];
};

/* What the bound of one factorization's orders needs. */
struct order_bound {
    double cc;                  /* compute cycles */
    double base_energy;         /* the MACs */
    double tprod[ARCH_MAX_LEVELS];      /* product of each level's loops */
    uint8_t tmask[ARCH_MAX_LEVELS];     /* dims with a loop at the level */
    double tprod_dim[ARCH_MAX_LEVELS][DIM_COUNT];   /* the loops' bounds */
    double above[ARCH_MAX_LEVELS + 1];  /* of the levels outward of l */
    double stride[ARCH_MAX_LEVELS][DIM_COUNT];
    int npairs;
    struct order_pair pair[SLOT_COUNT * (ARCH_MAX_LEVELS + 1)];
};

/* Prepares b for complete factorization m (bypass flags set). */
void order_bound_init(struct order_bound *b, const struct mapspace *s, const struct mapping *m);

/* The same for a factorization of which only part is known (level >= 0):
 * levels inward of `level` complete, at `level` and outward only the dims
 * in `decided` placed (the others at factor 1 in m, bypass flags as they
 * are).  Terms that a dim still to come could change are bounded or left
 * out: the result's partitions are result_part's, upper bounds per level
 * (result_partitions'), and windows whose movers are not all decided are
 * left out. */
void order_bound_init_partial(struct order_bound *b, const struct mapspace *s,
                              const struct mapping *m, int level, uint8_t decided,
                              const double *result_part);

/* R7's partition of the result per instance of every level c into
 * part[c], from m's factors.  At a node of the factor walk of an arch
 * whose level 0 has no fanout (levels >= 2 complete, level 1's undecided
 * dims at factor 1), upper bounds of every completion's: partition(1) is
 * the whole tensor whatever comes, and inward the spans, taken with level
 * 1's decided spatial loops only, can only grow. */
void result_partitions(const struct mapspace *s, const struct mapping *m, double *part);

/* (exhaustive_nodes.c) A lower bound of the energy of every mapping whose
 * levels >= kl are m's (bypass flags and factors; m's other levels are not
 * read): the MACs, per tensor and pair of known keepers what the inner one
 * must receive and its parent serve, what the MACs take from the innermost
 * keeper, the whole tensor at level 0, and a result's reads back where its
 * keeper has one instance. */
double energy_bound_known(const struct mapspace *s, const struct mapping *m, int kl);

/* (exhaustive_nodes.c) A lower bound of the objective at a node of the
 * factor walk of an arch whose level 0 takes what is left of every dim (it
 * has no fanout): levels >= 2 complete, level 1's bypass chosen and the
 * dims in `decided` placed, m's level 0 holding what is left of them (the
 * other dims at factor 1 at level 1; their level 0 factors are set here;
 * ext[d]: the product of d's factors chosen so far; room: the most level
 * 1's spatial product may still grow by), with the cycles taken as at
 * least `cycles` and the bandwidths of levels 0 and 1 only. */
double order_bound_node(struct order_bound *b, const struct search_ctx *c, struct mapping *m,
                        uint8_t decided, const uint64_t *ext, double room, double cycles);

/* The objective's lower bound with the orders of the levels in fixed known
 * (m's) and the cycles at least `cycles`.  At a node of the factor walk
 * (scale non-NULL, order_bound_node): per slot, scale is a factor the
 * anchor part of every PAS grows by, macs_e the MACs' energy and
 * accesses, and only levels 0 and 1 have their counts bound the cycles
 * through their bandwidths.  Without scale, macs_e is unused. */
double order_bound_at(const struct order_bound *b, const struct search_ctx *c,
                      const struct mapping *m, uint32_t fixed, const double *scale,
                      double macs_e, double cycles);

/* The objective's lower bound over every order of m that keeps the orders
 * of the levels in the bit set fixed as they are in m. */
double order_bound_cost(const struct order_bound *b, const struct search_ctx *c,
                        const struct mapping *m, uint32_t fixed);

struct order_search {
    struct search_ctx *c;
    struct shard_best *best;
    unsigned *since_check;
    struct order_bound bound;
    struct mapspace_classes classes;
    bool bounded;       /* bound holds the next factorization's, not cut */
};

/* Bounds complete factorization m with every order free, counting it as
 * one of o->best's factorizations; returns true when that cuts it.  When
 * it does not, the bound is kept for order_search_run of the same m (set
 * bounded), which then skips it: nothing may use o->bound in between. */
bool order_search_bound(struct order_search *o, const struct mapping *m);

/* Evaluates every order class of complete factorization m that its bound
 * does not cut, offering each to o->best.  Returns true when the search
 * must stop. */
bool order_search_run(struct order_search *o, struct mapping *m);

/* The strategies: search shard i of n. */
void exhaustive_shard(struct search_ctx *c, uint64_t i, uint64_t n, struct shard_best *out);
void random_shard(struct search_ctx *c, uint64_t i, uint64_t n, struct shard_best *out);
void anneal_shard(struct search_ctx *c, uint64_t i, uint64_t n, struct shard_best *out);

#endif
