/*
 * Hostile inputs through the CLI, and what kills and interrupts leave of
 * its outputs: the hostile files of tests/data/hostile/ given to every
 * command (exact stderr and exit code), a search on prime bounds near 2^31
 * that must stop on time, every command's paths free of sanitizer reports
 * (under `make sanitize` TRAINMAP is the ASan build, leak checking on), a
 * SIGKILL mid-search and a second Ctrl-C.  Run with fork/exec, no shell.
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DATA "tests/data/hostile/"
#define ARCH_16PE "tests/validation/conv3x3_fwd/arch.json"
#define RANGE "a number beyond the range of a double"

static const char *binary(void)
{
    const char *b = getenv("TRAINMAP");
    return b && b[0] ? b : "build/trainmap";
}

/* The whole file, NUL-terminated ("" when it cannot be read). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    if (f) {
        len = fread(buf, 1, cap - 1, f);
        fclose(f);
    }
    buf[len] = '\0';
    return buf;
}

/* Starts the binary with args (argv[1..], NULL-terminated), stdin from
 * /dev/null, stdout and stderr into temporary files named in out/err. */
static pid_t start(char *const *args, char *out, char *err)
{
    strcpy(out, "/tmp/trainmap-hostile-out-XXXXXX");
    strcpy(err, "/tmp/trainmap-hostile-err-XXXXXX");
    int fo = mkstemp(out), fe = mkstemp(err);
    ck_assert(fo >= 0 && fe >= 0);
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)binary();
    while (args[n - 1] && n < 31) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        dup2(null, STDIN_FILENO);
        dup2(fo, STDOUT_FILENO);
        dup2(fe, STDERR_FILENO);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fo);
    close(fe);
    return pid;
}

/* Waits for pid at most seconds; kills it (and fails) past that.  Returns
 * the exit code, or -1 when a signal ended it. */
static int wait_for(pid_t pid, double seconds)
{
    int status;
    for (double t = 0; t < seconds; t += 0.01) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        ck_assert_int_ge(r, 0);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ck_abort_msg("still running after %.0f s", seconds);
    return -1;
}

struct run {
    int code;
    char *out, *err;
};

static void run(char *const *args, double seconds, struct run *r)
{
    char out[64], err[64];
    pid_t pid = start(args, out, err);
    r->code = wait_for(pid, seconds);
    r->out = slurp(out);
    r->err = slurp(err);
    unlink(out);
    unlink(err);
}

static void run_release(struct run *r)
{
    free(r->out);
    free(r->err);
}

struct cli_case {
    char *args[16];
    int code;
    const char *err;    /* all of stderr */
};

#define WL_16PE "tests/validation/conv3x3_fwd/workload.json"
#define MAP_16PE "tests/validation/conv3x3_fwd/mapping.json"

static const struct cli_case cli_cases[] = {
    { { "check", "tests/data/hostile", NULL }, 2,
      "trainmap: tests/data/hostile: is a directory, expected a JSON file\n" },
    { { "check", DATA "empty.json", NULL }, 2,
      "trainmap: " DATA "empty.json:1:1: expected a value, got end of file\n" },
    { { "check", "/proc/self/mem", NULL }, 2,
      "trainmap: /proc/self/mem: cannot read: Input/output error\n" },
    { { "kernels", "-w", "/dev/zero", NULL }, 2,
      "trainmap: /dev/zero: file too large (more than 67108864 bytes)\n" },
    { { "kernels", "-w", DATA "workload_bounds_2_31.json", NULL }, 2,
      "trainmap: " DATA "workload_bounds_2_31.json: layers[0]: fwd MAC count is too large "
      "(exceeds 2^64-1)\n" },
    { { "eval", "-a", DATA "arch_energy_overflow.json", "-w", WL_16PE, "--layer", "conv3x3",
        "-k", "fwd", "-m", MAP_16PE, NULL }, 2,
      "trainmap: " DATA "arch_energy_overflow.json: levels[1].read_pj: expected a "
      "non-negative number, got " RANGE "\n" },
    { { "eval", "-a", ARCH_16PE, "-w", WL_16PE, "--layer", "conv3x3", "-k", "fwd",
        "-m", DATA "escape_lone_high.json", NULL }, 2,
      "trainmap: " DATA "escape_lone_high.json:1:14: unpaired UTF-16 surrogate in a \\u "
      "escape\n" },
    /* a mapping written for another arch: the 16-PE mapping on a 1-level arch */
    { { "eval", "-a", DATA "arch_mesh_2_31_squared.json", "-w", WL_16PE, "--layer",
        "conv3x3", "-k", "fwd", "-m", MAP_16PE, NULL }, 2,
      "trainmap: " MAP_16PE ": levels[1].level: expected a level of arch 'hostile' (DRAM), "
      "got \"GlobalBuffer\"\n" },
    { { "map", "-a", ARCH_16PE, "-w", DATA "deep.json", NULL }, 2,
      "trainmap: " DATA "deep.json:1:91: nesting deeper than 64 levels\n" },
    { { "map", "-a", ARCH_16PE, "-w", WL_16PE, "--constraints",
        DATA "constraints_factor_overflow.json", NULL }, 2,
      "trainmap: " DATA "constraints_factor_overflow.json: levels[0].spatial_factors.x.K: "
      RANGE " is too large (at most 4294967295)\n" },
    { { "report", DATA "deep.json", NULL }, 2,
      "trainmap: " DATA "deep.json:1:91: nesting deeper than 64 levels\n" },
    { { "report", "/proc/self/mem", NULL }, 2,
      "trainmap: /proc/self/mem: cannot read: Input/output error\n" },
    { { "report", ARCH_16PE, NULL }, 2,
      "trainmap: " ARCH_16PE ": name: unknown key, expected one of: schema, tool, version, "
      "command, inputs, search, layers, totals, interrupted, comment\n" },
    { { "compare", "-a", "tests/data/map/tiny_4pe.json", "-a", DATA "arch_size_zero.json",
        "-w", "tests/data/map/one_layer.json", NULL }, 2,
      "trainmap: " DATA "arch_size_zero.json: levels[2].size_words: expected a positive "
      "integer, got 0\n" },
    { { "import", "onnx", DATA "empty.json", NULL }, 2,
      "trainmap: " DATA "empty.json: empty file, expected an ONNX model\n" },
    { { "import", "onnx", "tests/data/hostile", NULL }, 2,
      "trainmap: tests/data/hostile: cannot read: Is a directory\n" },
    { { "import", "torch", "/dev/zero", NULL }, 2,
      "trainmap: /dev/zero: too large (more than 67108864 bytes)\n" },
    /* -o checked before the search: a directory in the way, a file as
     * the directory, an empty name */
    { { "map", "-a", ARCH_16PE, "-w", WL_16PE, "-o", "tests/data", NULL }, 2,
      "trainmap map: -o: cannot write 'tests/data': tests/data: is a directory\n" },
    { { "map", "-a", ARCH_16PE, "-w", WL_16PE, "-o", DATA "empty.json/r.json", NULL }, 2,
      "trainmap map: -o: cannot write '" DATA "empty.json/r.json': " DATA "empty.json: "
      "Not a directory\n" },
    { { "map", "-a", ARCH_16PE, "-w", WL_16PE, "-o", "", NULL }, 2,
      "trainmap map: -o: cannot write '': '': No such file or directory\n" },
};
#define NCLI (int)(sizeof cli_cases / sizeof cli_cases[0])

START_TEST(cli_should_reject_hostile_inputs_with_exact_messages)
{
    const struct cli_case *c = &cli_cases[_i];
    struct run r;
    run(c->args, 60, &r);
    ck_assert_msg(r.code == c->code, "%s %s: exit %d, stderr %s", c->args[0], c->args[1],
                  r.code, r.err);
    ck_assert_str_eq(r.err, c->err);
    run_release(&r);
}
END_TEST

/* A prime bound near 2^31 (P = 2^31 - 1) once made the annealing move
 * factor it by trial division up to 2^31 per step, so the search never
 * reached its time limit.  Each strategy must now stop on time: 3
 * problems at 0.3 s each, far inside the 60 s allowed. */
START_TEST(cli_map_should_stop_on_time_with_prime_bounds_near_2_31)
{
    static const char *const strategies[] = { "exhaustive", "random", "anneal" };
    for (int i = 0; i < 3; i++) {
        char *args[] = { "map", "-a", ARCH_16PE, "-w", DATA "workload_stride_2_31.json",
                         "-s", (char *)strategies[i], "-j", "2", "--time-limit", "0.3", NULL };
        struct run r;
        run(args, 60, &r);
        ck_assert_msg(r.code == 0, "%s: exit %d: %s", strategies[i], r.code, r.err);
        run_release(&r);
    }
}
END_TEST

/* A factor walk that tried every value up to a bound of 2^31 - 1 took
 * minutes per inner level; walking the bound's divisors (1 and itself)
 * covers the whole space of this prime at once, so the exhaustive search
 * ends without a time limit and proves its 3 problems optimal. */
START_TEST(cli_map_exhaustive_should_cover_prime_bounds_near_2_31)
{
    char *args[] = { "map", "-a", ARCH_16PE, "-w", DATA "workload_stride_2_31.json",
                     "-s", "exhaustive", "-j", "2", NULL };
    struct run r;
    run(args, 60, &r);
    ck_assert_msg(r.code == 0, "exit %d: %s", r.code, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "problems searched: 3, optimal: 3;"));
    run_release(&r);
}
END_TEST

/* Every command on its success path and its main failure paths, for the
 * sanitizers: under `make sanitize` TRAINMAP is build/asan/trainmap with
 * leak checking on, so a leak, a memory error or undefined behaviour on
 * any of these paths prints its report on stderr and changes the exit
 * code.  (The golden and map tests of the cli suite cover more paths the
 * same way.) */
START_TEST(cli_every_command_should_run_clean_under_the_sanitizers)
{
    char dir[] = "/tmp/trainmap-hostile-XXXXXX", out[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(out, sizeof out, "%s/out.json", dir);
    struct { char *args[20]; int code; } runs[] = {
        { { NULL }, 2 },
        { { "--help", NULL }, 0 },
        { { "bogus", NULL }, 2 },
        { { "check", "arch/presets/eyeriss.json", "workloads/nets/resnet50.json",
            MAP_16PE, NULL }, 0 },
        { { "check", DATA "empty.json", "arch/presets/eyeriss.json", NULL }, 2 },
        { { "kernels", "-w", "workloads/nets/mobilenet_v2.json", "--json", NULL }, 0 },
        { { "kernels", "-w", "workloads/nets/resnet18.json", "--lowering", "im2col", NULL }, 0 },
        { { "eval", "-a", ARCH_16PE, "-w", WL_16PE, "--layer", "conv3x3", "-k", "fwd",
            "-m", MAP_16PE, "-o", out, NULL }, 0 },
        { { "eval", "-a", ARCH_16PE, "-w", WL_16PE, "--layer", "conv3x3", "-k", "update",
            NULL }, 0 },
        { { "map", "-a", "tests/data/map/tiny_4pe.json", "-w", "tests/data/map/twins.json",
            "-o", out, NULL }, 0 },
        { { "map", "-a", "tests/data/map/tiny_4pe.json", "-w", "tests/data/map/one_layer.json",
            "--constraints", "tests/data/map/k_three.json", "-s", "anneal", "-o", out, NULL }, 1 },
        { { "map", "-a", "tests/data/map/tiny_4pe.json", "-w", "tests/data/map/one_layer.json",
            "--layers", "(", NULL }, 2 },
        { { "report", "tests/data/reports/twins.json", "--md", out, NULL }, 0 },
        { { "compare", "-a", "tests/data/map/tiny_4pe.json", "-a",
            "tests/data/compare/tiny_4pe_half.json", "-w", "tests/data/map/one_layer.json",
            "-o", out, NULL }, 0 },
        { { "import", "onnx", "tests/data/import/mobilenet_block.onnx", "-o", out, NULL }, 0 },
        { { "import", "torch", "tests/data/import/resnet18_print.txt", "--input", "3x224x224",
            NULL }, 0 },
        { { "import", "torch", "tests/data/import/resnet18_print.txt", NULL }, 2 },
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        struct run r;
        run(runs[i].args, 120, &r);
        ck_assert_msg(r.code == runs[i].code, "run %zu (%s): exit %d, stderr %s", i,
                      runs[i].args[0] ? runs[i].args[0] : "no arguments", r.code, r.err);
        ck_assert_msg(!strstr(r.err, "Sanitizer") && !strstr(r.err, "runtime error"),
                      "run %zu: %s", i, r.err);
        run_release(&r);
    }
    unlink(out);
    rmdir(dir);
}
END_TEST

/* ---- outputs under kills and interrupts ------------------------------- */

/* One hexadecimal signal mask line ("SigCgt:") of /proc/pid/status. */
static unsigned long long proc_mask(pid_t pid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    unsigned long long v = 0;
    if (!f)
        return 0;
    size_t n = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0) {
            v = strtoull(line + n, NULL, 16);
            break;
        }
    fclose(f);
    return v;
}

#define SIGINT_BIT (1ull << (SIGINT - 1))

/* Waits until map has put its SIGINT handler in place, which it does just
 * before the search starts. */
static void wait_for_search(pid_t pid)
{
    for (int i = 0; i < 3000 && !(proc_mask(pid, "SigCgt:") & SIGINT_BIT); i++)
        nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
    ck_assert_msg(proc_mask(pid, "SigCgt:") & SIGINT_BIT, "map never started its search");
}

/* The names in dir, space-separated, into out. */
static void list_dir(const char *dir, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    out[0] = '\0';
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        size_t used = strlen(out);
        int n = snprintf(out + used, cap - used, "%s%s", used ? " " : "", de->d_name);
        ck_assert_msg(n >= 0 && (size_t)n < cap - used, "the names in %s pass %zu bytes", dir,
                      cap);
    }
    closedir(d);
}

#define BIG "tests/data/map/big.json"

/* SIGKILL cannot be caught: what protects an existing report is that the
 * report is written only after the search, through a temporary file and a
 * rename (common/outfile.h).  Killed mid-search, map leaves the old
 * report as it was and no other file. */
START_TEST(cli_map_killed_mid_search_should_leave_an_existing_report_untouched)
{
    char dir[] = "/tmp/trainmap-hostile-XXXXXX", path[64], out[64], err[64], names[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/report.json", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("the previous report\n", f);
    fclose(f);
    char *args[] = { "map", "-a", ARCH_16PE, "-w", BIG, "-j", "2", "--time-limit", "20",
                     "-o", path, NULL };
    pid_t pid = start(args, out, err);
    wait_for_search(pid);
    nanosleep(&(struct timespec){ 0, 300000000 }, NULL);
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    ck_assert_int_eq(wait_for(pid, 30), -1);
    unlink(out);
    unlink(err);
    char *text = slurp(path);
    ck_assert_str_eq(text, "the previous report\n");
    free(text);
    list_dir(dir, names, sizeof names);
    ck_assert_str_eq(names, "report.json");
    unlink(path);
    rmdir(dir);
}
END_TEST

/* The first Ctrl-C stops the search and writes the best-so-far report; a
 * second one exits at once with 130 and writes nothing.  The second must
 * land between the first's delivery and the report's write, a window of
 * milliseconds: the test sends it as soon as /proc shows the first
 * delivered, and tries again (up to 10 times) when the report was written
 * first anyway.  A temporary file left behind fails at once. */
START_TEST(cli_map_second_sigint_should_exit_at_once_without_writing)
{
    char dir[] = "/tmp/trainmap-hostile-XXXXXX", path[64], out[64], err[64], names[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/report.json", dir);
    bool seen = false;
    for (int attempt = 0; attempt < 10 && !seen; attempt++) {
        char *args[] = { "map", "-a", ARCH_16PE, "-w", BIG, "-j", "2", "--time-limit", "20",
                         "-o", path, NULL };
        pid_t pid = start(args, out, err);
        wait_for_search(pid);
        nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
        ck_assert_int_eq(kill(pid, SIGINT), 0);
        for (long spin = 0; spin < 10000000; spin++)
            if (!((proc_mask(pid, "ShdPnd:") | proc_mask(pid, "SigPnd:")) & SIGINT_BIT))
                break;
        kill(pid, SIGINT);
        int code = wait_for(pid, 60);
        char *stdout_text = slurp(out);
        unlink(out);
        unlink(err);
        list_dir(dir, names, sizeof names);
        if (names[0] == '\0') {
            ck_assert_int_eq(code, 130);
            /* the summary follows the report: neither was written */
            ck_assert_str_eq(stdout_text, "");
            seen = true;
        } else {
            /* the report was written before the second signal came */
            ck_assert_str_eq(names, "report.json");
            unlink(path);
        }
        free(stdout_text);
    }
    ck_assert_msg(seen, "the report was written before every second SIGINT");
    rmdir(dir);
}
END_TEST

Suite *hostile_cli_suite(void)
{
    Suite *s = suite_create("hostile_cli");
    TCase *cli = tcase_create("cli");
    tcase_set_timeout(cli, 300);
    tcase_add_loop_test(cli, cli_should_reject_hostile_inputs_with_exact_messages, 0, NCLI);
    tcase_add_test(cli, cli_map_should_stop_on_time_with_prime_bounds_near_2_31);
    tcase_add_test(cli, cli_map_exhaustive_should_cover_prime_bounds_near_2_31);
    tcase_add_test(cli, cli_every_command_should_run_clean_under_the_sanitizers);
    suite_add_tcase(s, cli);
    TCase *outputs = tcase_create("outputs");
    tcase_set_timeout(outputs, 600);
    tcase_add_test(outputs, cli_map_killed_mid_search_should_leave_an_existing_report_untouched);
    tcase_add_test(outputs, cli_map_second_sigint_should_exit_at_once_without_writing);
    suite_add_tcase(s, outputs);
    return s;
}
