/*
 * fuzz_report: report_doc_parse on arbitrary bytes, the reader behind
 * `trainmap report` and `trainmap compare --from`.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../reports/report_read.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct report_doc *doc = NULL;
    struct err e;
    int rc = report_doc_parse("fuzz.json", (const char *)data, size, &doc, &e);
    if (rc < 0)
        fuzz_check_failure(rc, doc, &e);
    report_doc_free(doc);
    return 0;
}
