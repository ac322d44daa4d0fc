/*
 * nest: the model's view of one mapping as a flattened loop nest, shared by
 * model.c (validity, energy, cycles) and nest.c (tiles, temporal deltas,
 * multicast groups, partitions).  Internal to model/.
 *
 * Built once per evaluation on the caller's stack from a prepared
 * (arch, problem) (struct model_prep) and the mapping; no allocation.
 */
#ifndef TRAINMAP_NEST_H
#define TRAINMAP_NEST_H

#include <stdbool.h>
#include <stdint.h>

#include "../arch/arch.h"
#include "../workloads/problem.h"
#include "mapping.h"
#include "model.h"

/* A temporal loop of bound > 1. */
struct nest_loop {
    uint8_t dim;
    uint32_t bound;
    uint64_t stride;    /* dim's iterations inside one step of this loop */
};

struct nest {
    const struct model_prep *prep;
    const struct mapping *map;
    int nlevels;
    /* ext[l][d]: product of d's factors (temporal and spatial) at level l and
     * inside it; ext[nlevels][d] = 1 stands for the MACs. */
    uint64_t ext[ARCH_MAX_LEVELS + 1][DIM_COUNT];
    /* spatial[l][d]: d's spatial factor at level l, X times Y; bit d of
     * spread[l] set when it is > 1. */
    uint64_t spatial[ARCH_MAX_LEVELS][DIM_COUNT];
    uint8_t spread[ARCH_MAX_LEVELS];
    /* fanout_x[l], fanout_y[l]: products of level l's spatial factors over
     * X and over Y (64-bit, wrapping like the check that reads them);
     * children[l]: of all its spatial factors. */
    uint64_t fanout_x[ARCH_MAX_LEVELS], fanout_y[ARCH_MAX_LEVELS];
    uint64_t children[ARCH_MAX_LEVELS];
    /* The temporal loops of bound > 1, outermost first; first_loop[l] is the
     * index of level l's first loop, first_loop[nlevels] = nloops. */
    int nloops;
    struct nest_loop loop[ARCH_MAX_LEVELS * DIM_COUNT];
    /* steps[i]: product of the bounds of loops 0..i, which fits 64 bits
     * for i < big_step. */
    uint64_t steps[ARCH_MAX_LEVELS * DIM_COUNT];
    int big_step;
    int first_loop[ARCH_MAX_LEVELS + 1];
    /* above[l]: bit d set when a loop above level l (at a level < l) runs
     * over dim d. */
    uint8_t above[ARCH_MAX_LEVELS + 1];
    /* keep[l]: bit s set when level l keeps slot s (the arch lets it and
     * the mapping does not bypass it); keepers[s]: bit l, the same. */
    unsigned keep[ARCH_MAX_LEVELS];
    unsigned keepers[SLOT_COUNT];
    /* box[s][l][i]: extent of index i of slot s's tile at level l (R1);
     * tile[s][l] their product.  Filled for the levels that keep s, and
     * for every level for the result (partitions need them); box only
     * where the walk may read it (a tensor with windows; rank-4 tensors
     * without windows have tile alone). */
    uint64_t box[SLOT_COUNT][ARCH_MAX_LEVELS + 1][TENSOR_MAX_RANK];
    uint64_t tile[SLOT_COUNT][ARCH_MAX_LEVELS + 1];
    uint64_t compute_cycles;
    bool overflow;      /* set when a count does not fit 64 bits */
    bool factors_ok;    /* the factors multiply to the bounds */
};

/* Whether level l keeps slot s. */
static inline bool nest_keeps(const struct nest *n, int l, int s)
{
    return (n->keep[l] >> s) & 1;
}

/* Fills n from the prepared (arch, problem) and the mapping; prep and m
 * are borrowed for n's lifetime.  Returns false, with only ext, spatial,
 * spread, the fanouts and overflow set (factors_ok false), when a factor
 * product overflows or the factors do not multiply to the bounds: the rest
 * (tiles, loops) is then meaningless and the mapping invalid.  When they
 * do, every tile is at most its whole tensor, whose size the derivation of
 * the problem checked, so tiles need no overflow checks. */
bool nest_build(struct nest *n, const struct model_prep *prep,
                const struct mapping *m);

/* Words level c receives of slot s over the whole run, per instance
 * (PAS, MODEL.md R4).  c >= 1 keeps s; c = nlevels stands for the MACs. */
uint64_t nest_received_words(struct nest *n, enum slot s, int c);

/* Number of multicast groups among the children of one instance of level f
 * for slot s: the distinct positions of s's tile over f's spatial loops
 * (MODEL.md R5, R6). */
uint64_t nest_groups(const struct nest *n, enum slot s, int f);

/* part[l] = the part of slot s one instance of level l is responsible for
 * (the partition of MODEL.md R7), for every level. */
void nest_partitions(struct nest *n, enum slot s, uint64_t *part);

#endif
