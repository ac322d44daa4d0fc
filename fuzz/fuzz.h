/*
 * fuzz: what the libFuzzer targets (fuzz/fuzz_NAME.c, one per loader)
 * share: the rule a failed load must follow, and the fixed arch and
 * workload that the mapping and constraints targets bind their input to,
 * so that the fuzzer also reaches mapping_bind, constraints_bind and the
 * model behind them.  The texts are those of tests/validation/conv3x3_fwd
 * (a 16-PE arch and one 3x3 convolution), embedded so that a target needs
 * no file at run time.
 */
#ifndef TRAINMAP_FUZZ_H
#define TRAINMAP_FUZZ_H

#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../common/err.h"
#include "../workloads/import_net.h"
#include "../workloads/workload.h"

/* The libFuzzer entry point; every target defines it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A loader that failed with rc must have left its result NULL and said
 * why, with an input error: the fuzzer's allocator never fails (it aborts
 * past its limit), so ERR_NOMEM means an input error was misreported. */
static inline void fuzz_check_failure(int rc, const void *out, const struct err *e)
{
    if (out || e->msg[0] == '\0' || e->code != rc ||
        (rc != ERR_IO && rc != ERR_SYNTAX && rc != ERR_SCHEMA && rc != ERR_TOO_LARGE))
        abort();
}

/* The same for an importer, which may also refuse its options
 * (ERR_USAGE); its caller-owned net is released whatever happened. */
static inline void fuzz_check_import_failure(int rc, const struct err *e)
{
    if (rc != ERR_USAGE)
        fuzz_check_failure(rc, NULL, e);
    else if (e->msg[0] == '\0' || e->code != rc)
        abort();
}

/* What `trainmap import` does with a net that imported: writes it as
 * workload JSON and loads that back.  Either may still refuse it (no layer
 * found; MACs that overflow), but only as an input error. */
static inline void fuzz_check_import(const struct import_net *net)
{
    char *json = NULL;
    struct workload *w = NULL;
    struct err e;
    int rc = import_net_to_json(net, &json, &e);
    if (rc < 0) {
        fuzz_check_failure(rc, json, &e);
        return;
    }
    rc = workload_parse("imported.json", json, strlen(json), &w, &e);
    if (rc < 0)
        fuzz_check_failure(rc, w, &e);
    workload_free(w);
    free(json);
}

static const char fuzz_arch_text[] =
    "{ \"name\": \"validation-16pe\", \"word_bits\": 16, \"clock_mhz\": 1000,\n"
    "  \"levels\": [\n"
    "    { \"name\": \"DRAM\", \"class\": \"dram\", \"read_pj\": 200.0,\n"
    "      \"fill_pj\": 200.0, \"update_pj\": 200.0 },\n"
    "    { \"name\": \"GlobalBuffer\", \"class\": \"sram\", \"size_words\": 65536,\n"
    "      \"read_pj\": 6.0, \"fill_pj\": 6.5, \"update_pj\": 7.0 },\n"
    "    { \"name\": \"RegisterFile\", \"class\": \"regfile\", \"mesh_x\": 4, \"mesh_y\": 4,\n"
    "      \"size_words\": 256, \"read_pj\": 0.5, \"fill_pj\": 0.6, \"update_pj\": 0.7 } ],\n"
    "  \"compute\": { \"name\": \"MACC\", \"mesh_x\": 4, \"mesh_y\": 4, \"energy_pj\": 1.0 } }\n";

static const char fuzz_workload_text[] =
    "{ \"name\": \"conv3x3_fwd\", \"batch\": 2,\n"
    "  \"layers\": [ { \"name\": \"conv3x3\", \"type\": \"conv\", \"C\": 64, \"K\": 64,\n"
    "                \"P\": 14, \"Q\": 14, \"R\": 3, \"S\": 3 } ] }\n";

#endif
