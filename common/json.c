/*
 * json: strict syntax scanner, file loading and typed field readers.
 *
 * The scanner exists only to give precise syntax errors (line, column, what
 * was expected, what was found); the tree itself is built by cJSON once the
 * scanner has accepted the text.  Called once per input file: clarity over
 * speed.
 */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct scanner {
    const char *name;
    const unsigned char *s;
    size_t len, pos;
    int depth;
    struct err *err;
};

static void line_col(const struct scanner *sc, size_t pos, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < pos && i < sc->len; i++) {
        if (sc->s[i] == '\n') {
            l++;
            c = 1;
        } else if ((sc->s[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

static void describe_byte(const struct scanner *sc, char *out, size_t cap)
{
    if (sc->pos >= sc->len)
        snprintf(out, cap, "end of file");
    else if (sc->s[sc->pos] >= 0x20 && sc->s[sc->pos] < 0x7f)
        snprintf(out, cap, "'%c'", sc->s[sc->pos]);
    else
        snprintf(out, cap, "byte 0x%02x", sc->s[sc->pos]);
}

/* "name:line:col: expected X, got Y" at the current position. */
static int expected(struct scanner *sc, const char *what)
{
    int line, col;
    char got[32];
    line_col(sc, sc->pos, &line, &col);
    describe_byte(sc, got, sizeof got);
    return err_set(sc->err, ERR_SYNTAX, "%s:%d:%d: expected %s, got %s",
                   sc->name, line, col, what, got);
}

static int fail_at(struct scanner *sc, size_t pos, const char *what)
{
    int line, col;
    line_col(sc, pos, &line, &col);
    return err_set(sc->err, ERR_SYNTAX, "%s:%d:%d: %s", sc->name, line, col,
                   what);
}

static int peek(const struct scanner *sc)
{
    return sc->pos < sc->len ? sc->s[sc->pos] : -1;
}

static void skip_ws(struct scanner *sc)
{
    while (sc->pos < sc->len) {
        unsigned char c = sc->s[sc->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        sc->pos++;
    }
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

static bool is_hex(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Length of the well-formed UTF-8 sequence at p (1-4), or 0. */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    size_t n;
    unsigned min;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; min = 0x10000; }
    else return 0;
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* Reads the 4 hex digits of a \u escape, sc at the 'u'; leaves sc after
 * them. */
static int scan_u_escape(struct scanner *sc, unsigned *unit)
{
    *unit = 0;
    for (int i = 1; i <= 4; i++) {
        if (sc->pos + i >= sc->len || !is_hex(sc->s[sc->pos + i])) {
            sc->pos += i;
            return expected(sc, "4 hex digits after \\u");
        }
        int c = sc->s[sc->pos + i];
        *unit = *unit << 4 | (unsigned)(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    sc->pos += 5;
    return 0;
}

static int scan_string(struct scanner *sc)
{
    size_t start = sc->pos;
    sc->pos++; /* opening quote */
    for (;;) {
        if (sc->pos >= sc->len)
            return fail_at(sc, start, "unterminated string");
        unsigned char c = sc->s[sc->pos];
        if (c == '"') {
            sc->pos++;
            return 0;
        }
        if (c < 0x20)
            return expected(sc, "a string character (control characters must be escaped)");
        if (c == '\\') {
            size_t esc = sc->pos;
            sc->pos++;
            int e = peek(sc);
            if (e == 'u') {
                int rc;
                unsigned unit, low = 0;
                if ((rc = scan_u_escape(sc, &unit)) < 0)
                    return rc;
                /* UTF-16 surrogates come in pairs, high then low; cJSON
                 * refuses any other use, so say so here. */
                if (unit >= 0xD800 && unit <= 0xDBFF && sc->pos + 1 < sc->len &&
                    sc->s[sc->pos] == '\\' && sc->s[sc->pos + 1] == 'u') {
                    sc->pos++;
                    if ((rc = scan_u_escape(sc, &low)) < 0)
                        return rc;
                }
                /* Strings become C strings: a NUL would cut them short. */
                if (unit == 0)
                    return fail_at(sc, esc, "\\u0000 (NUL) is not allowed in a string");
                if (unit >= 0xD800 && unit <= 0xDFFF &&
                    (unit >= 0xDC00 || low < 0xDC00 || low > 0xDFFF))
                    return fail_at(sc, esc, "unpaired UTF-16 surrogate in a \\u escape");
                continue;
            }
            /* e == 0 would match strchr's terminating NUL */
            if (e <= 0 || !strchr("\"\\/bfnrt", e))
                return expected(sc, "an escape character (one of \"\\/bfnrtu)");
            sc->pos++;
            continue;
        }
        size_t n = utf8_len(sc->s + sc->pos, sc->len - sc->pos);
        if (n == 0)
            return fail_at(sc, sc->pos, "invalid UTF-8 in string");
        sc->pos += n;
    }
}

static int scan_number(struct scanner *sc)
{
    if (peek(sc) == '-')
        sc->pos++;
    if (peek(sc) == '0') {
        sc->pos++;
    } else if (is_digit(peek(sc))) {
        while (is_digit(peek(sc)))
            sc->pos++;
    } else {
        return expected(sc, "a digit");
    }
    if (peek(sc) == '.') {
        sc->pos++;
        if (!is_digit(peek(sc)))
            return expected(sc, "a digit after '.'");
        while (is_digit(peek(sc)))
            sc->pos++;
    }
    if (peek(sc) == 'e' || peek(sc) == 'E') {
        sc->pos++;
        if (peek(sc) == '+' || peek(sc) == '-')
            sc->pos++;
        if (!is_digit(peek(sc)))
            return expected(sc, "a digit in the exponent");
        while (is_digit(peek(sc)))
            sc->pos++;
    }
    return 0;
}

static int scan_literal(struct scanner *sc, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i < n; i++) {
        if (peek(sc) != word[i])
            return expected(sc, i == 0 ? "a value" : word);
        sc->pos++;
    }
    return 0;
}

static int scan_value(struct scanner *sc);

static int scan_container(struct scanner *sc, char open)
{
    char close = open == '{' ? '}' : ']';
    if (++sc->depth > JSON_MAX_DEPTH) {
        char msg[64];
        snprintf(msg, sizeof msg, "nesting deeper than %d levels", JSON_MAX_DEPTH);
        return fail_at(sc, sc->pos, msg);
    }
    sc->pos++;
    skip_ws(sc);
    if (peek(sc) == close) {
        sc->pos++;
        sc->depth--;
        return 0;
    }
    for (;;) {
        int rc;
        if (open == '{') {
            if (peek(sc) != '"')
                return expected(sc, "a string key");
            if ((rc = scan_string(sc)) < 0)
                return rc;
            skip_ws(sc);
            if (peek(sc) != ':')
                return expected(sc, "':'");
            sc->pos++;
        }
        if ((rc = scan_value(sc)) < 0)
            return rc;
        if (peek(sc) == ',') {
            sc->pos++;
            skip_ws(sc);
            continue;
        }
        if (peek(sc) == close) {
            sc->pos++;
            sc->depth--;
            return 0;
        }
        return expected(sc, open == '{' ? "',' or '}'" : "',' or ']'");
    }
}

static int scan_value(struct scanner *sc)
{
    int rc;
    skip_ws(sc);
    switch (peek(sc)) {
    case '{': case '[': rc = scan_container(sc, (char)peek(sc)); break;
    case '"': rc = scan_string(sc); break;
    case 't': rc = scan_literal(sc, "true"); break;
    case 'f': rc = scan_literal(sc, "false"); break;
    case 'n': rc = scan_literal(sc, "null"); break;
    default:
        if (peek(sc) == '-' || is_digit(peek(sc)))
            rc = scan_number(sc);
        else
            rc = expected(sc, "a value");
    }
    if (rc < 0)
        return rc;
    skip_ws(sc);
    return 0;
}

int json_parse(const char *name, const char *text, size_t len, cJSON **root,
               struct err *err)
{
    size_t bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    struct scanner sc = { name, (const unsigned char *)text, len, bom, 0, err };
    *root = NULL;
    int rc = scan_value(&sc);
    if (rc < 0)
        return rc;
    if (sc.pos < sc.len)
        return expected(&sc, "end of file after the JSON value");
    *root = cJSON_ParseWithLengthOpts(text + bom, len - bom, NULL, false);
    if (!*root)
        return err_set(err, ERR_NOMEM, "%s: out of memory while parsing", name);
    return 0;
}

int json_load(const char *path, cJSON **root, struct err *err)
{
    *root = NULL;
    struct stat st;
    if (stat(path, &st) != 0)
        return err_set(err, ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return err_set(err, ERR_IO, "%s: is a directory, expected a JSON file", path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    int rc = 0;
    if (!buf) {
        rc = err_set(err, ERR_NOMEM, "%s: out of memory", path);
        goto out_close;
    }
    for (;;) {
        if (len == cap) {
            if (cap >= JSON_MAX_BYTES) {
                char extra;
                if (fread(&extra, 1, 1, f) == 0 && !ferror(f))
                    break;      /* exactly JSON_MAX_BYTES: still fine */
                rc = err_set(err, ERR_TOO_LARGE,
                             "%s: file too large (more than %u bytes)", path,
                             JSON_MAX_BYTES);
                goto out_free;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                rc = err_set(err, ERR_NOMEM, "%s: out of memory", path);
                goto out_free;
            }
            buf = nb;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f)) {
                rc = err_set(err, ERR_IO, "%s: cannot read: %s", path, strerror(errno));
                goto out_free;
            }
            break;
        }
    }
    rc = json_parse(path, buf, len, root, err);
out_free:
    free(buf);
out_close:
    fclose(f);
    return rc;
}

void json_path_key(char *out, const char *base, const char *key)
{
    if (base && base[0])
        snprintf(out, JSON_PATH_MAX, "%s.%s", base, key);
    else
        snprintf(out, JSON_PATH_MAX, "%s", key);
}

void json_path_index(char *out, const char *base, int i)
{
    snprintf(out, JSON_PATH_MAX, "%s[%d]", base ? base : "", i);
}

const char *json_describe(const cJSON *v, char *out, size_t cap)
{
    if (!v)
        snprintf(out, cap, "nothing");
    else if (cJSON_IsNumber(v) && !isfinite(v->valuedouble))
        /* JSON has no NaN or infinity: a number that reads as infinite
         * overflowed the double cJSON parsed it into (1e400). */
        snprintf(out, cap, "a number beyond the range of a double");
    else if (cJSON_IsNumber(v))
        snprintf(out, cap, "%.17g", v->valuedouble);
    else if (cJSON_IsString(v))
        snprintf(out, cap, "\"%.60s%s\"", v->valuestring,
                 strlen(v->valuestring) > 60 ? "..." : "");
    else if (cJSON_IsObject(v))
        snprintf(out, cap, "an object");
    else if (cJSON_IsArray(v))
        snprintf(out, cap, "an array");
    else if (cJSON_IsTrue(v))
        snprintf(out, cap, "true");
    else if (cJSON_IsFalse(v))
        snprintf(out, cap, "false");
    else
        snprintf(out, cap, "null");
    return out;
}

int json_schema_error(const struct jdoc *d, const char *path,
                      const char *expected_what, const cJSON *v)
{
    char got[96];
    json_describe(v, got, sizeof got);
    return err_set(d->err, ERR_SCHEMA, "%s: %s: expected %s, got %s", d->file,
                   path && path[0] ? path : "(top level)", expected_what, got);
}

int json_check_object(const struct jdoc *d, const cJSON *obj, const char *path,
                      const char *what, const char *const *allowed)
{
    if (!cJSON_IsObject(obj))
        return json_schema_error(d, path, what, obj);
    for (const cJSON *it = obj->child; it; it = it->next) {
        char p[JSON_PATH_MAX];
        json_path_key(p, path, it->string);
        for (const cJSON *prev = obj->child; prev != it; prev = prev->next)
            if (strcmp(prev->string, it->string) == 0)
                return err_set(d->err, ERR_SCHEMA, "%s: %s: duplicate key",
                               d->file, p);
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, it->string) == 0;
        if (!known && strcmp(it->string, "comment") == 0) {
            if (!cJSON_IsString(it))
                return json_schema_error(d, p, "a string", it);
            continue;
        }
        if (!known) {
            char list[512] = "";
            size_t n = 0;
            for (const char *const *a = allowed; *a; a++)
                n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0,
                                      "%s%s", a == allowed ? "" : ", ", *a);
            return err_set(d->err, ERR_SCHEMA,
                           "%s: %s: unknown key, expected one of: %s, comment",
                           d->file, p, list);
        }
    }
    return 0;
}

bool json_number_to_u64(const cJSON *v, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!cJSON_IsNumber(v))
        return false;
    double x = v->valuedouble;
    if (!isfinite(x) || x != floor(x) || x < (double)min || x > (double)max ||
        x >= 18446744073709551616.0)
        return false;
    *out = (uint64_t)x;
    return true;
}

static const cJSON *field(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static int missing(const struct jdoc *d, const char *path, const char *expected_what)
{
    return err_set(d->err, ERR_SCHEMA, "%s: %s: missing, expected %s", d->file,
                   path, expected_what);
}

int json_get_u64(const struct jdoc *d, const cJSON *obj, const char *path,
                 const char *key, bool required, uint64_t min, uint64_t max,
                 uint64_t *out)
{
    char p[JSON_PATH_MAX], want[96];
    json_path_key(p, path, key);
    if (min == 1 && max >= UINT32_MAX)
        snprintf(want, sizeof want, "a positive integer");
    else if (min == 0 && max >= UINT32_MAX)
        snprintf(want, sizeof want, "a non-negative integer");
    else
        snprintf(want, sizeof want, "an integer from %llu to %llu",
                 (unsigned long long)min, (unsigned long long)max);
    const cJSON *v = field(obj, key);
    if (!v)
        return required ? missing(d, p, want) : 0;
    if (cJSON_IsNumber(v) && v->valuedouble > (double)max && max >= UINT32_MAX) {
        if (isinf(v->valuedouble))
            return err_set(d->err, ERR_TOO_LARGE,
                           "%s: %s: a number beyond the range of a double is too large "
                           "(at most %llu)", d->file, p, (unsigned long long)max);
        if (v->valuedouble == floor(v->valuedouble))
            return err_set(d->err, ERR_TOO_LARGE, "%s: %s: %.17g is too large (at most %llu)",
                           d->file, p, v->valuedouble, (unsigned long long)max);
    }
    if (!json_number_to_u64(v, min, max, out))
        return json_schema_error(d, p, want, v);
    return 0;
}

int json_get_double(const struct jdoc *d, const cJSON *obj, const char *path,
                    const char *key, bool required, double min,
                    bool min_exclusive, double *out)
{
    char p[JSON_PATH_MAX], want[64];
    json_path_key(p, path, key);
    if (min == 0)
        snprintf(want, sizeof want, "%s number", min_exclusive ? "a positive" : "a non-negative");
    else
        snprintf(want, sizeof want, "a number %s %g", min_exclusive ? ">" : ">=", min);
    const cJSON *v = field(obj, key);
    if (!v)
        return required ? missing(d, p, want) : 0;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
        (min_exclusive ? v->valuedouble <= min : v->valuedouble < min))
        return json_schema_error(d, p, want, v);
    *out = v->valuedouble;
    return 0;
}

int json_get_string(const struct jdoc *d, const cJSON *obj, const char *path,
                    const char *key, bool required, char *out, size_t cap)
{
    char p[JSON_PATH_MAX], want[64];
    json_path_key(p, path, key);
    snprintf(want, sizeof want, "a non-empty string of at most %zu bytes", cap - 1);
    const cJSON *v = field(obj, key);
    if (!v)
        return required ? missing(d, p, want) : 0;
    if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) >= cap)
        return json_schema_error(d, p, want, v);
    memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
    return 0;
}
