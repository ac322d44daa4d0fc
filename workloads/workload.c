/*
 * workload: loading and validating workload JSON (DESIGN.md section 3).
 *
 * Called once per input file, on the main thread, before any search: the
 * code favours precise messages over speed.  Every layer is checked fully at
 * load time, including that all of its kernels can be derived without a
 * 64-bit overflow, so that a loaded workload never fails later in
 * workload_derive (derive.c) for reasons of size.
 */
#include "workload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/json.h"
#include "derive.h"

/* Every integer in a workload file is at most this (projection
 * coefficients and bounds stay within int32). */
#define WL_INT_MAX 2147483647u

static const char *const top_keys[] = { "name", "batch", "optimizer", "layers", NULL };
static const char *const conv_keys[] = {
    "name", "type", "N", "C", "K", "H", "W", "P", "Q", "R", "S",
    "pad", "pad_h", "pad_w", "stride", "stride_h", "stride_w",
    "dilation", "dilation_h", "dilation_w", "groups", "lowering", NULL,
};
static const char *const fc_keys[] = { "name", "type", "N", "C", "K", NULL };

static const char *const optimizer_names[] = { "sgd", "momentum", "adam" };

const char *optimizer_name(enum optimizer o)
{
    return (unsigned)o < 3 ? optimizer_names[o] : "?";
}

static const cJSON *field(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* An integer in [min, 2^31-1]; larger integers are ERR_TOO_LARGE. */
static int get_int(const struct jdoc *d, const cJSON *obj, const char *path,
                   const char *key, bool required, uint64_t min, uint64_t *out)
{
    const cJSON *v = field(obj, key);
    if (v && cJSON_IsNumber(v) && v->valuedouble > WL_INT_MAX &&
        (isinf(v->valuedouble) || v->valuedouble == floor(v->valuedouble))) {
        char p[JSON_PATH_MAX];
        json_path_key(p, path, key);
        if (isinf(v->valuedouble))  /* 1e400: past the range of a double */
            return err_set(d->err, ERR_TOO_LARGE,
                           "%s: %s: a number beyond the range of a double is too large "
                           "(at most %u)", d->file, p, WL_INT_MAX);
        return err_set(d->err, ERR_TOO_LARGE, "%s: %s: %.17g is too large (at most %u)",
                       d->file, p, v->valuedouble, WL_INT_MAX);
    }
    return json_get_u64(d, obj, path, key, required, min, UINT32_MAX, out);
}

/* A string that must be one of names[0..n-1]; *out gets its index.  Absent
 * and not required: *out is left unchanged. */
static int get_enum(const struct jdoc *d, const cJSON *obj, const char *path,
                    const char *key, bool required, const char *const *names,
                    int n, const char *expected, int *out)
{
    char p[JSON_PATH_MAX];
    json_path_key(p, path, key);
    const cJSON *v = field(obj, key);
    if (!v) {
        if (!required)
            return 0;
        return err_set(d->err, ERR_SCHEMA, "%s: %s: missing, expected %s", d->file,
                       p, expected);
    }
    if (cJSON_IsString(v))
        for (int i = 0; i < n; i++)
            if (strcmp(v->valuestring, names[i]) == 0) {
                *out = i;
                return 0;
            }
    return json_schema_error(d, p, expected, v);
}

/*
 * Reads key (shared by both axes) or key_h/key_w (one axis each) into *h
 * and *w, which hold the defaults on entry.  Giving key together with
 * either variant is an error.
 */
static int get_pair(const struct jdoc *d, const cJSON *obj, const char *path,
                    const char *key, uint64_t min, uint64_t *h, uint64_t *w)
{
    char kh[16], kw[16];
    snprintf(kh, sizeof kh, "%s_h", key);
    snprintf(kw, sizeof kw, "%s_w", key);
    if (field(obj, key) && (field(obj, kh) || field(obj, kw)))
        return err_set(d->err, ERR_SCHEMA,
                       "%s: %s: expected either %s or %s/%s, got both", d->file,
                       path, key, kh, kw);
    int rc;
    uint64_t both = *h;
    if ((rc = get_int(d, obj, path, key, false, min, &both)) < 0)
        return rc;
    *h = *w = both;
    if ((rc = get_int(d, obj, path, kh, false, min, h)) < 0 ||
        (rc = get_int(d, obj, path, kw, false, min, w)) < 0)
        return rc;
    return 0;
}

/*
 * Output extent along one axis from the input extent in (H or W): P =
 * floor((in + 2*pad - dilation*(filter-1) - 1) / stride) + 1.  Every
 * operand is below 2^31, so nothing here overflows 64 bits.
 */
static int derive_out(const struct jdoc *d, const char *path, const char *in_key,
                      const char *out_key, uint64_t in, uint64_t pad,
                      uint64_t filter, uint64_t stride, uint64_t dilation,
                      uint64_t *out)
{
    uint64_t padded = in + 2 * pad, span = dilation * (filter - 1) + 1;
    if (padded < span)
        return err_set(d->err, ERR_SCHEMA,
                       "%s: %s.%s: expected %s + 2*pad >= (filter - 1)*dilation + 1 = %llu, "
                       "got %llu + 2*%llu = %llu (%s would be < 1)",
                       d->file, path, in_key, in_key, (unsigned long long)span,
                       (unsigned long long)in, (unsigned long long)pad,
                       (unsigned long long)padded, out_key);
    *out = (padded - span) / stride + 1;
    if (*out > WL_INT_MAX)
        return err_set(d->err, ERR_TOO_LARGE,
                       "%s: %s.%s: derived %s = %llu is too large (at most %u)", d->file,
                       path, in_key, out_key, (unsigned long long)*out, WL_INT_MAX);
    return 0;
}

/* The spatial part of a conv layer: either H,W (P,Q derived) or P,Q. */
static int parse_conv_extent(const struct jdoc *d, const cJSON *obj,
                             const char *path, struct layer *l)
{
    bool has_hw = field(obj, "H") || field(obj, "W");
    bool has_pq = field(obj, "P") || field(obj, "Q");
    int rc;
    if (has_hw && has_pq)
        return err_set(d->err, ERR_SCHEMA,
                       "%s: %s: expected either H,W or P,Q, got both", d->file, path);
    if (!has_hw && !has_pq)
        return err_set(d->err, ERR_SCHEMA,
                       "%s: %s: expected either H,W or P,Q, got neither", d->file, path);
    if (has_pq) {
        if ((rc = get_int(d, obj, path, "P", true, 1, &l->P)) < 0 ||
            (rc = get_int(d, obj, path, "Q", true, 1, &l->Q)) < 0)
            return rc;
        static const char *const pads[] = { "pad", "pad_h", "pad_w" };
        for (int i = 0; i < 3; i++) {
            char p[JSON_PATH_MAX];
            json_path_key(p, path, pads[i]);
            if (field(obj, pads[i]))
                return json_schema_error(d, p, "no padding when P,Q are given (it "
                                         "only serves to derive them from H,W)",
                                         field(obj, pads[i]));
        }
    } else {
        uint64_t H = 0, W = 0;
        if ((rc = get_int(d, obj, path, "H", true, 1, &H)) < 0 ||
            (rc = get_int(d, obj, path, "W", true, 1, &W)) < 0 ||
            (rc = derive_out(d, path, "H", "P", H, l->pad_h, l->R, l->stride_h,
                             l->dilation_h, &l->P)) < 0 ||
            (rc = derive_out(d, path, "W", "Q", W, l->pad_w, l->S, l->stride_w,
                             l->dilation_w, &l->Q)) < 0)
            return rc;
    }
    /* The box the windows span: below 2^63 since every factor is < 2^31. */
    l->H = (l->P - 1) * l->stride_h + (l->R - 1) * l->dilation_h + 1;
    l->W = (l->Q - 1) * l->stride_w + (l->S - 1) * l->dilation_w + 1;
    return 0;
}

static int parse_layer(const struct jdoc *d, const cJSON *obj, const char *path,
                       uint64_t batch, struct layer *l)
{
    static const char *const type_names[] = { "conv", "fc" };
    static const char *const lowering_names[] = { "none", "im2col" };
    int rc, type = -1, lowering = LOWER_NONE;
    if (!cJSON_IsObject(obj))
        return json_schema_error(d, path, "a layer object", obj);
    if ((rc = json_get_string(d, obj, path, "name", true, l->name, sizeof l->name)) < 0 ||
        (rc = get_enum(d, obj, path, "type", true, type_names, 2,
                       "\"conv\" or \"fc\"", &type)) < 0 ||
        (rc = json_check_object(d, obj, path, "a layer object",
                                type == LAYER_FC ? fc_keys : conv_keys)) < 0)
        return rc;
    l->type = (enum layer_type)type;
    l->N = batch;
    l->groups = 1;
    l->P = l->Q = l->R = l->S = l->H = l->W = 1;
    l->stride_h = l->stride_w = l->dilation_h = l->dilation_w = 1;
    l->pad_h = l->pad_w = 0;
    if ((rc = get_int(d, obj, path, "N", false, 1, &l->N)) < 0 ||
        (rc = get_int(d, obj, path, "C", true, 1, &l->C)) < 0 ||
        (rc = get_int(d, obj, path, "K", true, 1, &l->K)) < 0)
        return rc;
    if (l->type == LAYER_CONV) {
        if ((rc = get_int(d, obj, path, "R", false, 1, &l->R)) < 0 ||
            (rc = get_int(d, obj, path, "S", false, 1, &l->S)) < 0 ||
            (rc = get_pair(d, obj, path, "stride", 1, &l->stride_h, &l->stride_w)) < 0 ||
            (rc = get_pair(d, obj, path, "dilation", 1, &l->dilation_h,
                           &l->dilation_w)) < 0 ||
            (rc = get_pair(d, obj, path, "pad", 0, &l->pad_h, &l->pad_w)) < 0 ||
            (rc = get_int(d, obj, path, "groups", false, 1, &l->groups)) < 0 ||
            (rc = get_enum(d, obj, path, "lowering", false, lowering_names, 2,
                           "\"none\" or \"im2col\"", &lowering)) < 0 ||
            (rc = parse_conv_extent(d, obj, path, l)) < 0)
            return rc;
        if (l->C % l->groups != 0 || l->K % l->groups != 0) {
            char p[JSON_PATH_MAX];
            json_path_key(p, path, "groups");
            return err_set(d->err, ERR_SCHEMA,
                           "%s: %s: expected a divisor of C = %llu and K = %llu, got %llu",
                           d->file, p, (unsigned long long)l->C,
                           (unsigned long long)l->K, (unsigned long long)l->groups);
        }
    }
    l->lowering = (enum lowering)lowering;
    return 0;
}

struct name_ref {
    const char *name;
    int index;
};

static int cmp_name_ref(const void *a, const void *b)
{
    const struct name_ref *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Rejects the first layer (in file order) whose name an earlier layer
 * already has.  Sorting keeps this O(n log n) on large files. */
static int check_unique_names(const struct jdoc *d, const struct workload *w)
{
    struct name_ref *refs = malloc((size_t)w->nlayers * sizeof *refs);
    if (!refs)
        return err_set(d->err, ERR_NOMEM, "%s: out of memory", d->file);
    for (int i = 0; i < w->nlayers; i++)
        refs[i] = (struct name_ref){ w->layers[i].name, i };
    qsort(refs, (size_t)w->nlayers, sizeof *refs, cmp_name_ref);
    int first = -1, dup = -1;
    for (int i = 0; i + 1 < w->nlayers; i++) {
        /* refs[i+1] repeats an earlier name when it equals refs[i]; the
         * first of its run is the original. */
        if (strcmp(refs[i].name, refs[i + 1].name) == 0 &&
            (i == 0 || strcmp(refs[i - 1].name, refs[i].name) != 0) &&
            (dup < 0 || refs[i + 1].index < dup)) {
            first = refs[i].index;
            dup = refs[i + 1].index;
        }
    }
    free(refs);
    if (dup < 0)
        return 0;
    return err_set(d->err, ERR_SCHEMA,
                   "%s: layers[%d].name: expected a unique layer name, got \"%s\" "
                   "(already the name of layers[%d])",
                   d->file, dup, w->layers[dup].name, first);
}

/* Derives every kernel of every layer once, direct and lowered, so that
 * sizes that overflow 64 bits are reported at load time. */
static int check_sizes(const struct jdoc *d, const struct workload *w)
{
    for (int i = 0; i < w->nlayers; i++) {
        char where[ERR_MSG_MAX];
        snprintf(where, sizeof where, "%s: layers[%d]", d->file, i);
        for (int lw = LOWER_NONE; lw <= LOWER_IM2COL; lw++) {
            enum kernel ks[KERNEL_COUNT];
            int n = derive_kernels(w, i, (enum lowering)lw, true, ks);
            for (int j = 0; j < n; j++) {
                struct problem p;
                int rc = derive_problem(w, i, ks[j], (enum lowering)lw, where, &p,
                                        d->err);
                if (rc < 0)
                    return rc;
            }
        }
    }
    return 0;
}

static int parse_workload(const struct jdoc *d, const cJSON *root, struct workload *w)
{
    static const char *const opt_expected = "\"sgd\", \"momentum\" or \"adam\"";
    int rc, opt = OPT_SGD;
    if ((rc = json_check_object(d, root, "", "a workload object", top_keys)) < 0 ||
        (rc = json_get_string(d, root, "", "name", true, w->name, sizeof w->name)) < 0 ||
        (rc = get_int(d, root, "", "batch", false, 1, &w->batch)) < 0 ||
        (rc = get_enum(d, root, "", "optimizer", false, optimizer_names, 3,
                       opt_expected, &opt)) < 0)
        return rc;
    w->optimizer = (enum optimizer)opt;
    const cJSON *comment = field(root, "comment");
    if (comment) {
        w->comment = strdup(comment->valuestring);
        if (!w->comment)
            return err_set(d->err, ERR_NOMEM, "%s: out of memory", d->file);
    }
    const cJSON *layers = field(root, "layers");
    if (!layers)
        return err_set(d->err, ERR_SCHEMA,
                       "%s: layers: missing, expected a non-empty array of layers", d->file);
    if (!cJSON_IsArray(layers) || cJSON_GetArraySize(layers) == 0)
        return json_schema_error(d, "layers", "a non-empty array of layers", layers);
    int n = cJSON_GetArraySize(layers);
    w->layers = calloc((size_t)n, sizeof *w->layers);
    if (!w->layers)
        return err_set(d->err, ERR_NOMEM, "%s: out of memory", d->file);
    w->nlayers = n;
    int i = 0;
    for (const cJSON *it = layers->child; it; it = it->next, i++) {
        char p[JSON_PATH_MAX];
        json_path_index(p, "layers", i);
        if ((rc = parse_layer(d, it, p, w->batch, &w->layers[i])) < 0)
            return rc;
    }
    if ((rc = check_unique_names(d, w)) < 0)
        return rc;
    return check_sizes(d, w);
}

/* Builds the workload from a parsed tree, which it deletes. */
static int from_tree(const char *name, cJSON *root, struct workload **out,
                     struct err *err)
{
    int rc = 0;
    struct workload *w = calloc(1, sizeof *w);
    if (!w) {
        rc = err_set(err, ERR_NOMEM, "%s: out of memory", name);
        goto out_delete;
    }
    w->batch = 1;
    struct jdoc d = { name, err };
    rc = parse_workload(&d, root, w);
    if (rc < 0) {
        workload_free(w);
        goto out_delete;
    }
    *out = w;
out_delete:
    cJSON_Delete(root);
    return rc;
}

int workload_parse(const char *name, const char *text, size_t len,
                   struct workload **out, struct err *err)
{
    cJSON *root = NULL;
    *out = NULL;
    int rc = json_parse(name, text, len, &root, err);
    return rc < 0 ? rc : from_tree(name, root, out, err);
}

int workload_load(const char *path, struct workload **out, struct err *err)
{
    cJSON *root = NULL;
    *out = NULL;
    int rc = json_load(path, &root, err);
    return rc < 0 ? rc : from_tree(path, root, out, err);
}

void workload_free(struct workload *w)
{
    if (!w)
        return;
    free(w->comment);
    free(w->layers);
    free(w);
}

int workload_find_layer(const struct workload *w, const char *name)
{
    for (int i = 0; i < w->nlayers; i++)
        if (strcmp(w->layers[i].name, name) == 0)
            return i;
    return -1;
}
