/*
 * Benchmark of the mapper: time to solution, proven optimality and EDP on
 * the validation 3x3 convolution, evaluations per second per thread while
 * searching, and a whole ResNet-50 training step on the Eyeriss-like preset.
 * Two threads, as on the machines CI runs on.  Prints figures only.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../arch/arch.h"
#include "../mapper/search.h"
#include "../workloads/workload.h"
#include "bench.h"

#define THREADS 2

/* CPU seconds of the whole process (every thread). */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void run_problem(const char *title, const struct arch *a, const struct problem *p,
                        enum strategy st, double limit_s)
{
    struct search_options opt = { .strategy = st, .objective = OBJ_EDP, .threads = THREADS,
                                  .seed = 1, .time_limit_s = limit_s };
    struct search_result r;
    struct err e;
    double cpu0 = cpu_s();
    int rc = search_run(a, p, &opt, &r, &e);
    double cpu = cpu_s() - cpu0;
    if (rc != 0 || !r.found) {
        printf("  %-44s no mapping: %s\n", title, e.msg);
        return;
    }
    printf("  %-44s %-10s %7.2f s  EDP %.4e (%.1f pJ, %llu cycles)  %s%s\n"
           "  %-44s %.2f M evaluations/s per thread, %.2f s CPU, %llu evaluated\n",
           title, strategy_name(st), r.search_s, r.stats.edp, r.stats.energy_pj,
           (unsigned long long)r.stats.cycles, r.optimal ? "optimal" : "not proven optimal",
           r.timed_out ? " (time limit)" : "", "",
           (double)r.evaluated / (r.search_s * THREADS) / 1e6, cpu,
           (unsigned long long)r.evaluated);
    if (st == STRATEGY_EXHAUSTIVE)
        printf("  %-44s %llu nodes, %llu factorizations, %llu cut before their orders\n", "",
               (unsigned long long)r.nodes, (unsigned long long)r.factorizations,
               (unsigned long long)r.factorizations_cut);
}

/* Maps every distinct problem of a training step; identical problems (same
 * kernel and shape) are searched once, as `trainmap map` does.  limit_s: the
 * per-problem time limit (0: the default). */
static int run_network(const char *arch_path, const char *wl_path, enum strategy st,
                       double limit_s)
{
    struct err e;
    struct arch *a = NULL;
    struct workload *w = NULL;
    if (arch_load(arch_path, &a, &e) || workload_load(wl_path, &w, &e)) {
        fprintf(stderr, "bench: %s\n", e.msg);
        arch_free(a);
        return 1;
    }
    enum { MAX_DISTINCT = 1024 };
    static struct problem seen[MAX_DISTINCT];
    int nseen = 0, searched = 0, optimal = 0;
    double wall = 0;
    for (int i = 0; i < w->nlayers; i++) {
        enum kernel ks[KERNEL_COUNT];
        int nk = workload_step_kernels(w, i, LOWER_NONE, ks);
        for (int k = 0; k < nk; k++) {
            struct problem p;
            if (workload_derive(w, i, ks[k], LOWER_NONE, &p, &e))
                continue;
            struct problem key = p;
            memset(key.layer, 0, sizeof key.layer);
            bool dup = false;
            for (int j = 0; j < nseen && !dup; j++)
                dup = memcmp(&seen[j], &key, sizeof key) == 0;
            if (dup || nseen == MAX_DISTINCT)
                continue;
            seen[nseen++] = key;
            struct search_options opt = { .strategy = st, .objective = OBJ_EDP,
                                          .threads = THREADS, .seed = 1,
                                          .time_limit_s = limit_s };
            struct search_result r;
            if (search_run(a, &p, &opt, &r, &e) == 0 && r.found) {
                searched++;
                optimal += r.optimal;
                wall += r.search_s;
            }
        }
    }
    char title[64] = "ResNet-50 step (batch 32) on eyeriss";
    if (limit_s > 0)
        snprintf(title, sizeof title, "ResNet-50 step on eyeriss, %g s/problem", limit_s);
    printf("  %-44s %-10s %7.2f s  %d distinct problems searched, %d proven optimal\n",
           title, strategy_name(st), wall, searched, optimal);
    workload_free(w);
    arch_free(a);
    return 0;
}

int bench_search(void)
{
    struct err e;
    struct arch *a = NULL;
    struct workload *w = NULL;
    struct problem p;
    printf("\nmapper, %d threads:\n", THREADS);
    if (arch_load("tests/validation/conv3x3_fwd/arch.json", &a, &e) ||
        workload_load("tests/validation/conv3x3_fwd/workload.json", &w, &e) ||
        workload_derive(w, 0, KERNEL_FWD, LOWER_NONE, &p, &e)) {
        fprintf(stderr, "bench: %s\n", e.msg);
        workload_free(w);
        arch_free(a);
        return 1;
    }
    run_problem("conv3x3_fwd on validation-16pe", a, &p, STRATEGY_ANNEAL, 60);
    run_problem("conv3x3_fwd on validation-16pe", a, &p, STRATEGY_RANDOM, 60);
    run_problem("conv3x3_fwd on validation-16pe", a, &p, STRATEGY_EXHAUSTIVE, 180);
    workload_free(w);
    arch_free(a);
    int rc = run_network("arch/presets/eyeriss.json", "workloads/nets/resnet50.json",
                         STRATEGY_ANNEAL, 0);
    /* The exhaustive search on every problem, under the default limit per
     * problem: the time to prove the whole step optimal. */
    return rc ? rc : run_network("arch/presets/eyeriss.json", "workloads/nets/resnet50.json",
                                 STRATEGY_EXHAUSTIVE, 0);
}
