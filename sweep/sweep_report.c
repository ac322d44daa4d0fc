/*
 * sweep_report: the cells' map reports, the variants' arch files and the
 * sweep report JSON; see sweep_report.h.  Runs once per sweep, after the
 * searches, on the main thread; one cell's struct report is alive at a
 * time, so a sweep of thousands of cells needs the memory of one.
 */
#include "sweep_report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "../common/outfile.h"
#include "../reports/stats_json.h"

/* Execution order of the kernel totals, as in map reports. */
static const enum kernel total_order[] = {
    KERNEL_FWD, KERNEL_IM2COL, KERNEL_BWD_DATA, KERNEL_COL2IM,
    KERNEL_BWD_WEIGHT, KERNEL_UPDATE,
};

static const char *const goal_key[SWEEP_GOAL_COUNT] = { "energy", "latency", "edp" };
static const char *const status_name[] = { "ok", "no_mapping", "invalid", "not_searched" };

char *sweep_cells_dir(const char *out)
{
    size_t n = strlen(out);
    if (n > 5 && strcmp(out + n - 5, ".json") == 0)
        n -= 5;
    char *d = malloc(n + sizeof ".cells");
    if (d) {
        memcpy(d, out, n);
        memcpy(d + n, ".cells", sizeof ".cells");
    }
    return d;
}

double sweep_sum_edp(const struct report_sum *s)
{
    return s->energy_pj * (double)s->cycles;
}

double sweep_sum_utilization(const struct report_sum *s, uint64_t mac_count)
{
    return s->cycles ? (double)s->macs / ((double)mac_count * (double)s->cycles) : 0.0;
}

void sweep_params_text(const struct sweep_plan *plan, int v, char *out, size_t cap)
{
    const struct sweep_spec *spec = plan->spec;
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < spec->nvary && n < cap; i++) {
        const struct sweep_vary *vr = &spec->vary[i];
        int k = snprintf(out + n, cap - n, "%s%s.%s=%s", i ? " " : "", vr->level, vr->field,
                         vr->value[plan->variant[v].choice[i]]);
        n += k > 0 ? (size_t)k : 0;
    }
}

/* s quoted for a POSIX shell when it holds anything but plain characters,
 * appended to b. */
static void put_word(struct textbuf *b, const char *s)
{
    bool plain = s[0] != '\0';
    for (const char *p = s; *p; p++)
        plain = plain && (strchr("+-./_:=,@%", *p) || (*p >= '0' && *p <= '9') ||
                          (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'));
    textbuf_append(b, " ", 1);
    if (plain) {
        textbuf_append(b, s, strlen(s));
        return;
    }
    textbuf_append(b, "'", 1);
    for (const char *p = s; *p; p++)
        if (*p == '\'')
            textbuf_append(b, "'\\''", 4);
        else
            textbuf_append(b, p, 1);
    textbuf_append(b, "'", 1);
}

/* The `trainmap map` command that reproduces one cell on its own. */
static void cell_command(const struct sweep_spec *spec, const char *arch_path,
                         const char *workload_path, struct textbuf *b)
{
    char num[64];
    textbuf_printf(b, "trainmap map");
    put_word(b, "-a");
    put_word(b, arch_path);
    put_word(b, "-w");
    put_word(b, workload_path);
    bool all = true;
    for (int k = 0; k < KERNEL_COUNT; k++)
        all = all && spec->kernel[k];
    if (!all) {
        struct textbuf ks;
        textbuf_init(&ks);
        for (int k = 0; k < KERNEL_COUNT; k++)
            if (spec->kernel[k])
                textbuf_printf(&ks, "%s%s", ks.len ? "," : "", kernel_name((enum kernel)k));
        put_word(b, "-k");
        put_word(b, ks.data ? ks.data : "");
        textbuf_release(&ks);
    }
    textbuf_printf(b, " -O %s -s %s -j 1 --seed %llu --time-limit %s",
                   objective_name(spec->objective), strategy_name(spec->strategy),
                   (unsigned long long)spec->seed,
                   stats_json_format_double(spec->time_limit_s, num));
    if (spec->layers) {
        put_word(b, "--layers");
        put_word(b, spec->layers);
    }
    if (spec->constraints_path) {
        put_word(b, "--constraints");
        put_word(b, spec->constraints_path);
    }
    if (spec->lowering == LOWER_IM2COL)
        textbuf_printf(b, " --lowering im2col");
}

/* Fills r (report_init'ed with the cell's layers) with the cell's entries
 * and their results; sets cs's status and error. */
static int fill_cell(const struct sweep_plan *plan, const struct sweep_results *res,
                     uint32_t c, struct report *r, struct sweep_cell_summary *cs,
                     struct err *err)
{
    const struct sweep_spec *spec = plan->spec;
    const struct sweep_cell *cell = &plan->cell[c];
    const struct workload *w = spec->workload[cell->workload];
    int *lmap = calloc((size_t)w->nlayers + 1, sizeof *lmap);
    char why[ERR_MSG_MAX + 2 * PROBLEM_NAME_MAX];
    if (!lmap)
        return err_set(err, ERR_NOMEM, "out of memory");
    for (int i = 0, j = 0; i < w->nlayers; i++)
        if (spec->matched[cell->workload][i]) {
            lmap[i] = j;
            snprintf(r->layers[j++].name, sizeof r->layers[0].name, "%s", w->layers[i].name);
        }
    int rc = 0;
    cs->status = SWEEP_OK;
    for (int n = 0; n < cell->nentries && rc == 0; n++) {
        const struct sweep_entry *e = &cell->entry[n];
        struct report_layer *ly = &r->layers[lmap[e->layer]];
        struct report_kernel *k = &ly->kernel[ly->nkernels++];
        if ((rc = workload_derive(w, e->layer, e->kernel, spec->lowering, &k->problem, err)) < 0)
            break;
        k->same_as = -1;
        for (int m = 0; m < n; m++)
            if (cell->entry[m].job == e->job) {
                k->same_as = lmap[cell->entry[m].layer];
                break;
            }
        if (!res->have[e->job]) {
            cs->status = SWEEP_UNFINISHED;
            r->interrupted = true;
            continue;
        }
        k->searched = true;
        k->result = res->result[e->job];
        memcpy(k->error, res->error[e->job], sizeof k->error);
        if (!k->result.found && cs->status == SWEEP_OK) {
            /* The search names the problem by the layer it was searched
             * for, which may be another cell's: name this cell's. */
            const struct problem *jp = &plan->job[e->job].problem;
            char named[2 * PROBLEM_NAME_MAX];
            const char *msg = k->error;
            int len = snprintf(named, sizeof named, "%s %s: ", jp->layer, kernel_name(jp->kernel));
            if (len > 0 && strncmp(msg, named, (size_t)len) == 0)
                msg += len;
            cs->status = SWEEP_NO_MAPPING;
            snprintf(why, sizeof why, "layer '%s' %s: %s", ly->name, kernel_name(e->kernel), msg);
            if (!(cs->error = strdup(why)))
                rc = err_set(err, ERR_NOMEM, "out of memory");
        }
    }
    if (rc == 0 && cs->status == SWEEP_UNFINISHED) {
        free(cs->error);
        cs->error = strdup("not searched: the sweep was interrupted");
    }
    /* Nothing to map (the kernels of -k do not occur in the layers of
     * --layers): not a result to compare with the others. */
    if (rc == 0 && cell->nentries == 0) {
        cs->status = SWEEP_NO_MAPPING;
        cs->error = strdup("no kernel to map: the kernels given with -k do not occur in the "
                           "selected layers");
    }
    free(lmap);
    return rc;
}

/* Writes cell c's map report to path and sums it into cs. */
static int cell_report(const struct sweep_plan *plan, const struct sweep_results *res,
                       uint32_t c, const char *variant_path, const char *version,
                       const char *path, struct sweep_cell_summary *cs, struct err *err)
{
    const struct sweep_spec *spec = plan->spec;
    const struct sweep_cell *cell = &plan->cell[c];
    const struct sweep_variant *v = &plan->variant[cell->variant];
    const struct workload *w = spec->workload[cell->workload];
    struct report r;
    struct textbuf cmd;
    textbuf_init(&cmd);
    int rc = report_init(&r, cell->nlayers, err);
    if (rc < 0)
        goto out_free;
    cell_command(spec, variant_path, spec->workload_path[cell->workload], &cmd);
    r.version = version;
    r.command = cmd.data;
    r.arch = v->a;
    r.arch_input = (struct report_input){ .path = variant_path, .name = v->a->name,
                                          .comment = v->a->comment };
    memcpy(r.arch_input.sha256, v->sha256, sizeof v->sha256);
    r.workload_input = (struct report_input){ .path = spec->workload_path[cell->workload],
                                              .name = w->name };
    r.has_constraints = spec->constraints_path != NULL;
    r.constraints_input.path = spec->constraints_path;
    r.strategy = strategy_name(spec->strategy);
    r.objective = objective_name(spec->objective);
    r.threads = 1;
    r.seed = spec->seed;
    r.time_limit_s = spec->time_limit_s;
    if (cmd.failed) {
        rc = err_set(err, ERR_NOMEM, "out of memory");
        goto out_free;
    }
    if ((rc = sha256_file(r.workload_input.path, r.workload_input.sha256, err)) < 0 ||
        (r.has_constraints &&
         (rc = sha256_file(spec->constraints_path, r.constraints_input.sha256, err)) < 0) ||
        (rc = fill_cell(plan, res, c, &r, cs, err)) < 0 ||
        (rc = report_totals(&r, &cs->totals, err)) < 0)
        goto out_free;
    char *text = report_print(&r, err);
    if (!text) {
        rc = err->code < 0 ? err->code : ERR_NOMEM;
        goto out_free;
    }
    rc = outfile_write(path, text, strlen(text), err);
    free(text);
out_free:
    report_release(&r);
    textbuf_release(&cmd);
    return rc;
}

/* The best cell of workload wl per goal, among complete cells.  A tie on
 * the goal goes to the cell that is better on the other of energy and
 * cycles (EDP: on energy), then to the first cell. */
static void find_best(const struct sweep_plan *plan, const struct sweep_summary *sum, int wl,
                      int best[SWEEP_GOAL_COUNT])
{
    double value[SWEEP_GOAL_COUNT][2] = { { 0 } };
    for (int g = 0; g < SWEEP_GOAL_COUNT; g++)
        best[g] = -1;
    for (uint32_t c = 0; c < plan->ncells; c++) {
        const struct sweep_cell_summary *cs = &sum->cell[c];
        if (plan->cell[c].workload != wl || cs->status != SWEEP_OK)
            continue;
        const struct report_sum *s = &cs->totals.step;
        double e = s->energy_pj, t = (double)s->cycles;
        double v[SWEEP_GOAL_COUNT][2] = { { e, t }, { t, e }, { sweep_sum_edp(s), e } };
        for (int g = 0; g < SWEEP_GOAL_COUNT; g++)
            if (best[g] < 0 || v[g][0] < value[g][0] ||
                (v[g][0] == value[g][0] && v[g][1] < value[g][1])) {
                best[g] = (int)c;
                value[g][0] = v[g][0];
                value[g][1] = v[g][1];
            }
    }
}

int sweep_summarize(const struct sweep_plan *plan, const struct sweep_results *res,
                    const char *dir, const char *version, struct sweep_summary *sum,
                    struct err *err)
{
    const struct sweep_spec *spec = plan->spec;
    size_t cap = strlen(dir) + 32;
    char *vpath = malloc(cap), *cpath = malloc(cap);
    int rc = 0;
    memset(sum, 0, sizeof *sum);
    sum->ncells = plan->ncells;
    sum->nworkloads = spec->nworkloads;
    sum->cell = calloc((size_t)plan->ncells + 1, sizeof *sum->cell);
    sum->best = calloc((size_t)spec->nworkloads + 1, sizeof *sum->best);
    if (!vpath || !cpath || !sum->cell || !sum->best) {
        rc = err_set(err, ERR_NOMEM, "out of memory");
        goto out_free;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        rc = err_set(err, ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
        goto out_free;
    }
    for (int v = 0; v < plan->nvariants && rc == 0; v++) {
        snprintf(vpath, cap, "%s/variant-%03d.json", dir, v);
        rc = outfile_write(vpath, plan->variant[v].json, strlen(plan->variant[v].json), err);
    }
    for (uint32_t c = 0; c < plan->ncells && rc == 0; c++) {
        const struct sweep_variant *v = &plan->variant[plan->cell[c].variant];
        struct sweep_cell_summary *cs = &sum->cell[c];
        if (!v->a) {
            cs->status = SWEEP_INVALID;
            if (!(cs->error = strdup(v->error)))
                rc = err_set(err, ERR_NOMEM, "out of memory");
            continue;
        }
        cs->mac_count = arch_mac_count(v->a);
        snprintf(vpath, cap, "%s/variant-%03d.json", dir, plan->cell[c].variant);
        snprintf(cpath, cap, "%s/cell-%04u.json", dir, c);
        if (!(cs->report = strdup(cpath)))
            rc = err_set(err, ERR_NOMEM, "out of memory");
        else
            rc = cell_report(plan, res, c, vpath, version, cpath, cs, err);
    }
    for (int wl = 0; wl < spec->nworkloads && rc == 0; wl++)
        find_best(plan, sum, wl, sum->best[wl]);
out_free:
    free(vpath);
    free(cpath);
    return rc;
}

void sweep_summary_release(struct sweep_summary *sum)
{
    for (uint32_t c = 0; sum->cell && c < sum->ncells; c++) {
        free(sum->cell[c].error);
        free(sum->cell[c].report);
    }
    free(sum->cell);
    free(sum->best);
    memset(sum, 0, sizeof *sum);
}

/* ---- the sweep report ---- */

static bool add_params(cJSON *o, const struct sweep_plan *plan, int v)
{
    char key[ARCH_NAME_MAX + SWEEP_FIELD_MAX + 2];
    cJSON *p = cJSON_AddObjectToObject(o, "params");
    bool ok = p != NULL;
    for (int i = 0; ok && i < plan->spec->nvary; i++) {
        const struct sweep_vary *vr = &plan->spec->vary[i];
        snprintf(key, sizeof key, "%s.%s", vr->level, vr->field);
        ok = cJSON_AddRawToObject(p, key, vr->value[plan->variant[v].choice[i]]) != NULL;
    }
    return ok;
}

/* The "name" of arch file f (--vary never changes it); NULL when the file
 * has none. */
static const char *arch_name(const struct sweep_plan *plan, int f)
{
    const char *name = plan->variant[(uint32_t)f * plan->ncombos].name;
    return name[0] ? name : NULL;
}

/* {path, [name,] sha256} into array arr, or under key in object arr;
 * constraints files (key given) have no name. */
static bool add_file(cJSON *arr, const char *key, const char *path, const char *name)
{
    char sha[SHA256_HEX_SIZE];
    struct err e;
    cJSON *o = cJSON_CreateObject();
    if (!o || !(key ? cJSON_AddItemToObject(arr, key, o) : cJSON_AddItemToArray(arr, o)))
        return cJSON_Delete(o), false;
    return stats_json_add_string_or_null(o, "path", path) && (key || stats_json_add_string_or_null(o, "name", name)) &&
           stats_json_add_string_or_null(o, "sha256", sha256_file(path, sha, &e) == 0 ? sha : NULL);
}

static bool add_inputs(cJSON *root, const struct sweep_plan *plan, const char *sha)
{
    const struct sweep_spec *spec = plan->spec;
    cJSON *in = cJSON_AddObjectToObject(root, "inputs"), *a, *w, *vary;
    bool ok = in && stats_json_add_string_or_null(in, "sha256", sha) && (a = cJSON_AddArrayToObject(in, "archs")) &&
              (w = cJSON_AddArrayToObject(in, "workloads")) &&
              (vary = cJSON_AddArrayToObject(in, "vary"));
    for (int i = 0; ok && i < spec->narchs; i++)
        ok = add_file(a, NULL, spec->arch_path[i], arch_name(plan, i));
    for (int i = 0; ok && i < spec->nworkloads; i++)
        ok = add_file(w, NULL, spec->workload_path[i], spec->workload[i]->name);
    if (ok && spec->constraints_path)
        ok = add_file(in, "constraints", spec->constraints_path, NULL);
    for (int i = 0; ok && i < spec->nvary; i++) {
        const struct sweep_vary *vr = &spec->vary[i];
        cJSON *o = cJSON_CreateObject(), *vals;
        ok = o && cJSON_AddItemToArray(vary, o) && stats_json_add_string_or_null(o, "level", vr->level) &&
             stats_json_add_string_or_null(o, "field", vr->field) && (vals = cJSON_AddArrayToObject(o, "values"));
        for (int k = 0; ok && k < vr->nvalues; k++) {
            cJSON *r = cJSON_CreateRaw(vr->value[k]);
            ok = r && cJSON_AddItemToArray(vals, r);
        }
    }
    return ok;
}

static bool add_search(cJSON *root, const struct sweep_spec *spec)
{
    cJSON *s = cJSON_AddObjectToObject(root, "search"), *ks;
    bool ok = s && stats_json_add_string_or_null(s, "strategy", strategy_name(spec->strategy)) &&
              stats_json_add_string_or_null(s, "objective", objective_name(spec->objective)) &&
              stats_json_add_u64(s, "seed", spec->seed) && stats_json_add_double(s, "time_limit_s", spec->time_limit_s) &&
              (ks = cJSON_AddArrayToObject(s, "kernels"));
    for (int k = 0; ok && k < KERNEL_COUNT; k++)
        if (spec->kernel[k]) {
            cJSON *n = cJSON_CreateString(kernel_name((enum kernel)k));
            ok = n && cJSON_AddItemToArray(ks, n);
        }
    return ok && stats_json_add_string_or_null(s, "layers", spec->layers) &&
           stats_json_add_string_or_null(s, "lowering", spec->lowering == LOWER_IM2COL ? "im2col" : "none");
}

static bool add_variants(cJSON *root, const struct sweep_plan *plan, const char *dir)
{
    cJSON *arr = cJSON_AddArrayToObject(root, "variants");
    char path[4096];
    bool ok = arr != NULL;
    for (int v = 0; ok && v < plan->nvariants; v++) {
        const struct sweep_variant *x = &plan->variant[v];
        cJSON *o = cJSON_CreateObject();
        snprintf(path, sizeof path, "%s/variant-%03d.json", dir, v);
        ok = o && cJSON_AddItemToArray(arr, o) && stats_json_add_u64(o, "variant", (uint64_t)v) &&
             stats_json_add_u64(o, "arch", (uint64_t)x->arch) && add_params(o, plan, v) &&
             stats_json_add_string_or_null(o, "path", path) && stats_json_add_string_or_null(o, "sha256", x->sha256) &&
             cJSON_AddBoolToObject(o, "valid", x->a != NULL) &&
             stats_json_add_string_or_null(o, "error", x->a ? NULL : x->error) &&
             (x->same_as < 0 ? cJSON_AddNullToObject(o, "same_as") != NULL
                             : stats_json_add_u64(o, "same_as", (uint64_t)x->same_as));
    }
    return ok;
}

static bool add_sum(cJSON *totals, const char *key, const struct report_sum *s, uint64_t macs)
{
    cJSON *o = cJSON_AddObjectToObject(totals, key);
    return o && stats_json_add_double(o, "energy_pj", s->energy_pj) && stats_json_add_u64(o, "cycles", s->cycles) &&
           stats_json_add_u64(o, "macs", s->macs) && stats_json_add_double(o, "edp", sweep_sum_edp(s)) &&
           stats_json_add_double(o, "utilization", sweep_sum_utilization(s, macs));
}

static bool add_cells(cJSON *root, const struct sweep_plan *plan,
                      const struct sweep_summary *sum)
{
    cJSON *arr = cJSON_AddArrayToObject(root, "cells");
    bool ok = arr != NULL;
    for (uint32_t c = 0; ok && c < plan->ncells; c++) {
        const struct sweep_cell *cell = &plan->cell[c];
        const struct sweep_cell_summary *cs = &sum->cell[c];
        const struct sweep_variant *v = &plan->variant[cell->variant];
        cJSON *o = cJSON_CreateObject(), *t;
        ok = o && cJSON_AddItemToArray(arr, o) && stats_json_add_u64(o, "cell", c) &&
             stats_json_add_u64(o, "variant", (uint64_t)cell->variant) &&
             stats_json_add_u64(o, "arch", (uint64_t)v->arch) &&
             stats_json_add_u64(o, "workload", (uint64_t)cell->workload) &&
             stats_json_add_string_or_null(o, "arch_name", arch_name(plan, v->arch)) &&
             stats_json_add_string_or_null(o, "workload_name", plan->spec->workload[cell->workload]->name) &&
             add_params(o, plan, cell->variant) && stats_json_add_string_or_null(o, "status", status_name[cs->status]) &&
             stats_json_add_string_or_null(o, "error", cs->error) && stats_json_add_string_or_null(o, "report", cs->report);
        if (!ok || cs->status == SWEEP_INVALID) {
            ok = ok && cJSON_AddNullToObject(o, "totals");
            continue;
        }
        ok = (t = cJSON_AddObjectToObject(o, "totals")) != NULL;
        for (size_t i = 0; ok && i < sizeof total_order / sizeof total_order[0]; i++) {
            enum kernel k = total_order[i];
            if (cs->totals.present[k])
                ok = add_sum(t, kernel_name(k), &cs->totals.kernel[k], cs->mac_count);
        }
        ok = ok && add_sum(t, "step", &cs->totals.step, cs->mac_count) &&
             cJSON_AddBoolToObject(t, "incomplete", cs->totals.incomplete);
    }
    return ok;
}

static bool add_best(cJSON *root, const struct sweep_plan *plan,
                     const struct sweep_summary *sum)
{
    cJSON *arr = cJSON_AddArrayToObject(root, "best");
    bool ok = arr != NULL;
    for (int wl = 0; ok && wl < sum->nworkloads; wl++) {
        cJSON *o = cJSON_CreateObject();
        ok = o && cJSON_AddItemToArray(arr, o) && stats_json_add_u64(o, "workload", (uint64_t)wl) &&
             stats_json_add_string_or_null(o, "workload_name", plan->spec->workload[wl]->name);
        for (int g = 0; ok && g < SWEEP_GOAL_COUNT; g++) {
            int c = sum->best[wl][g];
            if (c < 0) {
                ok = cJSON_AddNullToObject(o, goal_key[g]) != NULL;
                continue;
            }
            const struct report_sum *s = &sum->cell[c].totals.step;
            cJSON *b = cJSON_AddObjectToObject(o, goal_key[g]);
            ok = b && stats_json_add_u64(b, "cell", (uint64_t)c) &&
                 stats_json_add_u64(b, "variant", (uint64_t)plan->cell[c].variant) &&
                 add_params(b, plan, plan->cell[c].variant) &&
                 (g == SWEEP_BY_LATENCY ? stats_json_add_u64(b, "cycles", s->cycles)
                  : g == SWEEP_BY_ENERGY ? stats_json_add_double(b, "energy_pj", s->energy_pj)
                                         : stats_json_add_double(b, "edp", sweep_sum_edp(s)));
        }
    }
    return ok;
}

char *sweep_report_print(const struct sweep_plan *plan, const struct sweep_summary *sum,
                         const struct sweep_results *res, const struct sweep_run_info *run,
                         const char *dir, struct err *err)
{
    uint32_t finished = 0, entries = 0;
    for (uint32_t j = 0; j < plan->njobs; j++)
        finished += res->have[j];
    for (uint32_t c = 0; c < plan->ncells; c++)
        entries += (uint32_t)plan->cell[c].nentries;
    cJSON *root = cJSON_CreateObject(), *p, *r;
    bool ok = root && stats_json_add_u64(root, "schema", 1) && stats_json_add_string_or_null(root, "tool", "trainmap") &&
              stats_json_add_string_or_null(root, "kind", "sweep") && stats_json_add_string_or_null(root, "version", run->version) &&
              add_inputs(root, plan, run->inputs_sha256) && add_search(root, plan->spec) &&
              add_variants(root, plan, dir) && add_cells(root, plan, sum) &&
              add_best(root, plan, sum) && (p = cJSON_AddObjectToObject(root, "problems")) &&
              stats_json_add_u64(p, "kernels", entries) && stats_json_add_u64(p, "distinct", plan->njobs) &&
              stats_json_add_u64(p, "searched", finished) &&
              cJSON_AddBoolToObject(root, "interrupted", res->interrupted) &&
              (r = cJSON_AddObjectToObject(root, "run")) && stats_json_add_string_or_null(r, "command", run->command) &&
              stats_json_add_u64(r, "threads", (uint64_t)(run->threads > 0 ? run->threads : 0)) &&
              cJSON_AddBoolToObject(r, "resumed", run->resumed) &&
              stats_json_add_double(r, "wall_s", run->wall_s);
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text) {
        err_set(err, ERR_NOMEM, "sweep report: out of memory");
        return NULL;
    }
    size_t n = strlen(text);
    char *out = realloc(text, n + 2);
    if (!out) {
        free(text);
        err_set(err, ERR_NOMEM, "sweep report: out of memory");
        return NULL;
    }
    memcpy(out + n, "\n", 2);
    return out;
}
