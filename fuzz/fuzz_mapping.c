/*
 * fuzz_mapping: mapping_parse on arbitrary bytes; a mapping that parses is
 * bound to the fixture arch and the kernel it names of the fixture layer
 * (fwd when it names none), and a mapping that binds is checked and
 * evaluated by the model, as `trainmap eval` does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../arch/arch.h"
#include "../mapper/mapping_io.h"
#include "../model/model.h"
#include "../workloads/workload.h"
#include "fuzz.h"

static struct arch *arch;
static struct workload *workload;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct err e;
    if (arch_parse("arch.json", fuzz_arch_text, strlen(fuzz_arch_text), &arch, &e) < 0 ||
        workload_parse("workload.json", fuzz_workload_text, strlen(fuzz_workload_text),
                       &workload, &e) < 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mapping_file *mf = NULL;
    struct err e;
    int rc = mapping_parse("fuzz.json", (const char *)data, size, &mf, &e);
    if (rc < 0) {
        fuzz_check_failure(rc, mf, &e);
        return 0;
    }
    struct problem p;
    enum kernel k = mf->kernel >= 0 ? (enum kernel)mf->kernel : KERNEL_FWD;
    if (workload_derive(workload, 0, k, LOWER_NONE, &p, &e) == 0 && !p.is_stream) {
        struct mapping m;
        struct model_stats s;
        rc = mapping_bind(mf, "fuzz.json", arch, &p, &m, &e);
        if (rc < 0 && rc != ERR_SCHEMA)
            abort();
        /* What model_check accepts, model_eval must evaluate. */
        if (rc == 0 && model_check(arch, &p, &m, &e) == 0 &&
            model_eval(arch, &p, &m, &s, &e) != 0)
            abort();
    }
    mapping_file_free(mf);
    return 0;
}
