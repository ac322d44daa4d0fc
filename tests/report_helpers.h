/*
 * report_helpers: what the report, render and compare suites share: whole
 * files, running the trainmap binary, editing a report's JSON by path,
 * listing fixture files, and checking rendered SVG and PDF files.
 */
#ifndef TRAINMAP_TESTS_REPORT_HELPERS_H
#define TRAINMAP_TESTS_REPORT_HELPERS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* The whole file, NUL-terminated (length in *len when len is not NULL),
 * or NULL when it cannot be read.  The caller frees it. */
char *th_slurp(const char *path, size_t *len);

struct th_run {
    int code;           /* exit status, -1 when killed by a signal */
    char *out, *err;    /* stdout, stderr; the caller frees them */
};

/* Runs $TRAINMAP (default build/trainmap) with the NULL-terminated args;
 * env_name=env_value is set in the child when env_name is not NULL. */
void th_run(const char *const *args, const char *env_name, const char *env_value,
            struct th_run *r);
void th_run_release(struct th_run *r);

/* Edits the tree at path ("layers[0].kernels[1].stats.energy_pj"):
 * replaces (or adds) the item with the JSON value json, or removes it when
 * json is NULL.  Fails the test when the path does not lead anywhere. */
void th_edit(cJSON *root, const char *path, const char *json);

/* Reads path (a test fixture), applies edits (pairs of path and JSON value
 * or NULL, ended by a NULL path) and returns the tree printed; the caller
 * frees it. */
char *th_edited(const char *path, const char *const *edits);

/* The sorted paths of the files in dir whose names start with prefix and
 * end with suffix, at most max; returns how many.  The caller frees them. */
int th_list(const char *dir, const char *prefix, const char *suffix, char **paths, int max);

/* True when gnuplot is on the PATH (the plots are then rendered). */
bool th_have_gnuplot(void);

/* Fails the test unless path is a non-empty SVG file: it starts with
 * "<?xml" or "<svg" and ends with "</svg>" (and white space). */
void th_check_svg(const char *path);

/* Fails the test unless path is a non-empty PDF file: it starts with
 * "%PDF-" and ends with "%%EOF" (and white space). */
void th_check_pdf(const char *path);

/* A new temporary directory's path in buf ("/tmp/trainmap-<tag>-XXXXXX"). */
void th_tmpdir(char *buf, size_t cap, const char *tag);

/* Removes dir and the files in it (no subdirectories). */
void th_rmdir(const char *dir);

#endif
