/*
 * fuzz_constraints: constraints_parse on arbitrary bytes; constraints that
 * parse are bound to the fixture arch, as `trainmap map --constraints`
 * does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../arch/arch.h"
#include "../mapper/constraints.h"
#include "fuzz.h"

static struct arch *arch;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct err e;
    if (arch_parse("arch.json", fuzz_arch_text, strlen(fuzz_arch_text), &arch, &e) < 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct constraints_file *cf = NULL;
    struct err e;
    int rc = constraints_parse("fuzz.json", (const char *)data, size, &cf, &e);
    if (rc < 0) {
        fuzz_check_failure(rc, cf, &e);
        return 0;
    }
    struct constraints c;
    (void)constraints_bind(cf, arch, &c, &e);
    constraints_file_free(cf);
    return 0;
}
