/*
 * fuzz_import_torch: import_torch_parse on arbitrary text (a torchinfo
 * table or print(model) output), then what `trainmap import torch` does
 * with a model that imports: the workload JSON is written and loaded back.
 * print(model) text needs the input shape: when the importer asks for it,
 * the input is tried again with 3 x 224 x 224.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../workloads/import_torch.h"
#include "../workloads/workload.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct import_opts opts = { .name = "fuzz" };
    struct import_net net;
    struct err e;
    import_net_init(&net);
    int rc = import_torch_parse("fuzz.txt", (const char *)data, size, &opts, &net, &e);
    if (rc == ERR_USAGE) {
        import_net_release(&net);
        import_net_init(&net);
        opts.in_c = 3;
        opts.in_h = opts.in_w = 224;
        rc = import_torch_parse("fuzz.txt", (const char *)data, size, &opts, &net, &e);
    }
    if (rc < 0)
        fuzz_check_import_failure(rc, &e);
    else
        fuzz_check_import(&net);
    import_net_release(&net);
    return 0;
}
