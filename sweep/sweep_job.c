/*
 * sweep_job: what a worker does with one job of a sweep (sweep_solve: the
 * search, then its result as a one-line JSON blob) and how the coordinator
 * reads a blob back (sweep_result_decode); see sweep.h.  solve runs once
 * per job on any thread and touches nothing shared but the read-only plan;
 * decode runs on the main thread, once per job, after the run.
 */
#include "sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../common/json.h"
#include "../mapper/mapping_io.h"

/* The blob of a search cut short: not a result. */
static const char interrupted_blob[] = "{\"interrupted\":true}";

/* Adds "key": <text> (text already valid JSON) to obj.  False when out of
 * memory. */
static bool add_raw(cJSON *obj, const char *key, const char *text)
{
    cJSON *r = cJSON_CreateRaw(text);
    if (!r)
        return false;
    cJSON_AddItemToObject(obj, key, r);
    return true;
}

int sweep_solve(const struct sweep_plan *plan, uint32_t job, const atomic_int *stop,
                char **blob, size_t *len, struct err *err)
{
    const struct sweep_job *j = &plan->job[job];
    const struct sweep_variant *v = &plan->variant[j->variant];
    const struct sweep_spec *spec = plan->spec;
    struct search_options so = {
        .strategy = spec->strategy, .objective = spec->objective, .threads = 1,
        .seed = spec->seed, .time_limit_s = spec->time_limit_s, .budget = 0,
        .constraints = &v->cons, .stop = stop,
    };
    struct search_result *res = malloc(sizeof *res);
    struct err e;
    char num[64];
    err_clear(&e);
    *blob = NULL;
    if (!res)
        return err_set(err, ERR_NOMEM, "out of memory");
    int rc = search_run(v->a, &j->problem, &so, res, &e);
    if (rc < 0) {
        free(res);
        *err = e;
        return rc;
    }
    if (res->interrupted) {
        free(res);
        *blob = strdup(interrupted_blob);
        *len = sizeof interrupted_blob - 1;
        return *blob ? 0 : err_set(err, ERR_NOMEM, "out of memory");
    }
    cJSON *o = cJSON_CreateObject(), *m = NULL;
    bool ok = o != NULL;
    snprintf(num, sizeof num, "%u", job);
    ok = ok && add_raw(o, "job", num);
    ok = ok && cJSON_AddBoolToObject(o, "found", res->found);
    ok = ok && cJSON_AddBoolToObject(o, "optimal", res->optimal);
    ok = ok && cJSON_AddBoolToObject(o, "timed_out", res->timed_out);
    snprintf(num, sizeof num, "%llu", (unsigned long long)res->evaluated);
    ok = ok && add_raw(o, "evaluated", num);
    snprintf(num, sizeof num, "%.6f", res->search_s);
    ok = ok && add_raw(o, "search_s", num);
    if (ok && res->found && !j->problem.is_stream) {
        /* The search leaves the mapping's own names unset; the report's
         * writer names it after its entry, and so does the blob. */
        snprintf(res->best.layer, sizeof res->best.layer, "%s", j->problem.layer);
        res->best.kernel = j->problem.kernel;
        ok = (m = mapping_to_json(&res->best, v->a, &j->problem)) != NULL;
        if (ok)
            cJSON_AddItemToObject(o, "mapping", m);
    }
    if (ok && !res->found) {
        const char *why = res->timed_out ? "no valid mapping found within the time limit"
                          : e.msg[0]    ? e.msg
                                        : "no valid mapping exists";
        ok = cJSON_AddStringToObject(o, "error", why) != NULL;
    }
    char *text = ok ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    free(res);
    if (!text)
        return err_set(err, ERR_NOMEM, "out of memory");
    *blob = text;
    *len = strlen(text);
    return 0;
}

bool sweep_blob_interrupted(const char *blob, size_t len)
{
    return len == sizeof interrupted_blob - 1 && memcmp(blob, interrupted_blob, len) == 0;
}

/* A boolean member, or a schema error naming where. */
static int get_bool(const char *where, const cJSON *o, const char *key, bool *out,
                    struct err *err)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsBool(b))
        return err_set(err, ERR_SCHEMA, "%s: %s: expected true or false", where, key);
    *out = cJSON_IsTrue(b);
    return 0;
}

/* Binds the blob's mapping m to job j and evaluates it into out. */
static int decode_mapping(const struct sweep_plan *plan, const struct sweep_job *j,
                          const char *where, const cJSON *m, struct search_result *out,
                          struct err *err)
{
    const struct arch *a = plan->variant[j->variant].a;
    if (j->problem.is_stream)
        return model_eval(a, &j->problem, NULL, &out->stats, err) < 0 ? ERR_SCHEMA : 0;
    char *text = cJSON_PrintUnformatted(m);
    struct mapping_file *mf = NULL;
    if (!text)
        return err_set(err, ERR_NOMEM, "out of memory");
    int rc = mapping_parse(where, text, strlen(text), &mf, err);
    free(text);
    if (rc == 0)
        rc = mapping_bind(mf, where, a, &j->problem, &out->best, err);
    mapping_file_free(mf);
    if (rc == 0 && model_eval(a, &j->problem, &out->best, &out->stats, err) < 0)
        rc = ERR_SCHEMA;
    return rc;
}

int sweep_result_decode(const struct sweep_plan *plan, uint32_t job, const char *where,
                        const char *blob, size_t len, struct search_result *out,
                        char *error, struct err *err)
{
    cJSON *o = NULL;
    uint64_t n;
    const struct sweep_job *j = &plan->job[job];
    memset(out, 0, sizeof *out);
    error[0] = '\0';
    int rc = json_parse(where, blob, len, &o, err);
    if (rc < 0)
        return rc == ERR_NOMEM ? rc : ERR_SCHEMA;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "job");
    if (!json_number_to_u64(v, job, job, &n)) {
        rc = err_set(err, ERR_SCHEMA, "%s: not the result of problem %u", where, job);
        goto out_free;
    }
    if ((rc = get_bool(where, o, "found", &out->found, err)) < 0 ||
        (rc = get_bool(where, o, "optimal", &out->optimal, err)) < 0 ||
        (rc = get_bool(where, o, "timed_out", &out->timed_out, err)) < 0)
        goto out_free;
    v = cJSON_GetObjectItemCaseSensitive(o, "evaluated");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "search_s");
    if (!json_number_to_u64(v, 0, UINT64_MAX, &out->evaluated) || !cJSON_IsNumber(s)) {
        rc = err_set(err, ERR_SCHEMA, "%s: expected evaluated and search_s", where);
        goto out_free;
    }
    out->search_s = s->valuedouble;
    if (out->found) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "mapping");
        if (!j->problem.is_stream && !cJSON_IsObject(m)) {
            rc = err_set(err, ERR_SCHEMA, "%s: expected a mapping", where);
            goto out_free;
        }
        rc = decode_mapping(plan, j, where, m, out, err);
    } else {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
        snprintf(error, ERR_MSG_MAX, "%s",
                 cJSON_IsString(e) ? e->valuestring : "no valid mapping exists");
    }
out_free:
    cJSON_Delete(o);
    return rc;
}
