/*
 * Benchmark of the cost model: evaluations per second, single thread, on
 * fixed cases (median of several timed runs), through model_eval_prepared
 * (prepared once, as the mapper's search_offer does) and through
 * model_eval (prepared on every call).  Prints figures; asserts nothing.
 * Run from the repository root: `make bench`.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../arch/arch.h"
#include "../mapper/mapping_io.h"
#include "../model/model.h"
#include "../workloads/workload.h"
#include "bench.h"

struct bench_case {
    const char *title;
    const char *arch, *workload, *mapping;
};

static const struct bench_case cases[] = {
    { "3x3 conv fwd, 16-PE arch", "tests/validation/conv3x3_fwd/arch.json",
      "tests/validation/conv3x3_fwd/workload.json",
      "tests/validation/conv3x3_fwd/mapping.json" },
    { "1x1 stride-2 conv fwd, 16-PE arch", "tests/validation/conv1x1s2_fwd/arch.json",
      "tests/validation/conv1x1s2_fwd/workload.json",
      "tests/validation/conv1x1s2_fwd/mapping.json" },
    { "3x3 conv bwd_data, 16-PE arch", "tests/validation/conv3x3_bwd_data/arch.json",
      "tests/validation/conv3x3_bwd_data/workload.json",
      "tests/validation/conv3x3_bwd_data/mapping.json" },
    { "3x3 conv fwd, Eyeriss-like (per-slot scratchpads)", "arch/presets/eyeriss.json",
      "bench/data/eyeriss_conv.json", "bench/data/eyeriss_mapping.json" },
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median rate of RUNS timed runs of ITERS evaluations of m, through
 * model_eval_prepared or model_eval. */
static double median_rate(const struct model_prep *prep, const struct mapping *m,
                          struct model_stats *s, bool prepared)
{
    enum { RUNS = 7, ITERS = 200000 };
    double rate[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double t0 = now_s();
        for (long i = 0; i < ITERS; i++) {
            if (prepared)
                model_eval_prepared(prep, m, s, NULL);
            else
                model_eval(prep->arch, prep->prob, m, s, NULL);
        }
        rate[r] = (double)ITERS / (now_s() - t0);
    }
    qsort(rate, RUNS, sizeof rate[0], cmp_double);
    return rate[RUNS / 2];
}

static int run_case(const struct bench_case *bc)
{
    struct err e;
    struct arch *a = NULL;
    struct workload *w = NULL;
    struct mapping_file *mf = NULL;
    int rc = 1;
    if (arch_load(bc->arch, &a, &e) || workload_load(bc->workload, &w, &e) ||
        mapping_load(bc->mapping, &mf, &e)) {
        fprintf(stderr, "bench: %s\n", e.msg);
        goto out;
    }
    struct problem p;
    struct mapping m;
    int layer = workload_find_layer(w, mf->layer);
    if (layer < 0 || workload_derive(w, layer, (enum kernel)mf->kernel, LOWER_NONE, &p, &e) ||
        mapping_bind(mf, bc->mapping, a, &p, &m, &e)) {
        fprintf(stderr, "bench: %s: %s\n", bc->mapping, layer < 0 ? "unknown layer" : e.msg);
        goto out;
    }
    struct model_stats s;
    if (model_eval(a, &p, &m, &s, &e)) {
        fprintf(stderr, "bench: %s: %s\n", bc->mapping, e.msg);
        goto out;
    }
    /* The mapper's path (prepared once, as search_offer does), then the
     * one-call path that prepares on every call. */
    struct model_prep prep;
    model_prepare(&prep, a, &p);
    double prepared = median_rate(&prep, &m, &s, true);
    double direct = median_rate(&prep, &m, &s, false);
    printf("  %-52s %6.2f M evals/s  (model_eval: %5.2f M/s; EDP %.4g)\n", bc->title,
           prepared / 1e6, direct / 1e6, s.edp);
    rc = 0;
out:
    mapping_file_free(mf);
    workload_free(w);
    arch_free(a);
    return rc;
}

int bench_model(void)
{
    int failed = 0;
    printf("model_eval_prepared (the mapper's path), single thread, median of 7 runs:\n");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        failed |= run_case(&cases[i]);
    return failed;
}
