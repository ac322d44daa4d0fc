/*
 * import_torch_print: reading the text of print(model); see import_torch.h.
 *
 * print(model) shows the module tree as PyTorch's Module.__repr__ writes
 * it: "Name(" opens a container, "  (child): Type(args)" is a module, ")"
 * closes, each level indented two spaces.  Shapes are carried from module
 * to module in the order printed, which is the order of execution for
 * sequential models; a stack of the open containers remembers each one's
 * input for the shortcuts that start again from it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/ckd.h"
#include "import_torch_re.h"

/* The tensor between two modules: C x H x W, or flat (C features). */
struct pstate {
    bool known, flat;
    uint64_t C, H, W;
    int lost_at;             /* when unknown: the line that lost it */
};

enum frame_kind { FRAME_PLAIN, FRAME_BRANCH, FRAME_SE };

struct frame {
    char path[256];
    enum frame_kind kind;
    int line;
    struct pstate entry, saved;
};

#define MAX_DEPTH 32

struct pmodel {
    struct frame stack[MAX_DEPTH];
    int depth;               /* frames open */
    struct pstate s;
};

/* C x H x W, saturated (import_net_add rejects what exceeds 2^31 - 1). */
static uint64_t features(const struct pstate *s)
{
    uint64_t n;
    if (ckd_mul_u64(&n, s->C, s->H) || ckd_mul_u64(&n, n, s->W))
        return UINT64_MAX;
    return n;
}

static int need_image(struct torch_ctx *c, const struct pstate *s, const char *type)
{
    if (!s->known)
        return torch_fail(c, ERR_SCHEMA, "%s: the shape of its input is unknown (after the "
                          "module on line %d)", type, s->lost_at);
    if (s->flat)
        return torch_fail(c, ERR_SCHEMA, "%s: its input is the flat output of a Linear "
                          "or Flatten, not an image", type);
    return 0;
}

/* A window of k taps with stride st, padding p (each side), dilation d
 * over n inputs: the output extent, 0 when it does not fit. */
static uint64_t window_out(uint64_t n, uint64_t k, uint64_t st, uint64_t p, uint64_t d,
                           bool ceil_mode)
{
    uint64_t span = d * (k - 1) + 1, padded = n + 2 * p;
    if (padded < span || st == 0)
        return 0;
    uint64_t out = (padded - span + (ceil_mode ? st - 1 : 0)) / st + 1;
    /* PyTorch drops a last window that would start in the right padding. */
    if (ceil_mode && (out - 1) * st >= n + p)
        out--;
    return out;
}

static int add_layer(struct torch_ctx *c, const char *path, const struct import_layer *l)
{
    int rc = import_net_add(c->net, path, "layer", l, c->err);
    if (rc < 0) {
        char where[ERR_MSG_MAX];
        snprintf(where, sizeof where, "%s:%d", c->file, c->line);
        err_prefix(c->err, where);
    }
    return rc;
}

static int conv2d(struct torch_ctx *c, struct pstate *s, const char *path)
{
    struct import_layer l = import_layer_conv();
    uint64_t in = 0, g = 1;
    int rc = 0;
    size_t plen;
    torch_group_u64(c, 1, &in, &rc);
    if (!rc)
        torch_group_u64(c, 2, &l.K, &rc);
    if (!rc)
        torch_group_u64(c, 3, &l.R, &rc);
    if (!rc)
        torch_group_u64(c, 4, &l.S, &rc);
    if (!rc)
        torch_group_u64(c, 5, &l.stride_h, &rc);
    if (!rc)
        torch_group_u64(c, 6, &l.stride_w, &rc);
    if (!rc)
        torch_group_u64(c, 7, &l.pad_h, &rc);
    if (!rc)
        torch_group_u64(c, 8, &l.pad_w, &rc);
    if (!rc)
        torch_group_u64(c, 10, &l.dilation_h, &rc);
    if (!rc)
        torch_group_u64(c, 11, &l.dilation_w, &rc);
    if (!rc)
        torch_group_u64(c, 12, &g, &rc);
    const char *mode = torch_group(c, 9, &plen);
    bool same = mode && plen == 4;
    if (rc < 0 || (rc = need_image(c, s, "Conv2d")) < 0)
        return rc;
    if (in != s->C)
        return torch_fail(c, ERR_SCHEMA, "Conv2d expects %llu input channels, the modules "
                          "before it produce %llu (only sequential models can be read from "
                          "print(model))", (unsigned long long)in, (unsigned long long)s->C);
    if (in == 0 || l.K == 0 || l.R == 0 || l.S == 0 || l.stride_h == 0 || l.stride_w == 0 ||
        l.dilation_h == 0 || l.dilation_w == 0 || g == 0 || in % g || l.K % g)
        return torch_fail(c, ERR_SCHEMA, "Conv2d: invalid arguments");
    l.C = in;
    l.groups = g;
    l.H = s->H;
    l.W = s->W;
    if (same) {
        /* 'same' pads d*(k-1) in all, the odd one at the end. */
        uint64_t th = l.dilation_h * (l.R - 1), tw = l.dilation_w * (l.S - 1);
        l.pad_h = th / 2;
        l.pad_w = tw / 2;
        l.by_output = th % 2 || tw % 2;
        l.P = s->H;
        l.Q = s->W;
    } else {
        l.P = window_out(s->H, l.R, l.stride_h, l.pad_h, l.dilation_h, false);
        l.Q = window_out(s->W, l.S, l.stride_w, l.pad_w, l.dilation_w, false);
    }
    if (l.P == 0 || l.Q == 0)
        return torch_fail(c, ERR_SCHEMA, "Conv2d: a %llux%llu kernel does not fit the "
                          "%llux%llu input", (unsigned long long)l.R, (unsigned long long)l.S,
                          (unsigned long long)s->H, (unsigned long long)s->W);
    if ((rc = add_layer(c, path, &l)) < 0)
        return rc;
    s->C = l.K;
    s->H = l.P;
    s->W = l.Q;
    return 0;
}

static int linear(struct torch_ctx *c, struct pstate *s, const char *path)
{
    struct import_layer l = import_layer_conv();
    int rc = 0;
    l.type = LAYER_FC;
    torch_group_u64(c, 1, &l.C, &rc);
    if (!rc)
        torch_group_u64(c, 2, &l.K, &rc);
    if (rc < 0)
        return rc;
    /* A Linear after a conv sees the image flattened (torch.flatten in
     * forward, as torchvision's models do). */
    if (s->known && features(s) != l.C)
        return torch_fail(c, ERR_SCHEMA, "Linear expects %llu input features, the modules "
                          "before it produce %llu", (unsigned long long)l.C,
                          (unsigned long long)features(s));
    if (l.C == 0 || l.K == 0)
        return torch_fail(c, ERR_SCHEMA, "Linear: invalid arguments");
    if ((rc = add_layer(c, path, &l)) < 0)
        return rc;
    *s = (struct pstate){ true, true, l.K, 1, 1, 0 };
    return 0;
}

/* kernel_size, stride, padding, dilation of a pooling module: groups 1..4
 * of RE_POOL, each an int or a pair. */
static int pool(struct torch_ctx *c, struct pstate *s, const char *args, size_t len)
{
    uint64_t v[4][2] = { { 0, 0 }, { 0, 0 }, { 0, 0 }, { 1, 1 } };
    const char *g[4];
    size_t gl[4], cl;
    int rc = 0;
    for (int i = 0; i < 4; i++)
        g[i] = torch_group(c, i + 1, &gl[i]);
    const char *ceil = torch_group(c, 5, &cl);
    bool ceil_mode = ceil && cl == 4;
    for (int i = 0; i < 4 && g[i]; i++) {
        if (!torch_match(c, RE_PAIR, g[i], gl[i], 0))
            return torch_fail(c, ERR_SCHEMA, "cannot read '%.*s'", (int)len, args);
        if (torch_group_u64(c, 1, &v[i][0], &rc))
            v[i][1] = v[i][0];
        else if (!rc && torch_group_u64(c, 2, &v[i][0], &rc))
            torch_group_u64(c, 3, &v[i][1], &rc);
        if (rc < 0)
            return rc;
    }
    if ((rc = need_image(c, s, "pooling")) < 0)
        return rc;
    uint64_t h = window_out(s->H, v[0][0], v[1][0], v[2][0], v[3][0], ceil_mode);
    uint64_t w = window_out(s->W, v[0][1], v[1][1], v[2][1], v[3][1], ceil_mode);
    if (h == 0 || w == 0)
        return torch_fail(c, ERR_SCHEMA, "the pooling window does not fit the %llux%llu "
                          "input", (unsigned long long)s->H, (unsigned long long)s->W);
    s->H = h;
    s->W = w;
    return 0;
}

static int adaptive(struct torch_ctx *c, struct pstate *s)
{
    uint64_t h = 0, w = 0;
    int rc = 0;
    if (torch_group_u64(c, 1, &h, &rc)) {
        w = h;
    } else if (!rc) {
        if (!torch_group_u64(c, 2, &h, &rc) && !rc)
            h = s->H;   /* None keeps the input's extent */
        if (!rc && !torch_group_u64(c, 3, &w, &rc) && !rc)
            w = s->W;
    }
    if (rc < 0 || (rc = need_image(c, s, "adaptive pooling")) < 0)
        return rc;
    s->H = h;
    s->W = w;
    return 0;
}

/* One "(name): Type(args)" line. */
static int leaf(struct torch_ctx *c, struct pstate *s, const char *path, const char *type,
                const char *args, size_t alen)
{
    bool image = strcmp(type, "MaxPool2d") == 0 || strcmp(type, "AvgPool2d") == 0;
    bool adapt = strcmp(type, "AdaptiveAvgPool2d") == 0 ||
                 strcmp(type, "AdaptiveMaxPool2d") == 0;
    int rc;
    if (strcmp(type, "Conv2d") == 0)
        return torch_match(c, RE_CONV, args, alen, 0) ? conv2d(c, s, path)
               : torch_fail(c, ERR_SCHEMA, "cannot read the arguments of Conv2d: '%.*s'",
                            (int)alen, args);
    if (strcmp(type, "Linear") == 0)
        return torch_match(c, RE_LINEAR, args, alen, 0) ? linear(c, s, path)
               : torch_fail(c, ERR_SCHEMA, "cannot read the arguments of Linear: '%.*s'",
                            (int)alen, args);
    if ((image && !torch_match(c, RE_POOL, args, alen, 0)) ||
        (adapt && !torch_match(c, RE_ADAPTIVE, args, alen, 0)))
        return torch_fail(c, ERR_SCHEMA, "cannot read the arguments of %s: '%.*s'", type,
                          (int)alen, args);
    if (image)
        rc = pool(c, s, args, alen);
    else if (adapt)
        rc = adaptive(c, s);
    else if (strcmp(type, "Flatten") == 0) {
        /* Flatten(start_dim=1, end_dim=-1) keeps the batch; others are not
         * followed. */
        static const char plain_args[] = "start_dim=1, end_dim=-1";
        bool plain = torch_match(c, RE_FLATTEN, args, alen, 0) &&
                     alen == sizeof plain_args - 1 && memcmp(args, plain_args, alen) == 0;
        if (plain && s->known)
            *s = (struct pstate){ true, true, features(s), 1, 1, 0 };
        else if (!plain)
            *s = (struct pstate){ false, false, 0, 0, 0, c->line };
        rc = 0;
    } else if (alen == 0 && (strcmp(type, "Sequential") == 0 ||
                             strcmp(type, "ModuleList") == 0)) {
        return 0;   /* an empty container: an identity shortcut */
    } else if (torch_keeps_shape(type)) {
        rc = 0;
    } else {
        *s = (struct pstate){ false, false, 0, 0, 0, c->line };
        return import_net_note(c->net, c->err, "line %d: %s: not a module the importer "
                               "knows; its MACs, if any, are not counted", c->line, type);
    }
    return rc < 0 ? rc : import_net_skip(c->net, type, c->err);
}

static bool same_state(const struct pstate *a, const struct pstate *b)
{
    return a->flat == b->flat && a->C == b->C && a->H == b->H && a->W == b->W;
}

static void describe(const struct pstate *s, char *out, size_t cap)
{
    if (s->flat)
        snprintf(out, cap, "%llu features", (unsigned long long)s->C);
    else
        snprintf(out, cap, "%llux%llux%llu", (unsigned long long)s->C,
                 (unsigned long long)s->H, (unsigned long long)s->W);
}

static int close_frame(struct torch_ctx *c, struct pmodel *m)
{
    struct frame *f = &m->stack[--m->depth];
    if (f->kind == FRAME_BRANCH && m->s.known && f->saved.known &&
        !same_state(&m->s, &f->saved)) {
        char a[64], b[64];
        describe(&m->s, a, sizeof a);
        describe(&f->saved, b, sizeof b);
        return torch_fail(c, ERR_SCHEMA, "the branch '%s' (line %d) ends with %s, the main "
                          "path with %s", f->path, f->line, a, b);
    }
    if (f->kind != FRAME_PLAIN)
        m->s = f->saved;
    return 0;
}

static int open_frame(struct torch_ctx *c, struct pmodel *m, const char *name, size_t nlen,
                      const char *type, size_t tlen)
{
    if (m->depth == MAX_DEPTH)
        return torch_fail(c, ERR_SCHEMA, "modules nested more than %d deep", MAX_DEPTH);
    struct frame *f = &m->stack[m->depth];
    const char *parent = m->depth ? m->stack[m->depth - 1].path : "";
    snprintf(f->path, sizeof f->path, "%s%s%.*s", parent, parent[0] ? "." : "", (int)nlen,
             name);
    f->line = c->line;
    f->kind = FRAME_PLAIN;
    if (m->depth > 0 && ((nlen == 10 && strncmp(name, "downsample", 10) == 0) ||
                         (nlen == 8 && strncmp(name, "shortcut", 8) == 0)))
        f->kind = FRAME_BRANCH;
    static const char *const se[] = { "SqueezeExcitation", "SELayer", "SEModule",
                                      "SqueezeExcite", NULL };
    for (const char *const *t = se; *t; t++)
        if (strlen(*t) == tlen && strncmp(*t, type, tlen) == 0)
            f->kind = FRAME_SE;
    f->saved = m->s;
    /* A shortcut starts again from its block's input. */
    if (f->kind == FRAME_BRANCH)
        m->s = m->stack[m->depth - 1].entry;
    f->entry = m->s;
    m->depth++;
    return 0;
}

static int indent_ok(struct torch_ctx *c, size_t got, int want)
{
    if (got == (size_t)want)
        return 0;
    return torch_fail(c, ERR_SCHEMA, "expected an indent of %d spaces, got %zu", want, got);
}

int torch_print_read(struct torch_ctx *c, const struct tline *lines, int n, int first)
{
    const struct import_opts *o = c->opts;
    struct pmodel *m = calloc(1, sizeof *m);
    if (!m)
        return err_set(c->err, ERR_NOMEM, "out of memory");
    m->s = (struct pstate){ true, false, o->in_c, o->in_h, o->in_w, 0 };
    int rc = 0, i;
    for (i = first; i < n && rc == 0; i++) {
        const char *s = lines[i].s;
        size_t len = lines[i].len, l1, l2, l3, l4;
        c->line = i + 1;
        if (len == 0)
            continue;
        if (m->depth == 0 && i > first) {
            rc = torch_fail(c, ERR_SCHEMA, "text after the end of the model: '%.*s'",
                            (int)(len > 60 ? 60 : len), s);
        } else if (i == first) {
            rc = open_frame(c, m, "", 0, "", 0);
        } else if (torch_match(c, RE_CLOSE, s, len, 0)) {
            torch_group(c, 1, &l1);
            if ((rc = indent_ok(c, l1, 2 * (m->depth - 1))) == 0)
                rc = close_frame(c, m);
        } else if (torch_match(c, RE_OPEN, s, len, 0)) {
            torch_group(c, 1, &l1);
            const char *name = torch_group(c, 2, &l2), *type = torch_group(c, 3, &l3);
            if ((rc = indent_ok(c, l1, 2 * m->depth)) == 0)
                rc = open_frame(c, m, name, l2, type, l3);
        } else if (torch_match(c, RE_LEAF, s, len, 0)) {
            torch_group(c, 1, &l1);
            const char *name = torch_group(c, 2, &l2), *type = torch_group(c, 3, &l3);
            const char *args = torch_group(c, 4, &l4);
            char path[300], tname[64];
            const char *parent = m->stack[m->depth - 1].path;
            snprintf(path, sizeof path, "%s%s%.*s", parent, parent[0] ? "." : "", (int)l2,
                     name);
            snprintf(tname, sizeof tname, "%.*s", (int)l3, type);
            if ((rc = indent_ok(c, l1, 2 * m->depth)) == 0)
                rc = leaf(c, &m->s, path, tname, args, l4);
        } else if (torch_match(c, RE_REPEAT, s, len, 0)) {
            rc = torch_fail(c, ERR_SCHEMA, "repeated modules ('(0-11): 12 x Block(') are not "
                            "supported: print the model with an older PyTorch or use "
                            "torchinfo");
        } else {
            rc = torch_fail(c, ERR_SCHEMA, "expected a line of print(model), got '%.*s'",
                            (int)(len > 60 ? 60 : len), s);
        }
    }
    if (rc == 0 && m->depth > 0) {
        c->line = n;
        rc = torch_fail(c, ERR_SCHEMA, "the text ends inside the module opened on line %d "
                        "(cut short?)", m->stack[m->depth - 1].line);
    }
    free(m);
    return rc;
}
