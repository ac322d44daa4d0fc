/*
 * textbuf: the growing text buffer of the report writers; see textbuf.h.
 */
#include "textbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void textbuf_init(struct textbuf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}

void textbuf_release(struct textbuf *b)
{
    free(b->data);
    textbuf_init(b);
}

/* Makes room for n more bytes and a NUL; false when out of memory. */
static bool reserve(struct textbuf *b, size_t n)
{
    if (b->failed)
        return false;
    if (n < b->cap - b->len && b->data)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= n) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *d = realloc(b->data, cap);
    if (!d) {
        b->failed = true;
        return false;
    }
    b->data = d;
    b->cap = cap;
    return true;
}

void textbuf_append(struct textbuf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void textbuf_printf(struct textbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if (!reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *textbuf_take(struct textbuf *b)
{
    if (b->failed) {
        textbuf_release(b);
        return NULL;
    }
    char *out = b->data ? b->data : calloc(1, 1);
    textbuf_init(b);
    return out;
}
