/*
 * End-to-end tests of the trainmap binary ($TRAINMAP, default
 * build/trainmap), run with fork/exec and no shell.
 *
 * Golden cases are data: tests/cli/<case>/ holds `args` (one argument per
 * line), `expected_code`, `expected_stderr` and optionally
 * `expected_stdout`, compared exactly.  The conformance test runs
 * `eval -o` on every tests/validation/<case> and compares the stats JSON
 * with the case's expected.json (Timeloop's numbers) by the validation
 * set's comparison rules: levels and tensors matched by name, counts
 * exactly, energies, EDP and utilization within 1e-9 relative.
 *
 * The map tests run real searches on tests/data/map/ workloads: `eval` of
 * every mapping in a report reproduces the report's stats, the totals are
 * the sums of the kernels, the report does not depend on the thread count,
 * and Ctrl-C yields an interrupted report and exit code 130.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <time.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/json.h"
#include "../mapper/mapping_io.h"

#define CLI_DIR "tests/cli"
#define VALIDATION_DIR "tests/validation"
#define MAX_ARGS 64
#define MAX_CASES 256

static const char *binary(void)
{
    const char *b = getenv("TRAINMAP");
    return b && b[0] ? b : "build/trainmap";
}

/* The whole file, NUL-terminated, or NULL when it cannot be read. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0, n;
    char *buf = malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb)
                free(buf);
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

struct run {
    int code;       /* exit status, or -1 when killed by a signal */
    char *out, *err;
};

/* Runs the binary with args (argv[1..]) and captures both streams. */
static void run(char *const *args, struct run *r)
{
    char out_path[] = "/tmp/trainmap-cli-out-XXXXXX";
    char err_path[] = "/tmp/trainmap-cli-err-XXXXXX";
    int fo = mkstemp(out_path), fe = mkstemp(err_path);
    ck_assert_msg(fo >= 0 && fe >= 0, "mkstemp: %s", strerror(errno));
    char *argv[MAX_ARGS + 2];
    int n = 0;
    argv[n++] = (char *)binary();
    for (; args[n - 1] && n <= MAX_ARGS; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fo, STDOUT_FILENO);
        dup2(fe, STDERR_FILENO);
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, STDIN_FILENO);
        execv(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    close(fo);
    close(fe);
    r->code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r->out = slurp(out_path);
    r->err = slurp(err_path);
    unlink(out_path);
    unlink(err_path);
    ck_assert_ptr_nonnull(r->out);
    ck_assert_ptr_nonnull(r->err);
}

static void run_release(struct run *r)
{
    free(r->out);
    free(r->err);
}

/* ---- golden cases ---------------------------------------------------- */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of the subfolders of dir, at most MAX_CASES; the
 * caller frees each name.  Returns how many. */
static int list_cases(const char *dir, char **names)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < MAX_CASES) {
        char path[512];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_names);
    return n;
}

static void free_names(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
}

static int count_cases(const char *dir)
{
    char *names[MAX_CASES];
    int n = list_cases(dir, names);
    free_names(names, n);
    return n;
}

static char *case_file(const char *name, const char *file)
{
    char path[512];
    snprintf(path, sizeof path, CLI_DIR "/%s/%s", name, file);
    return slurp(path);
}

START_TEST(cli_golden_case_should_match_its_expected_output)
{
    char *names[MAX_CASES];
    int n = list_cases(CLI_DIR, names);
    ck_assert_int_lt(_i, n);
    const char *name = names[_i];
    char *args_text = case_file(name, "args");
    char *code_text = case_file(name, "expected_code");
    char *want_err = case_file(name, "expected_stderr");
    char *want_out = case_file(name, "expected_stdout");
    ck_assert_msg(args_text && code_text && want_err, "%s: args, expected_code and "
                  "expected_stderr are required", name);
    char *args[MAX_ARGS + 1];
    int nargs = 0;
    for (char *line = args_text; *line && nargs < MAX_ARGS;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        args[nargs++] = line;
        line = nl ? nl + 1 : line + strlen(line);
    }
    args[nargs] = NULL;
    struct run r;
    run(args, &r);
    ck_assert_msg(r.code == atoi(code_text), "%s: exit %d, expected %d; stderr:\n%s", name,
                  r.code, atoi(code_text), r.err);
    ck_assert_msg(strcmp(r.err, want_err) == 0, "%s: stderr\n%s\nexpected\n%s", name, r.err,
                  want_err);
    if (want_out)
        ck_assert_msg(strcmp(r.out, want_out) == 0, "%s: stdout\n%s\nexpected\n%s", name,
                      r.out, want_out);
    run_release(&r);
    free(args_text);
    free(code_text);
    free(want_err);
    free(want_out);
    free_names(names, n);
}
END_TEST

/* ---- conformance with the validation cases --------------------------- */

struct diff {
    char text[4096];
    size_t len;
    int count;
};

static void note(struct diff *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records one difference (a line of the failure message). */
static void note(struct diff *d, const char *fmt, ...)
{
    va_list ap;
    d->count++;
    if (d->len >= sizeof d->text)
        return;
    va_start(ap, fmt);
    d->len += (size_t)vsnprintf(d->text + d->len, sizeof d->text - d->len, fmt, ap);
    va_end(ap);
}

static const cJSON *item(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* Compares want[key] and got[key]: exactly, or within 1e-9 relative. */
static void compare_number(struct diff *d, const char *path, const cJSON *got,
                           const cJSON *want, const char *key, bool exact)
{
    char p[JSON_PATH_MAX];
    json_path_key(p, path, key);
    const cJSON *g = item(got, key), *w = item(want, key);
    if (!cJSON_IsNumber(w))
        return;
    if (!cJSON_IsNumber(g)) {
        note(d, "%s: missing, expected %.17g\n", p, w->valuedouble);
        return;
    }
    double a = g->valuedouble, b = w->valuedouble;
    bool ok = exact ? a == b : fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
    if (!ok)
        note(d, "%s: %.17g, expected %.17g\n", p, a, b);
}

static void compare_tensor(struct diff *d, const char *path, const cJSON *got,
                           const cJSON *want)
{
    static const char *const exact[] = { "tile_words", "reads_per_instance",
                                         "fills_per_instance", "updates_per_instance",
                                         "reads", "fills", "updates" };
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        compare_number(d, path, got, want, exact[i], true);
    compare_number(d, path, got, want, "energy_pj", false);
    if (cJSON_IsTrue(item(got, "kept")) != cJSON_IsTrue(item(want, "kept")))
        note(d, "%s.kept: differs\n", path);
    const cJSON *gs = item(got, "slot"), *ws = item(want, "slot");
    if (!cJSON_IsString(gs) || strcmp(gs->valuestring, ws->valuestring) != 0)
        note(d, "%s.slot: differs\n", path);
}

/* Finds the entry of array whose "name" is name. */
static const cJSON *by_name(const cJSON *array, const char *name)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, array) {
        const cJSON *n = item(it, "name");
        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
            return it;
    }
    return NULL;
}

static void compare_stats(struct diff *d, const cJSON *got, const cJSON *want)
{
    static const char *const exact[] = { "macs", "cycles", "compute_cycles" };
    static const char *const close[] = { "utilization", "energy_pj", "edp" };
    for (size_t i = 0; i < 3; i++) {
        compare_number(d, "", got, want, exact[i], true);
        compare_number(d, "", got, want, close[i], false);
    }
    compare_number(d, "compute", item(got, "compute"), item(want, "compute"),
                   "instances_used", true);
    compare_number(d, "compute", item(got, "compute"), item(want, "compute"), "energy_pj",
                   false);
    const cJSON *wl;
    int nw = 0;
    cJSON_ArrayForEach(wl, item(want, "levels")) {
        char lp[JSON_PATH_MAX];
        const char *name = item(wl, "name")->valuestring;
        const cJSON *gl = by_name(item(got, "levels"), name);
        snprintf(lp, sizeof lp, "levels[%s]", name);
        nw++;
        if (!gl) {
            note(d, "%s: missing\n", lp);
            continue;
        }
        compare_number(d, lp, gl, wl, "instances_used", true);
        compare_number(d, lp, gl, wl, "cycles", true);
        compare_number(d, lp, gl, wl, "energy_pj", false);
        const cJSON *wt;
        cJSON_ArrayForEach(wt, item(wl, "tensors")) {
            char tp[2 * JSON_PATH_MAX];
            const char *tname = item(wt, "name")->valuestring;
            const cJSON *gt = by_name(item(gl, "tensors"), tname);
            snprintf(tp, sizeof tp, "%s.tensors[%s]", lp, tname);
            if (!gt)
                note(d, "%s: missing\n", tp);
            else
                compare_tensor(d, tp, gt, wt);
        }
    }
    if (cJSON_GetArraySize(item(got, "levels")) != nw)
        note(d, "levels: %d entries, expected %d\n", cJSON_GetArraySize(item(got, "levels")),
             nw);
}

START_TEST(cli_eval_should_reproduce_every_validation_case)
{
    char *names[MAX_CASES];
    int n = list_cases(VALIDATION_DIR, names);
    ck_assert_int_lt(_i, n);
    const char *name = names[_i];
    char dir[256], arch[300], wl[300], map[300], exp[300], tmpdir[] = "/tmp/trainmap-cli-XXXXXX";
    snprintf(dir, sizeof dir, VALIDATION_DIR "/%s", name);
    snprintf(arch, sizeof arch, "%s/arch.json", dir);
    snprintf(wl, sizeof wl, "%s/workload.json", dir);
    snprintf(map, sizeof map, "%s/mapping.json", dir);
    snprintf(exp, sizeof exp, "%s/expected.json", dir);
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    char out[64];
    snprintf(out, sizeof out, "%s/stats.json", tmpdir);

    struct mapping_file *mf;
    struct err e;
    ck_assert_msg(mapping_load(map, &mf, &e) == 0, "%s", e.msg);
    char layer[PROBLEM_NAME_MAX], kernel[16];
    snprintf(layer, sizeof layer, "%s", mf->layer);
    snprintf(kernel, sizeof kernel, "%s", kernel_name((enum kernel)mf->kernel));
    mapping_file_free(mf);

    char *args[] = { "eval", "-a", arch, "-w", wl, "--layer", layer, "-k", kernel,
                     "-m", map, "-o", out, NULL };
    struct run r;
    run(args, &r);
    ck_assert_msg(r.code == 0, "%s: exit %d: %s", name, r.code, r.err);
    ck_assert_msg(r.err[0] == '\0', "%s: stderr: %s", name, r.err);
    ck_assert_msg(r.out[0] != '\0', "%s: no table on stdout", name);
    run_release(&r);

    cJSON *got, *want;
    ck_assert_msg(json_load(out, &got, &e) == 0, "%s", e.msg);
    ck_assert_msg(json_load(exp, &want, &e) == 0, "%s", e.msg);
    unlink(out);
    rmdir(tmpdir);
    struct diff d = { .len = 0, .count = 0 };
    d.text[0] = '\0';
    compare_stats(&d, got, want);
    ck_assert_msg(d.count == 0, "%s: %d differences from expected.json:\n%s", name, d.count,
                  d.text);
    const cJSON *b = item(got, "bounds");
    ck_assert_msg(cJSON_IsObject(b) && cJSON_IsNumber(item(b, "energy_ratio")) &&
                  item(b, "energy_ratio")->valuedouble >= 1.0 - 1e-12 &&
                  item(b, "cycles_ratio")->valuedouble >= 1.0 - 1e-12,
                  "%s: a mapping beats its lower bound", name);
    cJSON_Delete(got);
    cJSON_Delete(want);
    free_names(names, n);
}
END_TEST

START_TEST(cli_eval_should_leave_no_output_file_when_the_mapping_is_invalid)
{
    char tmpdir[] = "/tmp/trainmap-cli-XXXXXX", out[64];
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(out, sizeof out, "%s/stats.json", tmpdir);
    char *args[] = { "eval", "-a", VALIDATION_DIR "/conv3x3_fwd/arch.json",
                     "-w", VALIDATION_DIR "/conv3x3_fwd/workload.json", "--layer", "conv3x3",
                     "-k", "fwd", "-m", "tests/data/cli/fanout_too_wide.json", "-o", out, NULL };
    struct run r;
    run(args, &r);
    ck_assert_int_eq(r.code, 1);
    ck_assert_int_eq(access(out, F_OK), -1);
    run_release(&r);
    rmdir(tmpdir);
}
END_TEST


/* ---- map: real searches ----------------------------------------------- */

#define MAP_ARCH VALIDATION_DIR "/conv3x3_fwd/arch.json"
#define MAP_ONE "tests/data/map/one_layer.json"
#define MAP_TWINS "tests/data/map/twins.json"
#define MAP_TINY_ARCH "tests/data/map/tiny_4pe.json"

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* Runs `map -a arch -w workload -j threads -o out` (with a time limit far
 * above what the search needs), expects exit 0 and returns the report. */
static cJSON *map_report(const char *arch, const char *workload, const char *threads,
                         const char *out)
{
    char *args[] = { "map", "-a", (char *)arch, "-w", (char *)workload, "-j", (char *)threads,
                     "--time-limit", "100", "-o", (char *)out, NULL };
    struct run r;
    run(args, &r);
    ck_assert_msg(r.code == 0, "map: exit %d: %s", r.code, r.err);
    ck_assert_msg(r.err[0] == '\0', "map: stderr: %s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "step"));
    run_release(&r);
    cJSON *report;
    struct err e;
    ck_assert_msg(json_load(out, &report, &e) == 0, "%s", e.msg);
    /* every search covered its space: the results cannot depend on timing */
    const cJSON *ly, *k;
    cJSON_ArrayForEach(ly, item(report, "layers")) {
        cJSON_ArrayForEach(k, item(ly, "kernels")) {
            ck_assert_msg(cJSON_IsTrue(item(k, "optimal")), "%s %s: not optimal",
                          item(ly, "name")->valuestring, item(k, "kernel")->valuestring);
        }
    }
    return report;
}

/* Same JSON values: same keys in the same order, numbers bit for bit. */
static void assert_same_json(const cJSON *a, const cJSON *b, const char *path)
{
    ck_assert_msg(a && b && a->type == b->type, "%s: differs", path);
    if (cJSON_IsNumber(a))
        ck_assert_msg(a->valuedouble == b->valuedouble, "%s: %.17g vs %.17g", path,
                      a->valuedouble, b->valuedouble);
    if (cJSON_IsString(a))
        ck_assert_msg(strcmp(a->valuestring, b->valuestring) == 0, "%s: \"%s\" vs \"%s\"",
                      path, a->valuestring, b->valuestring);
    const cJSON *x = a->child, *y = b->child;
    for (int i = 0; x || y; x = x->next, y = y->next, i++) {
        char p[JSON_PATH_MAX];
        ck_assert_msg(x && y, "%s: lengths differ", path);
        if (x->string) {
            ck_assert_msg(y->string && strcmp(x->string, y->string) == 0,
                          "%s: key %s vs %s", path, x->string, y->string ? y->string : "");
            json_path_key(p, path, x->string);
        } else {
            json_path_index(p, path, i);
        }
        assert_same_json(x, y, p);
    }
}

START_TEST(cli_map_report_should_be_reproduced_by_eval_of_its_mappings)
{
    char dir[] = "/tmp/trainmap-cli-XXXXXX", out[64], map[64], stats[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(out, sizeof out, "%s/report.json", dir);
    snprintf(map, sizeof map, "%s/mapping.json", dir);
    snprintf(stats, sizeof stats, "%s/stats.json", dir);
    cJSON *report = map_report(MAP_ARCH, MAP_ONE, "2", out);
    int checked = 0;
    const cJSON *ly, *k;
    cJSON_ArrayForEach(ly, item(report, "layers")) {
        cJSON_ArrayForEach(k, item(ly, "kernels")) {
            const cJSON *m = item(k, "mapping");
            char *kernel = item(k, "kernel")->valuestring;
            char *args[] = { "eval", "-a", MAP_ARCH, "-w", MAP_ONE, "--layer",
                             item(ly, "name")->valuestring, "-k", kernel, "-o", stats,
                             m ? "-m" : NULL, map, NULL };
            ck_assert_msg(cJSON_IsObject(item(k, "stats")), "%s: no stats", kernel);
            if (m) {
                char *text = cJSON_Print(m);
                write_text(map, text);
                free(text);
            }
            struct run r;
            run(args, &r);
            ck_assert_msg(r.code == 0, "eval %s: exit %d: %s", kernel, r.code, r.err);
            run_release(&r);
            cJSON *got;
            struct err e;
            ck_assert_msg(json_load(stats, &got, &e) == 0, "%s", e.msg);
            assert_same_json(item(k, "stats"), got, kernel);
            cJSON_Delete(got);
            checked++;
        }
    }
    /* one layer, the first: fwd, bwd_weight and update */
    ck_assert_int_eq(checked, 3);
    cJSON_Delete(report);
    unlink(out);
    unlink(map);
    unlink(stats);
    rmdir(dir);
}
END_TEST

START_TEST(cli_map_totals_should_be_the_sums_of_the_kernels)
{
    char dir[] = "/tmp/trainmap-cli-XXXXXX", out[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(out, sizeof out, "%s/report.json", dir);
    cJSON *report = map_report(MAP_TINY_ARCH, MAP_TWINS, "2", out);
    double energy[KERNEL_COUNT] = { 0 }, cycles[KERNEL_COUNT] = { 0 }, macs[KERNEL_COUNT] = { 0 };
    double step_e = 0, step_c = 0, step_m = 0;
    int n = 0, reused = 0;
    const cJSON *ly, *k;
    cJSON_ArrayForEach(ly, item(report, "layers")) {
        cJSON_ArrayForEach(k, item(ly, "kernels")) {
            const cJSON *s = item(k, "stats");
            int kn = kernel_from_name(item(k, "kernel")->valuestring);
            ck_assert_int_ge(kn, 0);
            energy[kn] += item(s, "energy_pj")->valuedouble;
            cycles[kn] += item(s, "cycles")->valuedouble;
            macs[kn] += item(s, "macs")->valuedouble;
            step_e += item(s, "energy_pj")->valuedouble;
            step_c += item(s, "cycles")->valuedouble;
            step_m += item(s, "macs")->valuedouble;
            reused += item(k, "same_as") != NULL;
            n++;
        }
    }
    /* c1: fwd, bwd_weight, update; c2 and fc: all four.  c2 is c1's
     * shape, so its fwd, bwd_weight and update repeat c1's searches. */
    ck_assert_int_eq(n, 11);
    ck_assert_int_eq(reused, 3);
    const cJSON *totals = item(report, "totals");
    for (int kn = 0; kn <= KERNEL_UPDATE; kn++) {
        const cJSON *t = item(totals, kernel_name((enum kernel)kn));
        ck_assert_msg(t != NULL, "totals.%s missing", kernel_name((enum kernel)kn));
        ck_assert(item(t, "energy_pj")->valuedouble == energy[kn]);
        ck_assert(item(t, "cycles")->valuedouble == cycles[kn]);
        ck_assert(item(t, "macs")->valuedouble == macs[kn]);
    }
    ck_assert(item(item(totals, "step"), "energy_pj")->valuedouble == step_e);
    ck_assert(item(item(totals, "step"), "cycles")->valuedouble == step_c);
    /* MACs per step (batch 2): c1 N*K*C*P*Q*R*S = 2*2*2*2*2*3*1 = 96 twice
     * (fwd, bwd_weight) + K*C*R*S = 12 for the update; c2 96 three times +
     * 12; fc 2*16*4 = 128 three times + 16*4 = 64: 204 + 300 + 448 = 952 */
    ck_assert(step_m == 952);
    ck_assert(item(item(totals, "step"), "macs")->valuedouble == step_m);
    ck_assert(cJSON_IsFalse(item(totals, "incomplete")));
    ck_assert(cJSON_IsFalse(item(report, "interrupted")));
    cJSON_Delete(report);
    unlink(out);
    rmdir(dir);
}
END_TEST

/* Removes every "search_s" member below o. */
static void drop_search_s(cJSON *o)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, "search_s");
    for (cJSON *c = o->child; c; c = c->next)
        drop_search_s(c);
}

START_TEST(cli_map_report_should_not_depend_on_the_thread_count)
{
    char dir[] = "/tmp/trainmap-cli-XXXXXX", out1[64], out2[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(out1, sizeof out1, "%s/j1.json", dir);
    snprintf(out2, sizeof out2, "%s/j2.json", dir);
    cJSON *a = map_report(MAP_TINY_ARCH, MAP_TWINS, "1", out1);
    cJSON *b = map_report(MAP_TINY_ARCH, MAP_TWINS, "2", out2);
    ck_assert(item(item(a, "search"), "threads")->valuedouble == 1);
    ck_assert(item(item(b, "search"), "threads")->valuedouble == 2);
    /* what may differ: the wall times, the thread count, and the command
     * line that names them and the output file */
    cJSON *both[] = { a, b };
    for (int i = 0; i < 2; i++) {
        drop_search_s(both[i]);
        cJSON_DeleteItemFromObjectCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(both[i], "search"), "threads");
        cJSON_DeleteItemFromObjectCaseSensitive(both[i], "command");
    }
    assert_same_json(a, b, "");
    cJSON_Delete(a);
    cJSON_Delete(b);
    unlink(out1);
    unlink(out2);
    rmdir(dir);
}
END_TEST

START_TEST(cli_map_should_write_an_interrupted_report_on_sigint)
{
    char dir[] = "/tmp/trainmap-cli-XXXXXX", out[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(out, sizeof out, "%s/report.json", dir);
    char *argv[] = { (char *)binary(), "map", "-a", MAP_ARCH, "-w", "tests/data/map/big.json",
                     "-j", "2", "--time-limit", "20", "-o", out, NULL };
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    /* long enough to load the inputs and start the first search, far from
     * its 20 s limit */
    nanosleep(&(struct timespec){ 1, 0 }, NULL);
    ck_assert_int_eq(kill(pid, SIGINT), 0);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 130, "status %d", status);
    cJSON *report;
    struct err e;
    ck_assert_msg(json_load(out, &report, &e) == 0, "%s", e.msg);
    ck_assert(cJSON_IsTrue(item(report, "interrupted")));
    ck_assert(cJSON_IsTrue(item(item(report, "totals"), "incomplete")));
    const cJSON *first = cJSON_GetArrayItem(item(cJSON_GetArrayItem(item(report, "layers"), 0),
                                                 "kernels"), 0);
    ck_assert(cJSON_IsTrue(item(first, "interrupted")));
    ck_assert(cJSON_IsFalse(item(first, "timed_out")));
    const cJSON *last = cJSON_GetArrayItem(item(cJSON_GetArrayItem(item(report, "layers"), 1),
                                                "kernels"), 3);
    ck_assert_str_eq(item(last, "kernel")->valuestring, "update");
    ck_assert(cJSON_IsFalse(item(last, "searched")));
    ck_assert(cJSON_IsNull(item(last, "stats")));
    cJSON_Delete(report);
    unlink(out);
    rmdir(dir);
}
END_TEST

START_TEST(cli_map_should_report_kernels_without_a_mapping_and_exit_1)
{
    char dir[] = "/tmp/trainmap-cli-XXXXXX", out[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(out, sizeof out, "%s/report.json", dir);
    char *args[] = { "map", "-a", MAP_ARCH, "-w", MAP_ONE, "--constraints",
                     "tests/data/map/k_three.json", "-o", out, NULL };
    struct run r;
    run(args, &r);
    ck_assert_msg(r.code == 1, "exit %d: %s", r.code, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "kernels without a valid mapping: 2"));
    run_release(&r);
    cJSON *report;
    struct err e;
    ck_assert_msg(json_load(out, &report, &e) == 0, "%s", e.msg);
    const cJSON *cons = item(item(report, "inputs"), "constraints");
    ck_assert_str_eq(item(cons, "path")->valuestring, "tests/data/map/k_three.json");
    ck_assert_int_eq((int)strlen(item(cons, "sha256")->valuestring), 64);
    const cJSON *kernels = item(cJSON_GetArrayItem(item(report, "layers"), 0), "kernels");
    /* K = 2 cannot take a factor of 3: fwd and bwd_weight have no mapping;
     * the update stream needs none */
    for (int i = 0; i < 2; i++) {
        const cJSON *k = cJSON_GetArrayItem(kernels, i);
        ck_assert(cJSON_IsNull(item(k, "mapping")) && cJSON_IsNull(item(k, "stats")));
        ck_assert_str_eq(item(k, "error")->valuestring,
                         "tests/data/map/k_three.json: levels[0]: fixed factors of dim K do "
                         "not divide its bound 2");
    }
    const cJSON *update = cJSON_GetArrayItem(kernels, 2);
    const cJSON *totals = item(report, "totals");
    ck_assert(cJSON_IsTrue(item(totals, "incomplete")));
    ck_assert(item(item(totals, "fwd"), "macs")->valuedouble == 0);
    ck_assert(item(item(totals, "step"), "energy_pj")->valuedouble ==
              item(item(update, "stats"), "energy_pj")->valuedouble);
    ck_assert(cJSON_IsFalse(item(report, "interrupted")));
    cJSON_Delete(report);
    unlink(out);
    rmdir(dir);
}
END_TEST

/* An arch need not say where its energies come from: the report carries
 * its comment as null, and reads back. */
START_TEST(cli_map_should_report_an_arch_without_a_comment)
{
    char dir[] = "/tmp/trainmap-cli-XXXXXX", arch[64], out[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(arch, sizeof arch, "%s/arch.json", dir);
    snprintf(out, sizeof out, "%s/report.json", dir);
    write_text(arch,
               "{\"name\": \"bare\", \"word_bits\": 16, \"clock_mhz\": 1000, \"levels\": ["
               " {\"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 200,"
               "  \"write_pj\": 200},"
               " {\"name\": \"RF\", \"class\": \"regfile\", \"mesh_x\": 2, \"mesh_y\": 2,"
               "  \"size_words\": 64, \"read_pj\": 1, \"write_pj\": 1}],"
               " \"compute\": {\"name\": \"MAC\", \"mesh_x\": 2, \"mesh_y\": 2,"
               " \"energy_pj\": 1}}");
    char *map[] = { "map", "-a", arch, "-w", MAP_ONE, "-k", "fwd", "-o", out, NULL };
    struct run r;
    run(map, &r);
    ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
    run_release(&r);
    cJSON *report;
    struct err e;
    ck_assert_msg(json_load(out, &report, &e) == 0, "%s", e.msg);
    ck_assert(cJSON_IsNull(item(item(item(report, "inputs"), "arch"), "comment")));
    cJSON_Delete(report);
    char *show[] = { "report", out, NULL };
    run(show, &r);
    ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
    run_release(&r);
    unlink(out);
    unlink(arch);
    rmdir(dir);
}
END_TEST

START_TEST(cli_cases_should_be_found_from_the_repository_root)
{
    /* a wrong working directory would otherwise run zero cases and pass */
    ck_assert_int_ge(count_cases(CLI_DIR), 45);
    ck_assert_int_eq(count_cases(VALIDATION_DIR), 16);
}
END_TEST

Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("golden");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, cli_cases_should_be_found_from_the_repository_root);
    tcase_add_loop_test(tc, cli_golden_case_should_match_its_expected_output, 0,
                        count_cases(CLI_DIR));
    suite_add_tcase(s, tc);
    tc = tcase_create("conformance");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, cli_eval_should_reproduce_every_validation_case, 0,
                        count_cases(VALIDATION_DIR));
    tcase_add_test(tc, cli_eval_should_leave_no_output_file_when_the_mapping_is_invalid);
    suite_add_tcase(s, tc);
    tc = tcase_create("map");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, cli_map_report_should_be_reproduced_by_eval_of_its_mappings);
    tcase_add_test(tc, cli_map_totals_should_be_the_sums_of_the_kernels);
    tcase_add_test(tc, cli_map_report_should_not_depend_on_the_thread_count);
    tcase_add_test(tc, cli_map_should_write_an_interrupted_report_on_sigint);
    tcase_add_test(tc, cli_map_should_report_kernels_without_a_mapping_and_exit_1);
    tcase_add_test(tc, cli_map_should_report_an_arch_without_a_comment);
    suite_add_tcase(s, tc);
    return s;
}
