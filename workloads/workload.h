/*
 * workload: a network's layers, loaded from workload JSON, and the
 * training kernels derived from them as problems.
 *
 * This is the only module that knows what a convolution is.  Each layer
 * yields the forward pass (fwd), the data gradient (bwd_data), the weight
 * gradient (bwd_weight) and the weight update (update, a stream); with im2col
 * lowering the three conv kernels become GEMMs plus the im2col and col2im
 * streams.  The derived problems are plain data (problem.h).
 *
 * Ownership: workload_load returns a heap object released with
 * workload_free; problems are values the caller owns.
 */
#ifndef TRAINMAP_WORKLOAD_H
#define TRAINMAP_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "problem.h"

enum layer_type { LAYER_CONV, LAYER_FC };
enum optimizer { OPT_SGD, OPT_MOMENTUM, OPT_ADAM };
enum lowering { LOWER_NONE, LOWER_IM2COL };

struct layer {
    char name[PROBLEM_NAME_MAX];
    enum layer_type type;
    uint64_t N;              /* batch (the layer's own N or the workload's) */
    uint64_t C, K;           /* total input and output channels */
    uint64_t groups;         /* C and K are multiples of it */
    /* The input extent the kernels see: H = (P-1)*stride_h +
     * (R-1)*dilation_h + 1, and W likewise (MODEL.md R1: padding is not
     * modelled, the input tensor is the full box the windows span).  This
     * is not the H the file gives: P is derived from the file's H, pad and
     * filter, and H is then recomputed as the box, which is the padded
     * height less any trailing rows no window reaches (H 224, pad 1, 3x3:
     * P 224, H 226; H 56, pad 0, 1x1 stride 2: P 28, H 55).  fc layers
     * have H = W = 1. */
    uint64_t H, W;
    uint64_t P, Q;           /* output height and width */
    uint64_t R, S;           /* filter height and width */
    uint64_t stride_h, stride_w, dilation_h, dilation_w;
    uint64_t pad_h, pad_w;   /* as given (0 when absent); used only to derive P, Q */
    enum lowering lowering;  /* from the layer's "lowering" key */
};

struct workload {
    char name[PROBLEM_NAME_MAX];
    char *comment;           /* owned; NULL when absent */
    uint64_t batch;
    enum optimizer optimizer;
    int nlayers;
    struct layer *layers;    /* owned, nlayers entries */
};

/* Loads and validates a workload file.  Returns 0 and sets *out, or a
 * negative ERR_* code with err filled; *out is NULL on failure.  Every
 * kernel of every layer, direct and lowered, is derived once here, so a
 * size that overflows is ERR_TOO_LARGE now and never later.
 * workload_parse does the same on text in memory (name is used in
 * messages).  workload_free(NULL) does nothing. */
int workload_load(const char *path, struct workload **out, struct err *err);
int workload_parse(const char *name, const char *text, size_t len,
                   struct workload **out, struct err *err);
void workload_free(struct workload *w);

/* Index of the layer named name, or -1. */
int workload_find_layer(const struct workload *w, const char *name);

/* Derives kernel k of layer i as a problem.  lowering overrides the layer's
 * own when it is LOWER_IM2COL.  KERNEL_IM2COL/COL2IM exist only under
 * im2col lowering, and only for conv layers: fc layers are GEMMs already
 * and are never lowered.  Stream kernels (update, im2col, col2im) leave
 * tensor[] empty (rank 0) and describe their traffic in stream.  A G
 * coefficient is 0 when groups = 1.  bwd_data of the first layer can be
 * derived (for eval);
 * workload_step_kernels leaves it out of a training step.  Returns 0, or
 * ERR_TOO_LARGE when a size overflows 64 bits, or ERR_USAGE when the kernel
 * does not exist for the layer. */
int workload_derive(const struct workload *w, int i, enum kernel k,
                    enum lowering lowering, struct problem *out,
                    struct err *err);

/* The kernels of one training step of layer i, in execution order
 * (fwd, [im2col], bwd_data, [col2im], bwd_weight, update): bwd_data is
 * skipped for the first layer.  Returns how many were written to out. */
int workload_step_kernels(const struct workload *w, int i,
                          enum lowering lowering, enum kernel out[KERNEL_COUNT]);

/* "sgd", "momentum", "adam". */
const char *optimizer_name(enum optimizer o);

#endif
