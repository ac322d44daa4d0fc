/*
 * mapping_io: the mapping JSON of DESIGN.md section 3, read and written.
 *
 * Reading takes two stages so that a file can be checked on its own
 * (`trainmap check`) and bound later to the arch and problem it is meant
 * for (`trainmap eval`):
 *
 *   mapping_load / mapping_parse   the schema alone: keys, dims, factors,
 *                                  orders; level and bypass names stay
 *                                  strings in a struct mapping_file;
 *   mapping_bind                   names resolved against an arch and a
 *                                  problem, factor products checked, a
 *                                  struct mapping (model/mapping.h) filled.
 *
 * mapping_to_json is the inverse of the two: what it writes reads back and
 * binds to the same struct mapping.  Called once per file or per report
 * entry, never in the search loop: clarity over speed.
 *
 * The order rule (stricter of the readings of DESIGN.md): a level's "order"
 * must list every dim whose temporal factor is > 1; dims of factor 1 may be
 * listed or left out; an empty or absent order is allowed only when no
 * temporal factor is > 1.  Nothing is guessed.
 *
 * Ownership: mapping_load/mapping_parse return a heap object released with
 * mapping_file_free; mapping_bind fills a caller-owned value;
 * mapping_to_json returns a cJSON tree the caller deletes.
 */
#ifndef TRAINMAP_MAPPING_IO_H
#define TRAINMAP_MAPPING_IO_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "../arch/arch.h"
#include "../common/err.h"
#include "../model/mapping.h"
#include "../workloads/problem.h"

/* Bypass names are slot names ("weights") or tensor names ("dW"). */
#define MAPPING_NAME_MAX 32
/* At most one name per slot and one per tensor. */
#define MAPPING_MAX_BYPASS (2 * SLOT_COUNT)

/* One "levels" entry as written in the file. */
struct mapping_file_level {
    char level[ARCH_NAME_MAX];     /* the arch level it maps, by name */
    uint32_t temporal[DIM_COUNT];  /* 1 for a dim not given */
    uint32_t spatial_x[DIM_COUNT];
    uint32_t spatial_y[DIM_COUNT];
    char order[DIM_COUNT + 1];     /* dim letters, outermost first; may be "" */
    int nbypass;
    char bypass[MAPPING_MAX_BYPASS][MAPPING_NAME_MAX];
};

struct mapping_file {
    char layer[PROBLEM_NAME_MAX];  /* "" when the file does not say */
    int kernel;                    /* enum kernel, or -1 when not given */
    char *comment;                 /* owned; NULL when absent */
    int nlevels;                   /* 1 .. ARCH_MAX_LEVELS */
    struct mapping_file_level level[ARCH_MAX_LEVELS];
};

/* Reads and checks the mapping file at path against the schema (no arch or
 * problem needed).  Returns 0 and sets *out, or a negative ERR_* code
 * (ERR_IO, ERR_SYNTAX, ERR_SCHEMA, ERR_TOO_LARGE, ERR_NOMEM) with err
 * naming the file and JSON path; *out is NULL on failure. */
int mapping_load(const char *path, struct mapping_file **out, struct err *err);

/* As mapping_load, on len bytes of text; name is used in messages. */
int mapping_parse(const char *name, const char *text, size_t len,
                  struct mapping_file **out, struct err *err);

/* Releases mf; NULL is a no-op. */
void mapping_file_free(struct mapping_file *mf);

/* Binds mf (read from file, named in messages) to arch a and problem p:
 * one entry per arch level in the arch's order, bypass names resolved to
 * slots, every dim's factors (temporal x spatial x x spatial y over all
 * levels) multiplying to p's bound, layer and kernel (when the file gives
 * them) equal to p's.  On success fills *out and returns 0.  out's order
 * per level is canonical: the dims of temporal factor > 1 in the file's
 * order, then every other dim in N,K,C,P,Q,R,S,G order.  On failure returns
 * ERR_SCHEMA (an input error) with err filled and leaves *out unspecified.
 * Fanout and capacity are not checked here: that is model_check's job. */
int mapping_bind(const struct mapping_file *mf, const char *file,
                 const struct arch *a, const struct problem *p,
                 struct mapping *out, struct err *err);

/* m as a mapping JSON object for arch a and problem p (m bound to them):
 * per level, "temporal" holds the dims of factor > 1 in loop order and
 * "order" lists them; "spatial" appears when some spatial factor is > 1;
 * "bypass" (tensor names) when the level bypasses something.  Returns a
 * new tree the caller frees with cJSON_Delete, or NULL when out of memory. */
cJSON *mapping_to_json(const struct mapping *m, const struct arch *a,
                       const struct problem *p);

#endif
