/*
 * progress: the one-line progress display of long subcommands (map), drawn
 * on stderr and redrawn in place with '\r' a few times a second, so that
 * the elapsed time moves while a long search runs.  Drawn only when stderr
 * is a terminal; otherwise every call is a no-op and nothing is printed.
 *
 * The subcommand updates the counters between problems (progress_update);
 * a drawing thread reads them under a lock.  progress_stop erases the line,
 * so that what the subcommand prints next starts on a clean line.
 *
 * Ownership: struct progress is caller-allocated; progress_start and
 * progress_stop bracket its use.
 */
#ifndef TRAINMAP_PROGRESS_H
#define TRAINMAP_PROGRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct progress {
    bool active;                /* the drawing thread runs */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    struct timespec start;      /* CLOCK_MONOTONIC */
    int layers_done, layers_total;
    uint64_t evaluated;         /* mappings evaluated so far, all problems */
    char current[96];           /* "conv2_1 bwd_data": what is being searched */
    double best_edp;            /* of the last finished kernel; < 0: none */
};

/* Starts drawing when stderr is a terminal (the thread blocks SIGINT, so
 * the caller's handler runs on the caller's thread).  layers_total is the
 * count shown as "done / total". */
void progress_start(struct progress *p, int layers_total);

/* Sets what is being searched now. */
void progress_begin(struct progress *p, const char *layer, const char *kernel);

/* Records a finished kernel: its evaluations and EDP (< 0: no mapping), and
 * whether it finished its layer. */
void progress_update(struct progress *p, uint64_t evaluated, double edp, bool layer_done);

/* Stops drawing and erases the line.  Safe when never started. */
void progress_stop(struct progress *p);

#endif
