/*
 * sweep_report: the outputs of a sweep (docs/sweep.md): per cell a normal
 * map report (reports/report_json.h) and per variant its arch JSON, both
 * in the cells directory; then the sweep report, which holds every cell's
 * totals and parameters, the path of its map report, and per workload the
 * best variant by energy, latency and EDP.  CSV and Markdown tables and
 * the plots are rendered from the same summary (sweep_render.c).
 *
 * Everything is ordered by variant, workload and job index, never by
 * completion: apart from the "run" object (how this particular run went:
 * command line, threads, wall time) and the cell reports' "search_s", the
 * outputs depend only on the inputs, the options and the results.
 *
 * Built once per sweep: clarity over speed.
 *
 * Ownership: struct sweep_summary is caller-allocated
 * (sweep_summarize / sweep_summary_release) and owns its strings.
 */
#ifndef TRAINMAP_SWEEP_REPORT_H
#define TRAINMAP_SWEEP_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/err.h"
#include "../mapper/search.h"
#include "../reports/report_json.h"
#include "../reports/textbuf.h"
#include "sweep.h"

/* The jobs' results, indexed by job. */
struct sweep_results {
    const bool *have;                   /* finished (else not searched) */
    const struct search_result *result;
    char (*error)[ERR_MSG_MAX];         /* why no mapping, when !found */
    bool interrupted;                   /* the run stopped early */
};

enum sweep_status {
    SWEEP_OK,           /* every kernel mapped */
    SWEEP_NO_MAPPING,   /* some kernel has no valid mapping */
    SWEEP_INVALID,      /* the arch variant is rejected */
    SWEEP_UNFINISHED,   /* some problem was not searched (interrupted) */
};

/* Objectives for "best": by step energy, step cycles, step EDP. */
enum sweep_goal { SWEEP_BY_ENERGY, SWEEP_BY_LATENCY, SWEEP_BY_EDP, SWEEP_GOAL_COUNT };

struct sweep_cell_summary {
    enum sweep_status status;
    char *error;                    /* owned; NULL when OK */
    char *report;                   /* owned: the map report's path; NULL when invalid */
    struct report_totals totals;    /* of the map report */
    uint64_t mac_count;             /* MACs of the variant, for utilization */
};

struct sweep_summary {
    uint32_t ncells;
    struct sweep_cell_summary *cell;
    int nworkloads;
    int (*best)[SWEEP_GOAL_COUNT];  /* per workload: the best cell, or -1 */
};

/* What describes the run rather than the sweep. */
struct sweep_run_info {
    const char *version;            /* "0.1.0" */
    const char *command;            /* the command line */
    const char *inputs_sha256;
    int threads;
    bool resumed;
    double wall_s;
};

/* The cells directory of report path out: "x/s.json" -> "x/s.cells".
 * Returns a string the caller frees, or NULL when out of memory. */
char *sweep_cells_dir(const char *out);

/* Writes every variant's arch JSON (variant-NNN.json) and every valid
 * cell's map report (cell-NNNN.json) into dir (created when missing), and
 * fills *sum from them (statuses, errors, totals, best cells).  Returns 0,
 * or ERR_IO / ERR_NOMEM / ERR_TOO_LARGE with err filled; *sum needs
 * sweep_summary_release either way. */
int sweep_summarize(const struct sweep_plan *plan, const struct sweep_results *res,
                    const char *dir, const char *version, struct sweep_summary *sum,
                    struct err *err);
void sweep_summary_release(struct sweep_summary *sum);

/* A cell total's EDP (energy_pj * cycles) and utilization (macs / (MACs
 * of the arch * cycles); 0 when cycles is 0). */
double sweep_sum_edp(const struct report_sum *s);
double sweep_sum_utilization(const struct report_sum *s, uint64_t mac_count);

/* The sweep report as indented JSON text with a final newline
 * (docs/sweep.md); dir is the cells directory sweep_summarize wrote.
 * Returns a string the caller frees, or NULL with err set (ERR_NOMEM). */
char *sweep_report_print(const struct sweep_plan *plan, const struct sweep_summary *sum,
                         const struct sweep_results *res, const struct sweep_run_info *run,
                         const char *dir, struct err *err);

/* "GlobalBuffer.size_words=32768 RegisterFile.mesh_x=4" for variant v
 * (empty without --vary) into out (cap bytes). */
void sweep_params_text(const struct sweep_plan *plan, int v, char *out, size_t cap);

/* The CSV table: one row per cell and total (each kernel present, then
 * step).  The Markdown tables: per workload, one row per variant, the best
 * marked.  Append to b (check b->failed). */
void sweep_render_csv(const struct sweep_plan *plan, const struct sweep_summary *sum,
                      struct textbuf *b);
void sweep_render_md(const struct sweep_plan *plan, const struct sweep_summary *sum,
                     struct textbuf *b);

/* The gnuplot data and scripts of the plots: per --vary, the step EDP
 * against the varied value, one line per arch file and workload (the best
 * over the other --vary values).  Writes NAME.dat and NAME.gp into dir and
 * the script names, one per line, into names.  Returns 0, or ERR_IO /
 * ERR_NOMEM with err filled. */
int sweep_render_plots(const struct sweep_plan *plan, const struct sweep_summary *sum,
                       const char *dir, struct textbuf *names, struct err *err);

#endif
