/*
 * import_net: the importers' common output and its JSON; see import_net.h.
 *
 * Layer names must be unique in a workload; models from exporters repeat
 * or omit names, so names are sanitized here and made unique through a
 * small open-addressing hash of the names taken (models with thousands of
 * layers stay linear).
 */
#include "import_net.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/ckd.h"

void import_net_init(struct import_net *n)
{
    memset(n, 0, sizeof *n);
    n->batch = 1;
}

void import_net_release(struct import_net *n)
{
    free(n->layers);
    free(n->names);
    free(n->slots);
    free(n->skips);
    free(n->notes);
    import_net_init(n);
}

struct import_layer import_layer_conv(void)
{
    struct import_layer l;
    memset(&l, 0, sizeof l);
    l.type = LAYER_CONV;
    l.groups = 1;
    l.R = l.S = 1;
    l.stride_h = l.stride_w = l.dilation_h = l.dilation_w = 1;
    return l;
}

/* ---- names ---------------------------------------------------------- */

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
}

/* raw sanitized into out (cap bytes, cap > 1), possibly empty. */
static void sanitize(const char *raw, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = raw; *p && n + 1 < cap; p++) {
        char c = name_char(*p) ? *p : '_';
        if (c == '_' && !name_char(*p) && n > 0 && out[n - 1] == '_')
            continue;
        if ((c == '_' || c == '.') && n == 0)
            continue;
        out[n++] = c;
    }
    while (n > 0 && (out[n - 1] == '_' || out[n - 1] == '.'))
        n--;
    out[n] = '\0';
}

static unsigned hash_name(const char *s)
{
    unsigned h = 2166136261u;   /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot holding name, or the empty slot where it would go. */
static int find_slot(const struct import_net *n, const char *name)
{
    unsigned mask = (unsigned)n->nslots - 1;
    for (unsigned i = hash_name(name) & mask;; i = (i + 1) & mask)
        if (n->slots[i] == 0 || strcmp(n->names[n->slots[i] - 1], name) == 0)
            return (int)i;
}

static bool name_taken(const struct import_net *n, const char *name)
{
    return n->nslots > 0 && n->slots[find_slot(n, name)] != 0;
}

/* Keeps the hash at most half full. */
static int grow_slots(struct import_net *n, struct err *e)
{
    if (2 * (n->nlayers + 1) <= n->nslots)
        return 0;
    int ns = n->nslots ? 2 * n->nslots : 64;
    int *old = n->slots;
    n->slots = calloc((size_t)ns, sizeof *n->slots);
    if (!n->slots) {
        n->slots = old;
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    n->nslots = ns;
    free(old);
    for (int i = 0; i < n->nlayers; i++)
        n->slots[find_slot(n, n->names[i])] = i + 1;
    return 0;
}

static int grow_layers(struct import_net *n, struct err *e)
{
    if (n->nlayers < n->cap)
        return 0;
    int cap = n->cap ? 2 * n->cap : 16;
    struct import_layer *l = realloc(n->layers, (size_t)cap * sizeof *l);
    if (!l)
        return err_set(e, ERR_NOMEM, "out of memory");
    n->layers = l;
    char (*names)[PROBLEM_NAME_MAX] = realloc(n->names, (size_t)cap * sizeof *names);
    if (!names)
        return err_set(e, ERR_NOMEM, "out of memory");
    n->names = names;
    n->cap = cap;
    return 0;
}

/* Writes into out the first of base, base_2, base_3, ... not taken, base
 * cut so that the suffix fits. */
static void unique_name(const struct import_net *n, const char *base, char *out)
{
    snprintf(out, PROBLEM_NAME_MAX, "%s", base);
    for (unsigned k = 2; name_taken(n, out); k++) {
        char suffix[16];
        int sl = snprintf(suffix, sizeof suffix, "_%u", k);
        size_t keep = strlen(base);
        if (keep > PROBLEM_NAME_MAX - 1 - (size_t)sl)
            keep = PROBLEM_NAME_MAX - 1 - (size_t)sl;
        memcpy(out, base, keep);
        memcpy(out + keep, suffix, (size_t)sl + 1);
    }
}

static int check_size(const char *field, uint64_t v, struct err *e)
{
    if (v <= IMPORT_INT_MAX)
        return 0;
    return err_set(e, ERR_TOO_LARGE, "%s = %llu is too large (at most %u)", field,
                   (unsigned long long)v, IMPORT_INT_MAX);
}

int import_net_add(struct import_net *n, const char *raw, const char *fallback,
                   const struct import_layer *l, struct err *e)
{
    const struct { const char *field; uint64_t v; } sizes[] = {
        { "N", l->N }, { "C", l->C }, { "K", l->K }, { "groups", l->groups },
        { "H", l->H }, { "W", l->W }, { "P", l->P }, { "Q", l->Q },
        { "R", l->R }, { "S", l->S }, { "stride_h", l->stride_h },
        { "stride_w", l->stride_w }, { "dilation_h", l->dilation_h },
        { "dilation_w", l->dilation_w }, { "pad_h", l->pad_h }, { "pad_w", l->pad_w },
    };
    int rc;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if ((rc = check_size(sizes[i].field, sizes[i].v, e)) < 0)
            return rc;
    if ((rc = grow_layers(n, e)) < 0 || (rc = grow_slots(n, e)) < 0)
        return rc;
    char base[PROBLEM_NAME_MAX];
    sanitize(raw ? raw : "", base, sizeof base);
    if (!base[0])
        sanitize(fallback, base, sizeof base);
    if (!base[0])
        snprintf(base, sizeof base, "layer");
    unique_name(n, base, n->names[n->nlayers]);
    n->layers[n->nlayers] = *l;
    n->slots[find_slot(n, n->names[n->nlayers])] = n->nlayers + 1;
    n->nlayers++;
    return 0;
}

uint64_t import_layer_batch(uint64_t lead, uint64_t rest, uint64_t model_batch,
                            uint64_t batch)
{
    uint64_t n = lead;
    if (lead == model_batch)
        n = batch;
    else if (model_batch > 0 && lead % model_batch == 0 &&
             ckd_mul_u64(&n, lead / model_batch, batch))
        n = UINT64_MAX;
    if (ckd_mul_u64(&n, n, rest))
        n = UINT64_MAX;
    return n == batch ? 0 : n;
}

/* ---- notes ---------------------------------------------------------- */

int import_net_skip(struct import_net *n, const char *type, struct err *e)
{
    for (int i = 0; i < n->nskips; i++)
        if (strcmp(n->skips[i].type, type) == 0) {
            n->skips[i].count++;
            return 0;
        }
    if (n->nskips == n->skips_cap) {
        int cap = n->skips_cap ? 2 * n->skips_cap : 16;
        struct import_skip *s = realloc(n->skips, (size_t)cap * sizeof *s);
        if (!s)
            return err_set(e, ERR_NOMEM, "out of memory");
        n->skips = s;
        n->skips_cap = cap;
    }
    snprintf(n->skips[n->nskips].type, sizeof n->skips[n->nskips].type, "%s", type);
    n->skips[n->nskips++].count = 1;
    return 0;
}

/* A growing string. */
struct sbuf {
    char *s;
    size_t len, cap;
    bool failed;
};

static void sb_vadd(struct sbuf *b, const char *fmt, va_list ap)
{
    if (b->failed)
        return;
    va_list ap2;
    va_copy(ap2, ap);
    int need = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (need < 0 || b->len + (size_t)need + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (need >= 0 && b->len + (size_t)need + 1 > cap)
            cap *= 2;
        char *s = need < 0 ? NULL : realloc(b->s, cap);
        if (!s) {
            b->failed = true;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    b->len += (size_t)need;
}

static void sb_add(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vadd(b, fmt, ap);
    va_end(ap);
}

/* s as the inside of a JSON string. */
static void sb_json_string(struct sbuf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            sb_add(b, "\\%c", c);
        else if (c == '\n')
            sb_add(b, "\\n");
        else if (c < 0x20)
            sb_add(b, "\\u%04x", c);
        else
            sb_add(b, "%c", c);
    }
}

/* Hands b's string to *out (an empty string when b is empty). */
static int sb_finish(struct sbuf *b, char **out, struct err *e)
{
    if (!b->failed && !b->s)
        b->s = calloc(1, 1);
    if (b->failed || !b->s) {
        free(b->s);
        *out = NULL;
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    *out = b->s;
    return 0;
}

int import_net_note(struct import_net *n, struct err *e, const char *fmt, ...)
{
    struct sbuf b = { n->notes, n->notes_len, n->notes ? n->notes_len + 1 : 0, false };
    va_list ap;
    va_start(ap, fmt);
    sb_vadd(&b, fmt, ap);
    va_end(ap);
    sb_add(&b, "\n");
    if (b.failed) {
        /* b.s is the live buffer (a grown one replaced n->notes): keep the
         * notes as they were. */
        if (b.s) {
            b.s[n->notes_len] = '\0';
            n->notes = b.s;
        }
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    n->notes = b.s;
    n->notes_len = b.len;
    return 0;
}

int import_net_notes(const struct import_net *n, char **out, struct err *e)
{
    struct sbuf b = { NULL, 0, 0, false };
    for (int i = 0; i < n->nskips; i++) {
        sb_add(&b, "%s%s", i ? ", " : "skipped, no MACs: ", n->skips[i].type);
        if (n->skips[i].count > 1)
            sb_add(&b, " x%d", n->skips[i].count);
    }
    if (n->nskips)
        sb_add(&b, "\n");
    if (n->notes)
        sb_add(&b, "%s", n->notes);
    return sb_finish(&b, out, e);
}

/* ---- JSON ----------------------------------------------------------- */

static void add_pair(struct sbuf *b, const char *key, uint64_t h, uint64_t w,
                     uint64_t dflt)
{
    if (h == w && h != dflt)
        sb_add(b, ", \"%s\": %llu", key, (unsigned long long)h);
    else if (h != w)
        sb_add(b, ", \"%s_h\": %llu, \"%s_w\": %llu", key, (unsigned long long)h, key,
               (unsigned long long)w);
}

static void add_layer(struct sbuf *b, const char *name, const struct import_layer *l)
{
    sb_add(b, "    { \"name\": \"");
    sb_json_string(b, name);
    sb_add(b, "\", \"type\": \"%s\"", l->type == LAYER_FC ? "fc" : "conv");
    if (l->N)
        sb_add(b, ", \"N\": %llu", (unsigned long long)l->N);
    sb_add(b, ", \"C\": %llu, \"K\": %llu", (unsigned long long)l->C,
           (unsigned long long)l->K);
    if (l->type == LAYER_CONV) {
        if (l->by_output)
            sb_add(b, ", \"P\": %llu, \"Q\": %llu", (unsigned long long)l->P,
                   (unsigned long long)l->Q);
        else
            sb_add(b, ", \"H\": %llu, \"W\": %llu", (unsigned long long)l->H,
                   (unsigned long long)l->W);
        sb_add(b, ", \"R\": %llu, \"S\": %llu", (unsigned long long)l->R,
               (unsigned long long)l->S);
        add_pair(b, "stride", l->stride_h, l->stride_w, 1);
        add_pair(b, "dilation", l->dilation_h, l->dilation_w, 1);
        if (!l->by_output)
            add_pair(b, "pad", l->pad_h, l->pad_w, 0);
        if (l->groups != 1)
            sb_add(b, ", \"groups\": %llu", (unsigned long long)l->groups);
    }
    sb_add(b, " }");
}

int import_net_to_json(const struct import_net *n, char **out, struct err *e)
{
    *out = NULL;
    if (n->nlayers == 0)
        return err_set(e, ERR_SCHEMA,
                       "%s: no convolution or fully connected layer found", n->source);
    char *notes = NULL;
    int rc = import_net_notes(n, &notes, e);
    if (rc < 0)
        return rc;
    struct sbuf b = { NULL, 0, 0, false };
    sb_add(&b, "{\n  \"name\": \"");
    sb_json_string(&b, n->name);
    sb_add(&b, "\",\n  \"comment\": \"imported from ");
    sb_json_string(&b, n->source);
    for (char *line = notes; *line;) {
        char *nl = strchr(line, '\n');
        *nl = '\0';
        sb_add(&b, "; ");
        sb_json_string(&b, line);
        line = nl + 1;
    }
    free(notes);
    sb_add(&b, "\",\n  \"batch\": %llu,\n  \"layers\": [\n", (unsigned long long)n->batch);
    for (int i = 0; i < n->nlayers; i++) {
        add_layer(&b, n->names[i], &n->layers[i]);
        sb_add(&b, "%s\n", i + 1 < n->nlayers ? "," : "");
    }
    sb_add(&b, "  ]\n}\n");
    return sb_finish(&b, out, e);
}

/* ---- files ---------------------------------------------------------- */

int import_read_file(const char *path, size_t max, char **data, size_t *len,
                     struct err *e)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    int rc = 0;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            rc = err_set(e, ERR_NOMEM, "%s: out of memory", path);
            break;
        }
        n += fread(buf + n, 1, cap - 1 - n, f);
        if (ferror(f)) {
            rc = err_set(e, ERR_IO, "%s: cannot read: %s", path, strerror(errno));
            break;
        }
        if (n > max) {
            rc = err_set(e, ERR_TOO_LARGE, "%s: too large (more than %zu bytes)", path, max);
            break;
        }
        if (feof(f))
            break;
        if (n + 1 == cap) {
            char *nb = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
            if (!nb)
                free(buf);
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

int import_net_set_name(struct import_net *n, const struct import_opts *opts,
                        const char *path, struct err *e)
{
    if (opts->name) {
        if (!opts->name[0] || strlen(opts->name) >= sizeof n->name)
            return err_set(e, ERR_USAGE, "--name: expected 1 to %d characters, got %zu",
                           PROBLEM_NAME_MAX - 1, strlen(opts->name));
        snprintf(n->name, sizeof n->name, "%s", opts->name);
        return 0;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    if (len >= sizeof n->name)
        len = sizeof n->name - 1;
    memcpy(n->name, base, len);
    n->name[len] = '\0';
    if (!n->name[0])
        snprintf(n->name, sizeof n->name, "imported");
    return 0;
}
