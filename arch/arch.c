/*
 * arch: reading an accelerator description (DESIGN.md section 3, "Arch")
 * into struct arch, and the few queries the model makes on it.
 *
 * Usage profile: arch_parse runs once per arch file, on the main thread,
 * before any search starts, so clarity and precise messages matter more
 * than speed.  The queries (arch_capacity_words, arch_mac_count,
 * arch_find_level) may sit on the model's path: they are O(levels) at
 * worst and never allocate.
 *
 * Where the design leaves the format open, this loader decides:
 *  - name, word_bits (1..64), clock_mhz, levels and compute are required;
 *    so are a level's name and class and compute's name and energy_pj.
 *  - The outermost level has a 1 x 1 mesh (it has no parent to fan out
 *    from) and keeps all three slots.
 *  - size_words given as an object partitions the level per slot.  Without
 *    keeps, the level keeps exactly the slots the object names; with keeps,
 *    the object must name exactly the kept slots.
 *  - A level that keeps nothing (keeps []) only fans out: it takes no
 *    size_words and its energies default to 0.  A level that keeps a slot
 *    needs read_pj and either write_pj or both fill_pj and update_pj.
 *  - A size is at most 2^53 words (the integers a JSON number holds
 *    exactly) and at least multiple_buffering words, so that every buffer
 *    holds a word; size times instances must fit in 64 bits.
 */
#include "arch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/ckd.h"
#include "../common/json.h"

#define ARCH_SIZE_MAX_WORDS (UINT64_C(1) << 53)

static const char *const class_names[LEVEL_CLASS_COUNT] = { "dram", "sram", "regfile" };

static const char *const top_keys[] = {
    "name", "word_bits", "clock_mhz", "levels", "compute", NULL,
};
static const char *const level_keys[] = {
    "name", "class", "mesh_x", "mesh_y", "size_words", "keeps",
    "read_pj", "fill_pj", "update_pj", "write_pj",
    "read_bw", "write_bw", "shared_bw", "multiple_buffering", "block_words", NULL,
};
static const char *const compute_keys[] = { "name", "mesh_x", "mesh_y", "energy_pj", NULL };

static const char want_class[] = "one of \"dram\", \"sram\", \"regfile\"";
static const char want_slot[] = "one of \"weights\", \"inputs\", \"outputs\"";

static const cJSON *get(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static int schema_missing(const struct jdoc *d, const char *path, const char *want)
{
    return err_set(d->err, ERR_SCHEMA, "%s: %s: missing, expected %s", d->file, path, want);
}

static bool keeps_any(const struct arch_level *l)
{
    for (int s = 0; s < SLOT_COUNT; s++)
        if (l->keeps[s])
            return true;
    return false;
}

/* "inputs, outputs", or "none" when the level keeps nothing. */
static void kept_list(const struct arch_level *l, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (int s = 0; s < SLOT_COUNT; s++)
        if (l->keeps[s] && n < cap)
            n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? ", " : "", slot_name(s));
    if (n == 0)
        snprintf(out, cap, "none");
}

/* An optional positive 32-bit count; *out keeps its default when absent. */
static int get_u32(const struct jdoc *d, const cJSON *obj, const char *path,
                   const char *key, uint32_t *out)
{
    uint64_t v = *out;
    int rc = json_get_u64(d, obj, path, key, false, 1, UINT32_MAX, &v);
    if (rc == 0)
        *out = (uint32_t)v;
    return rc;
}

static int parse_class(const struct jdoc *d, const cJSON *lv, const char *path,
                       enum level_class *out)
{
    char p[JSON_PATH_MAX];
    json_path_key(p, path, "class");
    const cJSON *v = get(lv, "class");
    if (!v)
        return schema_missing(d, p, want_class);
    if (cJSON_IsString(v))
        for (int c = 0; c < LEVEL_CLASS_COUNT; c++)
            if (strcmp(v->valuestring, class_names[c]) == 0) {
                *out = (enum level_class)c;
                return 0;
            }
    return json_schema_error(d, p, want_class, v);
}

/* Reads keeps into l->keeps (all three when absent); *given tells whether
 * the key was there, which decides how a per-slot size_words is read. */
static int parse_keeps(const struct jdoc *d, const cJSON *lv, const char *path,
                       struct arch_level *l, bool *given)
{
    char p[JSON_PATH_MAX];
    json_path_key(p, path, "keeps");
    const cJSON *v = get(lv, "keeps");
    *given = v != NULL;
    for (int s = 0; s < SLOT_COUNT; s++)
        l->keeps[s] = v == NULL;
    if (!v)
        return 0;
    if (!cJSON_IsArray(v))
        return json_schema_error(d, p, "an array of slot names", v);
    int i = 0;
    for (const cJSON *it = v->child; it; it = it->next, i++) {
        char pi[JSON_PATH_MAX];
        json_path_index(pi, p, i);
        int s = cJSON_IsString(it) ? slot_from_name(it->valuestring) : -1;
        if (s < 0)
            return json_schema_error(d, pi, want_slot, it);
        if (l->keeps[s])
            return json_schema_error(d, pi, "a slot not listed before", it);
        l->keeps[s] = true;
    }
    return 0;
}

/* size_words as an object: one capacity per kept slot (path p). */
static int parse_slot_sizes(const struct jdoc *d, const cJSON *obj, const char *p,
                            struct arch_level *l, bool keeps_given)
{
    const char *keys[SLOT_COUNT + 1];
    for (int s = 0; s < SLOT_COUNT; s++)
        keys[s] = slot_name((enum slot)s);
    keys[SLOT_COUNT] = NULL;
    int rc = json_check_object(d, obj, p, "an object of sizes per slot", keys);
    if (rc < 0)
        return rc;
    if (keeps_given && !keeps_any(l))
        return json_schema_error(d, p, "no size_words on a level that keeps nothing", obj);
    l->size_kind = SIZE_PER_SLOT;
    for (int s = 0; s < SLOT_COUNT; s++) {
        const cJSON *v = get(obj, slot_name((enum slot)s));
        if (!keeps_given) {
            l->keeps[s] = v != NULL;
        } else if (v && !l->keeps[s]) {
            char ps[JSON_PATH_MAX], list[64];
            json_path_key(ps, p, slot_name((enum slot)s));
            kept_list(l, list, sizeof list);
            return err_set(d->err, ERR_SCHEMA,
                           "%s: %s: expected only slots in keeps (%s), got %s",
                           d->file, ps, list, slot_name((enum slot)s));
        }
        if (!l->keeps[s])
            continue;
        rc = json_get_u64(d, obj, p, slot_name((enum slot)s), true, 1,
                          ARCH_SIZE_MAX_WORDS, &l->slot_size_words[s]);
        if (rc < 0)
            return rc;
    }
    if (!keeps_any(l))
        return json_schema_error(d, p, "an object with the size of at least one slot", obj);
    return 0;
}

static int parse_size(const struct jdoc *d, const cJSON *lv, const char *path,
                      struct arch_level *l, bool keeps_given)
{
    char p[JSON_PATH_MAX];
    json_path_key(p, path, "size_words");
    const cJSON *v = get(lv, "size_words");
    if (!v) {
        l->size_kind = SIZE_UNBOUNDED;
        return 0;
    }
    if (cJSON_IsObject(v))
        return parse_slot_sizes(d, v, p, l, keeps_given);
    if (!keeps_any(l))
        return json_schema_error(d, p, "no size_words on a level that keeps nothing", v);
    if (!cJSON_IsNumber(v))
        return json_schema_error(d, p, "a positive integer or an object of sizes per slot", v);
    l->size_kind = SIZE_SHARED;
    return json_get_u64(d, lv, path, "size_words", true, 1, ARCH_SIZE_MAX_WORDS,
                        &l->size_words);
}

/* read_pj, and fill_pj + update_pj or write_pj for both: required when the
 * level keeps a slot, 0 by default for a fanout-only level. */
static int parse_energies(const struct jdoc *d, const cJSON *lv, const char *path,
                          struct arch_level *l)
{
    bool need = keeps_any(l);
    int rc = json_get_double(d, lv, path, "read_pj", need, 0, false, &l->read_pj);
    if (rc < 0)
        return rc;
    if (get(lv, "write_pj")) {
        const char *other = get(lv, "fill_pj") ? "fill_pj"
                          : get(lv, "update_pj") ? "update_pj" : NULL;
        if (other) {
            char p[JSON_PATH_MAX];
            json_path_key(p, path, "write_pj");
            return err_set(d->err, ERR_SCHEMA,
                           "%s: %s: expected either write_pj or fill_pj and update_pj, "
                           "got write_pj together with %s", d->file, p, other);
        }
        rc = json_get_double(d, lv, path, "write_pj", true, 0, false, &l->fill_pj);
        l->update_pj = l->fill_pj;
        return rc;
    }
    rc = json_get_double(d, lv, path, "fill_pj", need, 0, false, &l->fill_pj);
    if (rc < 0)
        return rc;
    return json_get_double(d, lv, path, "update_pj", need, 0, false, &l->update_pj);
}

static int parse_bandwidths(const struct jdoc *d, const cJSON *lv, const char *path,
                            struct arch_level *l)
{
    l->read_bw = l->write_bw = l->shared_bw = INFINITY;
    int rc = json_get_double(d, lv, path, "read_bw", false, 0, true, &l->read_bw);
    if (rc == 0)
        rc = json_get_double(d, lv, path, "write_bw", false, 0, true, &l->write_bw);
    if (rc == 0)
        rc = json_get_double(d, lv, path, "shared_bw", false, 0, true, &l->shared_bw);
    return rc;
}

/* Every buffer must hold a word after multiple buffering, and the level's
 * total capacity (size x instances) must fit in 64 bits. */
static int check_capacity(const struct jdoc *d, const char *path, const struct arch_level *l)
{
    uint64_t per_instance = 0, instances, total;
    unsigned mb = l->multiple_buffering;
    if (l->size_kind == SIZE_UNBOUNDED)
        return 0;
    if (l->size_kind == SIZE_SHARED) {
        if (l->size_words < mb)
            return err_set(d->err, ERR_SCHEMA,
                           "%s: %s.multiple_buffering: expected at most %llu (the size_words), got %u",
                           d->file, path, (unsigned long long)l->size_words, mb);
        per_instance = l->size_words;
    } else {
        for (int s = 0; s < SLOT_COUNT; s++) {
            if (!l->keeps[s])
                continue;
            if (l->slot_size_words[s] < mb)
                return err_set(d->err, ERR_SCHEMA,
                               "%s: %s.multiple_buffering: expected at most %llu "
                               "(the size_words of %s), got %u", d->file, path,
                               (unsigned long long)l->slot_size_words[s],
                               slot_name((enum slot)s), mb);
            if (ckd_add_u64(&per_instance, per_instance, l->slot_size_words[s]))
                return err_set(d->err, ERR_TOO_LARGE, "%s: %s.size_words: too large",
                               d->file, path);
        }
    }
    if (ckd_mul_u64(&instances, l->mesh_x, l->mesh_y) ||
        ckd_mul_u64(&total, per_instance, instances))
        return err_set(d->err, ERR_TOO_LARGE,
                       "%s: %s: %llu words per instance x %u x %u instances is too large "
                       "(the total must fit in 64 bits)", d->file, path,
                       (unsigned long long)per_instance, (unsigned)l->mesh_x,
                       (unsigned)l->mesh_y);
    return 0;
}

static int parse_level(const struct jdoc *d, const cJSON *lv, const char *path,
                       struct arch_level *l)
{
    bool keeps_given;
    int rc = json_check_object(d, lv, path, "a level object", level_keys);
    if (rc == 0)
        rc = json_get_string(d, lv, path, "name", true, l->name, sizeof l->name);
    if (rc == 0)
        rc = parse_class(d, lv, path, &l->cls);
    l->mesh_x = l->mesh_y = 1;
    if (rc == 0)
        rc = get_u32(d, lv, path, "mesh_x", &l->mesh_x);
    if (rc == 0)
        rc = get_u32(d, lv, path, "mesh_y", &l->mesh_y);
    if (rc == 0)
        rc = parse_keeps(d, lv, path, l, &keeps_given);
    if (rc == 0)
        rc = parse_size(d, lv, path, l, keeps_given);
    if (rc == 0)
        rc = parse_energies(d, lv, path, l);
    if (rc == 0)
        rc = parse_bandwidths(d, lv, path, l);
    l->multiple_buffering = l->block_words = 1;
    if (rc == 0)
        rc = get_u32(d, lv, path, "multiple_buffering", &l->multiple_buffering);
    if (rc == 0)
        rc = get_u32(d, lv, path, "block_words", &l->block_words);
    if (rc == 0)
        rc = check_capacity(d, path, l);
    return rc;
}

/* "path.axis: expected a multiple of P (the axis of level 'X'), got V". */
static int check_multiple(const struct jdoc *d, const char *path, const char *axis,
                          uint32_t v, uint32_t parent, const char *parent_name)
{
    if (v % parent == 0)
        return 0;
    char p[JSON_PATH_MAX];
    json_path_key(p, path, axis);
    return err_set(d->err, ERR_SCHEMA,
                   "%s: %s: expected a multiple of %u (the %s of level '%s'), got %u",
                   d->file, p, (unsigned)parent, axis, parent_name, (unsigned)v);
}

/* Checks level i against the levels before it: a unique name, and a mesh
 * that is 1 x 1 at the outermost level and a multiple of the parent's
 * below it.  The outermost level must keep every slot (MODEL.md R2). */
static int check_level_in_context(const struct jdoc *d, const char *path,
                                  const struct arch *a, int i)
{
    const struct arch_level *l = &a->level[i];
    for (int j = 0; j < i; j++)
        if (strcmp(a->level[j].name, l->name) == 0)
            return err_set(d->err, ERR_SCHEMA,
                           "%s: %s.name: expected a name not used by an earlier level, got \"%s\"",
                           d->file, path, l->name);
    if (i > 0) {
        const struct arch_level *parent = &a->level[i - 1];
        int rc = check_multiple(d, path, "mesh_x", l->mesh_x, parent->mesh_x, parent->name);
        if (rc == 0)
            rc = check_multiple(d, path, "mesh_y", l->mesh_y, parent->mesh_y, parent->name);
        return rc;
    }
    if (l->mesh_x != 1 || l->mesh_y != 1)
        return err_set(d->err, ERR_SCHEMA,
                       "%s: %s.%s: expected 1 at the outermost level, got %u", d->file, path,
                       l->mesh_x != 1 ? "mesh_x" : "mesh_y",
                       (unsigned)(l->mesh_x != 1 ? l->mesh_x : l->mesh_y));
    if (!l->keeps[SLOT_WEIGHTS] || !l->keeps[SLOT_INPUTS] || !l->keeps[SLOT_OUTPUTS]) {
        char list[64];
        kept_list(l, list, sizeof list);
        return err_set(d->err, ERR_SCHEMA,
                       "%s: %s.keeps: expected the outermost level to keep weights, inputs "
                       "and outputs, got %s", d->file, path, list);
    }
    return 0;
}

static int parse_levels(const struct jdoc *d, const cJSON *lv, struct arch *a)
{
    char want[64];
    snprintf(want, sizeof want, "an array of 1 to %d levels", ARCH_MAX_LEVELS);
    if (!lv)
        return schema_missing(d, "levels", want);
    if (!cJSON_IsArray(lv))
        return json_schema_error(d, "levels", want, lv);
    int n = cJSON_GetArraySize(lv);
    if (n == 0)
        return err_set(d->err, ERR_SCHEMA, "%s: levels: expected %s, got an empty array",
                       d->file, want);
    if (n > ARCH_MAX_LEVELS)
        return err_set(d->err, ERR_SCHEMA, "%s: levels: expected %s, got %d levels",
                       d->file, want, n);
    int i = 0;
    for (const cJSON *it = lv->child; it; it = it->next, i++) {
        char p[JSON_PATH_MAX];
        json_path_index(p, "levels", i);
        int rc = parse_level(d, it, p, &a->level[i]);
        if (rc == 0)
            rc = check_level_in_context(d, p, a, i);
        if (rc < 0)
            return rc;
    }
    a->nlevels = n;
    return 0;
}

static int parse_compute(const struct jdoc *d, const cJSON *root, struct arch *a)
{
    struct arch_compute *c = &a->compute;
    const cJSON *v = get(root, "compute");
    if (!v)
        return schema_missing(d, "compute", "a compute object");
    int rc = json_check_object(d, v, "compute", "a compute object", compute_keys);
    if (rc == 0)
        rc = json_get_string(d, v, "compute", "name", true, c->name, sizeof c->name);
    c->mesh_x = c->mesh_y = 1;
    if (rc == 0)
        rc = get_u32(d, v, "compute", "mesh_x", &c->mesh_x);
    if (rc == 0)
        rc = get_u32(d, v, "compute", "mesh_y", &c->mesh_y);
    if (rc == 0)
        rc = json_get_double(d, v, "compute", "energy_pj", true, 0, false, &c->energy_pj);
    const struct arch_level *inner = &a->level[a->nlevels - 1];
    if (rc == 0)
        rc = check_multiple(d, "compute", "mesh_x", c->mesh_x, inner->mesh_x, inner->name);
    if (rc == 0)
        rc = check_multiple(d, "compute", "mesh_y", c->mesh_y, inner->mesh_y, inner->name);
    return rc;
}

static int parse_arch(const struct jdoc *d, const cJSON *root, struct arch *a)
{
    uint64_t word_bits = 0;
    int rc = json_check_object(d, root, "", "an arch object", top_keys);
    if (rc == 0)
        rc = json_get_string(d, root, "", "name", true, a->name, sizeof a->name);
    if (rc == 0)
        rc = json_get_u64(d, root, "", "word_bits", true, 1, 64, &word_bits);
    a->word_bits = (uint32_t)word_bits;
    if (rc == 0)
        rc = json_get_double(d, root, "", "clock_mhz", true, 0, true, &a->clock_mhz);
    if (rc == 0)
        rc = parse_levels(d, get(root, "levels"), a);
    if (rc == 0)
        rc = parse_compute(d, root, a);
    if (rc < 0)
        return rc;
    const cJSON *comment = get(root, "comment");
    if (comment && !(a->comment = strdup(comment->valuestring)))
        return err_set(d->err, ERR_NOMEM, "%s: out of memory", d->file);
    /* Fanout: the next inner mesh (the MACs' below the innermost level)
     * over this one; exact, as the meshes were checked to divide. */
    for (int i = 0; i < a->nlevels; i++) {
        uint32_t cx = i + 1 < a->nlevels ? a->level[i + 1].mesh_x : a->compute.mesh_x;
        uint32_t cy = i + 1 < a->nlevels ? a->level[i + 1].mesh_y : a->compute.mesh_y;
        a->level[i].fanout_x = cx / a->level[i].mesh_x;
        a->level[i].fanout_y = cy / a->level[i].mesh_y;
    }
    return 0;
}

/* Builds the arch from a parsed tree; the tree stays the caller's. */
static int arch_from_json(const char *file, const cJSON *root, struct arch **out,
                          struct err *err)
{
    struct jdoc d = { file, err };
    struct arch *a = calloc(1, sizeof *a);
    if (!a)
        return err_set(err, ERR_NOMEM, "%s: out of memory", file);
    int rc = parse_arch(&d, root, a);
    if (rc < 0) {
        arch_free(a);
        return rc;
    }
    *out = a;
    return 0;
}

int arch_parse(const char *name, const char *text, size_t len, struct arch **out,
               struct err *err)
{
    cJSON *root = NULL;
    *out = NULL;
    if (!name)
        name = "(arch)";
    int rc = json_parse(name, text, len, &root, err);
    if (rc == 0)
        rc = arch_from_json(name, root, out, err);
    cJSON_Delete(root);
    return rc;
}

int arch_load(const char *path, struct arch **out, struct err *err)
{
    cJSON *root = NULL;
    *out = NULL;
    int rc = json_load(path, &root, err);
    if (rc == 0)
        rc = arch_from_json(path, root, out, err);
    cJSON_Delete(root);
    return rc;
}

void arch_free(struct arch *a)
{
    if (!a)
        return;
    free(a->comment);
    free(a);
}

int arch_find_level(const struct arch *a, const char *name)
{
    if (!a || !name)
        return -1;
    for (int i = 0; i < a->nlevels; i++)
        if (strcmp(a->level[i].name, name) == 0)
            return i;
    return -1;
}

uint64_t arch_capacity_words(const struct arch_level *l, enum slot s)
{
    uint32_t mb = l->multiple_buffering ? l->multiple_buffering : 1;
    switch (l->size_kind) {
    case SIZE_SHARED:
        return l->size_words / mb;
    case SIZE_PER_SLOT:
        return (unsigned)s < SLOT_COUNT ? l->slot_size_words[s] / mb : 0;
    case SIZE_UNBOUNDED:
        break;
    }
    return UINT64_MAX;
}

uint64_t arch_mac_count(const struct arch *a)
{
    return (uint64_t)a->compute.mesh_x * a->compute.mesh_y;
}

const char *level_class_name(enum level_class c)
{
    return (unsigned)c < LEVEL_CLASS_COUNT ? class_names[c] : "?";
}
