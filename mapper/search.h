/*
 * search: finds the best mapping of one problem on one arch.
 *
 * A search is a mapspace (factorizations of every dim over the levels'
 * temporal loops and spatial X/Y fanouts, loop orders, bypass choices,
 * restricted by constraints) walked by a strategy:
 *   exhaustive  every point of the space up to exact equivalences, with
 *               safe pruning; the result is the optimum when it finishes;
 *   random      seeded sampling with a Timeloop-like victory condition;
 *   anneal      seeded simulated annealing for spaces too big to cover.
 * Threads take fixed shards of the space with fixed per-shard seeds and the
 * shards' results are reduced in shard order, so the result depends on the
 * seed and never on the thread count or on timing (a time limit or an
 * interrupt ends the search early; the result is then the best found).
 *
 * Ownership: plain values; search_run reads arch, problem and options and
 * writes *out.  Safe to call from one thread at a time per result.
 */
#ifndef TRAINMAP_SEARCH_H
#define TRAINMAP_SEARCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../arch/arch.h"
#include "../common/err.h"
#include "../model/model.h"
#include "../workloads/problem.h"
#include "constraints.h"

enum objective { OBJ_EDP, OBJ_ENERGY, OBJ_LATENCY, OBJ_COUNT };
enum strategy { STRATEGY_EXHAUSTIVE, STRATEGY_RANDOM, STRATEGY_ANNEAL, STRATEGY_COUNT };

/* Default per-problem time limit in seconds when none is given. */
#define SEARCH_DEFAULT_TIME_LIMIT_S 60.0

struct search_options {
    enum strategy strategy;
    enum objective objective;
    int threads;                    /* >= 1 */
    uint64_t seed;
    double time_limit_s;            /* per problem; <= 0: the default */
    uint64_t budget;                /* random/anneal: evaluations per thread;
                                     * 0: strategy default */
    const struct constraints *constraints;  /* NULL: none */
    /* Set asynchronously (e.g. by a SIGINT handler) to stop the search; the
     * best so far is returned with interrupted = true.  May be NULL.  An
     * atomic, not a volatile sig_atomic_t: the search's threads read it
     * while a handler on another thread writes it, and only a lock-free
     * atomic is safe both across threads and in a signal handler. */
    const atomic_int *stop;
};

struct search_result {
    bool found;                     /* a valid mapping exists in the space */
    struct mapping best;            /* valid when found and !is_stream */
    struct model_stats stats;       /* of best (or of the stream) */
    bool optimal;                   /* exhaustive and covered the space */
    bool timed_out;                 /* stopped by the time limit */
    bool interrupted;               /* stopped by *stop */
    uint64_t evaluated;             /* mappings evaluated by the model */
    /* Exhaustive only: partial factorizations visited, complete
     * factorizations reached, and those cut by their order-free bound
     * before any of their orders was evaluated. */
    uint64_t nodes, factorizations, factorizations_cut;
    double search_s;                /* wall time */
};

/* Searches the best mapping of p on a.  A streaming problem is evaluated
 * directly (found, optimal).  Returns 0 (out->found says whether a mapping
 * exists; when not, err names the constraint that emptied the space, code
 * ERR_NO_MAPPING), or a negative ERR_* code for bad options. */
int search_run(const struct arch *a, const struct problem *p,
               const struct search_options *opt, struct search_result *out,
               struct err *err);

/* The objective's value of s (lower is better). */
double search_cost(enum objective o, const struct model_stats *s);

/* "edp", "energy", "latency"; "exhaustive", "random", "anneal";
 * the _from_name functions return -1 when unknown. */
const char *objective_name(enum objective o);
int objective_from_name(const char *name);
const char *strategy_name(enum strategy s);
int strategy_from_name(const char *name);

#endif
