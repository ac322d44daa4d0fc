/*
 * trainmap map: the best mapping of every selected training kernel of
 * every selected layer of a workload on an arch.  Loads the inputs, picks
 * layers (--layers, a PCRE2 pattern) and kernels (-k), searches each
 * distinct problem once (layers of the same shape share one search), then
 * prints the totals on stdout and, with -o, writes the JSON report
 * (reports/report_json.h) whole or not at all.
 *
 * Ctrl-C stops the current search, which returns its best so far; the
 * problems after it are reported as not searched and the run exits 130.  A
 * second Ctrl-C exits at once.  This file reads the command line and owns
 * the interrupt flag; map_run.c plans, searches and prints.  The search
 * and the report themselves are in the library.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <math.h>
#include <pcre2.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../arch/arch.h"
#include "../common/outfile.h"
#include "../mapper/search.h"
#include "../reports/report_json.h"
#include "../workloads/workload.h"
#include "cli.h"
#include "map_run.h"

#define MAX_THREADS 1024

static const char *const cmd = "map";

/* Set by the SIGINT handler and read by the search's threads
 * (search_options.stop): a lock-free atomic, safe in both. */
static atomic_int stop_requested;

static void on_sigint(int sig)
{
    (void)sig;
    if (atomic_exchange(&stop_requested, 1))
        _exit(EXIT_INTERRUPTED);
}

struct map_args {
    const char *arch, *workload, *kernels, *objective, *strategy, *threads, *seed,
        *time_limit, *layers, *constraints, *lowering, *output;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: trainmap map -a ARCH -w WORKLOAD [-k KERNELS] [-O edp|energy|latency]\n"
            "                    [-s exhaustive|random|anneal] [-j THREADS] [--seed N]\n"
            "                    [--time-limit S] [--layers REGEX] [--constraints F]\n"
            "                    [--lowering none|im2col] [-o REPORT.json]\n\n"
            "Searches the best mapping of every training kernel of every layer of a\n"
            "workload on an arch, then prints the energy, cycles and MACs per kernel and\n"
            "per training step.  Layers of the same shape are searched once.\n\n"
            "  -a, --arch FILE          arch JSON\n"
            "  -w, --workload FILE      workload JSON\n"
            "  -k, --kernels LIST       comma-separated kernels to map: fwd, bwd_data,\n"
            "                           bwd_weight, update, im2col, col2im (default: every\n"
            "                           kernel of a training step)\n"
            "  -O, --objective OBJ      what to minimize: edp (default), energy, latency\n"
            "  -s, --search STRATEGY    exhaustive (default), random or anneal\n"
            "  -j, --threads N          search threads (default: one per core)\n"
            "      --seed N             seed of the search (default 1)\n"
            "      --time-limit S       seconds per problem (default %g); the best\n"
            "                           mapping found by then is kept\n"
            "      --layers REGEX       only the layers whose name matches REGEX (PCRE2,\n"
            "                           anywhere in the name, as grep does)\n"
            "      --constraints FILE   mapspace constraints JSON\n"
            "      --lowering MODE      im2col maps conv layers as the GEMMs im2col\n"
            "                           produces; none (default) keeps each layer's own\n"
            "  -o, --output FILE        write the JSON report\n"
            "  -h, --help               this text\n\n"
            "A progress line is drawn on stderr when it is a terminal.  Ctrl-C stops the\n"
            "search: the best mappings found so far are reported, the kernels not yet\n"
            "searched are marked so; a second Ctrl-C quits at once without a report.\n\n"
            "exit status: 0 mapped, 1 some kernel has no valid mapping (the report is\n"
            "still written), 2 bad input or usage, 130 interrupted\n",
            SEARCH_DEFAULT_TIME_LIMIT_S);
}

/* Matches argv[*i] against a short and a long option taking a value
 * ("-a X", "--arch X", "--arch=X").  Returns 1 and sets *val on a match,
 * 0 when it is another option, -1 when the value is missing. */
static int take(int argc, char **argv, int *i, const char *shrt, const char *lng,
                const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(lng);
    if (strncmp(a, lng, n) == 0 && a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (strcmp(a, lng) != 0 && !(shrt && strcmp(a, shrt) == 0))
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *val = argv[++*i];
    return 1;
}

/* Returns -1 after --help, EXIT_OK to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct map_args *ma)
{
    static const struct { const char *shrt, *lng; size_t off; } opts[] = {
        { "-a", "--arch", offsetof(struct map_args, arch) },
        { "-w", "--workload", offsetof(struct map_args, workload) },
        { "-k", "--kernels", offsetof(struct map_args, kernels) },
        { "-O", "--objective", offsetof(struct map_args, objective) },
        { "-s", "--search", offsetof(struct map_args, strategy) },
        { "-j", "--threads", offsetof(struct map_args, threads) },
        { NULL, "--seed", offsetof(struct map_args, seed) },
        { NULL, "--time-limit", offsetof(struct map_args, time_limit) },
        { NULL, "--layers", offsetof(struct map_args, layers) },
        { NULL, "--constraints", offsetof(struct map_args, constraints) },
        { NULL, "--lowering", offsetof(struct map_args, lowering) },
        { "-o", "--output", offsetof(struct map_args, output) },
    };
    memset(ma, 0, sizeof *ma);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return -1;
        bool matched = false;
        for (size_t o = 0; o < sizeof opts / sizeof opts[0] && !matched; o++) {
            const char **slot = (const char **)((char *)ma + opts[o].off);
            int r = take(argc, argv, &i, opts[o].shrt, opts[o].lng, slot);
            if (r < 0)
                return cli_usage_error(cmd, "option '%s' needs a value", argv[i]);
            matched = r == 1;
        }
        if (!matched)
            return cli_usage_error(cmd, "%s '%s'",
                                   argv[i][0] == '-' ? "unknown option" : "unexpected argument",
                                   argv[i]);
    }
    if (!ma->arch)
        return cli_usage_error(cmd, "missing -a ARCH");
    if (!ma->workload)
        return cli_usage_error(cmd, "missing -w WORKLOAD");
    return EXIT_OK;
}

/* Parses a comma-separated kernel list into sel. */
static int parse_kernels(const char *list, bool sel[KERNEL_COUNT])
{
    const char *s = list;
    memset(sel, 0, KERNEL_COUNT * sizeof sel[0]);
    for (;;) {
        size_t n = strcspn(s, ",");
        char name[32];
        if (n == 0)
            return cli_usage_error(cmd, "-k: empty kernel name in '%s'", list);
        snprintf(name, sizeof name, "%.*s", n < sizeof name ? (int)n : (int)sizeof name - 1, s);
        int k = n < sizeof name ? kernel_from_name(name) : -1;
        if (k < 0)
            return cli_usage_error(cmd, "unknown kernel '%.*s', expected fwd, bwd_data, "
                                   "bwd_weight, update, im2col or col2im", (int)n, s);
        sel[k] = true;
        if (s[n] == '\0')
            return EXIT_OK;
        s += n + 1;
    }
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s[0] || s[0] == '-' || s[0] == '+' || s[0] == ' ')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

/* Checks the option values (before any file is read) into mo. */
static int check_opts(const struct map_args *ma, struct map_opts *mo)
{
    uint64_t n;
    for (int k = 0; k < KERNEL_COUNT; k++)
        mo->kernel[k] = true;
    if (ma->kernels && parse_kernels(ma->kernels, mo->kernel) != EXIT_OK)
        return EXIT_BAD_INPUT;
    mo->objective = OBJ_EDP;
    if (ma->objective) {
        int v = objective_from_name(ma->objective);
        if (v < 0)
            return cli_usage_error(cmd, "unknown objective '%s', expected edp, energy or "
                                   "latency", ma->objective);
        mo->objective = (enum objective)v;
    }
    mo->strategy = STRATEGY_EXHAUSTIVE;
    if (ma->strategy) {
        int v = strategy_from_name(ma->strategy);
        if (v < 0)
            return cli_usage_error(cmd, "unknown search '%s', expected exhaustive, random or "
                                   "anneal", ma->strategy);
        mo->strategy = (enum strategy)v;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    mo->threads = cores < 1 ? 1 : cores > MAX_THREADS ? MAX_THREADS : (int)cores;
    if (ma->threads) {
        if (!parse_u64(ma->threads, &n) || n < 1 || n > MAX_THREADS)
            return cli_usage_error(cmd, "-j: expected a number of threads from 1 to %d, "
                                   "got '%s'", MAX_THREADS, ma->threads);
        mo->threads = (int)n;
    }
    mo->seed = 1;
    if (ma->seed && !parse_u64(ma->seed, &mo->seed))
        return cli_usage_error(cmd, "--seed: expected an integer from 0 to %llu, got '%s'",
                               (unsigned long long)UINT64_MAX, ma->seed);
    mo->time_limit_s = SEARCH_DEFAULT_TIME_LIMIT_S;
    if (ma->time_limit) {
        char *end;
        errno = 0;
        double t = strtod(ma->time_limit, &end);
        if (errno || *end || end == ma->time_limit || !isfinite(t) || t <= 0)
            return cli_usage_error(cmd, "--time-limit: expected a positive number of "
                                   "seconds, got '%s'", ma->time_limit);
        mo->time_limit_s = t;
    }
    mo->arch_path = ma->arch;
    mo->workload_path = ma->workload;
    mo->constraints_path = ma->constraints;
    mo->output = ma->output;
    mo->lowering = LOWER_NONE;
    if (ma->lowering && strcmp(ma->lowering, "im2col") == 0)
        mo->lowering = LOWER_IM2COL;
    else if (ma->lowering && strcmp(ma->lowering, "none") != 0)
        return cli_usage_error(cmd, "unknown lowering '%s', expected none or im2col",
                               ma->lowering);
    return EXIT_OK;
}

/* An input error of this subcommand: "trainmap map: <message>", exit 2. */
static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "trainmap %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_BAD_INPUT;
}

/* Fails early, before hours of search, when the report could not be
 * written: no writable directory, or a directory in the way. */
static int check_output_dir(const char *output)
{
    struct err e;
    if (outfile_check(output, &e) < 0)
        return fail("-o: cannot write '%s': %s", output, e.msg);
    return EXIT_OK;
}

/* Marks the layers whose name matches pattern (all when NULL).  Returns
 * how many, or -1 having printed the error. */
static int match_layers(const struct workload *w, const char *pattern, bool *matched)
{
    if (!pattern) {
        for (int i = 0; i < w->nlayers; i++)
            matched[i] = true;
        return w->nlayers;
    }
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code,
                                   &offset, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        fail("--layers: %s at offset %zu", (const char *)msg, (size_t)offset);
        return -1;
    }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int n = md ? 0 : -1;
    if (!md)
        fail("--layers: out of memory");
    for (int i = 0; i < w->nlayers && n >= 0; i++) {
        int rc = pcre2_match(re, (PCRE2_SPTR)w->layers[i].name, PCRE2_ZERO_TERMINATED, 0, 0,
                             md, NULL);
        matched[i] = rc >= 0;
        n += matched[i];
        if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(rc, msg, sizeof msg);
            fail("--layers: matching layer '%s': %s", w->layers[i].name, (const char *)msg);
            n = -1;
        }
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    if (n == 0)
        fail("--layers: no layer of workload '%s' matches '%s'", w->name, pattern);
    return n > 0 ? n : -1;
}

/* The command line as one string, each argument quoted for a POSIX shell
 * when it holds anything but plain characters.  NULL when out of memory. */
static char *command_line(int argc, char **argv)
{
    static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789_-./=,:@%+";
    size_t cap = sizeof "trainmap";
    for (int i = 0; i < argc; i++)
        cap += 4 * strlen(argv[i]) + 3;
    char *out = malloc(cap), *o = out;
    if (!out)
        return NULL;
    o += sprintf(o, "trainmap");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        *o++ = ' ';
        if (a[0] && strspn(a, plain) == strlen(a)) {
            o += sprintf(o, "%s", a);
            continue;
        }
        *o++ = '\'';
        for (; *a; a++)
            o += *a == '\'' ? sprintf(o, "'\\''") : sprintf(o, "%c", *a);
        *o++ = '\'';
        *o = '\0';
    }
    return out;
}

/* Runs map_run with the SIGINT handler in place, then restores the
 * previous disposition. */
static int run_interruptible(const struct map_opts *mo, const struct arch *a,
                             const struct workload *w, struct report *r)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    atomic_store(&stop_requested, 0);
    if (sigaction(SIGINT, &sa, &old) != 0)
        return fail("cannot install the interrupt handler: %s", strerror(errno));
    int rc = map_run(mo, a, w, r, &stop_requested);
    sigaction(SIGINT, &old, NULL);
    return rc;
}

int cmd_map(int argc, char **argv)
{
    struct map_args ma;
    struct map_opts mo;
    struct err e;
    struct arch *a = NULL;
    struct workload *w = NULL;
    struct report r;
    bool *matched = NULL;
    char *command = NULL;
    memset(&mo, 0, sizeof mo);
    clock_gettime(CLOCK_MONOTONIC, &mo.start);
    int rc = parse_args(argc, argv, &ma);
    if (rc < 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (rc != EXIT_OK || (rc = check_opts(&ma, &mo)) != EXIT_OK ||
        (ma.output && (rc = check_output_dir(ma.output)) != EXIT_OK))
        return rc;
    memset(&r, 0, sizeof r);
    if (arch_load(ma.arch, &a, &e) < 0)
        return cli_fail(&e);
    if (workload_load(ma.workload, &w, &e) < 0) {
        rc = cli_fail(&e);
        goto out_free;
    }
    if (!(matched = calloc((size_t)w->nlayers + 1, sizeof *matched)) ||
        !(command = command_line(argc, argv))) {
        rc = fail("out of memory");
        goto out_free;
    }
    int nlayers = match_layers(w, ma.layers, matched);
    if (nlayers < 0) {
        rc = EXIT_BAD_INPUT;
        goto out_free;
    }
    if (report_init(&r, nlayers, &e) < 0) {
        rc = cli_fail(&e);
        goto out_free;
    }
    r.version = TRAINMAP_VERSION;
    r.command = command;
    int nkernels = map_plan(w, matched, &mo, &r);
    if (nkernels < 0) {
        rc = EXIT_BAD_INPUT;
        goto out_free;
    }
    if (nkernels == 0) {
        rc = fail("no kernel to map: the kernels given with -k do not occur in the "
                  "selected layers (the first layer has no bwd_data; im2col and col2im "
                  "need --lowering im2col)");
        goto out_free;
    }
    rc = run_interruptible(&mo, a, w, &r);
out_free:
    report_release(&r);
    free(command);
    free(matched);
    workload_free(w);
    arch_free(a);
    return rc;
}
