/*
 * compare: checking that reports can be compared, the per-arch metrics and
 * the comparison JSON; see compare.h.  compare_table.c and compare_plot.c
 * render the same numbers for people.
 */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "stats_json.h"

const char *compare_row_name(int r)
{
    return r == COMPARE_STEP ? "step" : kernel_name((enum kernel)r);
}

/* ---- checks ---------------------------------------------------------- */

static int same_workload(const struct report_doc *a, const struct report_doc *b,
                         struct err *err)
{
    if (strcmp(a->workload.sha256, b->workload.sha256) == 0)
        return 0;
    return err_set(err, ERR_SCHEMA, "%s: workload '%s' (sha256 %.12s...) is not %s's "
                   "workload '%s' (sha256 %.12s...): compare needs reports of one workload",
                   b->file, b->workload.name ? b->workload.name : "?", b->workload.sha256,
                   a->file, a->workload.name ? a->workload.name : "?", a->workload.sha256);
}

static int same_layers(const struct report_doc *a, const struct report_doc *b,
                       struct err *err)
{
    const char *hint = "compare needs reports of the same layers and kernels (the same "
                       "--layers, -k and --lowering)";
    if (a->nlayers != b->nlayers)
        return err_set(err, ERR_SCHEMA, "%s: %d layers where %s has %d: %s", b->file,
                       b->nlayers, a->file, a->nlayers, hint);
    for (int l = 0; l < a->nlayers; l++) {
        const struct report_doc_layer *x = &a->layers[l], *y = &b->layers[l];
        if (strcmp(x->name, y->name) != 0)
            return err_set(err, ERR_SCHEMA, "%s: layers[%d] is '%s' where %s has '%s': %s",
                           b->file, l, y->name, a->file, x->name, hint);
        bool differ = x->nkernels != y->nkernels;
        for (int i = 0; i < x->nkernels && !differ; i++)
            differ = x->kernel[i].kernel != y->kernel[i].kernel;
        if (differ)
            return err_set(err, ERR_SCHEMA, "%s: layer '%s' has other kernels than in %s: %s",
                           b->file, y->name, a->file, hint);
    }
    return 0;
}

/* ---- metrics --------------------------------------------------------- */

static void add_entry(struct compare_metrics *m, const struct report_doc_entry *e,
                      double *busy)
{
    if (e->status != REPORT_MAPPED) {
        m->complete = false;
        return;
    }
    m->energy_pj += e->energy_pj;
    m->cycles += e->cycles;
    m->macs += e->macs;
    *busy += e->utilization * (double)e->cycles;
}

static void finish(struct compare_metrics *m, double busy)
{
    m->edp = m->energy_pj * (double)m->cycles;
    m->utilization = m->cycles ? busy / (double)m->cycles : NAN;
}

static double ratio(double v, double ref)
{
    return ref != 0 ? v / ref : NAN;
}

static void ratios(struct compare_metrics *row, int n)
{
    for (int a = 0; a < n; a++) {
        row[a].energy_ratio = ratio(row[a].energy_pj, row[0].energy_pj);
        row[a].cycles_ratio = ratio((double)row[a].cycles, (double)row[0].cycles);
        row[a].edp_ratio = ratio(row[a].edp, row[0].edp);
    }
}

/* Kernel and step totals of arch a.  The sums repeat the report's totals
 * (same entries, same order), so they equal them exactly. */
static void kernel_metrics(struct compare *c, int a)
{
    const struct report_doc *d = c->doc[a];
    double busy[KERNEL_COUNT + 1] = { 0 };
    for (int r = 0; r <= KERNEL_COUNT; r++)
        c->kernel[r][a] = (struct compare_metrics){ .complete = true };
    for (int l = 0; l < d->nlayers; l++)
        for (int i = 0; i < d->layers[l].nkernels; i++) {
            const struct report_doc_entry *e = &d->layers[l].kernel[i];
            c->present[e->kernel] = true;
            add_entry(&c->kernel[e->kernel][a], e, &busy[e->kernel]);
            add_entry(&c->kernel[COMPARE_STEP][a], e, &busy[COMPARE_STEP]);
        }
    for (int r = 0; r <= KERNEL_COUNT; r++)
        finish(&c->kernel[r][a], busy[r]);
}

/* The index of level name in c's union of levels, inserted after index
 * after (or at the front when after < 0) when new; -1 when full. */
static int union_level(struct compare *c, const char *name, int after)
{
    for (int i = 0; i < c->nlevels; i++)
        if (strcmp(c->level_name[i], name) == 0)
            return i;
    if (c->nlevels >= COMPARE_MAX_LEVELS)
        return -1;
    int at = after + 1;
    memmove(c->level_name[at + 1], c->level_name[at],
            (size_t)(c->nlevels - at) * sizeof c->level_name[0]);
    snprintf(c->level_name[at], sizeof c->level_name[at], "%s", name);
    c->nlevels++;
    return at;
}

static void level_metrics(struct compare *c)
{
    int prev = -1;
    for (int a = 0; a < c->narchs; a++, prev = -1)
        for (int v = 0; v < c->doc[a]->nlevels; v++)
            prev = union_level(c, c->doc[a]->level_name[v], prev);
    for (int a = 0; a < c->narchs; a++) {
        const struct report_doc *d = c->doc[a];
        double lv[ARCH_MAX_LEVELS + 1];
        render_level_energy(d, -1, lv);
        for (int v = 0; v < d->nlevels; v++) {
            int i = union_level(c, d->level_name[v], -1);
            c->level_pj[a][i] = lv[v];
            c->has_level[a][i] = true;
        }
        c->level_pj[a][c->nlevels] = d->nlevels ? lv[d->nlevels] : 0;
    }
}

/* The archs with the least value (0 energy, 1 cycles, 2 EDP) among those
 * that map the whole layer, as a bit set. */
static unsigned winners(const struct compare_layer *ly, int n, int what)
{
    unsigned set = 0;
    double best = INFINITY;
    for (int a = 0; a < n; a++) {
        const struct compare_metrics *m = &ly->arch[a];
        double v = what == 0 ? m->energy_pj : what == 1 ? (double)m->cycles : m->edp;
        if (!m->complete || v > best)
            continue;
        set = (v < best ? 0u : set) | 1u << a;
        best = v;
    }
    return set;
}

static void layer_metrics(struct compare *c)
{
    for (int l = 0; l < c->nlayers; l++) {
        struct compare_layer *ly = &c->layers[l];
        ly->name = c->doc[0]->layers[l].name;
        for (int a = 0; a < c->narchs; a++) {
            const struct report_doc_layer *dl = &c->doc[a]->layers[l];
            double busy = 0;
            ly->arch[a] = (struct compare_metrics){ .complete = true };
            for (int i = 0; i < dl->nkernels; i++)
                add_entry(&ly->arch[a], &dl->kernel[i], &busy);
            finish(&ly->arch[a], busy);
        }
        ratios(ly->arch, c->narchs);
        ly->win_energy = winners(ly, c->narchs, 0);
        ly->win_cycles = winners(ly, c->narchs, 1);
        ly->win_edp = winners(ly, c->narchs, 2);
    }
}

static const char *base_label(const struct report_doc *d)
{
    return d->arch.name ? d->arch.name : d->arch.path ? d->arch.path : "arch";
}

/* Labels: the arch's name (or its file), " (2)" etc. for repeats. */
static void labels(struct compare *c)
{
    for (int a = 0; a < c->narchs; a++) {
        const char *base = base_label(c->doc[a]);
        int seen = 1;
        for (int b = 0; b < a; b++)
            seen += strcmp(base_label(c->doc[b]), base) == 0;
        if (seen == 1)
            snprintf(c->label[a], sizeof c->label[a], "%.*s", ARCH_NAME_MAX - 1, base);
        else
            snprintf(c->label[a], sizeof c->label[a], "%.*s (%d)", ARCH_NAME_MAX - 1, base,
                     seen % 100);
    }
}

int compare_init(struct compare *c, const struct report_doc *const *docs, int n,
                 struct err *err)
{
    memset(c, 0, sizeof *c);
    if (n < 2 || n > COMPARE_MAX_ARCHS)
        return err_set(err, ERR_USAGE, "compare: %d reports, expected 2 to %d", n,
                       COMPARE_MAX_ARCHS);
    for (int a = 1; a < n; a++) {
        int rc;
        if ((rc = same_workload(docs[0], docs[a], err)) < 0 ||
            (rc = same_layers(docs[0], docs[a], err)) < 0)
            return rc;
    }
    c->narchs = n;
    for (int a = 0; a < n; a++)
        c->doc[a] = docs[a];
    c->nlayers = docs[0]->nlayers;
    if (c->nlayers > 0 && !(c->layers = calloc((size_t)c->nlayers, sizeof *c->layers)))
        return err_set(err, ERR_NOMEM, "compare: out of memory for %d layers", c->nlayers);
    labels(c);
    for (int a = 0; a < n; a++)
        kernel_metrics(c, a);
    for (int r = 0; r <= KERNEL_COUNT; r++)
        ratios(c->kernel[r], n);
    level_metrics(c);
    layer_metrics(c);
    return 0;
}

void compare_release(struct compare *c)
{
    free(c->layers);
    c->layers = NULL;
    c->nlayers = 0;
}

/* ---- JSON ------------------------------------------------------------ */

static cJSON *append_object(cJSON *array)
{
    cJSON *o = cJSON_CreateObject();
    if (o && !cJSON_AddItemToArray(array, o)) {
        cJSON_Delete(o);
        o = NULL;
    }
    return o;
}

static bool add_metrics(cJSON *o, const struct compare *c, int a,
                        const struct compare_metrics *m, bool with_macs)
{
    return cJSON_AddStringToObject(o, "arch", c->label[a]) &&
           cJSON_AddBoolToObject(o, "complete", m->complete) &&
           stats_json_add_double(o, "energy_pj", m->energy_pj) && stats_json_add_u64(o, "cycles", m->cycles) &&
           (!with_macs || stats_json_add_u64(o, "macs", m->macs)) && stats_json_add_double(o, "edp", m->edp) &&
           stats_json_add_double(o, "utilization", m->utilization) &&
           stats_json_add_double(o, "energy_ratio", m->energy_ratio) &&
           stats_json_add_double(o, "cycles_ratio", m->cycles_ratio) &&
           stats_json_add_double(o, "edp_ratio", m->edp_ratio);
}

static bool add_archs(cJSON *root, const struct compare *c)
{
    cJSON *archs = cJSON_AddArrayToObject(root, "archs");
    for (int a = 0; archs && a < c->narchs; a++) {
        const struct report_doc *d = c->doc[a];
        cJSON *o = append_object(archs), *in, *s, *lv;
        if (!o || !cJSON_AddStringToObject(o, "label", c->label[a]) ||
            !cJSON_AddStringToObject(o, "report", d->file) ||
            !(in = cJSON_AddObjectToObject(o, "arch")) ||
            !stats_json_add_string_or_null(in, "path", d->arch.path) ||
            !stats_json_add_string_or_null(in, "name", d->arch.name) ||
            !cJSON_AddStringToObject(in, "sha256", d->arch.sha256) ||
            !stats_json_add_string_or_null(in, "comment", d->arch.comment) ||
            !(s = cJSON_AddObjectToObject(o, "search")) ||
            !cJSON_AddStringToObject(s, "strategy", d->strategy) ||
            !cJSON_AddStringToObject(s, "objective", d->objective) ||
            !stats_json_add_u64(s, "seed", d->seed) || !stats_json_add_double(s, "time_limit_s", d->time_limit_s) ||
            !cJSON_AddBoolToObject(o, "interrupted", d->interrupted) ||
            !(lv = cJSON_AddArrayToObject(o, "step_energy_by_level")))
            return false;
        for (int i = 0; i <= c->nlevels; i++) {
            if (i < c->nlevels && !c->has_level[a][i])
                continue;
            cJSON *e = append_object(lv);
            if (!e || !cJSON_AddStringToObject(e, "level", i < c->nlevels ? c->level_name[i]
                                                                : d->compute_name) ||
                !cJSON_AddBoolToObject(e, "compute", i == c->nlevels) ||
                !stats_json_add_double(e, "energy_pj", c->level_pj[a][i]))
                return false;
        }
    }
    return archs != NULL;
}

static bool add_kernels(cJSON *root, const struct compare *c)
{
    cJSON *rows = cJSON_AddArrayToObject(root, "kernels");
    for (int i = 0; rows && i <= KERNEL_COUNT; i++) {
        int r = i < KERNEL_COUNT ? (int)render_step_order[i] : COMPARE_STEP;
        if (r != COMPARE_STEP && !c->present[r])
            continue;
        cJSON *o = append_object(rows), *archs;
        if (!o || !cJSON_AddStringToObject(o, "kernel", compare_row_name(r)) ||
            !(archs = cJSON_AddArrayToObject(o, "archs")))
            return false;
        for (int a = 0; a < c->narchs; a++) {
            cJSON *m = append_object(archs);
            if (!m || !add_metrics(m, c, a, &c->kernel[r][a], true))
                return false;
        }
    }
    return rows != NULL;
}

static bool add_winner(cJSON *o, const char *key, const struct compare *c, unsigned set)
{
    cJSON *list = cJSON_AddArrayToObject(o, key);
    for (int a = 0; list && a < c->narchs; a++) {
        cJSON *s;
        if ((set >> a & 1u) &&
            (!(s = cJSON_CreateString(c->label[a])) || !cJSON_AddItemToArray(list, s))) {
            cJSON_Delete(s);
            return false;
        }
    }
    return list != NULL;
}

static bool add_layers(cJSON *root, const struct compare *c)
{
    cJSON *rows = cJSON_AddArrayToObject(root, "layers");
    for (int l = 0; rows && l < c->nlayers; l++) {
        const struct compare_layer *ly = &c->layers[l];
        cJSON *o = append_object(rows), *archs, *w;
        if (!o || !cJSON_AddStringToObject(o, "name", ly->name) ||
            !(archs = cJSON_AddArrayToObject(o, "archs")))
            return false;
        for (int a = 0; a < c->narchs; a++) {
            cJSON *m = append_object(archs);
            if (!m || !add_metrics(m, c, a, &ly->arch[a], false))
                return false;
        }
        if (!(w = cJSON_AddObjectToObject(o, "winner")) ||
            !add_winner(w, "energy", c, ly->win_energy) ||
            !add_winner(w, "cycles", c, ly->win_cycles) ||
            !add_winner(w, "edp", c, ly->win_edp))
            return false;
    }
    return rows != NULL;
}

char *compare_print(const struct compare *c, const char *version, const char *command,
                    struct err *err)
{
    const struct report_doc *d = c->doc[0];
    cJSON *root = cJSON_CreateObject(), *w;
    char *text = NULL;
    if (root && stats_json_add_u64(root, "schema", 1) && cJSON_AddStringToObject(root, "tool", "trainmap") &&
        stats_json_add_string_or_null(root, "version", version) &&
        stats_json_add_string_or_null(root, "command", command) &&
        (w = cJSON_AddObjectToObject(root, "workload")) &&
        stats_json_add_string_or_null(w, "name", d->workload.name) &&
        cJSON_AddStringToObject(w, "sha256", d->workload.sha256) && add_archs(root, c) &&
        add_kernels(root, c) && add_layers(root, c))
        text = cJSON_Print(root);
    cJSON_Delete(root);
    size_t n = text ? strlen(text) : 0;
    char *out = text ? realloc(text, n + 2) : NULL;
    if (!out) {
        free(text);
        err_set(err, ERR_NOMEM, "compare: out of memory");
        return NULL;
    }
    out[n] = '\n';
    out[n + 1] = '\0';
    return out;
}
