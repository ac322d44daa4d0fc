/*
 * fuzz_import_onnx: import_onnx_parse on arbitrary bytes, then what
 * `trainmap import onnx` does with a model that imports: the workload
 * JSON is written and loaded back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../workloads/import_onnx.h"
#include "../workloads/workload.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct import_opts opts = { .name = "fuzz" };
    struct import_net net;
    struct err e;
    import_net_init(&net);
    int rc = import_onnx_parse("fuzz.onnx", data, size, &opts, &net, &e);
    if (rc < 0)
        fuzz_check_import_failure(rc, &e);
    else
        fuzz_check_import(&net);
    import_net_release(&net);
    return 0;
}
