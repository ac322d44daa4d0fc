/*
 * model: the analytical cost of one mapping of one kernel on one arch.
 *
 * Follows the conventions of MODEL.md (R1-R11), which match Timeloop's on
 * the same inputs.  The mapper calls model_eval millions of times per
 * search, so it is pure: no allocation, no I/O, no global state, safe to
 * call from many threads at once, and the same inputs give bit-identical
 * outputs.  model_check is the cheap pre-test (factor products, fanout,
 * capacity) that the mapper runs before the full evaluation.
 */
#ifndef TRAINMAP_MODEL_H
#define TRAINMAP_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "../arch/arch.h"
#include "../common/err.h"
#include "../workloads/problem.h"
#include "mapping.h"

#define MODEL_MAX_TENSORS STREAM_MAX_TENSORS

/* One tensor at one level.  Counts are per used instance of the level. */
struct tensor_stats {
    char name[8];
    enum slot slot;
    bool kept;
    uint64_t tile_words;
    uint64_t reads, fills, updates;
    double energy_pj;               /* all used instances together */
};

struct level_stats {
    uint64_t instances_used;
    uint64_t cycles;
    double energy_pj;
    int ntensors;
    struct tensor_stats tensor[MODEL_MAX_TENSORS];
};

/* Lower bounds no mapping of the problem on the arch can beat. */
struct model_bounds {
    double energy_pj;
    double cycles;
};

struct model_stats {
    uint64_t macs;
    uint64_t compute_cycles;
    uint64_t cycles;
    double utilization;
    double energy_pj;
    double edp;                     /* energy_pj * cycles */
    uint64_t mac_instances_used;
    double mac_energy_pj;
    int nlevels;
    struct level_stats level[ARCH_MAX_LEVELS];
    struct model_bounds bounds;
};

/* Checks that m is a valid mapping of p on a (MODEL.md R2): factor
 * products, spatial factors within each level's fanout, tiles within
 * capacity, outermost level keeping every slot.  Returns 0, or
 * ERR_INVALID_MAPPING with a message naming the level and what does not
 * fit.  err may be NULL (the mapper's fast path). */
int model_check(const struct arch *a, const struct problem *p,
                const struct mapping *m, struct err *err);

/* Evaluates m (NULL for a streaming problem) and fills *out.  Returns 0, or
 * the error of model_check. */
int model_eval(const struct arch *a, const struct problem *p,
               const struct mapping *m, struct model_stats *out,
               struct err *err);

/* The lower bounds of p on a (MODEL.md, "Lower bounds"). */
void model_bounds(const struct arch *a, const struct problem *p,
                  struct model_bounds *out);

#endif
