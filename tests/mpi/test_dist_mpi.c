/*
 * The MPI backend's own tests (sweep/dist_mpi.c), run by `make test-mpi`
 * under `mpirun -np N --oversubscribe` for several N (1 included: rank 0
 * then solves alone).  Not a Check suite: Check forks a process per test,
 * and an MPI process must not fork.  Every rank runs every scenario in the
 * same order (dist_run_mpi is collective); rank 0 checks what done and
 * assigned saw, every rank checks what dist_run_mpi returned, and the exit
 * status is nonzero on every rank when any check failed on any rank.
 *
 * The toy job j solves to the decimal digits of j*j, except two jobs that
 * exercise the message sizes: job 2's result is empty and job 3's is
 * 1 MiB (byte k is (k * 7 + 3) mod 256), beyond any eager send limit.
 */
#define _POSIX_C_SOURCE 200809L
#include "../../sweep/dist.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXJOBS 64
#define BIG_JOB 3
#define BIG_LEN (1u << 20)
#define EMPTY_JOB 2
#define NONE UINT32_MAX

struct toy {
    int rank;
    uint32_t fail_job;       /* solve refuses it with ERR_SCHEMA */
    uint32_t done_fail_at;   /* done fails on its n-th call (1-based) */
    uint32_t stop_at;        /* done raises *stop on its n-th call */
    uint32_t slow_job;       /* solve sleeps slow_ms on it, fast_ms on others */
    int slow_ms, fast_ms;
    atomic_int *stop;
    /* what rank 0 saw */
    uint32_t ndone, nassigned, solved_here;
    int done_count[MAXJOBS], assigned_count[MAXJOBS], worker[MAXJOBS];
    int done_before_assigned, bad_result;
};

/* One process's run of the scenarios. */
struct run {
    int rank, size;
    atomic_int stop;
    int failures;
};

#define CHECK(cond, ...)                                                 \
    do {                                                                 \
        if (!(cond)) {                                                   \
            r->failures++;                                               \
            fprintf(stderr, "rank %d: %s:%d: %s: ", r->rank, __func__,   \
                    __LINE__, #cond);                                    \
            fprintf(stderr, __VA_ARGS__);                                \
            fputc('\n', stderr);                                         \
        }                                                                \
    } while (0)

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int toy_solve(void *ctx, uint32_t job, void **data, size_t *len,
                     struct err *err)
{
    struct toy *t = ctx;
    if (t->rank == 0)
        t->solved_here++;
    sleep_ms(job == t->slow_job ? t->slow_ms : t->fast_ms);
    if (job == t->fail_job)
        return err_set(err, ERR_SCHEMA, "toy: job %u refused", (unsigned)job);
    *data = NULL;
    *len = 0;
    if (job == EMPTY_JOB)
        return 0;
    size_t n = job == BIG_JOB ? BIG_LEN : 24;
    unsigned char *b = malloc(n);
    if (!b)
        return err_set(err, ERR_NOMEM, "toy: out of memory");
    if (job == BIG_JOB) {
        for (size_t k = 0; k < n; k++)
            b[k] = (unsigned char)((k * 7 + 3) % 256);
    } else {
        n = (size_t)snprintf((char *)b, n, "%llu",
                             (unsigned long long)job * job);
    }
    *data = b;
    *len = n;
    return 0;
}

/* The expected result of job, written out differently from toy_solve:
 * squares by repeated addition, the big pattern by a running byte. */
static int result_ok(uint32_t job, const unsigned char *d, size_t len)
{
    if (job == EMPTY_JOB)
        return len == 0;
    if (job == BIG_JOB) {
        unsigned char v = 3;
        if (len != BIG_LEN)
            return 0;
        for (size_t k = 0; k < len; k++, v = (unsigned char)(v + 7))
            if (d[k] != v)
                return 0;
        return 1;
    }
    unsigned long long sq = 0;
    for (uint32_t k = 0; k < job; k++)
        sq += job;
    char want[24];
    int n = snprintf(want, sizeof want, "%llu", sq);
    return len == (size_t)n && memcmp(d, want, len) == 0;
}

static int toy_done(void *ctx, uint32_t job, const void *data, size_t len,
                    struct err *err)
{
    struct toy *t = ctx;
    t->ndone++;
    if (job < MAXJOBS) {
        t->done_count[job]++;
        if (!t->assigned_count[job])
            t->done_before_assigned++;
    }
    if (!result_ok(job, data, len))
        t->bad_result++;
    if (t->stop_at && t->ndone == t->stop_at)
        atomic_store(t->stop, 1);
    if (t->done_fail_at && t->ndone == t->done_fail_at)
        return err_set(err, ERR_IO, "toy: disk full at result %u",
                       (unsigned)t->ndone);
    return 0;
}

static void toy_assigned(void *ctx, uint32_t job, int worker)
{
    struct toy *t = ctx;
    t->nassigned++;
    if (job < MAXJOBS) {
        t->assigned_count[job]++;
        t->worker[job] = worker;
    }
}

static const struct dist_ops toy_ops = {toy_solve, toy_done, toy_assigned};

static void toy_init(struct toy *t, int rank, atomic_int *stop)
{
    memset(t, 0, sizeof *t);
    t->rank = rank;
    t->fail_job = t->slow_job = NONE;
    t->stop = stop;
    atomic_store(stop, 0);
}

/* Every job not skipped is assigned once, to a worker rank (rank 0 only
 * when alone), and done once with its own result, after its assignment. */
static void check_all_once(struct run *r, const struct toy *t,
                           uint32_t njobs, const bool *skip)
{
    int size = r->size;
    if (r->rank != 0)
        return;
    for (uint32_t j = 0; j < njobs; j++) {
        int want = skip && skip[j] ? 0 : 1;
        CHECK(t->done_count[j] == want, "job %u done %d times", (unsigned)j,
              t->done_count[j]);
        CHECK(t->assigned_count[j] == want, "job %u assigned %d times",
              (unsigned)j, t->assigned_count[j]);
        if (want)
            CHECK(size == 1 ? t->worker[j] == 0
                            : t->worker[j] >= 1 && t->worker[j] < size,
                  "job %u went to worker %d of %d", (unsigned)j, t->worker[j],
                  size);
    }
    CHECK(t->bad_result == 0, "%d wrong results", t->bad_result);
    CHECK(t->done_before_assigned == 0, "%d done before assigned",
          t->done_before_assigned);
    CHECK(r->size == 1 || t->solved_here == 0, "rank 0 solved %u jobs",
          (unsigned)t->solved_here);
}

static void run_every_job_once(struct run *r)
{
    struct toy tt, *t = &tt;
    struct err err;
    toy_init(t, r->rank, &r->stop);
    int rc = dist_run_mpi(&toy_ops, t, 40, NULL, &r->stop, &err);
    CHECK(rc == 0, "returned %d: %s", rc, err.msg);
    check_all_once(r, t, 40, NULL);
    if (r->rank == 0)
        CHECK(t->ndone == 40, "%u results", (unsigned)t->ndone);
}

static void run_skip_is_honored(struct run *r)
{
    struct toy tt, *t = &tt;
    struct err err;
    bool skip[40];
    for (int j = 0; j < 40; j++)
        skip[j] = j % 3 == 0 || j == 39;
    toy_init(t, r->rank, &r->stop);
    int rc = dist_run_mpi(&toy_ops, t, 40, skip, &r->stop, &err);
    CHECK(rc == 0, "returned %d: %s", rc, err.msg);
    check_all_once(r, t, 40, skip);
    /* j % 3 == 0 skips 14 of 0..39 (0, 3, ..., 39), 39 among them */
    if (r->rank == 0)
        CHECK(t->ndone == 26, "%u results", (unsigned)t->ndone);
}

static void run_all_skipped(struct run *r)
{
    struct toy tt, *t = &tt;
    struct err err;
    bool skip[5] = {true, true, true, true, true};
    toy_init(t, r->rank, &r->stop);
    int rc = dist_run_mpi(&toy_ops, t, 5, skip, &r->stop, &err);
    CHECK(rc == 0, "returned %d: %s", rc, err.msg);
    check_all_once(r, t, 5, skip);
    rc = dist_run_mpi(&toy_ops, t, 0, NULL, &r->stop, &err);
    CHECK(rc == 0, "no jobs: returned %d: %s", rc, err.msg);
    if (r->rank == 0)
        CHECK(t->ndone == 0 && t->nassigned == 0, "%u results",
              (unsigned)t->ndone);
}

/* A job that fails on a worker stops the run; every rank returns the
 * worker's code and message; no job is done twice. */
static void run_solve_error_stops_everyone(struct run *r)
{
    struct toy tt, *t = &tt;
    struct err err;
    toy_init(t, r->rank, &r->stop);
    t->fail_job = 7;
    t->fast_ms = 2;
    int rc = dist_run_mpi(&toy_ops, t, 40, NULL, &r->stop, &err);
    CHECK(rc == ERR_SCHEMA, "returned %d: %s", rc, err.msg);
    CHECK(rc == 0 || strcmp(err.msg, "toy: job 7 refused") == 0, "message %s",
          err.msg);
    if (r->rank != 0)
        return;
    CHECK(t->done_count[7] == 0, "job 7 done");
    for (int j = 0; j < 40; j++)
        CHECK(t->done_count[j] <= 1 && t->assigned_count[j] <= 1,
              "job %d done %d times, assigned %d", j, t->done_count[j],
              t->assigned_count[j]);
    /* jobs 0..6 are handed out before 7; alone, they are all done first */
    CHECK(r->size > 1 || t->ndone == 7, "%u results", (unsigned)t->ndone);
    CHECK(t->ndone < 40, "%u results", (unsigned)t->ndone);
}

/* A failure of done on rank 0 stops the run the same way, and done is
 * never called again. */
static void run_done_error_stops_everyone(struct run *r)
{
    struct toy tt, *t = &tt;
    struct err err;
    toy_init(t, r->rank, &r->stop);
    t->done_fail_at = 5;
    int rc = dist_run_mpi(&toy_ops, t, 40, NULL, &r->stop, &err);
    CHECK(rc == ERR_IO, "returned %d: %s", rc, err.msg);
    CHECK(rc == 0 || strcmp(err.msg, "toy: disk full at result 5") == 0,
          "message %s", err.msg);
    if (r->rank == 0)
        CHECK(t->ndone == 5, "%u results", (unsigned)t->ndone);
}

/* *stop raised on rank 0: nothing more is handed out, and every job
 * already handed out still comes back and is done. */
static void run_stop_collects_outstanding(struct run *r)
{
    struct toy tt, *t = &tt;
    struct err err;
    toy_init(t, r->rank, &r->stop);
    t->stop_at = 5;
    t->fast_ms = 5;
    int rc = dist_run_mpi(&toy_ops, t, 40, NULL, &r->stop, &err);
    CHECK(rc == 0, "returned %d: %s", rc, err.msg);
    if (r->rank != 0)
        return;
    CHECK(t->ndone == t->nassigned, "%u assigned, %u done",
          (unsigned)t->nassigned, (unsigned)t->ndone);
    for (int j = 0; j < 40; j++)
        CHECK(t->done_count[j] == t->assigned_count[j] && t->done_count[j] <= 1,
              "job %d assigned %d, done %d", j, t->assigned_count[j],
              t->done_count[j]);
    /* each worker holds at most one job when the fifth result arrives */
    CHECK(t->ndone >= 5 && t->ndone <= 5 + (uint32_t)(r->size - 1),
          "%u results with %d ranks", (unsigned)t->ndone, r->size);
}

/* Job 0 sleeps 1.5 s, the 20 others 20 ms each (0.4 s in all): the rank
 * holding job 0 gets nothing else while the others finish the rest. */
static void run_slow_job_does_not_hold_up_others(struct run *r)
{
    struct toy tt, *t = &tt;
    struct err err;
    if (r->size < 3)
        return;
    toy_init(t, r->rank, &r->stop);
    t->slow_job = 0;
    t->slow_ms = 1500;
    t->fast_ms = 20;
    int rc = dist_run_mpi(&toy_ops, t, 21, NULL, &r->stop, &err);
    CHECK(rc == 0, "returned %d: %s", rc, err.msg);
    if (r->rank != 0)
        return;
    check_all_once(r, t, 21, NULL);
    int slow_rank = t->worker[0], on_slow = 0;
    for (int j = 0; j < 21; j++)
        on_slow += t->worker[j] == slow_rank;
    /* 1 is expected; 2 leaves room for a loaded machine */
    CHECK(on_slow <= 2, "the rank with the slow job got %d of 21 jobs",
          on_slow);
}

/* The vote is yes only when every rank says yes. */
static void run_vote_is_unanimous(struct run *r)
{
    bool all = true;
    struct err err;
    int rc = dist_mpi_vote(true, &all, &err);
    CHECK(rc == 0 && all, "all yes: returned %d, all %d", rc, all);
    rc = dist_mpi_vote(r->rank != r->size - 1, &all, &err);
    CHECK(rc == 0 && !all, "last rank no: returned %d, all %d", rc, all);
}

int main(void)
{
    struct err err;
    struct run run = {0}, *r = &run;
    if (dist_mpi_begin(&r->rank, &r->size, &err) < 0) {
        fprintf(stderr, "dist_mpi_begin: %s\n", err.msg);
        return 1;
    }
    run_every_job_once(r);
    run_skip_is_honored(r);
    run_all_skipped(r);
    run_solve_error_stops_everyone(r);
    run_done_error_stops_everyone(r);
    run_stop_collects_outstanding(r);
    run_slow_job_does_not_hold_up_others(r);
    run_vote_is_unanimous(r);
    int all = 0;
    MPI_Allreduce(&r->failures, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (r->rank == 0)
        printf("dist_mpi with %d rank%s: %s (%d failed checks)\n", r->size,
               r->size == 1 ? "" : "s", all ? "FAILED" : "ok", all);
    dist_mpi_end();
    return all ? 1 : 0;
}
