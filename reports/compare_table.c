/*
 * compare_table: a comparison as CSV, Markdown and the stdout summary; see
 * compare.h and, for the columns, docs/report.md.
 */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render.h"
#include "stats_json.h"

/* The rows of compare.kernel in step order, the step last; returns how
 * many. */
static int rows(const struct compare *c, int *out)
{
    int n = 0;
    for (int i = 0; i < KERNEL_COUNT; i++)
        if (c->present[render_step_order[i]])
            out[n++] = (int)render_step_order[i];
    out[n++] = COMPARE_STEP;
    return n;
}

/* ---- CSV ------------------------------------------------------------- */

static void csv_text(struct textbuf *b, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")]) {
        textbuf_printf(b, "%s", s);
        return;
    }
    textbuf_append(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            textbuf_append(b, "\"", 1);
        textbuf_append(b, s, 1);
    }
    textbuf_append(b, "\"", 1);
}

static void csv_double(struct textbuf *b, double v)
{
    char text[48];
    textbuf_printf(b, ",%s", isfinite(v) ? stats_json_format_double(v, text) : "");
}

static void csv_row(const struct compare *c, const char *kind, const char *name, int a,
                    const struct compare_metrics *m, const char *wins, struct textbuf *b)
{
    textbuf_printf(b, "%s,", kind);
    csv_text(b, name);
    textbuf_append(b, ",", 1);
    csv_text(b, c->label[a]);
    textbuf_printf(b, ",%s", m->complete ? "true" : "false");
    csv_double(b, m->energy_pj);
    textbuf_printf(b, ",%llu", (unsigned long long)m->cycles);
    csv_double(b, m->edp);
    csv_double(b, m->utilization);
    csv_double(b, m->energy_ratio);
    csv_double(b, m->cycles_ratio);
    csv_double(b, m->edp_ratio);
    textbuf_printf(b, ",%s\n", wins);
}

int compare_csv(const struct compare *c, struct textbuf *out, struct err *err)
{
    int r[KERNEL_COUNT + 1], nr = rows(c, r);
    textbuf_printf(out, "kind,name,arch,complete,energy_pj,cycles,edp,utilization,"
                        "energy_ratio,cycles_ratio,edp_ratio,wins\n");
    for (int i = 0; i < nr; i++)
        for (int a = 0; a < c->narchs; a++)
            csv_row(c, r[i] == COMPARE_STEP ? "step" : "kernel", compare_row_name(r[i]), a,
                    &c->kernel[r[i]][a], "", out);
    for (int l = 0; l < c->nlayers; l++) {
        const struct compare_layer *ly = &c->layers[l];
        for (int a = 0; a < c->narchs; a++) {
            char wins[32] = "";
            const char *sep = "";
            if (ly->win_energy >> a & 1u)
                sep = (strcat(wins, "energy"), " ");
            if (ly->win_cycles >> a & 1u)
                sep = (strcat(strcat(wins, sep), "cycles"), " ");
            if (ly->win_edp >> a & 1u)
                strcat(strcat(wins, sep), "edp");
            csv_row(c, "layer", ly->name, a, &ly->arch[a], wins, out);
        }
    }
    return out->failed ? err_set(err, ERR_NOMEM, "csv: out of memory") : 0;
}

/* ---- Markdown -------------------------------------------------------- */

static void md_text(struct textbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            textbuf_append(b, "\\|", 2);
        else if (*s == '\n' || *s == '\r')
            textbuf_append(b, " ", 1);
        else
            textbuf_append(b, s, 1);
    }
}

enum metric { M_ENERGY, M_CYCLES, M_EDP, M_UTILIZATION };

/* A metric's cell: value (energies in unit), '*' when incomplete. */
static void md_value(struct textbuf *b, const struct compare_metrics *m, enum metric what,
                     double unit)
{
    char text[32];
    switch (what) {
    case M_ENERGY: textbuf_printf(b, " %s", render_sig4(m->energy_pj / unit, text)); break;
    case M_CYCLES: textbuf_printf(b, " %llu", (unsigned long long)m->cycles); break;
    case M_EDP: textbuf_printf(b, " %.3e", m->edp); break;
    case M_UTILIZATION:
        if (isfinite(m->utilization))
            textbuf_printf(b, " %.1f %%", 100 * m->utilization);
        else
            textbuf_printf(b, " -");
        break;
    }
    textbuf_printf(b, "%s |", m->complete ? "" : "*");
}

static double md_ratio_of(const struct compare_metrics *m, enum metric what)
{
    return what == M_ENERGY ? m->energy_ratio : what == M_CYCLES ? m->cycles_ratio
                                                                 : m->edp_ratio;
}

/* The header of a table with one column per arch (and, with ratios, one
 * per arch after the first: "b / a"). */
static void md_arch_header(const struct compare *c, struct textbuf *b, const char *first,
                           bool with_ratios)
{
    textbuf_printf(b, "| %s |", first);
    for (int a = 0; a < c->narchs; a++) {
        textbuf_printf(b, " ");
        md_text(b, c->label[a]);
        textbuf_printf(b, " |");
    }
    for (int a = 1; with_ratios && a < c->narchs; a++) {
        textbuf_printf(b, " ");
        md_text(b, c->label[a]);
        textbuf_printf(b, " / ");
        md_text(b, c->label[0]);
        textbuf_printf(b, " |");
    }
    textbuf_printf(b, "\n| :--- |");
    for (int a = 0; a < c->narchs + (with_ratios ? c->narchs - 1 : 0); a++)
        textbuf_printf(b, " ---: |");
    textbuf_printf(b, "\n");
}

static void md_metric(const struct compare *c, struct textbuf *b, enum metric what,
                      const char *title)
{
    int r[KERNEL_COUNT + 1], nr = rows(c, r);
    double max = 0, unit = 1;
    const char *unit_name = "pJ";
    for (int a = 0; a < c->narchs; a++)
        max = fmax(max, c->kernel[COMPARE_STEP][a].energy_pj);
    if (what == M_ENERGY)
        unit = render_energy_unit(max, &unit_name);
    bool with_ratios = what != M_UTILIZATION;
    textbuf_printf(b, "\n## %s", title);
    if (what == M_ENERGY)
        textbuf_printf(b, " (%s)", unit_name);
    textbuf_printf(b, "\n\n");
    md_arch_header(c, b, "kernel", with_ratios);
    for (int i = 0; i < nr; i++) {
        textbuf_printf(b, "| %s |", compare_row_name(r[i]));
        for (int a = 0; a < c->narchs; a++)
            md_value(b, &c->kernel[r[i]][a], what, unit);
        for (int a = 1; with_ratios && a < c->narchs; a++) {
            double v = md_ratio_of(&c->kernel[r[i]][a], what);
            if (isfinite(v))
                textbuf_printf(b, " %.3f |", v);
            else
                textbuf_printf(b, " - |");
        }
        textbuf_printf(b, "\n");
    }
}

static void md_levels(const struct compare *c, struct textbuf *b)
{
    double max = 0;
    for (int a = 0; a < c->narchs; a++)
        for (int i = 0; i <= c->nlevels; i++)
            max = fmax(max, c->level_pj[a][i]);
    const char *unit_name;
    double unit = render_energy_unit(max, &unit_name);
    textbuf_printf(b, "\n## Energy by level, training step (%s)\n\n"
                      "Levels are matched by name; - marks an architecture without that "
                      "level.\n\n", unit_name);
    md_arch_header(c, b, "level", false);
    for (int i = 0; i <= c->nlevels; i++) {
        textbuf_printf(b, "| ");
        md_text(b, i < c->nlevels ? c->level_name[i] : "MACs");
        textbuf_printf(b, " |");
        for (int a = 0; a < c->narchs; a++) {
            char text[32];
            if (i < c->nlevels && !c->has_level[a][i])
                textbuf_printf(b, " - |");
            else
                textbuf_printf(b, " %s |", render_sig4(c->level_pj[a][i] / unit, text));
        }
        textbuf_printf(b, "\n");
    }
}

/* The winners in set, "a, b" on a tie, "-" when none. */
static void md_winner(const struct compare *c, struct textbuf *b, unsigned set)
{
    const char *sep = " ";
    for (int a = 0; a < c->narchs; a++)
        if (set >> a & 1u) {
            textbuf_printf(b, "%s", sep);
            md_text(b, c->label[a]);
            sep = ", ";
        }
    textbuf_printf(b, "%s |", set ? "" : " -");
}

static void md_layers(const struct compare *c, struct textbuf *b)
{
    textbuf_printf(b, "\n## Layers\n\nEach layer's kernels together: EDP is their energy "
                      "times their cycles; the winners have the least energy, cycles and "
                      "EDP among the architectures that map every kernel of the layer (several on "
                      "a tie).\n\n"
                      "| layer |");
    for (int a = 0; a < c->narchs; a++) {
        textbuf_printf(b, " EDP ");
        md_text(b, c->label[a]);
        textbuf_printf(b, " |");
    }
    textbuf_printf(b, " least energy | fewest cycles | least EDP |\n| :--- |");
    for (int a = 0; a < c->narchs; a++)
        textbuf_printf(b, " ---: |");
    textbuf_printf(b, " :--- | :--- | :--- |\n");
    for (int l = 0; l < c->nlayers; l++) {
        const struct compare_layer *ly = &c->layers[l];
        textbuf_printf(b, "| ");
        md_text(b, ly->name);
        textbuf_printf(b, " |");
        for (int a = 0; a < c->narchs; a++)
            md_value(b, &ly->arch[a], M_EDP, 1);
        md_winner(c, b, ly->win_energy);
        md_winner(c, b, ly->win_cycles);
        md_winner(c, b, ly->win_edp);
        textbuf_printf(b, "\n");
    }
}

static void md_head(const struct compare *c, struct textbuf *b)
{
    const struct report_doc *d0 = c->doc[0];
    bool incomplete = false;
    textbuf_printf(b, "# ");
    md_text(b, d0->workload.name ? d0->workload.name : "workload");
    textbuf_printf(b, ":");
    for (int a = 0; a < c->narchs; a++) {
        textbuf_printf(b, "%s", a ? " vs " : " ");
        md_text(b, c->label[a]);
        incomplete |= !c->kernel[COMPARE_STEP][a].complete;
    }
    textbuf_printf(b, "\n\n- Workload: ");
    md_text(b, d0->workload.name ? d0->workload.name : "?");
    textbuf_printf(b, " (SHA-256 `%.16s…`)\n", d0->workload.sha256);
    for (int a = 0; a < c->narchs; a++) {
        const struct report_doc *d = c->doc[a];
        textbuf_printf(b, "- %d. ", a + 1);
        md_text(b, c->label[a]);
        textbuf_printf(b, ": `");
        md_text(b, d->arch.path ? d->arch.path : "?");
        textbuf_printf(b, "` (SHA-256 `%.16s…`), %s search, objective %s, seed %llu",
                       d->arch.sha256, d->strategy, d->objective, (unsigned long long)d->seed);
        if (d->arch.comment) {
            textbuf_printf(b, "; energy table: ");
            md_text(b, d->arch.comment);
        }
        textbuf_printf(b, "\n");
    }
    textbuf_printf(b, "- Ratios are to ");
    md_text(b, c->label[0]);
    textbuf_printf(b, ", the first architecture: below 1.000 is better.\n"
                      "- Totals are sums over the kernels, which run one after another; EDP "
                      "is the summed energy times the summed cycles; utilization is the MAC "
                      "array's busy fraction over those cycles.\n");
    if (incomplete)
        textbuf_printf(b, "- \\* marks sums that leave out kernels without a mapping.\n");
}

int compare_markdown(const struct compare *c, struct textbuf *out, struct err *err)
{
    md_head(c, out);
    md_metric(c, out, M_ENERGY, "Energy");
    md_metric(c, out, M_CYCLES, "Cycles");
    md_metric(c, out, M_EDP, "EDP (pJ × cycles)");
    md_metric(c, out, M_UTILIZATION, "Utilization");
    md_levels(c, out);
    md_layers(c, out);
    return out->failed ? err_set(err, ERR_NOMEM, "markdown: out of memory") : 0;
}

/* ---- stdout summary ------------------------------------------------- */

int compare_summary(const struct compare *c, struct textbuf *out, struct err *err)
{
    int r[KERNEL_COUNT + 1], nr = rows(c, r);
    textbuf_printf(out, "%-11s %-20s %20s %14s %12s %7s %8s %8s %8s\n", "kernel", "arch",
                   "energy_pj", "cycles", "edp", "util", "energy", "cycles", "edp");
    for (int i = 0; i < nr; i++)
        for (int a = 0; a < c->narchs; a++) {
            const struct compare_metrics *m = &c->kernel[r[i]][a];
            textbuf_printf(out, "%-11s %-20s %20.2f %14llu %12.4e %6.1f%% %8.3f %8.3f %8.3f%s\n",
                           a == 0 ? compare_row_name(r[i]) : "", c->label[a], m->energy_pj,
                           (unsigned long long)m->cycles, m->edp,
                           isfinite(m->utilization) ? 100 * m->utilization : 0.0,
                           m->energy_ratio, m->cycles_ratio, m->edp_ratio,
                           m->complete ? "" : " (incomplete)");
        }
    textbuf_printf(out, "\nlayers won (least EDP):");
    for (int a = 0; a < c->narchs; a++) {
        int won = 0;
        for (int l = 0; l < c->nlayers; l++)
            won += c->layers[l].win_edp >> a & 1u;
        textbuf_printf(out, "%s %s %d", a ? "," : "", c->label[a], won);
    }
    textbuf_printf(out, " (of %d; ties count for each)\n", c->nlayers);
    return out->failed ? err_set(err, ERR_NOMEM, "summary: out of memory") : 0;
}
