/*
 * sweep: the plan of a sweep (variants, cells, deduplicated jobs) and the
 * digest of its inputs; see sweep.h.  Built once per run on the main thread
 * (the arch files are parsed and modified as JSON here).  What a worker
 * does with a job is in sweep_job.c.
 */
#include "sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../common/ckd.h"
#include "../common/json.h"

/* The numeric fields --vary may set: those of a level and of the compute
 * entry in the arch format (DESIGN.md section 3). */
static const char *const level_fields[] = {
    "mesh_x", "mesh_y", "size_words", "read_pj", "fill_pj", "update_pj", "write_pj",
    "read_bw", "write_bw", "shared_bw", "multiple_buffering", "block_words", NULL,
};
static const char *const compute_fields[] = { "mesh_x", "mesh_y", "energy_pj", NULL };

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

/* True when s (n bytes) is exactly one JSON number. */
static bool is_json_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n || s[i] < '0' || s[i] > '9')
        return false;
    if (s[i] == '0')
        i++;
    else
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    if (i < n && s[i] == '.') {
        if (++i >= n || s[i] < '0' || s[i] > '9')
            return false;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return false;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    return i == n;
}

int sweep_vary_parse(const char *spec, struct sweep_vary *v, struct err *err)
{
    memset(v, 0, sizeof *v);
    /* The field has no dot; a level's name may have some. */
    const char *eq = strchr(spec, '='), *dot = NULL;
    for (const char *q = spec; eq && q < eq; q++)
        if (*q == '.')
            dot = q;
    if (!dot || !eq || dot > eq || dot == spec || eq == dot + 1)
        return err_set(err, ERR_USAGE, "--vary '%s': expected LEVEL.FIELD=V1,V2,...", spec);
    if ((size_t)(dot - spec) >= sizeof v->level || (size_t)(eq - dot - 1) >= sizeof v->field)
        return err_set(err, ERR_USAGE, "--vary '%s': level or field name too long", spec);
    memcpy(v->level, spec, (size_t)(dot - spec));
    memcpy(v->field, dot + 1, (size_t)(eq - dot - 1));
    const char *p = eq + 1;
    int n = 1;
    for (const char *q = p; *q; q++)
        n += *q == ',';
    if (!(v->value = calloc((size_t)n, sizeof *v->value)))
        return err_set(err, ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0 || len >= SWEEP_VALUE_MAX || !is_json_number(p, len))
            return err_set(err, ERR_USAGE, "--vary '%s': expected a number, got '%.*s'",
                           spec, (int)len, p);
        memcpy(v->value[i], p, len);
        v->nvalues++;
        p += len + 1;
    }
    return 0;
}

void sweep_vary_release(struct sweep_vary *v)
{
    free(v->value);
    memset(v, 0, sizeof *v);
}

void sweep_combo_choice(const struct sweep_spec *spec, uint32_t combo,
                        int choice[SWEEP_MAX_VARY])
{
    memset(choice, 0, SWEEP_MAX_VARY * sizeof *choice);
    for (int i = spec->nvary - 1; i >= 0; i--) {
        uint32_t n = (uint32_t)spec->vary[i].nvalues;
        choice[i] = (int)(combo % n);
        combo /= n;
    }
}

/* The object that --vary vr names in the arch tree root: the level whose
 * name is vr->level, else the compute entry when it is named so or
 * vr->level is "compute".  Sets *is_compute.  NULL when none. */
static cJSON *vary_target(cJSON *root, const struct sweep_vary *vr, bool *is_compute)
{
    cJSON *lv, *levels = cJSON_GetObjectItemCaseSensitive(root, "levels");
    cJSON_ArrayForEach(lv, levels)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(lv, "name");
        if (cJSON_IsString(name) && strcmp(name->valuestring, vr->level) == 0) {
            *is_compute = false;
            return lv;
        }
    }
    cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "compute");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
    *is_compute = true;
    if (cJSON_IsObject(c) && (strcmp(vr->level, "compute") == 0 ||
                              (cJSON_IsString(name) && strcmp(name->valuestring, vr->level) == 0)))
        return c;
    return NULL;
}

/* Checks that every --vary names a level (or the compute entry) of the
 * arch in root and a numeric field of it. */
static int check_vary(const struct sweep_spec *spec, int arch, cJSON *root, struct err *err)
{
    for (int i = 0; i < spec->nvary; i++) {
        const struct sweep_vary *vr = &spec->vary[i];
        bool is_compute;
        if (!vary_target(root, vr, &is_compute))
            return err_set(err, ERR_USAGE, "--vary %s.%s: %s has no level '%s'", vr->level,
                           vr->field, spec->arch_path[arch], vr->level);
        if (!in_list(is_compute ? compute_fields : level_fields, vr->field))
            return err_set(err, ERR_USAGE,
                           "--vary %s.%s: unknown field '%s' (a %s has mesh_x, mesh_y%s)",
                           vr->level, vr->field, vr->field, is_compute ? "compute entry" : "level",
                           is_compute ? ", energy_pj"
                                      : ", size_words, read_pj, fill_pj, update_pj, write_pj, "
                                        "read_bw, write_bw, shared_bw, multiple_buffering, "
                                        "block_words");
    }
    return 0;
}

/* Applies choice to a copy of root and validates it into variant v. */
static int make_variant(const struct sweep_spec *spec, const cJSON *root,
                        struct sweep_variant *v, struct err *err)
{
    cJSON *copy = cJSON_Duplicate(root, true);
    if (!copy)
        return err_set(err, ERR_NOMEM, "out of memory");
    for (int i = 0; i < spec->nvary; i++) {
        const struct sweep_vary *vr = &spec->vary[i];
        bool is_compute;
        cJSON *target = vary_target(copy, vr, &is_compute);
        cJSON *num = cJSON_CreateRaw(vr->value[v->choice[i]]);
        if (!num) {
            cJSON_Delete(copy);
            return err_set(err, ERR_NOMEM, "out of memory");
        }
        /* write_pj sets fill and update together: it replaces them. */
        if (strcmp(vr->field, "write_pj") == 0) {
            cJSON_DeleteItemFromObjectCaseSensitive(target, "fill_pj");
            cJSON_DeleteItemFromObjectCaseSensitive(target, "update_pj");
        }
        if (cJSON_GetObjectItemCaseSensitive(target, vr->field))
            cJSON_ReplaceItemInObjectCaseSensitive(target, vr->field, num);
        else
            cJSON_AddItemToObject(target, vr->field, num);
    }
    char *text = cJSON_Print(copy);
    cJSON_Delete(copy);
    if (!text)
        return err_set(err, ERR_NOMEM, "out of memory");
    size_t len = strlen(text);
    if (!(v->json = malloc(len + 2))) {
        free(text);
        return err_set(err, ERR_NOMEM, "out of memory");
    }
    memcpy(v->json, text, len);
    memcpy(v->json + len, "\n", 2);
    free(text);
    sha256_hex(v->json, len + 1, v->sha256);
    struct err e;
    err_clear(&e);
    const char *path = spec->arch_path[v->arch];
    int rc = arch_parse(path, v->json, len + 1, &v->a, &e);
    if (rc == 0 && (rc = constraints_bind(spec->constraints, v->a, &v->cons, &e)) < 0) {
        arch_free(v->a);
        v->a = NULL;
    }
    if (rc == ERR_NOMEM)
        return err_set(err, ERR_NOMEM, "out of memory");
    if (rc < 0)
        snprintf(v->error, sizeof v->error, "%s", e.msg);
    return 0;
}

static int build_variants(const struct sweep_spec *spec, struct sweep_plan *plan,
                          struct err *err)
{
    for (int f = 0; f < spec->narchs; f++) {
        cJSON *root = NULL;
        int rc = json_load(spec->arch_path[f], &root, err);
        if (rc == 0)
            rc = check_vary(spec, f, root, err);
        for (uint32_t c = 0; rc == 0 && c < plan->ncombos; c++) {
            int vi = (int)((uint32_t)f * plan->ncombos + c);
            struct sweep_variant *v = &plan->variant[vi];
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
            v->arch = f;
            v->same_as = -1;
            if (cJSON_IsString(name))
                snprintf(v->name, sizeof v->name, "%s", name->valuestring);
            sweep_combo_choice(spec, c, v->choice);
            rc = make_variant(spec, root, v, err);
            for (int o = 0; rc == 0 && o < vi && v->same_as < 0; o++)
                if (plan->variant[o].same_as < 0 &&
                    strcmp(plan->variant[o].sha256, v->sha256) == 0 &&
                    strcmp(plan->variant[o].json, v->json) == 0)
                    v->same_as = o;
        }
        cJSON_Delete(root);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The job of problem p on variant v among jobs [first, plan->njobs),
 * appended when new.  Returns 0 or ERR_NOMEM / ERR_TOO_LARGE. */
static int job_for(struct sweep_plan *plan, uint32_t *cap, uint32_t first, int v,
                   uint32_t cell, const struct problem *p, uint32_t *out, struct err *err)
{
    for (uint32_t j = first; j < plan->njobs; j++)
        if (plan->job[j].variant == v && problem_same_shape(&plan->job[j].problem, p)) {
            *out = j;
            return 0;
        }
    if (plan->njobs == *cap) {
        if (*cap >= UINT32_MAX / 4)
            return err_set(err, ERR_TOO_LARGE, "sweep: too many problems");
        uint32_t ncap = *cap ? *cap * 2 : 64;
        struct sweep_job *nj = realloc(plan->job, (size_t)ncap * sizeof *nj);
        if (!nj)
            return err_set(err, ERR_NOMEM, "out of memory");
        plan->job = nj;
        *cap = ncap;
    }
    plan->job[plan->njobs] = (struct sweep_job){ .variant = v, .cell = cell, .problem = *p };
    *out = plan->njobs++;
    return 0;
}

/* The entries of cell c (as map_plan orders them) and their jobs. */
static int build_cell(const struct sweep_spec *spec, struct sweep_plan *plan, uint32_t c,
                      uint32_t *cap, uint32_t *first_job, struct err *err)
{
    struct sweep_cell *cell = &plan->cell[c];
    const struct workload *w = spec->workload[cell->workload];
    const struct sweep_variant *v = &plan->variant[cell->variant];
    int owner = v->same_as >= 0 ? v->same_as : cell->variant;
    for (int i = 0; i < w->nlayers; i++)
        cell->nlayers += spec->matched[cell->workload][i];
    if (!v->a)
        return 0;
    if (!(cell->entry = calloc((size_t)w->nlayers * KERNEL_COUNT + 1, sizeof *cell->entry)))
        return err_set(err, ERR_NOMEM, "out of memory");
    for (int i = 0; i < w->nlayers; i++) {
        enum kernel ks[KERNEL_COUNT];
        int nk = spec->matched[cell->workload][i] ? workload_step_kernels(w, i, spec->lowering, ks)
                                                  : 0;
        for (int k = 0; k < nk; k++) {
            struct problem p;
            if (!spec->kernel[ks[k]])
                continue;
            int rc = workload_derive(w, i, ks[k], spec->lowering, &p, err);
            if (rc < 0) {
                err_prefix(err, spec->workload_path[cell->workload]);
                return rc;
            }
            struct sweep_entry *e = &cell->entry[cell->nentries++];
            e->layer = i;
            e->kernel = ks[k];
            if ((rc = job_for(plan, cap, first_job[owner], owner, c, &p, &e->job, err)) < 0)
                return rc;
        }
    }
    return 0;
}

int sweep_plan_build(const struct sweep_spec *spec, struct sweep_plan *plan,
                     struct err *err)
{
    uint64_t n = 1, cells;
    memset(plan, 0, sizeof *plan);
    plan->spec = spec;
    if (spec->nvary > SWEEP_MAX_VARY)
        return err_set(err, ERR_USAGE, "at most %d --vary options", SWEEP_MAX_VARY);
    for (int i = 0; i < spec->nvary; i++)
        if (ckd_mul_u64(&n, n, (uint64_t)spec->vary[i].nvalues) || n > SWEEP_MAX_CELLS)
            break;
    if (n > SWEEP_MAX_CELLS || ckd_mul_u64(&cells, n, (uint64_t)spec->narchs) ||
        ckd_mul_u64(&cells, cells, (uint64_t)spec->nworkloads) || cells > SWEEP_MAX_CELLS)
        return err_set(err, ERR_TOO_LARGE, "sweep too large: more than %u cells",
                       SWEEP_MAX_CELLS);
    plan->ncombos = (uint32_t)n;
    plan->nvariants = (int)(n * (uint64_t)spec->narchs);
    plan->ncells = (uint32_t)cells;
    plan->variant = calloc((size_t)plan->nvariants + 1, sizeof *plan->variant);
    plan->cell = calloc((size_t)plan->ncells + 1, sizeof *plan->cell);
    uint32_t *first_job = calloc((size_t)plan->nvariants + 1, sizeof *first_job);
    int rc = 0;
    if (!plan->variant || !plan->cell || !first_job) {
        rc = err_set(err, ERR_NOMEM, "out of memory");
        goto out_free;
    }
    if ((rc = build_variants(spec, plan, err)) < 0)
        goto out_free;
    uint32_t cap = 0;
    for (uint32_t c = 0; c < plan->ncells && rc == 0; c++) {
        plan->cell[c].variant = (int)(c / (uint32_t)spec->nworkloads);
        plan->cell[c].workload = (int)(c % (uint32_t)spec->nworkloads);
        if (plan->cell[c].workload == 0)
            first_job[plan->cell[c].variant] = plan->njobs;
        rc = build_cell(spec, plan, c, &cap, first_job, err);
    }
out_free:
    free(first_job);
    return rc;
}

void sweep_plan_release(struct sweep_plan *plan)
{
    for (int v = 0; plan->variant && v < plan->nvariants; v++) {
        free(plan->variant[v].json);
        arch_free(plan->variant[v].a);
    }
    for (uint32_t c = 0; plan->cell && c < plan->ncells; c++)
        free(plan->cell[c].entry);
    free(plan->variant);
    free(plan->cell);
    free(plan->job);
    memset(plan, 0, sizeof *plan);
}

int sweep_inputs_sha256(const struct sweep_spec *spec, char hex[SHA256_HEX_SIZE],
                        struct err *err)
{
    struct sha256 s;
    char buf[512], file[SHA256_HEX_SIZE];
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&s);
#define PUT(...) (snprintf(buf, sizeof buf, __VA_ARGS__), sha256_update(&s, buf, strlen(buf)))
    PUT("trainmap sweep inputs 1\n");
    for (int i = 0; i < spec->narchs; i++) {
        if (sha256_file(spec->arch_path[i], file, err) < 0)
            return ERR_IO;
        PUT("arch %s\n", file);
    }
    for (int i = 0; i < spec->nworkloads; i++) {
        if (sha256_file(spec->workload_path[i], file, err) < 0)
            return ERR_IO;
        PUT("workload %s\n", file);
    }
    if (spec->constraints_path) {
        if (sha256_file(spec->constraints_path, file, err) < 0)
            return ERR_IO;
        PUT("constraints %s\n", file);
    }
    for (int i = 0; i < spec->nvary; i++) {
        PUT("vary %s.%s", spec->vary[i].level, spec->vary[i].field);
        for (int k = 0; k < spec->vary[i].nvalues; k++)
            PUT("%c%s", k ? ',' : '=', spec->vary[i].value[k]);
        PUT("\n");
    }
    PUT("kernels");
    for (int k = 0; k < KERNEL_COUNT; k++)
        if (spec->kernel[k])
            PUT(" %s", kernel_name((enum kernel)k));
    PUT("\nlayers %s\nlowering %d\nstrategy %s\nobjective %s\nseed %llu\ntime_limit %.17g\n",
        spec->layers ? spec->layers : "", (int)spec->lowering, strategy_name(spec->strategy),
        objective_name(spec->objective), (unsigned long long)spec->seed, spec->time_limit_s);
#undef PUT
    sha256_final(&s, digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return 0;
}
