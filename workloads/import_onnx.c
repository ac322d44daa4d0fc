/*
 * import_onnx: reading an ONNX model and walking its graph; see
 * import_onnx.h.  The protobuf is decoded by protobuf-c with code that
 * protoc-c generates at build time from the onnx.proto Debian ships.
 *
 * protobuf-c only says whether a message decodes, not where it fails, so
 * the top level of the model and of its graph is first walked here field
 * by field: a truncated or foreign file is then reported at a byte offset.
 * Nodes are visited once, in file order (ONNX requires topological order);
 * the operators without MACs are inferred in import_onnx_ops.c.
 */
#include "import_onnx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_onnx_ops.h"

/* ---- the protobuf's outline ------------------------------------------- */

struct wfield {
    unsigned num, wire;
    const char *name;
};

static const struct wfield model_fields[] = {
    { 1, 0, "ir_version" }, { 2, 2, "producer_name" }, { 3, 2, "producer_version" },
    { 4, 2, "domain" }, { 5, 0, "model_version" }, { 6, 2, "doc_string" },
    { 7, 2, "graph" }, { 8, 2, "opset_import" }, { 14, 2, "metadata_props" },
    { 20, 2, "training_info" }, { 25, 2, "functions" }, { 0, 0, NULL },
};
static const struct wfield graph_fields[] = {
    { 1, 2, "graph.node" }, { 2, 2, "graph.name" }, { 5, 2, "graph.initializer" },
    { 10, 2, "graph.doc_string" }, { 11, 2, "graph.input" }, { 12, 2, "graph.output" },
    { 13, 2, "graph.value_info" }, { 14, 2, "graph.quantization_annotation" },
    { 15, 2, "graph.sparse_initializer" }, { 0, 0, NULL },
};

static bool read_varint(const uint8_t *p, size_t len, size_t *i, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64 && *i < len; shift += 7) {
        uint8_t b = p[(*i)++];
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

/* Walks the fields of one message (model or graph) at p[0..len), which
 * starts at byte base of the file. */
static int scan_fields(const char *file, const uint8_t *p, size_t len, size_t base,
                       const struct wfield *fields, struct err *e)
{
    size_t i = 0;
    while (i < len) {
        size_t at = base + i;
        uint64_t key, n = 0;
        if (!read_varint(p, len, &i, &key))
            return err_set(e, ERR_SCHEMA, "%s: byte %zu: a field key runs past the end: "
                           "the file is truncated", file, at);
        unsigned num = (unsigned)(key >> 3), wire = (unsigned)(key & 7);
        const struct wfield *f = fields;
        while (f->name && f->num != num)
            f++;
        const char *name = f->name ? f->name : "unknown";
        if (num == 0 || wire == 3 || wire == 4 || wire > 5 || (f->name && f->wire != wire))
            return err_set(e, ERR_SCHEMA, "%s: byte %zu: not an ONNX model (field %u, %s, "
                           "with wire type %u)", file, at, num, name, wire);
        bool ok = true;
        if (wire == 0)
            ok = read_varint(p, len, &i, &n);
        else if (wire == 1 || wire == 5)
            n = wire == 1 ? 8 : 4;
        else
            ok = read_varint(p, len, &i, &n);
        if (!ok)
            return err_set(e, ERR_SCHEMA, "%s: byte %zu: field %u (%s) runs past the end: "
                           "the file is truncated", file, at, num, name);
        if (wire == 0)
            continue;
        if (n > len - i)
            return err_set(e, ERR_SCHEMA, "%s: byte %zu: field %u (%s) is %llu bytes long "
                           "but only %zu remain: the file is truncated", file, at, num,
                           name, (unsigned long long)n, len - i);
        int rc;
        if (fields == model_fields && num == 7 &&
            (rc = scan_fields(file, p + i, (size_t)n, base + i, graph_fields, e)) < 0)
            return rc;
        i += (size_t)n;
    }
    return 0;
}

/* Files that are something else entirely, told by their first bytes. */
static int check_magic(const char *file, const uint8_t *p, size_t len, struct err *e)
{
    if (len == 0)
        return err_set(e, ERR_SCHEMA, "%s: empty file, expected an ONNX model", file);
    if (len >= 4 && memcmp(p, "PK\3\4", 4) == 0)
        return err_set(e, ERR_SCHEMA, "%s: not an ONNX model: a zip archive (a PyTorch "
                       "checkpoint? export the model with torch.onnx.export)", file);
    if (len >= 8 && memcmp(p, "\211HDF\r\n\032\n", 8) == 0)
        return err_set(e, ERR_SCHEMA, "%s: not an ONNX model: an HDF5 file (a Keras "
                       "model? convert it with tf2onnx)", file);
    size_t n = len < 64 ? len : 64, text = 0;
    for (size_t i = 0; i < n; i++)
        text += (p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\n' || p[i] == '\r' ||
                p[i] == '\t';
    if (text == n)
        return err_set(e, ERR_SCHEMA, "%s: not an ONNX model: the file is text (an ONNX "
                       "model is a binary protobuf)", file);
    return 0;
}

/* ---- layers ------------------------------------------------------------ */

static uint64_t layer_n(const struct onnx_ctx *c, int64_t lead, int64_t rest)
{
    return import_layer_batch((uint64_t)lead, (uint64_t)rest, (uint64_t)c->model_batch,
                              c->net->batch);
}

static int add_layer(struct onnx_ctx *c, const struct import_layer *l)
{
    const Onnx__NodeProto *n = c->node;
    char fallback[64];
    snprintf(fallback, sizeof fallback, "%s_%d", n->op_type, c->node_index);
    const char *raw = n->name && n->name[0] ? n->name
                      : n->n_output > 0 ? n->output[0] : "";
    int rc = import_net_add(c->net, raw, fallback, l, c->err);
    if (rc < 0) {
        char where[ERR_MSG_MAX];
        snprintf(where, sizeof where, "%s: %s", c->file, c->label);
        err_prefix(c->err, where);
    }
    return rc;
}

static int positive(struct onnx_ctx *c, const struct ovalue *v)
{
    for (int i = 0; i < v->shape.rank; i++)
        if (v->shape.d[i] < 1)
            return onnx_fail(c, ERR_SCHEMA, "input '%s' has an empty dimension %d", v->name,
                             i);
    return 0;
}

static int conv(struct onnx_ctx *c)
{
    struct ovalue *x, *w;
    int64_t group, ks[ONNX_MAX_RANK];
    int nk, rc;
    if ((rc = onnx_input(c, 0, true, &x)) < 0 || (rc = onnx_input(c, 1, true, &w)) < 0)
        return rc;
    if (!x || !w)
        return onnx_fail(c, ERR_SCHEMA, "expected an input and a weight");
    int r = x->shape.rank;
    if (r != 3 && r != 4)
        return onnx_fail(c, ERR_SCHEMA, "only 1-D and 2-D convolutions are supported; the "
                         "input '%s' has rank %d", x->name, r);
    if (w->shape.rank != r)
        return onnx_fail(c, ERR_SCHEMA, "the weight '%s' has rank %d, expected %d", w->name,
                         w->shape.rank, r);
    if ((rc = positive(c, x)) < 0 || (rc = positive(c, w)) < 0 ||
        (rc = onnx_attr_int(c, "group", 1, &group)) < 0 ||
        (rc = onnx_attr_ints(c, "kernel_shape", ONNX_MAX_RANK, ks, &nk)) < 0)
        return rc;
    int64_t C = x->shape.d[1], K = w->shape.d[0];
    if (group < 1 || C != w->shape.d[1] * group || K % group != 0)
        return onnx_fail(c, ERR_SCHEMA, "group %lld does not fit %lld input channels, a "
                         "weight of %lld x %lld channels", (long long)group, (long long)C,
                         (long long)K, (long long)w->shape.d[1]);
    for (int i = 0; nk >= 0 && i < r - 2; i++)
        if (nk != r - 2 || ks[i] != w->shape.d[2 + i])
            return onnx_fail(c, ERR_SCHEMA, "kernel_shape disagrees with the weight '%s'",
                             w->name);
    struct owindow win;
    if ((rc = onnx_window(c, &x->shape, w->shape.d + 2, false, &win)) < 0)
        return rc;
    struct oshape out = { r, { x->shape.d[0], K } };
    for (int i = 0; i < win.n; i++)
        out.d[2 + i] = win.out[i];

    /* A 1-D convolution is a 2-D one of height 1. */
    int h = r == 4 ? 0 : -1, wd = r == 4 ? 1 : 0;
    struct import_layer l = import_layer_conv();
    l.N = layer_n(c, x->shape.d[0], 1);
    l.C = (uint64_t)C;
    l.K = (uint64_t)K;
    l.groups = (uint64_t)group;
    l.H = h < 0 ? 1 : (uint64_t)x->shape.d[2 + h];
    l.W = (uint64_t)x->shape.d[2 + wd];
    l.P = h < 0 ? 1 : (uint64_t)win.out[h];
    l.Q = (uint64_t)win.out[wd];
    l.R = h < 0 ? 1 : (uint64_t)win.k[h];
    l.S = (uint64_t)win.k[wd];
    l.stride_h = h < 0 ? 1 : (uint64_t)win.s[h];
    l.stride_w = (uint64_t)win.s[wd];
    l.dilation_h = h < 0 ? 1 : (uint64_t)win.d[h];
    l.dilation_w = (uint64_t)win.d[wd];
    l.pad_h = h < 0 ? 0 : (uint64_t)win.p0[h];
    l.pad_w = (uint64_t)win.p0[wd];
    /* Our pads are symmetric: other pads are stated through P and Q, as
     * ONNX computes them. */
    l.by_output = (h >= 0 && win.p0[h] != win.p1[h]) || win.p0[wd] != win.p1[wd];
    if ((rc = add_layer(c, &l)) < 0)
        return rc;
    return onnx_output(c, 0, &out, NULL);
}

static int fc(struct onnx_ctx *c, int64_t lead, int64_t rest, int64_t in, int64_t out)
{
    struct import_layer l = import_layer_conv();
    l.type = LAYER_FC;
    l.N = layer_n(c, lead, rest);
    l.C = (uint64_t)in;
    l.K = (uint64_t)out;
    return add_layer(c, &l);
}

static int no_weights(struct onnx_ctx *c)
{
    return import_net_note(c->net, c->err, "%s: no constant weights, not a layer (its MACs "
                           "are not counted)", c->label);
}

static int gemm(struct onnx_ctx *c)
{
    struct ovalue *a, *b;
    int64_t ta, tb;
    int rc;
    if ((rc = onnx_input(c, 0, true, &a)) < 0 || (rc = onnx_input(c, 1, true, &b)) < 0 ||
        (rc = onnx_attr_int(c, "transA", 0, &ta)) < 0 ||
        (rc = onnx_attr_int(c, "transB", 0, &tb)) < 0)
        return rc;
    if (!a || !b || a->shape.rank != 2 || b->shape.rank != 2)
        return onnx_fail(c, ERR_SCHEMA, "expected two inputs of rank 2");
    if ((rc = positive(c, a)) < 0 || (rc = positive(c, b)) < 0)
        return rc;
    int64_t m = a->shape.d[ta ? 1 : 0], k = a->shape.d[ta ? 0 : 1];
    int64_t kb = b->shape.d[tb ? 1 : 0], n = b->shape.d[tb ? 0 : 1];
    if (k != kb)
        return onnx_fail(c, ERR_SCHEMA, "inner dimensions differ: %lld and %lld",
                         (long long)k, (long long)kb);
    rc = b->constant ? fc(c, m, 1, k, n) : no_weights(c);
    struct oshape out = { 2, { m, n } };
    return rc < 0 ? rc : onnx_output(c, 0, &out, NULL);
}

static int matmul(struct onnx_ctx *c)
{
    struct ovalue *a, *b;
    int rc;
    if ((rc = onnx_input(c, 0, true, &a)) < 0 || (rc = onnx_input(c, 1, true, &b)) < 0)
        return rc;
    if (!a || !b || a->shape.rank < 1 || b->shape.rank < 1)
        return onnx_fail(c, ERR_SCHEMA, "expected two inputs of rank 1 or more");
    if ((rc = positive(c, a)) < 0 || (rc = positive(c, b)) < 0)
        return rc;
    /* numpy.matmul: a vector is a matrix of one row (a) or column (b). */
    struct oshape sa = a->shape, sb = b->shape, out = { 0, { 0 } };
    if (sa.rank == 1)
        sa = (struct oshape){ 2, { 1, a->shape.d[0] } };
    if (sb.rank == 1)
        sb = (struct oshape){ 2, { b->shape.d[0], 1 } };
    int64_t k = sa.d[sa.rank - 1], kb = sb.d[sb.rank - 2];
    if (k != kb)
        return onnx_fail(c, ERR_SCHEMA, "inner dimensions differ: %lld and %lld",
                         (long long)k, (long long)kb);
    int batch = (sa.rank > sb.rank ? sa.rank : sb.rank) - 2;
    for (int i = 0; i < batch; i++) {
        int ia = i - (batch - (sa.rank - 2)), ib = i - (batch - (sb.rank - 2));
        int64_t da = ia >= 0 ? sa.d[ia] : 1, db = ib >= 0 ? sb.d[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return onnx_fail(c, ERR_SCHEMA, "batch dimensions do not broadcast");
        out.d[out.rank++] = da == 1 ? db : da;
    }
    if (a->shape.rank > 1)
        out.d[out.rank++] = sa.d[sa.rank - 2];
    if (b->shape.rank > 1)
        out.d[out.rank++] = sb.d[sb.rank - 1];
    if (b->constant && b->shape.rank == 2) {
        /* Every row of a (every sample, every token) meets the weights. */
        int64_t rest = 1;
        for (int i = 1; i < a->shape.rank - 1; i++) {
            rest *= a->shape.d[i];   /* both below 2^31 + 1 */
            if (rest > (int64_t)IMPORT_INT_MAX)
                rest = (int64_t)IMPORT_INT_MAX + 1;
        }
        rc = fc(c, a->shape.rank > 1 ? a->shape.d[0] : 1, rest, k, sb.d[1]);
    } else {
        rc = no_weights(c);
    }
    return rc < 0 ? rc : onnx_output(c, 0, &out, NULL);
}

/* ---- the graph --------------------------------------------------------- */

static const char *const mac_ops[] = {
    "ConvTranspose", "ConvInteger", "QLinearConv", "MatMulInteger", "QLinearMatMul",
    "DeformConv", "Einsum", "LSTM", "GRU", "RNN", NULL,
};

static void set_label(struct onnx_ctx *c, int i, const Onnx__NodeProto *n)
{
    c->node = n;
    c->node_index = i;
    c->propagate = 0;
    c->why[0] = '\0';
    const char *op = n->op_type ? n->op_type : "";
    if (n->name && n->name[0])
        snprintf(c->label, sizeof c->label, "node '%s' (%s)", n->name, op);
    else
        snprintf(c->label, sizeof c->label, "node #%d (%s)", i, op);
}

static int new_block(struct onnx_ctx *c, const char *why, bool quiet)
{
    if (c->nblocks == c->blocks_cap) {
        int cap = c->blocks_cap ? 2 * c->blocks_cap : 8;
        struct oblock *b = realloc(c->blocks, (size_t)cap * sizeof *b);
        if (!b)
            return err_set(c->err, ERR_NOMEM, "out of memory");
        c->blocks = b;
        c->blocks_cap = cap;
    }
    struct oblock *b = &c->blocks[c->nblocks++];
    snprintf(b->label, sizeof b->label, "%s", c->label);
    snprintf(b->why, sizeof b->why, "%s", why);
    b->quiet = quiet;
    return c->nblocks;
}

/* Marks every output the node left undefined as blocked: by block (when
 * nonzero) or by a new one saying why. */
static int block_outputs(struct onnx_ctx *c, int block, const char *why, bool quiet)
{
    for (size_t i = 0; i < c->node->n_output; i++) {
        const char *name = c->node->output[i];
        if (!name[0] || onnx_value_find(c, name) >= 0)
            continue;
        if (!block && (block = new_block(c, why, quiet)) < 0)
            return block;
        int k = onnx_value_new(c, name);
        if (k < 0)
            return err_set(c->err, ERR_NOMEM, "out of memory");
        c->values[k].block = block;
    }
    return 0;
}

static int visit(struct onnx_ctx *c)
{
    const Onnx__NodeProto *n = c->node;
    const char *op = n->op_type;
    if (!op || !op[0])
        return onnx_fail(c, ERR_SCHEMA, "no op_type");
    bool std = !n->domain || !n->domain[0] || strcmp(n->domain, "ai.onnx") == 0;
    c->is_layer = std && (strcmp(op, "Conv") == 0 || strcmp(op, "Gemm") == 0 ||
                          strcmp(op, "MatMul") == 0);
    int rc = 0;
    bool known = false;
    /* Operators with MACs that are not layers here: said loudly, and what
     * depends on their shapes stops there. */
    for (const char *const *m = mac_ops; std && *m; m++)
        if (strcmp(op, *m) == 0)
            return (rc = import_net_note(c->net, c->err, "%s: carries MACs but is not "
                                         "imported (only Conv, Gemm and MatMul are); its MACs "
                                         "are not counted", c->label)) < 0
                   ? rc : block_outputs(c, 0, "its output shape is not inferred", true);
    if (c->is_layer) {
        rc = op[0] == 'C' ? conv(c) : op[0] == 'G' ? gemm(c) : matmul(c);
    } else if (std) {
        rc = onnx_infer_other(c, &known);
        int rs = rc >= 0 && known ? import_net_skip(c->net, op, c->err) : 0;
        rc = rs < 0 ? rs : rc;
    }
    if (rc < 0)
        return rc;
    if (!c->is_layer && !known)
        return block_outputs(c, 0, "the operator is not supported", false);
    if (rc == ONNX_BLOCK)
        return block_outputs(c, c->propagate, c->why, false);
    return block_outputs(c, 0, "this output is not inferred", true);
}

/* A value for each initializer and each graph input that is not one. */
static int add_sources(struct onnx_ctx *c, const Onnx__GraphProto *g, bool *batch_fixed)
{
    snprintf(c->label, sizeof c->label, "graph");
    for (size_t i = 0; i < g->n_initializer; i++) {
        const Onnx__TensorProto *t = g->initializer[i];
        if (t->name && onnx_value_find(c, t->name) >= 0)
            return err_set(c->err, ERR_SCHEMA, "%s: initializer '%s' is defined twice",
                           c->file, t->name);
        int k = t->name ? onnx_value_new(c, t->name) : -1;
        if (k < 0)
            return t->name ? err_set(c->err, ERR_NOMEM, "out of memory")
                           : err_set(c->err, ERR_SCHEMA, "%s: initializer %zu has no name",
                                     c->file, i);
        struct ovalue *v = &c->values[k];
        for (size_t d = 0; d < t->n_dims; d++)
            if (t->dims[d] < 0 || t->dims[d] > (int64_t)IMPORT_INT_MAX)
                return err_set(c->err, ERR_SCHEMA, "%s: initializer '%s': dimension %zu = "
                               "%lld is out of range", c->file, t->name, d,
                               (long long)t->dims[d]);
        v->constant = v->known = t->n_dims <= ONNX_MAX_RANK;
        if (!v->known && (v->block = new_block(c, "an initializer of rank above 8",
                                               false)) < 0)
            return v->block;
        v->shape.rank = (int)t->n_dims;
        for (size_t d = 0; d < t->n_dims && v->known; d++)
            v->shape.d[d] = t->dims[d];
        v->ndata = onnx_tensor_ints(t, v->data);
    }
    bool first = true;
    for (size_t i = 0; i < g->n_input; i++) {
        const Onnx__ValueInfoProto *in = g->input[i];
        if (!in->name || onnx_value_find(c, in->name) >= 0)
            continue;   /* an initializer listed as an input (IR < 4) */
        int k = onnx_value_new(c, in->name);
        if (k < 0)
            return err_set(c->err, ERR_NOMEM, "out of memory");
        snprintf(c->label, sizeof c->label, "graph input '%s'", in->name);
        const Onnx__TypeProto *t = in->type;
        const Onnx__TensorShapeProto *s =
            t && t->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE && t->tensor_type
                ? t->tensor_type->shape : NULL;
        char why[200] = "";
        struct ovalue *v = &c->values[k];
        if (!s || s->n_dim > ONNX_MAX_RANK)
            snprintf(why, sizeof why, "no tensor shape of rank 8 or less is given");
        for (size_t d = 0; s && !why[0] && d < s->n_dim; d++) {
            const Onnx__TensorShapeProto__Dimension *dim = s->dim[d];
            bool fixed = dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            if (fixed && (dim->dim_value < 1 || dim->dim_value > (int64_t)IMPORT_INT_MAX))
                return err_set(c->err, ERR_SCHEMA, "%s: %s: dimension %zu = %lld is out of "
                               "range", c->file, c->label, d, (long long)dim->dim_value);
            if (!fixed && d > 0)
                snprintf(why, sizeof why, "dimension %zu is symbolic ('%s')", d,
                         dim->value_case ? dim->dim_param : "");
            v->shape.d[d] = fixed ? dim->dim_value : 1;
            if (d == 0 && first) {
                *batch_fixed = fixed;
                c->model_batch = v->shape.d[0];
            }
        }
        if (s && s->n_dim > 0)
            first = false;
        v->shape.rank = s ? (int)s->n_dim : 0;
        v->known = !why[0];
        if (why[0] && (v->block = new_block(c, why, false)) < 0)
            return v->block;
    }
    return 0;
}

static int walk(struct onnx_ctx *c, const Onnx__ModelProto *m, const struct import_opts *o)
{
    const Onnx__GraphProto *g = m->graph;
    bool batch_fixed = false;
    int rc = add_sources(c, g, &batch_fixed);
    if (rc < 0)
        return rc;
    c->net->batch = o->batch ? o->batch : batch_fixed ? (uint64_t)c->model_batch : 1;
    for (size_t i = 0; i < g->n_node; i++) {
        set_label(c, (int)i, g->node[i]);
        if ((rc = visit(c)) < 0)
            return rc;
    }
    for (int i = 0; i < c->nblocks; i++)
        if (!c->blocks[i].quiet &&
            (rc = import_net_note(c->net, c->err, "%s: %s; no layer needs its output",
                                  c->blocks[i].label, c->blocks[i].why)) < 0)
            return rc;
    return 0;
}

int import_onnx_parse(const char *name, const uint8_t *data, size_t len,
                      const struct import_opts *opts, struct import_net *net,
                      struct err *err)
{
    int rc;
    if ((rc = check_magic(name, data, len, err)) < 0 ||
        (rc = scan_fields(name, data, len, 0, model_fields, err)) < 0 ||
        (rc = import_net_set_name(net, opts, name, err)) < 0)
        return rc;
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, data);
    if (!m)
        return err_set(err, ERR_SCHEMA, "%s: not a valid ONNX model (the protobuf does not "
                       "decode)", name);
    if (!m->graph) {
        rc = err_set(err, ERR_SCHEMA, "%s: not an ONNX model (it has no graph)", name);
        goto out_free_model;
    }
    int64_t opset = 0;
    for (size_t i = 0; i < m->n_opset_import; i++)
        if (!m->opset_import[i]->domain || !m->opset_import[i]->domain[0])
            opset = m->opset_import[i]->version;
    const char *base = strrchr(name, '/');
    snprintf(net->source, sizeof net->source, "%s (ONNX, opset %lld)", base ? base + 1 : name,
             (long long)opset);
    struct onnx_ctx c;
    memset(&c, 0, sizeof c);
    c.file = name;
    c.err = err;
    c.net = net;
    c.model_batch = 1;
    rc = walk(&c, m, opts);
    free(c.values);
    free(c.slots);
    free(c.blocks);
out_free_model:
    onnx__model_proto__free_unpacked(m, NULL);
    return rc;
}

int import_onnx(const char *path, const struct import_opts *opts,
                struct import_net *net, struct err *err)
{
    char *data;
    size_t len;
    int rc = import_read_file(path, IMPORT_ONNX_MAX_BYTES, &data, &len, err);
    if (rc < 0)
        return rc;
    rc = import_onnx_parse(path, (const uint8_t *)data, len, opts, net, err);
    free(data);
    return rc;
}
