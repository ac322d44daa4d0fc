/*
 * sweep_run: the body of `trainmap sweep` once its inputs are loaded and
 * its plan built: the journal (fresh or resumed), running the jobs
 * (sweep_execute, the one place that decides where they run), decoding
 * the results, writing the reports and printing the summary.  Kept apart
 * from cmd_sweep.c, which reads the command line.
 *
 * Ownership: everything is the caller's.
 */
#ifndef TRAINMAP_SWEEP_RUN_H
#define TRAINMAP_SWEEP_RUN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "../sweep/sweep.h"
#include "outputs.h"

struct sweep_run_opts {
    const char *output;             /* -o SWEEP.json */
    struct output_opts out;         /* --csv, --md, --plot */
    bool resume;                    /* --resume */
    int threads;                    /* -j */
    const char *command;            /* the command line, for the report */
    struct timespec start;          /* CLOCK_MONOTONIC */
    /* true in a single process and on the coordinator (MPI rank 0): it
     * writes the journal, the reports and the summary.  false on the other
     * ranks of an MPI run: they only search the problems handed to them
     * and write nothing; they never read the journal (on a cluster their
     * nodes need not see it: rank 0 alone decides what to skip). */
    bool coordinator;
    struct sweep_mpi *mpi;          /* MPI build: this rank's state; else NULL */
};

/* A process of an MPI job (an MPI build run by mpirun; one process alone
 * is rank 0 of 1).  Every rank first votes whether it is ready
 * (dist_mpi_vote): sweep_run votes yes just before the searches, and a
 * rank that returns before it has voted must vote no. */
struct sweep_mpi {
    int rank, size;
    bool voted;                     /* this rank has voted */
    bool broken;                    /* its message passing failed: it must
                                     * leave without dist_mpi_end */
};

/* Runs the sweep of plan: journal, searches (stopped early by *stop),
 * reports, outputs and the summary on stdout (the last three and the
 * journal's writing on the coordinator only).  Returns the exit code
 * (0 every cell mapped, 1 some cell invalid or without a mapping, 2 bad
 * input, 130 interrupted), having printed any error.
 *
 * With ro->mpi of size > 1 (an MPI build under mpirun) every rank calls
 * it with the same plan: rank 0 does all of the above and hands the
 * searches to the other ranks, which only search, print nothing and
 * return the run's exit code.  When a rank failed before the searches
 * (see struct sweep_mpi), none runs them: rank 0 says so, the others
 * return quietly. */
int sweep_run(const struct sweep_plan *plan, const struct sweep_run_opts *ro,
              const atomic_int *stop);

#endif
