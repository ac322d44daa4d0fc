/*
 * trainmap eval: one mapping of one training kernel of one layer on an
 * arch.  Loads the three inputs, derives the kernel as a problem, binds the
 * mapping to it, runs the model once, prints a table per level and tensor
 * on stdout and, with -o, writes the stats JSON (written whole or not at
 * all).  Argument handling and printing only: the work is in the library.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../arch/arch.h"
#include "../common/outfile.h"
#include "../mapper/mapping_io.h"
#include "../model/model.h"
#include "../reports/stats_json.h"
#include "../workloads/workload.h"
#include "cli.h"

struct eval_args {
    const char *arch, *workload, *layer, *kernel, *mapping, *output, *lowering;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: trainmap eval -a ARCH -w WORKLOAD --layer NAME -k KERNEL [-m MAPPING]\n"
            "                     [-o STATS.json] [--lowering none|im2col]\n\n"
            "Evaluates one mapping of one training kernel of one layer on an arch and\n"
            "prints its tiles, accesses, energy and cycles per level and tensor.\n\n"
            "  -a, --arch FILE       arch JSON\n"
            "  -w, --workload FILE   workload JSON\n"
            "      --layer NAME      a layer of the workload\n"
            "  -k, --kernel KERNEL   fwd, bwd_data, bwd_weight or update (im2col and\n"
            "                        col2im under im2col lowering)\n"
            "  -m, --mapping FILE    mapping JSON; streaming kernels (update, im2col,\n"
            "                        col2im) take none\n"
            "  -o, --output FILE     also write the stats as JSON\n"
            "      --lowering MODE   im2col evaluates the kernel as the GEMM im2col\n"
            "                        produces; none (default) keeps each layer's own\n"
            "  -h, --help            this text\n\n"
            "exit status: 0 evaluated, 1 the mapping is not valid on the arch,\n"
            "2 bad input or usage\n");
}

/* Matches argv[*i] against a short and a long option taking a value
 * ("-a X", "--arch X", "--arch=X").  Returns 1 and sets *val on a match,
 * 0 when it is another option, -1 when the value is missing. */
static int take(int argc, char **argv, int *i, const char *shrt, const char *lng,
                const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(lng);
    if (strncmp(a, lng, n) == 0 && a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (strcmp(a, lng) != 0 && !(shrt && strcmp(a, shrt) == 0))
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *val = argv[++*i];
    return 1;
}

/* Returns -1 after --help, EXIT_OK to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct eval_args *ea)
{
    static const struct { const char *shrt, *lng; size_t off; } opts[] = {
        { "-a", "--arch", offsetof(struct eval_args, arch) },
        { "-w", "--workload", offsetof(struct eval_args, workload) },
        { NULL, "--layer", offsetof(struct eval_args, layer) },
        { "-k", "--kernel", offsetof(struct eval_args, kernel) },
        { "-m", "--mapping", offsetof(struct eval_args, mapping) },
        { "-o", "--output", offsetof(struct eval_args, output) },
        { NULL, "--lowering", offsetof(struct eval_args, lowering) },
    };
    memset(ea, 0, sizeof *ea);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return -1;
        bool matched = false;
        for (size_t o = 0; o < sizeof opts / sizeof opts[0] && !matched; o++) {
            const char **slot = (const char **)((char *)ea + opts[o].off);
            int r = take(argc, argv, &i, opts[o].shrt, opts[o].lng, slot);
            if (r < 0)
                return cli_usage_error("eval", "option '%s' needs a value", argv[i]);
            matched = r == 1;
        }
        if (!matched)
            return cli_usage_error("eval", "%s '%s'",
                                   argv[i][0] == '-' ? "unknown option" : "unexpected argument",
                                   argv[i]);
    }
    if (!ea->arch)
        return cli_usage_error("eval", "missing -a ARCH");
    if (!ea->workload)
        return cli_usage_error("eval", "missing -w WORKLOAD");
    if (!ea->layer)
        return cli_usage_error("eval", "missing --layer NAME");
    if (!ea->kernel)
        return cli_usage_error("eval", "missing -k KERNEL");
    return EXIT_OK;
}

/* Layer index, or an error listing the first few layers. */
static int find_layer(const struct workload *w, const char *path, const char *name,
                      struct err *e)
{
    int i = workload_find_layer(w, name);
    if (i >= 0)
        return i;
    char list[512];
    size_t n = 0;
    int shown = w->nlayers < 6 ? w->nlayers : 5;
    list[0] = '\0';
    for (int j = 0; j < shown; j++)
        n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0, "%s%s",
                              j ? ", " : "", w->layers[j].name);
    if (shown < w->nlayers && n < sizeof list)
        snprintf(list + n, sizeof list - n, ", ... (%d layers; 'trainmap kernels -w %s' "
                 "lists them)", w->nlayers, path);
    return err_set(e, ERR_USAGE, "%s: no layer \"%s\" in workload '%s', expected one of %s",
                   path, name, w->name, list);
}

static void print_table(const struct arch *a, const struct problem *p,
                        const struct model_stats *s)
{
    uint64_t pes = arch_mac_count(a);
    printf("%s %s on %s: %llu MACs on %llu of %llu PEs\n", p->layer, kernel_name(p->kernel),
           a->name, (unsigned long long)s->macs, (unsigned long long)s->mac_instances_used,
           (unsigned long long)pes);
    printf("cycles %llu (compute %llu), utilization %.4f\n", (unsigned long long)s->cycles,
           (unsigned long long)s->compute_cycles, s->utilization);
    printf("energy %.2f pJ, %.4f pJ/MAC, EDP %.4e pJ*cycles\n", s->energy_pj,
           s->macs ? s->energy_pj / (double)s->macs : 0.0, s->edp);
    printf("lower bounds: energy %.2f pJ (actual x%.3f), cycles %.0f (actual x%.3f)\n\n",
           s->bounds.energy_pj,
           s->bounds.energy_pj > 0 ? s->energy_pj / s->bounds.energy_pj : 0.0,
           s->bounds.cycles, s->bounds.cycles > 0 ? (double)s->cycles / s->bounds.cycles : 0.0);
    printf("%-20s %9s %10s %11s %12s %12s %12s %16s\n", "level / tensor", "instances",
           "cycles", "tile_words", "reads/inst", "fills/inst", "updates/inst", "energy_pj");
    for (int l = 0; l < s->nlevels && l < a->nlevels; l++) {
        const struct level_stats *ls = &s->level[l];
        printf("%-20s %9llu %10llu %11s %12s %12s %12s %16.2f\n", a->level[l].name,
               (unsigned long long)ls->instances_used, (unsigned long long)ls->cycles,
               "", "", "", "", ls->energy_pj);
        for (int t = 0; t < ls->ntensors; t++) {
            const struct tensor_stats *ts = &ls->tensor[t];
            char label[32];
            snprintf(label, sizeof label, "  %s (%s)", ts->name, slot_name(ts->slot));
            if (!ts->kept) {
                printf("%-20s %9s %10s %11s\n", label, "", "", "bypassed");
                continue;
            }
            printf("%-20s %9s %10s %11llu %12llu %12llu %12llu %16.2f\n", label, "", "",
                   (unsigned long long)ts->tile_words, (unsigned long long)ts->reads,
                   (unsigned long long)ts->fills, (unsigned long long)ts->updates,
                   ts->energy_pj);
        }
    }
    printf("%-20s %9llu %10llu %11s %12s %12s %12s %16.2f\n", a->compute.name,
           (unsigned long long)s->mac_instances_used, (unsigned long long)s->compute_cycles,
           "", "", "", "", s->mac_energy_pj);
    printf("%-20s %9s %10llu %11s %12s %12s %12s %16.2f\n", "total", "",
           (unsigned long long)s->cycles, "", "", "", "", s->energy_pj);
}

/* Loads, derives, binds and evaluates; fills *p and *s.  Returns an exit
 * code, having printed any error. */
static int evaluate(const struct eval_args *ea, const struct arch *a,
                    const struct workload *w, struct problem *p, struct model_stats *s)
{
    struct err e;
    struct mapping m;
    int k = kernel_from_name(ea->kernel);
    enum lowering low = LOWER_NONE;
    if (k < 0)
        return cli_usage_error("eval", "unknown kernel '%s', expected one of fwd, bwd_data, "
                               "bwd_weight, update, im2col, col2im", ea->kernel);
    if (ea->lowering && strcmp(ea->lowering, "im2col") == 0)
        low = LOWER_IM2COL;
    else if (ea->lowering && strcmp(ea->lowering, "none") != 0)
        return cli_usage_error("eval", "unknown lowering '%s', expected none or im2col",
                               ea->lowering);
    int layer = find_layer(w, ea->workload, ea->layer, &e);
    if (layer < 0)
        return cli_fail(&e);
    if (workload_derive(w, layer, (enum kernel)k, low, p, &e) < 0) {
        err_prefix(&e, ea->workload);
        return cli_fail(&e);
    }
    if (ea->mapping) {
        struct mapping_file *mf;
        if (mapping_load(ea->mapping, &mf, &e) < 0)
            return cli_fail(&e);
        int rc = mapping_bind(mf, ea->mapping, a, p, &m, &e);
        mapping_file_free(mf);
        if (rc < 0)
            return cli_fail(&e);
    } else if (!p->is_stream) {
        return cli_usage_error("eval", "missing -m MAPPING: kernel %s of layer '%s' needs "
                               "a mapping", kernel_name(p->kernel), p->layer);
    }
    if (model_eval(a, p, p->is_stream ? NULL : &m, s, &e) < 0) {
        if (ea->mapping)
            err_prefix(&e, ea->mapping);
        return cli_fail(&e);
    }
    return EXIT_OK;
}

int cmd_eval(int argc, char **argv)
{
    struct eval_args ea;
    struct err e;
    struct arch *a = NULL;
    struct workload *w = NULL;
    struct problem p;
    struct model_stats s;
    int rc = parse_args(argc, argv, &ea);
    if (rc < 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (rc != EXIT_OK)
        return rc;
    if (arch_load(ea.arch, &a, &e) < 0)
        return cli_fail(&e);
    if (workload_load(ea.workload, &w, &e) < 0) {
        rc = cli_fail(&e);
        goto out_free_arch;
    }
    if ((rc = evaluate(&ea, a, w, &p, &s)) != EXIT_OK)
        goto out_free_workload;
    if (ea.output) {
        char *text = stats_json_print(a, &p, &s);
        if (!text) {
            err_set(&e, ERR_NOMEM, "%s: out of memory", ea.output);
            rc = cli_fail(&e);
            goto out_free_workload;
        }
        int wr = outfile_write(ea.output, text, strlen(text), &e);
        free(text);
        if (wr < 0) {
            rc = cli_fail(&e);
            goto out_free_workload;
        }
    }
    print_table(a, &p, &s);
out_free_workload:
    workload_free(w);
out_free_arch:
    arch_free(a);
    return rc;
}
