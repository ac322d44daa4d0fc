/*
 * cli: what the subcommands share: the exit codes, error printing and the
 * command table.  Only cli/ prints and picks exit codes; the library below
 * it returns struct err.
 */
#ifndef TRAINMAP_CLI_H
#define TRAINMAP_CLI_H

#include <stdbool.h>

#include "../common/err.h"

#define TRAINMAP_VERSION "0.1.0"

enum exit_code {
    EXIT_OK = 0,
    EXIT_NO_MAPPING = 1,   /* no valid mapping, or the given one is invalid */
    EXIT_BAD_INPUT = 2,    /* bad input or usage */
    EXIT_INTERRUPTED = 130,
};

/* Prints "trainmap: <message>" on stderr and returns the exit code that
 * goes with e's code. */
int cli_fail(const struct err *e);

/* Prints "trainmap CMD: <formatted message>" and a hint to run --help on
 * stderr; returns EXIT_BAD_INPUT. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Option argv[*i] when it is "--name=value" or "--name value" (then *i
 * moves past the value): the value, or NULL with *matched telling whether
 * the option was name (its value missing) or another. */
const char *cli_option_value(int argc, char **argv, int *i, const char *name, bool *matched);

/* The subcommands: argv[0] is the subcommand's name. */
int cmd_check(int argc, char **argv);
int cmd_kernels(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_sweep(int argc, char **argv);

#endif
