/*
 * import_onnx_values: the ONNX importer's bookkeeping, shared by the graph
 * walk (import_onnx.c) and the shape inference (import_onnx_ops.c): the
 * table of values by name, reading a node's inputs and defining its
 * outputs, its attributes, and the sliding window of convolutions and
 * pooling; see import_onnx_ops.h.  Every check on what the file says
 * happens here once, so the operators can trust what they get.
 */
#include "import_onnx_ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- values ----------------------------------------------------------- */

static unsigned hash_str(const char *s)
{
    unsigned h = 2166136261u;   /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int find_slot(const struct onnx_ctx *c, const char *name)
{
    unsigned mask = (unsigned)c->nslots - 1;
    for (unsigned i = hash_str(name) & mask;; i = (i + 1) & mask)
        if (c->slots[i] == 0 || strcmp(c->values[c->slots[i] - 1].name, name) == 0)
            return (int)i;
}

int onnx_value_find(const struct onnx_ctx *c, const char *name)
{
    if (c->nslots == 0)
        return -1;
    int s = c->slots[find_slot(c, name)];
    return s - 1;
}

int onnx_value_new(struct onnx_ctx *c, const char *name)
{
    if (c->nvalues == c->cap) {
        int cap = c->cap ? 2 * c->cap : 64;
        struct ovalue *v = realloc(c->values, (size_t)cap * sizeof *v);
        if (!v)
            return ERR_NOMEM;
        c->values = v;
        c->cap = cap;
    }
    if (2 * (c->nvalues + 1) > c->nslots) {
        int ns = c->nslots ? 2 * c->nslots : 128;
        int *slots = calloc((size_t)ns, sizeof *slots);
        if (!slots)
            return ERR_NOMEM;
        free(c->slots);
        c->slots = slots;
        c->nslots = ns;
        for (int i = 0; i < c->nvalues; i++)
            c->slots[find_slot(c, c->values[i].name)] = i + 1;
    }
    struct ovalue *v = &c->values[c->nvalues];
    memset(v, 0, sizeof *v);
    v->name = name;
    v->ndata = -1;
    c->slots[find_slot(c, name)] = ++c->nvalues;
    return c->nvalues - 1;
}

/* ---- messages, inputs, outputs ---------------------------------------- */

int onnx_fail(struct onnx_ctx *c, int code, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(c->err, code, "%s: %s: %s", c->file, c->label, msg);
}

int onnx_block(struct onnx_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
    c->propagate = 0;
    return ONNX_BLOCK;
}

int onnx_input(struct onnx_ctx *c, int i, bool need_shape, struct ovalue **out)
{
    *out = NULL;
    if (i >= (int)c->node->n_input || !c->node->input[i][0])
        return 0;
    const char *name = c->node->input[i];
    int k = onnx_value_find(c, name);
    if (k < 0)
        return onnx_fail(c, ERR_SCHEMA, "input '%s' is not defined (not an initializer, "
                         "a graph input or an output of an earlier node)", name);
    struct ovalue *v = &c->values[k];
    *out = v;
    if (v->known || !need_shape)
        return 0;
    const struct oblock *b = &c->blocks[v->block - 1];
    if (c->is_layer)
        return onnx_fail(c, ERR_SCHEMA, "the shape of input '%s' is unknown: %s: %s", name,
                         b->label, b->why);
    c->propagate = v->block;
    return ONNX_BLOCK;
}

int onnx_output(struct onnx_ctx *c, int i, const struct oshape *s, struct ovalue **out)
{
    if (out)
        *out = NULL;
    if (i >= (int)c->node->n_output || !c->node->output[i][0])
        return 0;
    const char *name = c->node->output[i];
    for (int k = 0; k < s->rank; k++) {
        if (s->d[k] < 0)
            return onnx_fail(c, ERR_SCHEMA, "output '%s': dimension %d is negative (%lld)",
                             name, k, (long long)s->d[k]);
        if (s->d[k] > (int64_t)IMPORT_INT_MAX)
            return onnx_fail(c, ERR_TOO_LARGE, "output '%s': dimension %d = %lld is too "
                             "large (at most %u)", name, k, (long long)s->d[k],
                             IMPORT_INT_MAX);
    }
    if (onnx_value_find(c, name) >= 0)
        return onnx_fail(c, ERR_SCHEMA, "output '%s' is already defined", name);
    int k = onnx_value_new(c, name);
    if (k < 0)
        return onnx_fail(c, ERR_NOMEM, "out of memory");
    c->values[k].known = true;
    c->values[k].shape = *s;
    if (out)
        *out = &c->values[k];
    return 0;
}

/* ---- attributes -------------------------------------------------------- */

const Onnx__AttributeProto *onnx_attr(const struct onnx_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->node->n_attribute; i++)
        if (c->node->attribute[i]->name && strcmp(c->node->attribute[i]->name, name) == 0)
            return c->node->attribute[i];
    return NULL;
}

static bool in_range(int64_t v)
{
    return v >= -(int64_t)IMPORT_INT_MAX && v <= (int64_t)IMPORT_INT_MAX;
}

int onnx_attr_int(struct onnx_ctx *c, const char *name, int64_t dflt, int64_t *v)
{
    const Onnx__AttributeProto *a = onnx_attr(c, name);
    *v = dflt;
    if (!a)
        return 0;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)
        return onnx_fail(c, ERR_SCHEMA, "attribute '%s': expected an integer", name);
    if (!in_range(a->i))
        return onnx_fail(c, ERR_TOO_LARGE, "attribute '%s': %lld is out of range", name,
                         (long long)a->i);
    *v = a->i;
    return 0;
}

int onnx_attr_ints(struct onnx_ctx *c, const char *name, int max, int64_t *v, int *n)
{
    const Onnx__AttributeProto *a = onnx_attr(c, name);
    *n = -1;
    if (!a)
        return 0;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)
        return onnx_fail(c, ERR_SCHEMA, "attribute '%s': expected a list of integers", name);
    if (a->n_ints > (size_t)max)
        return onnx_fail(c, ERR_SCHEMA, "attribute '%s': expected at most %d values, got %zu",
                         name, max, a->n_ints);
    for (size_t i = 0; i < a->n_ints; i++) {
        if (!in_range(a->ints[i]))
            return onnx_fail(c, ERR_TOO_LARGE, "attribute '%s': %lld is out of range", name,
                             (long long)a->ints[i]);
        v[i] = a->ints[i];
    }
    *n = (int)a->n_ints;
    return 0;
}

int onnx_attr_string(struct onnx_ctx *c, const char *name, const char *dflt,
                     char *out, size_t cap)
{
    const Onnx__AttributeProto *a = onnx_attr(c, name);
    snprintf(out, cap, "%s", dflt);
    if (!a)
        return 0;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING || a->s.len >= cap ||
        (a->s.len && memchr(a->s.data, '\0', a->s.len)))
        return onnx_fail(c, ERR_SCHEMA, "attribute '%s': expected a short string", name);
    if (a->s.len)
        memcpy(out, a->s.data, a->s.len);
    out[a->s.len] = '\0';
    return 0;
}

int onnx_tensor_ints(const Onnx__TensorProto *t, int64_t *out)
{
    int64_t count = 1;
    for (size_t i = 0; i < t->n_dims; i++) {
        if (t->dims[i] < 0 || t->dims[i] > ONNX_MAX_DATA)
            return -1;
        count *= t->dims[i];
        if (count > ONNX_MAX_DATA)
            return -1;
    }
    bool i64 = t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
    bool i32 = t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__INT32;
    size_t width = i64 ? 8 : 4;
    if (i64 && t->n_int64_data == (size_t)count) {
        for (int64_t i = 0; i < count; i++)
            out[i] = t->int64_data[i];
    } else if (i32 && t->n_int32_data == (size_t)count) {
        for (int64_t i = 0; i < count; i++)
            out[i] = t->int32_data[i];
    } else if ((i64 || i32) && t->has_raw_data && t->raw_data.len == (size_t)count * width) {
        for (int64_t i = 0; i < count; i++) {
            uint64_t u = 0;   /* little-endian, as ONNX stores raw data */
            for (size_t b = width; b-- > 0;)
                u = (u << 8) | t->raw_data.data[(size_t)i * width + b];
            out[i] = i64 ? (int64_t)u : (int64_t)(int32_t)(uint32_t)u;
        }
    } else {
        return -1;
    }
    return (int)count;
}

/* ---- windows ----------------------------------------------------------- */

int onnx_window(struct onnx_ctx *c, const struct oshape *x, const int64_t *kernel,
                bool ceil_mode, struct owindow *w)
{
    int n = x->rank - 2, ns, nd, np, rc;
    int64_t pads[2 * ONNX_MAX_RANK];
    char autopad[32];
    memset(w, 0, sizeof *w);
    w->n = n;
    if ((rc = onnx_attr_ints(c, "strides", n, w->s, &ns)) < 0 ||
        (rc = onnx_attr_ints(c, "dilations", n, w->d, &nd)) < 0 ||
        (rc = onnx_attr_ints(c, "pads", 2 * n, pads, &np)) < 0 ||
        (rc = onnx_attr_string(c, "auto_pad", "NOTSET", autopad, sizeof autopad)) < 0)
        return rc;
    if ((ns >= 0 && ns != n) || (nd >= 0 && nd != n) || (np >= 0 && np != 2 * n))
        return onnx_fail(c, ERR_SCHEMA, "strides, dilations and pads must have %d, %d and "
                         "%d values for a %d-D input", n, n, 2 * n, x->rank);
    for (int i = 0; i < n; i++) {
        w->k[i] = kernel[i];
        if (ns < 0)
            w->s[i] = 1;
        if (nd < 0)
            w->d[i] = 1;
        w->p0[i] = np < 0 ? 0 : pads[i];
        w->p1[i] = np < 0 ? 0 : pads[n + i];
        if (w->k[i] < 1 || w->s[i] < 1 || w->d[i] < 1 || w->p0[i] < 0 || w->p1[i] < 0)
            return onnx_fail(c, ERR_SCHEMA, "kernel, strides and dilations must be positive "
                             "and pads not negative");
        int64_t in = x->d[2 + i], span = w->d[i] * (w->k[i] - 1) + 1;
        bool upper = strcmp(autopad, "SAME_UPPER") == 0;
        if (upper || strcmp(autopad, "SAME_LOWER") == 0) {
            int64_t out = (in + w->s[i] - 1) / w->s[i];
            int64_t total = (out - 1) * w->s[i] + span - in;
            total = total < 0 ? 0 : total;
            w->p0[i] = upper ? total / 2 : total - total / 2;
            w->p1[i] = total - w->p0[i];
        } else if (strcmp(autopad, "VALID") == 0) {
            w->p0[i] = w->p1[i] = 0;
        } else if (strcmp(autopad, "NOTSET") != 0) {
            return onnx_fail(c, ERR_SCHEMA, "auto_pad '%s' is not one of NOTSET, SAME_UPPER, "
                             "SAME_LOWER, VALID", autopad);
        }
        int64_t padded = in + w->p0[i] + w->p1[i];
        if (padded < span)
            return onnx_fail(c, ERR_SCHEMA, "the window spans %lld elements, more than the "
                             "%lld of the padded input along dimension %d", (long long)span,
                             (long long)padded, 2 + i);
        w->out[i] = (padded - span + (ceil_mode ? w->s[i] - 1 : 0)) / w->s[i] + 1;
    }
    return 0;
}
