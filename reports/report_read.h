/*
 * report_read: a saved JSON report (report_json.h, docs/report.md) read
 * back, so that `trainmap report` and `trainmap compare --from` can render
 * it again without searching.
 *
 * The reader is as strict as every other loader: unknown keys, wrong
 * types, missing fields, a schema other than 1 and totals that are not the
 * sums of their entries are errors located by JSON path
 * ("r.json: layers[3].kernels[0].stats.energy_pj: expected a number, got
 * \"x\"").  Mappings are checked against the mapping format and dropped;
 * per level and tensor the counts and energies are kept.  Numbers read
 * back to the doubles the writer printed (exactly, since it prints the
 * shortest round-tripping text); counts above 2^53 come back as the
 * nearest double.
 *
 * Read once per command: clarity over speed.
 *
 * Ownership: report_doc_load/report_doc_parse return a heap object the
 * caller releases with report_doc_free; every string in it is owned by it.
 */
#ifndef TRAINMAP_REPORT_READ_H
#define TRAINMAP_REPORT_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "../arch/arch.h"
#include "../common/err.h"
#include "../common/json.h"
#include "../common/sha256.h"
#include "../model/model.h"
#include "report_json.h"

/* What became of one kernel of one layer. */
enum report_status {
    REPORT_MAPPED,          /* a mapping and its stats */
    REPORT_NO_MAPPING,      /* searched, no valid mapping found ("error") */
    REPORT_NOT_SEARCHED,    /* the run was interrupted before it */
};

struct report_doc_tensor {
    char name[8];
    enum slot slot;
    bool kept;
    uint64_t tile_words;
    uint64_t reads_per_instance, fills_per_instance, updates_per_instance;
    double reads, fills, updates;   /* totals over the used instances */
    double energy_pj;
};

struct report_doc_level {
    uint64_t instances_used;
    uint64_t cycles;
    double energy_pj;
    int ntensors;
    struct report_doc_tensor tensor[MODEL_MAX_TENSORS];
};

/* One entry of a layer's "kernels".  The stats fields are valid when
 * status is REPORT_MAPPED; the search fields unless REPORT_NOT_SEARCHED. */
struct report_doc_entry {
    enum kernel kernel;
    enum report_status status;
    int same_as;                    /* an earlier layer's index, or -1 */
    bool has_mapping;               /* false for the stream kernels */
    /* stats */
    uint64_t macs, cycles, compute_cycles;
    double utilization, energy_pj, edp;
    uint64_t mac_instances_used;
    double mac_energy_pj;
    int nlevels;                    /* = the doc's nlevels */
    struct report_doc_level level[ARCH_MAX_LEVELS];
    /* bounds; the ratios are NAN when the file has null */
    double energy_bound_pj, cycles_bound, energy_ratio, cycles_ratio;
    /* search */
    bool optimal, timed_out, interrupted;
    uint64_t evaluated;
    double search_s;
    char error[ERR_MSG_MAX];        /* unless REPORT_MAPPED */
};

struct report_doc_layer {
    char name[PROBLEM_NAME_MAX];
    int nkernels;
    struct report_doc_entry kernel[KERNEL_COUNT];
};

/* One input file; strings NULL where the report has null. */
struct report_doc_input {
    char *path, *name, *comment;
    char sha256[SHA256_HEX_SIZE];
};

struct report_doc {
    char *file;                     /* the file read (as named to the reader) */
    char *version, *command;        /* NULL when null */
    struct report_doc_input arch, workload, constraints;
    bool has_constraints;
    char strategy[16], objective[16];
    uint64_t threads, seed;
    double time_limit_s;
    bool interrupted;
    int nlayers;
    struct report_doc_layer *layers;
    /* The arch's levels and MAC array as the stats name them (every mapped
     * entry lists the same levels); nlevels is 0 when nothing is mapped. */
    int nlevels;
    char level_name[ARCH_MAX_LEVELS][ARCH_NAME_MAX];
    char compute_name[ARCH_NAME_MAX];
    /* "totals", checked against the entries. */
    struct report_totals totals;
};

/* Reads the report at path.  Returns 0 and sets *out, or a negative ERR_*
 * code (ERR_IO, ERR_SYNTAX, ERR_SCHEMA, ERR_TOO_LARGE, ERR_NOMEM) with err
 * naming the file and where; *out is NULL on failure. */
int report_doc_load(const char *path, struct report_doc **out, struct err *err);

/* As report_doc_load, on len bytes of text; name is used in messages and
 * kept as the doc's file. */
int report_doc_parse(const char *name, const char *text, size_t len,
                     struct report_doc **out, struct err *err);

/* Releases doc; NULL is a no-op. */
void report_doc_free(struct report_doc *doc);

/* Which entry of doc had status, for messages: "mapped", "no_mapping",
 * "not_searched". */
const char *report_status_name(enum report_status s);

/*
 * For report_read.c only: the stats object of an entry, read into e
 * (report_read_stats.c).  path is the object's JSON path, layer and the
 * entry's kernel the names it must carry.  Fills doc's level and compute
 * names from the first mapped entry and checks later ones against them.
 */
int report_read_stats(const struct jdoc *d, const cJSON *stats, const char *path,
                      const char *layer, struct report_doc *doc,
                      struct report_doc_entry *e);

/* For report_read*.c: the bounds object {energy_pj, cycles, energy_ratio,
 * cycles_ratio} at path into e's bounds. */
int report_read_bounds(const struct jdoc *d, const cJSON *b, const char *path,
                       struct report_doc_entry *e);

/* For report_read*.c: number readers with report messages.  A count is a
 * non-negative integer below 2^64; a number is finite and >= 0; a ratio is
 * such a number or null (NAN).  Each is required. */
int report_read_count(const struct jdoc *d, const cJSON *obj, const char *path,
                      const char *key, uint64_t *out);
int report_read_number(const struct jdoc *d, const cJSON *obj, const char *path,
                       const char *key, double *out);
int report_read_ratio(const struct jdoc *d, const cJSON *obj, const char *path,
                      const char *key, double *out);

#endif
