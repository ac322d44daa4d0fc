/*
 * constraints: reading a constraints file (schema, then binding its level
 * names and roles to an arch) and checking a mapping against the result;
 * see constraints.h for the format and the contract.
 *
 * Loading and binding run once per file and arch, so every check spells
 * out what it found and what it expected.  constraints_allow runs in the
 * random strategy's rejection loop: it is a few array comparisons per
 * level and never allocates.
 */
#include "constraints.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/ckd.h"
#include "../common/json.h"

#define SLOT_LIST "weights, inputs, outputs"
#define ROLE_LIST "@outermost, @innermost, @array"
#define ALL_DIMS ((uint8_t)((1u << DIM_COUNT) - 1))

enum role { ROLE_NONE, ROLE_OUTERMOST, ROLE_INNERMOST, ROLE_ARRAY };

/* One "levels" entry: the rules, already in their bound form, plus what
 * binding needs to place them and to name them in messages. */
struct file_level {
    char level[ARCH_NAME_MAX];     /* as written: a name or a role */
    enum role role;
    struct level_constraint rule;
    int slot_index[SLOT_COUNT];    /* position in "keep"/"bypass" */
};

struct constraints_file {
    char *file;                    /* the name given to load/parse */
    double min_utilization;
    int nlevels;
    struct file_level level[ARCH_MAX_LEVELS];
};

/* ---- schema ------------------------------------------------------------ */

static enum role role_from_name(const char *s)
{
    static const char *const names[] = { NULL, "@outermost", "@innermost", "@array" };
    for (int r = ROLE_OUTERMOST; r <= ROLE_ARRAY; r++)
        if (strcmp(s, names[r]) == 0)
            return (enum role)r;
    return ROLE_NONE;
}

static int dim_of_name(const char *s)
{
    return strlen(s) == 1 ? dim_from_letter(s[0]) : -1;
}

/* Reads {"K": 4, ...} into f (preset to 0 = free by the caller). */
static int read_factors(const struct jdoc *d, const cJSON *obj, const char *path,
                        uint32_t f[DIM_COUNT])
{
    static const char *const dims[] = { "N", "K", "C", "P", "Q", "R", "S", "G", NULL };
    int rc;
    if (!cJSON_IsObject(obj))
        return json_schema_error(d, path, "an object of dim factors such as {\"K\": 4}", obj);
    for (const cJSON *it = obj->child; it; it = it->next) {
        char p[JSON_PATH_MAX];
        json_path_key(p, path, it->string);
        if (strcmp(it->string, "comment") != 0 && dim_of_name(it->string) < 0)
            return err_set(d->err, ERR_SCHEMA,
                           "%s: %s: unknown dim, expected one of " DIM_LIST, d->file, p);
    }
    if ((rc = json_check_object(d, obj, path, "an object of dim factors", dims)) < 0)
        return rc;
    for (const cJSON *it = obj->child; it; it = it->next) {
        int dim = dim_of_name(it->string);
        uint64_t v;
        if (dim < 0)
            continue;
        if ((rc = json_get_u64(d, obj, path, it->string, true, 1, UINT32_MAX, &v)) < 0)
            return rc;
        f[dim] = (uint32_t)v;
    }
    return 0;
}

/* Reads an array of names, each one of n names (dims or slots), each at
 * most once; sets bit i of *mask for name i and index[i] to its position. */
static int read_name_list(const struct jdoc *d, const cJSON *v, const char *path,
                          const char *want_list, const char *want_one,
                          int (*lookup)(const char *), unsigned *mask, int *index)
{
    if (!cJSON_IsArray(v))
        return json_schema_error(d, path, want_list, v);
    int i = 0;
    *mask = 0;
    for (const cJSON *it = v->child; it; it = it->next, i++) {
        char p[JSON_PATH_MAX];
        json_path_index(p, path, i);
        int k = cJSON_IsString(it) ? lookup(it->valuestring) : -1;
        if (k < 0)
            return json_schema_error(d, p, want_one, it);
        if (*mask & (1u << k))
            return err_set(d->err, ERR_SCHEMA, "%s: %s: \"%s\" is listed twice",
                           d->file, p, it->valuestring);
        *mask |= 1u << k;
        if (index)
            index[k] = i;
    }
    return 0;
}

static int read_order(const struct jdoc *d, const cJSON *lv, const char *path,
                      struct level_constraint *lc)
{
    char p[JSON_PATH_MAX];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(lv, "order");
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(lv, "order_exact");
    json_path_key(p, path, "order_exact");
    if (ex && !cJSON_IsBool(ex))
        return json_schema_error(d, p, "true or false", ex);
    lc->order_exact = ex && cJSON_IsTrue(ex);
    json_path_key(p, path, "order");
    if (!v && lc->order_exact)
        return err_set(d->err, ERR_SCHEMA,
                       "%s: %s: missing, expected the exact loop order (order_exact is true)",
                       d->file, p);
    if (!v)
        return 0;
    if (!cJSON_IsString(v))
        return json_schema_error(d, p, "a string of dim letters such as \"NPQ\"", v);
    uint8_t dims[DIM_COUNT];
    int n, rc = dims_from_letters(v->valuestring, d->file, p, dims, &n, d->err);
    if (rc < 0)
        return rc;
    unsigned seen = 0;
    for (int i = 0; i < n; i++) {
        seen |= 1u << dims[i];
        lc->order_prefix[lc->order_prefix_len++] = dims[i];
    }
    if (!lc->order_exact)
        return 0;
    for (int dim = 0; dim < DIM_COUNT; dim++)
        if (lc->temporal[dim] > 1 && !(seen & (1u << dim))) {
            char q[JSON_PATH_MAX], key[2] = { dim_letter((enum dim)dim), '\0' };
            json_path_key(p, path, "temporal");
            json_path_key(q, p, key);
            return err_set(d->err, ERR_SCHEMA,
                           "%s: %s: %u is above 1, but the exact order \"%s\" leaves %c out",
                           d->file, q, lc->temporal[dim], v->valuestring, key[0]);
        }
    return 0;
}

/* "K, C", or "no dim" when mask is empty. */
static void dim_names(unsigned mask, char *out, size_t cap)
{
    size_t n = 0;
    snprintf(out, cap, "no dim");
    for (int dim = 0; dim < DIM_COUNT; dim++)
        if (mask & (1u << dim))
            n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%c", n ? ", " : "",
                                  dim_letter((enum dim)dim));
}

static int read_spatial(const struct jdoc *d, const cJSON *lv, const char *path,
                        struct level_constraint *lc)
{
    static const char *const axes[] = { "x", "y", NULL };
    char p[JSON_PATH_MAX], q[JSON_PATH_MAX];
    int rc;
    uint8_t *allowed[2] = { &lc->spatial_x_dims, &lc->spatial_y_dims };
    uint32_t *fixed[2] = { lc->spatial_x, lc->spatial_y };
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(lv, "spatial");
    json_path_key(p, path, "spatial");
    if (v && (rc = json_check_object(d, v, p, "an object with \"x\" and/or \"y\" dim lists",
                                     axes)) < 0)
        return rc;
    for (int ax = 0; v && ax < 2; ax++) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(v, axes[ax]);
        unsigned mask = 0;
        json_path_key(q, p, axes[ax]);
        if (list && (rc = read_name_list(d, list, q, "an array of dims such as [\"K\", \"C\"]",
                                         "one of " DIM_LIST, dim_of_name, &mask, NULL)) < 0)
            return rc;
        if (list)
            *allowed[ax] = (uint8_t)mask;
    }
    v = cJSON_GetObjectItemCaseSensitive(lv, "spatial_factors");
    json_path_key(p, path, "spatial_factors");
    if (v && (rc = json_check_object(d, v, p, "an object with \"x\" and/or \"y\" factors",
                                     axes)) < 0)
        return rc;
    for (int ax = 0; v && ax < 2; ax++) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(v, axes[ax]);
        json_path_key(q, p, axes[ax]);
        if (f && (rc = read_factors(d, f, q, fixed[ax])) < 0)
            return rc;
        for (int dim = 0; dim < DIM_COUNT; dim++)
            if (fixed[ax][dim] > 1 && !(*allowed[ax] & (1u << dim))) {
                char r[JSON_PATH_MAX], key[2] = { dim_letter((enum dim)dim), '\0' };
                char names[3 * DIM_COUNT + 8];
                dim_names(*allowed[ax], names, sizeof names);
                json_path_key(r, q, key);
                return err_set(d->err, ERR_SCHEMA,
                               "%s: %s: %u on a dim that spatial.%s does not allow (%s)",
                               d->file, r, fixed[ax][dim], axes[ax], names);
            }
    }
    return 0;
}

/* "\"inputs\" cannot bypass the outermost level (DRAM), which holds every
 * tensor", at keep/bypass path p. */
static int bypass_outermost_error(struct err *err, const char *file, const char *p,
                                  enum slot s, const char *level)
{
    return err_set(err, ERR_SCHEMA,
                   "%s: %s: \"%s\" cannot bypass the outermost level (%s), which holds "
                   "every tensor", file, p, slot_name(s), level);
}

static int read_slots(const struct jdoc *d, const cJSON *lv, const char *path,
                      struct file_level *fl)
{
    static const char *const keys[2] = { "keep", "bypass" };
    static const enum keep_rule rules[2] = { KEEP_FORCE, BYPASS_FORCE };
    unsigned masks[2] = { 0, 0 };
    int index[2][SLOT_COUNT];
    int rc;
    for (int k = 0; k < 2; k++) {
        char p[JSON_PATH_MAX];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(lv, keys[k]);
        json_path_key(p, path, keys[k]);
        if (v && (rc = read_name_list(d, v, p, "an array of slot names such as [\"weights\"]",
                                      "one of " SLOT_LIST, slot_from_name, &masks[k],
                                      index[k])) < 0)
            return rc;
    }
    for (int s = 0; s < SLOT_COUNT; s++) {
        for (int k = 0; k < 2; k++)
            if (masks[k] & (1u << s)) {
                fl->rule.keep[s] = rules[k];
                fl->slot_index[s] = index[k][s];
            }
        char p[JSON_PATH_MAX], q[JSON_PATH_MAX];
        json_path_key(p, path, "bypass");
        json_path_index(q, p, fl->slot_index[s]);
        if ((masks[0] & masks[1]) & (1u << s))
            return err_set(d->err, ERR_SCHEMA,
                           "%s: %s: \"%s\" is also listed in keep (a slot is kept or "
                           "bypassed, not both)", d->file, q, slot_name((enum slot)s));
        if ((masks[1] & (1u << s)) && fl->role == ROLE_OUTERMOST)
            return bypass_outermost_error(d->err, d->file, q, (enum slot)s, fl->level);
    }
    return 0;
}

static int read_level(const struct jdoc *d, const cJSON *lv, const char *path,
                      struct file_level *fl)
{
    static const char *const keys[] = { "level", "temporal", "order", "order_exact",
                                        "spatial", "spatial_factors", "keep", "bypass",
                                        NULL };
    char p[JSON_PATH_MAX];
    int rc;
    if ((rc = json_check_object(d, lv, path, "a level constraint object", keys)) < 0 ||
        (rc = json_get_string(d, lv, path, "level", true, fl->level, sizeof fl->level)) < 0)
        return rc;
    fl->role = role_from_name(fl->level);
    if (fl->level[0] == '@' && fl->role == ROLE_NONE) {
        json_path_key(p, path, "level");
        return err_set(d->err, ERR_SCHEMA,
                       "%s: %s: unknown role \"%s\", expected " ROLE_LIST " or a level name",
                       d->file, p, fl->level);
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(lv, "temporal");
    json_path_key(p, path, "temporal");
    if (v && (rc = read_factors(d, v, p, fl->rule.temporal)) < 0)
        return rc;
    if ((rc = read_order(d, lv, path, &fl->rule)) < 0 ||
        (rc = read_spatial(d, lv, path, &fl->rule)) < 0)
        return rc;
    return read_slots(d, lv, path, fl);
}

static void level_init(struct level_constraint *lc)
{
    memset(lc, 0, sizeof *lc);
    lc->spatial_x_dims = lc->spatial_y_dims = ALL_DIMS;
}

static int read_file(const struct jdoc *d, const cJSON *root, struct constraints_file *cf)
{
    static const char *const keys[] = { "name", "min_utilization", "levels", NULL };
    char name[ARCH_NAME_MAX];
    int rc;
    if ((rc = json_check_object(d, root, "", "a constraints object", keys)) < 0 ||
        (rc = json_get_string(d, root, "", "name", false, name, sizeof name)) < 0)
        return rc;
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(root, "min_utilization");
    if (u && !(cJSON_IsNumber(u) && u->valuedouble >= 0 && u->valuedouble <= 1))
        return json_schema_error(d, "min_utilization", "a number from 0 to 1", u);
    if (u)
        cf->min_utilization = u->valuedouble;
    const cJSON *levels = cJSON_GetObjectItemCaseSensitive(root, "levels");
    if (!levels)
        return 0;
    if (!cJSON_IsArray(levels))
        return json_schema_error(d, "levels", "an array of level constraints", levels);
    int n = cJSON_GetArraySize(levels);
    if (n > ARCH_MAX_LEVELS)
        return err_set(d->err, ERR_SCHEMA,
                       "%s: levels: %d entries, expected at most %d (one per arch level)",
                       d->file, n, ARCH_MAX_LEVELS);
    int i = 0;
    for (const cJSON *it = levels->child; it; it = it->next, i++) {
        char p[JSON_PATH_MAX];
        json_path_index(p, "levels", i);
        level_init(&cf->level[i].rule);
        if ((rc = read_level(d, it, p, &cf->level[i])) < 0)
            return rc;
    }
    cf->nlevels = n;
    return 0;
}

static int from_tree(const char *name, cJSON *root, struct constraints_file **out,
                     struct err *err)
{
    struct jdoc d = { name, err };
    struct constraints_file *cf = calloc(1, sizeof *cf);
    int rc;
    if (!cf || !(cf->file = strdup(name))) {
        rc = err_set(err, ERR_NOMEM, "%s: out of memory", name);
        goto out_free;
    }
    if ((rc = read_file(&d, root, cf)) < 0)
        goto out_free;
    *out = cf;
    cJSON_Delete(root);
    return 0;
out_free:
    constraints_file_free(cf);
    cJSON_Delete(root);
    return rc;
}

int constraints_load(const char *path, struct constraints_file **out, struct err *err)
{
    cJSON *root;
    *out = NULL;
    int rc = json_load(path, &root, err);
    return rc < 0 ? rc : from_tree(path, root, out, err);
}

int constraints_parse(const char *name, const char *text, size_t len,
                      struct constraints_file **out, struct err *err)
{
    cJSON *root;
    *out = NULL;
    int rc = json_parse(name, text, len, &root, err);
    return rc < 0 ? rc : from_tree(name, root, out, err);
}

void constraints_file_free(struct constraints_file *cf)
{
    if (!cf)
        return;
    free(cf->file);
    free(cf);
}

/* ---- binding ----------------------------------------------------------- */

void constraints_init(struct constraints *c, const struct arch *a)
{
    memset(c, 0, sizeof *c);
    c->nlevels = a->nlevels;
    for (int l = 0; l < ARCH_MAX_LEVELS; l++)
        level_init(&c->level[l]);
}

/* The level a role or name stands for in a, or -1. */
static int resolve(const struct file_level *fl, const struct arch *a)
{
    switch (fl->role) {
    case ROLE_OUTERMOST:
        return 0;
    case ROLE_INNERMOST:
        return a->nlevels - 1;
    case ROLE_ARRAY:
        for (int l = a->nlevels - 1; l >= 0; l--)
            if ((uint64_t)a->level[l].fanout_x * a->level[l].fanout_y > 1)
                return l;
        return -1;
    case ROLE_NONE:
        break;
    }
    return arch_find_level(a, fl->level);
}

static int level_error(const struct constraints_file *cf, const struct file_level *fl,
                       int i, const struct arch *a, struct err *err)
{
    if (fl->role == ROLE_ARRAY)
        return err_set(err, ERR_SCHEMA,
                       "%s: levels[%d].level: @array needs a level that fans out to more "
                       "than one child, and arch '%s' has none", cf->file, i, a->name);
    char list[ARCH_MAX_LEVELS * (ARCH_NAME_MAX + 2)];
    size_t n = 0;
    list[0] = '\0';
    for (int l = 0; l < a->nlevels; l++)
        n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0, "%s%s",
                              l ? ", " : "", a->level[l].name);
    return err_set(err, ERR_SCHEMA,
                   "%s: levels[%d].level: expected a level of arch '%s' (%s) or a role ("
                   ROLE_LIST "), got \"%s\"", cf->file, i, a->name, list, fl->level);
}

/* Checks the entry's keeps and bypasses against level l of a. */
static int bind_slots(const struct constraints_file *cf, const struct file_level *fl,
                      int i, const struct arch *a, int l, struct err *err)
{
    const struct arch_level *al = &a->level[l];
    for (int s = 0; s < SLOT_COUNT; s++) {
        char p[JSON_PATH_MAX];
        snprintf(p, sizeof p, "levels[%d].%s[%d]", i,
                 fl->rule.keep[s] == KEEP_FORCE ? "keep" : "bypass", fl->slot_index[s]);
        if (fl->rule.keep[s] == BYPASS_FORCE && l == 0)
            return bypass_outermost_error(err, cf->file, p, (enum slot)s, al->name);
        if (fl->rule.keep[s] != KEEP_FORCE || al->keeps[s])
            continue;
        char kept[64] = "nothing";
        size_t n = 0;
        for (int t = 0; t < SLOT_COUNT; t++)
            if (al->keeps[t])
                n += (size_t)snprintf(kept + n, sizeof kept - n, "%s%s", n ? ", " : "only ",
                                      slot_name((enum slot)t));
        return err_set(err, ERR_SCHEMA, "%s: %s: \"%s\" cannot be kept at %s, which keeps %s",
                       cf->file, p, slot_name((enum slot)s), al->name, kept);
    }
    return 0;
}

/* Checks that the fixed spatial factors fit level l's fanout on each axis. */
static int bind_fanout(const struct constraints_file *cf, const struct file_level *fl,
                       int i, const struct arch_level *al, struct err *err)
{
    const uint32_t *fixed[2] = { fl->rule.spatial_x, fl->rule.spatial_y };
    const uint32_t fanout[2] = { al->fanout_x, al->fanout_y };
    for (int ax = 0; ax < 2; ax++) {
        uint64_t prod = 1;
        bool over = false;
        for (int dim = 0; dim < DIM_COUNT && !over; dim++)
            over = fixed[ax][dim] > 1 && ckd_mul_u64(&prod, prod, fixed[ax][dim]);
        if (!over && prod <= fanout[ax])
            continue;
        char amount[48];
        if (over)
            snprintf(amount, sizeof amount, "more than %llu", (unsigned long long)UINT64_MAX);
        else
            snprintf(amount, sizeof amount, "%llu", (unsigned long long)prod);
        return err_set(err, ERR_SCHEMA,
                       "%s: levels[%d].spatial_factors.%c: factors multiply to %s, more "
                       "than the fanout of %s along %c (%u)", cf->file, i, "xy"[ax], amount,
                       al->name, "xy"[ax], fanout[ax]);
    }
    return 0;
}

/* source = "file: levels[i]", keeping the end of a file name too long. */
static void set_source(char out[128], const char *file, int i)
{
    char tail[24];
    int t = snprintf(tail, sizeof tail, ": levels[%d]", i);
    size_t room = 128 - 1 - (size_t)t, len = strlen(file);
    if (len <= room)
        snprintf(out, 128, "%s%s", file, tail);
    else
        snprintf(out, 128, "...%s%s", file + len - (room - 3), tail);
}

int constraints_bind(const struct constraints_file *cf, const struct arch *a,
                     struct constraints *out, struct err *err)
{
    int owner[ARCH_MAX_LEVELS];
    int rc;
    constraints_init(out, a);
    if (!cf)
        return 0;
    out->min_utilization = cf->min_utilization;
    for (int l = 0; l < ARCH_MAX_LEVELS; l++)
        owner[l] = -1;
    for (int i = 0; i < cf->nlevels; i++) {
        const struct file_level *fl = &cf->level[i];
        int l = resolve(fl, a);
        if (l < 0)
            return level_error(cf, fl, i, a, err);
        if (owner[l] >= 0) {
            const char *prev = cf->level[owner[l]].level;
            if (strcmp(fl->level, a->level[l].name) == 0)
                return err_set(err, ERR_SCHEMA,
                               "%s: levels[%d].level: \"%s\" is already constrained by "
                               "levels[%d] (\"%s\")", cf->file, i, fl->level, owner[l], prev);
            return err_set(err, ERR_SCHEMA,
                           "%s: levels[%d].level: \"%s\" is %s, already constrained by "
                           "levels[%d] (\"%s\")", cf->file, i, fl->level, a->level[l].name,
                           owner[l], prev);
        }
        owner[l] = i;
        if ((rc = bind_slots(cf, fl, i, a, l, err)) < 0 ||
            (rc = bind_fanout(cf, fl, i, &a->level[l], err)) < 0)
            return rc;
        out->level[l] = fl->rule;
        set_source(out->source[l], cf->file, i);
    }
    return 0;
}

/* ---- checking a mapping ------------------------------------------------ */

/* The loops of ml (dims of temporal factor > 1), outermost first, obey
 * lc's order: they start with the prefix's dims of factor > 1, in its
 * order, and with order_exact they are nothing else. */
static bool order_allows(const struct level_constraint *lc, const struct mapping_level *ml)
{
    int k = 0, nloops = 0;
    for (int i = 0; i < lc->order_prefix_len; i++)
        if (lc->order_prefix[i] < DIM_COUNT && ml->temporal[lc->order_prefix[i]] > 1)
            k++;
    int matched = 0, j = 0;
    for (int i = 0; i < DIM_COUNT; i++) {
        int dim = ml->order[i];
        if (dim >= DIM_COUNT || ml->temporal[dim] <= 1)
            continue;
        nloops++;
        if (matched < k) {
            while (j < lc->order_prefix_len && (lc->order_prefix[j] >= DIM_COUNT ||
                                                ml->temporal[lc->order_prefix[j]] <= 1))
                j++;
            if (lc->order_prefix[j] != dim)
                return false;
            matched++;
            j++;
        }
    }
    return matched == k && (!lc->order_exact || nloops == k);
}

static const char *level_breaks(const struct level_constraint *lc,
                                const struct mapping_level *ml)
{
    for (int dim = 0; dim < DIM_COUNT; dim++)
        if (lc->temporal[dim] && ml->temporal[dim] != lc->temporal[dim])
            return "fixed temporal factor";
    if (!order_allows(lc, ml))
        return lc->order_exact ? "exact loop order" : "loop order prefix";
    for (int dim = 0; dim < DIM_COUNT; dim++) {
        if (ml->spatial_x[dim] > 1 && !(lc->spatial_x_dims & (1u << dim)))
            return "dim not allowed on the spatial x axis";
        if (ml->spatial_y[dim] > 1 && !(lc->spatial_y_dims & (1u << dim)))
            return "dim not allowed on the spatial y axis";
        if ((lc->spatial_x[dim] && ml->spatial_x[dim] != lc->spatial_x[dim]) ||
            (lc->spatial_y[dim] && ml->spatial_y[dim] != lc->spatial_y[dim]))
            return "fixed spatial factor";
    }
    for (int s = 0; s < SLOT_COUNT; s++) {
        if (lc->keep[s] == KEEP_FORCE && ml->bypass[s])
            return "forced keep";
        if (lc->keep[s] == BYPASS_FORCE && !ml->bypass[s])
            return "forced bypass";
    }
    return NULL;
}

bool constraints_allow(const struct constraints *c, const struct mapping *m,
                       const char **why)
{
    const char *broken = NULL;
    if (c->nlevels != m->nlevels)
        broken = "mapping and constraints differ in their number of levels";
    for (int l = 0; !broken && l < c->nlevels && l < ARCH_MAX_LEVELS; l++)
        broken = level_breaks(&c->level[l], &m->level[l]);
    if (broken && why)
        *why = broken;
    return !broken;
}
