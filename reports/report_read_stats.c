/*
 * report_read_stats: the stats and bounds objects of a saved report's
 * entries (the stats format of `trainmap eval -o`), and the number readers
 * the report reader shares.  See report_read.h.
 */
#include "report_read.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const cJSON *field(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static int missing(const struct jdoc *d, const char *path, const char *what)
{
    return err_set(d->err, ERR_SCHEMA, "%s: %s: missing, expected %s", d->file, path, what);
}

int report_read_count(const struct jdoc *d, const cJSON *obj, const char *path,
                      const char *key, uint64_t *out)
{
    return json_get_u64(d, obj, path, key, true, 0, UINT64_MAX, out);
}

int report_read_number(const struct jdoc *d, const cJSON *obj, const char *path,
                       const char *key, double *out)
{
    char p[JSON_PATH_MAX];
    json_path_key(p, path, key);
    const cJSON *v = field(obj, key);
    if (!v)
        return missing(d, p, "a number");
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return json_schema_error(d, p, "a number", v);
    if (v->valuedouble < 0)
        return json_schema_error(d, p, "a non-negative number", v);
    *out = v->valuedouble;
    return 0;
}

int report_read_ratio(const struct jdoc *d, const cJSON *obj, const char *path,
                      const char *key, double *out)
{
    const cJSON *v = field(obj, key);
    if (cJSON_IsNull(v)) {
        *out = NAN;
        return 0;
    }
    char p[JSON_PATH_MAX];
    json_path_key(p, path, key);
    if (v && (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)))
        return json_schema_error(d, p, "a number or null", v);
    return report_read_number(d, obj, path, key, out);
}

/* A total count: an integer >= 0, possibly above 2^64 (per-instance
 * counts times instances). */
static int read_total(const struct jdoc *d, const cJSON *obj, const char *path,
                      const char *key, double *out)
{
    int rc = report_read_number(d, obj, path, key, out);
    if (rc == 0 && *out != floor(*out)) {
        char p[JSON_PATH_MAX];
        json_path_key(p, path, key);
        return json_schema_error(d, p, "a non-negative integer", field(obj, key));
    }
    return rc;
}

static int read_bool(const struct jdoc *d, const cJSON *obj, const char *path,
                     const char *key, bool *out)
{
    char p[JSON_PATH_MAX];
    json_path_key(p, path, key);
    const cJSON *v = field(obj, key);
    if (!v)
        return missing(d, p, "true or false");
    if (!cJSON_IsBool(v))
        return json_schema_error(d, p, "true or false", v);
    *out = cJSON_IsTrue(v);
    return 0;
}

/* A string field that must equal want ("the layer's name"). */
static int read_same_string(const struct jdoc *d, const cJSON *obj, const char *path,
                            const char *key, const char *want, const char *what)
{
    char p[JSON_PATH_MAX], expected[PROBLEM_NAME_MAX + 96];
    json_path_key(p, path, key);
    const cJSON *v = field(obj, key);
    snprintf(expected, sizeof expected, "\"%s\" (%s)", want, what);
    if (!v)
        return missing(d, p, expected);
    if (!cJSON_IsString(v) || strcmp(v->valuestring, want) != 0)
        return json_schema_error(d, p, expected, v);
    return 0;
}

/* A name shared by every mapped entry: the first one sets it (non-empty,
 * under cap bytes), later ones must repeat it. */
static int read_shared_name(const struct jdoc *d, const cJSON *obj, const char *path,
                            bool first, char *name, size_t cap, const char *what)
{
    if (first)
        return json_get_string(d, obj, path, "name", true, name, cap);
    return read_same_string(d, obj, path, "name", name, what);
}

static int read_tensor(const struct jdoc *d, const cJSON *t, const char *path,
                       struct report_doc_tensor *out)
{
    static const char *const keys[] = {
        "name", "slot", "kept", "tile_words", "reads_per_instance", "fills_per_instance",
        "updates_per_instance", "reads", "fills", "updates", "energy_pj", NULL,
    };
    char slot[16], p[JSON_PATH_MAX];
    int rc;
    if ((rc = json_check_object(d, t, path, "a tensor object", keys)) < 0 ||
        (rc = json_get_string(d, t, path, "name", true, out->name, sizeof out->name)) < 0 ||
        (rc = json_get_string(d, t, path, "slot", true, slot, sizeof slot)) < 0)
        return rc;
    int s = slot_from_name(slot);
    if (s < 0) {
        json_path_key(p, path, "slot");
        return json_schema_error(d, p, "weights, inputs or outputs", field(t, "slot"));
    }
    out->slot = (enum slot)s;
    if ((rc = read_bool(d, t, path, "kept", &out->kept)) < 0 ||
        (rc = report_read_count(d, t, path, "tile_words", &out->tile_words)) < 0 ||
        (rc = report_read_count(d, t, path, "reads_per_instance",
                                &out->reads_per_instance)) < 0 ||
        (rc = report_read_count(d, t, path, "fills_per_instance",
                                &out->fills_per_instance)) < 0 ||
        (rc = report_read_count(d, t, path, "updates_per_instance",
                                &out->updates_per_instance)) < 0 ||
        (rc = read_total(d, t, path, "reads", &out->reads)) < 0 ||
        (rc = read_total(d, t, path, "fills", &out->fills)) < 0 ||
        (rc = read_total(d, t, path, "updates", &out->updates)) < 0)
        return rc;
    return report_read_number(d, t, path, "energy_pj", &out->energy_pj);
}

static int read_level(const struct jdoc *d, const cJSON *l, const char *path, bool first,
                      char *name, struct report_doc_level *out)
{
    static const char *const keys[] = { "name", "instances_used", "cycles", "energy_pj",
                                        "tensors", NULL };
    int rc;
    if ((rc = json_check_object(d, l, path, "a level object", keys)) < 0 ||
        (rc = read_shared_name(d, l, path, first, name, ARCH_NAME_MAX,
                               "the same level as in the first mapped entry")) < 0 ||
        (rc = report_read_count(d, l, path, "instances_used", &out->instances_used)) < 0 ||
        (rc = report_read_count(d, l, path, "cycles", &out->cycles)) < 0 ||
        (rc = report_read_number(d, l, path, "energy_pj", &out->energy_pj)) < 0)
        return rc;
    char p[JSON_PATH_MAX];
    json_path_key(p, path, "tensors");
    const cJSON *ts = field(l, "tensors");
    if (!ts)
        return missing(d, p, "an array of tensors");
    if (!cJSON_IsArray(ts))
        return json_schema_error(d, p, "an array of tensors", ts);
    int n = cJSON_GetArraySize(ts);
    if (n > MODEL_MAX_TENSORS)
        return err_set(d->err, ERR_SCHEMA, "%s: %s: %d tensors, expected at most %d",
                       d->file, p, n, MODEL_MAX_TENSORS);
    out->ntensors = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, ts) {
        char tp[JSON_PATH_MAX];
        json_path_index(tp, p, out->ntensors);
        if ((rc = read_tensor(d, t, tp, &out->tensor[out->ntensors])) < 0)
            return rc;
        out->ntensors++;
    }
    return 0;
}

int report_read_bounds(const struct jdoc *d, const cJSON *b, const char *path,
                       struct report_doc_entry *e)
{
    static const char *const keys[] = { "energy_pj", "cycles", "energy_ratio",
                                        "cycles_ratio", NULL };
    int rc;
    if ((rc = json_check_object(d, b, path, "a bounds object", keys)) < 0 ||
        (rc = report_read_number(d, b, path, "energy_pj", &e->energy_bound_pj)) < 0 ||
        (rc = report_read_number(d, b, path, "cycles", &e->cycles_bound)) < 0 ||
        (rc = report_read_ratio(d, b, path, "energy_ratio", &e->energy_ratio)) < 0)
        return rc;
    return report_read_ratio(d, b, path, "cycles_ratio", &e->cycles_ratio);
}

static int read_compute(const struct jdoc *d, const cJSON *c, const char *path, bool first,
                        struct report_doc *doc, struct report_doc_entry *e)
{
    static const char *const keys[] = { "name", "instances_used", "energy_pj", NULL };
    int rc;
    if ((rc = json_check_object(d, c, path, "a compute object", keys)) < 0 ||
        (rc = read_shared_name(d, c, path, first, doc->compute_name,
                               sizeof doc->compute_name,
                               "the MAC array of the first mapped entry")) < 0 ||
        (rc = report_read_count(d, c, path, "instances_used", &e->mac_instances_used)) < 0)
        return rc;
    return report_read_number(d, c, path, "energy_pj", &e->mac_energy_pj);
}

static int read_levels(const struct jdoc *d, const cJSON *ls, const char *path, bool first,
                       struct report_doc *doc, struct report_doc_entry *e)
{
    if (!ls)
        return missing(d, path, "an array of levels");
    if (!cJSON_IsArray(ls))
        return json_schema_error(d, path, "an array of levels", ls);
    int n = cJSON_GetArraySize(ls);
    if (n < 1 || n > ARCH_MAX_LEVELS)
        return err_set(d->err, ERR_SCHEMA, "%s: %s: %d levels, expected 1 to %d", d->file,
                       path, n, ARCH_MAX_LEVELS);
    if (!first && n != doc->nlevels)
        return err_set(d->err, ERR_SCHEMA, "%s: %s: %d levels, expected %d as in the first "
                       "mapped entry", d->file, path, n, doc->nlevels);
    e->nlevels = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, ls) {
        char lp[JSON_PATH_MAX];
        int rc;
        json_path_index(lp, path, e->nlevels);
        if ((rc = read_level(d, l, lp, first, doc->level_name[e->nlevels],
                             &e->level[e->nlevels])) < 0)
            return rc;
        e->nlevels++;
    }
    if (first)
        doc->nlevels = n;
    return 0;
}

int report_read_stats(const struct jdoc *d, const cJSON *stats, const char *path,
                      const char *layer, struct report_doc *doc,
                      struct report_doc_entry *e)
{
    static const char *const keys[] = {
        "layer", "kernel", "macs", "cycles", "compute_cycles", "utilization", "energy_pj",
        "edp", "compute", "levels", "bounds", NULL,
    };
    bool first = doc->nlevels == 0;
    char p[JSON_PATH_MAX];
    int rc;
    if ((rc = json_check_object(d, stats, path, "a stats object", keys)) < 0 ||
        (rc = read_same_string(d, stats, path, "layer", layer, "the layer's name")) < 0 ||
        (rc = read_same_string(d, stats, path, "kernel", kernel_name(e->kernel),
                               "the entry's kernel")) < 0 ||
        (rc = report_read_count(d, stats, path, "macs", &e->macs)) < 0 ||
        (rc = report_read_count(d, stats, path, "cycles", &e->cycles)) < 0 ||
        (rc = report_read_count(d, stats, path, "compute_cycles", &e->compute_cycles)) < 0 ||
        (rc = report_read_number(d, stats, path, "utilization", &e->utilization)) < 0 ||
        (rc = report_read_number(d, stats, path, "energy_pj", &e->energy_pj)) < 0 ||
        (rc = report_read_number(d, stats, path, "edp", &e->edp)) < 0)
        return rc;
    json_path_key(p, path, "compute");
    const cJSON *c = field(stats, "compute");
    if (!c)
        return missing(d, p, "a compute object");
    if ((rc = read_compute(d, c, p, first, doc, e)) < 0)
        return rc;
    json_path_key(p, path, "levels");
    if ((rc = read_levels(d, field(stats, "levels"), p, first, doc, e)) < 0)
        return rc;
    json_path_key(p, path, "bounds");
    const cJSON *b = field(stats, "bounds");
    if (!b)
        return missing(d, p, "a bounds object");
    return report_read_bounds(d, b, p, e);
}
