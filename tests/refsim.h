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

/* Draws, from seed alone, a small valid triple: an arch of 2-4 levels
 * (meshes up to 4x4, fanout-only levels, bandwidth limits, block sizes,
 * multiple buffering), one of the three training kernels of a random conv
 * layer derived through workload_derive, and a mapping that refsim_eval
 * accepts.  The same seed always gives the same triple.  Returns 0, or a
 * negative ERR_* code if the derivation fails. */
int refsim_random_case(uint64_t seed, struct arch *a, struct problem *p,
                       struct mapping *m);

#endif
