/*
 * render_table: a report as CSV (for spreadsheets and scripts), as
 * Markdown (for people and papers) and as the summary the CLI prints on
 * stdout; see render.h and, for the columns, docs/report.md.
 */
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "stats_json.h"

/* ---- CSV ------------------------------------------------------------- */

/* A CSV field, quoted (RFC 4180) when it holds a comma, quote or line
 * break. */
static void csv_field(struct textbuf *b, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")]) {
        textbuf_printf(b, "%s", s);
        return;
    }
    textbuf_append(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            textbuf_append(b, "\"", 1);   /* a quote is doubled */
        textbuf_append(b, s, 1);
    }
    textbuf_append(b, "\"", 1);
}

static void csv_double(struct textbuf *b, double v)
{
    char text[48];
    if (isfinite(v))
        textbuf_printf(b, ",%s", stats_json_format_double(v, text));
    else
        textbuf_printf(b, ",");
}

static void csv_header(const struct report_doc *doc, struct textbuf *b)
{
    textbuf_printf(b, "layer,kernel,status,same_as,macs,cycles,compute_cycles,utilization,"
                      "energy_pj,edp");
    for (int v = 0; v <= doc->nlevels && doc->nlevels > 0; v++) {
        char name[ARCH_NAME_MAX + 16];
        snprintf(name, sizeof name, "%s_energy_pj",
                 v < doc->nlevels ? doc->level_name[v] : doc->compute_name);
        textbuf_append(b, ",", 1);
        csv_field(b, name);
    }
    textbuf_printf(b, ",energy_bound_pj,cycles_bound,energy_ratio,cycles_ratio,optimal,"
                      "error\n");
}

static void csv_row(const struct report_doc *doc, int l, const struct report_doc_entry *e,
                    struct textbuf *b)
{
    csv_field(b, doc->layers[l].name);
    textbuf_printf(b, ",%s,%s,", kernel_name(e->kernel), report_status_name(e->status));
    if (e->same_as >= 0)
        csv_field(b, doc->layers[e->same_as].name);
    int ncols = doc->nlevels > 0 ? doc->nlevels + 1 : 0;
    if (e->status == REPORT_MAPPED) {
        textbuf_printf(b, ",%llu,%llu,%llu", (unsigned long long)e->macs,
                       (unsigned long long)e->cycles, (unsigned long long)e->compute_cycles);
        csv_double(b, e->utilization);
        csv_double(b, e->energy_pj);
        csv_double(b, e->edp);
        for (int v = 0; v < doc->nlevels; v++)
            csv_double(b, e->level[v].energy_pj);
        if (ncols)
            csv_double(b, e->mac_energy_pj);
        csv_double(b, e->energy_bound_pj);
        csv_double(b, e->cycles_bound);
        csv_double(b, e->energy_ratio);
        csv_double(b, e->cycles_ratio);
    } else {
        for (int i = 0; i < 6 + ncols + 4; i++)
            textbuf_append(b, ",", 1);
    }
    textbuf_printf(b, ",%s,", e->status == REPORT_NOT_SEARCHED ? ""
                              : e->optimal ? "true" : "false");
    if (e->status != REPORT_MAPPED)
        csv_field(b, e->error);
    textbuf_append(b, "\n", 1);
}

int render_csv(const struct report_doc *doc, struct textbuf *out, struct err *err)
{
    csv_header(doc, out);
    for (int l = 0; l < doc->nlayers; l++)
        for (int i = 0; i < doc->layers[l].nkernels; i++)
            csv_row(doc, l, &doc->layers[l].kernel[i], out);
    return out->failed ? err_set(err, ERR_NOMEM, "csv: out of memory") : 0;
}

/* ---- Markdown -------------------------------------------------------- */

/* Text for a table cell: '|' escaped, line breaks as spaces. */
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

static void md_energy(struct textbuf *b, double pj, double unit)
{
    char text[32];
    textbuf_printf(b, " %s |", render_sig4(pj / unit, text));
}

static void md_percent(struct textbuf *b, double fraction)
{
    if (isfinite(fraction))
        textbuf_printf(b, " %.1f %% |", 100 * fraction);
    else
        textbuf_printf(b, " - |");
}

static void md_ratio(struct textbuf *b, double r)
{
    if (isfinite(r))
        textbuf_printf(b, " %.3f |", r);
    else
        textbuf_printf(b, " - |");
}

/* The energy columns' header: total, then per level and the MACs. */
static void md_energy_header(const struct report_doc *doc, struct textbuf *b,
                             const char *unit)
{
    textbuf_printf(b, " energy (%s) | cycles | EDP (pJ × cycles) | utilization |", unit);
    for (int v = 0; v <= doc->nlevels && doc->nlevels > 0; v++) {
        textbuf_append(b, " ", 1);
        md_text(b, v < doc->nlevels ? doc->level_name[v] : doc->compute_name);
        textbuf_printf(b, " (%s) |", unit);
    }
}

static void md_align(const struct report_doc *doc, struct textbuf *b, int left, int right)
{
    textbuf_printf(b, "|");
    for (int i = 0; i < left; i++)
        textbuf_printf(b, " :--- |");
    for (int i = 0; i < 4 + (doc->nlevels > 0 ? doc->nlevels + 1 : 0) + right; i++)
        textbuf_printf(b, " ---: |");
    textbuf_printf(b, "\n");
}

static void md_input(struct textbuf *b, const char *what, const struct report_doc_input *in)
{
    textbuf_printf(b, "- %s: ", what);
    if (in->name) {
        md_text(b, in->name);
        textbuf_printf(b, " (`");
        md_text(b, in->path ? in->path : "?");
        textbuf_printf(b, "`, SHA-256 `%.16s…`)\n", in->sha256);
        return;
    }
    textbuf_printf(b, "`");
    md_text(b, in->path ? in->path : "?");
    textbuf_printf(b, "` (SHA-256 `%.16s…`)\n", in->sha256);
}

/* True when some entry of kernel k (any kernel when k < 0) has no
 * mapping. */
static bool kernel_incomplete(const struct report_doc *doc, int k)
{
    for (int l = 0; l < doc->nlayers; l++)
        for (int i = 0; i < doc->layers[l].nkernels; i++) {
            const struct report_doc_entry *e = &doc->layers[l].kernel[i];
            if ((k < 0 || (int)e->kernel == k) && e->status != REPORT_MAPPED)
                return true;
        }
    return false;
}

static void md_head(const struct report_doc *doc, struct textbuf *b)
{
    int unmapped = 0;
    for (int l = 0; l < doc->nlayers; l++)
        for (int i = 0; i < doc->layers[l].nkernels; i++)
            unmapped += doc->layers[l].kernel[i].status != REPORT_MAPPED;
    textbuf_printf(b, "# ");
    md_text(b, doc->workload.name ? doc->workload.name : "workload");
    textbuf_printf(b, " on ");
    md_text(b, doc->arch.name ? doc->arch.name : "arch");
    textbuf_printf(b, "\n\n");
    md_input(b, "Workload", &doc->workload);
    md_input(b, "Architecture", &doc->arch);
    if (doc->arch.comment) {
        textbuf_printf(b, "- Energy table (the architecture's comment): ");
        md_text(b, doc->arch.comment);
        textbuf_printf(b, "\n");
    }
    if (doc->has_constraints)
        md_input(b, "Constraints", &doc->constraints);
    textbuf_printf(b, "- Search: %s, objective %s, seed %llu, time limit %g s per problem\n",
                   doc->strategy, doc->objective, (unsigned long long)doc->seed,
                   doc->time_limit_s);
    if (doc->command) {
        textbuf_printf(b, "- Command: `");
        md_text(b, doc->command);
        textbuf_printf(b, "`\n");
    }
    textbuf_printf(b, "- Report written by trainmap %s\n", doc->version ? doc->version : "?");
    if (doc->interrupted)
        textbuf_printf(b, "- Interrupted: the run was stopped before it finished\n");
    if (unmapped)
        textbuf_printf(b, "- Incomplete: %d kernel%s without a mapping, left out of the "
                          "totals\n", unmapped, unmapped == 1 ? "" : "s");
}

static void md_total_row(const struct report_doc *doc, struct textbuf *b, const char *name,
                         int k, const struct report_sum *s, double unit)
{
    double lv[ARCH_MAX_LEVELS + 1];
    render_level_energy(doc, k, lv);
    textbuf_printf(b, "| %s%s |", name, kernel_incomplete(doc, k) ? " *" : "");
    md_energy(b, s->energy_pj, unit);
    textbuf_printf(b, " %llu | %.3e |", (unsigned long long)s->cycles,
                   s->energy_pj * (double)s->cycles);
    md_percent(b, render_utilization(doc, k));
    for (int v = 0; v <= doc->nlevels && doc->nlevels > 0; v++)
        md_energy(b, lv[v], unit);
    textbuf_printf(b, "\n");
}

static void md_totals(const struct report_doc *doc, struct textbuf *b)
{
    const char *unit_name;
    double unit = render_energy_unit(doc->totals.step.energy_pj, &unit_name);
    textbuf_printf(b, "\n## Totals per kernel and training step\n\n"
                      "Sums over the kernels with a mapping, which run one after another: "
                      "energies and cycles add up; EDP is the sum of the energies times "
                      "the sum of the cycles; utilization is the MAC array's busy fraction "
                      "over those cycles.%s\n\n| kernel |",
                   kernel_incomplete(doc, -1) ? " \\* marks sums that leave out kernels "
                                                "without a mapping." : "");
    md_energy_header(doc, b, unit_name);
    textbuf_printf(b, "\n");
    md_align(doc, b, 1, 0);
    for (int i = 0; i < KERNEL_COUNT; i++) {
        enum kernel k = render_step_order[i];
        if (doc->totals.present[k])
            md_total_row(doc, b, kernel_name(k), (int)k, &doc->totals.kernel[k], unit);
    }
    md_total_row(doc, b, "step", -1, &doc->totals.step, unit);
}

static void md_entry(const struct report_doc *doc, int l, const struct report_doc_entry *e,
                     double unit, struct textbuf *b)
{
    textbuf_printf(b, "| ");
    md_text(b, doc->layers[l].name);
    textbuf_printf(b, " | %s |", kernel_name(e->kernel));
    if (e->status != REPORT_MAPPED) {
        textbuf_printf(b, " %s: ", e->status == REPORT_NOT_SEARCHED ? "not searched"
                                                                    : "no mapping");
        md_text(b, e->error);
        textbuf_printf(b, " |");
        for (int i = 0; i < 3 + (doc->nlevels > 0 ? doc->nlevels + 1 : 0) + 2; i++)
            textbuf_printf(b, " |");
        textbuf_printf(b, "\n");
        return;
    }
    md_energy(b, e->energy_pj, unit);
    textbuf_printf(b, " %llu | %.3e |", (unsigned long long)e->cycles, e->edp);
    md_percent(b, e->utilization);
    for (int v = 0; v < doc->nlevels; v++)
        md_energy(b, e->level[v].energy_pj, unit);
    md_energy(b, e->mac_energy_pj, unit);
    md_ratio(b, e->energy_ratio);
    md_ratio(b, e->cycles_ratio);
    textbuf_printf(b, "\n");
}

static void md_layers(const struct report_doc *doc, struct textbuf *b)
{
    double max = 0;
    for (int l = 0; l < doc->nlayers; l++)
        for (int i = 0; i < doc->layers[l].nkernels; i++)
            if (doc->layers[l].kernel[i].status == REPORT_MAPPED)
                max = fmax(max, doc->layers[l].kernel[i].energy_pj);
    const char *unit_name;
    double unit = render_energy_unit(max, &unit_name);
    textbuf_printf(b, "\n## Layers\n\nThe best mapping found per layer and kernel; "
                      "energy / bound and cycles / bound are the ratios to the lower "
                      "bounds no mapping can beat (1.000: at the bound).\n\n"
                      "| layer | kernel |");
    md_energy_header(doc, b, unit_name);
    textbuf_printf(b, " energy / bound | cycles / bound |\n");
    md_align(doc, b, 2, 2);
    for (int l = 0; l < doc->nlayers; l++)
        for (int i = 0; i < doc->layers[l].nkernels; i++)
            md_entry(doc, l, &doc->layers[l].kernel[i], unit, b);
}

int render_markdown(const struct report_doc *doc, struct textbuf *out, struct err *err)
{
    md_head(doc, out);
    md_totals(doc, out);
    md_layers(doc, out);
    return out->failed ? err_set(err, ERR_NOMEM, "markdown: out of memory") : 0;
}

/* ---- stdout summary ------------------------------------------------- */

static void sum_row(struct textbuf *b, const char *name, const struct report_sum *s)
{
    textbuf_printf(b, "%-12s %22.2f %20llu %20llu\n", name, s->energy_pj,
                   (unsigned long long)s->cycles, (unsigned long long)s->macs);
}

static double share(double part, double whole)
{
    return whole > 0 ? 100 * part / whole : 0;
}

/* The five layers of largest energy, largest first (ties: earlier
 * first). */
static void top_layers(const struct report_doc *doc, struct textbuf *b)
{
    int top[5], n = 0;
    for (int l = 0; l < doc->nlayers; l++) {
        double el = render_layer_energy(doc, l);
        int at = n;
        while (at > 0 && render_layer_energy(doc, top[at - 1]) < el)
            at--;
        if (at >= 5)
            continue;
        if (n < 5)
            n++;
        memmove(top + at + 1, top + at, (size_t)(n - 1 - at) * sizeof top[0]);
        top[at] = l;
    }
    textbuf_printf(b, "\n%-24s %22s %8s\n", "most expensive layers", "energy_pj", "share");
    for (int i = 0; i < n; i++) {
        double el = render_layer_energy(doc, top[i]);
        textbuf_printf(b, "%-24s %22.2f %7.1f%%\n", doc->layers[top[i]].name, el,
                       share(el, doc->totals.step.energy_pj));
    }
}

int render_summary(const struct report_doc *doc, struct textbuf *out, struct err *err)
{
    textbuf_printf(out, "%-12s %22s %20s %20s\n", "kernel", "energy_pj", "cycles", "macs");
    for (int i = 0; i < KERNEL_COUNT; i++) {
        enum kernel k = render_step_order[i];
        if (doc->totals.present[k])
            sum_row(out, kernel_name(k), &doc->totals.kernel[k]);
    }
    sum_row(out, "step", &doc->totals.step);
    int status[3] = { 0 };
    for (int l = 0; l < doc->nlayers; l++)
        for (int i = 0; i < doc->layers[l].nkernels; i++)
            status[doc->layers[l].kernel[i].status]++;
    if (status[REPORT_NO_MAPPING])
        textbuf_printf(out, "kernels without a valid mapping: %d (left out of the totals)\n",
                       status[REPORT_NO_MAPPING]);
    if (status[REPORT_NOT_SEARCHED])
        textbuf_printf(out, "kernels not searched: %d (left out of the totals)\n",
                       status[REPORT_NOT_SEARCHED]);
    top_layers(doc, out);
    if (doc->nlevels > 0) {
        double lv[ARCH_MAX_LEVELS + 1];
        render_level_energy(doc, -1, lv);
        textbuf_printf(out, "\n%-24s %22s %8s\n", "energy by level", "energy_pj", "share");
        for (int v = 0; v <= doc->nlevels; v++) {
            char name[ARCH_NAME_MAX + 8];
            snprintf(name, sizeof name, "%s%s",
                     v < doc->nlevels ? doc->level_name[v] : doc->compute_name,
                     v < doc->nlevels ? "" : " (MACs)");
            textbuf_printf(out, "%-24s %22.2f %7.1f%%\n", name, lv[v],
                           share(lv[v], doc->totals.step.energy_pj));
        }
    }
    return out->failed ? err_set(err, ERR_NOMEM, "summary: out of memory") : 0;
}
