/*
 * import_onnx_ops: shape inference for the ONNX operators that carry no
 * MACs; see import_onnx_ops.h.
 *
 * Each operator follows the shape rules of the ONNX operator reference
 * (onnx/docs/Operators.md); attributes that later opsets moved to inputs
 * (axes, pads, split) are read from either place.  Anything not covered
 * blocks inference instead of guessing.
 */
#include "import_onnx_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- operators --------------------------------------------------------- */

static int64_t product(const struct oshape *s, int from, int to)
{
    int64_t p = 1;   /* dims are at most 2^31 - 1: p stays below 2^62 */
    for (int i = from; i < to; i++) {
        p *= s->d[i];
        if (p > (int64_t)IMPORT_INT_MAX)
            p = (int64_t)IMPORT_INT_MAX + 1;
    }
    return p;
}

/* An axis attribute or list entry normalized against rank. */
static int axis_of(struct onnx_ctx *c, int64_t a, int rank, int64_t *out)
{
    if (a < -rank || a >= rank)
        return onnx_fail(c, ERR_SCHEMA, "axis %lld is out of range for rank %d",
                         (long long)a, rank);
    *out = a < 0 ? a + rank : a;
    return 0;
}

/* A list from attribute name, or else from the contents of input i.  *n
 * is -1 when neither is given; a non-constant input blocks. */
static int ints_from(struct onnx_ctx *c, const char *name, int i, int64_t *v, int *n)
{
    int rc = onnx_attr_ints(c, name, ONNX_MAX_DATA, v, n);
    struct ovalue *in;
    if (rc < 0 || *n >= 0 || (rc = onnx_input(c, i, false, &in)) < 0 || !in)
        return rc;
    if (in->ndata < 0)
        return onnx_block(c, "its %s input '%s' is not a constant", name, in->name);
    memcpy(v, in->data, (size_t)in->ndata * sizeof *v);
    *n = in->ndata;
    return 0;
}

static int set_data(struct onnx_ctx *c, struct ovalue *out, const int64_t *data, int n)
{
    (void)c;
    if (out && n >= 0 && n <= ONNX_MAX_DATA) {
        memcpy(out->data, data, (size_t)n * sizeof *data);
        out->ndata = n;
    }
    return 0;
}

static int same_shape(struct onnx_ctx *c, const char *op)
{
    struct ovalue *x, *y;
    int rc = onnx_input(c, 0, true, &x);
    if (rc || !x)
        return rc ? rc : onnx_block(c, "no input");
    if ((rc = onnx_output(c, 0, &x->shape, &y)) < 0)
        return rc;
    if (strcmp(op, "Dropout") == 0 && (rc = onnx_output(c, 1, &x->shape, NULL)) < 0)
        return rc;
    if (strcmp(op, "Identity") == 0 || strcmp(op, "Cast") == 0)
        set_data(c, y, x->data, x->ndata);
    return 0;
}

static int broadcast(struct onnx_ctx *c)
{
    struct oshape s = { 0, { 0 } };
    for (int i = 0; i < (int)c->node->n_input; i++) {
        struct ovalue *v;
        int rc = onnx_input(c, i, true, &v);
        if (rc)
            return rc;
        if (!v)
            continue;
        const struct oshape *t = &v->shape;
        struct oshape r = { t->rank > s.rank ? t->rank : s.rank, { 0 } };
        for (int k = 0; k < r.rank; k++) {
            int ka = k - (r.rank - s.rank), kb = k - (r.rank - t->rank);
            int64_t a = ka >= 0 ? s.d[ka] : 1, b = kb >= 0 ? t->d[kb] : 1;
            if (a != b && a != 1 && b != 1)
                return onnx_fail(c, ERR_SCHEMA, "input shapes do not broadcast (%lld and "
                                 "%lld along one axis)", (long long)a, (long long)b);
            r.d[k] = a == 1 ? b : a;
        }
        s = r;
    }
    return onnx_output(c, 0, &s, NULL);
}

static int pool(struct onnx_ctx *c, bool global)
{
    struct ovalue *x;
    int rc = onnx_input(c, 0, true, &x);
    if (rc || !x)
        return rc ? rc : onnx_block(c, "no input");
    if (x->shape.rank < 3)
        return onnx_fail(c, ERR_SCHEMA, "expected an input of rank 3 or more, got %d",
                         x->shape.rank);
    struct oshape s = x->shape;
    if (global) {
        for (int i = 2; i < s.rank; i++)
            s.d[i] = 1;
        return onnx_output(c, 0, &s, NULL);
    }
    int64_t k[ONNX_MAX_RANK], ceil_mode;
    int nk;
    struct owindow w;
    if ((rc = onnx_attr_ints(c, "kernel_shape", ONNX_MAX_RANK, k, &nk)) < 0 ||
        (rc = onnx_attr_int(c, "ceil_mode", 0, &ceil_mode)) < 0)
        return rc;
    if (nk != s.rank - 2)
        return onnx_fail(c, ERR_SCHEMA, "kernel_shape: expected %d values, got %d",
                         s.rank - 2, nk < 0 ? 0 : nk);
    if ((rc = onnx_window(c, &x->shape, k, ceil_mode != 0, &w)) < 0)
        return rc;
    for (int i = 0; i < w.n; i++)
        s.d[2 + i] = w.out[i];
    if ((rc = onnx_output(c, 0, &s, NULL)) < 0)
        return rc;
    return onnx_output(c, 1, &s, NULL);   /* MaxPool's indices */
}

static int flatten(struct onnx_ctx *c)
{
    struct ovalue *x;
    int64_t axis;
    int rc = onnx_input(c, 0, true, &x);
    if (rc || !x || (rc = onnx_attr_int(c, "axis", 1, &axis)) < 0)
        return rc ? rc : onnx_block(c, "no input");
    if (axis != x->shape.rank && (rc = axis_of(c, axis, x->shape.rank, &axis)) < 0)
        return rc;
    struct oshape s = { 2, { product(&x->shape, 0, (int)axis),
                             product(&x->shape, (int)axis, x->shape.rank) } };
    return onnx_output(c, 0, &s, NULL);
}

static int reshape(struct onnx_ctx *c)
{
    struct ovalue *x, *shape, *y;
    int64_t allowzero;
    int rc = onnx_input(c, 0, true, &x);
    if (rc || !x || (rc = onnx_input(c, 1, false, &shape)) < 0 || !shape ||
        (rc = onnx_attr_int(c, "allowzero", 0, &allowzero)) < 0)
        return rc ? rc : onnx_block(c, "no shape input");
    if (shape->ndata < 0 || shape->ndata > ONNX_MAX_RANK)
        return onnx_block(c, "its shape input '%s' is not a constant", shape->name);
    struct oshape s = { shape->ndata, { 0 } };
    int infer = -1;
    int64_t known = 1, total = product(&x->shape, 0, x->shape.rank);
    for (int i = 0; i < s.rank; i++) {
        int64_t d = shape->data[i];
        if (d == 0 && !allowzero) {
            if (i >= x->shape.rank)
                return onnx_fail(c, ERR_SCHEMA, "shape entry %d is 0 but the input has "
                                 "rank %d", i, x->shape.rank);
            d = x->shape.d[i];
        }
        if (d == -1 && infer < 0) {
            infer = i;
            continue;
        }
        if (d < 0 || d > (int64_t)IMPORT_INT_MAX)
            return onnx_fail(c, ERR_SCHEMA, "invalid shape entry %lld", (long long)d);
        s.d[i] = d;
        known = product(&s, i, i + 1) * known;
        if (known > (int64_t)IMPORT_INT_MAX)
            known = (int64_t)IMPORT_INT_MAX + 1;
    }
    if (infer >= 0)
        s.d[infer] = known ? total / known : 0;
    if (product(&s, 0, s.rank) != total)
        return onnx_fail(c, ERR_SCHEMA, "cannot reshape %lld elements to the shape given",
                         (long long)total);
    if ((rc = onnx_output(c, 0, &s, &y)) < 0)
        return rc;
    return set_data(c, y, x->data, x->ndata);
}

static int transpose(struct onnx_ctx *c)
{
    struct ovalue *x;
    int64_t perm[ONNX_MAX_RANK];
    int n, rc = onnx_input(c, 0, true, &x);
    if (rc || !x || (rc = onnx_attr_ints(c, "perm", ONNX_MAX_RANK, perm, &n)) < 0)
        return rc ? rc : onnx_block(c, "no input");
    struct oshape s = x->shape;
    if (n >= 0 && n != s.rank)
        return onnx_fail(c, ERR_SCHEMA, "perm: expected %d values, got %d", s.rank, n);
    for (int i = 0; i < s.rank; i++) {
        int64_t p = n < 0 ? s.rank - 1 - i : perm[i];
        if ((rc = axis_of(c, p, s.rank, &p)) < 0)
            return rc;
        s.d[i] = x->shape.d[p];
    }
    return onnx_output(c, 0, &s, NULL);
}

static int squeeze(struct onnx_ctx *c, bool un)
{
    struct ovalue *x, *y;
    int64_t axes[ONNX_MAX_DATA];
    int n, rc = onnx_input(c, 0, true, &x);
    if (rc || !x || (rc = ints_from(c, "axes", 1, axes, &n)) != 0)
        return rc ? rc : onnx_block(c, "no input");
    int rank = un ? x->shape.rank + (n < 0 ? 0 : n) : x->shape.rank;
    bool mark[ONNX_MAX_DATA + ONNX_MAX_RANK] = { false };
    if (un && (n < 0 || rank > ONNX_MAX_RANK))
        return onnx_block(c, "unsupported axes");
    for (int i = 0; i < n; i++) {
        if ((rc = axis_of(c, axes[i], rank, &axes[i])) < 0)
            return rc;
        if (mark[axes[i]])
            return onnx_fail(c, ERR_SCHEMA, "axis %lld is listed twice", (long long)axes[i]);
        mark[axes[i]] = true;
    }
    struct oshape s = { 0, { 0 } };
    for (int i = 0, j = 0; i < rank; i++) {
        if (un)
            s.d[s.rank++] = mark[i] ? 1 : x->shape.d[j++];
        else if (!(n < 0 ? x->shape.d[i] == 1 : mark[i]))
            s.d[s.rank++] = x->shape.d[i];
    }
    if ((rc = onnx_output(c, 0, &s, &y)) < 0)
        return rc;
    return set_data(c, y, x->data, x->ndata);
}

static int concat(struct onnx_ctx *c)
{
    int64_t axis, data[ONNX_MAX_DATA];
    int ndata = 0, rc = onnx_attr_int(c, "axis", 0, &axis);
    struct oshape s = { -1, { 0 } };
    for (int i = 0; rc == 0 && i < (int)c->node->n_input; i++) {
        struct ovalue *v;
        if ((rc = onnx_input(c, i, true, &v)) != 0 || !v)
            break;
        if (s.rank < 0) {
            s = v->shape;
            if ((rc = axis_of(c, axis, s.rank, &axis)) < 0)
                return rc;
            s.d[axis] = 0;
        }
        if (v->shape.rank != s.rank)
            return onnx_fail(c, ERR_SCHEMA, "inputs of ranks %d and %d", s.rank,
                             v->shape.rank);
        s.d[axis] += v->shape.d[axis];
        bool fits = v->ndata >= 0 && ndata >= 0 && ndata + v->ndata <= ONNX_MAX_DATA;
        if (fits)
            memcpy(data + ndata, v->data, (size_t)v->ndata * sizeof *data);
        ndata = fits ? ndata + v->ndata : -1;
    }
    if (rc || s.rank < 0)
        return rc ? rc : onnx_block(c, "no input");
    struct ovalue *y;
    if ((rc = onnx_output(c, 0, &s, &y)) < 0)
        return rc;
    return set_data(c, y, data, s.rank == 1 ? ndata : -1);
}

static int constant(struct onnx_ctx *c)
{
    const Onnx__AttributeProto *a = onnx_attr(c, "value");
    struct oshape s = { 0, { 0 } };
    int64_t data[ONNX_MAX_DATA];
    int ndata = -1, rc;
    if (a && a->t) {
        if (a->t->n_dims > ONNX_MAX_RANK)
            return onnx_block(c, "a constant of rank %zu", a->t->n_dims);
        s.rank = (int)a->t->n_dims;
        for (int i = 0; i < s.rank; i++)
            s.d[i] = a->t->dims[i];
        ndata = onnx_tensor_ints(a->t, data);
    } else if ((a = onnx_attr(c, "value_int")) != NULL) {
        data[0] = a->i;
        ndata = 1;
    } else if ((a = onnx_attr(c, "value_ints")) != NULL && a->n_ints <= ONNX_MAX_DATA) {
        s.rank = 1;
        s.d[0] = (int64_t)a->n_ints;
        for (size_t i = 0; i < a->n_ints; i++)
            data[i] = a->ints[i];
        ndata = (int)a->n_ints;
    } else if ((a = onnx_attr(c, "value_floats")) != NULL) {
        s.rank = 1;
        s.d[0] = (int64_t)a->n_floats;
    } else if (!onnx_attr(c, "value_float")) {
        return onnx_block(c, "a kind of constant that is not supported");
    }
    struct ovalue *y;
    if ((rc = onnx_output(c, 0, &s, &y)) < 0)
        return rc;
    y->constant = true;
    return set_data(c, y, data, ndata);
}

static int shape_of(struct onnx_ctx *c)
{
    struct ovalue *x, *y;
    int64_t start, end;
    int rc = onnx_input(c, 0, true, &x);
    if (rc || !x || (rc = onnx_attr_int(c, "start", 0, &start)) < 0 ||
        (rc = onnx_attr_int(c, "end", x->shape.rank, &end)) < 0)
        return rc ? rc : onnx_block(c, "no input");
    int r = x->shape.rank;
    start = start < 0 ? start + r : start;
    end = end < 0 ? end + r : end;
    start = start < 0 ? 0 : start > r ? r : start;
    end = end < start ? start : end > r ? r : end;
    struct oshape s = { 1, { end - start } };
    if ((rc = onnx_output(c, 0, &s, &y)) < 0)
        return rc;
    return set_data(c, y, x->shape.d + start, (int)(end - start));
}

static int gather(struct onnx_ctx *c)
{
    struct ovalue *x, *idx, *y;
    int64_t axis;
    int rc = onnx_input(c, 0, true, &x);
    if (rc || !x || (rc = onnx_input(c, 1, true, &idx)) != 0 || !idx ||
        (rc = onnx_attr_int(c, "axis", 0, &axis)) < 0 ||
        (rc = axis_of(c, axis, x->shape.rank, &axis)) < 0)
        return rc ? rc : onnx_block(c, "missing inputs");
    struct oshape s = { x->shape.rank - 1 + idx->shape.rank, { 0 } };
    if (s.rank > ONNX_MAX_RANK)
        return onnx_block(c, "an output of rank %d", s.rank);
    int k = 0;
    for (int i = 0; i < x->shape.rank; i++) {
        if (i == axis)
            for (int j = 0; j < idx->shape.rank; j++)
                s.d[k++] = idx->shape.d[j];
        else
            s.d[k++] = x->shape.d[i];
    }
    if ((rc = onnx_output(c, 0, &s, &y)) < 0)
        return rc;
    if (x->ndata < 0 || x->shape.rank != 1 || idx->ndata < 0)
        return 0;
    int64_t data[ONNX_MAX_DATA];
    for (int i = 0; i < idx->ndata; i++) {
        int64_t j = idx->data[i] < 0 ? idx->data[i] + x->ndata : idx->data[i];
        if (j < 0 || j >= x->ndata)
            return onnx_fail(c, ERR_SCHEMA, "index %lld is out of range",
                             (long long)idx->data[i]);
        data[i] = x->data[j];
    }
    return set_data(c, y, data, idx->ndata);
}

static int pad(struct onnx_ctx *c)
{
    struct ovalue *x, *axes;
    int64_t pads[ONNX_MAX_DATA];
    int n, rc = onnx_input(c, 0, true, &x);
    if (rc || !x || (rc = ints_from(c, "pads", 1, pads, &n)) != 0 ||
        (rc = onnx_input(c, 3, false, &axes)) < 0)
        return rc ? rc : onnx_block(c, "no input");
    struct oshape s = x->shape;
    if (axes || n != 2 * s.rank)
        return onnx_block(c, "pads for only some axes");
    for (int i = 0; i < s.rank; i++)
        s.d[i] += pads[i] + pads[s.rank + i];
    return onnx_output(c, 0, &s, NULL);
}

static int reduce(struct onnx_ctx *c, bool arg)
{
    struct ovalue *x;
    int64_t axes[ONNX_MAX_DATA], keep, noop, axis;
    int n, rc = onnx_input(c, 0, true, &x);
    if (rc || !x)
        return rc ? rc : onnx_block(c, "no input");
    if (arg) {
        rc = onnx_attr_int(c, "axis", 0, &axis);
        axes[0] = axis;
        n = 1;
    } else {
        rc = ints_from(c, "axes", 1, axes, &n);
    }
    if (rc || (rc = onnx_attr_int(c, "keepdims", 1, &keep)) < 0 ||
        (rc = onnx_attr_int(c, "noop_with_empty_axes", 0, &noop)) < 0)
        return rc;
    bool mark[ONNX_MAX_RANK] = { false };
    for (int i = 0; i < n; i++) {
        if ((rc = axis_of(c, axes[i], x->shape.rank, &axes[i])) < 0)
            return rc;
        mark[axes[i]] = true;
    }
    struct oshape s = { 0, { 0 } };
    for (int i = 0; i < x->shape.rank; i++) {
        bool reduced = n > 0 ? mark[i] : !noop;
        if (!reduced)
            s.d[s.rank++] = x->shape.d[i];
        else if (keep)
            s.d[s.rank++] = 1;
    }
    return onnx_output(c, 0, &s, NULL);
}

static int split(struct onnx_ctx *c)
{
    struct ovalue *x;
    int64_t axis, sizes[ONNX_MAX_DATA];
    int n, rc = onnx_input(c, 0, true, &x);
    if (rc || !x || (rc = onnx_attr_int(c, "axis", 0, &axis)) < 0 ||
        (rc = axis_of(c, axis, x->shape.rank, &axis)) < 0 ||
        (rc = ints_from(c, "split", 1, sizes, &n)) != 0)
        return rc ? rc : onnx_block(c, "no input");
    int outs = (int)c->node->n_output;
    if (outs == 0)
        return onnx_block(c, "no outputs");
    int64_t dim = x->shape.d[axis], sum = 0;
    if (n >= 0 && n != outs)
        return onnx_fail(c, ERR_SCHEMA, "split: %d sizes for %d outputs", n, outs);
    for (int i = 0; i < outs; i++) {
        int64_t each = (dim + outs - 1) / outs;
        struct oshape s = x->shape;
        s.d[axis] = n >= 0 ? sizes[i] : i + 1 < outs ? each : dim - each * (outs - 1);
        sum += s.d[axis];
        if ((rc = onnx_output(c, i, &s, NULL)) < 0)
            return rc;
    }
    if (sum != dim)
        return onnx_fail(c, ERR_SCHEMA, "split sizes add up to %lld, not %lld",
                         (long long)sum, (long long)dim);
    return 0;
}

static int slice(struct onnx_ctx *c)
{
    struct ovalue *x;
    int64_t st[ONNX_MAX_DATA], en[ONNX_MAX_DATA], ax[ONNX_MAX_DATA], sp[ONNX_MAX_DATA];
    int ns, ne, na, nsp, rc = onnx_input(c, 0, true, &x);
    if (rc || !x || (rc = ints_from(c, "starts", 1, st, &ns)) != 0 ||
        (rc = ints_from(c, "ends", 2, en, &ne)) != 0 ||
        (rc = ints_from(c, "axes", 3, ax, &na)) != 0 ||
        (rc = ints_from(c, "steps", 4, sp, &nsp)) != 0)
        return rc ? rc : onnx_block(c, "no input");
    if (ns < 0 || ne != ns || (na >= 0 && na != ns) || (nsp >= 0 && nsp != ns))
        return onnx_block(c, "starts, ends, axes and steps of different lengths");
    struct oshape s = x->shape;
    for (int i = 0; i < ns; i++) {
        int64_t a = na >= 0 ? ax[i] : i, step = nsp >= 0 ? sp[i] : 1;
        if ((rc = axis_of(c, a, s.rank, &a)) < 0)
            return rc;
        if (step == 0)
            return onnx_fail(c, ERR_SCHEMA, "a step of 0");
        int64_t dim = x->shape.d[a], b = st[i] < 0 ? st[i] + dim : st[i];
        int64_t e = en[i] < 0 ? en[i] + dim : en[i];
        int64_t lo = step > 0 ? 0 : -1, hi = step > 0 ? dim : dim - 1;
        b = b < lo ? lo : b > hi ? hi : b;
        e = e < lo ? lo : e > hi ? hi : e;
        int64_t len = step > 0 ? (e - b + step - 1) / step : (b - e - step - 1) / -step;
        s.d[a] = len < 0 ? 0 : len;
    }
    return onnx_output(c, 0, &s, NULL);
}

static const char *const unary_ops[] = {
    "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Sigmoid", "HardSigmoid",
    "HardSwish", "Tanh", "Softplus", "Softsign", "Softmax", "LogSoftmax", "Hardmax",
    "Clip", "Gelu", "Erf", "Exp", "Log", "Sqrt", "Reciprocal", "Neg", "Abs", "Floor",
    "Ceil", "Round", "Sign", "Not", "Sin", "Cos", "Mish", "ThresholdedRelu", "Shrink",
    "IsNaN", "IsInf", "BatchNormalization", "InstanceNormalization",
    "LayerNormalization", "GroupNormalization", "LpNormalization",
    "MeanVarianceNormalization", "LRN", "Dropout", "Identity", "Cast", "CastLike",
    "QuantizeLinear", "DequantizeLinear", NULL,
};
static const char *const broadcast_ops[] = {
    "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Equal", "Greater",
    "Less", "GreaterOrEqual", "LessOrEqual", "And", "Or", "Xor", "Mod", "BitShift",
    "Where", NULL,
};
static const char *const reduce_ops[] = {
    "ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceProd", "ReduceL1",
    "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare", NULL,
};

static bool listed(const char *const *list, const char *op)
{
    for (; *list; list++)
        if (strcmp(*list, op) == 0)
            return true;
    return false;
}

int onnx_infer_other(struct onnx_ctx *c, bool *known)
{
    const char *op = c->node->op_type;
    *known = true;
    if (listed(unary_ops, op))
        return same_shape(c, op);
    if (listed(broadcast_ops, op))
        return broadcast(c);
    if (listed(reduce_ops, op))
        return reduce(c, false);
    if (strcmp(op, "ArgMax") == 0 || strcmp(op, "ArgMin") == 0)
        return reduce(c, true);
    if (strcmp(op, "MaxPool") == 0 || strcmp(op, "AveragePool") == 0 ||
        strcmp(op, "LpPool") == 0)
        return pool(c, false);
    if (strncmp(op, "Global", 6) == 0 && strstr(op, "Pool"))
        return pool(c, true);
    static const struct { const char *op; int (*fn)(struct onnx_ctx *); } ops[] = {
        { "Flatten", flatten }, { "Reshape", reshape }, { "Transpose", transpose },
        { "Concat", concat }, { "Constant", constant }, { "Shape", shape_of },
        { "Gather", gather }, { "Pad", pad }, { "Split", split }, { "Slice", slice },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(op, ops[i].op) == 0)
            return ops[i].fn(c);
    if (strcmp(op, "Squeeze") == 0 || strcmp(op, "Unsqueeze") == 0)
        return squeeze(c, op[0] == 'U');
    *known = false;
    return 0;
}
