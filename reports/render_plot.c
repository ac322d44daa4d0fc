/*
 * render_plot: a report's plots as gnuplot scripts and data files; see
 * render.h.  The scripts carry the layout (sizes for a paper's column,
 * axis labels with units, a colour-blind-safe palette) so that running
 * gnuplot on them is all the rendering there is, with or without trainmap.
 */
#include "render.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Above this many bars a plot takes the full text width. */
#define COLUMN_MAX_BARS 16
/* At most this many x labels in one column's width, and in the full text
 * width; beyond, every n-th layer is labelled. */
#define COLUMN_MAX_XLABELS 14
#define WIDE_MAX_XLABELS 40

/* Layer names longer than this are replaced by their index on the axis
 * (the data file keeps the names). */
#define MAX_NAME_LABEL 12

/* How the x axis names the layers of doc. */
struct xaxis {
    int n;              /* bars or groups */
    bool wide;          /* the plot takes the full text width */
    bool by_index;      /* 1, 2, ... instead of the names */
    bool rotated;       /* vertical labels */
    bool slanted;       /* labels at 30 degrees */
    int step;           /* every step-th label is shown */
};

/* The axis of a plot of every layer with bars_per_layer bars each. */
static struct xaxis layer_axis(const struct report_doc *doc, int bars_per_layer)
{
    struct xaxis x = { doc->nlayers, doc->nlayers * bars_per_layer > COLUMN_MAX_BARS, false,
                       false, false, 1 };
    for (int l = 0; l < doc->nlayers; l++)
        if (strlen(doc->layers[l].name) > MAX_NAME_LABEL)
            x.by_index = true;
    int max = x.wide ? WIDE_MAX_XLABELS : COLUMN_MAX_XLABELS;
    x.step = (x.n + max - 1) / max;
    x.rotated = !x.by_index && x.n > 6;
    return x;
}

/* The label of layer l on axis x ("" when not shown). */
static void tic_label(struct textbuf *b, const struct xaxis *x, const char *name, int l)
{
    char index[16];
    snprintf(index, sizeof index, "%d", l + 1);
    if (x->step > 1 && (l + 1) % x->step != 0 && !(l == 0 && x->step > 2))
        render_gp_label(b, "");
    else
        render_gp_label(b, x->by_index ? index : name);
}

/* x tics, label and range: no empty slot at either end. */
static void xtics(struct textbuf *b, const struct xaxis *x, const char *xlabel)
{
    textbuf_printf(b, "    set xtics %s\n    set xrange [-0.6:%.1f]\n"
                      "    set xlabel \"%s%s\"\n",
                   x->rotated ? "rotate by 90 right" : x->slanted ? "rotate by 30 right"
                                                               : "norotate",
                   x->n - 0.4, xlabel,
                   x->by_index ? " (position in the workload)" : "");
}

/* A layer's entry for kernel k, or NULL. */
static const struct report_doc_entry *entry_of(const struct report_doc_layer *ly,
                                               enum kernel k)
{
    for (int i = 0; i < ly->nkernels; i++)
        if (ly->kernel[i].kernel == k)
            return &ly->kernel[i];
    return NULL;
}

/* The stacked plot commands: one series per level and the MACs, data
 * columns 3.. (column 2 holds the x labels). */
static void stack_plot(const struct report_doc *doc, struct textbuf *gp, const char *dat)
{
    textbuf_printf(gp, "    plot ");
    for (int v = 0; v <= doc->nlevels; v++) {
        textbuf_printf(gp, "%s", v ? ", \\\n         " : "");
        render_gp_string(gp, v == 0 ? dat : "");
        textbuf_printf(gp, " using %d%s title ", v + 3, v == 0 ? ":xtic(2)" : "");
        render_gp_string(gp, v < doc->nlevels ? doc->level_name[v] : doc->compute_name);
    }
    textbuf_printf(gp, "\n");
}

static void stack_style(struct textbuf *gp, const struct xaxis *x, const char *xlabel,
                        const char *unit)
{
    textbuf_printf(gp, "    set style data histograms\n"
                       "    set style histogram rowstacked\n"
                       "    set boxwidth 0.75 relative\n"
                       "    set yrange [0:*]\n"
                       "    set ylabel \"energy (%s)\"\n", unit);
    xtics(gp, x, xlabel);
}

/* energy_<kernel>: per layer, the kernel's energy stacked by level. */
static int plot_kernel(const struct report_doc *doc, enum kernel k, const char *dir,
                       struct textbuf *names, struct err *err)
{
    char name[64], dat[80];
    double max = 0;
    snprintf(name, sizeof name, "energy_%s", kernel_name(k));
    snprintf(dat, sizeof dat, "%s.dat", name);
    for (int l = 0; l < doc->nlayers; l++) {
        const struct report_doc_entry *e = entry_of(&doc->layers[l], k);
        if (e && e->status == REPORT_MAPPED)
            max = fmax(max, e->energy_pj);
    }
    const char *unit_name;
    double unit = render_energy_unit(max, &unit_name);
    struct xaxis x = layer_axis(doc, 1);
    struct textbuf data, gp;
    textbuf_init(&data);
    textbuf_init(&gp);
    textbuf_printf(&data, "# %s energy per layer and level, in %s (0: no mapping)\n# layer\t"
                          "label", kernel_name(k), unit_name);
    for (int v = 0; v <= doc->nlevels; v++)
        textbuf_printf(&data, "\t%s", v < doc->nlevels ? doc->level_name[v]
                                                       : doc->compute_name);
    textbuf_printf(&data, "\n");
    for (int l = 0; l < doc->nlayers; l++) {
        const struct report_doc_entry *e = entry_of(&doc->layers[l], k);
        render_gp_label(&data, doc->layers[l].name);
        textbuf_printf(&data, "\t");
        tic_label(&data, &x, doc->layers[l].name, l);
        for (int v = 0; v <= doc->nlevels; v++) {
            double pj = !e || e->status != REPORT_MAPPED ? 0
                        : v < doc->nlevels ? e->level[v].energy_pj : e->mac_energy_pj;
            textbuf_printf(&data, "\t%.6g", pj / unit);
        }
        textbuf_printf(&data, "\n");
    }
    render_gp_head(&gp, name, x.wide, x.rotated);
    stack_style(&gp, &x, "layer", unit_name);
    stack_plot(doc, &gp, dat);
    render_gp_tail(&gp);
    int rc = render_write_file(dir, name, "dat", &data, err);
    if (rc == 0)
        rc = render_write_file(dir, name, "gp", &gp, err);
    if (rc == 0)
        textbuf_printf(names, "%s.gp\n", name);
    textbuf_release(&data);
    textbuf_release(&gp);
    return rc;
}

/* energy_kernels: per kernel, the total energy stacked by level. */
static int plot_kernels(const struct report_doc *doc, const char *dir,
                        struct textbuf *names, struct err *err)
{
    double lv[KERNEL_COUNT][ARCH_MAX_LEVELS + 1], max = 0;
    int n = 0;
    for (int i = 0; i < KERNEL_COUNT; i++) {
        enum kernel k = render_step_order[i];
        if (!doc->totals.present[k])
            continue;
        render_level_energy(doc, (int)k, lv[k]);
        max = fmax(max, doc->totals.kernel[k].energy_pj);
        n++;
    }
    const char *unit_name;
    double unit = render_energy_unit(max, &unit_name);
    struct textbuf data, gp;
    textbuf_init(&data);
    textbuf_init(&gp);
    textbuf_printf(&data, "# energy per kernel (summed over the layers) and level, in %s\n"
                          "# kernel\tlabel", unit_name);
    for (int v = 0; v <= doc->nlevels; v++)
        textbuf_printf(&data, "\t%s", v < doc->nlevels ? doc->level_name[v]
                                                       : doc->compute_name);
    textbuf_printf(&data, "\n");
    for (int i = 0; i < KERNEL_COUNT; i++) {
        enum kernel k = render_step_order[i];
        if (!doc->totals.present[k])
            continue;
        textbuf_printf(&data, "\"%s\"\t\"%s\"", kernel_name(k), kernel_name(k));
        for (int v = 0; v <= doc->nlevels; v++)
            textbuf_printf(&data, "\t%.6g", lv[k][v] / unit);
        textbuf_printf(&data, "\n");
    }
    struct xaxis x = { n, false, false, false, n > 3, 1 };
    render_gp_head(&gp, "energy_kernels", false, false);
    stack_style(&gp, &x, "kernel", unit_name);
    textbuf_printf(&gp, "    set boxwidth 0.6 relative\n");
    stack_plot(doc, &gp, "energy_kernels.dat");
    render_gp_tail(&gp);
    int rc = render_write_file(dir, "energy_kernels", "dat", &data, err);
    if (rc == 0)
        rc = render_write_file(dir, "energy_kernels", "gp", &gp, err);
    if (rc == 0)
        textbuf_printf(names, "energy_kernels.gp\n");
    textbuf_release(&data);
    textbuf_release(&gp);
    return rc;
}

/* utilization: per layer, one bar per kernel. */
static int plot_utilization(const struct report_doc *doc, const char *dir,
                            struct textbuf *names, struct err *err)
{
    enum kernel ks[KERNEL_COUNT];
    int nk = 0;
    for (int i = 0; i < KERNEL_COUNT; i++)
        if (doc->totals.present[render_step_order[i]])
            ks[nk++] = render_step_order[i];
    struct xaxis x = layer_axis(doc, nk);
    struct textbuf data, gp;
    textbuf_init(&data);
    textbuf_init(&gp);
    textbuf_printf(&data, "# MAC-array utilization per layer and kernel, in %% (-: none)\n"
                          "# layer\tlabel");
    for (int i = 0; i < nk; i++)
        textbuf_printf(&data, "\t%s", kernel_name(ks[i]));
    textbuf_printf(&data, "\n");
    for (int l = 0; l < doc->nlayers; l++) {
        render_gp_label(&data, doc->layers[l].name);
        textbuf_printf(&data, "\t");
        tic_label(&data, &x, doc->layers[l].name, l);
        for (int i = 0; i < nk; i++) {
            const struct report_doc_entry *e = entry_of(&doc->layers[l], ks[i]);
            if (e && e->status == REPORT_MAPPED)
                textbuf_printf(&data, "\t%.6g", 100 * e->utilization);
            else
                textbuf_printf(&data, "\t-");
        }
        textbuf_printf(&data, "\n");
    }
    render_gp_head(&gp, "utilization", x.wide, x.rotated);
    textbuf_printf(&gp, "    set style data histograms\n"
                        "    set style histogram clustered gap 1\n"
                        "    set boxwidth 0.9 relative\n"
                        "    set yrange [0:108]\n"
                        "    set ytics 0,20,100\n"
                        "    set ylabel \"utilization (%%)\"\n");
    xtics(&gp, &x, "layer");
    textbuf_printf(&gp, "    plot ");
    for (int i = 0; i < nk; i++) {
        textbuf_printf(&gp, "%s", i ? ", \\\n         " : "");
        render_gp_string(&gp, i == 0 ? "utilization.dat" : "");
        textbuf_printf(&gp, " using %d%s title '%s'", i + 3, i == 0 ? ":xtic(2)" : "",
                       kernel_name(ks[i]));
    }
    textbuf_printf(&gp, "\n");
    render_gp_tail(&gp);
    int rc = render_write_file(dir, "utilization", "dat", &data, err);
    if (rc == 0)
        rc = render_write_file(dir, "utilization", "gp", &gp, err);
    if (rc == 0)
        textbuf_printf(names, "utilization.gp\n");
    textbuf_release(&data);
    textbuf_release(&gp);
    return rc;
}

int render_plots(const struct report_doc *doc, const char *dir, struct textbuf *names,
                 struct err *err)
{
    if (doc->nlevels == 0)
        return err_set(err, ERR_NO_MAPPING, "%s: no kernel has a mapping: nothing to plot",
                       doc->file);
    for (int i = 0; i < KERNEL_COUNT; i++) {
        int rc;
        if (doc->totals.present[render_step_order[i]] &&
            (rc = plot_kernel(doc, render_step_order[i], dir, names, err)) < 0)
            return rc;
    }
    int rc = plot_kernels(doc, dir, names, err);
    if (rc == 0)
        rc = plot_utilization(doc, dir, names, err);
    if (rc == 0 && names->failed)
        rc = err_set(err, ERR_NOMEM, "plots: out of memory");
    return rc;
}
