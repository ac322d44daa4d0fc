/*
 * End-to-end tests of the report outputs through the trainmap binary
 * ($TRAINMAP, default build/trainmap): a map run's CSV and Markdown are
 * rendered again byte for byte from its saved JSON by `trainmap report`;
 * plots are rendered to valid SVG and PDF when gnuplot is installed (make
 * test installs it when run as root), and without gnuplot their scripts
 * and data are still written with a note on how to render them.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_helpers.h"

#define TWINS "tests/data/reports/twins.json"

/* A map run and its options: the round trip must hold for each. */
static const char *const runs[][10] = {
    { "-a", "tests/data/map/tiny_4pe.json", "-w", "tests/data/map/twins.json", "-j", "2",
      NULL },
    /* fwd and bwd_weight without a mapping (exit 1), update mapped */
    { "-a", "tests/validation/conv3x3_fwd/arch.json", "-w", "tests/data/map/one_layer.json",
      "--constraints", "tests/data/map/k_three.json", "-j", "2", NULL },
};

static void same_files(const char *a, const char *b)
{
    size_t na, nb;
    char *x = th_slurp(a, &na), *y = th_slurp(b, &nb);
    ck_assert_msg(x && y, "%s or %s missing", a, b);
    ck_assert_msg(na > 0 && na == nb && memcmp(x, y, na) == 0, "%s and %s differ", a, b);
    free(x);
    free(y);
}

START_TEST(report_should_render_the_csv_and_markdown_of_a_map_run_byte_for_byte)
{
    char dir[64], json[96], csv1[96], md1[96], csv2[96], md2[96];
    th_tmpdir(dir, sizeof dir, "roundtrip");
    snprintf(json, sizeof json, "%s/r.json", dir);
    snprintf(csv1, sizeof csv1, "%s/map.csv", dir);
    snprintf(md1, sizeof md1, "%s/map.md", dir);
    snprintf(csv2, sizeof csv2, "%s/report.csv", dir);
    snprintf(md2, sizeof md2, "%s/report.md", dir);
    const char *args[24] = { "map" };
    int n = 1;
    for (int i = 0; runs[_i][i]; i++)
        args[n++] = runs[_i][i];
    const char *outs[] = { "-o", json, "--csv", csv1, "--md", md1, NULL };
    for (int i = 0; outs[i]; i++)
        args[n++] = outs[i];
    args[n] = NULL;
    struct th_run r;
    th_run(args, NULL, NULL, &r);
    ck_assert_msg(r.code == (_i == 0 ? 0 : 1), "map: exit %d\n%s", r.code, r.err);
    char *map_out = strdup(r.out);
    th_run_release(&r);
    const char *again[] = { "report", json, "--csv", csv2, "--md", md2, NULL };
    th_run(again, NULL, NULL, &r);
    ck_assert_msg(r.code == 0, "report: exit %d\n%s", r.code, r.err);
    same_files(csv1, csv2);
    same_files(md1, md2);
    /* The summary tables are the same too: from "kernel" to the levels. */
    const char *a = strstr(map_out, "kernel "), *b = strstr(r.out, "kernel ");
    const char *a_end = strstr(map_out, "\n\nproblems searched"), *b_end = strstr(r.out, "\ncsv:");
    ck_assert(a && b && a_end && b_end);
    ck_assert_int_eq(a_end - a, b_end - b);
    ck_assert(memcmp(a, b, (size_t)(a_end - a)) == 0);
    th_run_release(&r);
    free(map_out);
    th_rmdir(dir);
}
END_TEST

START_TEST(report_plots_should_render_to_valid_svg_and_pdf)
{
    static const char *const plots[] = { "energy_fwd", "energy_bwd_data", "energy_bwd_weight",
                                         "energy_update", "energy_kernels", "utilization" };
    char dir[64];
    th_tmpdir(dir, sizeof dir, "plots");
    const char *args[] = { "report", TWINS, "--plot", dir, NULL };
    struct th_run r;
    th_run(args, NULL, NULL, &r);
    ck_assert_msg(r.code == 0, "exit %d\n%s", r.code, r.err);
    bool rendered = th_have_gnuplot();
    for (int i = 0; i < 6; i++) {
        char path[128];
        const char *exts[] = { "gp", "dat", "svg", "pdf" };
        for (int x = 0; x < (rendered ? 4 : 2); x++) {
            snprintf(path, sizeof path, "%s/%s.%s", dir, plots[i], exts[x]);
            ck_assert_msg(access(path, R_OK) == 0, "%s missing", path);
        }
        if (!rendered)
            continue;
        snprintf(path, sizeof path, "%s/%s.svg", dir, plots[i]);
        th_check_svg(path);
        snprintf(path, sizeof path, "%s/%s.pdf", dir, plots[i]);
        th_check_pdf(path);
    }
    if (rendered) {
        char line[160];
        snprintf(line, sizeof line, "plots: %s (6 plots as SVG and PDF, with their gnuplot "
                 "scripts and data)\n", dir);
        ck_assert_str_eq(r.out + strlen(r.out) - strlen(line), line);
    }
    th_run_release(&r);
    th_rmdir(dir);
}
END_TEST

START_TEST(report_plots_should_be_written_without_gnuplot_with_a_note_on_rendering)
{
    char dir[64], want[512];
    th_tmpdir(dir, sizeof dir, "nognuplot");
    const char *args[] = { "report", TWINS, "--plot", dir, NULL };
    struct th_run r;
    th_run(args, "TRAINMAP_GNUPLOT", "/nonexistent/gnuplot", &r);
    ck_assert_int_eq(r.code, 0);
    snprintf(want, sizeof want, "trainmap report: gnuplot not found (install gnuplot-nox, or "
             "name it in TRAINMAP_GNUPLOT): the plots are not rendered; render them with: "
             "cd %s && gnuplot *.gp\n", dir);
    ck_assert_str_eq(r.err, want);
    snprintf(want, sizeof want, "plots: %s (6 gnuplot scripts with their data, not "
             "rendered)\n", dir);
    ck_assert_str_eq(r.out + strlen(r.out) - strlen(want), want);
    char path[128];
    snprintf(path, sizeof path, "%s/utilization.gp", dir);
    ck_assert_int_eq(access(path, R_OK), 0);
    snprintf(path, sizeof path, "%s/utilization.svg", dir);
    ck_assert_int_eq(access(path, F_OK), -1);
    th_run_release(&r);
    /* The note's command works. */
    if (th_have_gnuplot()) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "cd %s && gnuplot *.gp 2>/dev/null", dir);
        ck_assert_int_eq(system(cmd), 0);
        snprintf(path, sizeof path, "%s/utilization.svg", dir);
        th_check_svg(path);
        snprintf(path, sizeof path, "%s/energy_kernels.pdf", dir);
        th_check_pdf(path);
    }
    th_rmdir(dir);
}
END_TEST

START_TEST(map_should_write_the_outputs_it_is_asked_for)
{
    char dir[64], csv[96], plots[96];
    th_tmpdir(dir, sizeof dir, "mapout");
    snprintf(csv, sizeof csv, "%s/m.csv", dir);
    snprintf(plots, sizeof plots, "%s/plots", dir);
    const char *args[] = { "map", "-a", "tests/data/map/tiny_4pe.json", "-w",
                           "tests/data/map/one_layer.json", "-j", "2", "--csv", csv, "--plot",
                           plots, NULL };
    struct th_run r;
    th_run(args, "TRAINMAP_GNUPLOT", "/nonexistent/gnuplot", &r);
    ck_assert_msg(r.code == 0, "exit %d\n%s", r.code, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "\nmost expensive layers "));
    ck_assert_ptr_nonnull(strstr(r.out, "\nenergy by level "));
    char *text = th_slurp(csv, NULL), path[128];
    /* a header and one row per kernel: fwd, bwd_weight, update */
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(text, "\nconv,update,mapped,"));
    free(text);
    snprintf(path, sizeof path, "%s/energy_fwd.gp", plots);
    ck_assert_int_eq(access(path, R_OK), 0);
    th_run_release(&r);
    th_rmdir(plots);
    th_rmdir(dir);
}
END_TEST

Suite *report_cli_suite(void)
{
    Suite *s = suite_create("report_cli");
    TCase *tc = tcase_create("cli");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, report_should_render_the_csv_and_markdown_of_a_map_run_byte_for_byte,
                        0, (int)(sizeof runs / sizeof runs[0]));
    tcase_add_test(tc, report_plots_should_render_to_valid_svg_and_pdf);
    tcase_add_test(tc, report_plots_should_be_written_without_gnuplot_with_a_note_on_rendering);
    tcase_add_test(tc, map_should_write_the_outputs_it_is_asked_for);
    suite_add_tcase(s, tc);
    return s;
}
