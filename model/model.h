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

/*
 * What the model needs of (arch, problem) alone, worked out once by
 * model_prepare so that each evaluation of a mapping starts from it: each
 * tensor's projections as term lists restricted to the dims of bound > 1,
 * which dims it uses, which share an index and which form windows, the
 * index extents shared between tensors, the capacities and bandwidth
 * limits of the levels, and the lower bounds.
 * Caller-allocated (about 4.5 KB), read-only once prepared, safe to share
 * between threads.  It borrows arch and problem: both must outlive it and
 * stay unchanged.  The fields are the model's own.
 */
struct model_prep_tensor {
    uint8_t rank;
    uint8_t uses;                   /* bit d: an index uses dim d */
    uint8_t windows;                /* the dims of the indices that mix two
                                     * dims of bound > 1 (windows) */
    uint8_t nterms[TENSOR_MAX_RANK];
    uint8_t dim[TENSOR_MAX_RANK][DIM_COUNT];
    uint64_t coef[TENSOR_MAX_RANK][DIM_COUNT];  /* |coefficient| of dim[i][j] */
    uint8_t value[TENSOR_MAX_RANK];             /* see struct model_prep */
    /* step[d][i]: how far index i moves per step of dim d (its signed
     * coefficient); 0 for the dims of bound 1. */
    int64_t step[DIM_COUNT][TENSOR_MAX_RANK];
    uint8_t couple[DIM_COUNT];      /* bit e of [d]: d and e share an index */
};

/* An index extent of more than one dim, or of one dim with a coefficient
 * other than 1 (a window, a stride): 1 + sum of coef * (extent - 1). */
struct model_prep_compound {
    uint8_t nterms;
    uint8_t dim[DIM_COUNT];
    uint64_t coef[DIM_COUNT];
};

/* The values a level's index extents are read from: the extent of dim d
 * (d < DIM_COUNT), the constant 1 (MODEL_VALUE_ONE), compound k
 * (MODEL_VALUE_ONE + 1 + k). */
#define MODEL_VALUE_ONE DIM_COUNT
#define MODEL_MAX_COMPOUNDS (SLOT_COUNT * TENSOR_MAX_RANK)
#define MODEL_MAX_VALUES (MODEL_VALUE_ONE + 1 + MODEL_MAX_COMPOUNDS)

struct model_prep {
    const struct arch *arch;
    const struct problem *prob;
    int nlevels;
    uint64_t mac_count;
    struct model_prep_tensor tensor[SLOT_COUNT];
    /* The distinct compound extents of all tensors, each computed once per
     * level; tensor[s].value[i] says where index i's extent is. */
    int ncompounds;
    struct model_prep_compound compound[MODEL_MAX_COMPOUNDS];
    uint64_t capacity_words[ARCH_MAX_LEVELS][SLOT_COUNT];
    bool bandwidth_bound[ARCH_MAX_LEVELS];  /* some bandwidth is finite */
    uint8_t may_keep[ARCH_MAX_LEVELS];      /* bit s: the level may keep s */
    struct model_bounds bounds;
};

/* Fills *prep for evaluating mappings of p on a.  No allocation; cannot
 * fail.  a and p are borrowed (see struct model_prep). */
void model_prepare(struct model_prep *prep, const struct arch *a,
                   const struct problem *p);

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

/* model_check and model_eval on a prepared (arch, problem): the same
 * results, bit for bit, without redoing the per-problem work; the mapper's
 * hot path. */
int model_check_prepared(const struct model_prep *prep, const struct mapping *m,
                         struct err *err);
int model_eval_prepared(const struct model_prep *prep, const struct mapping *m,
                        struct model_stats *out, struct err *err);

/* The lower bounds of p on a (MODEL.md, "Lower bounds"). */
void model_bounds(const struct arch *a, const struct problem *p,
                  struct model_bounds *out);

#endif
