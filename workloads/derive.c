/*
 * derive: a layer's training kernels as problems (DESIGN.md section 2).
 *
 * The three conv kernels share one iteration space, N,K,C,P,Q,R,S,G with
 * bounds N, K/groups, C/groups, P, Q, R, S, groups; they differ only in
 * which tensor sits in which slot and which one accumulates:
 *
 *   W  = [Kg*g + k, c, r, s]       (weight-shaped: W, dW)
 *   I  = [n, Cg*g + c, sh*p + dh*r, sw*q + dw*s]   (input-shaped: I, dI)
 *   O  = [n, Kg*g + k, p, q]       (output-shaped: O, dO)
 *
 *   kernel       weights slot   inputs slot   outputs slot (result)
 *   fwd          W              I             O
 *   bwd_data     W              dO            dI
 *   bwd_weight   dO             I             dW
 *
 * Under im2col lowering a conv layer's kernels are the GEMM over
 * N' = N*P*Q, K' = Kg, C' = Cg*R*S, G: W[Kg*g + k, c], I_col[C'*g + c, n],
 * O[Kg*g + k, n], with the same MACs, plus the im2col and col2im streams
 * that build I_col and fold dI_col back.  fc layers are GEMMs already and
 * are never lowered.  The weight update is a stream over the weights.
 *
 * The G coefficient of a channel index is 0 when groups = 1 (G then has
 * bound 1 and no tensor depends on it).  Called once per layer and kernel
 * when a search starts; every size goes through checked arithmetic.
 */
#include "derive.h"

#include <stdio.h>
#include <string.h>

#include "../common/ckd.h"

#define COEF_MAX 2147483647u

static bool lowered(const struct layer *l, enum lowering lowering)
{
    return l->type == LAYER_CONV &&
           (lowering == LOWER_IM2COL || l->lowering == LOWER_IM2COL);
}

int derive_kernels(const struct workload *w, int i, enum lowering lowering,
                   bool with_first_bwd_data, enum kernel out[KERNEL_COUNT])
{
    bool low = lowered(&w->layers[i], lowering);
    bool data = i > 0 || with_first_bwd_data;
    int n = 0;
    out[n++] = KERNEL_FWD;
    if (low)
        out[n++] = KERNEL_IM2COL;
    if (data)
        out[n++] = KERNEL_BWD_DATA;
    if (low && data)
        out[n++] = KERNEL_COL2IM;
    out[n++] = KERNEL_BWD_WEIGHT;
    out[n++] = KERNEL_UPDATE;
    return n;
}

/* The product of n factors into *out; false on overflow. */
static bool product(uint64_t *out, int n, const uint64_t *f)
{
    uint64_t r = 1;
    for (int i = 0; i < n; i++)
        if (ckd_mul_u64(&r, r, f[i]))
            return false;
    *out = r;
    return true;
}

/* "where: fwd MAC count is too large ..."; gemm marks the lowered form. */
static int too_large(struct err *err, const char *where, enum kernel k, bool gemm,
                     const char *what)
{
    return err_set(err, ERR_TOO_LARGE, "%s: %s%s %s is too large (exceeds 2^64-1)",
                   where, kernel_name(k), gemm ? " (im2col)" : "", what);
}

static void tensor_init(struct tensor_spec *t, const char *name, int rank)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->rank = rank;
}

/* Coefficients of the three tensor shapes.  gk and gc are the G
 * coefficients of the output- and input-channel indices. */
struct shape_coefs {
    int32_t gk, gc, sh, sw, dh, dw;
};

static void weight_shaped(struct tensor_spec *t, const char *name,
                          const struct shape_coefs *c, bool gemm)
{
    tensor_init(t, name, gemm ? 2 : 4);
    t->index[0].coef[DIM_K] = 1;
    t->index[0].coef[DIM_G] = c->gk;
    t->index[1].coef[DIM_C] = 1;
    if (!gemm) {
        t->index[2].coef[DIM_R] = 1;
        t->index[3].coef[DIM_S] = 1;
    }
}

static void input_shaped(struct tensor_spec *t, const char *name,
                         const struct shape_coefs *c, bool gemm)
{
    if (gemm) {
        tensor_init(t, name, 2);
        t->index[0].coef[DIM_C] = 1;
        t->index[0].coef[DIM_G] = c->gc;
        t->index[1].coef[DIM_N] = 1;
        return;
    }
    tensor_init(t, name, 4);
    t->index[0].coef[DIM_N] = 1;
    t->index[1].coef[DIM_C] = 1;
    t->index[1].coef[DIM_G] = c->gc;
    t->index[2].coef[DIM_P] = c->sh;
    t->index[2].coef[DIM_R] = c->dh;
    t->index[3].coef[DIM_Q] = c->sw;
    t->index[3].coef[DIM_S] = c->dw;
}

static void output_shaped(struct tensor_spec *t, const char *name,
                          const struct shape_coefs *c, bool gemm)
{
    tensor_init(t, name, gemm ? 2 : 4);
    t->index[0].coef[gemm ? DIM_K : DIM_N] = 1;
    t->index[gemm ? 0 : 1].coef[DIM_G] = c->gk;
    t->index[1].coef[gemm ? DIM_N : DIM_K] = 1;
    if (!gemm) {
        t->index[2].coef[DIM_P] = 1;
        t->index[3].coef[DIM_Q] = 1;
    }
}

/* fwd, bwd_data or bwd_weight, direct or as the lowered GEMM. */
static int derive_nest(const struct layer *l, enum kernel k, bool gemm,
                       const char *where, struct problem *p, struct err *err)
{
    uint64_t Kg = l->K / l->groups, Cg = l->C / l->groups;
    struct shape_coefs c = { 0, 0, (int32_t)l->stride_h, (int32_t)l->stride_w,
                             (int32_t)l->dilation_h, (int32_t)l->dilation_w };
    for (int d = 0; d < DIM_COUNT; d++)
        p->bound[d] = 1;
    p->bound[DIM_G] = l->groups;
    p->bound[DIM_K] = Kg;
    if (gemm) {
        uint64_t npq[3] = { l->N, l->P, l->Q }, crs[3] = { Cg, l->R, l->S };
        if (!product(&p->bound[DIM_N], 3, npq))
            return too_large(err, where, k, gemm, "GEMM dimension N*P*Q");
        if (!product(&p->bound[DIM_C], 3, crs))
            return too_large(err, where, k, gemm, "GEMM dimension C/groups*R*S");
    } else {
        p->bound[DIM_N] = l->N;
        p->bound[DIM_C] = Cg;
        p->bound[DIM_P] = l->P;
        p->bound[DIM_Q] = l->Q;
        p->bound[DIM_R] = l->R;
        p->bound[DIM_S] = l->S;
    }
    if (l->groups > 1) {
        /* Kg <= K/2 < 2^31; C' = Cg*R*S may not fit a coefficient. */
        if (p->bound[DIM_C] > COEF_MAX)
            return err_set(err, ERR_TOO_LARGE,
                           "%s: %s%s channel stride C/groups*R*S = %llu is too large "
                           "(at most %u with groups > 1)",
                           where, kernel_name(k), gemm ? " (im2col)" : "",
                           (unsigned long long)p->bound[DIM_C], COEF_MAX);
        c.gk = (int32_t)Kg;
        c.gc = (int32_t)p->bound[DIM_C];
    }
    if (!product(&p->macs, DIM_COUNT, p->bound))
        return too_large(err, where, k, gemm, "MAC count");

    /* Which slot holds the weight-, input- and output-shaped tensor. */
    enum slot ws, is, os;
    const char *wn, *in, *on;
    const char *i_name = gemm ? "I_col" : "I", *di_name = gemm ? "dI_col" : "dI";
    switch (k) {
    case KERNEL_FWD:
        ws = SLOT_WEIGHTS, is = SLOT_INPUTS, os = SLOT_OUTPUTS;
        wn = "W", in = i_name, on = "O";
        break;
    case KERNEL_BWD_DATA:
        ws = SLOT_WEIGHTS, is = SLOT_OUTPUTS, os = SLOT_INPUTS;
        wn = "W", in = di_name, on = "dO";
        break;
    default: /* KERNEL_BWD_WEIGHT */
        ws = SLOT_OUTPUTS, is = SLOT_INPUTS, os = SLOT_WEIGHTS;
        wn = "dW", in = i_name, on = "dO";
        break;
    }
    struct tensor_spec *t = p->tensor;
    weight_shaped(&t[ws], wn, &c, gemm);
    input_shaped(&t[is], in, &c, gemm);
    output_shaped(&t[os], on, &c, gemm);
    p->shape_order[0] = (uint8_t)ws;
    p->shape_order[1] = (uint8_t)is;
    p->shape_order[2] = (uint8_t)os;
    for (int s = 0; s < SLOT_COUNT; s++) {
        uint64_t words;
        char what[32];
        if (!problem_tensor_words(p, (enum slot)s, &words)) {
            snprintf(what, sizeof what, "tensor %s", t[s].name);
            return too_large(err, where, k, gemm, what);
        }
    }
    return 0;
}

static void stream_add(struct stream *st, const char *name, enum slot slot,
                       uint64_t words, bool read, bool written)
{
    struct stream_tensor *t = &st->tensor[st->ntensors++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->slot = slot;
    t->words = words;
    t->read = read;
    t->written = written;
}

/* update, im2col or col2im (MODEL.md R11). */
static int derive_stream(const struct workload *w, const struct layer *l,
                         enum kernel k, const char *where, struct problem *p,
                         struct err *err)
{
    struct stream *st = &p->stream;
    p->is_stream = true;
    for (int s = 0; s < SLOT_COUNT; s++)
        p->shape_order[s] = (uint8_t)s;
    for (int d = 0; d < DIM_COUNT; d++)
        p->bound[d] = 1;
    if (k == KERNEL_UPDATE) {
        /* Operations per weight: SGD w -= lr*g; momentum adds m = b*m + g;
         * Adam updates m and v and scales by their ratio. */
        static const uint64_t ops_per_weight[] = { 1, 2, 4 };
        uint64_t f[4] = { l->K, l->C / l->groups, l->R, l->S }, weights;
        if (!product(&weights, 4, f))
            return too_large(err, where, k, false, "weight count");
        stream_add(st, "W", SLOT_WEIGHTS, weights, true, true);
        stream_add(st, "dW", SLOT_WEIGHTS, weights, true, false);
        if (w->optimizer != OPT_SGD)
            stream_add(st, "M", SLOT_WEIGHTS, weights, true, true);
        if (w->optimizer == OPT_ADAM)
            stream_add(st, "V", SLOT_WEIGHTS, weights, true, true);
        if (ckd_mul_u64(&st->ops, weights, ops_per_weight[w->optimizer]))
            return too_large(err, where, k, false, "operation count");
    } else {
        /* Whole input box in, one column per output pixel and filter tap
         * out (col2im: the reverse, in the outputs slot). */
        uint64_t fi[4] = { l->N, l->C, l->H, l->W };
        uint64_t fc[6] = { l->N, l->P, l->Q, l->C, l->R, l->S };
        uint64_t box, cols;
        if (!product(&box, 4, fi))
            return too_large(err, where, k, false,
                             k == KERNEL_IM2COL ? "tensor I" : "tensor dI");
        if (!product(&cols, 6, fc))
            return too_large(err, where, k, false,
                             k == KERNEL_IM2COL ? "tensor I_col" : "tensor dI_col");
        if (k == KERNEL_IM2COL) {
            stream_add(st, "I", SLOT_INPUTS, box, true, false);
            stream_add(st, "I_col", SLOT_INPUTS, cols, false, true);
        } else {
            stream_add(st, "dI_col", SLOT_OUTPUTS, cols, true, false);
            stream_add(st, "dI", SLOT_OUTPUTS, box, false, true);
        }
        st->ops = cols;
    }
    p->macs = st->ops;
    return 0;
}

int derive_problem(const struct workload *w, int i, enum kernel k,
                   enum lowering lowering, const char *where,
                   struct problem *out, struct err *err)
{
    const struct layer *l = &w->layers[i];
    struct problem p;
    memset(&p, 0, sizeof p);
    snprintf(p.layer, sizeof p.layer, "%s", l->name);
    p.kernel = k;
    int rc = k == KERNEL_FWD || k == KERNEL_BWD_DATA || k == KERNEL_BWD_WEIGHT
                 ? derive_nest(l, k, lowered(l, lowering), where, &p, err)
                 : derive_stream(w, l, k, where, &p, err);
    if (rc < 0)
        return rc;
    *out = p;
    return 0;
}

int workload_derive(const struct workload *w, int i, enum kernel k,
                    enum lowering lowering, struct problem *out,
                    struct err *err)
{
    if (i < 0 || i >= w->nlayers)
        return err_set(err, ERR_USAGE, "%s: no layer %d (it has %d)", w->name, i,
                       w->nlayers);
    enum kernel ks[KERNEL_COUNT];
    int n = derive_kernels(w, i, lowering, true, ks);
    bool exists = false;
    for (int j = 0; j < n; j++)
        exists = exists || ks[j] == k;
    if (!exists)
        return err_set(err, ERR_USAGE,
                       "layer %s: no %s kernel (im2col and col2im exist only for conv "
                       "layers under im2col lowering)",
                       w->layers[i].name, kernel_name(k));
    char where[PROBLEM_NAME_MAX + 8];
    snprintf(where, sizeof where, "layer %s", w->layers[i].name);
    return derive_problem(w, i, k, lowering, where, out, err);
}

int workload_step_kernels(const struct workload *w, int i,
                          enum lowering lowering, enum kernel out[KERNEL_COUNT])
{
    return derive_kernels(w, i, lowering, false, out);
}
