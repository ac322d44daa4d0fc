/*
 * Tests of sweep/sweep.c and sweep/sweep_report.c: --vary parsing, the
 * order of variants and cells, invalid variants carrying the arch loader's
 * message, one job per distinct problem, the blob round trip, and the
 * cell totals and best cells of the summary checked against sums and
 * minimums computed here from the per-kernel results.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../sweep/sweep.h"
#include "../sweep/sweep_report.h"

#define RF4 "tests/data/sweep/rf4.json"
#define GB_RF4 "tests/data/sweep/gb_rf4.json"
#define CONV "tests/data/sweep/conv.json"
#define TWINS "tests/data/sweep/twins.json"

/* A spec over the given files and --vary strings, all layers, every kernel,
 * exhaustive EDP search. */
struct fixture {
    const char *arch[4], *wpath[4];
    struct workload *w[4];
    bool *matched[4];
    struct sweep_vary vary[SWEEP_MAX_VARY];
    struct sweep_spec spec;
};

static void fixture_init(struct fixture *f, const char *const *archs, int na,
                         const char *const *wls, int nw, const char *const *vary, int nv)
{
    struct err e;
    memset(f, 0, sizeof *f);
    for (int i = 0; i < na; i++)
        f->arch[i] = archs[i];
    for (int i = 0; i < nw; i++) {
        f->wpath[i] = wls[i];
        ck_assert_int_eq(workload_load(wls[i], &f->w[i], &e), 0);
        f->matched[i] = calloc((size_t)f->w[i]->nlayers, sizeof(bool));
        for (int l = 0; l < f->w[i]->nlayers; l++)
            f->matched[i][l] = true;
    }
    for (int i = 0; i < nv; i++)
        ck_assert_int_eq(sweep_vary_parse(vary[i], &f->vary[i], &e), 0);
    f->spec = (struct sweep_spec){
        .narchs = na, .arch_path = f->arch, .nworkloads = nw, .workload_path = f->wpath,
        .workload = f->w, .matched = (const bool *const *)f->matched, .nvary = nv,
        .vary = f->vary, .strategy = STRATEGY_EXHAUSTIVE, .objective = OBJ_EDP, .seed = 1,
        .time_limit_s = 60,
    };
    for (int k = 0; k < KERNEL_COUNT; k++)
        f->spec.kernel[k] = true;
}

static void fixture_release(struct fixture *f)
{
    for (int i = 0; i < 4; i++) {
        workload_free(f->w[i]);
        free(f->matched[i]);
    }
    for (int i = 0; i < SWEEP_MAX_VARY; i++)
        sweep_vary_release(&f->vary[i]);
}

START_TEST(sweep_vary_parse_should_split_level_field_and_values)
{
    struct sweep_vary v;
    struct err e;
    ck_assert_int_eq(sweep_vary_parse("GlobalBuffer.size_words=32768,65536,1.5e3", &v, &e), 0);
    ck_assert_str_eq(v.level, "GlobalBuffer");
    ck_assert_str_eq(v.field, "size_words");
    ck_assert_int_eq(v.nvalues, 3);
    ck_assert_str_eq(v.value[0], "32768");
    ck_assert_str_eq(v.value[2], "1.5e3");
    sweep_vary_release(&v);
    ck_assert_int_eq(sweep_vary_parse("L2.bank0.read_bw=0.5", &v, &e), 0);
    ck_assert_str_eq(v.level, "L2.bank0");
    ck_assert_str_eq(v.field, "read_bw");
    sweep_vary_release(&v);
}
END_TEST

START_TEST(sweep_vary_parse_should_reject_a_spec_without_level_and_field)
{
    struct sweep_vary v;
    struct err e;
    ck_assert_int_eq(sweep_vary_parse("GlobalBuffer=1", &v, &e), ERR_USAGE);
    ck_assert_str_eq(e.msg, "--vary 'GlobalBuffer=1': expected LEVEL.FIELD=V1,V2,...");
    sweep_vary_release(&v);
}
END_TEST

START_TEST(sweep_vary_parse_should_reject_a_value_that_is_not_a_number)
{
    struct sweep_vary v;
    struct err e;
    ck_assert_int_eq(sweep_vary_parse("RegisterFile.mesh_x=4,0x8", &v, &e), ERR_USAGE);
    ck_assert_str_eq(e.msg, "--vary 'RegisterFile.mesh_x=4,0x8': expected a number, got '0x8'");
    sweep_vary_release(&v);
    ck_assert_int_eq(sweep_vary_parse("RegisterFile.mesh_x=4,,8", &v, &e), ERR_USAGE);
    ck_assert_str_eq(e.msg, "--vary 'RegisterFile.mesh_x=4,,8': expected a number, got ''");
    sweep_vary_release(&v);
}
END_TEST

START_TEST(sweep_plan_should_order_variants_arch_major_with_the_last_vary_fastest)
{
    static const char *const archs[] = { RF4, GB_RF4 }, *const wls[] = { CONV };
    static const char *const vary[] = { "RegisterFile.size_words=16,32,64",
                                        "DRAM.read_pj=100,200" };
    struct fixture f;
    struct sweep_plan p;
    struct err e;
    fixture_init(&f, archs, 2, wls, 1, vary, 2);
    ck_assert_int_eq(sweep_plan_build(&f.spec, &p, &e), 0);
    /* 2 files x 3 x 2 values = 12 variants; one workload: 12 cells. */
    ck_assert_int_eq(p.nvariants, 12);
    ck_assert_uint_eq(p.ncells, 12);
    for (int v = 0; v < 12; v++) {
        ck_assert_int_eq(p.variant[v].arch, v / 6);
        ck_assert_int_eq(p.variant[v].choice[0], (v % 6) / 2);
        ck_assert_int_eq(p.variant[v].choice[1], v % 2);
        ck_assert_ptr_nonnull(p.variant[v].a);
    }
    /* Variant 9: gb_rf4 (levels DRAM, GlobalBuffer, RegisterFile) with
     * size_words 32 (choice 1) and DRAM read_pj 200 (choice 1). */
    ck_assert_uint_eq(p.variant[9].a->level[2].size_words, 32);
    ck_assert(p.variant[9].a->level[0].read_pj == 200.0);
    ck_assert_ptr_nonnull(strstr(p.variant[9].json, "\"size_words\":\t32,"));
    sweep_plan_release(&p);
    fixture_release(&f);
}
END_TEST

START_TEST(sweep_plan_should_give_an_invalid_variant_the_loaders_message)
{
    static const char *const archs[] = { RF4 }, *const wls[] = { CONV };
    static const char *const vary[] = { "RegisterFile.size_words=0,64" };
    struct fixture f;
    struct sweep_plan p;
    struct err e;
    fixture_init(&f, archs, 1, wls, 1, vary, 1);
    ck_assert_int_eq(sweep_plan_build(&f.spec, &p, &e), 0);
    ck_assert_ptr_null(p.variant[0].a);
    ck_assert_str_eq(p.variant[0].error, RF4 ": levels[1].size_words: expected a positive "
                                         "integer, got 0");
    ck_assert_int_eq(p.cell[0].nentries, 0);
    ck_assert_ptr_nonnull(p.variant[1].a);
    /* conv.json's only layer is the first: fwd, bwd_weight, update. */
    ck_assert_int_eq(p.cell[1].nentries, 3);
    ck_assert_uint_eq(p.njobs, 3);
    sweep_plan_release(&p);
    fixture_release(&f);
}
END_TEST

START_TEST(sweep_plan_should_refuse_a_level_the_arch_lacks)
{
    static const char *const archs[] = { GB_RF4, RF4 }, *const wls[] = { CONV };
    static const char *const vary[] = { "GlobalBuffer.size_words=128" };
    struct fixture f;
    struct sweep_plan p;
    struct err e;
    fixture_init(&f, archs, 2, wls, 1, vary, 1);
    ck_assert_int_eq(sweep_plan_build(&f.spec, &p, &e), ERR_USAGE);
    ck_assert_str_eq(e.msg, "--vary GlobalBuffer.size_words: " RF4 " has no level "
                            "'GlobalBuffer'");
    sweep_plan_release(&p);
    fixture_release(&f);
}
END_TEST

START_TEST(sweep_plan_should_refuse_a_field_that_is_not_numeric)
{
    static const char *const archs[] = { RF4 }, *const wls[] = { CONV };
    static const char *const vary[] = { "MACC.name=1" };
    struct fixture f;
    struct sweep_plan p;
    struct err e;
    fixture_init(&f, archs, 1, wls, 1, vary, 1);
    ck_assert_int_eq(sweep_plan_build(&f.spec, &p, &e), ERR_USAGE);
    ck_assert_str_eq(e.msg, "--vary MACC.name: unknown field 'name' (a compute entry has "
                            "mesh_x, mesh_y, energy_pj)");
    sweep_plan_release(&p);
    fixture_release(&f);
}
END_TEST

START_TEST(sweep_plan_should_vary_the_compute_entry_by_its_name_or_as_compute)
{
    static const char *const archs[] = { RF4 }, *const wls[] = { CONV };
    static const char *const vary[] = { "MACC.mesh_x=2,4", "compute.energy_pj=0.5" };
    struct fixture f;
    struct sweep_plan p;
    struct err e;
    fixture_init(&f, archs, 1, wls, 1, vary, 2);
    ck_assert_int_eq(sweep_plan_build(&f.spec, &p, &e), 0);
    ck_assert_int_eq(p.nvariants, 2);
    ck_assert_uint_eq(p.variant[1].a->compute.mesh_x, 4);
    ck_assert(p.variant[1].a->compute.energy_pj == 0.5);
    /* 4 MACs under a 2-wide register file mesh: a fanout of 2 in X. */
    ck_assert_uint_eq(p.variant[1].a->level[1].fanout_x, 2);
    sweep_plan_release(&p);
    fixture_release(&f);
}
END_TEST

START_TEST(sweep_plan_should_let_write_pj_replace_fill_and_update)
{
    static const char *const archs[] = { GB_RF4 }, *const wls[] = { CONV };
    static const char *const vary[] = { "GlobalBuffer.write_pj=5" };
    struct fixture f;
    struct sweep_plan p;
    struct err e;
    fixture_init(&f, archs, 1, wls, 1, vary, 1);
    ck_assert_int_eq(sweep_plan_build(&f.spec, &p, &e), 0);
    ck_assert_msg(p.variant[0].a != NULL, "%s", p.variant[0].error);
    /* gb_rf4.json has fill_pj 6.5 and update_pj 7.0 at the global buffer. */
    ck_assert(p.variant[0].a->level[1].fill_pj == 5.0);
    ck_assert(p.variant[0].a->level[1].update_pj == 5.0);
    ck_assert(p.variant[0].a->level[1].read_pj == 6.0);
    sweep_plan_release(&p);
    fixture_release(&f);
}
END_TEST

START_TEST(sweep_plan_should_search_identical_problems_once)
{
    static const char *const archs[] = { RF4 }, *const wls[] = { CONV, TWINS };
    struct fixture f;
    struct sweep_plan p;
    struct err e;
    fixture_init(&f, archs, 1, wls, 2, NULL, 0);
    ck_assert_int_eq(sweep_plan_build(&f.spec, &p, &e), 0);
    /* conv: c fwd, bwd_weight, update (first layer: no bwd_data) = 3 jobs.
     * twins: t1 is c's shape, first layer: its 3 kernels reuse c's jobs;
     * t2 (same shape, not first) adds bwd_data only; fc adds fwd,
     * bwd_data, bwd_weight, update.  3 + 1 + 4 = 8 jobs; entries 3 + 11. */
    ck_assert_uint_eq(p.njobs, 8);
    ck_assert_int_eq(p.cell[0].nentries, 3);
    ck_assert_int_eq(p.cell[1].nentries, 11);
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_eq(p.cell[1].entry[i].job, p.cell[0].entry[i].job);  /* t1 = c */
        ck_assert_uint_eq(p.cell[1].entry[i].job, (uint32_t)i);
    }
    /* t2: fwd, bwd_data, bwd_weight, update at entries 3..6. */
    ck_assert_uint_eq(p.cell[1].entry[3].job, 0);
    ck_assert_uint_eq(p.cell[1].entry[4].job, 3);
    ck_assert_uint_eq(p.cell[1].entry[5].job, 1);
    ck_assert_uint_eq(p.cell[1].entry[6].job, 2);
    ck_assert_uint_eq(p.job[3].cell, 1);
    sweep_plan_release(&p);
    fixture_release(&f);
}
END_TEST

START_TEST(sweep_plan_should_share_the_jobs_of_identical_variants)
{
    static const char *const archs[] = { RF4 }, *const wls[] = { CONV };
    static const char *const vary[] = { "RegisterFile.size_words=64,32,64" };
    struct fixture f;
    struct sweep_plan p;
    struct err e;
    fixture_init(&f, archs, 1, wls, 1, vary, 1);
    ck_assert_int_eq(sweep_plan_build(&f.spec, &p, &e), 0);
    ck_assert_int_eq(p.variant[1].same_as, -1);
    ck_assert_int_eq(p.variant[2].same_as, 0);
    /* Two distinct variants of 3 jobs each. */
    ck_assert_uint_eq(p.njobs, 6);
    for (int i = 0; i < 3; i++)
        ck_assert_uint_eq(p.cell[2].entry[i].job, p.cell[0].entry[i].job);
    sweep_plan_release(&p);
    fixture_release(&f);
}
END_TEST

START_TEST(sweep_result_decode_should_give_back_the_search_result)
{
    static const char *const archs[] = { RF4 }, *const wls[] = { TWINS };
    struct fixture f;
    struct sweep_plan p;
    struct err e;
    static struct search_result direct, decoded;
    char error[ERR_MSG_MAX];
    fixture_init(&f, archs, 1, wls, 1, NULL, 0);
    ck_assert_int_eq(sweep_plan_build(&f.spec, &p, &e), 0);
    struct search_options so = { .strategy = STRATEGY_EXHAUSTIVE, .objective = OBJ_EDP,
                                 .threads = 1, .seed = 1, .time_limit_s = 60,
                                 .constraints = &p.variant[0].cons };
    for (uint32_t j = 0; j < p.njobs; j++) {
        char *blob;
        size_t len;
        ck_assert_int_eq(sweep_solve(&p, j, NULL, &blob, &len, &e), 0);
        ck_assert(!sweep_blob_interrupted(blob, len));
        ck_assert_ptr_null(memchr(blob, '\n', len));
        ck_assert_int_eq(sweep_result_decode(&p, j, "blob", blob, len, &decoded, error, &e), 0);
        ck_assert_int_eq(search_run(p.variant[0].a, &p.job[j].problem, &so, &direct, &e), 0);
        ck_assert(decoded.found && direct.found);
        ck_assert(decoded.optimal == direct.optimal);
        ck_assert_uint_eq(decoded.evaluated, direct.evaluated);
        ck_assert(memcmp(&decoded.stats.energy_pj, &direct.stats.energy_pj,
                         sizeof(double)) == 0);
        ck_assert_uint_eq(decoded.stats.cycles, direct.stats.cycles);
        free(blob);
    }
    sweep_plan_release(&p);
    fixture_release(&f);
}
END_TEST

START_TEST(sweep_result_decode_should_refuse_the_result_of_another_job)
{
    static const char *const archs[] = { RF4 }, *const wls[] = { CONV };
    struct fixture f;
    struct sweep_plan p;
    struct err e;
    static struct search_result out;
    char error[ERR_MSG_MAX], *blob;
    size_t len;
    fixture_init(&f, archs, 1, wls, 1, NULL, 0);
    ck_assert_int_eq(sweep_plan_build(&f.spec, &p, &e), 0);
    ck_assert_int_eq(sweep_solve(&p, 0, NULL, &blob, &len, &e), 0);
    ck_assert_int_eq(sweep_result_decode(&p, 1, "j.journal", blob, len, &out, error, &e),
                     ERR_SCHEMA);
    ck_assert_str_eq(e.msg, "j.journal: not the result of problem 1");
    free(blob);
    sweep_plan_release(&p);
    fixture_release(&f);
}
END_TEST

START_TEST(sweep_solve_should_mark_a_stopped_search_as_no_result)
{
    static const char *const archs[] = { RF4 }, *const wls[] = { CONV };
    struct fixture f;
    struct sweep_plan p;
    struct err e;
    atomic_int stop;
    char *blob;
    size_t len;
    atomic_init(&stop, 1);
    fixture_init(&f, archs, 1, wls, 1, NULL, 0);
    ck_assert_int_eq(sweep_plan_build(&f.spec, &p, &e), 0);
    ck_assert_int_eq(sweep_solve(&p, 0, &stop, &blob, &len, &e), 0);
    ck_assert(sweep_blob_interrupted(blob, len));
    free(blob);
    sweep_plan_release(&p);
    fixture_release(&f);
}
END_TEST

START_TEST(sweep_inputs_sha256_should_change_with_the_options_and_values)
{
    static const char *const archs[] = { RF4 }, *const wls[] = { CONV };
    static const char *const vary_a[] = { "RegisterFile.size_words=16,32" };
    static const char *const vary_b[] = { "RegisterFile.size_words=16,64" };
    struct fixture f, g;
    char a[SHA256_HEX_SIZE], a2[SHA256_HEX_SIZE], b[SHA256_HEX_SIZE], s[SHA256_HEX_SIZE];
    struct err e;
    fixture_init(&f, archs, 1, wls, 1, vary_a, 1);
    fixture_init(&g, archs, 1, wls, 1, vary_b, 1);
    ck_assert_int_eq(sweep_inputs_sha256(&f.spec, a, &e), 0);
    ck_assert_int_eq(sweep_inputs_sha256(&f.spec, a2, &e), 0);
    ck_assert_int_eq(sweep_inputs_sha256(&g.spec, b, &e), 0);
    f.spec.seed = 2;
    ck_assert_int_eq(sweep_inputs_sha256(&f.spec, s, &e), 0);
    ck_assert_str_eq(a, a2);
    ck_assert_str_ne(a, b);
    ck_assert_str_ne(a, s);
    fixture_release(&f);
    fixture_release(&g);
}
END_TEST

/* Runs every job of p and decodes the results into the arrays. */
static void run_all(const struct sweep_plan *p, bool *have, struct search_result *res,
                    char (*error)[ERR_MSG_MAX])
{
    struct err e;
    for (uint32_t j = 0; j < p->njobs; j++) {
        char *blob;
        size_t len;
        ck_assert_int_eq(sweep_solve(p, j, NULL, &blob, &len, &e), 0);
        ck_assert_int_eq(sweep_result_decode(p, j, "blob", blob, len, &res[j], error[j], &e), 0);
        have[j] = true;
        free(blob);
    }
}

START_TEST(sweep_summarize_should_sum_each_cell_and_pick_the_best_variants)
{
    static const char *const archs[] = { RF4 }, *const wls[] = { CONV, TWINS };
    static const char *const vary[] = { "RegisterFile.size_words=0,2,64" };
    struct fixture f;
    struct sweep_plan p;
    struct sweep_summary sum;
    struct err e;
    static bool have[64];
    static struct search_result res[64];
    static char error[64][ERR_MSG_MAX];
    char dir[] = "/tmp/trainmap-sweep-XXXXXX", path[128];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    fixture_init(&f, archs, 1, wls, 2, vary, 1);
    ck_assert_int_eq(sweep_plan_build(&f.spec, &p, &e), 0);
    ck_assert_uint_le(p.njobs, 64);
    run_all(&p, have, res, error);
    struct sweep_results r = { .have = have, .result = res, .error = error };
    ck_assert_int_eq(sweep_summarize(&p, &r, dir, "0.1.0", &sum, &e), 0);
    /* Cells: variant-major, workload-minor; variant 0 (size 0) invalid. */
    ck_assert_int_eq(sum.cell[0].status, SWEEP_INVALID);
    ck_assert_int_eq(sum.cell[1].status, SWEEP_INVALID);
    for (uint32_t c = 2; c < 6; c++) {
        const struct sweep_cell *cell = &p.cell[c];
        double energy = 0;
        uint64_t cycles = 0, macs = 0;
        ck_assert_int_eq(sum.cell[c].status, SWEEP_OK);
        /* The step total is the sum of the kernels, in report order. */
        for (int n = 0; n < cell->nentries; n++) {
            energy += res[cell->entry[n].job].stats.energy_pj;
            cycles += res[cell->entry[n].job].stats.cycles;
            macs += res[cell->entry[n].job].stats.macs;
        }
        ck_assert(sum.cell[c].totals.step.energy_pj == energy);
        ck_assert_uint_eq(sum.cell[c].totals.step.cycles, cycles);
        ck_assert_uint_eq(sum.cell[c].totals.step.macs, macs);
        ck_assert_uint_eq(sum.cell[c].mac_count, 4);    /* 2 x 2 MACs */
        snprintf(path, sizeof path, "%s/cell-%04u.json", dir, c);
        ck_assert_int_eq(access(path, R_OK), 0);
        ck_assert_str_eq(sum.cell[c].report, path);
    }
    /* Per workload, the best of its two valid cells (2 and 4 for conv, 3
     * and 5 for twins) by each goal; a tie goes to the lower energy (on
     * latency: the lower cycles), then to the earlier cell. */
    for (int wl = 0; wl < 2; wl++) {
        const struct report_sum *x = &sum.cell[2 + wl].totals.step;
        const struct report_sum *y = &sum.cell[4 + wl].totals.step;
        double xe = x->energy_pj, ye = y->energy_pj;
        double xt = (double)x->cycles, yt = (double)y->cycles;
        int be = ye < xe || (ye == xe && yt < xt) ? 4 + wl : 2 + wl;
        int bl = yt < xt || (yt == xt && ye < xe) ? 4 + wl : 2 + wl;
        int bd = ye * yt < xe * xt || (ye * yt == xe * xt && ye < xe) ? 4 + wl : 2 + wl;
        ck_assert_int_eq(sum.best[wl][SWEEP_BY_ENERGY], be);
        ck_assert_int_eq(sum.best[wl][SWEEP_BY_LATENCY], bl);
        ck_assert_int_eq(sum.best[wl][SWEEP_BY_EDP], bd);
    }
    for (int v = 0; v < 3; v++) {
        snprintf(path, sizeof path, "%s/variant-%03d.json", dir, v);
        ck_assert_int_eq(access(path, R_OK), 0);
        unlink(path);
    }
    for (uint32_t c = 2; c < 6; c++) {
        snprintf(path, sizeof path, "%s/cell-%04u.json", dir, c);
        unlink(path);
    }
    ck_assert_int_eq(rmdir(dir), 0);
    sweep_summary_release(&sum);
    sweep_plan_release(&p);
    fixture_release(&f);
}
END_TEST

START_TEST(sweep_summarize_should_not_count_a_cell_without_kernels)
{
    static const char *const archs[] = { RF4 }, *const wls[] = { CONV, TWINS };
    struct fixture f;
    struct sweep_plan p;
    struct sweep_summary sum;
    struct err e;
    static bool have[8];
    static struct search_result res[8];
    static char error[8][ERR_MSG_MAX];
    char dir[] = "/tmp/trainmap-sweep-XXXXXX", path[128];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    fixture_init(&f, archs, 1, wls, 2, NULL, 0);
    for (int k = 0; k < KERNEL_COUNT; k++)
        f.spec.kernel[k] = k == KERNEL_BWD_DATA;
    ck_assert_int_eq(sweep_plan_build(&f.spec, &p, &e), 0);
    /* conv's only layer is the first, which has no bwd_data; twins has
     * t2's and fc's. */
    ck_assert_int_eq(p.cell[0].nentries, 0);
    ck_assert_int_eq(p.cell[1].nentries, 2);
    run_all(&p, have, res, error);
    struct sweep_results r = { .have = have, .result = res, .error = error };
    ck_assert_int_eq(sweep_summarize(&p, &r, dir, "0.1.0", &sum, &e), 0);
    ck_assert_int_eq(sum.cell[0].status, SWEEP_NO_MAPPING);
    ck_assert_str_eq(sum.cell[0].error, "no kernel to map: the kernels given with -k do not "
                                        "occur in the selected layers");
    ck_assert_int_eq(sum.best[0][SWEEP_BY_ENERGY], -1);
    ck_assert_int_eq(sum.best[1][SWEEP_BY_ENERGY], 1);
    for (int c = 0; c < 2; c++) {
        snprintf(path, sizeof path, "%s/cell-%04d.json", dir, c);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/variant-000.json", dir);
    unlink(path);
    ck_assert_int_eq(rmdir(dir), 0);
    sweep_summary_release(&sum);
    sweep_plan_release(&p);
    fixture_release(&f);
}
END_TEST

START_TEST(sweep_sum_should_give_edp_and_utilization)
{
    struct report_sum s = { .energy_pj = 2.5, .cycles = 10, .macs = 30 };
    ck_assert(sweep_sum_edp(&s) == 25.0);
    /* 30 MACs on 4 units in 10 cycles: 30 / 40. */
    ck_assert(sweep_sum_utilization(&s, 4) == 0.75);
    s.cycles = 0;
    ck_assert(sweep_sum_utilization(&s, 4) == 0.0);
}
END_TEST

START_TEST(sweep_cells_dir_should_replace_the_json_extension)
{
    char *d = sweep_cells_dir("out/s.json");
    ck_assert_str_eq(d, "out/s.cells");
    free(d);
    d = sweep_cells_dir("sweep");
    ck_assert_str_eq(d, "sweep.cells");
    free(d);
}
END_TEST

Suite *sweep_suite(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("plan");
    tcase_add_test(tc, sweep_vary_parse_should_split_level_field_and_values);
    tcase_add_test(tc, sweep_vary_parse_should_reject_a_spec_without_level_and_field);
    tcase_add_test(tc, sweep_vary_parse_should_reject_a_value_that_is_not_a_number);
    tcase_add_test(tc, sweep_plan_should_order_variants_arch_major_with_the_last_vary_fastest);
    tcase_add_test(tc, sweep_plan_should_give_an_invalid_variant_the_loaders_message);
    tcase_add_test(tc, sweep_plan_should_refuse_a_level_the_arch_lacks);
    tcase_add_test(tc, sweep_plan_should_refuse_a_field_that_is_not_numeric);
    tcase_add_test(tc, sweep_plan_should_vary_the_compute_entry_by_its_name_or_as_compute);
    tcase_add_test(tc, sweep_plan_should_let_write_pj_replace_fill_and_update);
    tcase_add_test(tc, sweep_plan_should_search_identical_problems_once);
    tcase_add_test(tc, sweep_plan_should_share_the_jobs_of_identical_variants);
    tcase_add_test(tc, sweep_inputs_sha256_should_change_with_the_options_and_values);
    tcase_add_test(tc, sweep_cells_dir_should_replace_the_json_extension);
    tcase_add_test(tc, sweep_sum_should_give_edp_and_utilization);
    suite_add_tcase(s, tc);
    TCase *run = tcase_create("run");
    tcase_set_timeout(run, 60);
    tcase_add_test(run, sweep_result_decode_should_give_back_the_search_result);
    tcase_add_test(run, sweep_result_decode_should_refuse_the_result_of_another_job);
    tcase_add_test(run, sweep_solve_should_mark_a_stopped_search_as_no_result);
    tcase_add_test(run, sweep_summarize_should_sum_each_cell_and_pick_the_best_variants);
    tcase_add_test(run, sweep_summarize_should_not_count_a_cell_without_kernels);
    suite_add_tcase(s, run);
    return s;
}
