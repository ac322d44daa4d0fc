/*
 * import_torchinfo: reading the table torchinfo.summary() prints; see
 * import_torch.h.
 *
 * The table is: a '=' divider, the header (the layer column, then one title
 * per column: "Input Shape", "Output Shape", "Kernel Shape", ...), a
 * divider, one row per module (the tree drawn with box characters, a module
 * as "Type: depth-idx" or, with row_settings=("var_names",), "Type
 * (name)"), a divider, the totals, a divider, the sizes, a divider.  Rows
 * are read whole first: a module is a leaf when the next row is not nested
 * in it, and only leaves are layers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/ckd.h"
#include "import_torch_re.h"

#define MAX_COLS 8
#define MAX_LIST 8

enum col { COL_INPUT, COL_OUTPUT, COL_KERNEL, COL_GROUPS, COL_PARAMS, COL_OTHER };

static const struct {
    const char *title;
    enum col col;
} titles[] = {
    { "Input Shape", COL_INPUT }, { "Output Shape", COL_OUTPUT },
    { "Kernel Shape", COL_KERNEL }, { "Groups", COL_GROUPS }, { "Param #", COL_PARAMS },
    { "Param %", COL_OTHER }, { "Mult-Adds", COL_OTHER }, { "Trainable", COL_OTHER },
};

/* A cell: a list "[1, 3, 224, 224]" (n entries) or a number (n = -1). */
struct cell {
    bool set;
    int n;
    uint64_t v[MAX_LIST];
};

struct trow {
    int line, depth;
    char type[48], name[128];
    struct cell in, out, kernel, groups, params;
};

struct table {
    int ncols;
    enum col cols[MAX_COLS];
    bool has[COL_OTHER];
    bool var_names;
    struct trow *rows;
    int nrows, cap;
    char path[16][64];       /* var names of the open rows, by depth */
    uint64_t model_batch;
    bool noted_groups, noted_strides;
};

/* ---- cells ------------------------------------------------------------- */

static bool read_u64(const char **p, const char *end, bool commas, uint64_t *v)
{
    const char *s = *p;
    uint64_t x = 0;
    while (s < end && ((*s >= '0' && *s <= '9') || (commas && *s == ',' && s > *p))) {
        if (*s != ',')
            x = x * 10 + (uint64_t)(*s - '0');
        if (x > IMPORT_INT_MAX)
            return false;
        s++;
    }
    if (s == *p)
        return false;
    *p = s;
    *v = x;
    return true;
}

/* Reads one cell of column col from s[0..len). */
static int read_cell(struct torch_ctx *c, enum col col, const char *s, size_t len,
                     struct cell *out)
{
    const char *p = s, *end = s + len;
    memset(out, 0, sizeof *out);
    if (col == COL_OTHER || (len == 2 && memcmp(s, "--", 2) == 0) ||
        (len == 11 && memcmp(s, "(recursive)", 11) == 0))
        return 0;
    if (col == COL_PARAMS && len > 2 && s[0] == '(' && s[len - 1] == ')') {
        p++;   /* non-trainable parameters */
        end--;
    }
    if (*p == '[' && col != COL_GROUPS && col != COL_PARAMS) {
        for (p++; out->n < MAX_LIST && read_u64(&p, end, false, &out->v[out->n]);) {
            out->n++;
            if (p + 2 <= end && memcmp(p, ", ", 2) == 0)
                p += 2;
            else
                break;
        }
        out->set = p + 1 == end && *p == ']';
    } else {
        out->n = -1;
        out->set = read_u64(&p, end, col == COL_PARAMS, &out->v[0]) && p == end;
    }
    if (out->set)
        return 0;
    return torch_fail(c, ERR_SCHEMA, "cannot read '%.*s' as a %s", (int)len, s,
                      col == COL_PARAMS || col == COL_GROUPS ? "number" : "shape");
}

/* ---- header and rows --------------------------------------------------- */

static int read_header(struct torch_ctx *c, struct table *t)
{
    size_t len;
    const char *rest = torch_group(c, 3, &len), *end = rest ? rest + len : NULL;
    t->var_names = torch_group(c, 1, &len) != NULL;
    while (rest && rest < end) {
        const char *stop = rest;
        while (stop < end && !(stop + 1 < end && stop[0] == ' ' && stop[1] == ' '))
            stop++;
        size_t n = (size_t)(stop - rest), i;
        for (i = 0; i < sizeof titles / sizeof titles[0]; i++)
            if (strlen(titles[i].title) == n && memcmp(titles[i].title, rest, n) == 0)
                break;
        if (i == sizeof titles / sizeof titles[0])
            return torch_fail(c, ERR_SCHEMA, "unknown column '%.*s'", (int)n, rest);
        if (t->ncols == MAX_COLS)
            return torch_fail(c, ERR_SCHEMA, "more than %d columns", MAX_COLS);
        t->cols[t->ncols++] = titles[i].col;
        if (titles[i].col != COL_OTHER)
            t->has[titles[i].col] = true;
        for (rest = stop; rest < end && *rest == ' '; rest++)
            ;
    }
    if (!t->has[COL_INPUT] || !t->has[COL_OUTPUT])
        return torch_fail(c, ERR_SCHEMA, "the table has no Input Shape or no Output Shape "
                          "column: call summary(model, input_size=..., col_names=("
                          "\"input_size\", \"output_size\", \"kernel_size\"))");
    return 0;
}

static int read_row(struct torch_ctx *c, struct table *t, const struct tline *l)
{
    size_t n1, n2, n3, n4, n7;
    const char *tree = torch_group(c, 1, &n1), *branch = torch_group(c, 2, &n2);
    const char *type = torch_group(c, 3, &n3), *var = torch_group(c, 4, &n4);
    const char *cells = torch_group(c, 7, &n7);
    int depth = branch ? 1 : 0;
    for (size_t i = 0; tree && i < n1; i += tree[i] == '|' || tree[i] == ' ' ? 5 : 7)
        depth++;
    int prev = t->nrows ? t->rows[t->nrows - 1].depth : -1;
    if (t->nrows > 0 && depth == 0)   /* only the model's own row is not nested */
        return torch_fail(c, ERR_SCHEMA, "expected a row of the torchinfo table, got '%.*s'",
                          (int)(l->len > 60 ? 60 : l->len), l->s);
    if ((t->nrows == 0 && depth != 0) || depth > prev + 1 || depth >= 16 || n3 >= 48)
        return torch_fail(c, ERR_SCHEMA, "a row nested %d levels deep after one %d deep",
                          depth, prev);
    if (t->nrows == t->cap) {
        int cap = t->cap ? 2 * t->cap : 64;
        struct trow *r = realloc(t->rows, (size_t)cap * sizeof *r);
        if (!r)
            return err_set(c->err, ERR_NOMEM, "out of memory");
        t->rows = r;
        t->cap = cap;
    }
    struct trow *r = &t->rows[t->nrows];
    memset(r, 0, sizeof *r);
    r->line = c->line;
    r->depth = depth;
    snprintf(r->type, sizeof r->type, "%.*s", (int)n3, type);
    /* The name: the module's path of var names, or "Type: depth-idx". */
    snprintf(t->path[depth], sizeof t->path[depth], "%.*s", (int)n4, var ? var : "");
    if (t->var_names) {
        for (int d = 1; d <= depth; d++)
            snprintf(r->name + strlen(r->name), sizeof r->name - strlen(r->name), "%s%s",
                     d > 1 ? "." : "", t->path[d]);
    } else {
        size_t name_len = (size_t)(cells ? cells - type : (l->s + l->len) - type);
        while (name_len > 0 && type[name_len - 1] == ' ')
            name_len--;
        snprintf(r->name, sizeof r->name, "%.*s", (int)name_len, type);
    }
    /* The cells, one per column. */
    int k = 0, rc;
    size_t at = 0;
    while (cells && at < n7 && torch_match(c, RE_CELL, cells, n7, at)) {
        size_t len;
        const char *cell = torch_group(c, 1, &len);
        at = (size_t)(cell - cells) + len;
        if (k == t->ncols)
            break;
        struct cell *dst = NULL, skip;
        enum col col = t->cols[k++];
        dst = col == COL_INPUT ? &r->in : col == COL_OUTPUT ? &r->out
            : col == COL_KERNEL ? &r->kernel : col == COL_GROUPS ? &r->groups
            : col == COL_PARAMS ? &r->params : &skip;
        if ((rc = read_cell(c, col, cell, len, dst)) < 0)
            return rc;
    }
    if (k != t->ncols || (cells && at < n7))
        return torch_fail(c, ERR_SCHEMA, "expected %d columns after the layer name, got %s",
                          t->ncols, k < t->ncols ? "fewer" : "more");
    t->nrows++;
    return 0;
}

/* ---- layers ------------------------------------------------------------ */

/*
 * The smallest stride s for which some a from amin to amax, in steps of 2
 * (a = in + 2 * padding - r over the paddings tried), gives
 * floor(a / s) = out - 1; 0 when none does.  For one a the smallest such s
 * is q + 1 with q = floor(a / out), and it serves when
 * a mod out >= out - q - 1; it grows with a, so the answer comes from the
 * smallest a that serves.  For each q those a are
 * [q * out + max(out - q - 1, 0), (q + 1) * out - 1]: an interval of at
 * least 2 once q >= 1, so the loop ends within three turns, whatever the
 * sizes (a scan over the paddings took 2^31 steps for a 2^31-tap window).
 */
static uint64_t smallest_stride(uint64_t amin, uint64_t amax, uint64_t out)
{
    for (uint64_t q = amin / out;; q++) {
        uint64_t lo = q * out + (q + 1 < out ? out - q - 1 : 0), hi = (q + 1) * out - 1;
        if (lo > amax)
            return 0;
        if (lo < amin)
            lo = amin;
        if ((lo - amin) % 2)
            lo++;
        if (lo <= hi && lo <= amax)
            return q + 1;
    }
}

/*
 * The stride of a window of r taps that turns in inputs into out outputs:
 * the smallest that does it with the usual padding (r-1)/2, else with any
 * padding from 0 to r-1; 0 when none does.  One output: any stride does,
 * and the smallest is taken.  (in, out, r >= 1, each at most 2^31 - 1.)
 */
static uint64_t infer_stride(uint64_t in, uint64_t out, uint64_t r)
{
    uint64_t usual = (r - 1) / 2;
    for (int pass = 0; pass < 2; pass++) {
        uint64_t plo = pass || out == 1 ? 0 : usual, phi = pass ? r - 1 : usual;
        if (in + 2 * phi < r)
            continue;           /* the window never fits */
        if (in + 2 * plo < r)
            plo = (r - in + 1) / 2;
        uint64_t s = smallest_stride(in + 2 * plo - r, in + 2 * phi - r, out);
        if (s)
            return s;
    }
    return 0;
}

/* The groups of a Conv2d row, from a Groups column, an old-style kernel
 * shape [C/groups, K, R, S], or the parameter count; 0 when unknown. */
static uint64_t conv_groups(const struct trow *r, uint64_t C, uint64_t K, uint64_t R,
                            uint64_t S)
{
    if (r->groups.set)
        return r->groups.v[0];
    if (r->kernel.set && r->kernel.n == 4)
        return r->kernel.v[0] ? C / r->kernel.v[0] : 0;
    if (!r->params.set)
        return 0;
    uint64_t dense;
    if (ckd_mul_u64(&dense, K, C) || ckd_mul_u64(&dense, dense, R) ||
        ckd_mul_u64(&dense, dense, S))
        return 0;
    for (int bias = 0; bias < 2; bias++) {
        uint64_t w = r->params.v[0] - (bias ? K : 0);
        if (r->params.v[0] >= (bias ? K : 0) && w > 0 && dense % w == 0) {
            uint64_t g = dense / w;
            if (g > 0 && C % g == 0 && K % g == 0)
                return g;
        }
    }
    return 0;
}

static int conv_row(struct torch_ctx *c, struct table *t, const struct trow *r)
{
    if (!r->in.set || !r->out.set || r->in.n != 4 || r->out.n != 4)
        return torch_fail(c, ERR_SCHEMA, "Conv2d: expected input and output shapes [N, C, "
                          "H, W]");
    int kn = r->kernel.n;
    if (!r->kernel.set || (kn != -1 && kn != 2 && kn != 4))
        return torch_fail(c, ERR_SCHEMA, "Conv2d: no kernel shape (call summary with "
                          "\"kernel_size\" in col_names)");
    struct import_layer l = import_layer_conv();
    const uint64_t *k = r->kernel.v;
    l.C = r->in.v[1];
    l.K = r->out.v[1];
    l.R = r->kernel.n < 0 ? k[0] : k[r->kernel.n - 2];
    l.S = r->kernel.n < 0 ? k[0] : k[r->kernel.n - 1];
    l.P = r->out.v[2];
    l.Q = r->out.v[3];
    l.by_output = true;
    l.groups = conv_groups(r, l.C, l.K, l.R, l.S);
    if (l.C == 0 || l.K == 0 || l.R == 0 || l.S == 0 || l.P == 0 || l.Q == 0)
        return torch_fail(c, ERR_SCHEMA, "Conv2d: a shape has a zero extent");
    if (l.groups == 0) {
        l.groups = 1;
        if (!t->noted_groups &&
            import_net_note(c->net, c->err, "groups are not in the table: taken as 1 (add "
                            "\"groups\" to col_names for grouped or depthwise "
                            "convolutions)") < 0)
            return c->err->code;
        t->noted_groups = true;
    }
    if (l.C % l.groups || l.K % l.groups)
        return torch_fail(c, ERR_SCHEMA, "Conv2d: groups %llu do not divide %llu input and "
                          "%llu output channels", (unsigned long long)l.groups,
                          (unsigned long long)l.C, (unsigned long long)l.K);
    l.stride_h = infer_stride(r->in.v[2], l.P, l.R);
    l.stride_w = infer_stride(r->in.v[3], l.Q, l.S);
    if (l.stride_h == 0 || l.stride_w == 0)
        return torch_fail(c, ERR_SCHEMA, "Conv2d: no stride and padding turn %llux%llu into "
                          "%llux%llu with a %llux%llu kernel (a dilated convolution?)",
                          (unsigned long long)r->in.v[2], (unsigned long long)r->in.v[3],
                          (unsigned long long)l.P, (unsigned long long)l.Q,
                          (unsigned long long)l.R, (unsigned long long)l.S);
    if (!t->noted_strides &&
        import_net_note(c->net, c->err, "strides inferred from the shapes (torchinfo prints "
                        "no strides, padding or dilation; dilation taken as 1)") < 0)
        return c->err->code;
    t->noted_strides = true;
    l.N = import_layer_batch(r->in.v[0], 1, t->model_batch, c->net->batch);
    return import_net_add(c->net, r->name, r->type, &l, c->err);
}

static int linear_row(struct torch_ctx *c, struct table *t, const struct trow *r)
{
    int n = r->in.n;
    if (!r->in.set || !r->out.set || n < 1 || r->out.n != n)
        return torch_fail(c, ERR_SCHEMA, "Linear: expected input and output shapes of the "
                          "same rank");
    struct import_layer l = import_layer_conv();
    l.type = LAYER_FC;
    l.C = r->in.v[n - 1];
    l.K = r->out.v[n - 1];
    uint64_t rest = 1;
    for (int i = 1; i < n - 1; i++)
        rest = rest * r->in.v[i] > IMPORT_INT_MAX ? (uint64_t)IMPORT_INT_MAX + 1
                                                  : rest * r->in.v[i];
    if (l.C == 0 || l.K == 0 || rest == 0)
        return torch_fail(c, ERR_SCHEMA, "Linear: a shape has a zero extent");
    l.N = import_layer_batch(n > 1 ? r->in.v[0] : 1, rest, t->model_batch, c->net->batch);
    return import_net_add(c->net, r->name, r->type, &l, c->err);
}

static bool no_macs(const char *type)
{
    static const char *const types[] = {
        "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "Flatten", NULL,
    };
    for (const char *const *p = types; *p; p++)
        if (strcmp(*p, type) == 0)
            return true;
    return torch_keeps_shape(type);
}

static int layers(struct torch_ctx *c, struct table *t)
{
    for (int i = 0; i < t->nrows; i++) {
        if (t->rows[i].in.set && t->rows[i].in.n > 0) {
            t->model_batch = t->rows[i].in.v[0];
            break;
        }
    }
    c->net->batch = c->opts->batch ? c->opts->batch : t->model_batch ? t->model_batch : 1;
    for (int i = 0; i < t->nrows; i++) {
        const struct trow *r = &t->rows[i];
        int rc = 0;
        c->line = r->line;
        if (i + 1 < t->nrows && t->rows[i + 1].depth > r->depth)
            continue;   /* a container, shown with its modules */
        if (strcmp(r->type, "Conv2d") == 0)
            rc = conv_row(c, t, r);
        else if (strcmp(r->type, "Linear") == 0)
            rc = linear_row(c, t, r);
        else if (no_macs(r->type))
            rc = import_net_skip(c->net, r->type, c->err);
        else
            rc = import_net_note(c->net, c->err, "line %d: %s: not a Conv2d or Linear, and "
                                 "its modules are not shown (a larger depth= in summary "
                                 "shows them); its MACs, if any, are not counted", r->line,
                                 r->type);
        if (rc < 0) {
            if (rc == ERR_TOO_LARGE) {
                char where[ERR_MSG_MAX];
                snprintf(where, sizeof where, "%s:%d", c->file, r->line);
                err_prefix(c->err, where);
            }
            return rc;
        }
    }
    return 0;
}

int torchinfo_read(struct torch_ctx *c, const struct tline *lines, int n)
{
    struct table *t = calloc(1, sizeof *t);
    if (!t)
        return err_set(c->err, ERR_NOMEM, "out of memory");
    int rc = 0, dividers = 0;
    bool header = false;
    for (int i = 0; i < n && rc == 0; i++) {
        const struct tline *l = &lines[i];
        c->line = i + 1;
        if (l->len == 0)
            continue;
        if (torch_match(c, RE_DIVIDER, l->s, l->len, 0)) {
            if (++dividers == 2 && !header)
                rc = torch_fail(c, ERR_SCHEMA, "expected the header line before this one");
            continue;
        }
        if (dividers <= 1 && !header && torch_match(c, RE_HEADER, l->s, l->len, 0)) {
            header = true;
            dividers = 1;
            rc = read_header(c, t);
        } else if (dividers == 2 && torch_match(c, RE_ROW, l->s, l->len, 0)) {
            rc = read_row(c, t, l);
        } else if ((dividers == 3 || dividers == 4) &&
                   torch_match(c, RE_FOOTER, l->s, l->len, 0)) {
            continue;
        } else {
            rc = torch_fail(c, ERR_SCHEMA, "expected %s, got '%.*s'",
                            dividers < 2 ? "the header of a torchinfo table"
                            : dividers == 2 ? "a row of the torchinfo table"
                            : dividers < 5 ? "a total of the torchinfo table"
                                           : "nothing after the table",
                            (int)(l->len > 60 ? 60 : l->len), l->s);
        }
    }
    if (rc == 0 && t->nrows == 0)
        rc = err_set(c->err, ERR_SCHEMA, "%s: no rows in the torchinfo table", c->file);
    if (rc == 0)
        rc = layers(c, t);
    free(t->rows);
    free(t);
    return rc;
}
