/*
 * dist (threads backend): the jobs of a sweep on the threads of this
 * process; see dist.h.  A pool of workers takes job indices from one
 * atomic counter, so a long job never holds up the others; the results go
 * to done one at a time under a mutex.  Runs once per sweep with a few
 * thousand jobs: the lock is taken twice per job, never in a search.
 */
#include "dist.h"

#include <pthread.h>
#include <stdlib.h>

struct pool {
    const struct dist_ops *ops;
    void *ctx;
    uint32_t njobs;
    const bool *skip;
    const atomic_int *stop;
    atomic_uint_fast32_t next;      /* the next job index to consider */
    atomic_int failed;              /* set once an error stops the run */
    pthread_mutex_t lock;           /* serializes done, assigned and err */
    int rc;                         /* the first error, under lock */
    struct err err;
};

struct worker {
    struct pool *pool;
    int index;
};

/* Records the first error; later ones are dropped.  Called under lock. */
static void fail_locked(struct pool *p, int rc, const struct err *e)
{
    if (p->rc == 0) {
        p->rc = rc;
        p->err = *e;
    }
    atomic_store(&p->failed, 1);
}

static bool stopping(struct pool *p)
{
    return atomic_load(&p->failed) || (p->stop && atomic_load(p->stop));
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct pool *p = w->pool;
    for (;;) {
        if (stopping(p))
            break;
        uint32_t job = (uint32_t)atomic_fetch_add(&p->next, 1);
        if (job >= p->njobs)
            break;
        if (p->skip && p->skip[job])
            continue;
        if (p->ops->assigned) {
            pthread_mutex_lock(&p->lock);
            p->ops->assigned(p->ctx, job, w->index);
            pthread_mutex_unlock(&p->lock);
        }
        void *data = NULL;
        size_t len = 0;
        struct err e;
        err_clear(&e);
        int rc = p->ops->solve(p->ctx, job, &data, &len, &e);
        pthread_mutex_lock(&p->lock);
        if (rc < 0)
            fail_locked(p, rc, &e);
        else if (!atomic_load(&p->failed) &&
                 (rc = p->ops->done(p->ctx, job, data, len, &e)) < 0)
            fail_locked(p, rc, &e);
        pthread_mutex_unlock(&p->lock);
        free(data);
    }
    return NULL;
}

int dist_run_threads(const struct dist_ops *ops, void *ctx, uint32_t njobs,
                     const bool *skip, int nthreads, const atomic_int *stop,
                     struct err *err)
{
    if (nthreads < 1)
        nthreads = 1;
    if ((uint32_t)nthreads > njobs)
        nthreads = njobs > 0 ? (int)njobs : 1;
    struct pool p = { .ops = ops, .ctx = ctx, .njobs = njobs, .skip = skip, .stop = stop };
    atomic_init(&p.next, 0);
    atomic_init(&p.failed, 0);
    err_clear(&p.err);
    if (pthread_mutex_init(&p.lock, NULL) != 0)
        return err_set(err, ERR_NOMEM, "dist: cannot create a mutex");
    struct worker *w = calloc((size_t)nthreads, sizeof *w);
    pthread_t *tid = calloc((size_t)nthreads, sizeof *tid);
    int started = 0;
    if (!w || !tid) {
        p.rc = err_set(&p.err, ERR_NOMEM, "dist: out of memory");
        goto out_free;
    }
    /* Worker 0 runs on the calling thread, so -j 1 starts no thread. */
    for (int i = 1; i < nthreads; i++) {
        w[i] = (struct worker){ .pool = &p, .index = i };
        if (pthread_create(&tid[i], NULL, work, &w[i]) != 0)
            break;
        started = i;
    }
    w[0] = (struct worker){ .pool = &p, .index = 0 };
    work(&w[0]);
    for (int i = 1; i <= started; i++)
        pthread_join(tid[i], NULL);
out_free:
    free(tid);
    free(w);
    pthread_mutex_destroy(&p.lock);
    if (p.rc < 0 && err)
        *err = p.err;
    return p.rc;
}
