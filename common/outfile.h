/*
 * outfile: writing an output file so that it appears whole or not at all.
 *
 * The data goes to a temporary file in the target's directory, is flushed
 * and closed, then renamed over the target.  On any error the temporary
 * file is removed and an existing target is left untouched.
 *
 * Kills.  What can be promised, and how:
 *  - The caller builds the whole output in memory first and calls
 *    outfile_write once (the CLI renders a report only after its search),
 *    so a temporary file exists only for the time it takes to write, sync
 *    and rename one buffer: milliseconds, never the length of a search.
 *  - For that time the calling thread blocks the termination signals a
 *    program can catch or that end it by default (SIGINT, SIGTERM, SIGHUP,
 *    SIGQUIT): one that arrives is delivered once the target is
 *    complete or the temporary file removed, so neither the default action
 *    nor a handler that exits at once (the second Ctrl-C of `map`) can leave
 *    a temporary file.  The mask covers the calling thread only: a program
 *    that runs other threads while writing must block these signals there
 *    (the CLI writes after its workers have finished).
 *  - SIGKILL, a crash or a power loss inside that window cannot be caught.
 *    The target is still untouched (rename is atomic), and what is left is
 *    "<target>.tmpXXXXXX" (six random characters) beside it, a name that
 *    says what it is.  It is not removed automatically: another process may
 *    be writing the same target at that moment.
 */
#ifndef TRAINMAP_OUTFILE_H
#define TRAINMAP_OUTFILE_H

#include <stddef.h>

#include "err.h"

/* Writes len bytes of data to path atomically: afterwards path holds
 * exactly data, or (on failure) is as it was and no temporary file is
 * left.  Returns 0, ERR_IO (err names path and the system's reason) or
 * ERR_NOMEM. */
int outfile_write(const char *path, const char *data, size_t len, struct err *err);

/* Checks, before long work whose result goes to path, that outfile_write
 * could create it: the directory path names exists, is a directory and is
 * writable, and path itself is not a directory.  Returns 0, or ERR_IO with
 * err saying what is wrong ("out: Not a directory", "out/r.json: is a
 * directory").  Nothing is created. */
int outfile_check(const char *path, struct err *err);

#endif
