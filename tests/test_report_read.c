/*
 * Tests of reports/report_read: every shipped example report and every
 * fixture reads back and keeps the documented rules (docs/report.md, "What
 * holds in every report"), checked here on the files' own JSON
 * independently of the reader; malformed reports are refused with located
 * messages, pinned exactly.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../reports/report_read.h"
#include "report_helpers.h"

#define TWINS "tests/data/reports/twins.json"
#define MAX_FILES 64

static const cJSON *item(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = item(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "%s: not a number", key);
    return v->valuedouble;
}

static void near(double got, double want, double rel, const char *what)
{
    ck_assert_msg(fabs(got - want) <= rel * fmax(fabs(got), fabs(want)),
                  "%s: %.17g, expected %.17g", what, got, want);
}

/* The rules of one mapped entry's stats, on the file's JSON. */
static void check_stats(const char *file, const cJSON *entry)
{
    const cJSON *s = item(entry, "stats"), *l, *t;
    double levels = 0;
    uint64_t cycles = (uint64_t)num(s, "cycles");
    ck_assert_msg(cycles >= (uint64_t)num(s, "compute_cycles"), "%s: cycles", file);
    cJSON_ArrayForEach(l, item(s, "levels")) {
        double tensors = 0, inst = num(l, "instances_used");
        cJSON_ArrayForEach(t, item(l, "tensors")) {
            tensors += num(t, "energy_pj");
            ck_assert(num(t, "reads") == num(t, "reads_per_instance") * inst);
            ck_assert(num(t, "fills") == num(t, "fills_per_instance") * inst);
            ck_assert(num(t, "updates") == num(t, "updates_per_instance") * inst);
        }
        near(tensors, num(l, "energy_pj"), 1e-9, "level energy = sum of its tensors'");
        ck_assert_msg(num(l, "cycles") <= (double)cycles, "%s: level cycles", file);
        levels += num(l, "energy_pj");
    }
    near(levels + num(item(s, "compute"), "energy_pj"), num(s, "energy_pj"), 1e-9,
         "energy = levels + MACs");
    near(num(s, "energy_pj") * (double)cycles, num(s, "edp"), 1e-15, "edp");
    const cJSON *b = item(entry, "bounds"), *sb = item(s, "bounds");
    const char *keys[] = { "energy_pj", "cycles", "energy_ratio", "cycles_ratio" };
    for (int i = 0; i < 4; i++)
        ck_assert_msg(cJSON_Compare(item(b, keys[i]), item(sb, keys[i]), true),
                      "%s: bounds.%s differs from stats.bounds", file, keys[i]);
    near(num(b, "energy_ratio"), num(s, "energy_pj") / num(b, "energy_pj"), 1e-15,
         "energy_ratio");
    near(num(b, "cycles_ratio"), (double)cycles / num(b, "cycles"), 1e-15, "cycles_ratio");
}

/* Totals equal the sums of the mapped entries, summed in report order. */
static void check_totals(const char *file, const cJSON *root)
{
    static const char *const kernels[] = { "fwd", "im2col", "bwd_data", "col2im",
                                           "bwd_weight", "update", "step" };
    const cJSON *totals = item(root, "totals");
    bool incomplete = false;
    for (int k = 0; k < 7; k++) {
        double energy = 0, cycles = 0, macs = 0;
        bool present = k == 6;
        const cJSON *l, *e;
        cJSON_ArrayForEach(l, item(root, "layers")) cJSON_ArrayForEach(e, item(l, "kernels")) {
            if (k < 6 && strcmp(item(e, "kernel")->valuestring, kernels[k]) != 0)
                continue;
            present = true;
            if (!cJSON_IsObject(item(e, "stats"))) {
                incomplete = true;
                continue;
            }
            energy += num(item(e, "stats"), "energy_pj");
            cycles += num(item(e, "stats"), "cycles");
            macs += num(item(e, "stats"), "macs");
        }
        const cJSON *t = item(totals, kernels[k]);
        ck_assert_msg(present == (t != NULL), "%s: totals.%s present: %d", file, kernels[k],
                      t != NULL);
        if (!t)
            continue;
        ck_assert_msg(num(t, "energy_pj") == energy, "%s: totals.%s.energy_pj %.17g, sum "
                      "%.17g", file, kernels[k], num(t, "energy_pj"), energy);
        ck_assert_msg(num(t, "cycles") == cycles && num(t, "macs") == macs,
                      "%s: totals.%s counts", file, kernels[k]);
    }
    ck_assert_msg(cJSON_IsTrue(item(totals, "incomplete")) == incomplete,
                  "%s: totals.incomplete", file);
}

static void check_file(const char *file)
{
    struct report_doc *doc = NULL;
    struct err e;
    ck_assert_msg(report_doc_load(file, &doc, &e) == 0, "%s", e.msg);
    char *text = th_slurp(file, NULL);
    cJSON *root = cJSON_Parse(text);
    ck_assert_ptr_nonnull(root);
    ck_assert_int_eq(doc->nlayers, cJSON_GetArraySize(item(root, "layers")));
    const cJSON *l, *entry;
    cJSON_ArrayForEach(l, item(root, "layers")) cJSON_ArrayForEach(entry, item(l, "kernels"))
        if (cJSON_IsObject(item(entry, "stats")))
            check_stats(file, entry);
    check_totals(file, root);
    cJSON_Delete(root);
    free(text);
    report_doc_free(doc);
}

START_TEST(report_read_should_accept_every_shipped_example_report)
{
    char *paths[MAX_FILES];
    int n = th_list("docs/examples", "report-", ".json", paths, MAX_FILES);
    ck_assert_msg(n >= 1, "no example report in docs/examples");
    for (int i = 0; i < n; i++) {
        check_file(paths[i]);
        free(paths[i]);
    }
}
END_TEST

START_TEST(report_read_should_accept_every_fixture_report)
{
    char *paths[MAX_FILES];
    int n = th_list("tests/data/reports", "", ".json", paths, MAX_FILES);
    ck_assert_int_ge(n, 7);
    for (int i = 0; i < n; i++) {
        check_file(paths[i]);
        free(paths[i]);
    }
}
END_TEST

START_TEST(report_read_should_keep_what_renderers_need)
{
    struct report_doc *doc;
    struct err e;
    ck_assert_msg(report_doc_load(TWINS, &doc, &e) == 0, "%s", e.msg);
    ck_assert_str_eq(doc->workload.name, "twins");
    ck_assert_str_eq(doc->arch.name, "tiny-4pe");
    ck_assert_str_eq(doc->strategy, "exhaustive");
    ck_assert_int_eq(doc->nlayers, 3);
    /* c1 is the first layer: no bwd_data */
    ck_assert_int_eq(doc->layers[0].nkernels, 3);
    ck_assert_int_eq(doc->layers[1].nkernels, 4);
    ck_assert_int_eq(doc->layers[1].kernel[0].same_as, 0);
    ck_assert_int_eq(doc->layers[1].kernel[1].same_as, -1);
    ck_assert_int_eq(doc->nlevels, 2);
    ck_assert_str_eq(doc->level_name[0], "DRAM");
    ck_assert_str_eq(doc->level_name[1], "RegisterFile");
    ck_assert_str_eq(doc->compute_name, "MACC");
    const struct report_doc_entry *c1 = &doc->layers[0].kernel[0];
    ck_assert_int_eq(c1->status, REPORT_MAPPED);
    ck_assert(c1->has_mapping);
    ck_assert(!doc->layers[0].kernel[2].has_mapping); /* update: a stream */
    /* 96 MACs at 1 pJ; DRAM 12000 + register file 228.8 + MACs 96 */
    ck_assert(c1->macs == 96 && c1->mac_energy_pj == 96.0);
    ck_assert(c1->level[0].energy_pj == 12000.0);
    ck_assert(c1->energy_pj == 12324.8);
    /* fwd: 12324.8 + 12324.8 + 21156.8 pJ over 24 + 24 + 32 cycles */
    ck_assert(doc->totals.kernel[KERNEL_FWD].cycles == 80);
    ck_assert(doc->totals.step.macs == 952);
    report_doc_free(doc);
}
END_TEST

START_TEST(report_read_should_read_entries_without_a_mapping)
{
    struct report_doc *doc;
    struct err e;
    ck_assert_msg(report_doc_load("tests/data/reports/interrupted.json", &doc, &e) == 0, "%s",
                  e.msg);
    const struct report_doc_layer *fc = &doc->layers[2];
    ck_assert(doc->interrupted && doc->totals.incomplete);
    ck_assert_int_eq(fc->kernel[2].status, REPORT_NOT_SEARCHED);
    ck_assert_str_eq(fc->kernel[2].error, "not searched: the run was interrupted");
    report_doc_free(doc);
    ck_assert_msg(report_doc_load("tests/data/reports/incomplete.json", &doc, &e) == 0, "%s",
                  e.msg);
    ck_assert_int_eq(doc->layers[0].kernel[0].status, REPORT_NO_MAPPING);
    ck_assert_str_eq(doc->layers[0].kernel[0].error, "tests/data/map/k_three.json: levels[0]: "
                     "fixed factors of dim K do not divide its bound 2");
    ck_assert_int_eq(doc->layers[0].kernel[2].status, REPORT_MAPPED);
    ck_assert_int_eq(doc->nlevels, 3);
    report_doc_free(doc);
}
END_TEST

/* ---- malformed reports ----------------------------------------------- */

struct bad {
    const char *edits[7];       /* path, value (NULL: remove), ..., NULL */
    const char *message;
};

static const struct bad bad_twins[] = {
    { { "layers[0].kernels[0].stats.energy_pj", "\"x\"", NULL },
      "r.json: layers[0].kernels[0].stats.energy_pj: expected a number, got \"x\"" },
    { { "layers[0].kernels[0].stats.energy_pj", "-1", NULL },
      "r.json: layers[0].kernels[0].stats.energy_pj: expected a non-negative number, got -1" },
    { { "schema", "2", NULL },
      "r.json: schema: expected 1 (the report schema this trainmap reads), got 2" },
    { { "totals", NULL, NULL }, "r.json: totals: missing, expected a totals object" },
    { { "extra", "1", NULL },
      "r.json: extra: unknown key, expected one of: schema, tool, version, command, "
      "inputs, search, layers, totals, interrupted, comment" },
    { { "tool", "\"timeloop\"", NULL }, "r.json: tool: expected \"trainmap\", got \"timeloop\"" },
    { { "totals.fwd.energy_pj", "1", NULL },
      "r.json: totals.fwd.energy_pj: expected 45806.399999999994 (the sum of the fwd "
      "entries), got 1" },
    { { "totals.step.cycles", "239", NULL },
      "r.json: totals.step.cycles: expected 238 (the sum of every entry), got 239" },
    { { "totals.incomplete", "true", NULL },
      "r.json: totals.incomplete: expected false (every entry has a mapping), got true" },
    { { "totals.bwd_data", NULL, NULL },
      "r.json: totals.bwd_data: missing, expected a sum object" },
    { { "layers[1].kernels[0].same_as", "\"nope\"", NULL },
      "r.json: layers[1].kernels[0].same_as: expected the name of an earlier layer, got "
      "\"nope\"" },
    { { "layers[0].kernels[1].kernel", "\"fwd\"", NULL },
      "r.json: layers[0].kernels[1].kernel: fwd given twice in layer 'c1'" },
    { { "layers[0].kernels[0].kernel", "\"backward\"", NULL },
      "r.json: layers[0].kernels[0].kernel: expected a kernel name (fwd, bwd_data, "
      "bwd_weight, update, im2col, col2im), got \"backward\"" },
    { { "layers[0].kernels[0].stats.layer", "\"c2\"", NULL },
      "r.json: layers[0].kernels[0].stats.layer: expected \"c1\" (the layer's name), got "
      "\"c2\"" },
    { { "layers[0].kernels[0].mapping.levels[0].order", "\"KX\"", NULL },
      "r.json: layers[0].kernels[0].mapping: levels[0].order: unknown dim 'X', expected "
      "letters from N, K, C, P, Q, R, S, G" },
    { { "layers[0].kernels[0].mapping", NULL, NULL },
      "r.json: layers[0].kernels[0].mapping: missing, expected a mapping object" },
    { { "layers[0].kernels[2].mapping", "{}", NULL },
      "r.json: layers[0].kernels[2].mapping: unexpected: update is a stream kernel without "
      "a mapping" },
    { { "layers[0].kernels[0].bounds.energy_pj", "1.5", NULL },
      "r.json: layers[0].kernels[0].bounds: expected the values of stats.bounds" },
    { { "layers[0].kernels[0].bounds.energy_ratio", "\"1\"", NULL },
      "r.json: layers[0].kernels[0].bounds.energy_ratio: expected a number or null, got "
      "\"1\"" },
    { { "layers[1].kernels[0].stats.levels[0].name", "\"HBM\"", NULL },
      "r.json: layers[1].kernels[0].stats.levels[0].name: expected \"DRAM\" (the same level "
      "as in the first mapped entry), got \"HBM\"" },
    { { "layers[0].kernels[0].stats.levels[0].tensors[0].reads", "1.5", NULL },
      "r.json: layers[0].kernels[0].stats.levels[0].tensors[0].reads: expected a "
      "non-negative integer, got 1.5" },
    { { "layers[0].kernels[0].stats.levels[0].tensors[0].slot", "\"psums\"", NULL },
      "r.json: layers[0].kernels[0].stats.levels[0].tensors[0].slot: expected weights, "
      "inputs or outputs, got \"psums\"" },
    { { "layers[0].kernels[0].stats.cycles", "-1", NULL },
      "r.json: layers[0].kernels[0].stats.cycles: expected a non-negative integer, got -1" },
    { { "layers[0].kernels[0].optimal", "1", NULL },
      "r.json: layers[0].kernels[0].optimal: expected true or false, got 1" },
    { { "inputs.arch.sha256", "\"abc\"", NULL },
      "r.json: inputs.arch.sha256: expected 64 lowercase hexadecimal digits, got \"abc\"" },
    { { "inputs.workload.comment", "\"x\"", "inputs.workload.name", NULL, NULL },
      "r.json: inputs.workload.name: missing, expected a string or null" },
    { { "search.strategy", "\"greedy\"", NULL },
      "r.json: search.strategy: expected exhaustive, random or anneal, got \"greedy\"" },
    { { "layers", "{}", NULL }, "r.json: layers: expected an array of layers, got an object" },
    { { "layers[2].kernels[0].stats", "null", NULL },
      "r.json: layers[2].kernels[0].mapping: expected null (stats is null: no mapping was "
      "found), got an object" },
    { { "layers[2].kernels[0].stats", "null", "layers[2].kernels[0].mapping", "null",
        "layers[2].kernels[0].bounds", "null", NULL },
      "r.json: layers[2].kernels[0].error: missing, expected a string" },
};

START_TEST(report_read_should_locate_what_is_wrong)
{
    const struct bad *b = &bad_twins[_i];
    char *text = th_edited(TWINS, b->edits);
    struct report_doc *doc = (struct report_doc *)1;
    struct err e;
    err_clear(&e);
    int rc = report_doc_parse("r.json", text, strlen(text), &doc, &e);
    ck_assert_msg(rc < 0, "case %d: accepted", _i);
    ck_assert_ptr_null(doc);
    ck_assert_str_eq(e.msg, b->message);
    free(text);
}
END_TEST

START_TEST(report_read_should_refuse_a_not_searched_entry_marked_searched)
{
    const char *edits[] = { "layers[2].kernels[2].searched", "true", NULL };
    char *text = th_edited("tests/data/reports/interrupted.json", edits);
    struct report_doc *doc;
    struct err e;
    ck_assert_int_lt(report_doc_parse("r.json", text, strlen(text), &doc, &e), 0);
    ck_assert_str_eq(e.msg, "r.json: layers[2].kernels[2].searched: expected false "
                     "(present only on entries not searched), got true");
    free(text);
}
END_TEST

START_TEST(report_read_should_give_syntax_errors_with_line_and_column)
{
    struct report_doc *doc;
    struct err e;
    const char *text = "{\n  \"schema\": 1,\n}";
    ck_assert_int_eq(report_doc_parse("r.json", text, strlen(text), &doc, &e), ERR_SYNTAX);
    ck_assert_str_eq(e.msg, "r.json:3:1: expected a string key, got '}'");
    ck_assert_int_eq(report_doc_load("tests/data/reports/none.json", &doc, &e), ERR_IO);
    ck_assert_str_eq(e.msg, "tests/data/reports/none.json: cannot open: No such file or "
                     "directory");
}
END_TEST

START_TEST(report_status_name_should_name_each_status)
{
    ck_assert_str_eq(report_status_name(REPORT_MAPPED), "mapped");
    ck_assert_str_eq(report_status_name(REPORT_NO_MAPPING), "no_mapping");
    ck_assert_str_eq(report_status_name(REPORT_NOT_SEARCHED), "not_searched");
    report_doc_free(NULL);
}
END_TEST

Suite *report_read_suite(void)
{
    Suite *s = suite_create("report_read");
    TCase *tc = tcase_create("read");
    tcase_add_test(tc, report_read_should_accept_every_shipped_example_report);
    tcase_add_test(tc, report_read_should_accept_every_fixture_report);
    tcase_add_test(tc, report_read_should_keep_what_renderers_need);
    tcase_add_test(tc, report_read_should_read_entries_without_a_mapping);
    tcase_add_loop_test(tc, report_read_should_locate_what_is_wrong, 0,
                        (int)(sizeof bad_twins / sizeof bad_twins[0]));
    tcase_add_test(tc, report_read_should_refuse_a_not_searched_entry_marked_searched);
    tcase_add_test(tc, report_read_should_give_syntax_errors_with_line_and_column);
    tcase_add_test(tc, report_status_name_should_name_each_status);
    suite_add_tcase(s, tc);
    return s;
}
