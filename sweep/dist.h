/*
 * dist: hands numbered jobs to workers and brings their results back to
 * one coordinator.  A sweep is thousands of independent searches; this is
 * the only place that knows whether they run on threads of one process or
 * on the ranks of an MPI job, so the sweep itself is written once.
 *
 * A job is an index in [0, njobs).  solve turns it into an opaque byte
 * result (the caller's serialization of whatever it computed, errors
 * included); done receives every result on the coordinator, one at a
 * time.  Results arrive in completion order, which varies from run to run:
 * a caller that wants a deterministic output orders them by job index.
 */
#ifndef TRAINMAP_DIST_H
#define TRAINMAP_DIST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

struct dist_ops {
    /* Solves job on a worker: on success *data is a malloc'd buffer of
     * *len bytes that dist frees after passing it to done.  Called
     * concurrently from several threads; it must not print or exit.  A job
     * that fails in a way the caller wants reported encodes that in its
     * result and returns 0; a negative ERR_* return stops the run (err
     * filled) and is returned by dist_run_*. */
    int (*solve)(void *ctx, uint32_t job, void **data, size_t *len, struct err *err);
    /* Takes job's result on the coordinator, serialized (never two at
     * once).  Returns 0, or a negative ERR_* to stop handing out work. */
    int (*done)(void *ctx, uint32_t job, const void *data, size_t len, struct err *err);
    /* Optional (may be NULL): job was handed to worker (a thread index or
     * an MPI rank), called on the coordinator before the job starts. */
    void (*assigned)(void *ctx, uint32_t job, int worker);
};

/* Runs every job i with skip == NULL or !skip[i] on nthreads threads of
 * this process and passes each result to done.  *stop (may be NULL), once
 * nonzero, stops handing out jobs; those running finish.  Returns 0, or the
 * first negative ERR_* of solve or done (err filled). */
int dist_run_threads(const struct dist_ops *ops, void *ctx, uint32_t njobs,
                     const bool *skip, int nthreads, const atomic_int *stop,
                     struct err *err);

#ifdef TRAINMAP_MPI
/* MPI_Init_thread (no arguments needed) and this process's rank and the
 * job's size; a process started without mpirun is rank 0 of 1.  MPI
 * errors then come back as codes instead of aborting.  Returns 0, or
 * ERR_COMM. */
int dist_mpi_begin(int *rank, int *size, struct err *err);
/* MPI_Finalize; it waits until every rank has called it.  No-op when MPI
 * is not initialized or already finalized. */
void dist_mpi_end(void);
/* Collective: every rank says whether it is ready to run (ok) and learns
 * in *all_ok whether every rank is, so that a failure on some ranks before
 * a run stops all of them alike.  Returns 0, or ERR_COMM. */
int dist_mpi_vote(bool ok, bool *all_ok, struct err *err);
/* Collective over MPI_COMM_WORLD: every rank calls it with the same njobs
 * and skip.  Rank 0 hands jobs out one at a time to the ranks that ask
 * (dynamic balance: a rank gets its next job when it returns a result) and
 * calls done for each; the other ranks call solve.  Returns 0 on every
 * rank, or a negative ERR_* (err filled).
 * Details of the MPI backend: with one rank, rank 0 solves every job
 * itself, in order (assigned gets worker 0); otherwise rank 0 solves
 * nothing and the workers are ranks 1..size-1, and skip and *stop are
 * read on rank 0 only.  The outcome (0, or the first failure of solve or
 * done) is the same on every rank, code and message; only ERR_COMM (this
 * rank's message passing broke) is this rank's alone: it must then exit
 * without dist_mpi_end, which would wait for the other ranks. */
int dist_run_mpi(const struct dist_ops *ops, void *ctx, uint32_t njobs,
                 const bool *skip, const atomic_int *stop, struct err *err);
#endif

#endif
