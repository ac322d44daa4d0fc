/*
 * refsim: a brute-force reference reading of MODEL.md, for tests only.
 *
 * The fast model (model/model.c) computes access counts in closed form; this
 * simulator computes the same numbers the slow, obviously-correct way: it
 * builds the flattened loop nest, walks the sampled time steps of R4 with
 * explicit index boxes for every child instance, materialises every delta as
 * a set of points, and groups children by comparing those sets (R5, R6).
 * Each rule of MODEL.md is a direct transcription in refsim.c.  It allocates
 * and is slow (milliseconds on the tiny problems of refsim_gen, about a second
 * on the validation cases); the model's tests hold model_eval to it.
 *
 * refsim_gen.c draws small random (arch, problem, mapping) triples to feed
 * both.
 */
#ifndef TRAINMAP_TESTS_REFSIM_H
#define TRAINMAP_TESTS_REFSIM_H

#include <stdint.h>

#include "../arch/arch.h"
#include "../model/mapping.h"
#include "../model/model.h"
#include "../workloads/problem.h"

/* Evaluates mapping m of problem p on arch a by brute force and fills *out
 * exactly as model_eval does (bounds are left 0).  Returns 0, or
 * ERR_INVALID_MAPPING when m breaks a rule of MODEL.md R2 (factor products,
 * fanout, capacity, outermost level keeping every slot) or does not fit the
 * arch (level count, order not a permutation), or ERR_NOMEM.  *out is
 * zeroed first in every case. */
int refsim_eval(const struct arch *a, const struct problem *p,
                const struct mapping *m, struct model_stats *out);

/* Builders of hand-made cases. */

/* nlevels levels of one 1x1 instance each, unbounded, keeping every slot,
 * one word per block, no bandwidth limit, energies read 1, fill 2, update
 * 3 pJ; one MAC of 1 pJ.  Callers change meshes, then derive the fanouts. */
void refsim_simple_arch(struct arch *a, int nlevels);

/* Sets each level's fanout_x/y from the meshes, as the arch loader does. */
void refsim_derive_fanouts(struct arch *a);

/* A conv layer's bounds (0 stands for 1) and its stride and dilation. */
struct refsim_shape {
    uint64_t n, k, c, p, q, r, s;
    int stride, dilation;
};

/* Sets *p to kernel k (fwd, bwd_data or bwd_weight) of the layer, with the
 * projections written out by hand from DESIGN.md. */
void refsim_conv_problem(struct problem *p, enum kernel k, struct refsim_shape sh);

/* Sets level l's temporal order: the dims named in letters ("KP") first,
 * the others after them. */
void refsim_set_order(struct mapping *m, int l, const char *letters);

/* Draws, from seed alone, a small valid triple: an arch of 2-4 levels
 * (meshes up to 4x4, fanout-only levels, bandwidth limits, block sizes,
 * multiple buffering), one of the three training kernels of a random conv
 * layer (groups 1 or 2, direct or im2col-lowered) derived through
 * workload_derive, and a mapping that refsim_eval
 * accepts.  The same seed always gives the same triple.  Returns 0, or a
 * negative ERR_* code if the derivation fails. */
int refsim_random_case(uint64_t seed, struct arch *a, struct problem *p,
                       struct mapping *m);

#endif
