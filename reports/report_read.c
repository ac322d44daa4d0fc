/*
 * report_read: a saved report back into a struct report_doc; see
 * report_read.h.  This file reads the report's frame (metadata, layers,
 * entries, totals); report_read_stats.c reads the stats objects.
 */
#include "report_read.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/ckd.h"
#include "../mapper/mapping_io.h"

static const cJSON *field(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static int missing(const struct jdoc *d, const char *path, const char *what)
{
    return err_set(d->err, ERR_SCHEMA, "%s: %s: missing, expected %s", d->file, path, what);
}

const char *report_status_name(enum report_status s)
{
    switch (s) {
    case REPORT_MAPPED: return "mapped";
    case REPORT_NO_MAPPING: return "no_mapping";
    case REPORT_NOT_SEARCHED: return "not_searched";
    }
    return "?";
}

/* A string (any, empty included) or, when nullable, null, copied to the
 * heap into *out (NULL for null). */
static int read_text(const struct jdoc *d, const cJSON *obj, const char *path,
                     const char *key, bool nullable, char **out)
{
    char p[JSON_PATH_MAX];
    const char *what = nullable ? "a string or null" : "a string";
    json_path_key(p, path, key);
    const cJSON *v = field(obj, key);
    if (!v)
        return missing(d, p, what);
    if (nullable && cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v))
        return json_schema_error(d, p, what, v);
    if (!(*out = strdup(v->valuestring)))
        return err_set(d->err, ERR_NOMEM, "%s: out of memory", d->file);
    return 0;
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

/* An object field that must be present. */
static int need_object(const struct jdoc *d, const cJSON *obj, const char *path,
                       const char *key, const char *what, const cJSON **out, char *p)
{
    json_path_key(p, path, key);
    *out = field(obj, key);
    if (!*out)
        return missing(d, p, what);
    return cJSON_IsObject(*out) ? 0 : json_schema_error(d, p, what, *out);
}

static int read_sha256(const struct jdoc *d, const cJSON *obj, const char *path,
                       char *out)
{
    char p[JSON_PATH_MAX];
    const char *what = "64 lowercase hexadecimal digits";
    json_path_key(p, path, "sha256");
    const cJSON *v = field(obj, "sha256");
    if (!v)
        return missing(d, p, what);
    if (!cJSON_IsString(v) || strlen(v->valuestring) != SHA256_HEX_SIZE - 1 ||
        strspn(v->valuestring, "0123456789abcdef") != SHA256_HEX_SIZE - 1)
        return json_schema_error(d, p, what, v);
    memcpy(out, v->valuestring, SHA256_HEX_SIZE);
    return 0;
}

/* inputs.<key>: {path, name, sha256, comment} with the keys of its kind. */
static int read_input(const struct jdoc *d, const cJSON *inputs, const char *path,
                      const char *key, bool with_name, bool with_comment,
                      struct report_doc_input *in)
{
    static const char *const arch_keys[] = { "path", "name", "sha256", "comment", NULL };
    static const char *const wl_keys[] = { "path", "name", "sha256", NULL };
    static const char *const cons_keys[] = { "path", "sha256", NULL };
    const char *const *keys = with_comment ? arch_keys : with_name ? wl_keys : cons_keys;
    const cJSON *o;
    char p[JSON_PATH_MAX];
    int rc;
    if ((rc = need_object(d, inputs, path, key, "an input object", &o, p)) < 0 ||
        (rc = json_check_object(d, o, p, "an input object", keys)) < 0 ||
        (rc = read_text(d, o, p, "path", true, &in->path)) < 0 ||
        (with_name && (rc = read_text(d, o, p, "name", true, &in->name)) < 0) ||
        (rc = read_sha256(d, o, p, in->sha256)) < 0)
        return rc;
    /* The arch's comment, listed among the keys, is this field, not the
     * object's own comment: a string, or null for an arch without one; the
     * writer always puts it. */
    if (with_comment)
        return read_text(d, o, p, "comment", true, &in->comment);
    return 0;
}

static int read_inputs(const struct jdoc *d, const cJSON *root, struct report_doc *doc)
{
    static const char *const keys[] = { "arch", "workload", "constraints", NULL };
    const cJSON *in;
    char p[JSON_PATH_MAX];
    int rc;
    if ((rc = need_object(d, root, "", "inputs", "an inputs object", &in, p)) < 0 ||
        (rc = json_check_object(d, in, p, "an inputs object", keys)) < 0 ||
        (rc = read_input(d, in, p, "arch", true, true, &doc->arch)) < 0 ||
        (rc = read_input(d, in, p, "workload", true, false, &doc->workload)) < 0)
        return rc;
    doc->has_constraints = field(in, "constraints") != NULL;
    if (doc->has_constraints)
        return read_input(d, in, p, "constraints", false, false, &doc->constraints);
    return 0;
}

/* A string field that must be one of names (NULL-terminated). */
static int read_choice(const struct jdoc *d, const cJSON *obj, const char *path,
                       const char *key, const char *const *names, const char *what,
                       char *out, size_t cap)
{
    char p[JSON_PATH_MAX];
    json_path_key(p, path, key);
    const cJSON *v = field(obj, key);
    if (!v)
        return missing(d, p, what);
    for (const char *const *n = names; cJSON_IsString(v) && *n; n++)
        if (strcmp(v->valuestring, *n) == 0) {
            snprintf(out, cap, "%s", *n);
            return 0;
        }
    return json_schema_error(d, p, what, v);
}

static int read_search(const struct jdoc *d, const cJSON *root, struct report_doc *doc)
{
    static const char *const keys[] = { "strategy", "objective", "threads", "seed",
                                        "time_limit_s", NULL };
    static const char *const strategies[] = { "exhaustive", "random", "anneal", NULL };
    static const char *const objectives[] = { "edp", "energy", "latency", NULL };
    const cJSON *s;
    char p[JSON_PATH_MAX];
    int rc;
    if ((rc = need_object(d, root, "", "search", "a search object", &s, p)) < 0 ||
        (rc = json_check_object(d, s, p, "a search object", keys)) < 0 ||
        (rc = read_choice(d, s, p, "strategy", strategies, "exhaustive, random or anneal",
                          doc->strategy, sizeof doc->strategy)) < 0 ||
        (rc = read_choice(d, s, p, "objective", objectives, "edp, energy or latency",
                          doc->objective, sizeof doc->objective)) < 0 ||
        (rc = report_read_count(d, s, p, "threads", &doc->threads)) < 0 ||
        (rc = report_read_count(d, s, p, "seed", &doc->seed)) < 0)
        return rc;
    return report_read_number(d, s, p, "time_limit_s", &doc->time_limit_s);
}

/* The mapping of an entry, checked against the mapping format and
 * dropped; messages name it by its path in the report. */
static int check_mapping(const struct jdoc *d, const cJSON *m, const char *path)
{
    if (!cJSON_IsObject(m))
        return json_schema_error(d, path, "a mapping object", m);
    char *text = cJSON_PrintUnformatted(m), name[JSON_PATH_MAX + 512];
    if (!text)
        return err_set(d->err, ERR_NOMEM, "%s: out of memory", d->file);
    snprintf(name, sizeof name, "%s: %s", d->file, path);
    struct mapping_file *mf = NULL;
    int rc = mapping_parse(name, text, strlen(text), &mf, d->err);
    mapping_file_free(mf);
    free(text);
    return rc;
}

/* The search fields of an entry that was searched. */
static int read_search_fields(const struct jdoc *d, const cJSON *o, const char *path,
                              struct report_doc_entry *e)
{
    int rc;
    if ((rc = read_bool(d, o, path, "optimal", &e->optimal)) < 0 ||
        (rc = read_bool(d, o, path, "timed_out", &e->timed_out)) < 0 ||
        (rc = read_bool(d, o, path, "interrupted", &e->interrupted)) < 0 ||
        (rc = report_read_count(d, o, path, "evaluated", &e->evaluated)) < 0)
        return rc;
    return report_read_number(d, o, path, "search_s", &e->search_s);
}

/* "mapping", "stats" and "bounds" of an entry without a mapping: null.
 * why says what kind of entry it is, for messages. */
static int need_nulls(const struct jdoc *d, const cJSON *o, const char *path, const char *why)
{
    static const char *const keys[] = { "mapping", "stats", "bounds" };
    char what[96];
    snprintf(what, sizeof what, "null (%s)", why);
    for (size_t i = 0; i < 3; i++) {
        char p[JSON_PATH_MAX];
        const cJSON *v = field(o, keys[i]);
        json_path_key(p, path, keys[i]);
        if (!v)
            return missing(d, p, what);
        if (!cJSON_IsNull(v))
            return json_schema_error(d, p, what, v);
    }
    return 0;
}

static int read_error(const struct jdoc *d, const cJSON *o, const char *path,
                      struct report_doc_entry *e)
{
    char *text = NULL;
    int rc = read_text(d, o, path, "error", false, &text);
    if (rc == 0)
        snprintf(e->error, sizeof e->error, "%s", text);
    free(text);
    return rc;
}

/* The entry's same_as: the name of an earlier layer. */
static int read_same_as(const struct jdoc *d, const cJSON *o, const char *path, int layer,
                        const struct report_doc *doc, struct report_doc_entry *e)
{
    const cJSON *v = field(o, "same_as");
    e->same_as = -1;
    if (!v)
        return 0;
    char p[JSON_PATH_MAX];
    json_path_key(p, path, "same_as");
    for (int l = 0; cJSON_IsString(v) && l < layer; l++)
        if (strcmp(doc->layers[l].name, v->valuestring) == 0) {
            e->same_as = l;
            return 0;
        }
    return json_schema_error(d, p, "the name of an earlier layer", v);
}

/* Bounds given twice (entry and stats) must agree. */
static int check_bounds(const struct jdoc *d, const char *path,
                        const struct report_doc_entry *a, const struct report_doc_entry *b)
{
    if (memcmp(&a->energy_bound_pj, &b->energy_bound_pj, sizeof a->energy_bound_pj) == 0 &&
        memcmp(&a->cycles_bound, &b->cycles_bound, sizeof a->cycles_bound) == 0 &&
        (a->energy_ratio == b->energy_ratio ||
         (isnan(a->energy_ratio) && isnan(b->energy_ratio))) &&
        (a->cycles_ratio == b->cycles_ratio ||
         (isnan(a->cycles_ratio) && isnan(b->cycles_ratio))))
        return 0;
    return err_set(d->err, ERR_SCHEMA, "%s: %s: expected the values of stats.bounds",
                   d->file, path);
}

static int read_mapped(const struct jdoc *d, const cJSON *o, const char *path,
                       const char *layer, struct report_doc *doc, struct report_doc_entry *e)
{
    static const char *const keys[] = { "kernel", "same_as", "mapping", "stats", "bounds",
                                        "optimal", "timed_out", "interrupted", "evaluated",
                                        "search_s", NULL };
    const cJSON *stats, *bounds, *m = field(o, "mapping");
    char p[JSON_PATH_MAX];
    int rc;
    e->status = REPORT_MAPPED;
    e->has_mapping = m != NULL;
    if ((rc = json_check_object(d, o, path, "a kernel entry", keys)) < 0)
        return rc;
    json_path_key(p, path, "mapping");
    bool stream = e->kernel == KERNEL_UPDATE || e->kernel == KERNEL_IM2COL ||
                  e->kernel == KERNEL_COL2IM;
    if (!m && !stream)
        return missing(d, p, "a mapping object");
    if (m && stream)
        return err_set(d->err, ERR_SCHEMA, "%s: %s: unexpected: %s is a stream kernel "
                       "without a mapping", d->file, p, kernel_name(e->kernel));
    if (m && (rc = check_mapping(d, m, p)) < 0)
        return rc;
    if ((rc = need_object(d, o, path, "stats", "a stats object", &stats, p)) < 0 ||
        (rc = report_read_stats(d, stats, p, layer, doc, e)) < 0 ||
        (rc = need_object(d, o, path, "bounds", "a bounds object", &bounds, p)) < 0)
        return rc;
    struct report_doc_entry b = *e;
    if ((rc = report_read_bounds(d, bounds, p, &b)) < 0 || (rc = check_bounds(d, p, &b, e)) < 0)
        return rc;
    return read_search_fields(d, o, path, e);
}

static int read_entry(const struct jdoc *d, const cJSON *o, const char *path, int layer,
                      struct report_doc *doc, struct report_doc_entry *e)
{
    static const char *const unsearched_keys[] = { "kernel", "mapping", "stats", "bounds",
                                                   "searched", "error", NULL };
    static const char *const failed_keys[] = { "kernel", "same_as", "mapping", "stats",
                                               "bounds", "error", "optimal", "timed_out",
                                               "interrupted", "evaluated", "search_s",
                                               NULL };
    const char *what = "a kernel name (fwd, bwd_data, bwd_weight, update, im2col, col2im)";
    const struct report_doc_layer *ly = &doc->layers[layer];
    char p[JSON_PATH_MAX];
    int rc;
    if (!cJSON_IsObject(o))
        return json_schema_error(d, path, "a kernel entry", o);
    json_path_key(p, path, "kernel");
    const cJSON *k = field(o, "kernel");
    if (!k)
        return missing(d, p, what);
    int kn = cJSON_IsString(k) ? kernel_from_name(k->valuestring) : -1;
    if (kn < 0)
        return json_schema_error(d, p, what, k);
    e->kernel = (enum kernel)kn;
    for (int i = 0; i < ly->nkernels; i++)
        if (ly->kernel[i].kernel == e->kernel)
            return err_set(d->err, ERR_SCHEMA, "%s: %s: %s given twice in layer '%s'",
                           d->file, p, kernel_name(e->kernel), ly->name);
    if ((rc = read_same_as(d, o, path, layer, doc, e)) < 0)
        return rc;
    const cJSON *searched = field(o, "searched");
    if (searched) {
        e->status = REPORT_NOT_SEARCHED;
        json_path_key(p, path, "searched");
        if (!cJSON_IsFalse(searched))
            return json_schema_error(d, p, "false (present only on entries not searched)",
                                     searched);
        if ((rc = json_check_object(d, o, path, "a kernel entry", unsearched_keys)) < 0 ||
            (rc = need_nulls(d, o, path, "the entry was not searched")) < 0)
            return rc;
        return read_error(d, o, path, e);
    }
    if (!cJSON_IsNull(field(o, "stats")))
        return read_mapped(d, o, path, ly->name, doc, e);
    e->status = REPORT_NO_MAPPING;
    if ((rc = json_check_object(d, o, path, "a kernel entry", failed_keys)) < 0 ||
        (rc = need_nulls(d, o, path, "stats is null: no mapping was found")) < 0 ||
        (rc = read_error(d, o, path, e)) < 0)
        return rc;
    return read_search_fields(d, o, path, e);
}

static int read_layer(const struct jdoc *d, const cJSON *o, const char *path, int layer,
                      struct report_doc *doc)
{
    static const char *const keys[] = { "name", "kernels", NULL };
    struct report_doc_layer *ly = &doc->layers[layer];
    char p[JSON_PATH_MAX];
    int rc;
    if ((rc = json_check_object(d, o, path, "a layer object", keys)) < 0 ||
        (rc = json_get_string(d, o, path, "name", true, ly->name, sizeof ly->name)) < 0)
        return rc;
    json_path_key(p, path, "kernels");
    const cJSON *ks = field(o, "kernels");
    if (!ks)
        return missing(d, p, "an array of kernel entries");
    if (!cJSON_IsArray(ks))
        return json_schema_error(d, p, "an array of kernel entries", ks);
    if (cJSON_GetArraySize(ks) > KERNEL_COUNT)
        return err_set(d->err, ERR_SCHEMA, "%s: %s: %d entries, expected at most %d",
                       d->file, p, cJSON_GetArraySize(ks), KERNEL_COUNT);
    const cJSON *k;
    cJSON_ArrayForEach(k, ks) {
        char kp[JSON_PATH_MAX];
        json_path_index(kp, p, ly->nkernels);
        if ((rc = read_entry(d, k, kp, layer, doc, &ly->kernel[ly->nkernels])) < 0)
            return rc;
        ly->nkernels++;
    }
    return 0;
}

static int read_layers(const struct jdoc *d, const cJSON *root, struct report_doc *doc)
{
    const cJSON *ls = field(root, "layers");
    if (!ls)
        return missing(d, "layers", "an array of layers");
    if (!cJSON_IsArray(ls))
        return json_schema_error(d, "layers", "an array of layers", ls);
    int n = cJSON_GetArraySize(ls);
    if (n > 0 && !(doc->layers = calloc((size_t)n, sizeof *doc->layers)))
        return err_set(d->err, ERR_NOMEM, "%s: out of memory for %d layers", d->file, n);
    const cJSON *l;
    cJSON_ArrayForEach(l, ls) {
        char p[JSON_PATH_MAX];
        int rc;
        json_path_index(p, "layers", doc->nlayers);
        if ((rc = read_layer(d, l, p, doc->nlayers, doc)) < 0)
            return rc;
        doc->nlayers++;
    }
    return 0;
}

/* One totals object; it must equal want (the sum of the entries). */
static int check_sum(const struct jdoc *d, const cJSON *totals, const char *key,
                     const struct report_sum *want, const char *what)
{
    static const char *const keys[] = { "energy_pj", "cycles", "macs", NULL };
    const cJSON *o;
    char p[JSON_PATH_MAX], q[JSON_PATH_MAX], num[48];
    struct report_sum got;
    int rc;
    if ((rc = need_object(d, totals, "totals", key, "a sum object", &o, p)) < 0 ||
        (rc = json_check_object(d, o, p, "a sum object", keys)) < 0 ||
        (rc = report_read_number(d, o, p, "energy_pj", &got.energy_pj)) < 0 ||
        (rc = report_read_count(d, o, p, "cycles", &got.cycles)) < 0 ||
        (rc = report_read_count(d, o, p, "macs", &got.macs)) < 0)
        return rc;
    const char *bad = got.energy_pj != want->energy_pj ? "energy_pj"
                      : got.cycles != want->cycles ? "cycles"
                      : got.macs != want->macs ? "macs" : NULL;
    if (!bad)
        return 0;
    json_path_key(q, p, bad);
    if (bad[0] == 'e')
        snprintf(num, sizeof num, "%.17g", want->energy_pj);
    else
        snprintf(num, sizeof num, "%llu", (unsigned long long)(bad[0] == 'c' ? want->cycles
                                                                             : want->macs));
    char expected[160];
    snprintf(expected, sizeof expected, "%s (the sum of %s)", num, what);
    return json_schema_error(d, q, expected, field(o, bad));
}

/* Sums the mapped entries (as report_totals does, in report order) and
 * checks "totals" against the sums. */
static int read_totals(const struct jdoc *d, const cJSON *root, struct report_doc *doc)
{
    struct report_totals *t = &doc->totals;
    memset(t, 0, sizeof *t);
    for (int l = 0; l < doc->nlayers; l++)
        for (int i = 0; i < doc->layers[l].nkernels; i++) {
            const struct report_doc_entry *e = &doc->layers[l].kernel[i];
            struct report_sum *ks = &t->kernel[e->kernel];
            t->present[e->kernel] = true;
            if (e->status != REPORT_MAPPED) {
                t->incomplete = true;
                continue;
            }
            if (ckd_add_u64(&ks->cycles, ks->cycles, e->cycles) ||
                ckd_add_u64(&ks->macs, ks->macs, e->macs) ||
                ckd_add_u64(&t->step.cycles, t->step.cycles, e->cycles) ||
                ckd_add_u64(&t->step.macs, t->step.macs, e->macs))
                return err_set(d->err, ERR_TOO_LARGE, "%s: totals: the sum of the cycles or "
                               "MACs is too large (over 2^64)", d->file);
            ks->energy_pj += e->energy_pj;
            t->step.energy_pj += e->energy_pj;
            t->counted++;
        }
    const cJSON *o;
    char p[JSON_PATH_MAX];
    const char *allowed[KERNEL_COUNT + 3];
    int n = 0, rc;
    for (int k = 0; k < KERNEL_COUNT; k++)
        if (t->present[k])
            allowed[n++] = kernel_name((enum kernel)k);
    allowed[n++] = "step";
    allowed[n++] = "incomplete";
    allowed[n] = NULL;
    if ((rc = need_object(d, root, "", "totals", "a totals object", &o, p)) < 0 ||
        (rc = json_check_object(d, o, p, "a totals object", allowed)) < 0)
        return rc;
    for (int k = 0; k < KERNEL_COUNT; k++) {
        char what[64];
        snprintf(what, sizeof what, "the %s entries", kernel_name((enum kernel)k));
        if (t->present[k] &&
            (rc = check_sum(d, o, kernel_name((enum kernel)k), &t->kernel[k], what)) < 0)
            return rc;
    }
    bool incomplete = false;
    if ((rc = check_sum(d, o, "step", &t->step, "every entry")) < 0 ||
        (rc = read_bool(d, o, "totals", "incomplete", &incomplete)) < 0)
        return rc;
    if (incomplete != t->incomplete)
        return json_schema_error(d, "totals.incomplete",
                                 t->incomplete ? "true (some entry has no mapping)"
                                               : "false (every entry has a mapping)",
                                 field(o, "incomplete"));
    return 0;
}

static int read_head(const struct jdoc *d, const cJSON *root, struct report_doc *doc)
{
    static const char *const keys[] = { "schema", "tool", "version", "command", "inputs",
                                        "search", "layers", "totals", "interrupted", NULL };
    const cJSON *v;
    int rc;
    if ((rc = json_check_object(d, root, "", "a report object", keys)) < 0)
        return rc;
    v = field(root, "schema");
    if (!v)
        return missing(d, "schema", "1");
    if (!cJSON_IsNumber(v) || v->valuedouble != REPORT_SCHEMA)
        return json_schema_error(d, "schema", "1 (the report schema this trainmap reads)", v);
    v = field(root, "tool");
    if (!v)
        return missing(d, "tool", "\"trainmap\"");
    if (!cJSON_IsString(v) || strcmp(v->valuestring, "trainmap") != 0)
        return json_schema_error(d, "tool", "\"trainmap\"", v);
    if ((rc = read_text(d, root, "", "version", true, &doc->version)) < 0 ||
        (rc = read_text(d, root, "", "command", true, &doc->command)) < 0)
        return rc;
    return 0;
}

void report_doc_free(struct report_doc *doc)
{
    if (!doc)
        return;
    struct report_doc_input *in[] = { &doc->arch, &doc->workload, &doc->constraints };
    for (size_t i = 0; i < 3; i++) {
        free(in[i]->path);
        free(in[i]->name);
        free(in[i]->comment);
    }
    free(doc->file);
    free(doc->version);
    free(doc->command);
    free(doc->layers);
    free(doc);
}

/* Reads the parsed tree root of the file name into *out. */
static int read_tree(const char *name, const cJSON *root, struct report_doc **out,
                     struct err *err)
{
    struct report_doc *doc = calloc(1, sizeof *doc);
    struct jdoc d = { name, err };
    int rc;
    if (!doc || !(doc->file = strdup(name))) {
        rc = err_set(err, ERR_NOMEM, "%s: out of memory", name);
        goto out_free;
    }
    if ((rc = read_head(&d, root, doc)) < 0 || (rc = read_inputs(&d, root, doc)) < 0 ||
        (rc = read_search(&d, root, doc)) < 0 || (rc = read_layers(&d, root, doc)) < 0 ||
        (rc = read_totals(&d, root, doc)) < 0 ||
        (rc = read_bool(&d, root, "", "interrupted", &doc->interrupted)) < 0)
        goto out_free;
    *out = doc;
    doc = NULL;
out_free:
    report_doc_free(doc);
    return rc;
}

int report_doc_parse(const char *name, const char *text, size_t len,
                     struct report_doc **out, struct err *err)
{
    cJSON *root = NULL;
    *out = NULL;
    int rc = json_parse(name, text, len, &root, err);
    if (rc == 0)
        rc = read_tree(name, root, out, err);
    cJSON_Delete(root);
    return rc;
}

int report_doc_load(const char *path, struct report_doc **out, struct err *err)
{
    cJSON *root = NULL;
    *out = NULL;
    int rc = json_load(path, &root, err);
    if (rc == 0)
        rc = read_tree(path, root, out, err);
    cJSON_Delete(root);
    return rc;
}
