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
    int rank, ranks;                /* MPI build: this process's rank and the
                                     * job's size; 0 and 1 otherwise */
};

/* Runs the sweep of plan: journal, searches (stopped early by *stop),
 * reports, outputs and the summary on stdout.  Returns the exit code
 * (0 every cell mapped, 1 some cell invalid or without a mapping, 2 bad
 * input, 130 interrupted), having printed any error.
 *
 * With ro->ranks > 1 (an MPI build under mpirun) every rank calls it with
 * the same plan: rank 0 does all of the above and hands the searches to
 * the other ranks, which only search, print nothing and return the run's
 * exit code.  Once every rank is past the searches it calls dist_mpi_end
 * (MPI_Finalize waits for all ranks); a rank that fails before then
 * returns without it, and mpirun ends the job. */
int sweep_run(const struct sweep_plan *plan, const struct sweep_run_opts *ro,
              const atomic_int *stop);

#endif
