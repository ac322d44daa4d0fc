/*
 * compare: reports of one workload on several archs, side by side.
 *
 * compare_init checks that the reports cover the same workload (the same
 * file by SHA-256), layers and kernels, and computes per arch: the totals
 * per kernel and per training step (energy, cycles, MACs, EDP, MAC-array
 * utilization), each one's ratio to the first arch, the step's energy by
 * level (levels matched by name across archs), and per layer the energy,
 * cycles and EDP with the arch that wins on each.  The writers render that
 * as the comparison JSON (CMP.json, docs/report.md), CSV, Markdown, the
 * stdout summary and gnuplot plots.
 *
 * Built once per `trainmap compare`: clarity over speed.
 *
 * Ownership: struct compare is caller-allocated (compare_init /
 * compare_release) and owns its layers array; it borrows the docs, which
 * must outlive it.
 */
#ifndef TRAINMAP_COMPARE_H
#define TRAINMAP_COMPARE_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "../common/err.h"
#include "report_read.h"
#include "textbuf.h"

#define COMPARE_MAX_ARCHS 16
#define COMPARE_MAX_LEVELS (COMPARE_MAX_ARCHS * ARCH_MAX_LEVELS)
#define COMPARE_LABEL_MAX (ARCH_NAME_MAX + 16)
/* Row COMPARE_STEP of compare.kernel is the training step. */
#define COMPARE_STEP KERNEL_COUNT

/* One kernel (or the step, or a layer) on one arch. */
struct compare_metrics {
    bool complete;          /* every entry counted has a mapping */
    double energy_pj;
    uint64_t cycles, macs;
    double edp;             /* energy_pj * cycles */
    double utilization;     /* cycle-weighted; NAN when no cycles */
    /* Ratios to the first arch's value; NAN when that is 0. */
    double energy_ratio, cycles_ratio, edp_ratio;
};

/* Per layer: its kernels together, per arch, and the winners: bit a set
 * when arch a has the least value among the archs that map every kernel
 * of the layer (several bits on a tie, none when no arch maps it all). */
struct compare_layer {
    const char *name;       /* borrowed from the first doc */
    struct compare_metrics arch[COMPARE_MAX_ARCHS];
    unsigned win_energy, win_cycles, win_edp;
};

struct compare {
    int narchs;
    const struct report_doc *doc[COMPARE_MAX_ARCHS];
    /* The arch's name, made unique with " (2)", ... when repeated. */
    char label[COMPARE_MAX_ARCHS][COMPARE_LABEL_MAX];
    bool present[KERNEL_COUNT];     /* kernels in the reports */
    struct compare_metrics kernel[KERNEL_COUNT + 1][COMPARE_MAX_ARCHS];
    /* Every arch's levels by name, outermost first as far as the archs
     * agree; level_pj[a][i] is arch a's step energy in level i (0 when it
     * has none of that name), level_pj[a][nlevels] its MACs'. */
    int nlevels;
    char level_name[COMPARE_MAX_LEVELS][ARCH_NAME_MAX];
    double level_pj[COMPARE_MAX_ARCHS][COMPARE_MAX_LEVELS + 1];
    bool has_level[COMPARE_MAX_ARCHS][COMPARE_MAX_LEVELS];
    int nlayers;
    struct compare_layer *layers;   /* owned */
};

/* Compares docs[0..n-1] (2 <= n <= COMPARE_MAX_ARCHS; docs[0] is the
 * reference of the ratios).  Returns 0, or ERR_SCHEMA when the reports
 * are of different workloads, layers or kernels (the message names both
 * files and the difference), ERR_USAGE for a bad n, ERR_NOMEM. */
int compare_init(struct compare *c, const struct report_doc *const *docs, int n,
                 struct err *err);

/* Frees c's layers; safe on a zeroed or released compare. */
void compare_release(struct compare *c);

/* The comparison JSON (schema in docs/report.md) with the tool's version
 * and the command line (NULL: null), indented, with a final newline.
 * Returns a string the caller frees, or NULL with err set (ERR_NOMEM). */
char *compare_print(const struct compare *c, const char *version, const char *command,
                    struct err *err);

/* One CSV row per kernel, step and layer x arch.  Returns 0 or ERR_NOMEM. */
int compare_csv(const struct compare *c, struct textbuf *out, struct err *err);

/* The comparison as Markdown tables.  Returns 0 or ERR_NOMEM. */
int compare_markdown(const struct compare *c, struct textbuf *out, struct err *err);

/* The stdout summary: per kernel and step, each arch's energy, cycles,
 * EDP and utilization with the ratios; the count of layer wins per arch.
 * Returns 0 or ERR_NOMEM. */
int compare_summary(const struct compare *c, struct textbuf *out, struct err *err);

/* Grouped bar plots per kernel (and step) of energy, cycles, EDP relative
 * to the first arch and utilization (compare_energy, compare_cycles,
 * compare_edp, compare_utilization), and each arch's step energy stacked
 * by level (compare_levels), as gnuplot scripts and data in dir; names
 * as render_plots.  Returns 0, or ERR_IO / ERR_NOMEM. */
int compare_plots(const struct compare *c, const char *dir, struct textbuf *names,
                  struct err *err);

/* The label of the row r of compare.kernel: a kernel name or "step". */
const char *compare_row_name(int r);

#endif
