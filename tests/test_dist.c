/*
 * Tests of sweep/dist.c, the threads backend of the work queue: every job
 * not skipped is solved and done exactly once, done calls never overlap,
 * assignments name a worker before the job's result, a stop flag and a
 * failing solve or done end the run.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sweep/dist.h"

#define NJOBS 200

struct probe {
    atomic_int solved[NJOBS];
    int done[NJOBS];            /* touched in done only: serialized */
    int assigned[NJOBS];        /* the worker, or -1 */
    int inside;                 /* done calls running now */
    int overlaps;
    int ndone;
    int fail_solve_at;          /* a job whose solve fails, or -1 */
    int fail_done_at;
    int stop_after;             /* set *stop after this many done, or -1 */
    atomic_int *stop;
};

static void probe_init(struct probe *p)
{
    memset(p, 0, sizeof *p);
    for (int i = 0; i < NJOBS; i++) {
        atomic_init(&p->solved[i], 0);
        p->assigned[i] = -1;
    }
    p->fail_solve_at = p->fail_done_at = p->stop_after = -1;
}

static int solve(void *ctx, uint32_t job, void **data, size_t *len, struct err *err)
{
    struct probe *p = ctx;
    atomic_fetch_add(&p->solved[job], 1);
    if ((int)job == p->fail_solve_at)
        return err_set(err, ERR_NO_MAPPING, "job %u failed", job);
    uint32_t *v = malloc(sizeof *v);
    if (!v)
        return err_set(err, ERR_NOMEM, "out of memory");
    *v = job * 3;
    *data = v;
    *len = sizeof *v;
    return 0;
}

static int done(void *ctx, uint32_t job, const void *data, size_t len, struct err *err)
{
    struct probe *p = ctx;
    if (p->inside++)
        p->overlaps++;
    /* The result is the bytes solve made for this job. */
    ck_assert_uint_eq(len, sizeof(uint32_t));
    ck_assert_uint_eq(*(const uint32_t *)data, job * 3);
    ck_assert_int_ge(p->assigned[job], 0);
    p->done[job]++;
    p->ndone++;
    if (p->stop_after >= 0 && p->ndone == p->stop_after)
        atomic_store(p->stop, 1);
    p->inside--;
    if ((int)job == p->fail_done_at)
        return err_set(err, ERR_IO, "cannot record job %u", job);
    return 0;
}

static void assigned(void *ctx, uint32_t job, int worker)
{
    struct probe *p = ctx;
    p->assigned[job] = worker;
}

static const struct dist_ops ops = { .solve = solve, .done = done, .assigned = assigned };

START_TEST(dist_run_threads_should_solve_and_finish_every_job_once)
{
    static struct probe p;
    struct err e;
    probe_init(&p);
    ck_assert_int_eq(dist_run_threads(&ops, &p, NJOBS, NULL, 4, NULL, &e), 0);
    for (int i = 0; i < NJOBS; i++) {
        ck_assert_int_eq(atomic_load(&p.solved[i]), 1);
        ck_assert_int_eq(p.done[i], 1);
        ck_assert_int_ge(p.assigned[i], 0);
        ck_assert_int_lt(p.assigned[i], 4);
    }
    ck_assert_int_eq(p.overlaps, 0);
}
END_TEST

START_TEST(dist_run_threads_should_leave_out_the_skipped_jobs)
{
    static struct probe p;
    static bool skip[NJOBS];
    struct err e;
    probe_init(&p);
    for (int i = 0; i < NJOBS; i++)
        skip[i] = i % 3 == 0;
    ck_assert_int_eq(dist_run_threads(&ops, &p, NJOBS, skip, 3, NULL, &e), 0);
    for (int i = 0; i < NJOBS; i++) {
        ck_assert_int_eq(p.done[i], skip[i] ? 0 : 1);
        ck_assert_int_eq(p.assigned[i] >= 0, !skip[i]);
    }
    /* Jobs 1..199 not divisible by 3: 200 - 67 = 133. */
    ck_assert_int_eq(p.ndone, 133);
}
END_TEST

START_TEST(dist_run_threads_should_run_on_the_calling_thread_with_one_thread)
{
    static struct probe p;
    struct err e;
    probe_init(&p);
    ck_assert_int_eq(dist_run_threads(&ops, &p, 10, NULL, 1, NULL, &e), 0);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(p.assigned[i], 0);
    ck_assert_int_eq(p.ndone, 10);
}
END_TEST

START_TEST(dist_run_threads_should_accept_no_jobs)
{
    static struct probe p;
    struct err e;
    probe_init(&p);
    ck_assert_int_eq(dist_run_threads(&ops, &p, 0, NULL, 4, NULL, &e), 0);
    ck_assert_int_eq(p.ndone, 0);
}
END_TEST

START_TEST(dist_run_threads_should_hand_out_nothing_once_stopped)
{
    static struct probe p;
    atomic_int stop;
    struct err e;
    probe_init(&p);
    atomic_init(&stop, 1);
    ck_assert_int_eq(dist_run_threads(&ops, &p, NJOBS, NULL, 4, &stop, &e), 0);
    ck_assert_int_eq(p.ndone, 0);
}
END_TEST

START_TEST(dist_run_threads_should_stop_handing_out_jobs_when_the_flag_is_set)
{
    static struct probe p;
    atomic_int stop;
    struct err e;
    probe_init(&p);
    atomic_init(&stop, 0);
    p.stop = &stop;
    p.stop_after = 5;
    ck_assert_int_eq(dist_run_threads(&ops, &p, NJOBS, NULL, 2, &stop, &e), 0);
    /* The 5th done sets the flag; at most the other thread's job that was
     * already running finishes after it. */
    ck_assert_int_ge(p.ndone, 5);
    ck_assert_int_le(p.ndone, 6);
}
END_TEST

START_TEST(dist_run_threads_should_return_the_error_of_a_failed_solve)
{
    static struct probe p;
    struct err e;
    probe_init(&p);
    p.fail_solve_at = 7;
    ck_assert_int_eq(dist_run_threads(&ops, &p, NJOBS, NULL, 1, NULL, &e), ERR_NO_MAPPING);
    ck_assert_str_eq(e.msg, "job 7 failed");
    /* One thread takes jobs in order: 0..6 were done, nothing after 7. */
    ck_assert_int_eq(p.ndone, 7);
    ck_assert_int_eq(atomic_load(&p.solved[8]), 0);
}
END_TEST

START_TEST(dist_run_threads_should_return_the_error_of_a_failed_done)
{
    static struct probe p;
    struct err e;
    probe_init(&p);
    p.fail_done_at = 3;
    ck_assert_int_eq(dist_run_threads(&ops, &p, NJOBS, NULL, 4, NULL, &e), ERR_IO);
    ck_assert_str_eq(e.msg, "cannot record job 3");
    ck_assert_int_lt(p.ndone, NJOBS);
}
END_TEST

Suite *dist_suite(void)
{
    Suite *s = suite_create("dist");
    TCase *tc = tcase_create("threads");
    tcase_add_test(tc, dist_run_threads_should_solve_and_finish_every_job_once);
    tcase_add_test(tc, dist_run_threads_should_leave_out_the_skipped_jobs);
    tcase_add_test(tc, dist_run_threads_should_run_on_the_calling_thread_with_one_thread);
    tcase_add_test(tc, dist_run_threads_should_accept_no_jobs);
    tcase_add_test(tc, dist_run_threads_should_hand_out_nothing_once_stopped);
    tcase_add_test(tc, dist_run_threads_should_stop_handing_out_jobs_when_the_flag_is_set);
    tcase_add_test(tc, dist_run_threads_should_return_the_error_of_a_failed_solve);
    tcase_add_test(tc, dist_run_threads_should_return_the_error_of_a_failed_done);
    suite_add_tcase(s, tc);
    return s;
}
