/*
 * trainmap's entry point: dispatches to one subcommand per file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    { "check", cmd_check, "validate arch, workload and mapping files" },
    { "kernels", cmd_kernels, "list a workload's training kernels with shapes and MACs" },
    { "eval", cmd_eval, "evaluate one mapping of one kernel on an arch" },
    { "map", cmd_map, "search the best mapping of every training kernel of a workload" },
    { "compare", cmd_compare, "map a workload on several archs and compare them side by side" },
    { "sweep", cmd_sweep, "map workloads on arch variants and find the best (with resume)" },
    { "report", cmd_report, "render a saved JSON report as tables and plots again" },
    { "import", cmd_import, "turn an ONNX model or a PyTorch summary into a workload" },
};

const char *cli_option_value(int argc, char **argv, int *i, const char *name, bool *matched)
{
    size_t n = strlen(name);
    *matched = false;
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=') {
        *matched = true;
        return argv[*i] + n + 1;
    }
    if (argv[*i][n] != '\0')
        return NULL;
    *matched = true;
    return *i + 1 < argc ? argv[++*i] : NULL;
}

int cli_fail(const struct err *e)
{
    fprintf(stderr, "trainmap: %s\n", e->msg[0] ? e->msg : err_code_text(e->code));
    return e->code == ERR_INVALID_MAPPING || e->code == ERR_NO_MAPPING
               ? EXIT_NO_MAPPING : EXIT_BAD_INPUT;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "trainmap %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nrun 'trainmap %s --help' for usage\n", cmd);
    return EXIT_BAD_INPUT;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: trainmap <command> [options]\n\n"
               "an analytical cost model and mapper for DNN training accelerators\n\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'trainmap <command> --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_BAD_INPUT;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("trainmap %s\n", TRAINMAP_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "trainmap: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_BAD_INPUT;
}
