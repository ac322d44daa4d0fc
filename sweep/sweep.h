/*
 * sweep: the plan of a design-space sweep (`trainmap sweep`) and the one
 * thing a worker does with it.
 *
 * A sweep maps every workload on every arch variant: each given arch file
 * times every combination of the --vary values (LEVEL.FIELD=v1,v2,...)
 * applied to its JSON.  A cell is one (variant, workload) pair and holds
 * the selected kernels of the selected layers, exactly as `trainmap map`
 * would plan them.  Every distinct (variant content, problem) pair is ONE
 * job: identical problems of several layers, workloads or variants that
 * happen to be equal are searched once.  The plan is built the same way
 * by every process of a run (threads or MPI ranks), from the same inputs
 * in the same order, so job i means the same thing everywhere.
 *
 * A job's result is a blob: one line of compact JSON (no newline) that is
 * self-contained (it names its job and carries the search's mapping, flags
 * and counts), so that it can cross a network and is exactly what the
 * journal stores.  sweep_solve produces it on any thread (no printing, no
 * shared mutable state); sweep_result_decode turns it back into a struct
 * search_result on the main thread (the model re-evaluates the mapping,
 * which is cheap and bit-identical).
 *
 * Built once per run; solve runs once per job: clarity over speed.
 *
 * Ownership: struct sweep_plan is caller-allocated (sweep_plan_build /
 * sweep_plan_release) and owns its variants, cells and jobs; it points to
 * the caller's spec, which must outlive it.
 */
#ifndef TRAINMAP_SWEEP_H
#define TRAINMAP_SWEEP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../arch/arch.h"
#include "../common/err.h"
#include "../common/sha256.h"
#include "../mapper/constraints.h"
#include "../mapper/search.h"
#include "../workloads/workload.h"

#define SWEEP_MAX_VARY 8
#define SWEEP_FIELD_MAX 32
#define SWEEP_VALUE_MAX 32
/* Cells and jobs are counted in 32 bits; a sweep is refused above this. */
#define SWEEP_MAX_CELLS (1u << 20)

/* One --vary LEVEL.FIELD=v1,v2,... */
struct sweep_vary {
    char level[ARCH_NAME_MAX];      /* a level's name, or "compute" */
    char field[SWEEP_FIELD_MAX];
    int nvalues;                    /* >= 1 */
    char (*value)[SWEEP_VALUE_MAX]; /* owned: each value as given (a JSON number) */
};

/* Parses spec ("GlobalBuffer.size_words=32768,65536") into v.  LEVEL and
 * FIELD are checked against the arch files later (sweep_plan_build); here
 * only the form: LEVEL (which may contain dots), the last dot before the
 * '=', FIELD, the '=', non-empty comma-separated JSON numbers.
 * Returns 0, or ERR_USAGE (err says what is wrong, quoting spec) or
 * ERR_NOMEM; v needs sweep_vary_release either way. */
int sweep_vary_parse(const char *spec, struct sweep_vary *v, struct err *err);
void sweep_vary_release(struct sweep_vary *v);

/* The inputs of a sweep, all owned by the caller. */
struct sweep_spec {
    int narchs;
    const char *const *arch_path;   /* narchs files, in command-line order */
    int nworkloads;
    const char *const *workload_path;
    struct workload *const *workload;   /* loaded */
    const bool *const *matched;     /* per workload: layers selected (--layers) */
    const char *layers;             /* the --layers pattern, or NULL (for the record) */
    int nvary;
    const struct sweep_vary *vary;
    bool kernel[KERNEL_COUNT];      /* -k */
    enum lowering lowering;
    const char *constraints_path;   /* NULL: none */
    const struct constraints_file *constraints;     /* loaded; NULL: none */
    enum strategy strategy;
    enum objective objective;
    uint64_t seed;
    double time_limit_s;
};

/* One arch variant: arch file `arch` with value choice[i] of each --vary. */
struct sweep_variant {
    int arch;
    char name[ARCH_NAME_MAX];       /* the arch file's "name" (never varied) */
    int choice[SWEEP_MAX_VARY];
    char *json;                     /* owned: the variant's arch JSON, indented */
    char sha256[SHA256_HEX_SIZE];   /* of json */
    struct arch *a;                 /* owned; NULL when the variant is invalid */
    struct constraints cons;        /* the constraints bound to a */
    char error[ERR_MSG_MAX];        /* why invalid: the loader's message */
    int same_as;                    /* an earlier variant with the same json, or -1 */
};

/* One kernel of one layer of a cell, in `map` report order. */
struct sweep_entry {
    int layer;                      /* index in the workload */
    enum kernel kernel;
    uint32_t job;
};

struct sweep_cell {
    int variant, workload;
    int nlayers;                    /* selected layers */
    int nentries;
    struct sweep_entry *entry;      /* owned; none when the variant is invalid */
};

struct sweep_job {
    int variant;                    /* the variant searched on (never a same_as one) */
    uint32_t cell;                  /* the first cell that needs it */
    struct problem problem;         /* as derived for that cell's entry */
};

struct sweep_plan {
    const struct sweep_spec *spec;
    uint32_t ncombos;               /* product of the --vary value counts */
    int nvariants;                  /* narchs * ncombos, arch-major */
    struct sweep_variant *variant;
    uint32_t ncells;                /* nvariants * nworkloads, variant-major */
    struct sweep_cell *cell;
    uint32_t njobs;
    struct sweep_job *job;
};

/* Builds the plan of spec: variants (arch files read and modified as JSON,
 * then validated by arch_parse under the file's name, so an invalid
 * variant carries exactly the loader's message; constraints bound), cells
 * and deduplicated jobs, all in a fixed order.  Returns 0, or ERR_USAGE
 * (an arch file lacks a --vary level, or FIELD is not a numeric field of
 * that level), ERR_IO/ERR_SYNTAX (an arch file), ERR_TOO_LARGE (too many
 * cells) or ERR_NOMEM, with err filled; the plan needs sweep_plan_release
 * either way. */
int sweep_plan_build(const struct sweep_spec *spec, struct sweep_plan *plan,
                     struct err *err);
void sweep_plan_release(struct sweep_plan *plan);

/* The value index of each --vary for combination combo (the last --vary
 * varies fastest) into choice. */
void sweep_combo_choice(const struct sweep_spec *spec, uint32_t combo,
                        int choice[SWEEP_MAX_VARY]);

/* The SHA-256 (hex) of everything that decides the jobs and their
 * results: each input file's bytes, the --vary values and the map options
 * (not -j, not the output paths).  Returns 0 or ERR_IO. */
int sweep_inputs_sha256(const struct sweep_spec *spec, char hex[SHA256_HEX_SIZE],
                        struct err *err);

/* Runs job's search (one thread; *stop may be NULL) and returns its blob
 * in *blob (malloc'd, *len bytes, no terminating newline).  Thread-safe:
 * reads the plan only.  Returns 0, or ERR_NOMEM / the search's option
 * error. */
int sweep_solve(const struct sweep_plan *plan, uint32_t job, const atomic_int *stop,
                char **blob, size_t *len, struct err *err);

/* True when blob is the result of a search cut short by *stop: it is not
 * a result (neither kept nor journaled; the job runs again on resume). */
bool sweep_blob_interrupted(const char *blob, size_t len);

/* Decodes job's blob (named where in messages) into *out and, when no
 * mapping was found, the reason into error (ERR_MSG_MAX bytes).  Main
 * thread only (parses JSON).  Returns 0, or ERR_SCHEMA when the blob is
 * not a result of this job (err says why), or ERR_NOMEM. */
int sweep_result_decode(const struct sweep_plan *plan, uint32_t job, const char *where,
                        const char *blob, size_t len, struct search_result *out,
                        char *error, struct err *err);

#endif
