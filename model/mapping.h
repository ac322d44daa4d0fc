/*
 * mapping: how one problem is laid out on one arch, level by level.
 *
 * For each storage level (outermost first): temporal factors per dim and
 * their order (outer to inner), spatial factors per dim split over the
 * mesh's X and Y axes (they spread the level's body over the next inner
 * level's instances, or over the MACs below the innermost level), and the
 * slots the level bypasses.  The model evaluates this struct; the mapper
 * generates it; mapper/ reads and writes it as JSON.
 *
 * A plain value: no pointers, freely copied.
 */
#ifndef TRAINMAP_MAPPING_H
#define TRAINMAP_MAPPING_H

#include <stdbool.h>
#include <stdint.h>

#include "../arch/arch.h"
#include "../workloads/problem.h"

struct mapping_level {
    uint32_t temporal[DIM_COUNT];  /* factor per dim, >= 1 */
    uint32_t spatial_x[DIM_COUNT]; /* factor per dim over the X axis, >= 1 */
    uint32_t spatial_y[DIM_COUNT];
    /* All DIM_COUNT dims, outermost first; dims with temporal factor 1 may
     * sit anywhere (they are ignored). */
    uint8_t order[DIM_COUNT];
    bool bypass[SLOT_COUNT];       /* true: the level does not keep the slot */
};

struct mapping {
    char layer[PROBLEM_NAME_MAX];
    enum kernel kernel;
    int nlevels;
    struct mapping_level level[ARCH_MAX_LEVELS];
};

/* Sets m to the identity mapping of nlevels levels: every factor 1, order
 * N,K,C,P,Q,R,S,G, nothing bypassed. */
void mapping_init(struct mapping *m, int nlevels);

#endif
