/*
 * map_run: the body of `trainmap map` once its options are checked and its
 * inputs loaded: which kernels of which layers to map (map_plan), then the
 * searches, the report and the summary (map_run).  Kept apart from
 * cmd_map.c, which reads the command line and owns the SIGINT flag.
 *
 * Ownership: everything is the caller's; map_run fills the caller's report.
 */
#ifndef TRAINMAP_MAP_RUN_H
#define TRAINMAP_MAP_RUN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "../arch/arch.h"
#include "../mapper/search.h"
#include "../reports/report_json.h"
#include "../reports/report_read.h"
#include "../workloads/workload.h"
#include "outputs.h"

struct map_opts {
    const char *cmd;                /* the subcommand, for messages: "map" */
    const char *label;              /* NULL, or what messages name the run by */
    const char *arch_path, *workload_path;
    const char *constraints_path;   /* NULL: none */
    const char *output;             /* NULL: no report file */
    struct output_opts out;         /* --csv, --md, --plot */
    bool kernel[KERNEL_COUNT];      /* the kernels selected with -k */
    enum objective objective;
    enum strategy strategy;
    int threads;
    uint64_t seed;
    double time_limit_s;
    enum lowering lowering;
    struct timespec start;          /* CLOCK_MONOTONIC, for the wall time */
};

/* Fills r (initialized with one layer per true entry of matched) with the
 * selected kernels of those layers in workload and step order, not yet
 * searched.  Returns how many kernels, or -1 having printed the error. */
int map_plan(const struct workload *w, const bool *matched, const struct map_opts *mo,
             struct report *r);

/* Fills r's metadata, loads the constraints, searches every kernel of r in
 * order (an identical problem once) and writes the report when mo->output
 * is set.  The report is then read back as a struct report_doc, from which
 * everything human is rendered: with doc_out NULL, the summary on stdout
 * and the outputs of mo->out; otherwise nothing is printed but errors and
 * the doc is handed over in *doc_out (the caller frees it with
 * report_doc_free; NULL when the run failed).  *stop ends the run early
 * (the current search keeps its best so far; later kernels stay
 * unsearched).  Returns the exit code, having printed any error. */
int map_run(const struct map_opts *mo, const struct arch *a, const struct workload *w,
            struct report *r, const atomic_int *stop,
            struct report_doc **doc_out);

/* map_run with a SIGINT handler in place that sets the stop flag (a second
 * Ctrl-C exits at once with 130); the previous disposition is restored
 * after. */
int map_run_interruptible(const struct map_opts *mo, const struct arch *a,
                          const struct workload *w, struct report *r,
                          struct report_doc **doc_out);

#endif
