/*
 * mapping_io: reading the mapping JSON (schema, then binding to an arch and
 * a problem) and writing it back; see mapping_io.h for the contract.
 *
 * Runs once per mapping file or report entry, so every check spells out
 * what it found and what it expected rather than being fast.
 */
#include "mapping_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/ckd.h"
#include "../common/json.h"

#define DIM_LETTERS "NKCPQRSG"

/* ---- schema ------------------------------------------------------------ */

/* Fails unless no key of obj appears twice. */
static int check_unique_keys(const struct jdoc *d, const cJSON *obj,
                             const char *path)
{
    for (const cJSON *it = obj->child; it; it = it->next)
        for (const cJSON *prev = obj->child; prev != it; prev = prev->next)
            if (strcmp(prev->string, it->string) == 0) {
                char p[JSON_PATH_MAX];
                json_path_key(p, path, it->string);
                return err_set(d->err, ERR_SCHEMA, "%s: %s: duplicate key",
                               d->file, p);
            }
    return 0;
}

/* Reads an object of dim factors such as {"K": 4, "C": 2} into f (which
 * the caller preset to all ones). */
static int read_factors(const struct jdoc *d, const cJSON *obj,
                        const char *path, uint32_t f[DIM_COUNT])
{
    int rc;
    if (!cJSON_IsObject(obj))
        return json_schema_error(d, path, "an object of dim factors such as {\"K\": 4}", obj);
    if ((rc = check_unique_keys(d, obj, path)) < 0)
        return rc;
    for (const cJSON *it = obj->child; it; it = it->next) {
        char p[JSON_PATH_MAX];
        json_path_key(p, path, it->string);
        if (strcmp(it->string, "comment") == 0) {
            if (!cJSON_IsString(it))
                return json_schema_error(d, p, "a string", it);
            continue;
        }
        int dim = strlen(it->string) == 1 ? dim_from_letter(it->string[0]) : -1;
        if (dim < 0)
            return err_set(d->err, ERR_SCHEMA,
                           "%s: %s: unknown dim, expected one of " DIM_LIST,
                           d->file, p);
        uint64_t v = 1;
        if ((rc = json_get_u64(d, obj, path, it->string, true, 1, UINT32_MAX, &v)) < 0)
            return rc;
        f[dim] = (uint32_t)v;
    }
    return 0;
}

/* Appends the letters of the dims of temporal factor > 1 that order does
 * not name, as "K, P", to out. */
static void unordered_dims(const struct mapping_file_level *ml, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (int dim = 0; dim < DIM_COUNT; dim++)
        if (ml->temporal[dim] > 1 && !strchr(ml->order, dim_letter((enum dim)dim)))
            n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%c",
                                  n ? ", " : "", dim_letter((enum dim)dim));
}

static int read_order(const struct jdoc *d, const cJSON *lv, const char *path,
                      struct mapping_file_level *ml)
{
    char p[JSON_PATH_MAX], missing[3 * DIM_COUNT + 1];
    json_path_key(p, path, "order");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(lv, "order");
    if (v && !cJSON_IsString(v))
        return json_schema_error(d, p, "a string of dim letters such as \"NKC\"", v);
    ml->order[0] = '\0';
    if (v) {
        uint8_t dims[DIM_COUNT];
        int n, rc = dims_from_letters(v->valuestring, d->file, p, dims, &n, d->err);
        if (rc < 0)
            return rc;
        for (int i = 0; i < n; i++)
            ml->order[i] = dim_letter((enum dim)dims[i]);
        ml->order[n] = '\0';
    }
    unordered_dims(ml, missing, sizeof missing);
    if (!missing[0])
        return 0;
    if (!v)
        return err_set(d->err, ERR_SCHEMA,
                       "%s: %s: missing, expected the dims with a temporal factor > 1 "
                       "outermost first (%s)", d->file, p, missing);
    return err_set(d->err, ERR_SCHEMA,
                   "%s: %s: \"%s\" leaves out %s, expected every dim with a temporal "
                   "factor > 1", d->file, p, ml->order, missing);
}

static int read_bypass(const struct jdoc *d, const cJSON *v, const char *path,
                       struct mapping_file_level *ml)
{
    char p[JSON_PATH_MAX];
    json_path_key(p, path, "bypass");
    if (!cJSON_IsArray(v))
        return json_schema_error(d, p, "an array of slot or tensor names", v);
    int n = cJSON_GetArraySize(v);
    if (n > MAPPING_MAX_BYPASS)
        return err_set(d->err, ERR_SCHEMA, "%s: %s: %d names, expected at most %d",
                       d->file, p, n, MAPPING_MAX_BYPASS);
    int i = 0;
    for (const cJSON *it = v->child; it; it = it->next, i++) {
        char q[JSON_PATH_MAX];
        json_path_index(q, p, i);
        if (!cJSON_IsString(it) || !it->valuestring[0] ||
            strlen(it->valuestring) >= MAPPING_NAME_MAX)
            return json_schema_error(d, q, "a slot or tensor name", it);
        for (int j = 0; j < i; j++)
            if (strcmp(ml->bypass[j], it->valuestring) == 0)
                return err_set(d->err, ERR_SCHEMA, "%s: %s: \"%s\" is listed twice",
                               d->file, q, it->valuestring);
        memcpy(ml->bypass[i], it->valuestring, strlen(it->valuestring) + 1);
    }
    ml->nbypass = n;
    return 0;
}

static int read_level(const struct jdoc *d, const cJSON *lv, const char *path,
                      struct mapping_file_level *ml)
{
    static const char *const keys[] = { "level", "temporal", "order", "spatial",
                                        "bypass", NULL };
    static const char *const spatial_keys[] = { "x", "y", NULL };
    char p[JSON_PATH_MAX];
    int rc;
    for (int dim = 0; dim < DIM_COUNT; dim++)
        ml->temporal[dim] = ml->spatial_x[dim] = ml->spatial_y[dim] = 1;
    if ((rc = json_check_object(d, lv, path, "a level object", keys)) < 0 ||
        (rc = json_get_string(d, lv, path, "level", true, ml->level, sizeof ml->level)) < 0)
        return rc;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(lv, "temporal");
    json_path_key(p, path, "temporal");
    if (v && (rc = read_factors(d, v, p, ml->temporal)) < 0)
        return rc;
    v = cJSON_GetObjectItemCaseSensitive(lv, "spatial");
    if (v) {
        char q[JSON_PATH_MAX];
        json_path_key(p, path, "spatial");
        if ((rc = json_check_object(d, v, p, "an object with \"x\" and/or \"y\" factors",
                                    spatial_keys)) < 0)
            return rc;
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(v, "x");
        const cJSON *y = cJSON_GetObjectItemCaseSensitive(v, "y");
        json_path_key(q, p, "x");
        if (x && (rc = read_factors(d, x, q, ml->spatial_x)) < 0)
            return rc;
        json_path_key(q, p, "y");
        if (y && (rc = read_factors(d, y, q, ml->spatial_y)) < 0)
            return rc;
    }
    if ((rc = read_order(d, lv, path, ml)) < 0)
        return rc;
    v = cJSON_GetObjectItemCaseSensitive(lv, "bypass");
    if (v && (rc = read_bypass(d, v, path, ml)) < 0)
        return rc;
    return 0;
}

static int read_kernel(const struct jdoc *d, const cJSON *root, struct mapping_file *mf)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "kernel");
    mf->kernel = -1;
    if (!v)
        return 0;
    int k = cJSON_IsString(v) ? kernel_from_name(v->valuestring) : -1;
    if (k < 0) {
        char want[160] = "one of ";
        size_t n = strlen(want);
        for (int i = 0; i < KERNEL_COUNT; i++)
            n += (size_t)snprintf(want + n, sizeof want - n, "%s%s", i ? ", " : "",
                                  kernel_name((enum kernel)i));
        return json_schema_error(d, "kernel", want, v);
    }
    mf->kernel = k;
    return 0;
}

static int read_mapping(const struct jdoc *d, const cJSON *root, struct mapping_file *mf)
{
    static const char *const keys[] = { "layer", "kernel", "levels", NULL };
    const char *want = "an array with one entry per arch level, outermost first";
    int rc;
    if ((rc = json_check_object(d, root, "", "a mapping object", keys)) < 0 ||
        (rc = json_get_string(d, root, "", "layer", false, mf->layer, sizeof mf->layer)) < 0 ||
        (rc = read_kernel(d, root, mf)) < 0)
        return rc;
    const cJSON *levels = cJSON_GetObjectItemCaseSensitive(root, "levels");
    if (!levels)
        return err_set(d->err, ERR_SCHEMA, "%s: levels: missing, expected %s", d->file, want);
    if (!cJSON_IsArray(levels))
        return json_schema_error(d, "levels", want, levels);
    int n = cJSON_GetArraySize(levels);
    if (n == 0)
        return err_set(d->err, ERR_SCHEMA, "%s: levels: empty, expected %s", d->file, want);
    if (n > ARCH_MAX_LEVELS)
        return err_set(d->err, ERR_SCHEMA,
                       "%s: levels: %d entries, expected at most %d (one per arch level)",
                       d->file, n, ARCH_MAX_LEVELS);
    int i = 0;
    for (const cJSON *it = levels->child; it; it = it->next, i++) {
        char p[JSON_PATH_MAX];
        json_path_index(p, "levels", i);
        if ((rc = read_level(d, it, p, &mf->level[i])) < 0)
            return rc;
    }
    mf->nlevels = n;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "comment");
    if (c && !(mf->comment = strdup(c->valuestring)))
        return err_set(d->err, ERR_NOMEM, "%s: out of memory", d->file);
    return 0;
}

static int from_tree(const char *name, cJSON *root, struct mapping_file **out,
                     struct err *err)
{
    struct jdoc d = { name, err };
    struct mapping_file *mf = calloc(1, sizeof *mf);
    int rc;
    if (!mf) {
        rc = err_set(err, ERR_NOMEM, "%s: out of memory", name);
        goto out_delete;
    }
    if ((rc = read_mapping(&d, root, mf)) < 0) {
        mapping_file_free(mf);
        goto out_delete;
    }
    *out = mf;
out_delete:
    cJSON_Delete(root);
    return rc;
}

int mapping_load(const char *path, struct mapping_file **out, struct err *err)
{
    cJSON *root;
    int rc;
    *out = NULL;
    if ((rc = json_load(path, &root, err)) < 0)
        return rc;
    return from_tree(path, root, out, err);
}

int mapping_parse(const char *name, const char *text, size_t len,
                  struct mapping_file **out, struct err *err)
{
    cJSON *root;
    int rc;
    *out = NULL;
    if ((rc = json_parse(name, text, len, &root, err)) < 0)
        return rc;
    return from_tree(name, root, out, err);
}

void mapping_file_free(struct mapping_file *mf)
{
    if (!mf)
        return;
    free(mf->comment);
    free(mf);
}

/* ---- binding ----------------------------------------------------------- */

/* "DRAM, GlobalBuffer, RegisterFile" */
static void level_list(const struct arch *a, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (int l = 0; l < a->nlevels; l++)
        n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s", l ? ", " : "",
                              a->level[l].name);
}

static int find_level(const struct arch *a, const char *name)
{
    for (int l = 0; l < a->nlevels; l++)
        if (strcmp(a->level[l].name, name) == 0)
            return l;
    return -1;
}

/* Checks that the file's levels are the arch's, one each, in order. */
static int bind_levels(const struct mapping_file *mf, const char *file,
                       const struct arch *a, struct err *err)
{
    char list[ARCH_MAX_LEVELS * (ARCH_NAME_MAX + 2)];
    level_list(a, list, sizeof list);
    for (int i = 0; i < mf->nlevels; i++) {
        const char *name = mf->level[i].level;
        int l = find_level(a, name);
        if (l == i)
            continue;
        if (l < 0)
            return err_set(err, ERR_SCHEMA,
                           "%s: levels[%d].level: expected a level of arch '%s' (%s), got \"%s\"",
                           file, i, a->name, list, name);
        if (l < i)
            return err_set(err, ERR_SCHEMA,
                           "%s: levels[%d].level: \"%s\" is listed twice (one entry per "
                           "arch level, outermost first: %s)", file, i, name, list);
        return err_set(err, ERR_SCHEMA,
                       "%s: levels[%d].level: expected \"%s\", got \"%s\" (one entry per "
                       "arch level, outermost first: %s)",
                       file, i, a->level[i].name, name, list);
    }
    if (mf->nlevels < a->nlevels)
        return err_set(err, ERR_SCHEMA,
                       "%s: levels: no entry for arch level \"%s\" (one entry per arch "
                       "level, outermost first: %s)",
                       file, a->level[mf->nlevels].name, list);
    return 0;
}

/* Resolves a bypass name to a slot: a slot name or one of p's tensors. */
static int bypass_slot(const struct problem *p, const char *name)
{
    int s = slot_from_name(name);
    if (s >= 0)
        return s;
    for (s = 0; s < SLOT_COUNT; s++)
        if (p->tensor[s].name[0] && strcmp(p->tensor[s].name, name) == 0)
            return s;
    return -1;
}

static int bind_bypass(const struct mapping_file_level *fl, const char *file, int i,
                       const struct problem *p, struct mapping_level *ml,
                       struct err *err)
{
    for (int j = 0; j < fl->nbypass; j++) {
        int s = bypass_slot(p, fl->bypass[j]);
        if (s < 0) {
            char names[128];
            size_t n = 0;
            for (int t = 0; t < SLOT_COUNT; t++)
                n += (size_t)snprintf(names + n, sizeof names - n, "%s, ",
                                      slot_name((enum slot)t));
            for (int t = 0; t < SLOT_COUNT; t++)
                if (p->tensor[t].name[0])
                    n += (size_t)snprintf(names + n, sizeof names - n, "%s, ",
                                          p->tensor[t].name);
            names[n - 2] = '\0';
            return err_set(err, ERR_SCHEMA,
                           "%s: levels[%d].bypass[%d]: expected a slot or a tensor of "
                           "%s (%s), got \"%s\"",
                           file, i, j, kernel_name(p->kernel), names, fl->bypass[j]);
        }
        ml->bypass[s] = true;
    }
    return 0;
}

/* The dims of factor > 1 in the file's order, then the others in dim order. */
static void bind_order(const struct mapping_file_level *fl, struct mapping_level *ml)
{
    bool placed[DIM_COUNT] = { false };
    int n = 0;
    for (const char *c = fl->order; *c; c++) {
        int dim = dim_from_letter(*c);
        if (dim >= 0 && fl->temporal[dim] > 1 && !placed[dim]) {
            ml->order[n++] = (uint8_t)dim;
            placed[dim] = true;
        }
    }
    for (int dim = 0; dim < DIM_COUNT; dim++)
        if (!placed[dim])
            ml->order[n++] = (uint8_t)dim;
}

static int bind_products(const struct mapping *m, const char *file,
                         const struct problem *p, struct err *err)
{
    for (int dim = 0; dim < DIM_COUNT; dim++) {
        uint64_t prod = 1;
        bool over = false;
        for (int l = 0; l < m->nlevels && !over; l++) {
            const struct mapping_level *ml = &m->level[l];
            over = ckd_mul_u64(&prod, prod, ml->temporal[dim]) ||
                   ckd_mul_u64(&prod, prod, ml->spatial_x[dim]) ||
                   ckd_mul_u64(&prod, prod, ml->spatial_y[dim]);
        }
        if (over)
            return err_set(err, ERR_SCHEMA,
                           "%s: dim %c: factors multiply to more than %llu, expected the "
                           "bound %llu", file, dim_letter((enum dim)dim),
                           (unsigned long long)UINT64_MAX, (unsigned long long)p->bound[dim]);
        if (prod != p->bound[dim])
            return err_set(err, ERR_SCHEMA,
                           "%s: dim %c: factors multiply to %llu, expected the bound %llu",
                           file, dim_letter((enum dim)dim), (unsigned long long)prod,
                           (unsigned long long)p->bound[dim]);
    }
    return 0;
}

int mapping_bind(const struct mapping_file *mf, const char *file,
                 const struct arch *a, const struct problem *p,
                 struct mapping *out, struct err *err)
{
    int rc;
    if (p->is_stream)
        return err_set(err, ERR_SCHEMA,
                       "%s: kernel %s of layer \"%s\" streams its tensors and takes no mapping",
                       file, kernel_name(p->kernel), p->layer);
    if (mf->layer[0] && strcmp(mf->layer, p->layer) != 0)
        return err_set(err, ERR_SCHEMA,
                       "%s: layer: expected \"%s\" (the layer evaluated), got \"%s\"",
                       file, p->layer, mf->layer);
    if (mf->kernel >= 0 && mf->kernel != (int)p->kernel)
        return err_set(err, ERR_SCHEMA,
                       "%s: kernel: expected \"%s\" (the kernel evaluated), got \"%s\"",
                       file, kernel_name(p->kernel), kernel_name((enum kernel)mf->kernel));
    if ((rc = bind_levels(mf, file, a, err)) < 0)
        return rc;
    mapping_init(out, a->nlevels);
    snprintf(out->layer, sizeof out->layer, "%s", p->layer);
    out->kernel = p->kernel;
    for (int i = 0; i < mf->nlevels; i++) {
        const struct mapping_file_level *fl = &mf->level[i];
        struct mapping_level *ml = &out->level[i];
        memcpy(ml->temporal, fl->temporal, sizeof ml->temporal);
        memcpy(ml->spatial_x, fl->spatial_x, sizeof ml->spatial_x);
        memcpy(ml->spatial_y, fl->spatial_y, sizeof ml->spatial_y);
        bind_order(fl, ml);
        if ((rc = bind_bypass(fl, file, i, p, ml, err)) < 0)
            return rc;
    }
    return bind_products(out, file, p, err);
}

/* ---- writing ----------------------------------------------------------- */

/* Adds item (which may be NULL after a failed allocation) to obj under key;
 * on failure deletes item and returns false. */
static bool add_owned(cJSON *obj, const char *key, cJSON *item)
{
    if (item && cJSON_AddItemToObject(obj, key, item))
        return true;
    cJSON_Delete(item);
    return false;
}

/* Adds {dim: factor} for the factors > 1, dims in the order given by
 * dims (n of them).  Returns the object, or NULL when out of memory. */
static cJSON *factors_json(const uint32_t f[DIM_COUNT], const uint8_t *dims, int n)
{
    cJSON *obj = cJSON_CreateObject();
    for (int i = 0; obj && i < n; i++) {
        char key[2] = { dim_letter((enum dim)dims[i]), '\0' };
        if (f[dims[i]] > 1 && !cJSON_AddNumberToObject(obj, key, f[dims[i]])) {
            cJSON_Delete(obj);
            obj = NULL;
        }
    }
    return obj;
}

static bool any_above_one(const uint32_t f[DIM_COUNT])
{
    for (int dim = 0; dim < DIM_COUNT; dim++)
        if (f[dim] > 1)
            return true;
    return false;
}

static cJSON *level_json(const struct mapping_level *ml, const char *name,
                         const struct problem *p)
{
    static const uint8_t dim_order[DIM_COUNT] = { 0, 1, 2, 3, 4, 5, 6, 7 };
    char order[DIM_COUNT + 1];
    int n = 0;
    for (int i = 0; i < DIM_COUNT; i++)
        if (ml->order[i] < DIM_COUNT && ml->temporal[ml->order[i]] > 1)
            order[n++] = dim_letter((enum dim)ml->order[i]);
    order[n] = '\0';
    cJSON *lv = cJSON_CreateObject();
    if (!lv || !cJSON_AddStringToObject(lv, "level", name) ||
        !add_owned(lv, "temporal", factors_json(ml->temporal, ml->order, DIM_COUNT)) ||
        !cJSON_AddStringToObject(lv, "order", order))
        goto out_fail;
    if (any_above_one(ml->spatial_x) || any_above_one(ml->spatial_y)) {
        cJSON *sp = cJSON_AddObjectToObject(lv, "spatial");
        if (!sp)
            goto out_fail;
        if (any_above_one(ml->spatial_x) &&
            !add_owned(sp, "x", factors_json(ml->spatial_x, dim_order, DIM_COUNT)))
            goto out_fail;
        if (any_above_one(ml->spatial_y) &&
            !add_owned(sp, "y", factors_json(ml->spatial_y, dim_order, DIM_COUNT)))
            goto out_fail;
    }
    for (int s = 0; s < SLOT_COUNT; s++) {
        if (!ml->bypass[s])
            continue;
        cJSON *bp = cJSON_GetObjectItemCaseSensitive(lv, "bypass");
        if (!bp && !(bp = cJSON_AddArrayToObject(lv, "bypass")))
            goto out_fail;
        const char *tname = p->tensor[s].name[0] ? p->tensor[s].name : slot_name((enum slot)s);
        cJSON *str = cJSON_CreateString(tname);
        if (!str || !cJSON_AddItemToArray(bp, str)) {
            cJSON_Delete(str);
            goto out_fail;
        }
    }
    return lv;
out_fail:
    cJSON_Delete(lv);
    return NULL;
}

cJSON *mapping_to_json(const struct mapping *m, const struct arch *a,
                       const struct problem *p)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *levels;
    if (!root ||
        (m->layer[0] && !cJSON_AddStringToObject(root, "layer", m->layer)) ||
        !cJSON_AddStringToObject(root, "kernel", kernel_name(m->kernel)) ||
        !(levels = cJSON_AddArrayToObject(root, "levels")))
        goto out_fail;
    for (int l = 0; l < m->nlevels && l < a->nlevels; l++) {
        cJSON *lv = level_json(&m->level[l], a->level[l].name, p);
        if (!lv || !cJSON_AddItemToArray(levels, lv)) {
            cJSON_Delete(lv);
            goto out_fail;
        }
    }
    return root;
out_fail:
    cJSON_Delete(root);
    return NULL;
}
