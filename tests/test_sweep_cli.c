/*
 * End-to-end tests of `trainmap sweep` ($TRAINMAP, default
 * build/trainmap) on the tiny fixtures of tests/data/sweep/: 2 arch files
 * x 3 register-file sizes (0 is rejected by the arch loader) x 2
 * workloads.  The outputs do not depend on -j; a resumed run (from a
 * journal cut as a kill would leave it) writes the same files as an
 * uninterrupted one; a journal of another sweep is refused; every cell's
 * map report is what `trainmap map` writes for the variant; the best cells
 * and the totals are checked against minimums and sums computed here.
 * Timing fields ("search_s", the "run" object) are the only ones stripped
 * before comparing.
 */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/json.h"
#include "report_helpers.h"

#define RF4 "tests/data/sweep/rf4.json"
#define GB_RF4 "tests/data/sweep/gb_rf4.json"
#define CONV "tests/data/sweep/conv.json"
#define TWINS "tests/data/sweep/twins.json"
#define VARY "RegisterFile.size_words=0,2,64"
#define MAX_FILES 64

static const char *binary(void)
{
    const char *b = getenv("TRAINMAP");
    return b && b[0] ? b : "build/trainmap";
}

/* Runs the standard sweep into dir/s.json with -j threads and the extra
 * arguments (NULL-terminated, may be NULL). */
static void run_sweep(const char *dir, const char *threads, const char *const *extra,
                      struct th_run *r)
{
    char out[256];
    const char *args[40] = { "sweep", "-a", RF4, "-a", GB_RF4, "-w", CONV, "-w", TWINS,
                             "--vary", VARY, "-j", threads, "-o", out };
    int n = 15;
    snprintf(out, sizeof out, "%s/s.json", dir);
    for (int i = 0; extra && extra[i] && n < 39; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    th_run(args, NULL, NULL, r);
}

static cJSON *load(const char *path)
{
    cJSON *root;
    struct err e;
    ck_assert_msg(json_load(path, &root, &e) == 0, "%s", e.msg);
    return root;
}

static const cJSON *item(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(v != NULL, "no '%s'", key);
    return v;
}

/* Removes every member named key at any depth. */
static void strip(cJSON *o, const char *key)
{
    cJSON *c;
    if (cJSON_IsObject(o))
        cJSON_DeleteItemFromObjectCaseSensitive(o, key);
    cJSON_ArrayForEach(c, o)
        strip(c, key);
}

/* The file at path without its timing fields, as one string. */
static char *stripped(const char *path)
{
    cJSON *root = load(path);
    strip(root, "search_s");
    cJSON_DeleteItemFromObjectCaseSensitive(root, "run");
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

/* Everything the sweep in dir wrote, timing fields stripped, as one
 * string: the report, then the cells directory's files in name order. */
static char *snapshot(const char *dir)
{
    char path[256], *files[MAX_FILES];
    snprintf(path, sizeof path, "%s/s.cells", dir);
    int n = th_list(path, "", ".json", files, MAX_FILES);
    snprintf(path, sizeof path, "%s/s.json", dir);
    char *all = stripped(path);
    for (int i = 0; i < n; i++) {
        char *t = stripped(files[i]);
        size_t a = strlen(all), b = strlen(t), c = strlen(files[i]);
        all = realloc(all, a + b + c + 3);
        sprintf(all + a, "\n%s\n%s", files[i], t);
        free(t);
        free(files[i]);
    }
    return all;
}

static void cleanup(const char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/s.cells", dir);
    th_rmdir(path);
    snprintf(path, sizeof path, "%s/plots", dir);
    th_rmdir(path);
    th_rmdir(dir);
}

START_TEST(sweep_cli_outputs_should_not_depend_on_the_thread_count)
{
    char dir[128];
    struct th_run r;
    th_tmpdir(dir, sizeof dir, "sweep");
    run_sweep(dir, "1", NULL, &r);
    ck_assert_msg(r.code == 1, "exit %d: %s", r.code, r.err);
    th_run_release(&r);
    char *one = snapshot(dir);
    run_sweep(dir, "3", NULL, &r);
    ck_assert_msg(r.code == 1, "exit %d: %s", r.code, r.err);
    th_run_release(&r);
    char *three = snapshot(dir);
    ck_assert_str_eq(one, three);
    free(one);
    free(three);
    cleanup(dir);
}
END_TEST

START_TEST(sweep_cli_resume_should_write_what_an_uninterrupted_run_writes)
{
    char dir[128], journal[256], line[4096];
    struct th_run r;
    th_tmpdir(dir, sizeof dir, "sweep");
    run_sweep(dir, "2", NULL, &r);
    ck_assert_msg(r.code == 1, "exit %d: %s", r.code, r.err);
    th_run_release(&r);
    char *whole = snapshot(dir);
    /* What a kill leaves: the header, every other finished problem, an
     * assignment to worker 5 never finished, half a line. */
    snprintf(journal, sizeof journal, "%s/s.json.journal", dir);
    FILE *in = fopen(journal, "r");
    ck_assert_ptr_nonnull(in);
    char *kept = NULL;
    size_t klen = 0;
    FILE *out = open_memstream(&kept, &klen);
    int done = 0, kept_done = 0;
    unsigned dropped = 0, job;
    while (fgets(line, sizeof line, in)) {
        if (sscanf(line, "{\"done\":%u,", &job) == 1) {
            if (done++ % 2) {
                dropped = job;
                continue;
            }
            kept_done++;
        }
        fputs(line, out);
    }
    fclose(in);
    fprintf(out, "{\"assigned\":%u,\"worker\":5}\n{\"done\":%u,\"result\":{\"job\"", dropped,
            dropped);
    fclose(out);
    ck_assert_int_eq(done, 32);     /* 4 valid variants x 8 distinct problems */
    out = fopen(journal, "w");
    fputs(kept, out);
    fclose(out);
    free(kept);
    const char *resume[] = { "--resume", NULL };
    run_sweep(dir, "2", resume, &r);
    ck_assert_msg(r.code == 1, "exit %d: %s", r.code, r.err);
    snprintf(line, sizeof line, "worker 5 died holding problem %u (", dropped);
    ck_assert_msg(strstr(r.err, line), "stderr: %s", r.err);
    snprintf(line, sizeof line, "%d searched now, %d from the journal", 32 - kept_done,
             kept_done);
    ck_assert_msg(strstr(r.out, line), "stdout: %s", r.out);
    th_run_release(&r);
    char *resumed = snapshot(dir);
    ck_assert_str_eq(whole, resumed);
    /* A second resume finds everything in the journal. */
    run_sweep(dir, "2", resume, &r);
    ck_assert_msg(strstr(r.out, "0 searched now, 32 from the journal"), "%s", r.out);
    th_run_release(&r);
    free(whole);
    free(resumed);
    cleanup(dir);
}
END_TEST

START_TEST(sweep_cli_should_refuse_the_journal_of_another_sweep)
{
    char dir[128], want[512];
    struct th_run r;
    th_tmpdir(dir, sizeof dir, "sweep");
    run_sweep(dir, "2", NULL, &r);
    th_run_release(&r);
    const char *other[] = { "--resume", "--seed", "2", NULL };
    run_sweep(dir, "2", other, &r);
    ck_assert_int_eq(r.code, 2);
    snprintf(want, sizeof want, "trainmap: %s/s.json.journal: written for other inputs or "
             "options (its inputs sha256 ", dir);
    ck_assert_msg(strncmp(r.err, want, strlen(want)) == 0, "stderr: %s", r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "); remove it or run without --resume\n"));
    th_run_release(&r);
    cleanup(dir);
}
END_TEST

START_TEST(sweep_cli_should_report_invalid_variants_per_cell)
{
    char dir[128], path[256];
    struct th_run r;
    th_tmpdir(dir, sizeof dir, "sweep");
    run_sweep(dir, "2", NULL, &r);
    ck_assert_int_eq(r.code, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "trainmap sweep: cell 0 (" RF4 " RegisterFile."
                                        "size_words=0, conv): " RF4 ": levels[1].size_words: "
                                        "expected a positive integer, got 0\n"));
    th_run_release(&r);
    snprintf(path, sizeof path, "%s/s.json", dir);
    cJSON *rep = load(path);
    const cJSON *cells = item(rep, "cells");
    ck_assert_int_eq(cJSON_GetArraySize(cells), 12);
    /* Variant-major, workload-minor: variants 0 (rf4, 0) and 3 (gb_rf4, 0)
     * are cells 0, 1 and 6, 7. */
    for (int c = 0; c < 12; c++) {
        const cJSON *cell = cJSON_GetArrayItem(cells, c);
        bool invalid = c == 0 || c == 1 || c == 6 || c == 7;
        ck_assert_str_eq(item(cell, "status")->valuestring, invalid ? "invalid" : "ok");
        ck_assert(cJSON_IsNull(item(cell, "report")) == invalid);
        ck_assert(cJSON_IsNull(item(cell, "totals")) == invalid);
        if (c == 6)
            ck_assert_str_eq(item(cell, "error")->valuestring,
                             GB_RF4 ": levels[2].size_words: expected a positive integer, "
                             "got 0");
    }
    cJSON_Delete(rep);
    cleanup(dir);
}
END_TEST

START_TEST(sweep_cli_should_report_a_variant_too_small_for_any_mapping)
{
    /* Every tensor kept in the register files takes at least one word
     * each: 3 words > 2, so the 2-word variant has no mapping of any
     * kernel, while the 64-word one maps. */
    char dir[128], out[256];
    struct th_run r;
    th_tmpdir(dir, sizeof dir, "sweep");
    snprintf(out, sizeof out, "%s/s.json", dir);
    const char *args[] = { "sweep", "-a", RF4, "-w", CONV, "--constraints",
                           "tests/data/sweep/keep_all.json", "--vary",
                           "RegisterFile.size_words=2,64", "-o", out, NULL };
    th_run(args, NULL, NULL, &r);
    ck_assert_int_eq(r.code, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "trainmap sweep: cell 0 (" RF4 " RegisterFile."
                                        "size_words=2, conv): layer 'c' fwd: no mapping fits "
                                        "the arch under the constraints: tests/data/sweep/"
                                        "keep_all.json: levels[0] (level 'RegisterFile') "
                                        "leaves no mapping\n"));
    th_run_release(&r);
    cJSON *rep = load(out);
    const cJSON *cells = item(rep, "cells");
    ck_assert_int_eq(cJSON_GetArraySize(cells), 2);
    ck_assert_str_eq(item(cJSON_GetArrayItem(cells, 0), "status")->valuestring, "no_mapping");
    ck_assert_str_eq(item(cJSON_GetArrayItem(cells, 1), "status")->valuestring, "ok");
    const cJSON *b = cJSON_GetArrayItem(item(rep, "best"), 0);
    ck_assert_int_eq(item(item(b, "energy"), "cell")->valueint, 1);
    ck_assert_int_eq(item(item(b, "edp"), "cell")->valueint, 1);
    cJSON_Delete(rep);
    cleanup(dir);
}
END_TEST

START_TEST(sweep_cli_best_should_be_the_minimum_over_the_mapped_cells)
{
    static const char *const goal[] = { "energy", "latency", "edp" };
    char dir[128], path[256];
    struct th_run r;
    th_tmpdir(dir, sizeof dir, "sweep");
    run_sweep(dir, "2", NULL, &r);
    th_run_release(&r);
    snprintf(path, sizeof path, "%s/s.json", dir);
    cJSON *rep = load(path);
    const cJSON *cells = item(rep, "cells"), *best = item(rep, "best");
    for (int wl = 0; wl < 2; wl++) {
        int want[3] = { -1, -1, -1 };
        double min[3][2] = { { 0 } };
        const cJSON *cell;
        cJSON_ArrayForEach(cell, cells)
        {
            if (item(cell, "workload")->valueint != wl ||
                strcmp(item(cell, "status")->valuestring, "ok") != 0)
                continue;
            /* The step totals are the sums over the kernels of the cell's
             * own map report. */
            cJSON *cr = load(item(cell, "report")->valuestring);
            double energy = 0, cycles = 0;
            const cJSON *layer, *k;
            cJSON_ArrayForEach(layer, item(cr, "layers"))
                cJSON_ArrayForEach(k, item(layer, "kernels"))
                {
                    energy += item(item(k, "stats"), "energy_pj")->valuedouble;
                    cycles += item(item(k, "stats"), "cycles")->valuedouble;
                }
            cJSON_Delete(cr);
            const cJSON *step = item(item(cell, "totals"), "step");
            ck_assert(item(step, "energy_pj")->valuedouble == energy);
            ck_assert(item(step, "cycles")->valuedouble == cycles);
            /* Each goal, then the tie-break: less energy (for latency,
             * fewer cycles). */
            double v[3][2] = { { energy, cycles }, { cycles, energy },
                               { energy * cycles, energy } };
            ck_assert(item(step, "edp")->valuedouble == v[2][0]);
            for (int g = 0; g < 3; g++)
                if (want[g] < 0 || v[g][0] < min[g][0] ||
                    (v[g][0] == min[g][0] && v[g][1] < min[g][1])) {
                    want[g] = item(cell, "cell")->valueint;
                    min[g][0] = v[g][0];
                    min[g][1] = v[g][1];
                }
        }
        const cJSON *b = cJSON_GetArrayItem(best, wl);
        for (int g = 0; g < 3; g++)
            ck_assert_int_eq(item(item(b, goal[g]), "cell")->valueint, want[g]);
    }
    cJSON_Delete(rep);
    cleanup(dir);
}
END_TEST

START_TEST(sweep_cli_cell_report_should_be_the_map_report_of_its_variant)
{
    char dir[128], path[256], mapped[256];
    struct th_run r;
    th_tmpdir(dir, sizeof dir, "sweep");
    run_sweep(dir, "2", NULL, &r);
    th_run_release(&r);
    /* Cell 5: variant 2 (rf4, size 64) x twins. */
    snprintf(path, sizeof path, "%s/s.cells/variant-002.json", dir);
    snprintf(mapped, sizeof mapped, "%s/mapped.json", dir);
    const char *args[] = { "map", "-a", path, "-w", TWINS, "-j", "2", "-o", mapped, NULL };
    th_run(args, NULL, NULL, &r);
    ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
    th_run_release(&r);
    cJSON *a = load(mapped);
    snprintf(path, sizeof path, "%s/s.cells/cell-0005.json", dir);
    cJSON *b = load(path);
    const char *cmd = item(b, "command")->valuestring;
    ck_assert_ptr_nonnull(strstr(cmd, "trainmap map -a "));
    ck_assert_ptr_nonnull(strstr(cmd, "s.cells/variant-002.json -w " TWINS " -O edp -s "
                                      "exhaustive -j 1 --seed 1 --time-limit 60.0"));
    for (cJSON *t = a; t; t = t == a ? b : NULL) {
        strip(t, "search_s");
        cJSON_DeleteItemFromObjectCaseSensitive(t, "command");
        /* -j of the map run against the sweep's one thread per search */
        cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(t, "search"),
                                                "threads");
    }
    char *ta = cJSON_PrintUnformatted(a), *tb = cJSON_PrintUnformatted(b);
    ck_assert_str_eq(ta, tb);
    free(ta);
    free(tb);
    cJSON_Delete(a);
    cJSON_Delete(b);
    unlink(mapped);
    cleanup(dir);
}
END_TEST

START_TEST(sweep_cli_should_write_csv_markdown_and_plots)
{
    char dir[128], csv[256], md[256], plots[256], path[320];
    struct th_run r;
    th_tmpdir(dir, sizeof dir, "sweep");
    snprintf(csv, sizeof csv, "%s/s.csv", dir);
    snprintf(md, sizeof md, "%s/s.md", dir);
    snprintf(plots, sizeof plots, "%s/plots", dir);
    const char *extra[] = { "--csv", csv, "--md", md, "--plot", plots, NULL };
    run_sweep(dir, "2", extra, &r);
    ck_assert_msg(r.code == 1, "exit %d: %s", r.code, r.err);
    th_run_release(&r);
    size_t len;
    char *text = th_slurp(csv, &len);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(strtok(text, "\n"), "cell,variant,arch,workload,RegisterFile.size_words,"
                                         "status,total,energy_pj,cycles,macs,edp,utilization,"
                                         "report,error");
    free(text);
    text = th_slurp(md, &len);
    ck_assert_ptr_nonnull(strstr(text, "\n## twins\n"));
    free(text);
    snprintf(path, sizeof path, "%s/sweep_edp_RegisterFile_size_words.dat", plots);
    text = th_slurp(path, &len);
    ck_assert_ptr_nonnull(text);
    free(text);
    if (th_have_gnuplot()) {
        snprintf(path, sizeof path, "%s/sweep_edp_RegisterFile_size_words.svg", plots);
        th_check_svg(path);
    }
    unlink(csv);
    unlink(md);
    cleanup(dir);
}
END_TEST

START_TEST(sweep_cli_should_stop_on_sigint_and_mark_the_report_interrupted)
{
    char dir[128], out[256], path[320];
    th_tmpdir(dir, sizeof dir, "sweep");
    snprintf(out, sizeof out, "%s/s.json", dir);
    char *argv[] = { (char *)binary(), "sweep", "-a", "tests/validation/conv3x3_fwd/arch.json",
                     "-w", "tests/data/map/big.json", "-j", "2", "--time-limit", "20", "-o",
                     out, NULL };
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    /* long enough to start the first searches, far from their 20 s limit */
    nanosleep(&(struct timespec){ 1, 0 }, NULL);
    ck_assert_int_eq(kill(pid, SIGINT), 0);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 130, "status %d", status);
    cJSON *rep = load(out);
    ck_assert(cJSON_IsTrue(item(rep, "interrupted")));
    const cJSON *cell = cJSON_GetArrayItem(item(rep, "cells"), 0);
    ck_assert_str_eq(item(cell, "status")->valuestring, "not_searched");
    cJSON_Delete(rep);
    /* The searches cut short are recorded as such, not as died. */
    snprintf(path, sizeof path, "%s.journal", out);
    size_t len;
    char *journal = th_slurp(path, &len);
    ck_assert_ptr_nonnull(strstr(journal, "{\"abandoned\":"));
    free(journal);
    cleanup(dir);
}
END_TEST

Suite *sweep_cli_suite(void)
{
    Suite *s = suite_create("sweep_cli");
    TCase *tc = tcase_create("sweep");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sweep_cli_outputs_should_not_depend_on_the_thread_count);
    tcase_add_test(tc, sweep_cli_resume_should_write_what_an_uninterrupted_run_writes);
    tcase_add_test(tc, sweep_cli_should_refuse_the_journal_of_another_sweep);
    tcase_add_test(tc, sweep_cli_should_report_invalid_variants_per_cell);
    tcase_add_test(tc, sweep_cli_should_report_a_variant_too_small_for_any_mapping);
    tcase_add_test(tc, sweep_cli_best_should_be_the_minimum_over_the_mapped_cells);
    tcase_add_test(tc, sweep_cli_cell_report_should_be_the_map_report_of_its_variant);
    tcase_add_test(tc, sweep_cli_should_write_csv_markdown_and_plots);
    tcase_add_test(tc, sweep_cli_should_stop_on_sigint_and_mark_the_report_interrupted);
    suite_add_tcase(s, tc);
    return s;
}
