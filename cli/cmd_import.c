/*
 * trainmap import: turns an ONNX model or a PyTorch summary into workload
 * JSON, so that a network a user already has can be studied for training.
 * The notes (operators skipped, lines not used) go to stderr and into the
 * workload's comment; the JSON goes to -o (written atomically) or stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/outfile.h"
#include "../workloads/import_onnx.h"
#include "../workloads/import_torch.h"
#include "../workloads/workload.h"
#include "cli.h"

static const char *const cmd = "import";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: trainmap import onnx MODEL.onnx [--batch N] [--name NAME] [-o WORKLOAD]\n"
            "       trainmap import torch SUMMARY.txt [--input CxHxW] [--batch N]\n"
            "                             [--name NAME] [-o WORKLOAD]\n\n"
            "Turns a model into workload JSON: every convolution becomes a conv layer\n"
            "and every fully connected layer an fc layer; operators without MACs are\n"
            "skipped and listed in a note (on stderr and in the workload's comment).\n\n"
            "  onnx    an ONNX model; shapes are inferred from the graph input's shape\n"
            "  torch   the table of torchinfo.summary(model, input_size=..., col_names=\n"
            "          (\"input_size\", \"output_size\", \"kernel_size\")), or the text of\n"
            "          print(model) for a sequential model, with --input\n\n"
            "options:\n"
            "      --batch N         the workload's batch (default: the model's batch\n"
            "                        when it is fixed, else 1)\n"
            "      --name NAME       the workload's name (default: the file's base name)\n"
            "      --input CxHxW     the input tensor, for print(model) text\n"
            "  -o, --output FILE     write the workload there instead of stdout\n"
            "  -h, --help            print this help\n");
}

/* A decimal integer in [1, IMPORT_INT_MAX]; the rest of s must be end or
 * one of the characters in stops.  Returns the end, or NULL. */
static const char *parse_count(const char *s, const char *stops, uint64_t *out)
{
    uint64_t v = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > IMPORT_INT_MAX)
            return NULL;
    }
    if (p == s || v == 0 || (*p && !strchr(stops, *p)))
        return NULL;
    *out = v;
    return p;
}

static bool parse_input(const char *s, struct import_opts *o)
{
    const char *p = parse_count(s, "x", &o->in_c);
    p = p && *p == 'x' ? parse_count(p + 1, "x", &o->in_h) : NULL;
    p = p && *p == 'x' ? parse_count(p + 1, "", &o->in_w) : NULL;
    return p && !*p;
}

/* Prints each note line on stderr. */
static int print_notes(const struct import_net *net, struct err *e)
{
    char *notes;
    int rc = import_net_notes(net, &notes, e);
    if (rc < 0)
        return rc;
    for (char *line = notes; *line;) {
        char *nl = strchr(line, '\n');
        *nl = '\0';
        fprintf(stderr, "trainmap import: %s\n", line);
        line = nl + 1;
    }
    free(notes);
    return 0;
}

static int run(const char *format, const char *path, const struct import_opts *o,
               const char *out, struct err *e)
{
    struct import_net net;
    struct workload *w = NULL;
    char *json = NULL;
    import_net_init(&net);
    int rc = strcmp(format, "onnx") == 0 ? import_onnx(path, o, &net, e)
                                         : import_torch(path, o, &net, e);
    if (rc < 0 || (rc = import_net_to_json(&net, &json, e)) < 0)
        goto out_release;
    /* What we write must load: check it as `trainmap check` would. */
    if ((rc = workload_parse(out ? out : "<stdout>", json, strlen(json), &w, e)) < 0) {
        err_prefix(e, "the imported workload does not load");
        goto out_release;
    }
    if ((rc = print_notes(&net, e)) < 0)
        goto out_release;
    if (out) {
        if ((rc = outfile_write(out, json, strlen(json), e)) < 0)
            goto out_release;
        printf("%s: workload '%s', %d layers from %s, batch %llu\n", out, w->name,
               w->nlayers, net.source, (unsigned long long)w->batch);
    } else {
        fputs(json, stdout);
    }
out_release:
    workload_free(w);
    free(json);
    import_net_release(&net);
    return rc;
}

int cmd_import(int argc, char **argv)
{
    const char *format = NULL, *path = NULL, *out = NULL;
    struct import_opts o;
    memset(&o, 0, sizeof o);
    for (int i = 1; i < argc; i++) {
        bool matched;
        const char *v;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "-o") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error(cmd, "-o needs a file name");
            out = argv[++i];
        } else if ((v = cli_option_value(argc, argv, &i, "--output", &matched)) || matched) {
            if (!v)
                return cli_usage_error(cmd, "--output needs a file name");
            out = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--batch", &matched)) || matched) {
            if (!v || !parse_count(v, "", &o.batch))
                return cli_usage_error(cmd, "--batch expects an integer from 1 to %u, "
                                       "got '%s'", IMPORT_INT_MAX, v ? v : "nothing");
        } else if ((v = cli_option_value(argc, argv, &i, "--name", &matched)) || matched) {
            if (!v)
                return cli_usage_error(cmd, "--name needs a name");
            o.name = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--input", &matched)) || matched) {
            if (!v || !parse_input(v, &o))
                return cli_usage_error(cmd, "--input expects CxHxW (3x224x224), got '%s'",
                                       v ? v : "nothing");
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
        } else if (!format) {
            format = argv[i];
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!format)
        return cli_usage_error(cmd, "missing the format: onnx or torch");
    if (strcmp(format, "onnx") != 0 && strcmp(format, "torch") != 0)
        return cli_usage_error(cmd, "unknown format '%s', expected onnx or torch", format);
    if (!path)
        return cli_usage_error(cmd, "missing the %s file", format);
    if (o.in_c && strcmp(format, "onnx") == 0)
        return cli_usage_error(cmd, "--input is for torch print(model) text; an ONNX "
                               "model states its input shape");

    struct err e;
    err_clear(&e);
    int rc = run(format, path, &o, out, &e);
    if (rc < 0) {
        fflush(stdout);
        return cli_fail(&e);
    }
    return EXIT_OK;
}
