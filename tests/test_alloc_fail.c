/*
 * Allocation-failure injection: every loader (arch, workload, mapping,
 * constraints, report, the importers), run once per allocation it makes
 * with that allocation failing, must fail cleanly (ERR_NOMEM with a
 * message, its result NULL) or succeed, and must free everything it
 * allocated either way.
 *
 * The test runner is linked with -Wl,--wrap for malloc, calloc, realloc,
 * strdup and free (Makefile), so every call from our code lands in the
 * __wrap_ functions below; cJSON, a shared library, allocates through the
 * hooks that cJSON_InitHooks points at the same functions.  When armed,
 * the wrappers count allocations, fail the Nth, and track the blocks that
 * are live, so a leak shows as a block still live after the loader
 * returns.  The counters are globals: this is test code, run in Check's
 * forked child, one test at a time.  The loop runs N = 0, 1, 2, ... until
 * the loader succeeds with no allocation failed.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../arch/arch.h"
#include "../common/json.h"
#include "../mapper/constraints.h"
#include "../mapper/mapping_io.h"
#include "../reports/report_read.h"
#include "../workloads/import_onnx.h"
#include "../workloads/import_torch.h"
#include "../workloads/workload.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
void __wrap_free(void *p);

#define MAX_LIVE 65536

static struct {
    bool armed;
    long count;          /* allocations seen since armed */
    long fail_at;        /* the allocation to fail (0-based); -1: none */
    bool failed;         /* it happened */
    long nlive;
    void *live[MAX_LIVE];
    bool overflow;       /* more live blocks than the table holds */
} inj = { .fail_at = -1 };

static bool should_fail(void)
{
    if (!inj.armed)
        return false;
    if (inj.count++ == inj.fail_at) {
        inj.failed = true;
        return true;
    }
    return false;
}

static void track(void *p)
{
    if (!inj.armed || !p)
        return;
    if (inj.nlive == MAX_LIVE) {
        inj.overflow = true;
        return;
    }
    inj.live[inj.nlive++] = p;
}

static void untrack(void *p)
{
    if (!inj.armed || !p)
        return;
    for (long i = inj.nlive - 1; i >= 0; i--)
        if (inj.live[i] == p) {
            inj.live[i] = inj.live[--inj.nlive];
            return;
        }
}

void *__wrap_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    void *p = __real_malloc(n);
    track(p);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (should_fail())
        return NULL;
    void *p = __real_calloc(n, size);
    track(p);
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    void *q = __real_realloc(p, n);
    if (q) {
        untrack(p);
        track(q);
    }
    return q;
}

char *__wrap_strdup(const char *s)
{
    if (should_fail())
        return NULL;
    char *p = __real_strdup(s);
    track(p);
    return p;
}

void __wrap_free(void *p)
{
    untrack(p);
    __real_free(p);
}

static void arm(long fail_at)
{
    cJSON_Hooks hooks = { __wrap_malloc, __wrap_free };
    cJSON_InitHooks(&hooks);
    inj.count = 0;
    inj.fail_at = fail_at;
    inj.failed = false;
    inj.nlive = 0;
    inj.overflow = false;
    inj.armed = true;
}

static void disarm(void)
{
    inj.armed = false;
    cJSON_InitHooks(NULL);
}

/* One loader run: loads path, frees the result, and returns the code. */
typedef int (*load_fn)(const char *path, struct err *e, bool *out_null);

static int run_arch(const char *path, struct err *e, bool *out_null)
{
    struct arch *a = NULL;
    int rc = arch_load(path, &a, e);
    *out_null = a == NULL;
    arch_free(a);
    return rc;
}

static int run_workload(const char *path, struct err *e, bool *out_null)
{
    struct workload *w = NULL;
    int rc = workload_load(path, &w, e);
    *out_null = w == NULL;
    workload_free(w);
    return rc;
}

static int run_mapping(const char *path, struct err *e, bool *out_null)
{
    struct mapping_file *m = NULL;
    int rc = mapping_load(path, &m, e);
    *out_null = m == NULL;
    mapping_file_free(m);
    return rc;
}

static int run_constraints(const char *path, struct err *e, bool *out_null)
{
    struct constraints_file *c = NULL;
    int rc = constraints_load(path, &c, e);
    *out_null = c == NULL;
    constraints_file_free(c);
    return rc;
}

static int run_json(const char *path, struct err *e, bool *out_null)
{
    cJSON *root = NULL;
    int rc = json_load(path, &root, e);
    *out_null = root == NULL;
    cJSON_Delete(root);
    return rc;
}

static int run_report(const char *path, struct err *e, bool *out_null)
{
    struct report_doc *d = NULL;
    int rc = report_doc_load(path, &d, e);
    *out_null = d == NULL;
    report_doc_free(d);
    return rc;
}

/* An import, then the workload JSON written from it, as `trainmap import`
 * does.  The net is caller-owned and released whatever happened.  The
 * print(model) text of a torch model needs the input shape (--input), a
 * torchinfo table must not be given one. */
static int run_import(const char *path, struct err *e, bool onnx)
{
    struct import_opts opts = { .name = "imported" };
    if (strstr(path, "_print")) {
        opts.in_c = 3;
        opts.in_h = opts.in_w = 224;
    }
    struct import_net net;
    char *json = NULL;
    import_net_init(&net);
    int rc = onnx ? import_onnx(path, &opts, &net, e) : import_torch(path, &opts, &net, e);
    if (rc == 0)
        rc = import_net_to_json(&net, &json, e);
    free(json);
    import_net_release(&net);
    return rc;
}

static int run_import_onnx(const char *path, struct err *e, bool *out_null)
{
    *out_null = true;
    return run_import(path, e, true);
}

static int run_import_torch(const char *path, struct err *e, bool *out_null)
{
    *out_null = true;
    return run_import(path, e, false);
}

struct alloc_case {
    const char *what;
    load_fn load;
    const char *path;   /* a valid file with a comment, so every branch allocates */
};

static const struct alloc_case alloc_cases[] = {
    { "json", run_json, "arch/presets/eyeriss.json" },
    { "arch", run_arch, "arch/presets/eyeriss.json" },
    { "arch", run_arch, "tests/validation/conv3x3_fwd/arch.json" },
    { "workload", run_workload, "workloads/nets/resnet18.json" },
    { "workload", run_workload, "tests/data/map/big.json" },
    { "mapping", run_mapping, "tests/data/mapping/good_full.json" },
    { "constraints", run_constraints, "tests/data/constraints/good_full.json" },
    { "constraints", run_constraints, "mapper/presets/row_stationary.json" },
    { "report", run_report, "tests/data/reports/twins.json" },
    { "report", run_report, "tests/data/reports/interrupted.json" },
    { "import_onnx", run_import_onnx, "tests/data/import/mobilenet_block.onnx" },
    { "import_torch", run_import_torch, "tests/data/import/resnet18_print.txt" },
    { "import_torch", run_import_torch, "tests/data/import/dsnet_torchinfo.txt" },
};

START_TEST(loaders_should_fail_cleanly_at_every_allocation)
{
    const struct alloc_case *c = &alloc_cases[_i];
    long n;
    for (n = 0;; n++) {
        struct err e;
        err_clear(&e);
        bool out_null = false;
        arm(n);
        int rc = c->load(c->path, &e, &out_null);
        bool failed = inj.failed;
        long live = inj.nlive;
        bool overflow = inj.overflow;
        disarm();
        ck_assert_msg(!overflow, "%s: more than %d blocks live", c->path, MAX_LIVE);
        ck_assert_msg(live == 0, "%s, allocation %ld failed: %ld blocks leaked (rc %d: %s)",
                      c->path, n, live, rc, e.msg);
        if (!failed) {
            /* every allocation succeeded: the loader must too, and we are done */
            ck_assert_msg(rc == 0, "%s: %s", c->path, e.msg);
            break;
        }
        /* A failed allocation may go unnoticed only where the loader has a
         * way around it; otherwise it is ERR_NOMEM, said as such. */
        if (rc != 0) {
            ck_assert_msg(rc == ERR_NOMEM, "%s, allocation %ld failed: rc %d (%s)", c->path, n,
                          rc, e.msg);
            ck_assert_msg(strstr(e.msg, "out of memory") != NULL, "%s: %s", c->path, e.msg);
            ck_assert_msg(out_null, "%s: a result despite rc %d", c->path, rc);
        }
    }
    /* the walk covered at least the read buffer and cJSON's tree */
    ck_assert_int_gt(n, 2);
}
END_TEST

Suite *alloc_fail_suite(void)
{
    Suite *s = suite_create("alloc_fail");
    TCase *tc = tcase_create("loaders");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, loaders_should_fail_cleanly_at_every_allocation, 0,
                        (int)(sizeof alloc_cases / sizeof alloc_cases[0]));
    suite_add_tcase(s, tc);
    return s;
}
