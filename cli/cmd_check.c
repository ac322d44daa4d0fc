/*
 * trainmap check FILE...: validates arch, workload and mapping files.
 *
 * The kind of each file is told from its content, so a user can run
 * `trainmap check *.json` over a folder of mixed inputs.  Every file is
 * checked (one line each on stdout, errors on stderr) and the exit status
 * is 2 when any of them failed.
 */
#include <stdio.h>
#include <string.h>

#include "../arch/arch.h"
#include "../common/json.h"
#include "../mapper/mapping_io.h"
#include "../workloads/workload.h"
#include "cli.h"

enum kind { KIND_ARCH, KIND_WORKLOAD, KIND_MAPPING, KIND_UNKNOWN };

static void usage(FILE *f)
{
    fprintf(f,
            "usage: trainmap check FILE...\n\n"
            "Validates arch, workload and mapping JSON files (DESIGN.md section 3),\n"
            "telling each kind from its content, and prints a one-line summary per\n"
            "valid file.  A mapping is checked on its own: its levels and factors\n"
            "are matched to an arch and a layer by 'trainmap eval'.\n\n"
            "  -h, --help   this text\n\n"
            "exit status: 0 every file is valid, 2 some file is not\n");
}

/* True when obj's "levels" is an array whose first entry has key. */
static bool levels_have(const cJSON *obj, const char *key)
{
    const cJSON *levels = cJSON_GetObjectItemCaseSensitive(obj, "levels");
    return cJSON_IsArray(levels) && cJSON_IsObject(levels->child) &&
           cJSON_HasObjectItem(levels->child, key);
}

static enum kind detect(const cJSON *root)
{
    if (!cJSON_IsObject(root))
        return KIND_UNKNOWN;
    if (cJSON_HasObjectItem(root, "layers"))
        return KIND_WORKLOAD;
    if (cJSON_HasObjectItem(root, "levels") && cJSON_HasObjectItem(root, "compute"))
        return KIND_ARCH;
    if (levels_have(root, "level") || cJSON_HasObjectItem(root, "layer") ||
        cJSON_HasObjectItem(root, "kernel"))
        return KIND_MAPPING;
    /* an arch that forgot "compute": let the arch loader say so */
    if (levels_have(root, "class"))
        return KIND_ARCH;
    return KIND_UNKNOWN;
}

/* "4.1 G" style: three significant digits and a decimal unit prefix. */
static void human(double v, char *out, size_t cap)
{
    static const char *const units[] = { "", " k", " M", " G", " T", " P", " E" };
    int u = 0;
    while (v >= 999.5 && u < 6) {
        v /= 1000;
        u++;
    }
    snprintf(out, cap, "%.3g%s", v, units[u]);
}

static int check_arch(const char *path)
{
    struct arch *a;
    struct err e;
    if (arch_load(path, &a, &e) < 0)
        return cli_fail(&e);
    printf("%s: arch '%s': %d level%s (", path, a->name, a->nlevels,
           a->nlevels == 1 ? "" : "s");
    for (int l = 0; l < a->nlevels; l++)
        printf("%s%s", l ? ", " : "", a->level[l].name);
    printf("), %llu PEs\n", (unsigned long long)arch_mac_count(a));
    arch_free(a);
    return EXIT_OK;
}

static int check_workload(const char *path)
{
    struct workload *w;
    struct err e;
    int rc = EXIT_OK, nkernels = 0;
    double macs = 0;
    if (workload_load(path, &w, &e) < 0)
        return cli_fail(&e);
    /* deriving every kernel of a step also checks that each one exists */
    for (int i = 0; i < w->nlayers && rc == EXIT_OK; i++) {
        enum kernel ks[KERNEL_COUNT];
        int n = workload_step_kernels(w, i, LOWER_NONE, ks);
        for (int j = 0; j < n; j++) {
            struct problem p;
            if (workload_derive(w, i, ks[j], LOWER_NONE, &p, &e) < 0) {
                err_prefix(&e, path);
                rc = cli_fail(&e);
                break;
            }
            nkernels++;
            if (!p.is_stream)
                macs += (double)p.macs;
        }
    }
    if (rc == EXIT_OK) {
        char h[32];
        human(macs, h, sizeof h);
        printf("%s: workload '%s': %d layer%s, %d kernels per training step, "
               "%sMACs per step at batch %llu, optimizer %s\n",
               path, w->name, w->nlayers, w->nlayers == 1 ? "" : "s", nkernels, h,
               (unsigned long long)w->batch, optimizer_name(w->optimizer));
    }
    workload_free(w);
    return rc;
}

static int check_mapping(const char *path)
{
    struct mapping_file *mf;
    struct err e;
    if (mapping_load(path, &mf, &e) < 0)
        return cli_fail(&e);
    const char *kname = mf->kernel >= 0 ? kernel_name((enum kernel)mf->kernel) : NULL;
    if (mf->layer[0] && kname)
        printf("%s: mapping for %s %s", path, mf->layer, kname);
    else
        printf("%s: mapping for %s%s, %s%s", path, mf->layer[0] ? "layer " : "any layer",
               mf->layer, kname ? "kernel " : "any kernel", kname ? kname : "");
    printf(": %d level%s (", mf->nlevels, mf->nlevels == 1 ? "" : "s");
    for (int l = 0; l < mf->nlevels; l++)
        printf("%s%s", l ? ", " : "", mf->level[l].level);
    printf(")\n");
    mapping_file_free(mf);
    return EXIT_OK;
}

static int check_file(const char *path)
{
    cJSON *root;
    struct err e;
    if (json_load(path, &root, &e) < 0)
        return cli_fail(&e);
    enum kind k = detect(root);
    cJSON_Delete(root);
    switch (k) {
    case KIND_ARCH: return check_arch(path);
    case KIND_WORKLOAD: return check_workload(path);
    case KIND_MAPPING: return check_mapping(path);
    case KIND_UNKNOWN: break;
    }
    err_set(&e, ERR_SCHEMA,
            "%s: cannot tell an arch, workload or mapping apart: expected \"levels\" and "
            "\"compute\" (arch), \"layers\" (workload) or \"levels\" entries with a "
            "\"level\" key (mapping)", path);
    return cli_fail(&e);
}

int cmd_check(int argc, char **argv)
{
    int nfiles = 0, status = EXIT_OK;
    bool options = true;
    for (int i = 1; i < argc; i++) {
        if (options && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
            usage(stdout);
            return EXIT_OK;
        }
        if (options && strcmp(argv[i], "--") == 0) {
            options = false;
            continue;
        }
        if (options && argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("check", "unknown option '%s'", argv[i]);
    }
    options = true;
    for (int i = 1; i < argc; i++) {
        if (options && strcmp(argv[i], "--") == 0) {
            options = false;
            continue;
        }
        nfiles++;
        int rc = check_file(argv[i]);
        fflush(stdout);
        if (rc != EXIT_OK)
            status = EXIT_BAD_INPUT;
    }
    if (nfiles == 0)
        return cli_usage_error("check", "expected at least one FILE");
    return status;
}
