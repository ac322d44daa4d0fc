/*
 * trainmap compare: one workload on several archs, side by side.  Each
 * -a ARCH is mapped with the map options given (cli/map_run.c, the same
 * search as `trainmap map`); each --from REPORT.json is a saved report
 * read back.  Reports must be of the same workload file, layers and
 * kernels.  The comparison (reports/compare.h) goes to stdout as a
 * summary and, as asked, to CMP.json (-o), CSV, Markdown and plots.
 *
 * Runs once per command: the searches dominate its time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../arch/arch.h"
#include "../common/outfile.h"
#include "../reports/compare.h"
#include "../reports/report_read.h"
#include "../workloads/workload.h"
#include "cli.h"
#include "map_opts.h"
#include "map_run.h"
#include "outputs.h"

static const char *const cmd = "compare";

/* One side of the comparison, in command-line order. */
struct source {
    const char *path;
    bool saved;             /* --from: a saved report; else -a: an arch to map */
};

struct compare_args {
    struct map_args ma;     /* map options; ma.arch unused */
    struct source src[COMPARE_MAX_ARCHS];
    int nsrc, narchs;
    const char *reports;    /* --reports DIR */
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: trainmap compare -a ARCH1 -a ARCH2 [...] -w WORKLOAD [map options]\n"
            "                        [-o CMP.json] [--csv F] [--md F] [--plot DIR]\n"
            "                        [--reports DIR]\n"
            "       trainmap compare --from R1.json --from R2.json [...] [-o CMP.json]\n"
            "                        [--csv F] [--md F] [--plot DIR]\n\n"
            "Maps one workload on every arch (or takes saved reports of `trainmap map -o`,\n"
            "or both) and compares them side by side: per kernel and per training step\n"
            "the energy, cycles, EDP and utilization of each arch and their ratios to the\n"
            "first one, the energy by level, and the arch that wins each layer.  Reports\n"
            "of different workloads, layers or kernels are refused.\n\n"
            "  -a, --arch FILE          an arch to map the workload on (repeat, in order)\n"
            "      --from FILE          a saved JSON report (repeat, in order)\n"
            "  -w, --workload FILE      the workload JSON (with -a)\n"
            "  -k, -O, -s, -j, --seed, --time-limit, --layers, --constraints, --lowering\n"
            "                           as for `trainmap map` (with -a)\n"
            "  -o, --output FILE        write the comparison JSON\n"
            "      --csv FILE           write the comparison as CSV\n"
            "      --md FILE            write the comparison as Markdown tables\n"
            "      --plot DIR           write grouped bar plots per kernel (gnuplot\n"
            "                           scripts and data, rendered to SVG and PDF when\n"
            "                           gnuplot is installed)\n"
            "      --reports DIR        write each mapped arch's JSON report into DIR\n"
            "  -h, --help               this text\n\n"
            "At most %d archs.  exit status: 0 compared, 1 some kernel has no valid\n"
            "mapping on some arch, 2 bad input or usage, 130 interrupted\n",
            COMPARE_MAX_ARCHS);
}

/* Returns -1 after --help, EXIT_OK to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct compare_args *ca)
{
    memset(ca, 0, sizeof *ca);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return -1;
        int r, saved = 0;
        if ((r = map_take(argc, argv, &i, "-a", "--arch", &v)) == 0 &&
            (r = map_take(argc, argv, &i, NULL, "--from", &v)) != 0)
            saved = 1;
        if (r == 0 && (r = map_take(argc, argv, &i, NULL, "--reports", &ca->reports)) > 0)
            continue;
        if (r > 0) {
            if (ca->nsrc == COMPARE_MAX_ARCHS)
                return cli_usage_error(cmd, "at most %d archs and reports", COMPARE_MAX_ARCHS);
            ca->src[ca->nsrc++] = (struct source){ v, saved };
            ca->narchs += !saved;
            continue;
        }
        if (r == 0)
            r = map_args_take(argc, argv, &i, &ca->ma);
        if (r < 0)
            return cli_usage_error(cmd, "option '%s' needs a value", a);
        if (r == 0)
            return cli_usage_error(cmd, "%s '%s'", a[0] == '-' ? "unknown option"
                                                              : "unexpected argument", a);
    }
    const struct map_args *ma = &ca->ma;
    if (ca->nsrc < 2)
        return cli_usage_error(cmd, "expected at least two -a ARCH or --from REPORT.json");
    if (ca->narchs && !ma->workload)
        return cli_usage_error(cmd, "missing -w WORKLOAD (the workload to map on the archs)");
    if (!ca->narchs && (ma->workload || ma->kernels || ma->objective || ma->strategy ||
                        ma->threads || ma->seed || ma->time_limit || ma->layers ||
                        ma->constraints || ma->lowering || ca->reports))
        return cli_usage_error(cmd, "-w, the map options and --reports apply to -a ARCH: "
                               "saved reports are not mapped again");
    return EXIT_OK;
}

/* The report file of the arch at path inside dir: its base name, with
 * "-2", "-3"... when an earlier arch had the same. */
static void report_path(const struct compare_args *ca, int s, char *out, size_t cap)
{
    const char *p = ca->src[s].path, *base = strrchr(p, '/');
    base = base ? base + 1 : p;
    size_t n = strcspn(base, ".");
    int seen = 1;
    for (int t = 0; t < s; t++) {
        const char *q = ca->src[t].path, *b = strrchr(q, '/');
        b = b ? b + 1 : q;
        seen += !ca->src[t].saved && strcspn(b, ".") == n && strncmp(b, base, n) == 0;
    }
    if (seen == 1)
        snprintf(out, cap, "%s/%.*s.json", ca->reports, (int)n, base);
    else
        snprintf(out, cap, "%s/%.*s-%d.json", ca->reports, (int)n, base, seen);
}

/* Maps the workload on the arch of source s into *doc.  Returns the exit
 * code of the run (1: some kernel without a mapping, still a doc). */
static int map_one(const struct compare_args *ca, int s, const struct map_opts *base,
                   const struct arch *a, const struct workload *w, const bool *matched,
                   int nlayers, const char *command, struct report_doc **doc)
{
    struct map_opts mo = *base;
    struct report r;
    struct err e;
    char out[4096];
    int rc;
    mo.arch_path = ca->src[s].path;
    mo.label = ca->src[s].path;
    if (ca->reports) {
        report_path(ca, s, out, sizeof out);
        mo.output = out;
    }
    clock_gettime(CLOCK_MONOTONIC, &mo.start);
    if (report_init(&r, nlayers, &e) < 0)
        return cli_fail(&e);
    r.version = TRAINMAP_VERSION;
    r.command = command;
    if (map_plan(w, matched, &mo, &r) < 0)
        rc = EXIT_BAD_INPUT;
    else
        rc = map_run_interruptible(&mo, a, w, &r, doc);
    if (*doc) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        printf("mapped %s on %s: %.2f pJ, %llu cycles per step (%.2f s)%s%s\n",
               w->name, a->name, (*doc)->totals.step.energy_pj,
               (unsigned long long)(*doc)->totals.step.cycles,
               (double)(now.tv_sec - mo.start.tv_sec) +
                   (double)(now.tv_nsec - mo.start.tv_nsec) * 1e-9,
               mo.output ? ", report " : "", mo.output ? mo.output : "");
    }
    report_release(&r);
    return rc;
}

/* Fills docs[] in command-line order: saved reports read, archs mapped.
 * Every input is read before the first search.  Returns the worst exit
 * code (EXIT_NO_MAPPING lets the comparison go on). */
static int gather(const struct compare_args *ca, const struct map_opts *mo,
                  const char *command, struct report_doc **docs)
{
    struct workload *w = NULL;
    struct arch *archs[COMPARE_MAX_ARCHS] = { NULL };
    bool *matched = NULL;
    struct err e;
    int rc = EXIT_OK, nlayers = 0;
    for (int s = 0; s < ca->nsrc; s++) {
        if (ca->src[s].saved)
            rc = report_doc_load(ca->src[s].path, &docs[s], &e) < 0 ? cli_fail(&e) : EXIT_OK;
        else
            rc = arch_load(ca->src[s].path, &archs[s], &e) < 0 ? cli_fail(&e) : EXIT_OK;
        if (rc != EXIT_OK)
            goto out_free;
    }
    if (ca->narchs) {
        if (workload_load(mo->workload_path, &w, &e) < 0) {
            rc = cli_fail(&e);
            goto out_free;
        }
        if (!(matched = calloc((size_t)w->nlayers + 1, sizeof *matched))) {
            rc = map_fail(cmd, "out of memory");
            goto out_free;
        }
        if ((nlayers = map_match_layers(cmd, w, ca->ma.layers, matched)) < 0) {
            rc = EXIT_BAD_INPUT;
            goto out_free;
        }
    }
    for (int s = 0; s < ca->nsrc; s++) {
        if (ca->src[s].saved)
            continue;
        int r = map_one(ca, s, mo, archs[s], w, matched, nlayers, command, &docs[s]);
        if (r != EXIT_OK && r != EXIT_NO_MAPPING) {
            rc = r;
            goto out_free;
        }
        if (r == EXIT_NO_MAPPING)
            rc = r;
    }
out_free:
    for (int s = 0; s < ca->nsrc; s++)
        arch_free(archs[s]);
    free(matched);
    workload_free(w);
    return rc;
}

/* Summary, CMP.json and the outputs of the comparison c. */
static int emit(const struct compare *c, const struct compare_args *ca, const char *command)
{
    struct textbuf b;
    struct err e;
    int rc = EXIT_OK;
    textbuf_init(&b);
    if (compare_summary(c, &b, &e) < 0) {
        textbuf_release(&b);
        return cli_fail(&e);
    }
    printf("%s%s:", ca->narchs ? "\n" : "",
           c->doc[0]->workload.name ? c->doc[0]->workload.name : "?");
    for (int a = 0; a < c->narchs; a++)
        printf("%s%s", a ? " vs " : " ", c->label[a]);
    printf(" (ratios to %s)\n\n%s", c->label[0], b.data ? b.data : "");
    textbuf_release(&b);
    if (ca->ma.output) {
        char *text = compare_print(c, TRAINMAP_VERSION, command, &e);
        if (!text)
            return cli_fail(&e);
        textbuf_append(&b, text, strlen(text));
        free(text);
        rc = outputs_write_text("comparison", ca->ma.output, &b);
        textbuf_release(&b);
    }
    if (rc == EXIT_OK && ca->ma.csv) {
        rc = compare_csv(c, &b, &e) < 0 ? cli_fail(&e) : outputs_write_text("csv", ca->ma.csv, &b);
        textbuf_release(&b);
    }
    if (rc == EXIT_OK && ca->ma.md) {
        rc = compare_markdown(c, &b, &e) < 0 ? cli_fail(&e)
                                             : outputs_write_text("markdown", ca->ma.md, &b);
        textbuf_release(&b);
    }
    if (rc == EXIT_OK && ca->ma.plot &&
        (rc = outputs_make_dir(cmd, "--plot", ca->ma.plot)) == EXIT_OK) {
        rc = compare_plots(c, ca->ma.plot, &b, &e) < 0
                 ? cli_fail(&e)
                 : outputs_render_plots(cmd, ca->ma.plot, b.data ? b.data : "");
        textbuf_release(&b);
    }
    return rc;
}

int cmd_compare(int argc, char **argv)
{
    struct compare_args ca;
    struct map_opts mo;
    struct report_doc *docs[COMPARE_MAX_ARCHS] = { NULL };
    struct compare c;
    struct err e;
    char *command = NULL;
    memset(&mo, 0, sizeof mo);
    memset(&c, 0, sizeof c);
    int rc = parse_args(argc, argv, &ca);
    if (rc < 0) {
        usage(stdout);
        return EXIT_OK;
    }
    struct output_opts o = { ca.ma.csv, ca.ma.md, ca.ma.plot };
    if (rc != EXIT_OK || (rc = map_check_opts(cmd, &ca.ma, &mo)) != EXIT_OK ||
        (ca.ma.output && (rc = map_check_output_dir(cmd, "-o", ca.ma.output)) != EXIT_OK) ||
        (rc = outputs_check(cmd, &o)) != EXIT_OK ||
        (ca.reports && ((rc = outputs_check_dir(cmd, "--reports", ca.reports)) != EXIT_OK ||
                        (rc = outputs_make_dir(cmd, "--reports", ca.reports)) != EXIT_OK)))
        return rc;
    mo.output = NULL;
    mo.out = (struct output_opts){ NULL, NULL, NULL };
    if (!(command = map_command_line(argc, argv)))
        return map_fail(cmd, "out of memory");
    int gathered = gather(&ca, &mo, command, docs);
    if (gathered != EXIT_OK && gathered != EXIT_NO_MAPPING) {
        rc = gathered;
        goto out_free;
    }
    if (compare_init(&c, (const struct report_doc *const *)docs, ca.nsrc, &e) < 0) {
        rc = cli_fail(&e);
        goto out_free;
    }
    rc = emit(&c, &ca, command);
    if (rc == EXIT_OK)
        rc = gathered;
out_free:
    compare_release(&c);
    for (int s = 0; s < ca.nsrc; s++)
        report_doc_free(docs[s]);
    free(command);
    return rc;
}
