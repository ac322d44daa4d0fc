/*
 * render_util: the sums, units and number formats the report renderers
 * share, and the common parts of their gnuplot scripts; see render.h.
 */
#include "render.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../common/outfile.h"

const enum kernel render_step_order[KERNEL_COUNT] = {
    KERNEL_FWD, KERNEL_IM2COL, KERNEL_BWD_DATA, KERNEL_COL2IM, KERNEL_BWD_WEIGHT,
    KERNEL_UPDATE,
};

void render_level_energy(const struct report_doc *doc, int k, double *out)
{
    for (int i = 0; i <= ARCH_MAX_LEVELS; i++)
        out[i] = 0;
    for (int l = 0; l < doc->nlayers; l++)
        for (int i = 0; i < doc->layers[l].nkernels; i++) {
            const struct report_doc_entry *e = &doc->layers[l].kernel[i];
            if (e->status != REPORT_MAPPED || (k >= 0 && (int)e->kernel != k))
                continue;
            for (int v = 0; v < doc->nlevels && v < e->nlevels; v++)
                out[v] += e->level[v].energy_pj;
            out[doc->nlevels] += e->mac_energy_pj;
        }
}

double render_utilization(const struct report_doc *doc, int k)
{
    double busy = 0, cycles = 0;
    for (int l = 0; l < doc->nlayers; l++)
        for (int i = 0; i < doc->layers[l].nkernels; i++) {
            const struct report_doc_entry *e = &doc->layers[l].kernel[i];
            if (e->status != REPORT_MAPPED || (k >= 0 && (int)e->kernel != k))
                continue;
            busy += e->utilization * (double)e->cycles;
            cycles += (double)e->cycles;
        }
    return cycles > 0 ? busy / cycles : NAN;
}

double render_layer_energy(const struct report_doc *doc, int l)
{
    double sum = 0;
    for (int i = 0; i < doc->layers[l].nkernels; i++)
        if (doc->layers[l].kernel[i].status == REPORT_MAPPED)
            sum += doc->layers[l].kernel[i].energy_pj;
    return sum;
}

double render_energy_unit(double max_pj, const char **name)
{
    static const struct { const char *name; double pj; } units[] = {
        { "J", 1e12 }, { "mJ", 1e9 }, { "\xc2\xb5J", 1e6 }, { "nJ", 1e3 },
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (fabs(max_pj) >= units[i].pj) {
            *name = units[i].name;
            return units[i].pj;
        }
    *name = "pJ";
    return 1;
}

char *render_sig4(double v, char *out)
{
    if (!isfinite(v)) {
        snprintf(out, 32, "-");
        return out;
    }
    if (v == 0) {
        snprintf(out, 32, "0");
        return out;
    }
    double a = fabs(v);
    if (a < 1e-3) {
        snprintf(out, 32, "%.3e", v);
        return out;
    }
    int e = (int)floor(log10(a));
    int decimals = e >= 3 ? 0 : 3 - e;
    snprintf(out, 32, "%.*f", decimals, v);
    return out;
}

void render_gp_label(struct textbuf *b, const char *s)
{
    textbuf_append(b, "\"", 1);
    for (; *s; s++) {
        char c = *s == '"' ? '\'' : *s == '\\' ? '/' : (unsigned char)*s < 32 ? ' ' : *s;
        textbuf_append(b, &c, 1);
    }
    textbuf_append(b, "\"", 1);
}

void render_gp_string(struct textbuf *b, const char *s)
{
    textbuf_append(b, "'", 1);
    for (; *s; s++) {
        if (*s == '\'')
            textbuf_append(b, "''", 2);
        else if ((unsigned char)*s >= 32)
            textbuf_append(b, s, 1);
    }
    textbuf_append(b, "'", 1);
}

void render_gp_head(struct textbuf *b, const char *name, bool wide, bool tall)
{
    /* One column of a two-column paper is about 3.5 in, the full text width
     * about 7 in; fonts at 7 pt match a paper's figure text.  The SVG and
     * PNG sizes keep the PDF's proportions of text to plot. */
    double w_in = wide ? 7.0 : 3.5, h_in = tall ? 3.0 : 2.4;
    textbuf_printf(b,
        "# %s: written by trainmap; render with `gnuplot %s.gp` in this directory\n"
        "# (writes %s.svg and %s.pdf; gnuplot -e 'formats=\"png\"' %s.gp for a PNG)\n"
        "reset\n"
        "set encoding utf8\n"
        "if (!exists(\"formats\")) formats = \"svg pdf\"\n"
        "set datafile missing \"-\"\n"
        "set linetype 1 lc rgb \"#0072B2\"\n"
        "set linetype 2 lc rgb \"#E69F00\"\n"
        "set linetype 3 lc rgb \"#009E73\"\n"
        "set linetype 4 lc rgb \"#CC79A7\"\n"
        "set linetype 5 lc rgb \"#56B4E9\"\n"
        "set linetype 6 lc rgb \"#D55E00\"\n"
        "set linetype 7 lc rgb \"#F0E442\"\n"
        "set linetype 8 lc rgb \"#000000\"\n"
        "set linetype cycle 8\n"
        "set style fill solid 1.0 noborder\n"
        "set border 3 lw 0.8\n"
        "set tics nomirror out scale 0.5\n"
        "set grid ytics lw 0.5 lc rgb \"#CCCCCC\"\n"
        "set key outside top center horizontal Left reverse samplen 1.2 width 1\n"
        "do for [fmt in formats] {\n"
        "    if (fmt eq \"svg\") {\n"
        "        set terminal svg size %d,%d font \"Helvetica,14\" noenhanced background \"white\"\n"
        "    }\n"
        "    if (fmt eq \"pdf\") {\n"
        "        set terminal pdfcairo size %.1fin,%.1fin font \"Helvetica,7\" noenhanced\n"
        "    }\n"
        "    if (fmt eq \"png\") {\n"
        "        set terminal pngcairo size %d,%d font \"Helvetica,28\" noenhanced background \"white\"\n"
        "    }\n"
        "    set output \"%s.\" . fmt\n",
        name, name, name, name, name, (int)(w_in * 144), (int)(h_in * 144), w_in, h_in,
        (int)(w_in * 288), (int)(h_in * 288), name);
}

void render_gp_tail(struct textbuf *b)
{
    textbuf_printf(b, "    unset output\n}\n");
}

int render_write_file(const char *dir, const char *name, const char *ext,
                      struct textbuf *text, struct err *err)
{
    char path[4096];
    if (text->failed)
        return err_set(err, ERR_NOMEM, "%s/%s.%s: out of memory", dir, name, ext);
    int n = snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    if (n < 0 || (size_t)n >= sizeof path)
        return err_set(err, ERR_IO, "%s: path too long", dir);
    return outfile_write(path, text->data ? text->data : "", text->len, err);
}
