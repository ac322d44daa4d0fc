/*
 * journal: what a sweep has finished, on disk as it finishes, so that an
 * interrupted sweep (Ctrl-C, a killed job, a crash) resumes where it
 * stopped instead of starting over.
 *
 * The file (SWEEP.json.journal) is text, one line per record:
 *   {"trainmap_journal":1,"inputs_sha256":"<hex>","jobs":N}   the header
 *   {"assigned":J,"worker":W}      job J was handed to worker W
 *   {"done":J,"result":BLOB}       job J finished; BLOB is its result
 *   {"abandoned":J}                job J was cut short by an interrupt
 * Each record is written whole with one write and a done record is
 * fsynced before the next job's result is taken, so a kill leaves at most
 * a truncated last line, which reading ignores (and appending cuts off).
 * A job assigned but neither done nor abandoned was held by a worker that
 * died.  The header's SHA-256 of the sweep's inputs and options ties the
 * journal to one sweep: another sweep's journal is refused.
 *
 * Written once per job; read once per resume.
 *
 * Ownership: struct journal is opaque (journal_open / journal_close);
 * struct journal_state is caller-allocated (journal_read /
 * journal_state_release) and owns its result blobs.
 */
#ifndef TRAINMAP_JOURNAL_H
#define TRAINMAP_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "../common/sha256.h"

struct journal;

/* What a journal holds, per job. */
struct journal_state {
    uint32_t njobs;
    char **result;              /* owned: the done blob (NUL-terminated), or NULL */
    size_t *len;                /* its length */
    int *held_by;               /* the worker of an unfinished assignment, or -1 */
    uint32_t ndone;
    long valid_bytes;           /* length of the whole lines read */
};

/* Reads the journal at path for a sweep of njobs jobs whose inputs hash to
 * inputs_sha256.  A last line without its newline is ignored.  Returns 0,
 * or ERR_IO (cannot read), ERR_USAGE (the header is for other inputs or
 * another number of jobs: "PATH: written for other inputs or options
 * ..."), ERR_SCHEMA (a damaged line: "PATH:LINE: ..."), ERR_NOMEM; the
 * state needs journal_state_release either way. */
int journal_read(const char *path, const char *inputs_sha256, uint32_t njobs,
                 struct journal_state *st, struct err *err);
void journal_state_release(struct journal_state *st);

/* Opens path for writing.  With resume_bytes < 0 the file is created or
 * emptied and gets a new header; otherwise it is cut to resume_bytes (the
 * whole lines journal_read accepted) and appended to.  Returns 0 and *out,
 * or ERR_IO / ERR_NOMEM with err naming path. */
int journal_open(const char *path, const char *inputs_sha256, uint32_t njobs,
                 long resume_bytes, struct journal **out, struct err *err);

/* Appends one record (see the top of this file).  journal_done syncs the
 * file to disk before returning.  Return 0 or ERR_IO. */
int journal_assigned(struct journal *j, uint32_t job, int worker, struct err *err);
int journal_done(struct journal *j, uint32_t job, const char *blob, size_t len,
                 struct err *err);
int journal_abandoned(struct journal *j, uint32_t job, struct err *err);

/* Closes j; NULL is a no-op. */
void journal_close(struct journal *j);

#endif
