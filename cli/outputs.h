/*
 * outputs: the human outputs that `map`, `report` and `compare` share:
 * --csv F, --md F and --plot DIR.  Files are written whole or not at all
 * (common/outfile.h); plots are gnuplot scripts and data written into DIR
 * and rendered by running gnuplot there (the program named by
 * $TRAINMAP_GNUPLOT, default gnuplot on the PATH).  When gnuplot cannot be
 * found the scripts and data are still written and a note on stderr says
 * how to render them.
 *
 * Ownership: everything is the caller's.
 */
#ifndef TRAINMAP_OUTPUTS_H
#define TRAINMAP_OUTPUTS_H

#include "../reports/report_read.h"
#include "../reports/textbuf.h"

struct output_opts {
    const char *csv, *md, *plot;    /* NULL: not asked for */
};

/* Fails early, before any search, when an output could not be written:
 * the directory of --csv or --md is missing or read-only, --plot names a
 * file or sits in a missing directory.  Returns EXIT_OK or EXIT_BAD_INPUT
 * having printed why for cmd. */
int outputs_check(const char *cmd, const struct output_opts *o);

/* Writes text (a whole file) to path atomically and prints "what: path" on
 * stdout.  Returns EXIT_OK or the exit code of the error it printed. */
int outputs_write_text(const char *what, const char *path, struct textbuf *text);

/* Creates directory dir (given with option opt) when missing.  Returns
 * EXIT_OK or EXIT_BAD_INPUT having printed why. */
int outputs_make_dir(const char *cmd, const char *opt, const char *dir);

/* As outputs_check for a directory dir given with option opt: it exists
 * and is writable, or its parent is. */
int outputs_check_dir(const char *cmd, const char *opt, const char *dir);

/* Runs gnuplot in dir on the scripts listed in names (one per line), or
 * says how to run it when gnuplot cannot be found; prints "plots: dir"
 * with what was made.  Returns EXIT_OK, or EXIT_BAD_INPUT when gnuplot
 * fails. */
int outputs_render_plots(const char *cmd, const char *dir, const char *names);

/* The outputs of a report asked for in o: CSV, Markdown, plots.  Returns
 * EXIT_OK or the exit code of the error it printed. */
int outputs_report(const char *cmd, const struct report_doc *doc,
                   const struct output_opts *o);

#endif
