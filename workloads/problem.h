/*
 * problem: one kernel of one layer, as data.
 *
 * A problem is a loop nest over up to eight dims with three tensors, each
 * tensor indexed by affine projections of the dims.  Everything downstream
 * of workloads/ (the model, the mapper, the reports) works on this general
 * form and never special-cases convolution: the training kernels are
 * derived in workloads/ by reassigning tensor roles over the same iteration
 * space.
 *
 * Streaming kernels (the weight update, im2col, col2im) have no loop nest to
 * map; they are described by the words they read and write (struct stream).
 *
 * Plain values: no pointers, freely copied, safe to share between threads.
 */
#ifndef TRAINMAP_PROBLEM_H
#define TRAINMAP_PROBLEM_H

#include <stdbool.h>
#include <stdint.h>

/* Loop dims, in the order used everywhere (letters "NKCPQRSG"). */
enum dim { DIM_N, DIM_K, DIM_C, DIM_P, DIM_Q, DIM_R, DIM_S, DIM_G, DIM_COUNT };

/* Hardware buffer slots, named after the forward pass. */
enum slot { SLOT_WEIGHTS, SLOT_INPUTS, SLOT_OUTPUTS, SLOT_COUNT };

enum kernel {
    KERNEL_FWD,
    KERNEL_BWD_DATA,
    KERNEL_BWD_WEIGHT,
    KERNEL_UPDATE,
    KERNEL_IM2COL, /* builds the lowered input matrix (im2col lowering) */
    KERNEL_COL2IM, /* folds the lowered data gradient back (im2col lowering) */
    KERNEL_COUNT
};

#define TENSOR_MAX_RANK 6
#define PROBLEM_NAME_MAX 64
#define STREAM_MAX_TENSORS 6

/* One index of a tensor: sum over dims of coef[d] * d. */
struct projection {
    int32_t coef[DIM_COUNT];
};

struct tensor_spec {
    char name[8];       /* "W", "I", "O", "dO", "dI", "dW", "I_col", ... */
    int rank;
    struct projection index[TENSOR_MAX_RANK];
};

/* A tensor a streaming kernel touches: read once and/or written once. */
struct stream_tensor {
    char name[8];
    enum slot slot;     /* it flows through the levels that keep this slot */
    uint64_t words;
    bool read, written;
};

struct stream {
    int ntensors;
    struct stream_tensor tensor[STREAM_MAX_TENSORS];
    uint64_t ops;       /* MAC-equivalent operations */
};

struct problem {
    char layer[PROBLEM_NAME_MAX];
    enum kernel kernel;
    bool is_stream;             /* true: no loop nest, see stream */
    uint64_t bound[DIM_COUNT];  /* each >= 1; 1 for an absent dim */
    /* Tensors by slot; tensor[SLOT_OUTPUTS] is the read-write result. */
    struct tensor_spec tensor[SLOT_COUNT];
    /* The slots in the order of the forward problem's data spaces (the
     * weight-, input- and output-shaped tensor), where an order matters:
     * per-level bandwidth demands are summed in this order (MODEL.md R10). */
    uint8_t shape_order[SLOT_COUNT];
    uint64_t macs;              /* product of the bounds (or stream.ops) */
    struct stream stream;       /* valid when is_stream */
};

/* "fwd", "bwd_data", "bwd_weight", "update", "im2col", "col2im". */
const char *kernel_name(enum kernel k);
/* Parses a kernel name; returns -1 when unknown. */
int kernel_from_name(const char *name);
/* "weights", "inputs", "outputs". */
const char *slot_name(enum slot s);
int slot_from_name(const char *name);
/* The dim's letter: 'N', 'K', ... ; dim_from_letter returns -1 if unknown. */
char dim_letter(enum dim d);
int dim_from_letter(char c);
/* The dims' letters, for messages. */
#define DIM_LIST "N, K, C, P, Q, R, S, G"

struct err;
/* Reads s, a string of distinct dim letters (a loop order, outermost
 * first), into dims[0 .. *ndims - 1].  Returns 0, or ERR_SCHEMA with err
 * naming file and path, the unknown letter (or byte) or the repeated one. */
int dims_from_letters(const char *s, const char *file, const char *path,
                      uint8_t dims[DIM_COUNT], int *ndims, struct err *err);

/* True when the tensor's index depends on dim d. */
bool tensor_uses_dim(const struct tensor_spec *t, enum dim d);

/* Words of the box tensor t spans when every dim d takes ext[d] values
 * (MODEL.md R1: per index, sum of |coef| * (ext - 1), plus 1; strided gaps
 * count).  Unchecked: callers keep ext within the bounds of a problem whose
 * tensor sizes were checked when it was derived. */
uint64_t tensor_box_words(const struct tensor_spec *t, const uint64_t *ext);

/* Words of tensor t over the whole problem (product of its index extents,
 * R1's formula with every dim at its bound).  Returns false on overflow. */
bool problem_tensor_words(const struct problem *p, enum slot s, uint64_t *words);

/* True when a and b are the same problem apart from the layer's name (same
 * kernel, bounds, tensor indices or stream): a search of one answers for
 * the other. */
bool problem_same_shape(const struct problem *a, const struct problem *b);

#endif
