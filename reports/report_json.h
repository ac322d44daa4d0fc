/*
 * report_json: the JSON report of a `trainmap map` run (DESIGN.md section
 * 6), the contract for the programs that read mapper results.
 *
 * struct report holds what a run produced: its metadata (tool version,
 * command line, the input files by path, name and SHA-256, the search
 * settings) and, per layer in workload order and per kernel in step order,
 * the problem and its search result.  report_build turns it into the
 * report tree; report_totals sums it.  Numbers are printed exactly, as in
 * stats_json (see stats_json.h): counts in full, doubles in the shortest
 * text that reads back to the same bits.
 *
 * Built once per run: clarity over speed.
 *
 * Ownership: struct report is caller-allocated (report_init/report_release)
 * and owns its layers array; the strings and the arch it points to belong
 * to the caller and must outlive it.  report_build and report_print return
 * new objects the caller frees.
 */
#ifndef TRAINMAP_REPORT_JSON_H
#define TRAINMAP_REPORT_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "../arch/arch.h"
#include "../common/err.h"
#include "../common/sha256.h"
#include "../mapper/search.h"
#include "../workloads/problem.h"

#define REPORT_SCHEMA 1

/* One input file. */
struct report_input {
    const char *path;               /* as given on the command line */
    const char *name;               /* the file's "name"; NULL: none */
    const char *comment;            /* the file's "comment"; NULL: none */
    char sha256[SHA256_HEX_SIZE];   /* of the file's bytes */
};

/* One kernel of one layer. */
struct report_kernel {
    struct problem problem;         /* the kernel, derived for this layer */
    /* false: never searched (the run was interrupted before its turn);
     * result and error are then unused. */
    bool searched;
    struct search_result result;    /* result.found: a mapping exists */
    char error[ERR_MSG_MAX];        /* why not, when searched && !found */
    /* The index of an earlier layer whose identical problem was searched
     * and whose result this entry repeats; -1 when searched for itself. */
    int same_as;
};

struct report_layer {
    char name[PROBLEM_NAME_MAX];
    int nkernels;                   /* 0 .. KERNEL_COUNT, in step order */
    struct report_kernel kernel[KERNEL_COUNT];
};

struct report {
    const char *version;            /* "0.1.0" */
    const char *command;            /* the command line, as one string */
    const struct arch *arch;        /* the arch the problems were mapped on */
    struct report_input arch_input, workload_input, constraints_input;
    bool has_constraints;           /* constraints_input is valid */
    /* The search settings: strategy and objective by name ("exhaustive",
     * "edp"), threads, seed and the per-problem time limit in force. */
    const char *strategy;
    const char *objective;
    int threads;
    uint64_t seed;
    double time_limit_s;
    bool interrupted;               /* the run was stopped early */
    int nlayers;
    struct report_layer *layers;    /* owned, nlayers entries */
};

/* Sums over the entries that have a valid mapping (searched and found),
 * in report order (layers, then kernels within a layer).  Kernels run one
 * after another, so cycles add up like energies. */
struct report_sum {
    double energy_pj;
    uint64_t cycles;
    uint64_t macs;
};

struct report_totals {
    bool present[KERNEL_COUNT];     /* some entry has this kernel */
    struct report_sum kernel[KERNEL_COUNT];
    struct report_sum step;         /* every counted entry */
    int counted;                    /* entries with a valid mapping */
    /* Some entry has no valid mapping (no mapping exists, or it was not
     * searched) and is left out of the sums. */
    bool incomplete;
};

/* Zeroes r and allocates nlayers empty layers (nlayers >= 0).  Returns 0,
 * or ERR_NOMEM (r is then empty and report_release is still safe). */
int report_init(struct report *r, int nlayers, struct err *err);

/* Frees r's layers; r is left empty.  Safe on an empty report. */
void report_release(struct report *r);

/* Sums r into *out (see struct report_totals).  Returns 0, or
 * ERR_TOO_LARGE when a cycle or MAC sum overflows 64 bits. */
int report_totals(const struct report *r, struct report_totals *out, struct err *err);

/* The report tree:
 *   { "schema": 1, "tool": "trainmap", "version", "command",
 *     "inputs": { "arch": {path, name, sha256, comment}, "workload": {path,
 *                 name, sha256}, "constraints": {path, sha256} (when
 *                 given) },
 *     "search": { strategy, objective, threads, seed, time_limit_s },
 *     "layers": [ { "name", "kernels": [ entry... ] } ],
 *     "totals": { <kernel>: {energy_pj, cycles, macs} for each kernel
 *                 present, in execution order, "step": {...},
 *                 "incomplete": bool },
 *     "interrupted": bool }
 * An entry with a mapping: { "kernel", ["same_as": layer name,] "mapping"
 * (mapping_to_json; absent for stream kernels), "stats" (stats_json_build),
 * "bounds": {energy_pj, cycles, energy_ratio, cycles_ratio}, "optimal",
 * "timed_out", "interrupted", "evaluated", "search_s" }.  Without one:
 * "mapping", "stats" and "bounds" are null and "error" says why; an entry
 * never searched has "searched": false and no search fields.  Returns a
 * new tree the caller frees with cJSON_Delete, or NULL with err set
 * (ERR_NOMEM, or ERR_TOO_LARGE from report_totals). */
cJSON *report_build(const struct report *r, struct err *err);

/* report_build printed as indented JSON with a final newline.  Returns a
 * string the caller frees with free(), or NULL with err set. */
char *report_print(const struct report *r, struct err *err);

#endif
