/*
 * json: reading JSON input files with errors people can act on.
 *
 * json_load reads a whole file, checks its syntax with a strict scanner of
 * our own (so that an error reads "file:14:9: expected ',' or '}', got ']'"
 * instead of a bare failure), then builds the cJSON tree.  The json_get_*
 * helpers read one typed field of an object and report schema errors as
 * "file: levels[2].size_words: expected a positive integer, got -4".
 *
 * Ownership: json_load returns a tree the caller frees with cJSON_Delete.
 * Trees never escape the loaders: they copy what they need into their own
 * structs and delete the tree.  cJSON keeps a static error pointer, so all
 * parsing happens on the main thread before any search starts.
 */
#ifndef TRAINMAP_JSON_H
#define TRAINMAP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"

#define JSON_MAX_DEPTH 64
#define JSON_MAX_BYTES (64u << 20)
#define JSON_PATH_MAX 256

/* Context for schema errors: the file being read and where errors go. */
struct jdoc {
    const char *file;
    struct err *err;
};

/* Reads and parses path.  On success *root owns the tree and 0 is returned;
 * on failure *root is NULL and err says why (ERR_IO, ERR_SYNTAX, ERR_NOMEM). */
int json_load(const char *path, cJSON **root, struct err *err);

/* As json_load, on a buffer already in memory; name is used in messages. */
int json_parse(const char *name, const char *text, size_t len, cJSON **root,
               struct err *err);

/* Fails with a schema error unless obj is an object whose keys are all in
 * allowed (a NULL-terminated list) and appear once each.  "comment" is
 * always allowed, as a string; when allowed lists it, it is a field the
 * caller reads and checks itself.  what names the object in the message
 * ("a level"). */
int json_check_object(const struct jdoc *d, const cJSON *obj, const char *path,
                      const char *what, const char *const *allowed);

/* Writes "base.key" (or "key" when base is empty) into out. */
void json_path_key(char *out, const char *base, const char *key);
/* Writes "base[i]" into out. */
void json_path_index(char *out, const char *base, int i);

/* Describes a JSON value for "got ..." in messages: "-4", "\"abc\"",
 * "an object", "null".  Returns out. */
const char *json_describe(const cJSON *v, char *out, size_t cap);

/* Fails with "path: expected <expected>, got <description of v>". */
int json_schema_error(const struct jdoc *d, const char *path,
                      const char *expected, const cJSON *v);

/*
 * Typed field readers.  Each looks up key in obj.  When the key is absent:
 * required -> schema error "path.key: missing, expected ..."; otherwise 0 is
 * returned and *out is left unchanged (so callers preset defaults).
 */
int json_get_u64(const struct jdoc *d, const cJSON *obj, const char *path,
                 const char *key, bool required, uint64_t min, uint64_t max,
                 uint64_t *out);
/* A finite number >= min (or > min when min_exclusive). */
int json_get_double(const struct jdoc *d, const cJSON *obj, const char *path,
                    const char *key, bool required, double min,
                    bool min_exclusive, double *out);
/* A non-empty string of fewer than cap bytes, copied into out. */
int json_get_string(const struct jdoc *d, const cJSON *obj, const char *path,
                    const char *key, bool required, char *out, size_t cap);

/* Converts a JSON number to uint64 when it is an integer in [min, max];
 * returns false otherwise. */
bool json_number_to_u64(const cJSON *v, uint64_t min, uint64_t max,
                        uint64_t *out);

#endif
