/*
 * search_helpers: what the search suites share: a plain enumeration of
 * every mapping of a small problem (every bypass choice, every
 * factorization over every loop, every permutation of every level's dims,
 * the innermost level's included), the fixtures that load an arch and a
 * layer from JSON text, and the small archs both suites search.
 */
#ifndef TRAINMAP_TESTS_SEARCH_HELPERS_H
#define TRAINMAP_TESTS_SEARCH_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

#include "../arch/arch.h"
#include "../mapper/constraints.h"
#include "../mapper/search.h"
#include "../model/model.h"
#include "../workloads/workload.h"

/* The plain enumeration's state: set a, p and obj (and cons, or leave it
 * NULL), then sh_plain_search; best is the least cost (ties: the least
 * energy) over every valid mapping that cons allows, evaluated the number
 * of them. */
struct sh_plain {
    const struct arch *a;
    const struct problem *p;
    enum objective obj;
    const struct constraints *cons;
    struct mapping m;
    int dims[DIM_COUNT], ndims;         /* the dims of bound > 1 */
    bool have;
    struct model_stats best;
    uint64_t evaluated;
};

void sh_plain_search(struct sh_plain *pl);

struct sh_fixture {
    struct arch *arch;
    struct workload *wl;
    struct problem prob;
};

/* Parses the arch and workload texts and derives layer 0's kernel k
 * (failing the test on error); sh_fixture_release frees them. */
void sh_fixture_load(struct sh_fixture *f, const char *arch_json, const char *wl_json,
                     enum kernel k);
void sh_fixture_release(struct sh_fixture *f);

/* Constraints text bound to arch a into *c (failing the test on error);
 * returns the parsed file for the caller to free. */
struct constraints_file *sh_constraints(const struct arch *a, const char *text,
                                        struct constraints *c);

/* Search options with seed 7 and a 120 s limit. */
struct search_options sh_options(enum strategy st, enum objective o, int threads);

/* The exhaustive search (search_run, 2 threads) proves an optimum of layer
 * 0's kernel k of the workload on the arch under objective o that costs
 * what the plain enumeration's best costs, and reports the model's stats
 * of the mapping it returns. */
void sh_expect_plain_optimum(const char *arch_json, const char *wl_json, enum kernel k,
                             enum objective o);

/* DRAM -> Buf -> PE (2 x 1, small) -> 2 MACs. */
extern const char *const sh_arch_small;

/* Four levels: DRAM with 2-word blocks and a read bandwidth, a buffer with
 * a shared bandwidth fanning out over X to a level that only fans out
 * (over Y) to 2 x 2 PEs. */
extern const char *const sh_arch_chain;

#endif
