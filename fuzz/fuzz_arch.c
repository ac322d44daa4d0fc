/*
 * fuzz_arch: arch_parse on arbitrary bytes.  Whatever the input, the loader
 * must return 0 with an arch or a negative code with a message, never
 * crash, leak or touch memory it does not own.  On success the derived
 * quantities the model reads are computed too.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../arch/arch.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arch *a = NULL;
    struct err e;
    int rc = arch_parse("fuzz.json", (const char *)data, size, &a, &e);
    if (rc == 0) {
        volatile uint64_t sink = arch_mac_count(a);
        for (int l = 0; l < a->nlevels; l++)
            for (int s = 0; s < SLOT_COUNT; s++)
                sink += arch_capacity_words(&a->level[l], (enum slot)s);
        (void)sink;
    } else {
        fuzz_check_failure(rc, a, &e);
    }
    arch_free(a);
    return 0;
}
