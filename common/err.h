/*
 * err: the one way library code reports failure.
 *
 * Library functions never print and never exit.  They return 0 on success or
 * a negative ERR_* code, and fill a caller-supplied struct err with a message
 * that names the file and where in it (line:column for syntax, a JSON path
 * for schema), what was expected and what was found.  Only cli/ prints the
 * message and turns the code into an exit status.
 */
#ifndef TRAINMAP_ERR_H
#define TRAINMAP_ERR_H

#define ERR_MSG_MAX 1024

/* X-macro table: code name, value, short description. */
#define ERR_TABLE(X)                                              \
    X(ERR_OK, 0, "success")                                       \
    X(ERR_IO, -1, "cannot read or write a file")                  \
    X(ERR_SYNTAX, -2, "malformed JSON")                           \
    X(ERR_SCHEMA, -3, "input does not follow its format")         \
    X(ERR_TOO_LARGE, -4, "a size or count is too large")          \
    X(ERR_NOMEM, -5, "out of memory")                             \
    X(ERR_USAGE, -6, "bad command-line usage")                    \
    X(ERR_INVALID_MAPPING, -7, "the mapping is not valid here")   \
    X(ERR_NO_MAPPING, -8, "no valid mapping exists")             \
    X(ERR_COMM, -9, "message passing between processes failed")

enum err_code {
#define ERR_ENUM(name, value, text) name = value,
    ERR_TABLE(ERR_ENUM)
#undef ERR_ENUM
};

struct err {
    int code;               /* one of enum err_code; ERR_OK when clear */
    char msg[ERR_MSG_MAX];  /* human-readable, no trailing newline */
};

/* Clears e (code ERR_OK, empty message).  e may be NULL. */
void err_clear(struct err *e);

/* Formats the message into e and returns code, so callers can write
 * `return err_set(e, ERR_SCHEMA, "...", ...);`.  e may be NULL. */
int err_set(struct err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "prefix: " to e's message (used to add a file name). */
void err_prefix(struct err *e, const char *prefix);

/* Short description of a code, for codes without a message. */
const char *err_code_text(int code);

#endif
