/*
 * textbuf: a growing text buffer that the report writers print into.
 *
 * The CSV, Markdown, summary and plot writers build whole files in memory
 * and hand them to outfile_write (or to the CLI, which prints them), so
 * that a file appears whole or not at all.  Appending never fails loudly:
 * the first allocation failure marks the buffer failed, later appends do
 * nothing, and the writer checks once at the end.  Built once per output
 * file: clarity over speed.
 *
 * Ownership: caller-allocated (textbuf_init/textbuf_release); the text is
 * owned by the buffer until textbuf_take hands it over.
 */
#ifndef TRAINMAP_TEXTBUF_H
#define TRAINMAP_TEXTBUF_H

#include <stdbool.h>
#include <stddef.h>

struct textbuf {
    char *data;         /* NUL-terminated when len > 0; NULL when empty */
    size_t len, cap;
    bool failed;        /* an append ran out of memory */
};

/* An empty buffer. */
void textbuf_init(struct textbuf *b);

/* Frees the text; b is left empty (and not failed). */
void textbuf_release(struct textbuf *b);

/* Appends the formatted text.  On allocation failure marks b failed. */
void textbuf_printf(struct textbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends n bytes of s. */
void textbuf_append(struct textbuf *b, const char *s, size_t n);

/* The text (an empty string when nothing was appended), or NULL when b
 * failed; the caller frees it and b is left empty.  NULL also when the
 * empty string cannot be allocated. */
char *textbuf_take(struct textbuf *b);

#endif
