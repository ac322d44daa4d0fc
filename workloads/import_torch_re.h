/*
 * import_torch_re: what the torch importer's source files share (the entry
 * point in import_torch.c, the torchinfo table reader in import_torchinfo.c,
 * the print(model) reader in import_torch_print.c): the compiled patterns,
 * matching, located errors.  Not part of the interface: everything outside workloads/
 * uses import_torch.h.
 */
#ifndef TRAINMAP_IMPORT_TORCH_RE_H
#define TRAINMAP_IMPORT_TORCH_RE_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>

#include "../common/err.h"
#include "import_net.h"

/* One pattern per kind of line or argument list; compiled once per import. */
enum torch_re {
    RE_DIVIDER, RE_HEADER, RE_ROW, RE_CELL, RE_FOOTER,
    RE_ROOT, RE_OPEN, RE_LEAF, RE_CLOSE, RE_REPEAT,
    RE_CONV, RE_LINEAR, RE_POOL, RE_ADAPTIVE, RE_FLATTEN, RE_PAIR,
    RE_COUNT
};

/* A line of the text, without its end-of-line and trailing blanks. */
struct tline {
    const char *s;
    size_t len;
};

struct torch_ctx {
    const char *file;
    const struct import_opts *opts;
    struct import_net *net;
    struct err *err;
    pcre2_code *re[RE_COUNT];
    pcre2_match_data *md;
    const char *subject;     /* of the last successful match */
    int line;                /* 1-based, for messages */
};

/* Matches pattern r against s[start..len); true on a match, whose groups
 * torch_group then reads. */
bool torch_match(struct torch_ctx *c, enum torch_re r, const char *s, size_t len,
                 size_t start);

/* Group i of the last match: its start (NULL when unset) and length. */
const char *torch_group(const struct torch_ctx *c, int i, size_t *len);

/* Group i of the last match as an integer from 0 to IMPORT_INT_MAX; false
 * when unset.  A larger number is ERR_TOO_LARGE through *rc. */
bool torch_group_u64(struct torch_ctx *c, int i, uint64_t *v, int *rc);

/* Fails with "FILE:LINE: message". */
int torch_fail(struct torch_ctx *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Modules that carry no MACs and keep their input's shape. */
bool torch_keeps_shape(const char *type);

/* Reads a torchinfo table (n lines). */
int torchinfo_read(struct torch_ctx *c, const struct tline *lines, int n);

/* Reads print(model) text whose first line (the model's) is lines[first];
 * the input shape comes from c->opts. */
int torch_print_read(struct torch_ctx *c, const struct tline *lines, int n, int first);

#endif
