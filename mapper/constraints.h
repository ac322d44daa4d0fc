/*
 * constraints: restrictions on the mapspace, from a constraints JSON file
 * (`trainmap map --constraints F`) or a shipped dataflow preset
 * (mapper/presets/NAME.json).
 *
 * A file names levels either by their arch name or by a role that any arch
 * has, so that one dataflow preset fits many arches:
 *   "@outermost"  level 0;
 *   "@innermost"  the innermost storage level;
 *   "@array"      the innermost level whose fanout is above 1 x 1 (the level
 *                 that spreads work over the PE array; for an arch whose
 *                 innermost level fans out to several MACs, that level).
 * A name starting with '@' is always read as a role.  Two entries that
 * resolve to one level are an error, so a file with both "@array" and
 * "@innermost" fits only arches where the two differ.
 * Like mappings, reading has two stages: constraints_load checks the file
 * alone; constraints_bind resolves it against an arch into struct
 * constraints, which the mapspace reads.
 *
 * The format (every object accepts "comment"; unknown keys are errors;
 * everything but "level" is optional):
 *
 *   { "name": "weight-stationary", "min_utilization": 0.5,
 *     "levels": [
 *       { "level": "@array", "spatial": { "x": ["K"], "y": ["C"] },
 *         "spatial_factors": { "x": { "K": 16 } } },
 *       { "level": "@innermost", "temporal": { "K": 1, "C": 1, "R": 1, "S": 1 },
 *         "order": "NPQ", "order_exact": false,
 *         "keep": ["weights"], "bypass": ["inputs", "outputs"] } ] }
 *
 *   min_utilization  the least fraction of the MACs a mapping must keep
 *                    busy, 0 to 1 (checked by the mapper with the model);
 *   level            an arch level name or a role; one entry per level;
 *   temporal         fixed temporal factors per dim; a factor of 1 forbids
 *                    the dim in the level's temporal loops;
 *   order            dim letters, each once: the level's loops must start,
 *                    outermost first, with these dims in this order; dims
 *                    whose factor is 1 in a mapping are no loops and are
 *                    skipped on both sides;
 *   order_exact      true: the loops are exactly "order" (every other dim
 *                    has temporal factor 1 at the level); needs "order";
 *   spatial          per axis ("x", "y"), the dims allowed a spatial factor
 *                    above 1 on that axis; an axis not given is free, an
 *                    empty list forbids spatial work on it;
 *   spatial_factors  fixed spatial factors per axis and dim (only on dims
 *                    that "spatial" allows on that axis);
 *   keep, bypass     slot names ("weights", "inputs", "outputs") the level
 *                    must keep or must bypass; a slot in both is an error,
 *                    as is a bypass at the outermost level.
 * Dims and slots keep the forward pass's names for every kernel (DESIGN.md
 * section 2): in bwd_weight the weights slot holds dO, so a rule on the
 * weights slot applies to dO there.
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
#include "../model/mapping.h"
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

/* Reads a constraints file: keys, dims, factors, level names or roles,
 * and the rules that need no arch (a slot both kept and bypassed, a bypass
 * at @outermost, a fixed factor outside "spatial" or "order_exact").
 * Returns 0 and *out, or a negative ERR_* code (ERR_IO, ERR_SYNTAX,
 * ERR_SCHEMA, ERR_TOO_LARGE, ERR_NOMEM) with err naming the file and JSON
 * path; *out is NULL on failure. */
int constraints_load(const char *path, struct constraints_file **out, struct err *err);
/* As constraints_load, on len bytes of text; name is used in messages and
 * in the bound constraints' source strings. */
int constraints_parse(const char *name, const char *text, size_t len,
                      struct constraints_file **out, struct err *err);
/* Releases cf; NULL is a no-op. */
void constraints_file_free(struct constraints_file *cf);

/* Resolves cf (NULL: no constraints) against arch a into out; source[l] is
 * "file: levels[i]" for the entry i that constrains level l, "" for a free
 * level.  Errors (ERR_SCHEMA, located in the file): a level name the arch
 * lacks, a role it cannot fill (@array on an arch without fanout), two
 * entries on one level, a keep of a slot the level's "keeps" excludes, a
 * bypass at level 0, fixed spatial factors multiplying to more than the
 * level's fanout on their axis.  out is unspecified on failure. */
int constraints_bind(const struct constraints_file *cf, const struct arch *a,
                     struct constraints *out, struct err *err);

/* The unconstrained constraints for a: every factor free, every dim allowed
 * on both axes, no order, every slot free, min_utilization 0. */
void constraints_init(struct constraints *c, const struct arch *a);

/* True when the complete mapping m (of the arch c was bound to) obeys every
 * rule of c except min_utilization, which needs the model.  When not, and
 * why is not NULL, *why points at a static description of the first rule
 * broken, outermost level first ("fixed temporal factor").  Pure: no
 * allocation, safe from any thread. */
bool constraints_allow(const struct constraints *c, const struct mapping *m,
                       const char **why);

#endif
