/*
 * sweep_render: the sweep's human outputs (CSV, Markdown, gnuplot plots)
 * from the summary sweep_summarize made; see sweep_report.h.  Same plot
 * conventions as reports/render_plot.c (paper-column sizes, SVG and PDF).
 * Runs once per sweep.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../reports/render.h"
#include "../reports/stats_json.h"
#include "sweep_report.h"

static const char *const status_text[] = { "ok", "no_mapping", "invalid", "not_searched" };

static const enum kernel total_order[] = {
    KERNEL_FWD, KERNEL_IM2COL, KERNEL_BWD_DATA, KERNEL_COL2IM,
    KERNEL_BWD_WEIGHT, KERNEL_UPDATE,
};

/* s as one CSV field: quoted when it holds a comma, quote or newline. */
static void csv_field(struct textbuf *b, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\n\r")) {
        textbuf_append(b, s, strlen(s));
        return;
    }
    textbuf_append(b, "\"", 1);
    for (const char *p = s; *p; p++) {
        textbuf_append(b, p, 1);
        if (*p == '"')
            textbuf_append(b, p, 1);    /* a quote is doubled */
    }
    textbuf_append(b, "\"", 1);
}

/* The common columns of a cell's rows. */
static void csv_cell_head(const struct sweep_plan *plan, const struct sweep_summary *sum,
                          uint32_t c, struct textbuf *b)
{
    const struct sweep_cell *cell = &plan->cell[c];
    const struct sweep_spec *spec = plan->spec;
    const struct sweep_variant *v = &plan->variant[cell->variant];
    textbuf_printf(b, "%u,%d,", c, cell->variant);
    csv_field(b, spec->arch_path[v->arch]);
    textbuf_append(b, ",", 1);
    csv_field(b, spec->workload[cell->workload]->name);
    for (int i = 0; i < spec->nvary; i++)
        textbuf_printf(b, ",%s", spec->vary[i].value[v->choice[i]]);
    textbuf_printf(b, ",%s", status_text[sum->cell[c].status]);
}

static void csv_row(const struct sweep_plan *plan, const struct sweep_summary *sum, uint32_t c,
                    const char *total, const struct report_sum *s, struct textbuf *b)
{
    const struct sweep_cell_summary *cs = &sum->cell[c];
    char n1[32], n2[32], n3[32];
    csv_cell_head(plan, sum, c, b);
    if (s)
        textbuf_printf(b, ",%s,%s,%llu,%llu,%s,%s,", total,
                       stats_json_format_double(s->energy_pj, n1),
                       (unsigned long long)s->cycles, (unsigned long long)s->macs,
                       stats_json_format_double(sweep_sum_edp(s), n2),
                       stats_json_format_double(sweep_sum_utilization(s, cs->mac_count), n3));
    else
        textbuf_printf(b, ",%s,,,,,,", total);
    csv_field(b, cs->report);
    textbuf_append(b, ",", 1);
    csv_field(b, cs->error);
    textbuf_append(b, "\n", 1);
}

void sweep_render_csv(const struct sweep_plan *plan, const struct sweep_summary *sum,
                      struct textbuf *b)
{
    const struct sweep_spec *spec = plan->spec;
    textbuf_printf(b, "cell,variant,arch,workload");
    for (int i = 0; i < spec->nvary; i++)
        textbuf_printf(b, ",%s.%s", spec->vary[i].level, spec->vary[i].field);
    textbuf_printf(b, ",status,total,energy_pj,cycles,macs,edp,utilization,report,error\n");
    for (uint32_t c = 0; c < plan->ncells; c++) {
        const struct sweep_cell_summary *cs = &sum->cell[c];
        if (cs->status == SWEEP_INVALID) {
            csv_row(plan, sum, c, "step", NULL, b);
            continue;
        }
        for (size_t i = 0; i < sizeof total_order / sizeof total_order[0]; i++)
            if (cs->totals.present[total_order[i]])
                csv_row(plan, sum, c, kernel_name(total_order[i]),
                        &cs->totals.kernel[total_order[i]], b);
        csv_row(plan, sum, c, "step", &cs->totals.step, b);
    }
}

/* s with '|' escaped for a Markdown table cell. */
static void md_text(struct textbuf *b, const char *s)
{
    for (; s && *s; s++)
        if (*s == '|')
            textbuf_append(b, "\\|", 2);
        else if (*s != '\n')
            textbuf_append(b, s, 1);
}

void sweep_render_md(const struct sweep_plan *plan, const struct sweep_summary *sum,
                     struct textbuf *b)
{
    static const char *const goal[SWEEP_GOAL_COUNT] = { "energy", "latency", "EDP" };
    const struct sweep_spec *spec = plan->spec;
    textbuf_printf(b, "# Sweep: %d arch variant%s x %d workload%s\n", plan->nvariants,
                   plan->nvariants == 1 ? "" : "s", spec->nworkloads,
                   spec->nworkloads == 1 ? "" : "s");
    for (int wl = 0; wl < spec->nworkloads; wl++) {
        textbuf_printf(b, "\n## %s\n\n| cell | arch |", spec->workload[wl]->name);
        for (int i = 0; i < spec->nvary; i++)
            textbuf_printf(b, " %s.%s |", spec->vary[i].level, spec->vary[i].field);
        textbuf_printf(b, " status | energy (pJ) | cycles | EDP (pJ x cycles) | utilization "
                          "| best |\n|---:|---|");
        for (int i = 0; i < spec->nvary; i++)
            textbuf_printf(b, "---:|");
        textbuf_printf(b, "---|---:|---:|---:|---:|---|\n");
        for (uint32_t c = 0; c < plan->ncells; c++) {
            const struct sweep_cell *cell = &plan->cell[c];
            const struct sweep_cell_summary *cs = &sum->cell[c];
            const struct sweep_variant *v = &plan->variant[cell->variant];
            if (cell->workload != wl)
                continue;
            textbuf_printf(b, "| %u | ", c);
            md_text(b, spec->arch_path[v->arch]);
            textbuf_printf(b, " |");
            for (int i = 0; i < spec->nvary; i++)
                textbuf_printf(b, " %s |", spec->vary[i].value[v->choice[i]]);
            textbuf_printf(b, " %s |", status_text[cs->status]);
            if (cs->status == SWEEP_INVALID) {
                textbuf_printf(b, " | | | |");
            } else {
                const struct report_sum *s = &cs->totals.step;
                textbuf_printf(b, " %.4g | %llu | %.4g | %.1f%% |", s->energy_pj,
                               (unsigned long long)s->cycles, sweep_sum_edp(s),
                               100 * sweep_sum_utilization(s, cs->mac_count));
            }
            int n = 0;
            for (int g = 0; g < SWEEP_GOAL_COUNT; g++)
                if (sum->best[wl][g] == (int)c)
                    textbuf_printf(b, "%s%s", n++ ? ", " : " ", goal[g]);
            textbuf_printf(b, " |\n");
        }
        bool header = false;
        for (uint32_t c = 0; c < plan->ncells; c++)
            if (plan->cell[c].workload == wl && sum->cell[c].error) {
                if (!header)
                    textbuf_printf(b, "\nCells without a complete mapping:\n\n");
                header = true;
                textbuf_printf(b, "- cell %u: ", c);
                md_text(b, sum->cell[c].error);
                textbuf_printf(b, "\n");
            }
    }
}

/* The file name of the plot of --vary i: "sweep_edp_" and LEVEL_FIELD with
 * anything but letters and digits replaced by '_'. */
static void plot_name(const struct sweep_vary *vr, char *out, size_t cap)
{
    snprintf(out, cap, "sweep_edp_%s_%s", vr->level, vr->field);
    for (char *p = out; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            *p = '_';
}

/* The best step EDP of arch file a and workload wl with value k of --vary
 * i, over the other --vary values; NAN when no such cell is mapped. */
static double best_edp(const struct sweep_plan *plan, const struct sweep_summary *sum, int a,
                       int wl, int i, int k)
{
    double best = NAN;
    for (uint32_t c = 0; c < plan->ncells; c++) {
        const struct sweep_variant *v = &plan->variant[plan->cell[c].variant];
        if (v->arch != a || plan->cell[c].workload != wl || v->choice[i] != k ||
            sum->cell[c].status != SWEEP_OK)
            continue;
        double e = sweep_sum_edp(&sum->cell[c].totals.step);
        if (isnan(best) || e < best)
            best = e;
    }
    return best;
}

/* The name of arch file a for legends: its base name without ".json". */
static void arch_label(const struct sweep_spec *spec, int a, char *out, size_t cap)
{
    const char *path = spec->arch_path[a], *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".json") == 0)
        n -= 5;
    snprintf(out, cap, "%.*s", (int)n, base);
}

static int plot_vary(const struct sweep_plan *plan, const struct sweep_summary *sum, int i,
                     const char *dir, struct textbuf *names, struct err *err)
{
    const struct sweep_spec *spec = plan->spec;
    const struct sweep_vary *vr = &spec->vary[i];
    char name[ARCH_NAME_MAX + SWEEP_FIELD_MAX + 16], dat[sizeof name + 8], label[512];
    struct textbuf data, gp;
    textbuf_init(&data);
    textbuf_init(&gp);
    plot_name(vr, name, sizeof name);
    snprintf(dat, sizeof dat, "%s.dat", name);
    textbuf_printf(&data, "# step EDP (pJ x cycles), the best over the other varied values "
                          "(-: none)\n# %s.%s", vr->level, vr->field);
    for (int a = 0; a < spec->narchs; a++)
        for (int wl = 0; wl < spec->nworkloads; wl++)
            textbuf_printf(&data, "\t%s/%s", spec->arch_path[a], spec->workload[wl]->name);
    textbuf_printf(&data, "\n");
    for (int k = 0; k < vr->nvalues; k++) {
        textbuf_printf(&data, "%s", vr->value[k]);
        for (int a = 0; a < spec->narchs; a++)
            for (int wl = 0; wl < spec->nworkloads; wl++) {
                double e = best_edp(plan, sum, a, wl, i, k);
                if (isnan(e))
                    textbuf_printf(&data, "\t-");
                else
                    textbuf_printf(&data, "\t%.6g", e);
            }
        textbuf_printf(&data, "\n");
    }
    render_gp_head(&gp, name, false, false);
    snprintf(label, sizeof label, "%s.%s", vr->level, vr->field);
    textbuf_printf(&gp, "    set style data linespoints\n    set logscale y\n    set xlabel ");
    render_gp_string(&gp, label);
    textbuf_printf(&gp, "\n    set ylabel \"step EDP (pJ x cycles)\"\n");
    /* A tic at each varied value; a log2 axis when they grow geometrically
     * (buffer sizes, mesh widths). */
    double lo = INFINITY, hi = -INFINITY;
    textbuf_printf(&gp, "    set xtics %s(", vr->nvalues > 4 ? "rotate by 30 right " : "");
    for (int k = 0; k < vr->nvalues; k++) {
        double x = strtod(vr->value[k], NULL);
        lo = fmin(lo, x);
        hi = fmax(hi, x);
        textbuf_printf(&gp, "%s\"%s\" %s", k ? ", " : "", vr->value[k], vr->value[k]);
    }
    textbuf_printf(&gp, ")\n");
    if (lo > 0 && hi >= 4 * lo)
        textbuf_printf(&gp, "    set logscale x 2\n");
    textbuf_printf(&gp, "    set offsets graph 0.05, graph 0.05, 0, 0\n    plot ");
    int col = 2;
    for (int a = 0; a < spec->narchs; a++)
        for (int wl = 0; wl < spec->nworkloads; wl++, col++) {
            textbuf_printf(&gp, "%s", col > 2 ? ", \\\n         " : "");
            render_gp_string(&gp, col == 2 ? dat : "");
            char arch[256];
            arch_label(spec, a, arch, sizeof arch);
            snprintf(label, sizeof label, "%s %s", arch, spec->workload[wl]->name);
            textbuf_printf(&gp, " using 1:%d pt 7 ps 0.6 title ", col);
            render_gp_string(&gp, label);
        }
    textbuf_printf(&gp, "\n");
    render_gp_tail(&gp);
    int rc = data.failed || gp.failed ? err_set(err, ERR_NOMEM, "plots: out of memory") : 0;
    if (rc == 0)
        rc = render_write_file(dir, name, "dat", &data, err);
    if (rc == 0)
        rc = render_write_file(dir, name, "gp", &gp, err);
    if (rc == 0)
        textbuf_printf(names, "%s.gp\n", name);
    textbuf_release(&data);
    textbuf_release(&gp);
    return rc;
}

int sweep_render_plots(const struct sweep_plan *plan, const struct sweep_summary *sum,
                       const char *dir, struct textbuf *names, struct err *err)
{
    for (int i = 0; i < plan->spec->nvary; i++) {
        int rc = plot_vary(plan, sum, i, dir, names, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}
