/*
 * render: the human outputs of a report (struct report_doc, read back from
 * its JSON): CSV, Markdown, the stdout summary and gnuplot plots.
 *
 * Everything is rendered from the doc as read back from the JSON text, by
 * `map` right after its run and by `report` from a saved file, so the two
 * give byte-identical CSV and Markdown.  Writers print into a textbuf and
 * never touch stdout; plots are written as files (gnuplot scripts and
 * their data) that the CLI renders by running gnuplot.
 *
 * Rendered once per command: clarity over speed.
 *
 * Ownership: the doc is the caller's; text goes into the caller's textbuf.
 */
#ifndef TRAINMAP_RENDER_H
#define TRAINMAP_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/err.h"
#include "report_read.h"
#include "textbuf.h"

/* Kernels in the order a training step runs them (totals, tables). */
extern const enum kernel render_step_order[KERNEL_COUNT];

/* Per-level energies summed over the mapped entries of kernel k (all
 * kernels when k < 0), in report order: out[0 .. doc->nlevels-1] the
 * levels, out[doc->nlevels] the MACs.  out holds ARCH_MAX_LEVELS + 1. */
void render_level_energy(const struct report_doc *doc, int k, double *out);

/* The MAC array's busy fraction over the mapped entries of kernel k (all
 * when k < 0): sum(utilization * cycles) / sum(cycles), which is
 * sum(macs) / (MACs of the array * sum(cycles)); NAN when no cycles. */
double render_utilization(const struct report_doc *doc, int k);

/* The energy of layer l: the sum over its mapped entries. */
double render_layer_energy(const struct report_doc *doc, int l);

/* A unit for energies whose largest magnitude is max_pj: "pJ", "nJ",
 * "µJ" (UTF-8), "mJ" or "J", the largest in which max_pj is at least 1.
 * Returns the number of pJ in one unit; *name gets the unit. */
double render_energy_unit(double max_pj, const char **name);

/* v with four significant digits in fixed notation ("12.32", "45806",
 * "0.001234"; "0" for 0), scientific below 1e-3 ("1.234e-05"), into out
 * (at least 32 bytes).  Returns out. */
char *render_sig4(double v, char *out);

/* The CSV of doc: a header row, then one row per layer x kernel in report
 * order (see docs/report.md for the columns).  Returns 0, or ERR_NOMEM. */
int render_csv(const struct report_doc *doc, struct textbuf *out, struct err *err);

/* The Markdown of doc: the run's inputs and settings, per-kernel and
 * training-step totals with energy by level, and the per layer x kernel
 * table.  Returns 0, or ERR_NOMEM. */
int render_markdown(const struct report_doc *doc, struct textbuf *out, struct err *err);

/* The summary tables for stdout: energy, cycles and MACs per kernel and per
 * step; the five most expensive layers; the step's energy by level.
 * Returns 0, or ERR_NOMEM. */
int render_summary(const struct report_doc *doc, struct textbuf *out, struct err *err);

/* The plots of doc written into the existing directory dir: per kernel a
 * stacked energy-by-level bar chart over the layers (energy_<kernel>),
 * the per-kernel totals by level (energy_kernels), the utilization per
 * layer and kernel (utilization).  Each is a gnuplot script NAME.gp with
 * its data NAME.dat; running `gnuplot NAME.gp` in dir writes NAME.svg and
 * NAME.pdf.  The script names (without directory) are appended to names,
 * one per line.  Returns 0, or ERR_IO / ERR_NOMEM. */
int render_plots(const struct report_doc *doc, const char *dir, struct textbuf *names,
                 struct err *err);

/*
 * Shared by the plot writers (render_plot.c, compare_plot.c).
 */

/* A label for gnuplot data files: double-quoted, with quotes, backslashes
 * and control characters replaced by safe ones. */
void render_gp_label(struct textbuf *b, const char *s);

/* A gnuplot single-quoted string literal of s. */
void render_gp_string(struct textbuf *b, const char *s);

/* The head of a plot script writing NAME.svg and NAME.pdf (or the formats
 * in the gnuplot variable `formats`, e.g. gnuplot -e 'formats="png"'):
 * opens a loop over the formats that the caller's plot commands sit in,
 * closed by render_gp_tail.  wide: full text width instead of one column;
 * tall: room for vertical axis labels. */
void render_gp_head(struct textbuf *b, const char *name, bool wide, bool tall);
void render_gp_tail(struct textbuf *b);

/* Writes dir/name.ext with text (atomically).  Returns 0 or ERR_IO. */
int render_write_file(const char *dir, const char *name, const char *ext,
                      struct textbuf *text, struct err *err);

#endif
