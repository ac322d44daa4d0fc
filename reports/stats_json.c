/*
 * stats_json: the stats object with exactly printed numbers; see
 * stats_json.h for why every number is a raw item.
 */
#include "stats_json.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUM_MAX 48

char *stats_json_format_double(double v, char *out)
{
    if (!isfinite(v)) {
        snprintf(out, 32, "null");
        return out;
    }
    /* Integral values below 2^53-ish print in full, as Python's repr does. */
    if (v == floor(v) && fabs(v) < 1e16) {
        snprintf(out, 32, "%.0f.0", v);
        return out;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
    return out;
}

/* Decimal text of a 128-bit unsigned value (at most 39 digits). */
static char *format_u128(unsigned __int128 v, char *out)
{
    char tmp[NUM_MAX];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return out;
}

/* Each adder returns false when out of memory. */
static bool add_u128(cJSON *obj, const char *key, unsigned __int128 v)
{
    char text[NUM_MAX];
    return cJSON_AddRawToObject(obj, key, format_u128(v, text)) != NULL;
}

bool stats_json_add_u64(cJSON *obj, const char *key, uint64_t v)
{
    return add_u128(obj, key, v);
}

bool stats_json_add_double(cJSON *obj, const char *key, double v)
{
    char text[NUM_MAX];
    return cJSON_AddRawToObject(obj, key, stats_json_format_double(v, text)) != NULL;
}

bool stats_json_add_string_or_null(cJSON *obj, const char *key, const char *s)
{
    return s ? cJSON_AddStringToObject(obj, key, s) != NULL
             : cJSON_AddNullToObject(obj, key) != NULL;
}

static bool add_ratio(cJSON *obj, const char *key, double value, double bound)
{
    return stats_json_add_double(obj, key, bound > 0 ? value / bound : NAN);
}

/* Appends a new object to array; NULL when out of memory. */
static cJSON *append_object(cJSON *array)
{
    cJSON *o = cJSON_CreateObject();
    if (o && !cJSON_AddItemToArray(array, o)) {
        cJSON_Delete(o);
        o = NULL;
    }
    return o;
}

static bool add_tensor(cJSON *tensors, const struct tensor_stats *t, uint64_t instances)
{
    cJSON *o = append_object(tensors);
    return o && cJSON_AddStringToObject(o, "name", t->name) &&
           cJSON_AddStringToObject(o, "slot", slot_name(t->slot)) &&
           cJSON_AddBoolToObject(o, "kept", t->kept) &&
           stats_json_add_u64(o, "tile_words", t->tile_words) &&
           stats_json_add_u64(o, "reads_per_instance", t->reads) &&
           stats_json_add_u64(o, "fills_per_instance", t->fills) &&
           stats_json_add_u64(o, "updates_per_instance", t->updates) &&
           add_u128(o, "reads", (unsigned __int128)t->reads * instances) &&
           add_u128(o, "fills", (unsigned __int128)t->fills * instances) &&
           add_u128(o, "updates", (unsigned __int128)t->updates * instances) &&
           stats_json_add_double(o, "energy_pj", t->energy_pj);
}

static bool add_level(cJSON *levels, const char *name, const struct level_stats *ls)
{
    cJSON *o = append_object(levels);
    cJSON *tensors;
    if (!o || !cJSON_AddStringToObject(o, "name", name) ||
        !stats_json_add_u64(o, "instances_used", ls->instances_used) ||
        !stats_json_add_u64(o, "cycles", ls->cycles) || !stats_json_add_double(o, "energy_pj", ls->energy_pj) ||
        !(tensors = cJSON_AddArrayToObject(o, "tensors")))
        return false;
    for (int t = 0; t < ls->ntensors && t < MODEL_MAX_TENSORS; t++)
        if (!add_tensor(tensors, &ls->tensor[t], ls->instances_used))
            return false;
    return true;
}

cJSON *stats_json_build(const struct arch *a, const struct problem *p,
                        const struct model_stats *s)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *compute, *levels, *bounds;
    if (!root || !cJSON_AddStringToObject(root, "layer", p->layer) ||
        !cJSON_AddStringToObject(root, "kernel", kernel_name(p->kernel)) ||
        !stats_json_add_u64(root, "macs", s->macs) || !stats_json_add_u64(root, "cycles", s->cycles) ||
        !stats_json_add_u64(root, "compute_cycles", s->compute_cycles) ||
        !stats_json_add_double(root, "utilization", s->utilization) ||
        !stats_json_add_double(root, "energy_pj", s->energy_pj) || !stats_json_add_double(root, "edp", s->edp) ||
        !(compute = cJSON_AddObjectToObject(root, "compute")) ||
        !cJSON_AddStringToObject(compute, "name", a->compute.name) ||
        !stats_json_add_u64(compute, "instances_used", s->mac_instances_used) ||
        !stats_json_add_double(compute, "energy_pj", s->mac_energy_pj) ||
        !(levels = cJSON_AddArrayToObject(root, "levels")))
        goto out_fail;
    for (int l = 0; l < s->nlevels && l < a->nlevels; l++)
        if (!add_level(levels, a->level[l].name, &s->level[l]))
            goto out_fail;
    if (!(bounds = cJSON_AddObjectToObject(root, "bounds")) ||
        !stats_json_add_double(bounds, "energy_pj", s->bounds.energy_pj) ||
        !stats_json_add_double(bounds, "cycles", s->bounds.cycles) ||
        !add_ratio(bounds, "energy_ratio", s->energy_pj, s->bounds.energy_pj) ||
        !add_ratio(bounds, "cycles_ratio", (double)s->cycles, s->bounds.cycles))
        goto out_fail;
    return root;
out_fail:
    cJSON_Delete(root);
    return NULL;
}

char *stats_json_print(const struct arch *a, const struct problem *p,
                       const struct model_stats *s)
{
    cJSON *root = stats_json_build(a, p, s);
    if (!root)
        return NULL;
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return NULL;
    size_t n = strlen(text);
    char *out = realloc(text, n + 2);
    if (!out) {
        free(text);
        return NULL;
    }
    out[n] = '\n';
    out[n + 1] = '\0';
    return out;
}
