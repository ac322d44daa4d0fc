/*
 * Tests of reports/report_json: a report built from hand-made search
 * results over the kernels of tests/data/workload/tiny.json on the arch of
 * tests/validation/conv3x3_fwd: the documented shape and key order, totals
 * equal to the sums of their entries, numbers that read back to the same
 * bits, entries without a mapping, reused and never-searched entries.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/json.h"
#include "../mapper/mapping_io.h"
#include "../reports/report_json.h"
#include "../workloads/workload.h"

#define ARCH_PATH "tests/validation/conv3x3_fwd/arch.json"
#define WL_PATH "tests/data/workload/tiny.json"

/*
 * tiny.json, batch 2:
 *   a: conv C 4, K 8, 6x6 with pad 1, 3x3 filter: P = Q = 6;
 *      fwd and bwd_weight MACs = 2*8*4*6*6*3*3 = 20736; update (SGD, one
 *      operation per weight) = 8*4*3*3 = 288; no bwd_data (first layer);
 *   b: fc C 288, K 10: fwd, bwd_data, bwd_weight MACs = 2*10*288 = 5760;
 *      update = 288*10 = 2880.
 * Hand-made results, energies exact in binary so that sums are exact:
 */
struct made {
    int layer;
    enum kernel kernel;
    uint64_t macs;
    double energy_pj;
    uint64_t cycles;
};

static const struct made made[] = {
    { 0, KERNEL_FWD, 20736, 1000.5, 1296 },
    { 0, KERNEL_BWD_WEIGHT, 20736, 2000.25, 1300 },
    { 0, KERNEL_UPDATE, 288, 10.125, 18 },
    { 1, KERNEL_FWD, 5760, 300.5, 360 },
    { 1, KERNEL_BWD_DATA, 5760, 400.75, 370 },
    { 1, KERNEL_BWD_WEIGHT, 5760, 500.0, 380 },
    { 1, KERNEL_UPDATE, 2880, 5.0625, 180 },
};
#define NMADE ((int)(sizeof made / sizeof made[0]))

struct fixture {
    struct arch *arch;
    struct workload *wl;
    struct report r;
};

/* The mapping that runs every loop at the outermost level. */
static void outermost_mapping(const struct arch *a, const struct problem *p, struct mapping *m)
{
    mapping_init(m, a->nlevels);
    memcpy(m->layer, p->layer, sizeof m->layer);
    m->kernel = p->kernel;
    for (int d = 0; d < DIM_COUNT; d++)
        m->level[0].temporal[d] = (uint32_t)p->bound[d];
}

static void fixture_setup(struct fixture *f)
{
    struct err e;
    ck_assert_msg(arch_load(ARCH_PATH, &f->arch, &e) == 0, "%s", e.msg);
    ck_assert_msg(workload_load(WL_PATH, &f->wl, &e) == 0, "%s", e.msg);
    ck_assert_int_eq(report_init(&f->r, 2, &e), 0);
    struct report *r = &f->r;
    r->version = "0.1.0";
    r->command = "trainmap map -a " ARCH_PATH " -w " WL_PATH;
    r->arch = f->arch;
    r->arch_input = (struct report_input){ .path = ARCH_PATH, .name = f->arch->name,
                                           .comment = f->arch->comment };
    r->workload_input = (struct report_input){ .path = WL_PATH, .name = f->wl->name };
    snprintf(r->arch_input.sha256, SHA256_HEX_SIZE, "%064d", 1);
    snprintf(r->workload_input.sha256, SHA256_HEX_SIZE, "%064d", 2);
    r->strategy = "exhaustive";
    r->objective = "edp";
    r->threads = 2;
    r->seed = 1;
    r->time_limit_s = 60.0;
    for (int l = 0; l < 2; l++)
        snprintf(r->layers[l].name, PROBLEM_NAME_MAX, "%s", f->wl->layers[l].name);
    for (int i = 0; i < NMADE; i++) {
        struct report_layer *ly = &r->layers[made[i].layer];
        struct report_kernel *k = &ly->kernel[ly->nkernels++];
        ck_assert_int_eq(workload_derive(f->wl, made[i].layer, made[i].kernel, LOWER_NONE,
                                         &k->problem, &e), 0);
        ck_assert(k->problem.macs == made[i].macs);
        k->searched = true;
        k->same_as = -1;
        struct search_result *res = &k->result;
        res->found = true;
        if (!k->problem.is_stream)
            outermost_mapping(f->arch, &k->problem, &res->best);
        res->stats.macs = made[i].macs;
        res->stats.energy_pj = made[i].energy_pj;
        res->stats.cycles = made[i].cycles;
        res->stats.nlevels = f->arch->nlevels;
        res->stats.bounds.energy_pj = made[i].energy_pj / 2;
        res->stats.bounds.cycles = (double)made[i].cycles;
        res->optimal = true;
        res->evaluated = 1000 + (uint64_t)i;
        res->search_s = 0.25;
    }
}

static void fixture_teardown(struct fixture *f)
{
    report_release(&f->r);
    workload_free(f->wl);
    arch_free(f->arch);
}

static struct report_kernel *entry(struct fixture *f, int layer, enum kernel k)
{
    struct report_layer *ly = &f->r.layers[layer];
    for (int i = 0; i < ly->nkernels; i++)
        if (ly->kernel[i].problem.kernel == k)
            return &ly->kernel[i];
    ck_abort_msg("no entry");
    return NULL;
}

/* The printed report, parsed back by the strict reader. */
static cJSON *printed(const struct report *r)
{
    struct err e;
    char *text = report_print(r, &e);
    ck_assert_msg(text != NULL, "%s", e.msg);
    ck_assert_int_eq(text[strlen(text) - 1], '\n');
    cJSON *root;
    ck_assert_msg(json_parse("report", text, strlen(text), &root, &e) == 0, "%s", e.msg);
    free(text);
    return root;
}

static const cJSON *item(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(v != NULL, "missing %s", key);
    return v;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = item(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "%s: not a number", key);
    return v->valuedouble;
}

/* Asserts that o's keys are exactly keys (a NULL-terminated list), in order. */
static void assert_keys(const cJSON *o, const char *const *keys)
{
    const cJSON *c = o->child;
    for (int i = 0; keys[i]; i++, c = c->next) {
        ck_assert_msg(c != NULL, "ends before %s", keys[i]);
        ck_assert_str_eq(c->string, keys[i]);
    }
    ck_assert_msg(c == NULL, "unexpected key %s", c ? c->string : "");
}

static const cJSON *json_entry(const cJSON *root, int layer, int k)
{
    const cJSON *ly = cJSON_GetArrayItem(item(root, "layers"), layer);
    return cJSON_GetArrayItem(item(ly, "kernels"), k);
}

START_TEST(report_build_should_follow_the_documented_shape)
{
    struct fixture f;
    fixture_setup(&f);
    cJSON *root = printed(&f.r);
    static const char *const top[] = { "schema", "tool", "version", "command", "inputs",
                                       "search", "layers", "totals", "interrupted", NULL };
    assert_keys(root, top);
    ck_assert(num(root, "schema") == 1);
    ck_assert_str_eq(item(root, "tool")->valuestring, "trainmap");
    ck_assert_str_eq(item(root, "command")->valuestring, f.r.command);
    const cJSON *in = item(root, "inputs");
    static const char *const inputs[] = { "arch", "workload", NULL };
    static const char *const arch_keys[] = { "path", "name", "sha256", "comment", NULL };
    static const char *const wl_keys[] = { "path", "name", "sha256", NULL };
    assert_keys(in, inputs);
    assert_keys(item(in, "arch"), arch_keys);
    assert_keys(item(in, "workload"), wl_keys);
    ck_assert_str_eq(item(item(in, "arch"), "name")->valuestring, "validation-16pe");
    ck_assert_str_eq(item(item(in, "arch"), "comment")->valuestring, f.arch->comment);
    ck_assert_str_eq(item(item(in, "workload"), "name")->valuestring, "tiny");
    ck_assert_str_eq(item(item(in, "workload"), "sha256")->valuestring,
                     "0000000000000000000000000000000000000000000000000000000000000002");
    const cJSON *search = item(root, "search");
    static const char *const search_keys[] = { "strategy", "objective", "threads", "seed",
                                               "time_limit_s", NULL };
    assert_keys(search, search_keys);
    ck_assert_str_eq(item(search, "strategy")->valuestring, "exhaustive");
    ck_assert(num(search, "time_limit_s") == 60.0);
    ck_assert(cJSON_IsFalse(item(root, "interrupted")));

    /* layer a: fwd, bwd_weight, update; layer b adds bwd_data */
    const cJSON *layers = item(root, "layers");
    ck_assert_int_eq(cJSON_GetArraySize(layers), 2);
    ck_assert_str_eq(item(cJSON_GetArrayItem(layers, 0), "name")->valuestring, "a");
    ck_assert_int_eq(cJSON_GetArraySize(item(cJSON_GetArrayItem(layers, 0), "kernels")), 3);
    ck_assert_int_eq(cJSON_GetArraySize(item(cJSON_GetArrayItem(layers, 1), "kernels")), 4);
    static const char *const entry_keys[] = { "kernel", "mapping", "stats", "bounds",
                                              "optimal", "timed_out", "interrupted",
                                              "evaluated", "search_s", NULL };
    const cJSON *fwd = json_entry(root, 0, 0);
    assert_keys(fwd, entry_keys);
    ck_assert_str_eq(item(fwd, "kernel")->valuestring, "fwd");
    ck_assert_str_eq(item(item(fwd, "stats"), "layer")->valuestring, "a");
    ck_assert(num(fwd, "evaluated") == 1000);
    ck_assert(num(fwd, "search_s") == 0.25);
    /* bounds: energy 1000.5 / 500.25 = 2, cycles 1296 / 1296 = 1 */
    const cJSON *b = item(fwd, "bounds");
    ck_assert(num(b, "energy_pj") == 500.25);
    ck_assert(num(b, "cycles") == 1296.0);
    ck_assert(num(b, "energy_ratio") == 2.0);
    ck_assert(num(b, "cycles_ratio") == 1.0);
    /* the update stream has no mapping */
    static const char *const stream_keys[] = { "kernel", "stats", "bounds", "optimal",
                                               "timed_out", "interrupted", "evaluated",
                                               "search_s", NULL };
    const cJSON *upd = json_entry(root, 0, 2);
    ck_assert_str_eq(item(upd, "kernel")->valuestring, "update");
    assert_keys(upd, stream_keys);
    static const char *const totals_keys[] = { "fwd", "bwd_data", "bwd_weight", "update",
                                               "step", "incomplete", NULL };
    assert_keys(item(root, "totals"), totals_keys);
    cJSON_Delete(root);
    fixture_teardown(&f);
}
END_TEST

START_TEST(report_build_should_name_a_constraints_file_when_one_was_given)
{
    struct fixture f;
    fixture_setup(&f);
    f.r.has_constraints = true;
    f.r.constraints_input = (struct report_input){ .path = "ws.json" };
    snprintf(f.r.constraints_input.sha256, SHA256_HEX_SIZE, "%064d", 3);
    f.r.arch_input.comment = NULL;
    cJSON *root = printed(&f.r);
    static const char *const keys[] = { "path", "sha256", NULL };
    const cJSON *in = item(root, "inputs");
    assert_keys(item(in, "constraints"), keys);
    ck_assert_str_eq(item(item(in, "constraints"), "path")->valuestring, "ws.json");
    ck_assert(cJSON_IsNull(item(item(in, "arch"), "comment")));
    cJSON_Delete(root);
    fixture_teardown(&f);
}
END_TEST

START_TEST(report_mapping_should_bind_back_to_its_problem)
{
    struct fixture f;
    fixture_setup(&f);
    cJSON *root = printed(&f.r);
    struct err e;
    for (int i = 0; i < NMADE; i++) {
        struct report_kernel *k = entry(&f, made[i].layer, made[i].kernel);
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(
            json_entry(root, made[i].layer, i - (made[i].layer ? 3 : 0)), "mapping");
        if (k->problem.is_stream) {
            ck_assert_ptr_null(m);
            continue;
        }
        char *text = cJSON_PrintUnformatted(m);
        struct mapping_file *mf;
        struct mapping back;
        ck_assert_msg(mapping_parse("m", text, strlen(text), &mf, &e) == 0, "%s", e.msg);
        ck_assert_msg(mapping_bind(mf, "m", f.arch, &k->problem, &back, &e) == 0, "%s", e.msg);
        ck_assert_str_eq(mf->layer, k->problem.layer);
        ck_assert(memcmp(back.level[0].temporal, k->result.best.level[0].temporal,
                         sizeof back.level[0].temporal) == 0);
        mapping_file_free(mf);
        free(text);
    }
    cJSON_Delete(root);
    fixture_teardown(&f);
}
END_TEST

START_TEST(report_totals_should_equal_the_sums_of_the_entries)
{
    struct fixture f;
    fixture_setup(&f);
    struct report_totals t;
    struct err e;
    ck_assert_int_eq(report_totals(&f.r, &t, &e), 0);
    /* fwd: 1000.5 + 300.5 = 1301; 1296 + 360 = 1656; 20736 + 5760 = 26496 */
    ck_assert(t.kernel[KERNEL_FWD].energy_pj == 1301.0);
    ck_assert(t.kernel[KERNEL_FWD].cycles == 1656);
    ck_assert(t.kernel[KERNEL_FWD].macs == 26496);
    /* bwd_data: layer b only */
    ck_assert(t.kernel[KERNEL_BWD_DATA].energy_pj == 400.75);
    ck_assert(t.kernel[KERNEL_BWD_DATA].cycles == 370);
    ck_assert(t.kernel[KERNEL_BWD_DATA].macs == 5760);
    /* bwd_weight: 2000.25 + 500 = 2500.25; 1300 + 380 = 1680; 26496 */
    ck_assert(t.kernel[KERNEL_BWD_WEIGHT].energy_pj == 2500.25);
    ck_assert(t.kernel[KERNEL_BWD_WEIGHT].cycles == 1680);
    ck_assert(t.kernel[KERNEL_BWD_WEIGHT].macs == 26496);
    /* update: 10.125 + 5.0625 = 15.1875; 18 + 180 = 198; 288 + 2880 = 3168 */
    ck_assert(t.kernel[KERNEL_UPDATE].energy_pj == 15.1875);
    ck_assert(t.kernel[KERNEL_UPDATE].cycles == 198);
    ck_assert(t.kernel[KERNEL_UPDATE].macs == 3168);
    /* step: 1301 + 400.75 + 2500.25 + 15.1875 = 4217.1875;
     * 1656 + 370 + 1680 + 198 = 3904; 26496 + 5760 + 26496 + 3168 = 61920 */
    ck_assert(t.step.energy_pj == 4217.1875);
    ck_assert(t.step.cycles == 3904);
    ck_assert(t.step.macs == 61920);
    ck_assert_int_eq(t.counted, 7);
    ck_assert(!t.incomplete);
    ck_assert(!t.present[KERNEL_IM2COL] && !t.present[KERNEL_COL2IM]);

    /* the printed totals are the same numbers */
    cJSON *root = printed(&f.r);
    const cJSON *tj = item(root, "totals");
    ck_assert(num(item(tj, "step"), "energy_pj") == 4217.1875);
    ck_assert(num(item(tj, "step"), "cycles") == 3904);
    ck_assert(num(item(tj, "step"), "macs") == 61920);
    ck_assert(num(item(tj, "bwd_weight"), "energy_pj") == 2500.25);
    ck_assert(cJSON_IsFalse(item(tj, "incomplete")));
    cJSON_Delete(root);
    fixture_teardown(&f);
}
END_TEST

START_TEST(report_totals_should_sum_printed_entries_bit_for_bit)
{
    /* energies whose sums round: 0.1 + 0.2 = 0.30000000000000004 */
    struct fixture f;
    fixture_setup(&f);
    entry(&f, 0, KERNEL_FWD)->result.stats.energy_pj = 0.1;
    entry(&f, 1, KERNEL_FWD)->result.stats.energy_pj = 0.2;
    entry(&f, 0, KERNEL_BWD_WEIGHT)->result.stats.energy_pj = 33396531.200000003;
    cJSON *root = printed(&f.r);
    const cJSON *totals = item(root, "totals");
    ck_assert(num(item(totals, "fwd"), "energy_pj") == 0.30000000000000004);
    /* every kernel's total and the step total equal the sums, in report
     * order, of the printed entries' stats */
    double step_e = 0, kern_e[KERNEL_COUNT] = { 0 };
    double step_c = 0, step_m = 0;
    const cJSON *ly, *k;
    cJSON_ArrayForEach(ly, item(root, "layers")) {
        cJSON_ArrayForEach(k, item(ly, "kernels")) {
            const cJSON *s = item(k, "stats");
            int kn = kernel_from_name(item(k, "kernel")->valuestring);
            kern_e[kn] += num(s, "energy_pj");
            step_e += num(s, "energy_pj");
            step_c += num(s, "cycles");
            step_m += num(s, "macs");
        }
    }
    for (int kn = 0; kn < KERNEL_UPDATE + 1; kn++)
        ck_assert(num(item(totals, kernel_name((enum kernel)kn)), "energy_pj") == kern_e[kn]);
    ck_assert(num(item(totals, "step"), "energy_pj") == step_e);
    ck_assert(num(item(totals, "step"), "cycles") == step_c);
    ck_assert(num(item(totals, "step"), "macs") == step_m);
    cJSON_Delete(root);
    fixture_teardown(&f);
}
END_TEST

START_TEST(report_print_should_print_large_counts_exactly)
{
    struct fixture f;
    fixture_setup(&f);
    f.r.seed = UINT64_MAX;
    entry(&f, 0, KERNEL_FWD)->result.evaluated = (1ull << 53) + 1;
    struct err e;
    char *text = report_print(&f.r, &e);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(text, "\"seed\":\t18446744073709551615,"));
    ck_assert_ptr_nonnull(strstr(text, "\"evaluated\":\t9007199254740993,"));
    ck_assert_ptr_nonnull(strstr(text, "\"time_limit_s\":\t60.0\n"));
    free(text);
    fixture_teardown(&f);
}
END_TEST

START_TEST(report_should_show_a_kernel_without_a_mapping_and_leave_it_out_of_totals)
{
    struct fixture f;
    fixture_setup(&f);
    struct report_kernel *k = entry(&f, 1, KERNEL_BWD_DATA);
    k->result.found = false;
    k->result.optimal = true;
    snprintf(k->error, sizeof k->error, "no mapping fits: RegisterFile too small");
    struct report_totals t;
    struct err e;
    ck_assert_int_eq(report_totals(&f.r, &t, &e), 0);
    ck_assert(t.incomplete);
    ck_assert(t.present[KERNEL_BWD_DATA]);
    ck_assert(t.kernel[KERNEL_BWD_DATA].energy_pj == 0 &&
              t.kernel[KERNEL_BWD_DATA].cycles == 0 && t.kernel[KERNEL_BWD_DATA].macs == 0);
    /* step less b's bwd_data: 4217.1875 - 400.75 = 3816.4375; 3904 - 370 = 3534;
     * 61920 - 5760 = 56160 */
    ck_assert(t.step.energy_pj == 3816.4375);
    ck_assert(t.step.cycles == 3534);
    ck_assert(t.step.macs == 56160);
    ck_assert_int_eq(t.counted, 6);

    cJSON *root = printed(&f.r);
    const cJSON *bd = json_entry(root, 1, 1);
    static const char *const keys[] = { "kernel", "mapping", "stats", "bounds", "error",
                                        "optimal", "timed_out", "interrupted", "evaluated",
                                        "search_s", NULL };
    assert_keys(bd, keys);
    ck_assert(cJSON_IsNull(item(bd, "mapping")));
    ck_assert(cJSON_IsNull(item(bd, "stats")));
    ck_assert_str_eq(item(bd, "error")->valuestring, "no mapping fits: RegisterFile too small");
    ck_assert(cJSON_IsTrue(item(item(root, "totals"), "incomplete")));
    ck_assert(num(item(item(root, "totals"), "bwd_data"), "cycles") == 0);
    cJSON_Delete(root);
    fixture_teardown(&f);
}
END_TEST

START_TEST(report_should_mark_kernels_never_searched_and_an_interrupted_run)
{
    struct fixture f;
    fixture_setup(&f);
    f.r.interrupted = true;
    entry(&f, 1, KERNEL_BWD_DATA)->result.interrupted = true;
    entry(&f, 1, KERNEL_BWD_WEIGHT)->searched = false;
    entry(&f, 1, KERNEL_UPDATE)->searched = false;
    cJSON *root = printed(&f.r);
    ck_assert(cJSON_IsTrue(item(root, "interrupted")));
    ck_assert(cJSON_IsTrue(item(json_entry(root, 1, 1), "interrupted")));
    ck_assert(cJSON_GetObjectItemCaseSensitive(json_entry(root, 1, 1), "stats")->child);
    const cJSON *skipped = json_entry(root, 1, 2);
    static const char *const keys[] = { "kernel", "mapping", "stats", "bounds", "searched",
                                        "error", NULL };
    assert_keys(skipped, keys);
    ck_assert_str_eq(item(skipped, "kernel")->valuestring, "bwd_weight");
    ck_assert(cJSON_IsFalse(item(skipped, "searched")));
    ck_assert_str_eq(item(skipped, "error")->valuestring, "not searched: the run was interrupted");
    const cJSON *totals = item(root, "totals");
    ck_assert(cJSON_IsTrue(item(totals, "incomplete")));
    /* bwd_weight: only layer a's 2000.25 */
    ck_assert(num(item(totals, "bwd_weight"), "energy_pj") == 2000.25);
    cJSON_Delete(root);
    fixture_teardown(&f);
}
END_TEST

START_TEST(report_should_name_the_layer_a_reused_result_comes_from)
{
    struct fixture f;
    fixture_setup(&f);
    /* b's update repeats a's result; b's fwd is marked as reused to see its
     * mapping named after b */
    struct report_kernel *a = entry(&f, 0, KERNEL_UPDATE), *b = entry(&f, 1, KERNEL_UPDATE);
    b->result = a->result;
    b->same_as = 0;
    struct report_kernel *af = entry(&f, 0, KERNEL_FWD), *bf = entry(&f, 1, KERNEL_FWD);
    bf->same_as = 0;
    ck_assert_str_eq(af->result.best.layer, "a");
    cJSON *root = printed(&f.r);
    const cJSON *bu = json_entry(root, 1, 3);
    ck_assert_str_eq(item(bu, "same_as")->valuestring, "a");
    ck_assert_str_eq(bu->child->next->string, "same_as");
    ck_assert_str_eq(item(item(bu, "stats"), "layer")->valuestring, "b");
    ck_assert(num(item(bu, "stats"), "energy_pj") == 10.125);
    const cJSON *bfj = json_entry(root, 1, 0);
    ck_assert_str_eq(item(item(bfj, "mapping"), "layer")->valuestring, "b");
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(json_entry(root, 0, 0), "same_as"));
    cJSON_Delete(root);
    fixture_teardown(&f);
}
END_TEST

START_TEST(report_totals_should_refuse_cycles_beyond_64_bits)
{
    struct fixture f;
    fixture_setup(&f);
    entry(&f, 0, KERNEL_FWD)->result.stats.cycles = UINT64_MAX;
    struct report_totals t;
    struct err e;
    ck_assert_int_eq(report_totals(&f.r, &t, &e), ERR_TOO_LARGE);
    /* a's fwd alone fits; adding a's bwd_weight (1300) to the step does not */
    ck_assert_str_eq(e.msg, "report totals: cycles of the step too large (over 2^64)");
    ck_assert_ptr_null(report_build(&f.r, &e));
    ck_assert_int_eq(e.code, ERR_TOO_LARGE);
    fixture_teardown(&f);
}
END_TEST

START_TEST(report_build_should_accept_an_empty_report)
{
    struct report r;
    struct err e;
    ck_assert_int_eq(report_init(&r, 0, &e), 0);
    r.version = "0.1.0";
    cJSON *root = printed(&r);
    ck_assert_int_eq(cJSON_GetArraySize(item(root, "layers")), 0);
    static const char *const keys[] = { "step", "incomplete", NULL };
    assert_keys(item(root, "totals"), keys);
    ck_assert(num(item(item(root, "totals"), "step"), "energy_pj") == 0.0);
    cJSON_Delete(root);
    report_release(&r);
    report_release(&r);
}
END_TEST

Suite *report_json_suite(void)
{
    Suite *s = suite_create("report_json");
    TCase *tc = tcase_create("build");
    tcase_add_test(tc, report_build_should_follow_the_documented_shape);
    tcase_add_test(tc, report_build_should_name_a_constraints_file_when_one_was_given);
    tcase_add_test(tc, report_mapping_should_bind_back_to_its_problem);
    tcase_add_test(tc, report_totals_should_equal_the_sums_of_the_entries);
    tcase_add_test(tc, report_totals_should_sum_printed_entries_bit_for_bit);
    tcase_add_test(tc, report_print_should_print_large_counts_exactly);
    tcase_add_test(tc, report_should_show_a_kernel_without_a_mapping_and_leave_it_out_of_totals);
    tcase_add_test(tc, report_should_mark_kernels_never_searched_and_an_interrupted_run);
    tcase_add_test(tc, report_should_name_the_layer_a_reused_result_comes_from);
    tcase_add_test(tc, report_totals_should_refuse_cycles_beyond_64_bits);
    tcase_add_test(tc, report_build_should_accept_an_empty_report);
    suite_add_tcase(s, tc);
    return s;
}
