/*
 * Tests of reports/render: the CSV and Markdown of fixed reports against
 * golden files written by an independent implementation of the documented
 * formats (tests/data/reports/expected.py, checked by hand in
 * tests/data/reports/README.md); the number formats, units and sums the
 * renderers share; the plot scripts and data.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../reports/render.h"
#include "report_helpers.h"

#define DIR "tests/data/reports/"

static const char *const goldens[] = { "twins", "incomplete", "interrupted" };

static struct report_doc *load(const char *path)
{
    struct report_doc *doc;
    struct err e;
    ck_assert_msg(report_doc_load(path, &doc, &e) == 0, "%s", e.msg);
    return doc;
}

/* Renders goldens[i] with render and compares with DIR name.ext. */
static void golden(int i, int (*render)(const struct report_doc *, struct textbuf *,
                                        struct err *), const char *ext)
{
    char path[256];
    snprintf(path, sizeof path, DIR "%s.json", goldens[i]);
    struct report_doc *doc = load(path);
    struct textbuf b;
    struct err e;
    textbuf_init(&b);
    ck_assert_msg(render(doc, &b, &e) == 0, "%s", e.msg);
    snprintf(path, sizeof path, DIR "%s.%s", goldens[i], ext);
    char *want = th_slurp(path, NULL);
    ck_assert_msg(want != NULL, "%s: missing", path);
    ck_assert_msg(b.data && strcmp(b.data, want) == 0, "%s differs:\n%s", path,
                  b.data ? b.data : "(nothing)");
    free(want);
    textbuf_release(&b);
    report_doc_free(doc);
}

START_TEST(render_csv_should_match_the_golden_file)
{
    golden(_i, render_csv, "csv");
}
END_TEST

START_TEST(render_markdown_should_match_the_golden_file)
{
    golden(_i, render_markdown, "md");
}
END_TEST

START_TEST(render_sig4_should_keep_four_significant_digits)
{
    char t[32];
    ck_assert_str_eq(render_sig4(45.8064, t), "45.81");
    ck_assert_str_eq(render_sig4(178.0568, t), "178.1");
    ck_assert_str_eq(render_sig4(45806.4, t), "45806");
    ck_assert_str_eq(render_sig4(0.088, t), "0.08800");
    ck_assert_str_eq(render_sig4(1.0, t), "1.000");
    ck_assert_str_eq(render_sig4(0.0001234, t), "1.234e-04");
    ck_assert_str_eq(render_sig4(0, t), "0");
    ck_assert_str_eq(render_sig4(NAN, t), "-");
}
END_TEST

START_TEST(render_energy_unit_should_pick_the_largest_unit_at_least_one)
{
    const char *u;
    ck_assert(render_energy_unit(999.9, &u) == 1 && strcmp(u, "pJ") == 0);
    ck_assert(render_energy_unit(1000, &u) == 1e3 && strcmp(u, "nJ") == 0);
    ck_assert(render_energy_unit(178056.8, &u) == 1e3 && strcmp(u, "nJ") == 0);
    ck_assert(render_energy_unit(2.5e6, &u) == 1e6 && strcmp(u, "\xc2\xb5J") == 0);
    ck_assert(render_energy_unit(9.6e11, &u) == 1e9 && strcmp(u, "mJ") == 0);
    ck_assert(render_energy_unit(3e12, &u) == 1e12 && strcmp(u, "J") == 0);
    ck_assert(render_energy_unit(0, &u) == 1 && strcmp(u, "pJ") == 0);
}
END_TEST

START_TEST(render_sums_should_add_the_mapped_entries)
{
    struct report_doc *doc = load(DIR "twins.json");
    double lv[ARCH_MAX_LEVELS + 1];
    /* DRAM: c1 12000 + 12000 + 7200, c2 3 x 12000 + 7200, fc 3 x 20800 +
     * 38400 = 175200 pJ; MACs: 952 operations at 1 pJ */
    render_level_energy(doc, -1, lv);
    ck_assert(lv[0] == 175200.0 && lv[2] == 952.0);
    /* fwd DRAM: 12000 + 12000 + 20800 */
    render_level_energy(doc, KERNEL_FWD, lv);
    ck_assert(lv[0] == 44800.0);
    /* fc: 21156.8 + 21099.2 + 21084.8 + 38649.6 = 101990.4 pJ */
    ck_assert(fabs(render_layer_energy(doc, 2) - 101990.4) < 1e-9);
    /* every kernel uses the whole 2x2 array every cycle */
    ck_assert(render_utilization(doc, -1) == 1.0);
    report_doc_free(doc);
    /* incomplete.json: only update (utilization 0.75, 1 cycle) is mapped;
     * fwd has no mapped entry, so no cycles */
    doc = load(DIR "incomplete.json");
    ck_assert(render_utilization(doc, -1) == 0.75);
    ck_assert(isnan(render_utilization(doc, KERNEL_FWD)));
    report_doc_free(doc);
}
END_TEST

START_TEST(render_summary_should_list_the_most_expensive_layers_and_levels)
{
    struct report_doc *doc = load(DIR "twins.json");
    struct textbuf b;
    struct err e;
    textbuf_init(&b);
    ck_assert_int_eq(render_summary(doc, &b, &e), 0);
    /* fc 101990.4 of 178056.8 pJ = 57.3 %; DRAM 175200 = 98.4 % */
    ck_assert_ptr_nonnull(strstr(b.data, "\nfc                                    101990.40"
                                         "    57.3%\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "\nDRAM                                  175200.00"
                                         "    98.4%\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "\nMACC (MACs)                              952.00"
                                         "     0.5%\n"));
    ck_assert(strstr(b.data, "fc ") < strstr(b.data, "c2 ") &&
              strstr(b.data, "c2 ") < strstr(b.data, "c1 "));
    textbuf_release(&b);
    report_doc_free(doc);
}
END_TEST

/* The lines of text, counted. */
static int count_lines(const char *text)
{
    int n = 0;
    for (; text && *text; text++)
        n += *text == '\n';
    return n;
}

START_TEST(render_plots_should_write_a_script_and_data_per_plot)
{
    char dir[64];
    th_tmpdir(dir, sizeof dir, "plots");
    struct report_doc *doc = load(DIR "twins.json");
    struct textbuf names;
    struct err e;
    textbuf_init(&names);
    ck_assert_msg(render_plots(doc, dir, &names, &e) == 0, "%s", e.msg);
    ck_assert_str_eq(names.data, "energy_fwd.gp\nenergy_bwd_data.gp\nenergy_bwd_weight.gp\n"
                                 "energy_update.gp\nenergy_kernels.gp\nutilization.gp\n");
    static const char *const plots[] = { "energy_fwd", "energy_bwd_data",
                                         "energy_bwd_weight", "energy_update",
                                         "energy_kernels", "utilization" };
    /* two comment lines, then one row per layer (3) or kernel (4) */
    static const int rows[] = { 5, 5, 5, 5, 6, 5 };
    for (int i = 0; i < 6; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s.dat", dir, plots[i]);
        char *data = th_slurp(path, NULL);
        ck_assert_msg(count_lines(data) == rows[i], "%s: %d lines", path, count_lines(data));
        free(data);
        snprintf(path, sizeof path, "%s/%s.gp", dir, plots[i]);
        char *gp = th_slurp(path, NULL);
        ck_assert_ptr_nonnull(gp);
        ck_assert_ptr_nonnull(strstr(gp, "set terminal pdfcairo size 3.5in,"));
        ck_assert_ptr_nonnull(strstr(gp, "set terminal svg size"));
        ck_assert_ptr_nonnull(strstr(gp, "set ylabel \""));
        free(gp);
    }
    /* fwd per layer in nJ: c1 DRAM 12000 pJ, register file 228.8, MACs 96 */
    char path[128];
    snprintf(path, sizeof path, "%s/energy_fwd.dat", dir);
    char *data = th_slurp(path, NULL);
    ck_assert_ptr_nonnull(strstr(data, "in nJ"));
    ck_assert_ptr_nonnull(strstr(data, "\n\"c1\"\t\"c1\"\t12\t0.2288\t0.096\n"));
    free(data);
    /* bwd_data has no entry for c1 (the first layer): 0 */
    snprintf(path, sizeof path, "%s/energy_bwd_data.dat", dir);
    data = th_slurp(path, NULL);
    ck_assert_ptr_nonnull(strstr(data, "\n\"c1\"\t\"c1\"\t0\t0\t0\n"));
    free(data);
    textbuf_release(&names);
    report_doc_free(doc);
    th_rmdir(dir);
}
END_TEST

START_TEST(render_plots_should_refuse_a_report_without_any_mapping)
{
    const char *edits[] = { "layers[0].kernels[2].stats", "null", "layers[0].kernels[2].mapping",
                            "null", "layers[0].kernels[2].bounds",
                            "null", "layers[0].kernels[2].error", "\"none\"",
                            "totals.update", "{\"energy_pj\": 0, \"cycles\": 0, \"macs\": 0}",
                            "totals.step", "{\"energy_pj\": 0, \"cycles\": 0, \"macs\": 0}",
                            NULL };
    char *text = th_edited(DIR "incomplete.json", edits);
    struct report_doc *doc;
    struct textbuf names;
    struct err e;
    ck_assert_msg(report_doc_parse("r.json", text, strlen(text), &doc, &e) == 0, "%s", e.msg);
    textbuf_init(&names);
    ck_assert_int_eq(render_plots(doc, "/nonexistent", &names, &e), ERR_NO_MAPPING);
    ck_assert_str_eq(e.msg, "r.json: no kernel has a mapping: nothing to plot");
    textbuf_release(&names);
    report_doc_free(doc);
    free(text);
}
END_TEST

START_TEST(render_gp_label_should_keep_data_files_parseable)
{
    struct textbuf b;
    textbuf_init(&b);
    render_gp_label(&b, "a \"b\"\\c\n");
    render_gp_string(&b, "it's");
    ck_assert_str_eq(b.data, "\"a 'b'/c \"'it''s'");
    textbuf_release(&b);
}
END_TEST

Suite *report_render_suite(void)
{
    Suite *s = suite_create("report_render");
    TCase *tc = tcase_create("render");
    int n = (int)(sizeof goldens / sizeof goldens[0]);
    tcase_add_loop_test(tc, render_csv_should_match_the_golden_file, 0, n);
    tcase_add_loop_test(tc, render_markdown_should_match_the_golden_file, 0, n);
    tcase_add_test(tc, render_sig4_should_keep_four_significant_digits);
    tcase_add_test(tc, render_energy_unit_should_pick_the_largest_unit_at_least_one);
    tcase_add_test(tc, render_sums_should_add_the_mapped_entries);
    tcase_add_test(tc, render_summary_should_list_the_most_expensive_layers_and_levels);
    tcase_add_test(tc, render_plots_should_write_a_script_and_data_per_plot);
    tcase_add_test(tc, render_plots_should_refuse_a_report_without_any_mapping);
    tcase_add_test(tc, render_gp_label_should_keep_data_files_parseable);
    suite_add_tcase(s, tc);
    return s;
}
