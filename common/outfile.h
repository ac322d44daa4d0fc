/*
 * outfile: writing an output file so that it appears whole or not at all.
 *
 * The data goes to a temporary file in the target's directory, is flushed
 * and closed, then renamed over the target.  On any error the temporary
 * file is removed and an existing target is left untouched.
 */
#ifndef TRAINMAP_OUTFILE_H
#define TRAINMAP_OUTFILE_H

#include <stddef.h>

#include "err.h"

/* Writes len bytes of data to path atomically.  Returns 0 or ERR_IO. */
int outfile_write(const char *path, const char *data, size_t len, struct err *err);

#endif
