/*
 * import_torch: the entry point of the torch importer, its patterns and
 * the helpers its readers share; see import_torch.h.  The torchinfo table
 * is read in import_torchinfo.c, print(model) text in import_torch_print.c.
 * The text is split into lines once and every pattern compiled once, with
 * one match-data block, per import.
 */
#include "import_torch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_torch_re.h"

/* Box-drawing characters of torchinfo's tree, in UTF-8. */
#define BAR "\xe2\x94\x82"     /* U+2502 */
#define TEE "\xe2\x94\x9c"     /* U+251C */
#define ELL "\xe2\x94\x94"     /* U+2514 */
#define DASH "\xe2\x94\x80"    /* U+2500 */
#define TUPLE_OR_INT "(\\d+|\\(\\d+, \\d+\\))"

static const char *const patterns[RE_COUNT] = {
    [RE_DIVIDER] = "^=+$",
    [RE_HEADER] = "^Layer \\(type( \\(var_name\\))?(:depth-idx)?\\)(?: +(.*))?$",
    [RE_ROW] = "^((?:" BAR "    |\\|    |     )*)(" TEE DASH "|" ELL DASH "|\\+ )?(\\w+)"
               "(?: \\(([\\w.]*)\\))?(?:: (\\d+)(?:-(\\d+))?)?(?: +(.*))?$",
    [RE_CELL] = "\\G *(\\[[^\\]]*\\]|\\S+)",
    [RE_FOOTER] = "^(?:Total params|Trainable params|Non-trainable params|Total mult-adds"
                  "|Input size|Forward/backward pass size|Params size|Estimated Total Size)"
                  "(?: \\([KMGT]?B?\\))?: [\\d,.]+$",
    [RE_ROOT] = "^(\\w+)\\($",
    [RE_OPEN] = "^( *)\\(([\\w.-]+)\\): (\\w+)\\($",
    [RE_LEAF] = "^( *)\\(([\\w.-]+)\\): (\\w+)\\((.*)\\)$",
    [RE_CLOSE] = "^( *)\\)$",
    [RE_REPEAT] = "^( *)\\((\\d+)-(\\d+)\\): (\\d+) x (\\w+)\\(",
    [RE_CONV] = "^(\\d+), (\\d+), kernel_size=\\((\\d+), (\\d+)\\), stride=\\((\\d+), (\\d+)\\)"
                "(?:, padding=(?:\\((\\d+), (\\d+)\\)|(same|valid)))?"
                "(?:, dilation=\\((\\d+), (\\d+)\\))?(?:, groups=(\\d+))?(?:, bias=False)?"
                "(?:, padding_mode=\\w+)?$",
    [RE_LINEAR] = "^in_features=(\\d+), out_features=(\\d+), bias=(?:True|False)$",
    [RE_POOL] = "^kernel_size=" TUPLE_OR_INT ", stride=" TUPLE_OR_INT ", padding=" TUPLE_OR_INT
                "(?:, dilation=" TUPLE_OR_INT ")?(?:, ceil_mode=(True|False))?$",
    [RE_ADAPTIVE] = "^output_size=(?:(\\d+)|\\((\\d+|None), (\\d+|None)\\))$",
    [RE_FLATTEN] = "^start_dim=(-?\\d+), end_dim=(-?\\d+)$",
    [RE_PAIR] = "^(?:(\\d+)|\\((\\d+), (\\d+)\\))$",
};

/* ---- shared helpers ---------------------------------------------------- */

bool torch_match(struct torch_ctx *c, enum torch_re r, const char *s, size_t len,
                 size_t start)
{
    int rc = pcre2_match(c->re[r], (PCRE2_SPTR)s, len, start, 0, c->md, NULL);
    c->subject = rc > 0 ? s : NULL;
    return rc > 0;
}

const char *torch_group(const struct torch_ctx *c, int i, size_t *len)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);
    *len = 0;
    if (!c->subject || (uint32_t)i >= pcre2_get_ovector_count(c->md) ||
        ov[2 * i] == PCRE2_UNSET)
        return NULL;
    *len = ov[2 * i + 1] - ov[2 * i];
    return c->subject + ov[2 * i];
}

bool torch_group_u64(struct torch_ctx *c, int i, uint64_t *v, int *rc)
{
    size_t len;
    const char *s = torch_group(c, i, &len);
    *rc = 0;
    if (!s || len == 0 || s[0] < '0' || s[0] > '9')
        return false;
    uint64_t x = 0;
    for (size_t k = 0; k < len; k++) {
        x = x * 10 + (uint64_t)(s[k] - '0');
        if (x > IMPORT_INT_MAX) {
            *rc = torch_fail(c, ERR_TOO_LARGE, "%.*s is too large (at most %u)", (int)len, s,
                             IMPORT_INT_MAX);
            return false;
        }
    }
    *v = x;
    return true;
}

int torch_fail(struct torch_ctx *c, int code, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(c->err, code, "%s:%d: %s", c->file, c->line, msg);
}

bool torch_keeps_shape(const char *type)
{
    static const char *const types[] = {
        "ReLU", "ReLU6", "LeakyReLU", "PReLU", "RReLU", "ELU", "SELU", "CELU", "GELU",
        "SiLU", "Mish", "Hardswish", "Hardsigmoid", "Hardtanh", "Sigmoid", "Tanh",
        "Softplus", "Softsign", "Softmax", "LogSoftmax", "Softmax2d", "Dropout",
        "Dropout1d", "Dropout2d", "AlphaDropout", "FeatureAlphaDropout", "Identity",
        "BatchNorm1d", "BatchNorm2d", "SyncBatchNorm", "GroupNorm", "LayerNorm",
        "InstanceNorm2d", "LocalResponseNorm", "StochasticDepth", NULL,
    };
    for (const char *const *t = types; *t; t++)
        if (strcmp(*t, type) == 0)
            return true;
    return false;
}

/* ---- entry ------------------------------------------------------------- */

/* Splits text into lines, without "\r\n" or trailing blanks. */
static int split_lines(const char *text, size_t len, struct tline **out, int *n,
                       struct err *e)
{
    size_t count = 1;
    for (size_t i = 0; i < len; i++)
        count += text[i] == '\n';
    if (count > (size_t)1 << 24)
        return err_set(e, ERR_TOO_LARGE, "too many lines");
    struct tline *l = malloc(count * sizeof *l);
    if (!l)
        return err_set(e, ERR_NOMEM, "out of memory");
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && text[i] != '\n')
            continue;
        size_t end = i;
        while (end > start && (text[end - 1] == '\r' || text[end - 1] == ' ' ||
                               text[end - 1] == '\t'))
            end--;
        l[k++] = (struct tline){ text + start, end - start };
        start = i + 1;
    }
    *out = l;
    *n = (int)k;
    return 0;
}

static int compile(struct torch_ctx *c)
{
    for (int i = 0; i < RE_COUNT; i++) {
        int code;
        PCRE2_SIZE at;
        c->re[i] = pcre2_compile((PCRE2_SPTR)patterns[i], PCRE2_ZERO_TERMINATED, 0, &code,
                                 &at, NULL);
        if (!c->re[i])
            return err_set(c->err, ERR_NOMEM, "cannot compile pattern %d", i);
    }
    c->md = pcre2_match_data_create(16, NULL);
    return c->md ? 0 : err_set(c->err, ERR_NOMEM, "out of memory");
}

static int read_text(struct torch_ctx *c, const struct tline *lines, int n)
{
    const struct import_opts *o = c->opts;
    const char *base = strrchr(c->file, '/');
    base = base ? base + 1 : c->file;
    int first = 0;
    while (first < n && lines[first].len == 0)
        first++;
    c->line = first + 1;
    if (first == n)
        return err_set(c->err, ERR_SCHEMA, "%s: empty, expected a torchinfo table or the "
                       "text of print(model)", c->file);
    const struct tline *l = &lines[first];
    if (torch_match(c, RE_DIVIDER, l->s, l->len, 0) ||
        torch_match(c, RE_HEADER, l->s, l->len, 0)) {
        if (o->in_c)
            return err_set(c->err, ERR_USAGE, "%s: --input is for print(model) text; a "
                           "torchinfo table states its shapes", c->file);
        snprintf(c->net->source, sizeof c->net->source, "%s (torchinfo)", base);
        return torchinfo_read(c, lines, n);
    }
    if (!torch_match(c, RE_ROOT, l->s, l->len, 0))
        return torch_fail(c, ERR_SCHEMA, "expected a torchinfo table or the text of "
                          "print(model), got '%.*s'", (int)(l->len > 60 ? 60 : l->len), l->s);
    if (!o->in_c)
        return err_set(c->err, ERR_USAGE, "%s: print(model) text does not state the input "
                       "shape: give it with --input CxHxW", c->file);
    snprintf(c->net->source, sizeof c->net->source, "%s (print(model), input %llux%llux%llu)",
             base, (unsigned long long)o->in_c, (unsigned long long)o->in_h,
             (unsigned long long)o->in_w);
    c->net->batch = o->batch ? o->batch : 1;
    return torch_print_read(c, lines, n, first);
}

int import_torch_parse(const char *name, const char *text, size_t len,
                       const struct import_opts *opts, struct import_net *net,
                       struct err *err)
{
    struct torch_ctx c;
    memset(&c, 0, sizeof c);
    c.file = name;
    c.opts = opts;
    c.net = net;
    c.err = err;
    struct tline *lines = NULL;
    int n = 0, rc;
    if ((rc = import_net_set_name(net, opts, name, err)) < 0 ||
        (rc = split_lines(text, len, &lines, &n, err)) < 0 || (rc = compile(&c)) < 0)
        goto out_free;
    rc = read_text(&c, lines, n);
out_free:
    for (int i = 0; i < RE_COUNT; i++)
        pcre2_code_free(c.re[i]);
    pcre2_match_data_free(c.md);
    free(lines);
    return rc;
}

int import_torch(const char *path, const struct import_opts *opts,
                 struct import_net *net, struct err *err)
{
    char *text;
    size_t len;
    int rc = import_read_file(path, IMPORT_TORCH_MAX_BYTES, &text, &len, err);
    if (rc < 0)
        return rc;
    rc = import_torch_parse(path, text, len, opts, net, err);
    free(text);
    return rc;
}
