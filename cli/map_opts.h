/*
 * map_opts: the command-line options of a map run, shared by `trainmap map`
 * and `trainmap compare` (which maps one workload on several archs with the
 * same options): matching an argument against the option table, checking
 * the values into struct map_opts, selecting layers by --layers, quoting
 * the command line for the report.  Messages name the subcommand (cmd).
 *
 * Ownership: struct map_args points into argv; nothing is allocated but
 * map_command_line's string.
 */
#ifndef TRAINMAP_MAP_OPTS_H
#define TRAINMAP_MAP_OPTS_H

#include <stdbool.h>

#include "../workloads/workload.h"
#include "map_run.h"

/* The raw option values (NULL: not given). */
struct map_args {
    const char *arch, *workload, *kernels, *objective, *strategy, *threads, *seed,
        *time_limit, *layers, *constraints, *lowering, *output, *csv, *md, *plot;
};

/* Matches argv[*i] against a short and a long option taking a value
 * ("-a X", "--arch X", "--arch=X"; shrt may be NULL).  Returns 1 and sets
 * *val (advancing *i past a separate value) on a match, 0 when it is
 * another option, -1 when the value is missing. */
int map_take(int argc, char **argv, int *i, const char *shrt, const char *lng,
             const char **val);

/* Matches argv[*i] against every option of `map` (-a, -w, -k, -O, -s, -j,
 * --seed, --time-limit, --layers, --constraints, --lowering, -o, --csv,
 * --md, --plot) into ma.  Returns as map_take. */
int map_args_take(int argc, char **argv, int *i, struct map_args *ma);

/* Checks the option values of ma (before any file is read) into mo: the
 * kernel list, objective, strategy, threads (default: one per core), seed,
 * time limit, lowering, the paths.  Returns EXIT_OK, or EXIT_BAD_INPUT
 * having printed a usage error for cmd. */
int map_check_opts(const char *cmd, const struct map_args *ma, struct map_opts *mo);

/* Prints "trainmap CMD: <message>" on stderr; returns EXIT_BAD_INPUT. */
int map_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fails early, before any search, when the file path (given with option
 * opt) could not be written: no writable directory, or a directory in the
 * way (outfile_check).  Returns EXIT_OK or EXIT_BAD_INPUT having printed
 * why. */
int map_check_output_dir(const char *cmd, const char *opt, const char *path);

/* Marks the layers of w whose name matches the PCRE2 pattern (all when
 * NULL) in matched (w->nlayers entries).  Returns how many, or -1 having
 * printed the error (a bad pattern, no layer matching). */
int map_match_layers(const char *cmd, const struct workload *w, const char *pattern,
                     bool *matched);

/* The command line "trainmap ARGS..." as one string, each argument quoted
 * for a POSIX shell when it holds anything but plain characters.  Returns
 * a string the caller frees, or NULL when out of memory. */
char *map_command_line(int argc, char **argv);

#endif
