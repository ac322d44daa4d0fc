/*
 * refsim_gen: small random (arch, problem, mapping) triples for differential
 * tests of the model against refsim.
 *
 * Test-only.  Each triple comes from its seed alone through a local
 * splitmix64 generator (no rand(), no shared state), so a failing seed can
 * be replayed.  Problems are derived from a random conv layer (sometimes
 * grouped, sometimes lowered to a GEMM by im2col) through workload_derive,
 * so the projections are the real ones; dims stay small
 * (bounds <= 8, a few thousand MACs) so that the brute force stays fast.
 *
 * Also the builders of hand-made cases, for tests that work numbers out by
 * hand.
 */
#include "refsim.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../workloads/workload.h"

/* ---- hand-made cases ------------------------------------------------------ */

void refsim_simple_arch(struct arch *a, int nlevels)
{
    memset(a, 0, sizeof *a);
    a->nlevels = nlevels;
    a->word_bits = 16;
    a->clock_mhz = 1000;
    for (int l = 0; l < nlevels; l++) {
        struct arch_level *al = &a->level[l];
        al->mesh_x = al->mesh_y = 1;
        for (int s = 0; s < SLOT_COUNT; s++)
            al->keeps[s] = true;
        al->size_kind = SIZE_UNBOUNDED;
        al->multiple_buffering = 1;
        al->block_words = 1;
        al->read_pj = 1.0;
        al->fill_pj = 2.0;
        al->update_pj = 3.0;
        al->read_bw = al->write_bw = al->shared_bw = INFINITY;
    }
    a->compute.mesh_x = a->compute.mesh_y = 1;
    a->compute.energy_pj = 1.0;
}

void refsim_derive_fanouts(struct arch *a)
{
    for (int l = 0; l < a->nlevels; l++) {
        uint32_t cx = l + 1 < a->nlevels ? a->level[l + 1].mesh_x : a->compute.mesh_x;
        uint32_t cy = l + 1 < a->nlevels ? a->level[l + 1].mesh_y : a->compute.mesh_y;
        a->level[l].fanout_x = cx / a->level[l].mesh_x;
        a->level[l].fanout_y = cy / a->level[l].mesh_y;
    }
}

/* Written out from DESIGN.md section 2, independently of workloads/:
 *   fwd        O[n,k,p,q]  += W[k,c,r,s] * I[n,c,sp+dr,sq+ds]
 *   bwd_data   dI[n,c,..]  += W[k,c,r,s] * dO[n,k,p,q]
 *   bwd_weight dW[k,c,r,s] += dO[n,k,p,q] * I[n,c,..]
 * with slots (weights, inputs, outputs) = (W,I,O), (W,dO,dI), (dO,I,dW). */
void refsim_conv_problem(struct problem *p, enum kernel k, struct refsim_shape sh)
{
    struct tensor_spec w = { "W", 4, { { { 0 } } } };
    struct tensor_spec in = { "I", 4, { { { 0 } } } };
    struct tensor_spec out = { "O", 4, { { { 0 } } } };
    int st = sh.stride ? sh.stride : 1, dl = sh.dilation ? sh.dilation : 1;

    memset(p, 0, sizeof *p);
    snprintf(p->layer, sizeof p->layer, "layer");
    p->kernel = k;
    const uint64_t b[DIM_COUNT] = { sh.n, sh.k, sh.c, sh.p, sh.q, sh.r, sh.s, 1 };
    p->macs = 1;
    for (int d = 0; d < DIM_COUNT; d++) {
        p->bound[d] = b[d] ? b[d] : 1;
        p->macs *= p->bound[d];
    }
    w.index[0].coef[DIM_K] = 1;
    w.index[1].coef[DIM_C] = 1;
    w.index[2].coef[DIM_R] = 1;
    w.index[3].coef[DIM_S] = 1;
    in.index[0].coef[DIM_N] = 1;
    in.index[1].coef[DIM_C] = 1;
    in.index[2].coef[DIM_P] = st;
    in.index[2].coef[DIM_R] = dl;
    in.index[3].coef[DIM_Q] = st;
    in.index[3].coef[DIM_S] = dl;
    out.index[0].coef[DIM_N] = 1;
    out.index[1].coef[DIM_K] = 1;
    out.index[2].coef[DIM_P] = 1;
    out.index[3].coef[DIM_Q] = 1;
    /* The slots of the weight-, input- and output-shaped tensors. */
    const uint8_t order[3][SLOT_COUNT] = {
        { SLOT_WEIGHTS, SLOT_INPUTS, SLOT_OUTPUTS },
        { SLOT_WEIGHTS, SLOT_OUTPUTS, SLOT_INPUTS },
        { SLOT_OUTPUTS, SLOT_INPUTS, SLOT_WEIGHTS },
    };
    memcpy(p->shape_order, order[k == KERNEL_FWD ? 0 : k == KERNEL_BWD_DATA ? 1 : 2],
           sizeof p->shape_order);
    if (k == KERNEL_FWD) {
        p->tensor[SLOT_WEIGHTS] = w;
        p->tensor[SLOT_INPUTS] = in;
        p->tensor[SLOT_OUTPUTS] = out;
    } else if (k == KERNEL_BWD_DATA) {
        p->tensor[SLOT_WEIGHTS] = w;
        p->tensor[SLOT_INPUTS] = out;
        p->tensor[SLOT_OUTPUTS] = in;
        strcpy(p->tensor[SLOT_INPUTS].name, "dO");
        strcpy(p->tensor[SLOT_OUTPUTS].name, "dI");
    } else {
        p->tensor[SLOT_WEIGHTS] = out;
        p->tensor[SLOT_INPUTS] = in;
        p->tensor[SLOT_OUTPUTS] = w;
        strcpy(p->tensor[SLOT_WEIGHTS].name, "dO");
        strcpy(p->tensor[SLOT_OUTPUTS].name, "dW");
    }
}

void refsim_set_order(struct mapping *m, int l, const char *letters)
{
    bool used[DIM_COUNT] = { false };
    int i = 0;
    for (const char *c = letters; *c; c++) {
        int d = dim_from_letter(*c);
        m->level[l].order[i++] = (uint8_t)d;
        used[d] = true;
    }
    for (int d = 0; d < DIM_COUNT; d++)
        if (!used[d])
            m->level[l].order[i++] = (uint8_t)d;
}

/* ---- random cases -------------------------------------------------------- */

struct rng {
    uint64_t state;
};

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi)
{
    return lo + (uint32_t)(rng_next(r) % (hi - lo + 1));
}

/* True with probability num / den. */
static bool rng_chance(struct rng *r, uint32_t num, uint32_t den)
{
    return rng_next(r) % den < num;
}

/* A per-action energy, distinct enough that the charged action shows. */
static double rng_energy(struct rng *r)
{
    return (double)rng_range(r, 1, 400) / 8.0;
}

static void random_layer(struct rng *r, struct layer *ly)
{
    memset(ly, 0, sizeof *ly);
    snprintf(ly->name, sizeof ly->name, "conv");
    ly->type = LAYER_CONV;
    do {
        ly->N = rng_range(r, 1, 2);
        ly->K = rng_range(r, 1, 4);
        ly->C = rng_range(r, 1, 4);
        ly->P = rng_range(r, 1, 8);
        ly->Q = rng_range(r, 1, 4);
        ly->R = rng_range(r, 1, 3);
        ly->S = rng_range(r, 1, 3);
    } while (ly->N * ly->K * ly->C * ly->P * ly->Q * ly->R * ly->S > 3000);
    ly->groups = ly->C % 2 == 0 && ly->K % 2 == 0 && rng_chance(r, 1, 4) ? 2 : 1;
    ly->stride_h = rng_range(r, 1, 2);
    ly->stride_w = rng_range(r, 1, 2);
    ly->dilation_h = rng_range(r, 1, 2);
    ly->dilation_w = rng_range(r, 1, 2);
    ly->H = (ly->P - 1) * ly->stride_h + (ly->R - 1) * ly->dilation_h + 1;
    ly->W = (ly->Q - 1) * ly->stride_w + (ly->S - 1) * ly->dilation_w + 1;
    ly->lowering = LOWER_NONE;
}

/* A mesh axis's growth from one level to the next: often 1 or 2, so that
 * several levels in a row fan out, never past 4 in all. */
static uint32_t grow(struct rng *r, uint32_t so_far)
{
    uint32_t g = rng_chance(r, 3, 4) ? rng_range(r, 1, 2) : rng_range(r, 1, 4);
    return so_far * g <= 4 ? g : 1;
}

/* Meshes grow inward by factors of 1-4 per axis, at most 4 in all, so that
 * some levels fan out and some (often the innermost) feed several MACs. */
static void random_arch(struct rng *r, struct arch *a)
{
    memset(a, 0, sizeof *a);
    snprintf(a->name, sizeof a->name, "random");
    a->word_bits = 16;
    a->clock_mhz = 1000;
    a->nlevels = (int)rng_range(r, 2, 4);
    uint32_t mx = 1, my = 1;
    for (int l = 0; l < a->nlevels; l++) {
        struct arch_level *al = &a->level[l];
        snprintf(al->name, sizeof al->name, "L%d", l);
        al->cls = l == 0 ? LEVEL_DRAM : l + 1 == a->nlevels ? LEVEL_REGFILE : LEVEL_SRAM;
        if (l > 0) {
            mx *= grow(r, mx);
            my *= grow(r, my);
        }
        al->mesh_x = mx;
        al->mesh_y = my;
        /* Inner levels may keep any subset, often none (a fanout level). */
        bool none = l > 0 && rng_chance(r, 1, 3);
        for (int s = 0; s < SLOT_COUNT; s++)
            al->keeps[s] = l == 0 || (!none && rng_chance(r, 4, 5));
        switch (l == 0 ? 0 : rng_range(r, 0, 2)) {
        case 0:
            al->size_kind = SIZE_UNBOUNDED;
            break;
        case 1:
            al->size_kind = SIZE_SHARED;
            al->size_words = rng_range(r, 2000, 8000);
            break;
        default:
            al->size_kind = SIZE_PER_SLOT;
            for (int s = 0; s < SLOT_COUNT; s++)
                al->slot_size_words[s] = al->keeps[s] ? rng_range(r, 1000, 4000) : 0;
        }
        al->multiple_buffering = rng_range(r, 1, 2);
        al->block_words = rng_chance(r, 1, 2) ? 1 : rng_range(r, 2, 4);
        al->read_pj = rng_energy(r);
        al->fill_pj = rng_energy(r);
        al->update_pj = rng_energy(r);
        al->read_bw = rng_chance(r, 1, 3) ? (double)rng_range(r, 1, 16) / 4.0 : INFINITY;
        al->write_bw = rng_chance(r, 1, 3) ? (double)rng_range(r, 1, 16) / 4.0 : INFINITY;
        al->shared_bw = rng_chance(r, 1, 4) ? (double)rng_range(r, 1, 24) / 4.0 : INFINITY;
    }
    snprintf(a->compute.name, sizeof a->compute.name, "MAC");
    a->compute.mesh_x = mx * grow(r, mx);
    a->compute.mesh_y = my * grow(r, my);
    a->compute.energy_pj = rng_energy(r);
    refsim_derive_fanouts(a);
}

/* Spreads each dim's prime factors over the levels' temporal loops and the
 * spatial axes that still have room, then shuffles each level's order. */
static void random_mapping(struct rng *r, const struct arch *a, const struct problem *p,
                           struct mapping *m)
{
    mapping_init(m, a->nlevels);
    snprintf(m->layer, sizeof m->layer, "%s", p->layer);
    m->kernel = p->kernel;
    uint64_t used_x[ARCH_MAX_LEVELS], used_y[ARCH_MAX_LEVELS];
    for (int l = 0; l < a->nlevels; l++)
        used_x[l] = used_y[l] = 1;
    for (int d = 0; d < DIM_COUNT; d++) {
        uint64_t rest = p->bound[d];
        for (uint32_t f = 2; rest > 1; f++) {
            while (rest % f == 0) {
                rest /= f;
                int l = (int)rng_range(r, 0, (uint32_t)a->nlevels - 1);
                struct mapping_level *ml = &m->level[l];
                uint32_t kind = rng_range(r, 0, 3);  /* 0-1 temporal, 2 X, 3 Y */
                if (kind < 2 && rng_chance(r, 1, 2)) {
                    /* Half of the temporal draws try a level with room on
                     * an axis first, so that the meshes get used. */
                    l = (int)rng_range(r, 0, (uint32_t)a->nlevels - 1);
                    ml = &m->level[l];
                    kind = rng_chance(r, 1, 2) ? 2 : 3;
                }
                if (kind == 2 && used_x[l] * f <= a->level[l].fanout_x) {
                    used_x[l] *= f;
                    ml->spatial_x[d] *= f;
                } else if (kind == 3 && used_y[l] * f <= a->level[l].fanout_y) {
                    used_y[l] *= f;
                    ml->spatial_y[d] *= f;
                } else {
                    ml->temporal[d] *= f;
                }
            }
        }
    }
    for (int l = 0; l < a->nlevels; l++) {
        uint8_t *o = m->level[l].order;
        for (int i = DIM_COUNT - 1; i > 0; i--) {
            int j = (int)rng_range(r, 0, (uint32_t)i);
            uint8_t t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        for (int s = 0; s < SLOT_COUNT; s++)
            m->level[l].bypass[s] = l > 0 && rng_chance(r, 1, 5);
    }
}

int refsim_random_case(uint64_t seed, struct arch *a, struct problem *p,
                       struct mapping *m)
{
    static const enum kernel kernels[3] = { KERNEL_FWD, KERNEL_BWD_DATA, KERNEL_BWD_WEIGHT };
    struct rng r = { seed };
    struct layer ly;
    struct workload w;
    struct err err;
    struct model_stats stats;

    random_layer(&r, &ly);
    memset(&w, 0, sizeof w);
    snprintf(w.name, sizeof w.name, "random");
    w.batch = ly.N;
    w.optimizer = OPT_SGD;
    w.nlayers = 1;
    w.layers = &ly;
    enum kernel k = kernels[rng_range(&r, 0, 2)];
    enum lowering lower = rng_chance(&r, 1, 4) ? LOWER_IM2COL : LOWER_NONE;
    int rc = workload_derive(&w, 0, k, lower, p, &err);
    if (rc)
        return rc;
    random_arch(&r, a);
    /* Factor products and fanouts hold by construction; only capacity can
     * fail, so after many tries the capacities are lifted. */
    for (int tries = 0;; tries++) {
        random_mapping(&r, a, p, m);
        if (refsim_eval(a, p, m, &stats) == 0)
            return 0;
        if (tries == 100)
            for (int l = 0; l < a->nlevels; l++)
                a->level[l].size_kind = SIZE_UNBOUNDED;
    }
}
