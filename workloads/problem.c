/*
 * problem: names of kernels, slots and dims, and tensor sizes.
 */
#include "problem.h"

#include <stdio.h>
#include <string.h>

#include "../common/ckd.h"
#include "../common/err.h"

static const char *const kernel_names[KERNEL_COUNT] = {
    "fwd", "bwd_data", "bwd_weight", "update", "im2col", "col2im",
};
static const char *const slot_names[SLOT_COUNT] = { "weights", "inputs", "outputs" };
static const char dim_letters[DIM_COUNT + 1] = "NKCPQRSG";

const char *kernel_name(enum kernel k)
{
    return (unsigned)k < KERNEL_COUNT ? kernel_names[k] : "?";
}

int kernel_from_name(const char *name)
{
    for (int k = 0; k < KERNEL_COUNT; k++)
        if (strcmp(name, kernel_names[k]) == 0)
            return k;
    return -1;
}

const char *slot_name(enum slot s)
{
    return (unsigned)s < SLOT_COUNT ? slot_names[s] : "?";
}

int slot_from_name(const char *name)
{
    for (int s = 0; s < SLOT_COUNT; s++)
        if (strcmp(name, slot_names[s]) == 0)
            return s;
    return -1;
}

char dim_letter(enum dim d)
{
    return (unsigned)d < DIM_COUNT ? dim_letters[d] : '?';
}

int dim_from_letter(char c)
{
    for (int d = 0; d < DIM_COUNT; d++)
        if (dim_letters[d] == c)
            return d;
    return -1;
}

/* See problem.h. */
int dims_from_letters(const char *s, const char *file, const char *path,
                      uint8_t dims[DIM_COUNT], int *ndims, struct err *err)
{
    unsigned seen = 0;
    *ndims = 0;
    for (const char *c = s; *c; c++) {
        int dim = dim_from_letter(*c);
        if (dim < 0) {
            char shown[16];
            if ((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f)
                snprintf(shown, sizeof shown, "'%c'", *c);
            else
                snprintf(shown, sizeof shown, "byte 0x%02x", (unsigned char)*c);
            return err_set(err, ERR_SCHEMA, "%s: %s: unknown dim %s, expected letters from "
                           DIM_LIST, file, path, shown);
        }
        if (seen & (1u << dim))
            return err_set(err, ERR_SCHEMA, "%s: %s: %c appears twice in \"%s\"", file, path,
                           *c, s);
        seen |= 1u << dim;
        dims[(*ndims)++] = (uint8_t)dim;
    }
    return 0;
}

bool tensor_uses_dim(const struct tensor_spec *t, enum dim d)
{
    for (int i = 0; i < t->rank; i++)
        if (t->index[i].coef[d] != 0)
            return true;
    return false;
}

uint64_t tensor_box_words(const struct tensor_spec *t, const uint64_t *ext)
{
    uint64_t w = 1;
    for (int i = 0; i < t->rank; i++) {
        uint64_t e = 1;
        for (int d = 0; d < DIM_COUNT; d++) {
            int64_t c = t->index[i].coef[d];
            if (c)
                e += (uint64_t)(c < 0 ? -c : c) * (ext[d] - 1);
        }
        w *= e;
    }
    return w;
}

bool problem_tensor_words(const struct problem *p, enum slot s, uint64_t *words)
{
    const struct tensor_spec *t = &p->tensor[s];
    uint64_t total = 1;
    for (int i = 0; i < t->rank; i++) {
        uint64_t extent = 1;
        for (int d = 0; d < DIM_COUNT; d++) {
            int64_t c = t->index[i].coef[d];
            uint64_t step;
            if (c == 0)
                continue;
            if (ckd_mul_u64(&step, (uint64_t)(c < 0 ? -c : c), p->bound[d] - 1) ||
                ckd_add_u64(&extent, extent, step))
                return false;
        }
        if (ckd_mul_u64(&total, total, extent))
            return false;
    }
    *words = total;
    return true;
}

bool problem_same_shape(const struct problem *a, const struct problem *b)
{
    if (a->kernel != b->kernel || a->is_stream != b->is_stream || a->macs != b->macs ||
        memcmp(a->bound, b->bound, sizeof a->bound) != 0 ||
        memcmp(a->shape_order, b->shape_order, sizeof a->shape_order) != 0)
        return false;
    if (a->is_stream) {
        if (a->stream.ntensors != b->stream.ntensors || a->stream.ops != b->stream.ops)
            return false;
        for (int t = 0; t < a->stream.ntensors && t < STREAM_MAX_TENSORS; t++) {
            const struct stream_tensor *x = &a->stream.tensor[t], *y = &b->stream.tensor[t];
            if (strcmp(x->name, y->name) != 0 || x->slot != y->slot || x->words != y->words ||
                x->read != y->read || x->written != y->written)
                return false;
        }
        return true;
    }
    for (int s = 0; s < SLOT_COUNT; s++) {
        const struct tensor_spec *x = &a->tensor[s], *y = &b->tensor[s];
        if (strcmp(x->name, y->name) != 0 || x->rank != y->rank)
            return false;
        for (int r = 0; r < x->rank && r < TENSOR_MAX_RANK; r++)
            if (memcmp(x->index[r].coef, y->index[r].coef, sizeof x->index[r].coef) != 0)
                return false;
    }
    return true;
}
