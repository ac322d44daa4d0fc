/*
 * import_onnx_ops: what the ONNX importer's three source files share (the
 * graph walk in import_onnx.c, the shape inference of the operators that
 * carry no MACs in import_onnx_ops.c, the values, inputs, outputs and
 * attributes they read and write in import_onnx_values.c).  Not part of the interface:
 * everything outside workloads/ uses import_onnx.h.
 *
 * Every tensor of the graph is a value: its shape once known and, for small
 * int64 tensors whose contents are known (shape arithmetic such as
 * Shape -> Gather -> Concat -> Reshape), their contents.  A value whose shape
 * cannot be inferred is blocked, and remembers the node that first blocked
 * the inference, so that a layer that needs it can name that node.
 */
#ifndef TRAINMAP_IMPORT_ONNX_OPS_H
#define TRAINMAP_IMPORT_ONNX_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "onnx.pb-c.h"

#include "../common/err.h"
#include "import_net.h"

#define ONNX_MAX_RANK 8
#define ONNX_MAX_DATA 16
/* A handler's return when it cannot infer its outputs (not an error). */
#define ONNX_BLOCK 1

struct oshape {
    int rank;
    int64_t d[ONNX_MAX_RANK];
};

struct ovalue {
    const char *name;        /* points into the unpacked model */
    bool known;              /* shape known */
    int block;               /* blocked: 1 + index into onnx_ctx.blocks; else 0 */
    bool constant;           /* an initializer or a Constant's output */
    struct oshape shape;
    int ndata;               /* contents known: element count; else -1 */
    int64_t data[ONNX_MAX_DATA];
};

/* A node that could not infer its outputs, and why. */
struct oblock {
    char label[200];         /* "node 'up1' (Resize)" */
    char why[200];
    bool quiet;              /* an output nobody is expected to use */
};

struct onnx_ctx {
    const char *file;
    struct err *err;
    struct import_net *net;
    struct ovalue *values;
    int nvalues, cap;
    int *slots;              /* hash of value names -> index + 1 */
    int nslots;
    struct oblock *blocks;
    int nblocks, blocks_cap;
    int64_t model_batch;     /* the batch the model's shapes are stated for */
    /* The node being inferred. */
    const Onnx__NodeProto *node;
    int node_index;
    char label[200];
    bool is_layer;           /* a blocked input is an error, not a block */
    int propagate;           /* the block a blocked input carries, or 0 */
    char why[200];           /* set by onnx_block */
};

/* The value named name: its index, or -1. */
int onnx_value_find(const struct onnx_ctx *c, const char *name);
/* Defines a new value (shape unknown, not blocked, no contents).  Returns
 * its index, or ERR_NOMEM (err not filled: the caller says where). */
int onnx_value_new(struct onnx_ctx *c, const char *name);

/* The sliding window of a Conv or pooling node over input shape x (N, C,
 * spatial...): kernel extents from the caller, strides, dilations, pads and
 * auto_pad from the node's attributes. */
struct owindow {
    int n;                   /* spatial dims */
    int64_t k[ONNX_MAX_RANK], s[ONNX_MAX_RANK], d[ONNX_MAX_RANK];
    int64_t p0[ONNX_MAX_RANK], p1[ONNX_MAX_RANK];   /* pads before, after */
    int64_t out[ONNX_MAX_RANK];
};
int onnx_window(struct onnx_ctx *c, const struct oshape *x, const int64_t *kernel,
                bool ceil_mode, struct owindow *w);

/* Fails with "FILE: LABEL: message" (the current node's label). */
int onnx_fail(struct onnx_ctx *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records why the current node cannot infer its outputs; returns
 * ONNX_BLOCK. */
int onnx_block(struct onnx_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Input i of the current node: *out is NULL when the node has no input i
 * (or it is the empty name of an omitted optional input).  Fails when the
 * name is not defined; returns ONNX_BLOCK when it is blocked (an error for
 * layers).  With need_shape false a blocked input is returned as is. */
int onnx_input(struct onnx_ctx *c, int i, bool need_shape, struct ovalue **out);

/* Defines output i of the current node with shape s (and no contents);
 * *out (may be NULL) gets the value.  Fails when a dimension exceeds
 * IMPORT_INT_MAX or the name is defined twice. */
int onnx_output(struct onnx_ctx *c, int i, const struct oshape *s, struct ovalue **out);

/* Attributes of the current node.  Absent: 0 and the default (ints: *n =
 * -1).  Of the wrong type, or out of range: an error naming it. */
int onnx_attr_int(struct onnx_ctx *c, const char *name, int64_t dflt, int64_t *v);
int onnx_attr_ints(struct onnx_ctx *c, const char *name, int max, int64_t *v, int *n);
int onnx_attr_string(struct onnx_ctx *c, const char *name, const char *dflt,
                     char *out, size_t cap);
const Onnx__AttributeProto *onnx_attr(const struct onnx_ctx *c, const char *name);

/* The int64 contents of a tensor when it has at most ONNX_MAX_DATA of them:
 * returns the count, or -1. */
int onnx_tensor_ints(const Onnx__TensorProto *t, int64_t *out);

/*
 * Infers the outputs of the current node when it is an operator without
 * MACs.  Returns 0 with *known false when the operator is not one of them,
 * 0 (outputs defined), ONNX_BLOCK, or a negative error.
 */
int onnx_infer_other(struct onnx_ctx *c, bool *known);

#endif
