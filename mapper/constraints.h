/*
 * constraints: restrictions on the mapspace, from a constraints JSON file
 * (`trainmap map --constraints F`) or a shipped dataflow preset
 * (mapper/presets/*.json).
 *
 * A file names levels either by their arch name or by a role that any arch
 * has, so that one dataflow preset fits many arches:
 *   "@outermost"  level 0;
 *   "@innermost"  the innermost storage level;
 *   "@array"      the innermost level whose fanout is above 1 x 1 (the level
 *                 that spreads work over the PE array; for an arch whose
 *                 innermost level fans out to several MACs, that level).
 * Like mappings, reading has two stages: constraints_load checks the file
 * alone; constraints_bind resolves it against an arch into struct
 * constraints, which the mapspace reads.
 *
 * Ownership: constraints_load/_parse return a heap object released with
 * constraints_file_free; constraints_bind fills a caller-owned value, which
 * is plain data (no pointers) and read-only during a search.
 */
#ifndef TRAINMAP_CONSTRAINTS_H
#define TRAINMAP_CONSTRAINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../arch/arch.h"
#include "../common/err.h"
#include "../workloads/problem.h"

enum keep_rule { KEEP_FREE = 0, KEEP_FORCE, BYPASS_FORCE };

struct level_constraint {
    /* Temporal factors fixed per dim (0: free).  A fixed factor larger than
     * a problem's bound, or not dividing it, empties the space. */
    uint32_t temporal[DIM_COUNT];
    /* The order must start (outermost first) with these dims, in this order;
     * with order_exact the order is exactly these dims (others factor 1). */
    uint8_t order_prefix[DIM_COUNT];
    int order_prefix_len;
    bool order_exact;
    /* Dims allowed in spatial factors on each axis: bit d set = allowed.
     * Default: all dims (0xFF). */
    uint8_t spatial_x_dims, spatial_y_dims;
    /* Spatial factors fixed per dim and axis (0: free). */
    uint32_t spatial_x[DIM_COUNT], spatial_y[DIM_COUNT];
    enum keep_rule keep[SLOT_COUNT];
};

struct constraints {
    int nlevels;                                 /* = the arch's */
    struct level_constraint level[ARCH_MAX_LEVELS];
    double min_utilization;                      /* 0..1; 0 = none */
    /* Where each rule came from, for "which constraint emptied the space":
     * "constraints.json: levels[1].spatial.x". */
    char source[ARCH_MAX_LEVELS][128];
};

struct constraints_file;

/* Reads a constraints file: keys, dims, factors, level names or roles.
 * Returns 0 and *out, or an ERR_* code with a located message. */
int constraints_load(const char *path, struct constraints_file **out, struct err *err);
int constraints_parse(const char *name, const char *text, size_t len,
                      struct constraints_file **out, struct err *err);
void constraints_file_free(struct constraints_file *cf);

/* Resolves cf (NULL: no constraints) against arch a into out.  Errors
 * (ERR_SCHEMA): a level name the arch lacks, a role it cannot fill. */
int constraints_bind(const struct constraints_file *cf, const struct arch *a,
                     struct constraints *out, struct err *err);

/* The unconstrained constraints for a. */
void constraints_init(struct constraints *c, const struct arch *a);

#endif
