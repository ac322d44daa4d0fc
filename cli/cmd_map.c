/*
 * trainmap map: the best mapping of every selected training kernel of
 * every selected layer of a workload on an arch.  Loads the inputs, picks
 * layers (--layers, a PCRE2 pattern) and kernels (-k), searches each
 * distinct problem once (layers of the same shape share one search), then
 * prints the totals on stdout and, with -o, writes the JSON report
 * (reports/report_json.h) whole or not at all; --csv, --md and --plot
 * render it (reports/render.h).
 *
 * Ctrl-C stops the current search, which returns its best so far; the
 * problems after it are reported as not searched and the run exits 130.  A
 * second Ctrl-C exits at once.  This file reads the command line;
 * map_opts.c checks the options, map_run.c plans, searches and prints.  The search
 * and the report themselves are in the library.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../arch/arch.h"
#include "../mapper/search.h"
#include "../reports/report_json.h"
#include "../workloads/workload.h"
#include "cli.h"
#include "map_opts.h"
#include "map_run.h"

static const char *const cmd = "map";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: trainmap map -a ARCH -w WORKLOAD [-k KERNELS] [-O edp|energy|latency]\n"
            "                    [-s exhaustive|random|anneal] [-j THREADS] [--seed N]\n"
            "                    [--time-limit S] [--layers REGEX] [--constraints F]\n"
            "                    [--lowering none|im2col] [-o REPORT.json] [--csv F]\n"
            "                    [--md F] [--plot DIR]\n\n"
            "Searches the best mapping of every training kernel of every layer of a\n"
            "workload on an arch, then prints the energy, cycles and MACs per kernel and\n"
            "per training step, the five most expensive layers and the energy by level.\n"
            "Layers of the same shape are searched once.\n\n"
            "  -a, --arch FILE          arch JSON\n"
            "  -w, --workload FILE      workload JSON\n"
            "  -k, --kernels LIST       comma-separated kernels to map: fwd, bwd_data,\n"
            "                           bwd_weight, update, im2col, col2im (default: every\n"
            "                           kernel of a training step)\n"
            "  -O, --objective OBJ      what to minimize: edp (default), energy, latency\n"
            "  -s, --search STRATEGY    exhaustive (default), random or anneal\n"
            "  -j, --threads N          search threads (default: one per core)\n"
            "      --seed N             seed of the search (default 1)\n"
            "      --time-limit S       seconds per problem (default %g); the best\n"
            "                           mapping found by then is kept\n"
            "      --layers REGEX       only the layers whose name matches REGEX (PCRE2,\n"
            "                           anywhere in the name, as grep does)\n"
            "      --constraints FILE   mapspace constraints JSON\n"
            "      --lowering MODE      im2col maps conv layers as the GEMMs im2col\n"
            "                           produces; none (default) keeps each layer's own\n"
            "  -o, --output FILE        write the JSON report\n"
            "      --csv FILE           write one CSV row per layer and kernel\n"
            "      --md FILE            write the report as Markdown tables\n"
            "      --plot DIR           write energy and utilization plots (gnuplot\n"
            "                           scripts and data, rendered to SVG and PDF when\n"
            "                           gnuplot is installed)\n"
            "  -h, --help               this text\n\n"
            "A progress line is drawn on stderr when it is a terminal.  Ctrl-C stops the\n"
            "search: the best mappings found so far are reported, the kernels not yet\n"
            "searched are marked so; a second Ctrl-C quits at once without a report.\n\n"
            "exit status: 0 mapped, 1 some kernel has no valid mapping (the report is\n"
            "still written), 2 bad input or usage, 130 interrupted\n",
            SEARCH_DEFAULT_TIME_LIMIT_S);
}

/* Returns -1 after --help, EXIT_OK to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct map_args *ma)
{
    memset(ma, 0, sizeof *ma);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return -1;
        int r = map_args_take(argc, argv, &i, ma);
        if (r < 0)
            return cli_usage_error(cmd, "option '%s' needs a value", argv[i]);
        if (r == 0)
            return cli_usage_error(cmd, "%s '%s'",
                                   argv[i][0] == '-' ? "unknown option" : "unexpected argument",
                                   argv[i]);
    }
    if (!ma->arch)
        return cli_usage_error(cmd, "missing -a ARCH");
    if (!ma->workload)
        return cli_usage_error(cmd, "missing -w WORKLOAD");
    return EXIT_OK;
}

int cmd_map(int argc, char **argv)
{
    struct map_args ma;
    struct map_opts mo;
    struct err e;
    struct arch *a = NULL;
    struct workload *w = NULL;
    struct report r;
    bool *matched = NULL;
    char *command = NULL;
    memset(&mo, 0, sizeof mo);
    clock_gettime(CLOCK_MONOTONIC, &mo.start);
    int rc = parse_args(argc, argv, &ma);
    if (rc < 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (rc != EXIT_OK || (rc = map_check_opts(cmd, &ma, &mo)) != EXIT_OK ||
        (ma.output && (rc = map_check_output_dir(cmd, "-o", ma.output)) != EXIT_OK) ||
        (rc = outputs_check(cmd, &mo.out)) != EXIT_OK)
        return rc;
    memset(&r, 0, sizeof r);
    if (arch_load(ma.arch, &a, &e) < 0)
        return cli_fail(&e);
    if (workload_load(ma.workload, &w, &e) < 0) {
        rc = cli_fail(&e);
        goto out_free;
    }
    if (!(matched = calloc((size_t)w->nlayers + 1, sizeof *matched)) ||
        !(command = map_command_line(argc, argv))) {
        rc = map_fail(cmd, "out of memory");
        goto out_free;
    }
    int nlayers = map_match_layers(cmd, w, ma.layers, matched);
    if (nlayers < 0) {
        rc = EXIT_BAD_INPUT;
        goto out_free;
    }
    if (report_init(&r, nlayers, &e) < 0) {
        rc = cli_fail(&e);
        goto out_free;
    }
    r.version = TRAINMAP_VERSION;
    r.command = command;
    int nkernels = map_plan(w, matched, &mo, &r);
    if (nkernels < 0) {
        rc = EXIT_BAD_INPUT;
        goto out_free;
    }
    if (nkernels == 0) {
        rc = map_fail(cmd, "no kernel to map: the kernels given with -k do not occur in the "
                  "selected layers (the first layer has no bwd_data; im2col and col2im "
                  "need --lowering im2col)");
        goto out_free;
    }
    rc = map_run_interruptible(&mo, a, w, &r, NULL);
out_free:
    report_release(&r);
    free(command);
    free(matched);
    workload_free(w);
    arch_free(a);
    return rc;
}
