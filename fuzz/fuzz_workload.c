/*
 * fuzz_workload: workload_parse on arbitrary bytes.  The loader derives
 * every kernel of every layer (direct and lowered) while loading, so this
 * also covers the derivation's checked arithmetic.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../workloads/workload.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct workload *w = NULL;
    struct err e;
    int rc = workload_parse("fuzz.json", (const char *)data, size, &w, &e);
    if (rc == 0) {
        enum kernel ks[KERNEL_COUNT];
        for (int i = 0; i < w->nlayers; i++)
            (void)workload_step_kernels(w, i, LOWER_IM2COL, ks);
    } else {
        fuzz_check_failure(rc, w, &e);
    }
    workload_free(w);
    return 0;
}
