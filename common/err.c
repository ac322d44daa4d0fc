/*
 * err: formatting of error messages; see err.h for the contract.
 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(struct err *e)
{
    if (!e)
        return;
    e->code = ERR_OK;
    e->msg[0] = '\0';
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
    if (!e)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->code = code;
    return code;
}

void err_prefix(struct err *e, const char *prefix)
{
    if (!e || !prefix)
        return;
    size_t p = strlen(prefix) + 2, m = strlen(e->msg);
    if (p >= sizeof e->msg)
        return;
    if (m > sizeof e->msg - 1 - p)
        m = sizeof e->msg - 1 - p;
    memmove(e->msg + p, e->msg, m);
    e->msg[p + m] = '\0';
    memcpy(e->msg, prefix, p - 2);
    memcpy(e->msg + p - 2, ": ", 2);
}

const char *err_code_text(int code)
{
    switch (code) {
#define ERR_CASE(name, value, text) case name: return text;
    ERR_TABLE(ERR_CASE)
#undef ERR_CASE
    }
    return "unknown error";
}
