/*
 * trainmap report: renders a saved JSON report again, without searching:
 * the summary on stdout and, as asked, CSV, Markdown and plots.  The
 * report is read back strictly (reports/report_read.h), and rendered by
 * the same code as `map` uses right after its run, so the CSV and Markdown
 * of a re-rendered report are byte for byte those of the original run.
 */
#include <stdio.h>
#include <string.h>

#include "../reports/render.h"
#include "../reports/report_read.h"
#include "cli.h"
#include "map_opts.h"
#include "outputs.h"

static const char *const cmd = "report";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: trainmap report REPORT.json [--csv F] [--md F] [--plot DIR]\n\n"
            "Renders a JSON report written by `trainmap map -o` again, without searching:\n"
            "prints the energy, cycles and MACs per kernel and per training step, the five\n"
            "most expensive layers and the energy by level, and writes the outputs asked\n"
            "for.  The CSV and Markdown are byte for byte those of the original run.\n\n"
            "      --csv FILE           write one CSV row per layer and kernel\n"
            "      --md FILE            write the report as Markdown tables\n"
            "      --plot DIR           write energy and utilization plots (gnuplot\n"
            "                           scripts and data, rendered to SVG and PDF when\n"
            "                           gnuplot is installed)\n"
            "  -h, --help               this text\n\n"
            "exit status: 0 rendered, 2 bad input or usage\n");
}

int cmd_report(int argc, char **argv)
{
    struct output_opts o = { NULL, NULL, NULL };
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r = 0;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return EXIT_OK;
        }
        if ((r = map_take(argc, argv, &i, NULL, "--csv", &o.csv)) == 0 &&
            (r = map_take(argc, argv, &i, NULL, "--md", &o.md)) == 0)
            r = map_take(argc, argv, &i, NULL, "--plot", &o.plot);
        if (r < 0)
            return cli_usage_error(cmd, "option '%s' needs a value", a);
        if (r > 0)
            continue;
        if (a[0] == '-' && a[1])
            return cli_usage_error(cmd, "unknown option '%s'", a);
        if (path)
            return cli_usage_error(cmd, "unexpected argument '%s' (one report at a time)", a);
        path = a;
    }
    if (!path)
        return cli_usage_error(cmd, "missing REPORT.json");
    int rc = outputs_check(cmd, &o);
    if (rc != EXIT_OK)
        return rc;
    struct report_doc *doc = NULL;
    struct textbuf b;
    struct err e;
    if (report_doc_load(path, &doc, &e) < 0)
        return cli_fail(&e);
    textbuf_init(&b);
    if (render_summary(doc, &b, &e) < 0) {
        rc = cli_fail(&e);
        goto out_free;
    }
    printf("%s on %s: %d layer%s, objective %s, %s search%s (report %s)\n\n",
           doc->workload.name ? doc->workload.name : "?",
           doc->arch.name ? doc->arch.name : "?", doc->nlayers,
           doc->nlayers == 1 ? "" : "s", doc->objective, doc->strategy,
           doc->interrupted ? ", interrupted" : "", path);
    fputs(b.data ? b.data : "", stdout);
    rc = outputs_report(cmd, doc, &o);
out_free:
    textbuf_release(&b);
    report_doc_free(doc);
    return rc;
}
