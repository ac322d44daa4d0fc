/*
 * report_json: the report tree of a map run, with exactly printed numbers;
 * see report_json.h for its shape and stats_json.h for why every number
 * is a raw item.
 */
#include "report_json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/ckd.h"
#include "../mapper/mapping_io.h"
#include "stats_json.h"

#define NUM_MAX 48

/* Totals are listed in execution order. */
static const enum kernel total_order[] = {
    KERNEL_FWD, KERNEL_IM2COL, KERNEL_BWD_DATA, KERNEL_COL2IM,
    KERNEL_BWD_WEIGHT, KERNEL_UPDATE,
};

int report_init(struct report *r, int nlayers, struct err *err)
{
    memset(r, 0, sizeof *r);
    if (nlayers <= 0)
        return 0;
    r->layers = calloc((size_t)nlayers, sizeof *r->layers);
    if (!r->layers)
        return err_set(err, ERR_NOMEM, "report: out of memory for %d layers", nlayers);
    r->nlayers = nlayers;
    return 0;
}

void report_release(struct report *r)
{
    free(r->layers);
    r->layers = NULL;
    r->nlayers = 0;
}

/* An entry that enters the totals. */
static bool counted(const struct report_kernel *k)
{
    return k->searched && k->result.found;
}

static int add_to(struct report_sum *sum, const struct model_stats *s, const char *what,
                  struct err *err)
{
    if (ckd_add_u64(&sum->cycles, sum->cycles, s->cycles))
        return err_set(err, ERR_TOO_LARGE, "report totals: cycles of %s too large "
                       "(over 2^64)", what);
    if (ckd_add_u64(&sum->macs, sum->macs, s->macs))
        return err_set(err, ERR_TOO_LARGE, "report totals: MACs of %s too large "
                       "(over 2^64)", what);
    sum->energy_pj += s->energy_pj;
    return 0;
}

int report_totals(const struct report *r, struct report_totals *out, struct err *err)
{
    memset(out, 0, sizeof *out);
    for (int l = 0; l < r->nlayers; l++) {
        const struct report_layer *ly = &r->layers[l];
        for (int i = 0; i < ly->nkernels && i < KERNEL_COUNT; i++) {
            const struct report_kernel *k = &ly->kernel[i];
            enum kernel kn = k->problem.kernel;
            if ((unsigned)kn >= KERNEL_COUNT)
                return err_set(err, ERR_USAGE, "report: layer '%s': kernel %d out of range",
                               ly->name, (int)kn);
            out->present[kn] = true;
            if (!counted(k)) {
                out->incomplete = true;
                continue;
            }
            int rc = add_to(&out->kernel[kn], &k->result.stats, kernel_name(kn), err);
            if (rc < 0 || (rc = add_to(&out->step, &k->result.stats, "the step", err)) < 0)
                return rc;
            out->counted++;
        }
    }
    return 0;
}

/* ---- builders: each returns false when out of memory ------------------ */

/* Adds item under key, or deletes it; false when item is NULL or on
 * failure. */
static bool attach(cJSON *obj, const char *key, cJSON *item)
{
    if (item && cJSON_AddItemToObject(obj, key, item))
        return true;
    cJSON_Delete(item);
    return false;
}

/* {path, [name,] sha256[, comment]}: constraints files have no name; the
 * arch's comment says where its energy table comes from. */
static bool add_input(cJSON *inputs, const char *key, const struct report_input *in,
                      bool with_name, bool with_comment)
{
    cJSON *o = cJSON_AddObjectToObject(inputs, key);
    return o && stats_json_add_string_or_null(o, "path", in->path) &&
           (!with_name || stats_json_add_string_or_null(o, "name", in->name)) &&
           cJSON_AddStringToObject(o, "sha256", in->sha256) &&
           (!with_comment || stats_json_add_string_or_null(o, "comment", in->comment));
}

static bool add_head(cJSON *root, const struct report *r)
{
    cJSON *inputs, *search;
    return stats_json_add_u64(root, "schema", REPORT_SCHEMA) &&
           cJSON_AddStringToObject(root, "tool", "trainmap") &&
           stats_json_add_string_or_null(root, "version", r->version) &&
           stats_json_add_string_or_null(root, "command", r->command) &&
           (inputs = cJSON_AddObjectToObject(root, "inputs")) &&
           add_input(inputs, "arch", &r->arch_input, true, true) &&
           add_input(inputs, "workload", &r->workload_input, true, false) &&
           (!r->has_constraints ||
            add_input(inputs, "constraints", &r->constraints_input, false, false)) &&
           (search = cJSON_AddObjectToObject(root, "search")) &&
           stats_json_add_string_or_null(search, "strategy", r->strategy) &&
           stats_json_add_string_or_null(search, "objective", r->objective) &&
           stats_json_add_u64(search, "threads", r->threads > 0 ? (uint64_t)r->threads : 0) &&
           stats_json_add_u64(search, "seed", r->seed) &&
           stats_json_add_double(search, "time_limit_s", r->time_limit_s);
}

static bool add_bounds(cJSON *entry, const struct model_stats *s)
{
    cJSON *b = cJSON_AddObjectToObject(entry, "bounds");
    double eb = s->bounds.energy_pj, cb = s->bounds.cycles;
    return b && stats_json_add_double(b, "energy_pj", eb) && stats_json_add_double(b, "cycles", cb) &&
           stats_json_add_double(b, "energy_ratio", eb > 0 ? s->energy_pj / eb : NAN) &&
           stats_json_add_double(b, "cycles_ratio", cb > 0 ? (double)s->cycles / cb : NAN);
}

/* The mapping of k, named after k's own layer (a reused result carries the
 * layer it was searched for). */
static cJSON *entry_mapping(const struct report *r, const struct report_kernel *k)
{
    struct mapping m = k->result.best;
    snprintf(m.layer, sizeof m.layer, "%s", k->problem.layer);
    m.kernel = k->problem.kernel;
    return mapping_to_json(&m, r->arch, &k->problem);
}

static bool add_entry(cJSON *kernels, const struct report *r, const struct report_kernel *k)
{
    const struct search_result *res = &k->result;
    cJSON *e = cJSON_CreateObject();
    if (!e || !cJSON_AddItemToArray(kernels, e)) {
        cJSON_Delete(e);
        return false;
    }
    if (!cJSON_AddStringToObject(e, "kernel", kernel_name(k->problem.kernel)))
        return false;
    if (!k->searched)
        return cJSON_AddNullToObject(e, "mapping") && cJSON_AddNullToObject(e, "stats") &&
               cJSON_AddNullToObject(e, "bounds") && cJSON_AddFalseToObject(e, "searched") &&
               cJSON_AddStringToObject(e, "error", "not searched: the run was interrupted");
    if (k->same_as >= 0 && k->same_as < r->nlayers &&
        !cJSON_AddStringToObject(e, "same_as", r->layers[k->same_as].name))
        return false;
    if (res->found) {
        if (!k->problem.is_stream && !attach(e, "mapping", entry_mapping(r, k)))
            return false;
        if (!attach(e, "stats", stats_json_build(r->arch, &k->problem, &res->stats)) ||
            !add_bounds(e, &res->stats))
            return false;
    } else if (!cJSON_AddNullToObject(e, "mapping") || !cJSON_AddNullToObject(e, "stats") ||
               !cJSON_AddNullToObject(e, "bounds") ||
               !cJSON_AddStringToObject(e, "error", k->error[0] ? k->error
                                                    : "no valid mapping found")) {
        return false;
    }
    return cJSON_AddBoolToObject(e, "optimal", res->optimal) &&
           cJSON_AddBoolToObject(e, "timed_out", res->timed_out) &&
           cJSON_AddBoolToObject(e, "interrupted", res->interrupted) &&
           stats_json_add_u64(e, "evaluated", res->evaluated) && stats_json_add_double(e, "search_s", res->search_s);
}

static bool add_layers(cJSON *root, const struct report *r)
{
    cJSON *layers = cJSON_AddArrayToObject(root, "layers");
    if (!layers)
        return false;
    for (int l = 0; l < r->nlayers; l++) {
        const struct report_layer *ly = &r->layers[l];
        cJSON *o = cJSON_CreateObject(), *kernels;
        if (!o || !cJSON_AddItemToArray(layers, o)) {
            cJSON_Delete(o);
            return false;
        }
        if (!cJSON_AddStringToObject(o, "name", ly->name) ||
            !(kernels = cJSON_AddArrayToObject(o, "kernels")))
            return false;
        for (int i = 0; i < ly->nkernels && i < KERNEL_COUNT; i++)
            if (!add_entry(kernels, r, &ly->kernel[i]))
                return false;
    }
    return true;
}

static bool add_sum(cJSON *totals, const char *key, const struct report_sum *s)
{
    cJSON *o = cJSON_AddObjectToObject(totals, key);
    return o && stats_json_add_double(o, "energy_pj", s->energy_pj) && stats_json_add_u64(o, "cycles", s->cycles) &&
           stats_json_add_u64(o, "macs", s->macs);
}

static bool add_totals(cJSON *root, const struct report_totals *t)
{
    cJSON *totals = cJSON_AddObjectToObject(root, "totals");
    if (!totals)
        return false;
    for (size_t i = 0; i < sizeof total_order / sizeof total_order[0]; i++) {
        enum kernel k = total_order[i];
        if (t->present[k] && !add_sum(totals, kernel_name(k), &t->kernel[k]))
            return false;
    }
    return add_sum(totals, "step", &t->step) &&
           cJSON_AddBoolToObject(totals, "incomplete", t->incomplete);
}

cJSON *report_build(const struct report *r, struct err *err)
{
    struct report_totals t;
    if (report_totals(r, &t, err) < 0)
        return NULL;
    cJSON *root = cJSON_CreateObject();
    if (!root || !add_head(root, r) || !add_layers(root, r) || !add_totals(root, &t) ||
        !cJSON_AddBoolToObject(root, "interrupted", r->interrupted)) {
        cJSON_Delete(root);
        err_set(err, ERR_NOMEM, "report: out of memory");
        return NULL;
    }
    return root;
}

char *report_print(const struct report *r, struct err *err)
{
    cJSON *root = report_build(r, err);
    if (!root)
        return NULL;
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    size_t n = text ? strlen(text) : 0;
    char *out = text ? realloc(text, n + 2) : NULL;
    if (!out) {
        free(text);
        err_set(err, ERR_NOMEM, "report: out of memory");
        return NULL;
    }
    out[n] = '\n';
    out[n + 1] = '\0';
    return out;
}
