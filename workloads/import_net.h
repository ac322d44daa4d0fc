/*
 * import_net: what the importers (import_onnx, import_torch) build and
 * how it becomes workload JSON.
 *
 * An importer reads a model in someone else's format and appends one layer
 * per convolution or fully connected layer it finds, counts the operators
 * it skips because they carry no MACs, and adds notes about anything it
 * could not use.  import_net_to_json then writes a workload file (DESIGN.md
 * section 3) whose top-level "comment" carries those notes.  Called once per
 * import: simplicity over speed.
 *
 * Ownership: struct import_net is caller-allocated (import_net_init /
 * import_net_release) and owns its arrays; strings returned through char **
 * are malloc'd and owned by the caller.
 */
#ifndef TRAINMAP_IMPORT_NET_H
#define TRAINMAP_IMPORT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "workload.h"

/* Every number in a workload file is at most this (workload.c). */
#define IMPORT_INT_MAX 2147483647u

/* Options shared by the importers. */
struct import_opts {
    const char *name;   /* workload name; NULL: the file's base name */
    uint64_t batch;     /* 0: from the model (its input's batch, else 1) */
    /* torch print(model) text only: the input tensor, 0 when not given. */
    uint64_t in_c, in_h, in_w;
};

/* One layer as the workload file will state it. */
struct import_layer {
    enum layer_type type;
    uint64_t N;              /* 0: the workload's batch */
    uint64_t C, K, groups;
    /* A conv layer is written either from its input (H, W and pad) or,
     * when its padding is not symmetric or not known, from its output (P,
     * Q): by_output chooses. */
    bool by_output;
    uint64_t H, W, P, Q;
    uint64_t R, S;
    uint64_t stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w;
};

struct import_skip {
    char type[48];
    int count;
};

struct import_net {
    char name[PROBLEM_NAME_MAX];
    char source[256];          /* "FILE (FORMAT)", the comment's first words */
    uint64_t batch;
    int nlayers, cap;
    struct import_layer *layers;
    char (*names)[PROBLEM_NAME_MAX];   /* nlayers names, unique */
    int *slots;                /* hash of names -> layer index + 1 */
    int nslots;
    int nskips, skips_cap;     /* operator types skipped, first seen first */
    struct import_skip *skips;
    char *notes;               /* '\n'-separated lines, NULL when none */
    size_t notes_len;
};

/* Sets n empty (batch 1). */
void import_net_init(struct import_net *n);
/* Frees what n owns and leaves it empty.  Safe on an empty net. */
void import_net_release(struct import_net *n);

/* A conv layer with every field at its default: groups, strides and
 * dilations 1, no padding, written from its input. */
struct import_layer import_layer_conv(void);

/*
 * Appends layer l named after raw: characters other than letters, digits,
 * '_', '.' and '-' become '_' (runs of them one '_'), leading and trailing
 * '_' and '.' are dropped, the result is cut to fit PROBLEM_NAME_MAX, and a
 * name already taken gets the first free suffix "_2", "_3", ...  An empty
 * result takes fallback instead.  Every number must be at most
 * IMPORT_INT_MAX: otherwise ERR_TOO_LARGE with "FIELD = V is too large"
 * (the caller prefixes where).  Returns 0, ERR_TOO_LARGE or ERR_NOMEM; the
 * name given is readable as n->names[n->nlayers - 1].
 */
int import_net_add(struct import_net *n, const char *raw, const char *fallback,
                   const struct import_layer *l, struct err *e);

/* The N of a layer whose input has lead rows along the batch dimension and
 * rest rows per sample (tokens, say), scaled from model_batch (the batch
 * the model's shapes are stated for) to batch; 0 when it is batch itself.
 * A lead that is not a multiple of model_batch is kept as it is.  Saturates
 * at UINT64_MAX, which import_net_add rejects. */
uint64_t import_layer_batch(uint64_t lead, uint64_t rest, uint64_t model_batch,
                            uint64_t batch);

/* Counts one skipped operator of the given type.  0 or ERR_NOMEM. */
int import_net_skip(struct import_net *n, const char *type, struct err *e);

/* Appends one note line (no newline in it).  0 or ERR_NOMEM. */
int import_net_note(struct import_net *n, struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The notes as '\n'-terminated lines: first "skipped, no MACs: Relu x3,
 * ..." when anything was skipped, then the notes in order.  *out is a
 * malloc'd string ("" when there is nothing).  0 or ERR_NOMEM. */
int import_net_notes(const struct import_net *n, char **out, struct err *e);

/* The workload JSON of n, one layer per line, ending in a newline.  The
 * top-level comment is "imported from SOURCE" followed by the notes.
 * Fails with ERR_SCHEMA when n has no layer.  0, ERR_SCHEMA or ERR_NOMEM. */
int import_net_to_json(const struct import_net *n, char **out, struct err *e);

/* Reads the whole file at path, at most max bytes, into a malloc'd buffer
 * with a NUL after the data.  0, ERR_IO, ERR_TOO_LARGE or ERR_NOMEM. */
int import_read_file(const char *path, size_t max, char **data, size_t *len,
                     struct err *e);

/* Sets n->name from opts->name or, without one, from path's base name
 * without its extension.  Fails with ERR_USAGE when the name is too long. */
int import_net_set_name(struct import_net *n, const struct import_opts *opts,
                        const char *path, struct err *e);

#endif
