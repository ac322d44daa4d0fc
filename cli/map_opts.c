/*
 * map_opts: the options of a map run, for `map` and `compare`; see
 * map_opts.h.  Runs once per command.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "map_opts.h"

#include <errno.h>
#include <math.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/outfile.h"
#include "cli.h"

#define MAX_THREADS 1024

int map_take(int argc, char **argv, int *i, const char *shrt, const char *lng,
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

int map_args_take(int argc, char **argv, int *i, struct map_args *ma)
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
        { NULL, "--csv", offsetof(struct map_args, csv) },
        { NULL, "--md", offsetof(struct map_args, md) },
        { NULL, "--plot", offsetof(struct map_args, plot) },
    };
    for (size_t o = 0; o < sizeof opts / sizeof opts[0]; o++) {
        const char **slot = (const char **)((char *)ma + opts[o].off);
        int r = map_take(argc, argv, i, opts[o].shrt, opts[o].lng, slot);
        if (r != 0)
            return r;
    }
    return 0;
}

/* Parses a comma-separated kernel list into sel. */
static int parse_kernels(const char *cmd, const char *list, bool sel[KERNEL_COUNT])
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

int map_check_opts(const char *cmd, const struct map_args *ma, struct map_opts *mo)
{
    uint64_t n;
    for (int k = 0; k < KERNEL_COUNT; k++)
        mo->kernel[k] = true;
    if (ma->kernels && parse_kernels(cmd, ma->kernels, mo->kernel) != EXIT_OK)
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
    mo->cmd = cmd;
    mo->arch_path = ma->arch;
    mo->workload_path = ma->workload;
    mo->constraints_path = ma->constraints;
    mo->output = ma->output;
    mo->out.csv = ma->csv;
    mo->out.md = ma->md;
    mo->out.plot = ma->plot;
    mo->lowering = LOWER_NONE;
    if (ma->lowering && strcmp(ma->lowering, "im2col") == 0)
        mo->lowering = LOWER_IM2COL;
    else if (ma->lowering && strcmp(ma->lowering, "none") != 0)
        return cli_usage_error(cmd, "unknown lowering '%s', expected none or im2col",
                               ma->lowering);
    return EXIT_OK;
}

int map_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "trainmap %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_BAD_INPUT;
}

int map_check_output_dir(const char *cmd, const char *opt, const char *output)
{
    struct err e;
    if (outfile_check(output, &e) < 0)
        return map_fail(cmd, "%s: cannot write '%s': %s", opt, output, e.msg);
    return EXIT_OK;
}

int map_match_layers(const char *cmd, const struct workload *w, const char *pattern,
                     bool *matched)
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
        map_fail(cmd, "--layers: %s at offset %zu", (const char *)msg, (size_t)offset);
        return -1;
    }
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int n = md ? 0 : -1;
    if (!md)
        map_fail(cmd, "--layers: out of memory");
    for (int i = 0; i < w->nlayers && n >= 0; i++) {
        int rc = pcre2_match(re, (PCRE2_SPTR)w->layers[i].name, PCRE2_ZERO_TERMINATED, 0, 0,
                             md, NULL);
        matched[i] = rc >= 0;
        n += matched[i];
        if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(rc, msg, sizeof msg);
            map_fail(cmd, "--layers: matching layer '%s': %s", w->layers[i].name, (const char *)msg);
            n = -1;
        }
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    if (n == 0)
        map_fail(cmd, "--layers: no layer of workload '%s' matches '%s'", w->name, pattern);
    return n > 0 ? n : -1;
}

char *map_command_line(int argc, char **argv)
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
