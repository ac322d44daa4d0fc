/*
 * mapspace: the space of mappings of one problem on one arch, and the
 * enumeration of its points.
 *
 * A point is a bypass choice, a factorization of every dim over the levels'
 * temporal loops and spatial X/Y fanouts, and a loop order per level.  The
 * enumeration walks factors level by level from the innermost outward (so
 * that a level whose tiles overflow its capacity cuts every outer choice at
 * once), choosing each level's bypass flags as its factors complete, then
 * orders.  Two kinds of orders give
 * identical costs by construction and are enumerated once: permutations of
 * loops whose factor is 1 (absent loops), and any order of the innermost
 * level (its loops sit above no tile: MODEL.md R4 walks only loops above a
 * level, and the MACs read every cycle whatever the order, R5).  The
 * exhaustive search goes further and evaluates one order per class of
 * orders that give every tensor the same sampled walk (orders.c explains
 * the classes and why they are exact).
 *
 * Spatial factors are enumerated by what the model reads of them: each
 * dim's product spatial_x * spatial_y (tiles, instances, groups, MODEL.md
 * R1, R3, R6), and whether each axis's product fits its fanout (R2).  On a
 * level whose two axes allow the same dims and fix no factor, the walk
 * chooses each dim's product q; the level's product P stays feasible (some
 * divisor D of P has D <= fanout_x and P / D <= fanout_y: every divisor of
 * P is a product of divisors of the q's, so this is exactly "some split
 * over the axes fits"; a product that fits makes every divisor of it fit,
 * so checking at each dim cuts nothing), and when the level is complete
 * its canonical split is written: D the largest divisor of P at most
 * fanout_x, taken from the dims in dim order (x = gcd(q, what is left of
 * D), y = q / x).  Every
 * per-axis mapping with the same products costs the same, so this is
 * exact.  Other levels are walked per axis; of a mapping and its mirror on
 * such a level with interchangeable X and Y axes (fixed factors equal on
 * both), only the one whose first dim with unequal spatial factors has the
 * larger on X is enumerated.
 *
 * Likewise for sigma, the swap of P with Q and R with S, where the problem
 * and the constraints are symmetric under it (a square convolution): a
 * mapping and its image cost the same, so only the one is enumerated
 * whose first mirror pair (inward levels first, within a level in walk
 * order) with unequal (spatial product, temporal factor) has the larger on
 * the dim earlier in the walk.  Spatial products, not per-axis factors,
 * are compared, so the X/Y mirror above keeps one of each of its pairs
 * among the points sigma keeps.
 *
 * Points are numbered for sharding: the enumeration calls back with every
 * complete factorization, and a shard keeps those whose sequence number is
 * its own modulo the shard count, so shards partition the space whatever
 * thread runs them.
 *
 * Used by the search strategies; the callbacks run on the search's threads,
 * each with its own struct mapspace_walk.  Nothing here allocates.
 */
#ifndef TRAINMAP_MAPSPACE_H
#define TRAINMAP_MAPSPACE_H

#include <stdbool.h>
#include <stdint.h>

#include "../arch/arch.h"
#include "../model/mapping.h"
#include "../workloads/problem.h"
#include "constraints.h"

/* The most divisors a number below 2^32 has (3491888400 has 1920). */
#define MAPSPACE_MAX_DIVISORS 1920
/* The most distinct primes a number below 2^32 has (2 * 3 * ... * 23 has 9). */
#define MAPSPACE_MAX_PRIMES 9

/* The spatial products whose split over a level's axes is tabled. */
#define MAPSPACE_SPLIT_TABLE 4096

/* The read-only description of a space, shared by all threads. */
struct mapspace {
    const struct arch *arch;
    const struct problem *prob;
    struct constraints cons;
    int nlevels;
    /* Bypass choices: the (level, slot) pairs that may go either way. */
    int nfree;
    uint8_t free_level[ARCH_MAX_LEVELS * SLOT_COUNT];
    uint8_t free_slot[ARCH_MAX_LEVELS * SLOT_COUNT];
    bool forced_keep[ARCH_MAX_LEVELS][SLOT_COUNT];  /* kept in every point */
    bool may_keep[ARCH_MAX_LEVELS][SLOT_COUNT];     /* kept in some point */
    /* Levels walked per axis whose X and Y axes are interchangeable (equal
     * fanouts, equal constraints): a mapping and its mirror cost the same,
     * since the model only uses each axis's product against its fanout. */
    bool xy_mirror[ARCH_MAX_LEVELS];
    /* Levels enumerated by per-dim spatial product rather than per axis:
     * both axes allow the same dims and no spatial factor is fixed, so
     * any split of a feasible product is as good as another (the model
     * uses only each dim's product and the axes' fits). */
    bool by_product[ARCH_MAX_LEVELS];
    /* On those, per product P from fanout_x + 1 up to their fanout product
     * (and MAPSPACE_SPLIT_TABLE), the largest divisor of P at most fanout_x
     * when P over it is at most fanout_y, else 0: the share of P the X
     * axis takes. */
    uint16_t split[ARCH_MAX_LEVELS][MAPSPACE_SPLIT_TABLE + 1];
    /* Each bound's distinct prime factors, ascending (when the bound is
     * below 2^32), for splitting large spatial products. */
    uint8_t nprimes[DIM_COUNT];
    uint32_t prime[DIM_COUNT][MAPSPACE_MAX_PRIMES];
    /* Per slot: the anchor dims (bound > 1, alone in every index that uses
     * them: a step along one never overlaps the tile), and whether some
     * index mixes two dims of bound > 1 (a sliding window). */
    uint8_t anchor[SLOT_COUNT];
    bool sliding[SLOT_COUNT];
    /* Per slot and index: the dims of bound > 1 that move it, and the set
     * of indices that two or more move (the windows). */
    uint8_t index_dims[SLOT_COUNT][TENSOR_MAX_RANK];
    uint8_t window_mask[SLOT_COUNT];
    /* The same per slot as a list for mapspace_box_words: each index's
     * moving dims and their steps (|coef|), the last of an index marked. */
    int nterms[SLOT_COUNT];
    struct mapspace_term {
        uint8_t dim;
        bool last;
        uint64_t step;
    } term[SLOT_COUNT][TENSOR_MAX_RANK * DIM_COUNT];
    /* The windows whose dims move no other index: each is a component of
     * its own in R6's grouping (see mapspace_groups). */
    uint8_t group_windows[SLOT_COUNT];
    /* Each level's energy per word read, updated and filled (the access
     * energies over block_words), for the bounds. */
    double read_pw[ARCH_MAX_LEVELS], update_pw[ARCH_MAX_LEVELS], fill_pw[ARCH_MAX_LEVELS];
    /* Per level: whether it has one instance in every mapping (no level
     * outward of it has a fanout).  There a result's partition (MODEL.md
     * R7) is the whole tensor, so its reads are its updates less words[]. */
    bool one_instance[ARCH_MAX_LEVELS];
    double words[SLOT_COUNT];       /* each whole tensor */
    /* The order in which the enumeration chooses a level's dims. */
    uint8_t walk_order[DIM_COUNT];
    /* Per position of walk_order: the dim sigma maps it to, when that one
     * comes earlier and the space is symmetric under sigma; else -1. */
    int8_t mirror_of[DIM_COUNT];
    /* Each dim's divisors, ascending: the only factors its loops take. */
    uint32_t ndivisors[DIM_COUNT];
    uint32_t divisor[DIM_COUNT][MAPSPACE_MAX_DIVISORS];
};

/* Words of slot sl's box when every dim spans ext (each ext[d] at most
 * the bound of d): tensor_box_words, with only the dims that move each
 * index visited.  Inline: the factor walk calls it at every node. */
static inline uint64_t mapspace_box_words(const struct mapspace *s, int sl,
                                          const uint64_t *ext)
{
    uint64_t w = 1, e = 1;
    for (int k = 0; k < s->nterms[sl]; k++) {
        const struct mapspace_term *t = &s->term[sl][k];
        e += t->step * (ext[t->dim] - 1);
        if (t->last) {
            w *= e;
            e = 1;
        }
    }
    return w;
}

/* A lower bound of the multicast groups of slot sl (MODEL.md R6) among
 * the children of one instance of m's level l (1 without a fanout), from
 * its per-dim spatial products: each anchor dim's factor, times, per
 * window of group_windows, 1 + the sum of its dims' factors less one.
 * The children's positions along such a window are a sum of one set per
 * dim (a dim of factor n contributes n distinct offsets), and a sum of
 * sets of integers A + B has at least |A| + |B| - 1 elements; exact for
 * unit steps, as on a stride-1 convolution whose filter dims are spread
 * alone.  Other dims may group into fewer positions and count for nothing
 * here.  Inline: the bounds call it at every node. */
static inline double mapspace_groups(const struct mapspace *s, int sl,
                                     const struct mapping *m, int l)
{
    const struct mapping_level *ml = &m->level[l];
    double g = 1;
    if (s->arch->level[l].fanout_x == 1 && s->arch->level[l].fanout_y == 1)
        return g;
    for (unsigned r = s->anchor[sl]; r; r &= r - 1) {
        int d = __builtin_ctz(r);
        g *= (double)ml->spatial_x[d] * ml->spatial_y[d];
    }
    for (unsigned w = s->group_windows[sl]; w; w &= w - 1) {
        double n = 1;
        for (unsigned r = s->index_dims[sl][__builtin_ctz(w)]; r; r &= r - 1) {
            int d = __builtin_ctz(r);
            n += (double)ml->spatial_x[d] * ml->spatial_y[d] - 1;
        }
        g *= n;
    }
    return g;
}

/* Prepares the space of p on a under c (NULL: unconstrained).  Returns 0,
 * or ERR_NO_MAPPING with err naming the constraint that leaves no
 * factorization (a fixed factor that does not divide a bound, say). */
int mapspace_init(struct mapspace *s, const struct arch *a, const struct problem *p,
                  const struct constraints *c, struct err *err);

/* Number of bypass choices (2^nfree). */
uint64_t mapspace_bypass_count(const struct mapspace *s);

/* Sets m's bypass flags to choice i (0 <= i < mapspace_bypass_count). */
void mapspace_set_bypass(const struct mapspace *s, uint64_t i, struct mapping *m);

/* Called with a complete factorization in m (orders canonical).  Returns
 * true to stop the enumeration. */
typedef bool (*mapspace_factor_fn)(void *ctx, struct mapping *m);

/* A partial factorization: levels inward of `level` are complete, and at
 * `level` the first `dims_done` dims of walk_order are chosen (dims_done =
 * DIM_COUNT: the level is complete).  ext[d] is the product of d's factors
 * chosen so far.  spatial is the product of `level`'s spatial factors
 * chosen so far (both axes, every dim); spatial_max an upper bound of that
 * product once the level is complete: spatial itself when it is, else
 * px * py * (fanout_x / px) * (fanout_y / py) on a level walked per axis
 * (px, py: the axes' products so far) and P * floor(fanout_x * fanout_y / P)
 * on a level walked by product (P = spatial).  While a level by product
 * is incomplete, m holds its chosen dims' products but not yet their
 * split over the axes: read spatial_x[d] * spatial_y[d] only. */
struct mapspace_node {
    int level;
    int dims_done;
    const uint64_t *ext;
    uint64_t spatial, spatial_max;
};

/* Called at every node; returns true to cut the subtree (no completion of
 * it can beat what the caller has). */
typedef bool (*mapspace_prune_fn)(void *ctx, const struct mapping *m,
                                  const struct mapspace_node *node);

/* Enumerates every bypass choice and factorization that fits the fanouts,
 * the capacities and the constraints, is not cut by prune (may be NULL),
 * and whose innermost level's factors have a sequence number equal to
 * shard modulo nshards; m is the scratch it fills.  Levels are walked from
 * the innermost outward; at each, its bypass choice is made first, then
 * its factors (prune sees the level's bypass flags at every node of it;
 * levels not yet walked keep only what they must).  Returns true when
 * stopped by fn. */
bool mapspace_factorizations(const struct mapspace *s, struct mapping *m,
                             uint64_t shard, uint64_t nshards,
                             mapspace_factor_fn fn, mapspace_prune_fn prune,
                             void *ctx);

/* Orders: a level whose order the enumeration varies, with its dims. */
struct mapspace_orders {
    int nlevels;                     /* levels with orders to vary */
    uint8_t level[ARCH_MAX_LEVELS];
    uint8_t ndims[ARCH_MAX_LEVELS];  /* dims to permute (after the prefix) */
    uint8_t prefix[ARCH_MAX_LEVELS]; /* dims fixed first by the constraints */
};

/* Sets every level's order in m to its first order and fills o.  The
 * innermost level and the dims of factor 1 keep a canonical order. */
void mapspace_orders_first(const struct mapspace *s, struct mapping *m,
                           struct mapspace_orders *o);

/* Advances m to the next combination of orders; false after the last. */
bool mapspace_orders_next(const struct mapspace_orders *o, struct mapping *m);

/* Level l's order written canonically: the constraint's prefix, then the
 * other dims of factor > 1 in dim order, then the rest.  Returns how many
 * dims follow the prefix with factor > 1; *prefix = the prefix length. */
int mapspace_canonical_order(const struct mapspace *s, struct mapping *m, int l, int *prefix);

/* One order per class (orders.c): orders whose every level has the same
 * signature give identical costs by construction. */
#define MAPSPACE_MAX_CLASSES 512     /* per level; beyond, every permutation */

struct mapspace_level_orders {
    int level;
    int prefix, nfree;              /* the free dims follow the prefix */
    uint8_t dims[DIM_COUNT];        /* the free dims, ascending */
    bool all;                       /* every permutation of dims, no list */
    int n;                          /* classes listed (when !all) */
    uint8_t order[MAPSPACE_MAX_CLASSES][DIM_COUNT];
    uint32_t sig[MAPSPACE_MAX_CLASSES][SLOT_COUNT];
};

struct mapspace_classes {
    int nlevels;                    /* levels with more than one class */
    int cur[ARCH_MAX_LEVELS];
    struct mapspace_level_orders lv[ARCH_MAX_LEVELS];
};

/* Sets m's orders to the first class of every level (given m's factors and
 * bypass flags) and fills o (about 10 KB a level; the caller's). */
void mapspace_classes_first(const struct mapspace *s, struct mapping *m,
                            struct mapspace_classes *o);

/* Sets level lo->level of m to its first class. */
void mapspace_level_first(const struct mapspace_level_orders *lo, struct mapping *m);

/* Advances that level to its next class (*cursor: 0 after _first); false
 * after the last, the level being then back at its first. */
bool mapspace_level_next(const struct mapspace_level_orders *lo, struct mapping *m,
                         int *cursor);

/* A uniformly drawn factorization and orders (bypass flags already in m),
 * from the state *rng; the result may not fit the capacities or the
 * min_utilization (the caller checks with model_check). */
void mapspace_random(const struct mapspace *s, struct mapping *m, uint64_t *rng);

/* A neighbour of m: one prime factor moved between two loops of one dim,
 * two loops of one level swapped, or one bypass choice flipped. */
void mapspace_neighbour(const struct mapspace *s, struct mapping *m, uint64_t *rng);

/* splitmix64 step: the search's only source of randomness. */
uint64_t mapspace_rand(uint64_t *state);

#endif
