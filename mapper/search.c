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

/* Annealing steps per shard of the run that seeds the exhaustive search. */
#define SEED_BUDGET 2000

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

double search_bound_cost(enum objective o, double energy_pj, double cycles)
{
    switch (o) {
    case OBJ_ENERGY: return energy_pj;
    case OBJ_LATENCY: return cycles;
    default: return energy_pj * cycles;
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
    if (c->opt->stop && atomic_load_explicit(c->opt->stop, memory_order_relaxed)) {
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

void search_ctx_init(struct search_ctx *c, const struct mapspace *space,
                     const struct search_options *opt, double deadline_s)
{
    c->space = space;
    c->opt = opt;
    c->deadline_s = deadline_s;
    atomic_init(&c->halt, 0);
    double inf = INFINITY;
    uint64_t inf_bits;
    memcpy(&inf_bits, &inf, sizeof inf_bits);
    atomic_init(&c->incumbent, inf_bits);
    model_bounds(space->arch, space->prob, &c->bounds);
    model_prepare(&c->prep, space->arch, space->prob);
}

double search_incumbent(const struct search_ctx *c)
{
    uint64_t bits = atomic_load_explicit(&c->incumbent, memory_order_relaxed);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

void search_lower_incumbent(struct search_ctx *c, double cost)
{
    uint64_t want;
    memcpy(&want, &cost, sizeof want);
    uint64_t cur = atomic_load(&c->incumbent);
    for (;;) {
        double v;
        memcpy(&v, &cur, sizeof v);
        if (cost >= v || atomic_compare_exchange_weak(&c->incumbent, &cur, want))
            return;
    }
}

bool search_offer(struct search_ctx *c, const struct mapping *m, struct shard_best *best)
{
    struct model_stats s;
    if (model_eval_prepared(&c->prep, m, &s, NULL) != 0)
        return false;
    best->evaluated++;
    if (s.utilization < c->space->cons.min_utilization)
        return true;
    if (!best->found || search_better(c->opt->objective, &s, &best->stats)) {
        best->found = true;
        best->map = *m;
        best->stats = s;
        search_lower_incumbent(c, search_cost(c->opt->objective, &s));
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

/* Runs strategy st's shards on the options' threads and reduces them into
 * out (found, best, stats, evaluated; optimal = every shard completed). */
static int run_pool(struct search_ctx *ctx, enum strategy st, struct search_result *out,
                    struct err *err)
{
    struct pool pool = { .ctx = ctx, .nshards = shard_count[st] };
    pool.run = st == STRATEGY_EXHAUSTIVE ? exhaustive_shard
             : st == STRATEGY_RANDOM ? random_shard : anneal_shard;
    atomic_init(&pool.next, 0);
    uint64_t nthreads = (uint64_t)ctx->opt->threads < pool.nshards
                            ? (uint64_t)ctx->opt->threads : pool.nshards;
    struct shard_best *shards = calloc(pool.nshards, sizeof *shards);
    pthread_t *threads = calloc(nthreads, sizeof *threads);
    int rc = 0;
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
        out->nodes += sb->nodes;
        out->factorizations += sb->factorizations;
        out->factorizations_cut += sb->cut;
        complete &= sb->complete;
        if (sb->found && (!out->found ||
                          search_better(ctx->opt->objective, &sb->stats, &out->stats))) {
            out->found = true;
            out->best = sb->map;
            out->stats = sb->stats;
        }
    }
    out->optimal = complete;
out_free:
    free(threads);
    free(shards);
    return rc;
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

/* ---- why a space is empty ---- */

struct probe {
    const struct mapspace *space;
    double deadline_s;
    bool found, gave_up;
    unsigned calls;
};

static bool probe_one(void *arg, struct mapping *m)
{
    struct probe *pr = arg;
    if (++pr->calls % 1024 == 0 && search_now_s() > pr->deadline_s) {
        pr->gave_up = true;
        return true;
    }
    struct mapspace_orders o;
    struct model_stats st;
    mapspace_orders_first(pr->space, m, &o);
    if (model_eval(pr->space->arch, pr->space->prob, m, &st, NULL) == 0 &&
        st.utilization >= pr->space->cons.min_utilization)
        pr->found = true;
    return pr->found;
}

/* 1: the space of p under c has a mapping; 0: it has none; -1: unknown
 * (the probe ran out of time). */
static int space_has_mapping(const struct arch *a, const struct problem *p,
                             const struct constraints *c, double seconds)
{
    struct mapspace *s = malloc(sizeof *s);
    if (!s || mapspace_init(s, a, p, c, NULL) < 0) {
        int known = s ? 0 : -1;
        free(s);
        return known;
    }
    struct probe pr = { .space = s, .deadline_s = search_now_s() + seconds };
    struct mapping m;
    mapping_init(&m, s->nlevels);
    mapspace_factorizations(s, &m, 0, 1, probe_one, NULL, &pr);
    free(s);
    return pr.found ? 1 : pr.gave_up ? -1 : 0;
}

/* Names the constraint that empties a space the exhaustive search found
 * empty: the first level whose constraints, lifted alone, let a mapping in,
 * or the minimum utilization. */
static void explain_empty(const struct arch *a, const struct problem *p,
                          const struct constraints *c, struct err *err)
{
    const char *what = "no mapping fits the arch under the constraints";
    struct constraints relaxed = *c;
    if (c->min_utilization > 0) {
        relaxed.min_utilization = 0;
        if (space_has_mapping(a, p, &relaxed, 2.0) == 1) {
            err_set(err, ERR_NO_MAPPING, "%s %s: %s: min_utilization %g leaves no mapping",
                    p->layer, kernel_name(p->kernel), what, c->min_utilization);
            return;
        }
        relaxed.min_utilization = c->min_utilization;
    }
    struct constraints free_all;
    constraints_init(&free_all, a);
    for (int l = 0; l < a->nlevels; l++) {
        if (!c->source[l][0])
            continue;
        relaxed.level[l] = free_all.level[l];
        if (space_has_mapping(a, p, &relaxed, 2.0) == 1) {
            err_set(err, ERR_NO_MAPPING, "%s %s: %s: %s (level '%s') leaves no mapping",
                    p->layer, kernel_name(p->kernel), what, c->source[l], a->level[l].name);
            return;
        }
        relaxed.level[l] = c->level[l];
    }
    err_set(err, ERR_NO_MAPPING, "%s %s: %s", p->layer, kernel_name(p->kernel), what);
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
    int rc = 0;
    if (!space)
        return err_set(err, ERR_NOMEM, "search: out of memory");
    if (mapspace_init(space, a, p, opt->constraints, err) < 0)
        goto out_free;      /* err says which constraint; found stays false */
    struct search_ctx ctx;
    double limit = opt->time_limit_s > 0 ? opt->time_limit_s : SEARCH_DEFAULT_TIME_LIMIT_S;
    search_ctx_init(&ctx, space, opt, start + limit);
    /* The exhaustive search starts from the incumbent of a short seeded
     * annealing run, so that its bounds cut from the first node. */
    struct search_result seed = { 0 };
    if (opt->strategy == STRATEGY_EXHAUSTIVE) {
        struct search_options quick = *opt;
        quick.budget = SEED_BUDGET;
        ctx.opt = &quick;
        rc = run_pool(&ctx, STRATEGY_ANNEAL, &seed, err);
        ctx.opt = opt;
        if (rc < 0)
            goto out_free;
        if (seed.found)
            search_lower_incumbent(&ctx, search_cost(opt->objective, &seed.stats));
    }
    rc = run_pool(&ctx, opt->strategy, out, err);
    if (rc < 0)
        goto out_free;
    out->evaluated += seed.evaluated;
    if (seed.found && (!out->found || search_better(opt->objective, &seed.stats, &out->stats))) {
        out->found = true;
        out->best = seed.best;
        out->stats = seed.stats;
    }
    bool complete = out->optimal;
    int halt = atomic_load(&ctx.halt);
    out->timed_out = halt == 1;
    out->interrupted = halt == 2;
    out->optimal = out->found && complete && !halt && opt->strategy == STRATEGY_EXHAUSTIVE;
    if (!out->found && !halt && opt->strategy == STRATEGY_EXHAUSTIVE && opt->constraints)
        explain_empty(a, p, opt->constraints, err);
    else if (!out->found)
        err_set(err, ERR_NO_MAPPING, "%s %s: %s", p->layer, kernel_name(p->kernel),
                halt ? "no valid mapping found before the search stopped"
                : opt->strategy != STRATEGY_EXHAUSTIVE ? "no valid mapping found by sampling"
                : "no mapping fits the arch");
out_free:
    free(space);
    out->search_s = search_now_s() - start;
    return rc;
}
