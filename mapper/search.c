/*
 * search: runs a strategy's shards on threads and reduces their results.
 *
 * The shard count is fixed per strategy, not per thread count: threads take
 * shards from a shared counter, each shard's result is a function of the
 * space, the options and its index alone, and the reduction walks shards in
 * index order keeping the first best.  So the result is the same for any
 * number of threads, unless a time limit or an interrupt cuts the search.
 */
#include "search.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strategy.h"

static const char *const objective_names[OBJ_COUNT] = { "edp", "energy", "latency" };
static const char *const strategy_names[STRATEGY_COUNT] = { "exhaustive", "random", "anneal" };

/* Shards per strategy: enough to balance two dozen threads. */
static const uint64_t shard_count[STRATEGY_COUNT] = { 64, 16, 16 };

const char *objective_name(enum objective o)
{
    return (unsigned)o < OBJ_COUNT ? objective_names[o] : "?";
}

int objective_from_name(const char *name)
{
    for (int i = 0; i < OBJ_COUNT; i++)
        if (strcmp(name, objective_names[i]) == 0)
            return i;
    return -1;
}

const char *strategy_name(enum strategy s)
{
    return (unsigned)s < STRATEGY_COUNT ? strategy_names[s] : "?";
}

int strategy_from_name(const char *name)
{
    for (int i = 0; i < STRATEGY_COUNT; i++)
        if (strcmp(name, strategy_names[i]) == 0)
            return i;
    return -1;
}

double search_cost(enum objective o, const struct model_stats *s)
{
    switch (o) {
    case OBJ_ENERGY: return s->energy_pj;
    case OBJ_LATENCY: return (double)s->cycles;
    default: return s->edp;
    }
}

bool search_better(enum objective o, const struct model_stats *a,
                   const struct model_stats *b)
{
    double x = search_cost(o, a), y = search_cost(o, b);
    if (x != y)
        return x < y;
    /* Ties on the objective: the cheaper in energy, then the faster. */
    if (a->energy_pj != b->energy_pj)
        return a->energy_pj < b->energy_pj;
    return a->cycles < b->cycles;
}

double search_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool search_should_stop(struct search_ctx *c)
{
    if (atomic_load_explicit(&c->halt, memory_order_relaxed))
        return true;
    if (c->opt->stop && *c->opt->stop) {
        atomic_store(&c->halt, 2);
        return true;
    }
    if (search_now_s() >= c->deadline_s) {
        int expected = 0;
        atomic_compare_exchange_strong(&c->halt, &expected, 1);
        return true;
    }
    return false;
}

bool search_offer(struct search_ctx *c, const struct mapping *m, struct shard_best *best)
{
    struct model_stats s;
    if (model_eval(c->space->arch, c->space->prob, m, &s, NULL) != 0)
        return false;
    best->evaluated++;
    if (s.utilization < c->space->cons.min_utilization)
        return true;
    if (!best->found || search_better(c->opt->objective, &s, &best->stats)) {
        best->found = true;
        best->map = *m;
        best->stats = s;
    }
    return true;
}

struct pool {
    struct search_ctx *ctx;
    struct shard_best *shards;
    uint64_t nshards;
    atomic_uint_fast64_t next;
    void (*run)(struct search_ctx *, uint64_t, uint64_t, struct shard_best *);
};

static void *worker(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        uint64_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->nshards)
            break;
        if (search_should_stop(p->ctx))
            continue;       /* leave the shard empty and incomplete */
        p->run(p->ctx, i, p->nshards, &p->shards[i]);
    }
    return NULL;
}

static int eval_stream(const struct arch *a, const struct problem *p,
                       struct search_result *out, struct err *err)
{
    int rc = model_eval(a, p, NULL, &out->stats, err);
    if (rc < 0)
        return rc;
    out->found = true;
    out->optimal = true;
    out->evaluated = 1;
    return 0;
}

int search_run(const struct arch *a, const struct problem *p,
               const struct search_options *opt, struct search_result *out,
               struct err *err)
{
    double start = search_now_s();
    memset(out, 0, sizeof *out);
    if (opt->threads < 1 || (unsigned)opt->strategy >= STRATEGY_COUNT ||
        (unsigned)opt->objective >= OBJ_COUNT)
        return err_set(err, ERR_USAGE, "search: bad options");
    if (p->is_stream) {
        int rc = eval_stream(a, p, out, err);
        out->search_s = search_now_s() - start;
        return rc;
    }
    struct mapspace *space = malloc(sizeof *space);
    struct shard_best *shards = NULL;
    pthread_t *threads = NULL;
    int rc = 0;
    if (!space)
        return err_set(err, ERR_NOMEM, "search: out of memory");
    if (mapspace_init(space, a, p, opt->constraints, err) < 0)
        goto out_free;      /* err says which constraint; found stays false */
    struct search_ctx ctx = { .space = space, .opt = opt };
    double limit = opt->time_limit_s > 0 ? opt->time_limit_s : SEARCH_DEFAULT_TIME_LIMIT_S;
    ctx.deadline_s = start + limit;
    atomic_init(&ctx.halt, 0);
    struct pool pool = { .ctx = &ctx, .nshards = shard_count[opt->strategy] };
    pool.run = opt->strategy == STRATEGY_EXHAUSTIVE ? exhaustive_shard
             : opt->strategy == STRATEGY_RANDOM ? random_shard : anneal_shard;
    atomic_init(&pool.next, 0);
    shards = calloc(pool.nshards, sizeof *shards);
    uint64_t nthreads = (uint64_t)opt->threads < pool.nshards ? (uint64_t)opt->threads
                                                              : pool.nshards;
    threads = calloc(nthreads, sizeof *threads);
    if (!shards || !threads) {
        rc = err_set(err, ERR_NOMEM, "search: out of memory");
        goto out_free;
    }
    pool.shards = shards;
    uint64_t started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&threads[started], NULL, worker, &pool) != 0)
            break;
    if (started == 0)
        worker(&pool);
    for (uint64_t t = 0; t < started; t++)
        pthread_join(threads[t], NULL);

    bool complete = true;
    for (uint64_t i = 0; i < pool.nshards; i++) {
        struct shard_best *sb = &shards[i];
        out->evaluated += sb->evaluated;
        complete &= sb->complete;
        if (sb->found && (!out->found || search_better(opt->objective, &sb->stats, &out->stats))) {
            out->found = true;
            out->best = sb->map;
            out->stats = sb->stats;
        }
    }
    int halt = atomic_load(&ctx.halt);
    out->timed_out = halt == 1;
    out->interrupted = halt == 2;
    out->optimal = out->found && complete && opt->strategy == STRATEGY_EXHAUSTIVE;
    if (!out->found)
        err_set(err, ERR_NO_MAPPING, "%s %s: %s", p->layer, kernel_name(p->kernel),
                halt ? "no valid mapping found before the search stopped"
                : opt->strategy != STRATEGY_EXHAUSTIVE ? "no valid mapping found by sampling"
                : opt->constraints ? "no mapping fits the arch under the constraints"
                : "no mapping fits the arch");
out_free:
    free(threads);
    free(shards);
    free(space);
    out->search_s = search_now_s() - start;
    return rc;
}
