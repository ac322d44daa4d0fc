/*
 * dist_mpi: the MPI backend of dist.h, for sweeps that outgrow one machine
 * (compiled only in the MPI build, `make MPI=1`, which defines
 * TRAINMAP_MPI).
 *
 * Rank 0 is the coordinator and solves nothing; ranks 1..size-1 are the
 * workers.  The protocol is a strict request/reply: a worker sends READY
 * once, then a RESULT (or an ERROR) after each job, and every message gets
 * exactly one reply from rank 0 -- JOB with the next job index, or STOP.
 * A worker therefore holds at most one job, gets its next job only when it
 * returns a result (dynamic balance: a slow job never holds up the
 * others), and rank 0 knows at every moment which rank holds which job
 * (dist_ops.assigned).  Once every worker has had its STOP, rank 0
 * broadcasts the outcome so that every rank returns the same code and
 * message.  With size == 1 rank 0 solves the jobs itself, one at a time.
 *
 * Usage profile: one message pair per job, and a job is a search of
 * milliseconds to minutes, so the messages cost nothing next to the
 * work.  A rank waiting for a message polls with a growing sleep (up to
 * 1 ms) rather than spinning in a blocking call: a sweep run with
 * --oversubscribe has more ranks than cores, and a spinning coordinator
 * would take a core from a worker.
 *
 * A failure of message passing itself is ERR_COMM on the rank that saw it,
 * which returns at once: the outcome cannot be shared, so that rank must
 * leave without MPI_Finalize (which would wait for the others forever)
 * and mpirun ends the job.  A rank that dies is not survived either:
 * mpirun ends the whole job, and what the coordinator has passed to done
 * (the sweep's journal) is what remains.
 */
#define _POSIX_C_SOURCE 200809L
#include "dist.h"

#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum dist_tag {
    TAG_READY = 1,  /* worker -> 0: no payload */
    TAG_RESULT,     /* worker -> 0: u32 job, then the result bytes */
    TAG_ERROR,      /* worker -> 0: u32 job, i32 code, message bytes */
    TAG_JOB,        /* 0 -> worker: u32 job */
    TAG_STOP,       /* 0 -> worker: no payload */
};

#define HDR_BYTES 4     /* the u32 job in front of a RESULT */
#define ERRHDR_BYTES 8  /* u32 job + i32 code in front of an ERROR */
#define NO_JOB UINT32_MAX

/* The outcome rank 0 broadcasts at the end. */
struct outcome {
    int32_t code;
    char msg[ERR_MSG_MAX];
};

static int mpi_fail(struct err *err, const char *call, int rc)
{
    char text[MPI_MAX_ERROR_STRING];
    int n = 0;
    if (MPI_Error_string(rc, text, &n) != MPI_SUCCESS)
        n = 0;
    text[n < MPI_MAX_ERROR_STRING ? n : MPI_MAX_ERROR_STRING - 1] = '\0';
    return err_set(err, ERR_COMM, "message passing: %s failed: %s", call,
                   n > 0 ? text : "unknown MPI error");
}

int dist_mpi_begin(int *rank, int *size, struct err *err)
{
    int inited = 0, provided = 0, rc;
    *rank = 0;
    *size = 1;
    if ((rc = MPI_Initialized(&inited)) != MPI_SUCCESS)
        return mpi_fail(err, "MPI_Initialized", rc);
    /* Only the main thread calls MPI; solve may run threads of its own. */
    if (!inited &&
        (rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided)) !=
            MPI_SUCCESS)
        return mpi_fail(err, "MPI_Init_thread", rc);
    /* Errors come back as codes to turn into struct err, not aborts. */
    if ((rc = MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN)) !=
        MPI_SUCCESS)
        return mpi_fail(err, "MPI_Comm_set_errhandler", rc);
    if ((rc = MPI_Comm_rank(MPI_COMM_WORLD, rank)) != MPI_SUCCESS)
        return mpi_fail(err, "MPI_Comm_rank", rc);
    if ((rc = MPI_Comm_size(MPI_COMM_WORLD, size)) != MPI_SUCCESS)
        return mpi_fail(err, "MPI_Comm_size", rc);
    return 0;
}

void dist_mpi_end(void)
{
    int inited = 0, finalized = 0;
    if (MPI_Initialized(&inited) != MPI_SUCCESS || !inited)
        return;
    if (MPI_Finalized(&finalized) == MPI_SUCCESS && !finalized)
        MPI_Finalize();
}

int dist_mpi_vote(bool ok, bool *all_ok, struct err *err)
{
    int mine = ok, all = 0;
    int rc = MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    *all_ok = false;
    if (rc != MPI_SUCCESS)
        return mpi_fail(err, "MPI_Allreduce", rc);
    *all_ok = all != 0;
    return 0;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

/* Waits for a message from src (MPI_ANY_SOURCE for any) with any tag and
 * fills *st without receiving it.  Polls, sleeping 10 us, 20 us, ... up to
 * 1 ms between looks, so that a waiting rank leaves the core to others. */
static int wait_message(int src, MPI_Status *st, struct err *err)
{
    long sleep_ns = 10000;
    for (;;) {
        int flag = 0;
        int rc = MPI_Iprobe(src, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, st);
        if (rc != MPI_SUCCESS)
            return mpi_fail(err, "MPI_Iprobe", rc);
        if (flag)
            return 0;
        struct timespec ts = {0, sleep_ns};
        nanosleep(&ts, NULL);
        sleep_ns = sleep_ns < 500000 ? sleep_ns * 2 : 1000000;
    }
}

/* Receives the probed message st into a new buffer (*buf NULL when it is
 * empty) of *len bytes. */
static int recv_probed(const MPI_Status *st, unsigned char **buf, int *len,
                       struct err *err)
{
    MPI_Status st2;
    int n = 0, rc = MPI_Get_count(st, MPI_BYTE, &n);
    *buf = NULL;
    *len = 0;
    if (rc != MPI_SUCCESS)
        return mpi_fail(err, "MPI_Get_count", rc);
    if (n < 0)
        return err_set(err, ERR_COMM, "message passing: message of unknown size"
                                    " from rank %d", st->MPI_SOURCE);
    unsigned char *b = NULL;
    if (n > 0 && !(b = malloc((size_t)n)))
        return err_set(err, ERR_NOMEM, "out of memory receiving %d bytes from"
                                       " rank %d", n, st->MPI_SOURCE);
    rc = MPI_Recv(b, n, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG, MPI_COMM_WORLD,
                  &st2);
    if (rc != MPI_SUCCESS) {
        free(b);
        return mpi_fail(err, "MPI_Recv", rc);
    }
    *buf = b;
    *len = n;
    return 0;
}

static uint32_t next_job(uint32_t from, uint32_t njobs, const bool *skip)
{
    while (from < njobs && skip && skip[from])
        from++;
    return from;
}

/* size == 1: no workers, so rank 0 solves every job itself, in order. */
static int run_alone(const struct dist_ops *ops, void *ctx, uint32_t njobs,
                     const bool *skip, const atomic_int *stop, struct err *err)
{
    for (uint32_t j = next_job(0, njobs, skip); j < njobs;
         j = next_job(j + 1, njobs, skip)) {
        if (stop && atomic_load(stop))
            break;
        if (ops->assigned)
            ops->assigned(ctx, j, 0);
        void *data = NULL;
        size_t len = 0;
        int rc = ops->solve(ctx, j, &data, &len, err);
        if (rc >= 0)
            rc = ops->done(ctx, j, data, len, err);
        free(data);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The coordinator's state between messages. */
struct coord {
    const struct dist_ops *ops;
    void *ctx;
    uint32_t njobs;
    const bool *skip;
    const atomic_int *stop;
    uint32_t next;     /* the next job to hand out (njobs when none left) */
    uint32_t *held;    /* per rank: the job it holds, or NO_JOB */
    int failed;        /* first negative code; nothing more is handed out */
    struct err *err;   /* the first failure's message */
};

static void coord_fail(struct coord *c, int code, const struct err *e)
{
    if (c->failed)
        return;
    c->failed = code;
    if (e != c->err)
        err_set(c->err, code, "%s", e->msg);
}

/* Handles one message already received from rank src. */
static void coord_take(struct coord *c, int src, int tag,
                       const unsigned char *buf, int len)
{
    struct err e;
    err_clear(&e);
    if (!c->held)
        return; /* failed before the first job: only STOPs go out */
    uint32_t held = c->held[src];
    c->held[src] = NO_JOB;
    if (tag == TAG_READY && len == 0 && held == NO_JOB)
        return;
    if (tag == TAG_RESULT && len >= HDR_BYTES && held != NO_JOB &&
        get_u32(buf) == held) {
        if (c->failed)
            return; /* the run has failed: done is no longer called */
        int rc = c->ops->done(c->ctx, held, buf + HDR_BYTES,
                              (size_t)len - HDR_BYTES, &e);
        if (rc < 0)
            coord_fail(c, rc, &e);
        return;
    }
    if (tag == TAG_ERROR && len >= ERRHDR_BYTES) {
        int32_t code = (int32_t)get_u32(buf + 4);
        int n = len - ERRHDR_BYTES < ERR_MSG_MAX - 1 ? len - ERRHDR_BYTES
                                                     : ERR_MSG_MAX - 1;
        memcpy(e.msg, buf + ERRHDR_BYTES, (size_t)n);
        e.msg[n] = '\0';
        coord_fail(c, code < 0 ? code : ERR_COMM, &e);
        return;
    }
    err_set(&e, ERR_COMM, "message passing: unexpected message (tag %d, %d"
                          " bytes) from rank %d", tag, len, src);
    coord_fail(c, ERR_COMM, &e);
}

/* Replies to rank src with its next job, or STOP.  *stopped counts the
 * ranks told to stop. */
static int coord_reply(struct coord *c, int src, int *stopped)
{
    int rc;
    if (!c->failed && !(c->stop && atomic_load(c->stop)) &&
        c->next < c->njobs) {
        uint32_t job = c->next;
        unsigned char msg[4];
        put_u32(msg, job);
        c->next = next_job(job + 1, c->njobs, c->skip);
        c->held[src] = job;
        if (c->ops->assigned)
            c->ops->assigned(c->ctx, job, src);
        rc = MPI_Send(msg, 4, MPI_BYTE, src, TAG_JOB, MPI_COMM_WORLD);
        return rc == MPI_SUCCESS ? 0 : mpi_fail(c->err, "MPI_Send", rc);
    }
    (*stopped)++;
    rc = MPI_Send(NULL, 0, MPI_BYTE, src, TAG_STOP, MPI_COMM_WORLD);
    return rc == MPI_SUCCESS ? 0 : mpi_fail(c->err, "MPI_Send", rc);
}

/* Rank 0 of size > 1: answers messages until every worker has its STOP.
 * Returns 0 then, the run's outcome in c->failed (and c->err); a negative
 * code when it cannot go on (MPI failed, no memory for a message), with
 * the workers left waiting. */
static int coordinate(struct coord *c, int size)
{
    int stopped = 0;
    while (stopped < size - 1) {
        MPI_Status st;
        unsigned char *buf = NULL;
        int len = 0, rc = wait_message(MPI_ANY_SOURCE, &st, c->err);
        if (rc < 0 || (rc = recv_probed(&st, &buf, &len, c->err)) < 0)
            return rc;
        int src = st.MPI_SOURCE;
        if (src <= 0 || src >= size) {
            free(buf);
            return err_set(c->err, ERR_COMM, "message passing: message from"
                                             " rank %d of %d", src, size);
        }
        coord_take(c, src, st.MPI_TAG, buf, len);
        free(buf);
        if ((rc = coord_reply(c, src, &stopped)) < 0)
            return rc;
    }
    return 0;
}

/* A failure this rank cannot share with the others (it has left the
 * protocol): ERR_COMM, whatever the cause, with err's message. */
static int comm_broken(struct err *err)
{
    err->code = ERR_COMM;
    return ERR_COMM;
}

/* Sends the worker's failure of job to rank 0. */
static int send_error(uint32_t job, int code, const struct err *e,
                      struct err *err)
{
    unsigned char msg[ERRHDR_BYTES + ERR_MSG_MAX];
    size_t n = strnlen(e->msg, ERR_MSG_MAX - 1);
    put_u32(msg, job);
    put_u32(msg + 4, (uint32_t)(int32_t)code);
    memcpy(msg + ERRHDR_BYTES, e->msg, n);
    int rc = MPI_Send(msg, (int)(ERRHDR_BYTES + n), MPI_BYTE, 0, TAG_ERROR,
                      MPI_COMM_WORLD);
    return rc == MPI_SUCCESS ? 0 : mpi_fail(err, "MPI_Send", rc);
}

/* Solves job and sends its result, or its failure, to rank 0 (which then
 * stops the run and broadcasts the failure).  Returns a negative code only
 * when message passing itself fails. */
static int work_one(const struct dist_ops *ops, void *ctx, uint32_t njobs,
                    uint32_t job, struct err *err)
{
    struct err e;
    void *data = NULL;
    size_t len = 0;
    int rc;
    err_clear(&e);
    if (job >= njobs)
        rc = err_set(&e, ERR_USAGE, "job %u handed out, but this rank has only"
                                   " %u jobs: every rank must run the same"
                                   " sweep", (unsigned)job, (unsigned)njobs);
    else
        rc = ops->solve(ctx, job, &data, &len, &e);
    if (rc >= 0 && len > (size_t)INT_MAX - HDR_BYTES)
        rc = err_set(&e, ERR_TOO_LARGE, "job %u: result of %zu bytes is too"
                                       " large to send", (unsigned)job, len);
    unsigned char *msg = NULL;
    if (rc >= 0 && !(msg = malloc(HDR_BYTES + len)))
        rc = err_set(&e, ERR_NOMEM, "out of memory sending job %u's result",
                     (unsigned)job);
    if (rc < 0) {
        free(data);
        return send_error(job, rc, &e, err);
    }
    put_u32(msg, job);
    if (len)
        memcpy(msg + HDR_BYTES, data, len);
    free(data);
    rc = MPI_Send(msg, (int)(HDR_BYTES + len), MPI_BYTE, 0, TAG_RESULT,
                  MPI_COMM_WORLD);
    free(msg);
    return rc == MPI_SUCCESS ? 0 : mpi_fail(err, "MPI_Send", rc);
}

/* A worker rank: asks, solves, sends, until told to stop.  Returns 0
 * then, or a negative code when it cannot go on (err filled). */
static int work(const struct dist_ops *ops, void *ctx, uint32_t njobs,
                struct err *err)
{
    int rc = MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_READY, MPI_COMM_WORLD);
    if (rc != MPI_SUCCESS)
        return mpi_fail(err, "MPI_Send", rc);
    for (;;) {
        MPI_Status st;
        unsigned char *buf = NULL;
        int len = 0;
        if ((rc = wait_message(0, &st, err)) < 0 ||
            (rc = recv_probed(&st, &buf, &len, err)) < 0)
            return rc;
        if (st.MPI_TAG == TAG_STOP) {
            free(buf);
            return 0;
        }
        if (st.MPI_TAG != TAG_JOB || len != 4) {
            free(buf);
            return err_set(err, ERR_COMM, "message passing: unexpected"
                                          " message (tag %d, %d bytes) from rank 0",
                           st.MPI_TAG, len);
        }
        uint32_t job = get_u32(buf);
        free(buf);
        if ((rc = work_one(ops, ctx, njobs, job, err)) < 0)
            return rc;
    }
}

int dist_run_mpi(const struct dist_ops *ops, void *ctx, uint32_t njobs,
                 const bool *skip, const atomic_int *stop, struct err *err)
{
    struct err local;
    int rank = 0, size = 1, rc;
    if (!err)
        err = &local;
    err_clear(err);
    if ((rc = MPI_Comm_rank(MPI_COMM_WORLD, &rank)) != MPI_SUCCESS)
        return mpi_fail(err, "MPI_Comm_rank", rc);
    if ((rc = MPI_Comm_size(MPI_COMM_WORLD, &size)) != MPI_SUCCESS)
        return mpi_fail(err, "MPI_Comm_size", rc);
    if (size == 1)
        return run_alone(ops, ctx, njobs, skip, stop, err);

    struct outcome out;
    memset(&out, 0, sizeof out);
    if (rank == 0) {
        struct coord c = {ops, ctx, njobs, skip, stop, next_job(0, njobs, skip),
                          calloc((size_t)size, sizeof *c.held), 0, err};
        /* Without the table no job is handed out; every worker is told
         * to stop, and learns why. */
        if (!c.held)
            c.failed = err_set(err, ERR_NOMEM, "out of memory for %d ranks", size);
        for (int r = 0; c.held && r < size; r++)
            c.held[r] = NO_JOB;
        rc = coordinate(&c, size);
        free(c.held);
        if (rc < 0)
            return comm_broken(err);
        out.code = c.failed;
        if (c.failed)
            snprintf(out.msg, sizeof out.msg, "%s", err->msg);
    } else if (work(ops, ctx, njobs, err) < 0) {
        return comm_broken(err);
    }
    rc = MPI_Bcast(&out, (int)sizeof out, MPI_BYTE, 0, MPI_COMM_WORLD);
    if (rc != MPI_SUCCESS)
        return mpi_fail(err, "MPI_Bcast", rc);
    if (out.code < 0) {
        out.msg[ERR_MSG_MAX - 1] = '\0';
        return err_set(err, out.code, "%s", out.msg);
    }
    return 0;
}
