/*
 * Tests of reports/compare and `trainmap compare`.  The reference pair is
 * twins.json (tests/data/map/twins.json on tests/data/map/tiny_4pe.json)
 * and twins_half.json (the same on tests/data/compare/tiny_4pe_half.json,
 * every per-access and per-MAC energy halved).  Halving every price halves
 * every mapping's energy exactly (each term of the sum is halved, and
 * halving is exact in binary) and leaves its cycles alone, so the search
 * picks the same mappings: by hand, every energy and EDP ratio to tiny-4pe
 * is exactly 0.5 and every cycle ratio 1.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../reports/compare.h"
#include "report_helpers.h"

#define DIR "tests/data/reports/"

struct pair {
    struct report_doc *doc[3];
    struct compare c;
};

static struct report_doc *load(const char *path)
{
    struct report_doc *doc;
    struct err e;
    ck_assert_msg(report_doc_load(path, &doc, &e) == 0, "%s", e.msg);
    return doc;
}

static void pair_init(struct pair *p, const char *a, const char *b)
{
    struct err e;
    p->doc[0] = load(a);
    p->doc[1] = load(b);
    ck_assert_msg(compare_init(&p->c, (const struct report_doc *const *)p->doc, 2, &e) == 0,
                  "%s", e.msg);
}

static void pair_release(struct pair *p)
{
    compare_release(&p->c);
    report_doc_free(p->doc[0]);
    report_doc_free(p->doc[1]);
}

START_TEST(compare_should_give_the_halved_arch_half_the_energy_and_edp)
{
    struct pair p;
    pair_init(&p, DIR "twins.json", DIR "twins_half.json");
    const struct compare *c = &p.c;
    ck_assert_str_eq(c->label[0], "tiny-4pe");
    ck_assert_str_eq(c->label[1], "tiny-4pe-half");
    int rows[] = { KERNEL_FWD, KERNEL_BWD_DATA, KERNEL_BWD_WEIGHT, KERNEL_UPDATE, COMPARE_STEP };
    for (int i = 0; i < 5; i++) {
        const struct compare_metrics *a = &c->kernel[rows[i]][0], *b = &c->kernel[rows[i]][1];
        ck_assert(a->complete && b->complete);
        ck_assert(a->energy_ratio == 1.0 && a->cycles_ratio == 1.0 && a->edp_ratio == 1.0);
        ck_assert_msg(b->energy_ratio == 0.5 && b->cycles_ratio == 1.0 && b->edp_ratio == 0.5,
                      "%s: %.17g %.17g %.17g", compare_row_name(rows[i]), b->energy_ratio,
                      b->cycles_ratio, b->edp_ratio);
        ck_assert(b->energy_pj == a->energy_pj / 2 && b->cycles == a->cycles);
    }
    /* The step of tiny-4pe (tests/data/reports/README.md): 178056.8 pJ in
     * 238 cycles, 952 MACs, every MAC busy every cycle. */
    const struct compare_metrics *step = &c->kernel[COMPARE_STEP][0];
    ck_assert(step->energy_pj == 178056.8 && step->cycles == 238 && step->macs == 952);
    ck_assert(step->edp == 178056.8 * 238 && step->utilization == 1.0);
    ck_assert(!c->present[KERNEL_IM2COL] && c->present[KERNEL_UPDATE]);
    /* Levels: both archs have DRAM and RegisterFile; DRAM 175200 pJ
     * halved is 87600; MACs 952 pJ halved is 476. */
    ck_assert_int_eq(c->nlevels, 2);
    ck_assert_str_eq(c->level_name[0], "DRAM");
    ck_assert_str_eq(c->level_name[1], "RegisterFile");
    ck_assert(c->level_pj[1][0] == 87600.0 && c->level_pj[1][2] == 476.0);
    /* Layers: the halved arch wins energy and EDP, cycles tie. fc:
     * 21156.8 + 21099.2 + 21084.8 + 38649.6 = 101990.4 pJ in 32 + 32 +
     * 32 + 16 = 112 cycles. */
    ck_assert_int_eq(c->nlayers, 3);
    for (int l = 0; l < 3; l++) {
        const struct compare_layer *ly = &c->layers[l];
        ck_assert_uint_eq(ly->win_energy, 2u);
        ck_assert_uint_eq(ly->win_cycles, 3u);
        ck_assert_uint_eq(ly->win_edp, 2u);
    }
    ck_assert_str_eq(c->layers[2].name, "fc");
    ck_assert(fabs(c->layers[2].arch[0].energy_pj - 101990.4) < 1e-9);
    ck_assert(c->layers[2].arch[0].cycles == 112);
    pair_release(&p);
}
END_TEST

START_TEST(compare_should_match_levels_by_name_across_archs)
{
    struct pair p;
    /* validation-16pe: DRAM, GlobalBuffer, RegisterFile; tiny-4pe has no
     * global buffer.  16 MACs instead of 4: fwd takes 320 / 16 = 20
     * cycles where tiny-4pe takes 320 / 4 = 80, so 16pe wins cycles. */
    pair_init(&p, DIR "twins.json", DIR "twins_16pe.json");
    const struct compare *c = &p.c;
    ck_assert_int_eq(c->nlevels, 3);
    ck_assert_str_eq(c->level_name[0], "DRAM");
    ck_assert_str_eq(c->level_name[1], "GlobalBuffer");
    ck_assert_str_eq(c->level_name[2], "RegisterFile");
    ck_assert(!c->has_level[0][1] && c->has_level[1][1] && c->has_level[0][2]);
    ck_assert(c->level_pj[0][1] == 0);
    ck_assert(c->kernel[KERNEL_FWD][1].cycles == 20 && c->kernel[KERNEL_FWD][0].cycles == 80);
    ck_assert(c->kernel[KERNEL_FWD][1].cycles_ratio == 0.25);
    for (int l = 0; l < 3; l++)
        ck_assert_uint_eq(c->layers[l].win_cycles, 2u);
    struct textbuf b;
    struct err e;
    textbuf_init(&b);
    ck_assert_int_eq(compare_markdown(c, &b, &e), 0);
    ck_assert_ptr_nonnull(strstr(b.data, "\n| GlobalBuffer | - | "));
    textbuf_release(&b);
    pair_release(&p);
}
END_TEST

START_TEST(compare_should_number_a_repeated_arch)
{
    struct pair p;
    pair_init(&p, DIR "twins.json", DIR "twins.json");
    ck_assert_str_eq(p.c.label[0], "tiny-4pe");
    ck_assert_str_eq(p.c.label[1], "tiny-4pe (2)");
    ck_assert(p.c.kernel[COMPARE_STEP][1].edp_ratio == 1.0);
    ck_assert_uint_eq(p.c.layers[0].win_edp, 3u);
    pair_release(&p);
}
END_TEST

static const struct {
    const char *other, *message;
} refusals[] = {
    { DIR "one_layer.json",
      DIR "one_layer.json: workload 'one-layer' (sha256 b107c96b995b...) is not " DIR
      "twins.json's workload 'twins' (sha256 c8723dd88c5a...): compare needs reports of one "
      "workload" },
    { DIR "twins_c.json",
      DIR "twins_c.json: 2 layers where " DIR "twins.json has 3: compare needs reports of "
      "the same layers and kernels (the same --layers, -k and --lowering)" },
    { DIR "twins_fwd.json",
      DIR "twins_fwd.json: layer 'c1' has other kernels than in " DIR "twins.json: compare "
      "needs reports of the same layers and kernels (the same --layers, -k and --lowering)" },
};

START_TEST(compare_should_refuse_reports_that_do_not_match)
{
    struct report_doc *doc[2] = { load(DIR "twins.json"), load(refusals[_i].other) };
    struct compare c;
    struct err e;
    ck_assert_int_eq(compare_init(&c, (const struct report_doc *const *)doc, 2, &e),
                     ERR_SCHEMA);
    ck_assert_str_eq(e.msg, refusals[_i].message);
    compare_release(&c);
    ck_assert_int_eq(compare_init(&c, (const struct report_doc *const *)doc, 1, &e), ERR_USAGE);
    report_doc_free(doc[0]);
    report_doc_free(doc[1]);
}
END_TEST

static const cJSON *item(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

START_TEST(compare_print_should_follow_the_documented_shape)
{
    struct pair p;
    struct err e;
    pair_init(&p, DIR "twins.json", DIR "twins_half.json");
    char *text = compare_print(&p.c, "0.1.0", "trainmap compare x", &e);
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(text[strlen(text) - 1], '\n');
    cJSON *root = cJSON_Parse(text);
    ck_assert_ptr_nonnull(root);
    ck_assert(item(root, "schema")->valuedouble == 1);
    ck_assert_str_eq(item(item(root, "workload"), "name")->valuestring, "twins");
    const cJSON *archs = item(root, "archs");
    ck_assert_int_eq(cJSON_GetArraySize(archs), 2);
    const cJSON *a1 = cJSON_GetArrayItem(archs, 1);
    ck_assert_str_eq(item(a1, "label")->valuestring, "tiny-4pe-half");
    ck_assert_str_eq(item(a1, "report")->valuestring, DIR "twins_half.json");
    ck_assert_str_eq(item(item(a1, "arch"), "path")->valuestring,
                     "tests/data/compare/tiny_4pe_half.json");
    const cJSON *lv = item(a1, "step_energy_by_level");
    ck_assert_int_eq(cJSON_GetArraySize(lv), 3);
    ck_assert(item(cJSON_GetArrayItem(lv, 0), "energy_pj")->valuedouble == 87600.0);
    ck_assert(cJSON_IsTrue(item(cJSON_GetArrayItem(lv, 2), "compute")));
    static const char *const kernels[] = { "fwd", "bwd_data", "bwd_weight", "update", "step" };
    const cJSON *rows = item(root, "kernels");
    ck_assert_int_eq(cJSON_GetArraySize(rows), 5);
    for (int i = 0; i < 5; i++) {
        const cJSON *row = cJSON_GetArrayItem(rows, i);
        ck_assert_str_eq(item(row, "kernel")->valuestring, kernels[i]);
        const cJSON *half = cJSON_GetArrayItem(item(row, "archs"), 1);
        ck_assert(item(half, "energy_ratio")->valuedouble == 0.5);
        ck_assert(item(half, "edp_ratio")->valuedouble == 0.5);
        ck_assert(item(half, "cycles_ratio")->valuedouble == 1.0);
        ck_assert(cJSON_IsTrue(item(half, "complete")));
    }
    const cJSON *w = item(cJSON_GetArrayItem(item(root, "layers"), 0), "winner");
    ck_assert_int_eq(cJSON_GetArraySize(item(w, "cycles")), 2);
    ck_assert_str_eq(cJSON_GetArrayItem(item(w, "edp"), 0)->valuestring, "tiny-4pe-half");
    cJSON_Delete(root);
    free(text);
    pair_release(&p);
}
END_TEST

START_TEST(compare_tables_should_show_the_ratios)
{
    struct pair p;
    struct textbuf b;
    struct err e;
    pair_init(&p, DIR "twins.json", DIR "twins_half.json");
    textbuf_init(&b);
    ck_assert_int_eq(compare_csv(&p.c, &b, &e), 0);
    ck_assert_str_eq(strtok(b.data, "\n"), "kind,name,arch,complete,energy_pj,cycles,edp,"
                     "utilization,energy_ratio,cycles_ratio,edp_ratio,wins");
    textbuf_release(&b);
    ck_assert_int_eq(compare_csv(&p.c, &b, &e), 0);
    /* 178056.8 / 2 = 89028.4 pJ; x 238 cycles = 21188759.2 */
    ck_assert_ptr_nonnull(strstr(b.data, "\nstep,step,tiny-4pe-half,true,89028.4,238,"
                                         "21188759.2,1.0,0.5,1.0,0.5,\n"));
    /* c1: 24 + 24 + 3 cycles; tiny-4pe ties on cycles only */
    ck_assert_ptr_nonnull(strstr(b.data, "\nlayer,c1,tiny-4pe,true,31883.6,51,"));
    ck_assert_ptr_nonnull(strstr(b.data, ",1.0,1.0,1.0,1.0,cycles\nlayer,c1,tiny-4pe-half,"));
    ck_assert_ptr_nonnull(strstr(b.data, ",0.5,1.0,0.5,energy cycles edp\nlayer,c2,"));
    textbuf_release(&b);
    ck_assert_int_eq(compare_markdown(&p.c, &b, &e), 0);
    /* 178.1 nJ and 89.03 nJ, four significant digits */
    ck_assert_ptr_nonnull(strstr(b.data, "\n| step | 178.1 | 89.03 | 0.500 |\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "\n| c1 | 1.626e+06 | 8.130e+05 | tiny-4pe-half | "
                                         "tiny-4pe, tiny-4pe-half | tiny-4pe-half |\n"));
    textbuf_release(&b);
    ck_assert_int_eq(compare_summary(&p.c, &b, &e), 0);
    ck_assert_ptr_nonnull(strstr(b.data, "layers won (least EDP): tiny-4pe 0, tiny-4pe-half 3 "
                                         "(of 3; ties count for each)\n"));
    textbuf_release(&b);
    pair_release(&p);
}
END_TEST

START_TEST(compare_plots_should_write_grouped_bars_per_kernel)
{
    struct pair p;
    struct textbuf names;
    struct err e;
    char dir[64], path[128];
    th_tmpdir(dir, sizeof dir, "cmpplots");
    pair_init(&p, DIR "twins.json", DIR "twins_16pe.json");
    textbuf_init(&names);
    ck_assert_int_eq(compare_plots(&p.c, dir, &names, &e), 0);
    ck_assert_str_eq(names.data, "compare_energy.gp\ncompare_cycles.gp\ncompare_edp.gp\n"
                                 "compare_utilization.gp\ncompare_levels.gp\n");
    snprintf(path, sizeof path, "%s/compare_cycles.dat", dir);
    char *data = th_slurp(path, NULL);
    /* fwd: 80 cycles on tiny-4pe, 20 on validation-16pe */
    ck_assert_ptr_nonnull(strstr(data, "\n\"fwd\"\t80\t20\n"));
    free(data);
    snprintf(path, sizeof path, "%s/compare_levels.dat", dir);
    data = th_slurp(path, NULL);
    ck_assert_ptr_nonnull(strstr(data, "# arch\tDRAM\tGlobalBuffer\tRegisterFile\tMACs\n"));
    free(data);
    textbuf_release(&names);
    pair_release(&p);
    th_rmdir(dir);
}
END_TEST

START_TEST(compare_cli_should_map_each_arch_and_render_what_saved_reports_render)
{
    char dir[64], reports[96], csv1[96], csv2[96], cmp[96], plots[96], path[160];
    th_tmpdir(dir, sizeof dir, "compare");
    snprintf(reports, sizeof reports, "%s/reports", dir);
    snprintf(csv1, sizeof csv1, "%s/a.csv", dir);
    snprintf(csv2, sizeof csv2, "%s/b.csv", dir);
    snprintf(cmp, sizeof cmp, "%s/cmp.json", dir);
    snprintf(plots, sizeof plots, "%s/plots", dir);
    const char *args[] = { "compare", "-a", "tests/data/map/tiny_4pe.json", "-a",
                           "tests/data/compare/tiny_4pe_half.json", "-w",
                           "tests/data/map/twins.json", "-j", "2", "-o", cmp, "--csv", csv1,
                           "--plot", plots, "--reports", reports, NULL };
    struct th_run r;
    th_run(args, NULL, NULL, &r);
    ck_assert_msg(r.code == 0, "exit %d\n%s", r.code, r.err);
    /* the halved arch's step: 89028.4 pJ in 238 cycles, EDP 2.1189e+07 */
    ck_assert_ptr_nonnull(strstr(r.out, " tiny-4pe-half                    89028.40            "
                                        "238   2.1189e+07 "));
    th_run_release(&r);
    char saved1[160], saved2[160];
    snprintf(saved1, sizeof saved1, "%s/tiny_4pe.json", reports);
    snprintf(saved2, sizeof saved2, "%s/tiny_4pe_half.json", reports);
    const char *again[] = { "compare", "--from", saved1, "--from", saved2, "--csv", csv2, NULL };
    th_run(again, NULL, NULL, &r);
    ck_assert_msg(r.code == 0, "exit %d\n%s", r.code, r.err);
    th_run_release(&r);
    size_t n1, n2;
    char *a = th_slurp(csv1, &n1), *b = th_slurp(csv2, &n2);
    ck_assert(a && b && n1 == n2 && memcmp(a, b, n1) == 0);
    free(a);
    free(b);
    char *text = th_slurp(cmp, NULL);
    cJSON *root = cJSON_Parse(text);
    ck_assert_ptr_nonnull(root);
    ck_assert_str_eq(item(cJSON_GetArrayItem(item(root, "archs"), 1), "report")->valuestring,
                     saved2);
    cJSON_Delete(root);
    free(text);
    if (th_have_gnuplot()) {
        static const char *const names[] = { "compare_energy", "compare_cycles", "compare_edp",
                                             "compare_utilization", "compare_levels" };
        for (int i = 0; i < 5; i++) {
            snprintf(path, sizeof path, "%s/%s.svg", plots, names[i]);
            th_check_svg(path);
            snprintf(path, sizeof path, "%s/%s.pdf", plots, names[i]);
            th_check_pdf(path);
        }
    }
    th_rmdir(plots);
    th_rmdir(reports);
    th_rmdir(dir);
}
END_TEST

Suite *compare_suite(void)
{
    Suite *s = suite_create("compare");
    TCase *tc = tcase_create("compare");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, compare_should_give_the_halved_arch_half_the_energy_and_edp);
    tcase_add_test(tc, compare_should_match_levels_by_name_across_archs);
    tcase_add_test(tc, compare_should_number_a_repeated_arch);
    tcase_add_loop_test(tc, compare_should_refuse_reports_that_do_not_match, 0,
                        (int)(sizeof refusals / sizeof refusals[0]));
    tcase_add_test(tc, compare_print_should_follow_the_documented_shape);
    tcase_add_test(tc, compare_tables_should_show_the_ratios);
    tcase_add_test(tc, compare_plots_should_write_grouped_bars_per_kernel);
    tcase_add_test(tc, compare_cli_should_map_each_arch_and_render_what_saved_reports_render);
    suite_add_tcase(s, tc);
    return s;
}
