/*
 * stats_json: the stats object of DESIGN.md section 3 (the output of
 * `trainmap eval`, and the "stats" of every report entry), built from the
 * model's struct model_stats.
 *
 * Numbers must survive a write and a read unchanged: a program comparing
 * two reports, or a report with Timeloop's output, compares exact counts
 * and full-precision energies.  cJSON's own number printer accepts a
 * 15-digit rendering that is only approximately equal to the value and
 * turns integers above 2^53 into rounded exponent notation, so every
 * number here is a raw item (cJSON_IsRaw) holding its exact text:
 * integers in full, doubles in the shortest form that reads back to the
 * same bits (with ".0" when integral, so readers see a double), non-finite
 * values as null.  Print the tree to read the numbers back.
 *
 * Built once per evaluated kernel: clarity over speed.
 *
 * Ownership: the returned tree (or string) belongs to the caller.
 */
#ifndef TRAINMAP_STATS_JSON_H
#define TRAINMAP_STATS_JSON_H

#include <cjson/cJSON.h>

#include "../arch/arch.h"
#include "../model/model.h"
#include "../workloads/problem.h"

/* The stats object of s, an evaluation of problem p on arch a: layer,
 * kernel, macs, cycles, compute_cycles, utilization, energy_pj, edp,
 * compute {name, instances_used, energy_pj}, levels[] {name,
 * instances_used, cycles, energy_pj, tensors[] {name, slot, kept,
 * tile_words, reads/fills/updates per instance and in total, energy_pj}},
 * and bounds {energy_pj, cycles, energy_ratio, cycles_ratio} (ratio =
 * value / bound; null when the bound is not positive).  Totals are the
 * per-instance counts times instances_used, computed exactly (128-bit).
 * Returns a new tree the caller frees with cJSON_Delete, or NULL when out
 * of memory. */
cJSON *stats_json_build(const struct arch *a, const struct problem *p,
                        const struct model_stats *s);

/* stats_json_build printed as indented JSON with a final newline.
 * Returns a string the caller frees with free(), or NULL when out of
 * memory. */
char *stats_json_print(const struct arch *a, const struct problem *p,
                       const struct model_stats *s);

/* Writes v as the shortest decimal that strtod reads back to the same
 * double ("0.1", "1e+100", "2.0"; "null" when not finite) into out, which
 * holds at least 32 bytes.  Returns out. */
char *stats_json_format_double(double v, char *out);

/* Add v to obj under key as an exact JSON number: an integer in full
 * (a double would round above 2^53), a double as stats_json_format_double
 * writes it.  Return false when out of memory. */
bool stats_json_add_u64(cJSON *obj, const char *key, uint64_t v);
bool stats_json_add_double(cJSON *obj, const char *key, double v);

/* Add s to obj under key, or null when s is NULL.  Returns false when out
 * of memory. */
bool stats_json_add_string_or_null(cJSON *obj, const char *key, const char *s);

#endif
