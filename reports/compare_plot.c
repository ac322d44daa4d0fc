/*
 * compare_plot: a comparison's plots as gnuplot scripts and data files;
 * see compare.h.  Same conventions as render_plot.c: paper-column sizes,
 * axis labels with units, one script and one data file per plot.
 */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render.h"

/* Above this many bars a plot takes the full text width. */
#define COLUMN_MAX_BARS 16

enum metric { M_ENERGY, M_CYCLES, M_EDP_RATIO, M_UTILIZATION };

static const char *const plot_name[] = {
    "compare_energy", "compare_cycles", "compare_edp", "compare_utilization",
};

static int rows(const struct compare *c, int *out)
{
    int n = 0;
    for (int i = 0; i < KERNEL_COUNT; i++)
        if (c->present[render_step_order[i]])
            out[n++] = (int)render_step_order[i];
    out[n++] = COMPARE_STEP;
    return n;
}

/* A scale for cycle counts up to max: 1, thousands, millions, billions. */
static double cycles_unit(double max, const char **name)
{
    static const struct { const char *name; double n; } units[] = {
        { "billions", 1e9 }, { "millions", 1e6 }, { "thousands", 1e3 },
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (max >= units[i].n) {
            *name = units[i].name;
            return units[i].n;
        }
    *name = NULL;
    return 1;
}

static double value(const struct compare_metrics *m, enum metric what)
{
    switch (what) {
    case M_ENERGY: return m->energy_pj;
    case M_CYCLES: return (double)m->cycles;
    case M_EDP_RATIO: return m->edp_ratio;
    case M_UTILIZATION: return 100 * m->utilization;
    }
    return NAN;
}

static int write_pair(const char *dir, const char *name, struct textbuf *data,
                      struct textbuf *gp, struct textbuf *names, struct err *err)
{
    int rc = render_write_file(dir, name, "dat", data, err);
    if (rc == 0)
        rc = render_write_file(dir, name, "gp", gp, err);
    if (rc == 0)
        textbuf_printf(names, "%s.gp\n", name);
    textbuf_release(data);
    textbuf_release(gp);
    return rc;
}

/* A grouped bar plot: per kernel and the step, one bar per arch. */
static int plot_metric(const struct compare *c, enum metric what, const char *dir,
                       struct textbuf *names, struct err *err)
{
    int r[KERNEL_COUNT + 1], nr = rows(c, r);
    double max = 0, unit = 1;
    for (int i = 0; i < nr; i++)
        for (int a = 0; a < c->narchs; a++)
            if (isfinite(value(&c->kernel[r[i]][a], what)))
                max = fmax(max, value(&c->kernel[r[i]][a], what));
    const char *unit_name = NULL;
    char ylabel[160];
    struct textbuf data, gp;
    textbuf_init(&data);
    textbuf_init(&gp);
    switch (what) {
    case M_ENERGY:
        unit = render_energy_unit(max, &unit_name);
        snprintf(ylabel, sizeof ylabel, "energy (%s)", unit_name);
        break;
    case M_CYCLES:
        unit = cycles_unit(max, &unit_name);
        snprintf(ylabel, sizeof ylabel, unit_name ? "cycles (%s)" : "cycles", unit_name);
        break;
    case M_EDP_RATIO:
        snprintf(ylabel, sizeof ylabel, "EDP relative to %.*s", ARCH_NAME_MAX, c->label[0]);
        break;
    case M_UTILIZATION:
        snprintf(ylabel, sizeof ylabel, "utilization (%%)");
        break;
    }
    textbuf_printf(&data, "# %s per kernel and arch (-: none)\n# kernel", ylabel);
    for (int a = 0; a < c->narchs; a++)
        textbuf_printf(&data, "\t%s", c->label[a]);
    textbuf_printf(&data, "\n");
    for (int i = 0; i < nr; i++) {
        textbuf_printf(&data, "\"%s\"", compare_row_name(r[i]));
        for (int a = 0; a < c->narchs; a++) {
            double v = value(&c->kernel[r[i]][a], what);
            if (isfinite(v))
                textbuf_printf(&data, "\t%.6g", v / unit);
            else
                textbuf_printf(&data, "\t-");
        }
        textbuf_printf(&data, "\n");
    }
    render_gp_head(&gp, plot_name[what], nr * c->narchs > COLUMN_MAX_BARS, false);
    textbuf_printf(&gp, "    set style data histograms\n"
                        "    set style histogram clustered gap 1\n"
                        "    set boxwidth 0.9 relative\n"
                        "    set xtics %s\n"
                        "    set xrange [-0.6:%.1f]\n"
                        "    set xlabel \"kernel\"\n"
                        "    set ylabel ", nr > 3 ? "rotate by 30 right" : "norotate", nr - 0.4);
    render_gp_string(&gp, ylabel);
    if (what == M_UTILIZATION)
        textbuf_printf(&gp, "\n    set yrange [0:108]\n    set ytics 0,20,100\n");
    else
        textbuf_printf(&gp, "\n    set yrange [0:*]\n");
    if (what == M_EDP_RATIO)
        textbuf_printf(&gp, "    set arrow 1 from graph 0, first 1 to graph 1, first 1 "
                            "nohead dt 2 lw 1 front\n");
    char dat[64];
    snprintf(dat, sizeof dat, "%s.dat", plot_name[what]);
    textbuf_printf(&gp, "    plot ");
    for (int a = 0; a < c->narchs; a++) {
        textbuf_printf(&gp, "%s", a ? ", \\\n         " : "");
        render_gp_string(&gp, a == 0 ? dat : "");
        textbuf_printf(&gp, " using %d%s title ", a + 2, a == 0 ? ":xtic(1)" : "");
        render_gp_string(&gp, c->label[a]);
    }
    textbuf_printf(&gp, "\n");
    render_gp_tail(&gp);
    return write_pair(dir, plot_name[what], &data, &gp, names, err);
}

/* compare_levels: each arch's step energy stacked by level. */
static int plot_levels(const struct compare *c, const char *dir, struct textbuf *names,
                       struct err *err)
{
    double max = 0;
    for (int a = 0; a < c->narchs; a++)
        max = fmax(max, c->kernel[COMPARE_STEP][a].energy_pj);
    const char *unit_name;
    double unit = render_energy_unit(max, &unit_name);
    struct textbuf data, gp;
    textbuf_init(&data);
    textbuf_init(&gp);
    textbuf_printf(&data, "# training-step energy per arch and level, in %s (0: no such "
                          "level)\n# arch", unit_name);
    for (int i = 0; i < c->nlevels; i++)
        textbuf_printf(&data, "\t%s", c->level_name[i]);
    textbuf_printf(&data, "\tMACs\n");
    for (int a = 0; a < c->narchs; a++) {
        render_gp_label(&data, c->label[a]);
        for (int i = 0; i <= c->nlevels; i++)
            textbuf_printf(&data, "\t%.6g", c->level_pj[a][i] / unit);
        textbuf_printf(&data, "\n");
    }
    render_gp_head(&gp, "compare_levels", false, c->narchs > 4);
    textbuf_printf(&gp, "    set style data histograms\n"
                        "    set style histogram rowstacked\n"
                        "    set boxwidth 0.6 relative\n"
                        "    set xtics %s\n"
                        "    set xrange [-0.6:%.1f]\n"
                        "    set yrange [0:*]\n"
                        "    set xlabel \"architecture\"\n"
                        "    set ylabel \"training-step energy (%s)\"\n"
                        "    plot ", c->narchs > 4 ? "rotate by 90 right" : "norotate",
                   c->narchs - 0.4, unit_name);
    for (int i = 0; i <= c->nlevels; i++) {
        textbuf_printf(&gp, "%s", i ? ", \\\n         " : "");
        render_gp_string(&gp, i == 0 ? "compare_levels.dat" : "");
        textbuf_printf(&gp, " using %d%s title ", i + 2, i == 0 ? ":xtic(1)" : "");
        render_gp_string(&gp, i < c->nlevels ? c->level_name[i] : "MACs");
    }
    textbuf_printf(&gp, "\n");
    render_gp_tail(&gp);
    return write_pair(dir, "compare_levels", &data, &gp, names, err);
}

int compare_plots(const struct compare *c, const char *dir, struct textbuf *names,
                  struct err *err)
{
    static const enum metric metrics[] = { M_ENERGY, M_CYCLES, M_EDP_RATIO, M_UTILIZATION };
    for (size_t i = 0; i < sizeof metrics / sizeof metrics[0]; i++) {
        int rc = plot_metric(c, metrics[i], dir, names, err);
        if (rc < 0)
            return rc;
    }
    int rc = plot_levels(c, dir, names, err);
    if (rc == 0 && names->failed)
        rc = err_set(err, ERR_NOMEM, "plots: out of memory");
    return rc;
}
