/*
 * trainmap kernels: lists a workload's training kernels, layer by layer,
 * with their loop bounds, tensor sizes and MACs, then the totals per kernel
 * and per training step.  A quick way to see what the mapper will be asked
 * to map, and the MAC counts to check a workload file against a paper.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../common/ckd.h"
#include "../reports/stats_json.h"
#include "../workloads/workload.h"
#include "cli.h"

static const char *const cmd = "kernels";

/* Totals are listed in execution order. */
static const enum kernel total_order[] = {
    KERNEL_FWD, KERNEL_IM2COL, KERNEL_BWD_DATA, KERNEL_COL2IM,
    KERNEL_BWD_WEIGHT, KERNEL_UPDATE,
};

struct totals {
    uint64_t macs[KERNEL_COUNT];
    bool present[KERNEL_COUNT];
    uint64_t step;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: trainmap kernels -w WORKLOAD [--json] [--lowering none|im2col]\n\n"
            "Lists the training kernels of every layer (fwd, bwd_data, bwd_weight,\n"
            "update; im2col and col2im under im2col lowering) with their loop bounds,\n"
            "tensor sizes in words and MACs, then the MACs per kernel and per step.\n"
            "bwd_data is left out for the first layer (no gradient flows into the\n"
            "network input).\n\n"
            "options:\n"
            "  -w, --workload FILE   the workload JSON file\n"
            "      --json            print JSON instead of tables\n"
            "      --lowering MODE   none (default: each layer's own \"lowering\") or\n"
            "                        im2col (lower every conv layer to a GEMM)\n"
            "  -h, --help            print this help\n");
}

static int digits(uint64_t v)
{
    int n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

/* Words of every tensor of p, slot order for loop nests, stream order for
 * streams.  Returns the count. */
static int tensor_words(const struct problem *p, const char *names[STREAM_MAX_TENSORS],
                        uint64_t words[STREAM_MAX_TENSORS])
{
    if (p->is_stream) {
        for (int t = 0; t < p->stream.ntensors; t++) {
            names[t] = p->stream.tensor[t].name;
            words[t] = p->stream.tensor[t].words;
        }
        return p->stream.ntensors;
    }
    for (int s = 0; s < SLOT_COUNT; s++) {
        names[s] = p->tensor[s].name;
        /* Cannot overflow: workload_load derived every kernel once. */
        if (!problem_tensor_words(p, (enum slot)s, &words[s]))
            words[s] = UINT64_MAX;
    }
    return SLOT_COUNT;
}

static int add_total(struct totals *t, const struct problem *p, struct err *e)
{
    t->present[p->kernel] = true;
    if (ckd_add_u64(&t->macs[p->kernel], t->macs[p->kernel], p->macs) ||
        ckd_add_u64(&t->step, t->step, p->macs))
        return err_set(e, ERR_TOO_LARGE,
                       "the workload's total %s MACs are too large (exceed 2^64-1)",
                       kernel_name(p->kernel));
    return 0;
}

/* Visits every kernel of every layer's training step in order. */
typedef int (*visit_fn)(void *ctx, const struct workload *w, int layer,
                        const struct problem *p, struct err *e);

static int for_each_kernel(const struct workload *w, enum lowering lowering,
                           visit_fn fn, void *ctx, struct err *e)
{
    for (int i = 0; i < w->nlayers; i++) {
        enum kernel ks[KERNEL_COUNT];
        int n = workload_step_kernels(w, i, lowering, ks);
        for (int j = 0; j < n; j++) {
            struct problem p;
            int rc = workload_derive(w, i, ks[j], lowering, &p, e);
            if (rc < 0 || (rc = fn(ctx, w, i, &p, e)) < 0)
                return rc;
        }
    }
    return 0;
}

/* ---- text ---- */

struct text_ctx {
    int name_w, dim_w[DIM_COUNT], macs_w;
    bool print;
    struct totals totals;
};

static int text_row(void *vctx, const struct workload *w, int layer,
                    const struct problem *p, struct err *e)
{
    struct text_ctx *c = vctx;
    const char *names[STREAM_MAX_TENSORS];
    uint64_t words[STREAM_MAX_TENSORS];
    int nt = tensor_words(p, names, words);
    if (!c->print) {
        int n = (int)strlen(w->layers[layer].name);
        c->name_w = n > c->name_w ? n : c->name_w;
        for (int d = 0; d < DIM_COUNT && !p->is_stream; d++)
            if (digits(p->bound[d]) > c->dim_w[d])
                c->dim_w[d] = digits(p->bound[d]);
        if (digits(p->macs) > c->macs_w)
            c->macs_w = digits(p->macs);
        return add_total(&c->totals, p, e);
    }
    printf("%-*s  %-10s", c->name_w, w->layers[layer].name, kernel_name(p->kernel));
    for (int d = 0; d < DIM_COUNT; d++) {
        if (p->is_stream)
            printf(" %*s", c->dim_w[d], "-");
        else
            printf(" %*llu", c->dim_w[d], (unsigned long long)p->bound[d]);
    }
    printf("  %*llu ", c->macs_w, (unsigned long long)p->macs);
    for (int t = 0; t < nt; t++)
        printf(" %s=%llu", names[t], (unsigned long long)words[t]);
    printf("\n");
    return 0;
}

static int print_text(const struct workload *w, enum lowering lowering, struct err *e)
{
    struct text_ctx c;
    memset(&c, 0, sizeof c);
    c.name_w = (int)strlen("layer");
    c.macs_w = (int)strlen("MACs");
    for (int d = 0; d < DIM_COUNT; d++)
        c.dim_w[d] = 1;
    int rc = for_each_kernel(w, lowering, text_row, &c, e);
    if (rc < 0)
        return rc;

    int lowered = 0;
    for (int i = 0; i < w->nlayers; i++)
        lowered += w->layers[i].type == LAYER_CONV &&
                   (lowering == LOWER_IM2COL || w->layers[i].lowering == LOWER_IM2COL);
    printf("workload %s: %d layers, batch %llu, optimizer %s, %d conv layers lowered "
           "to im2col GEMMs\n\n",
           w->name, w->nlayers, (unsigned long long)w->batch, optimizer_name(w->optimizer),
           lowered);
    printf("%-*s  %-10s", c.name_w, "layer", "kernel");
    for (int d = 0; d < DIM_COUNT; d++)
        printf(" %*c", c.dim_w[d], dim_letter((enum dim)d));
    printf("  %*s  tensors (words)\n", c.macs_w, "MACs");
    c.print = true;
    if ((rc = for_each_kernel(w, lowering, text_row, &c, e)) < 0)
        return rc;

    int tw = digits(c.totals.step);
    printf("\ntotal MACs per training step\n");
    for (size_t i = 0; i < sizeof total_order / sizeof total_order[0]; i++)
        if (c.totals.present[total_order[i]])
            printf("  %-10s  %*llu\n", kernel_name(total_order[i]), tw,
                   (unsigned long long)c.totals.macs[total_order[i]]);
    printf("  %-10s  %*llu\n", "step", tw, (unsigned long long)c.totals.step);
    return 0;
}

/* ---- JSON ---- */

struct json_ctx {
    cJSON *layers, *layer, *kernels;
    int last_layer;
    struct totals totals;
};

static int json_row(void *vctx, const struct workload *w, int layer,
                    const struct problem *p, struct err *e)
{
    struct json_ctx *c = vctx;
    if (layer != c->last_layer) {
        c->layer = cJSON_CreateObject();
        if (!c->layer || !cJSON_AddItemToArray(c->layers, c->layer) ||
            !cJSON_AddStringToObject(c->layer, "name", w->layers[layer].name) ||
            !(c->kernels = cJSON_AddArrayToObject(c->layer, "kernels")))
            return err_set(e, ERR_NOMEM, "out of memory");
        c->last_layer = layer;
    }
    const char *names[STREAM_MAX_TENSORS];
    uint64_t words[STREAM_MAX_TENSORS];
    int nt = tensor_words(p, names, words);
    cJSON *k = cJSON_CreateObject(), *dims, *tensors;
    if (!k || !cJSON_AddItemToArray(c->kernels, k) ||
        !cJSON_AddStringToObject(k, "kernel", kernel_name(p->kernel)) ||
        !(dims = cJSON_AddObjectToObject(k, "dims")) || !stats_json_add_u64(k, "macs", p->macs) ||
        !(tensors = cJSON_AddArrayToObject(k, "tensors")))
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int d = 0; d < DIM_COUNT && !p->is_stream; d++) {
        char key[2] = { dim_letter((enum dim)d), '\0' };
        if (!stats_json_add_u64(dims, key, p->bound[d]))
            return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (int t = 0; t < nt; t++) {
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(tensors, o) ||
            !cJSON_AddStringToObject(o, "name", names[t]) || !stats_json_add_u64(o, "words", words[t]))
            return err_set(e, ERR_NOMEM, "out of memory");
    }
    return add_total(&c->totals, p, e);
}

static int print_json(const struct workload *w, enum lowering lowering, struct err *e)
{
    struct json_ctx c;
    memset(&c, 0, sizeof c);
    c.last_layer = -1;
    int rc = ERR_NOMEM;
    char *text = NULL;
    cJSON *root = cJSON_CreateObject(), *totals;
    if (!root || !(c.layers = cJSON_AddArrayToObject(root, "layers"))) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out_delete;
    }
    if ((rc = for_each_kernel(w, lowering, json_row, &c, e)) < 0)
        goto out_delete;
    rc = err_set(e, ERR_NOMEM, "out of memory");
    if (!(totals = cJSON_AddObjectToObject(root, "totals")))
        goto out_delete;
    for (size_t i = 0; i < sizeof total_order / sizeof total_order[0]; i++) {
        enum kernel k = total_order[i];
        cJSON *o;
        if (c.totals.present[k] && (!(o = cJSON_AddObjectToObject(totals, kernel_name(k))) ||
                                    !stats_json_add_u64(o, "macs", c.totals.macs[k])))
            goto out_delete;
    }
    cJSON *step = cJSON_AddObjectToObject(totals, "step");
    if (!step || !stats_json_add_u64(step, "macs", c.totals.step) || !(text = cJSON_Print(root)))
        goto out_delete;
    printf("%s\n", text);
    err_clear(e);
    rc = 0;
out_delete:
    free(text);
    cJSON_Delete(root);
    return rc;
}

int cmd_kernels(int argc, char **argv)
{
    const char *path = NULL;
    bool json = false;
    enum lowering lowering = LOWER_NONE;
    for (int i = 1; i < argc; i++) {
        bool matched;
        const char *v;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "-w") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error(cmd, "-w needs a workload file");
            path = argv[++i];
        } else if ((v = cli_option_value(argc, argv, &i, "--workload", &matched)) || matched) {
            if (!v)
                return cli_usage_error(cmd, "--workload needs a workload file");
            path = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--lowering", &matched)) || matched) {
            if (v && strcmp(v, "none") == 0)
                lowering = LOWER_NONE;
            else if (v && strcmp(v, "im2col") == 0)
                lowering = LOWER_IM2COL;
            else
                return cli_usage_error(cmd, "--lowering expects none or im2col, got '%s'",
                                       v ? v : "nothing");
        } else if (argv[i][0] == '-') {
            return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
        } else {
            return cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!path)
        return cli_usage_error(cmd, "missing -w WORKLOAD");

    struct err e;
    struct workload *w = NULL;
    err_clear(&e);
    int rc = workload_load(path, &w, &e);
    if (rc == 0)
        rc = json ? print_json(w, lowering, &e) : print_text(w, lowering, &e);
    workload_free(w);
    if (rc < 0) {
        fflush(stdout);
        return cli_fail(&e);
    }
    return EXIT_OK;
}
