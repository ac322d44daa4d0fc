/*
 * map_run: planning, searching and printing for `trainmap map`; see
 * map_run.h.  The searches dominate the run time; everything here runs
 * once per kernel or once per run.
 */
#include "map_run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/outfile.h"
#include "../common/sha256.h"
#include "../mapper/constraints.h"
#include "../reports/render.h"
#include "cli.h"
#include "progress.h"

struct counts {
    int searched, optimal, reused, no_mapping, skipped;
};

int map_plan(const struct workload *w, const bool *matched, const struct map_opts *mo,
             struct report *r)
{
    int n = 0, j = 0;
    for (int i = 0; i < w->nlayers && j < r->nlayers; i++) {
        if (!matched[i])
            continue;
        struct report_layer *ly = &r->layers[j++];
        enum kernel ks[KERNEL_COUNT];
        int nk = workload_step_kernels(w, i, mo->lowering, ks);
        snprintf(ly->name, sizeof ly->name, "%s", w->layers[i].name);
        for (int k = 0; k < nk; k++) {
            struct err e;
            if (!mo->kernel[ks[k]])
                continue;
            struct report_kernel *rk = &ly->kernel[ly->nkernels++];
            if (workload_derive(w, i, ks[k], mo->lowering, &rk->problem, &e) < 0) {
                err_prefix(&e, mo->workload_path);
                cli_fail(&e);
                return -1;
            }
            rk->same_as = -1;
            n++;
        }
    }
    return n;
}

/* Why a search found no mapping, into out (ERR_MSG_MAX bytes): cut short,
 * or the search's own reason (the constraint that emptied the space). */
static void no_mapping_reason(const struct search_result *res, const struct err *e,
                              double time_limit_s, char *out)
{
    if (res->interrupted)
        snprintf(out, ERR_MSG_MAX, "interrupted before a valid mapping was found");
    else if (res->timed_out)
        snprintf(out, ERR_MSG_MAX, "no valid mapping found within the time limit (%g s)",
                 time_limit_s);
    else
        snprintf(out, ERR_MSG_MAX, "%s", e->msg[0] ? e->msg : "no valid mapping exists");
}

/* The earlier entry (before kernel i of layer l) searched for itself whose
 * problem equals p, and its layer in *layer; NULL when none. */
static const struct report_kernel *find_same(const struct report *r, int l, int i,
                                             const struct problem *p, int *layer)
{
    for (int m = 0; m <= l; m++) {
        const struct report_layer *ly = &r->layers[m];
        for (int k = 0; k < (m == l ? i : ly->nkernels); k++)
            if (ly->kernel[k].searched && ly->kernel[k].same_as < 0 &&
                problem_same_shape(&ly->kernel[k].problem, p)) {
                *layer = m;
                return &ly->kernel[k];
            }
    }
    return NULL;
}

/* Searches the entries of r in order until done or stopped.  Returns
 * EXIT_OK, or an exit code having printed the error. */
static int search_all(const struct arch *a, const struct search_options *so,
                      struct report *r, struct progress *pg, struct counts *c)
{
    for (int l = 0; l < r->nlayers; l++) {
        struct report_layer *ly = &r->layers[l];
        for (int i = 0; i < ly->nkernels; i++) {
            struct report_kernel *k = &ly->kernel[i];
            const struct report_kernel *same;
            int from;
            if (atomic_load(so->stop)) {
                r->interrupted = true;
                return EXIT_OK;
            }
            progress_begin(pg, ly->name, kernel_name(k->problem.kernel));
            if ((same = find_same(r, l, i, &k->problem, &from))) {
                k->result = same->result;
                memcpy(k->error, same->error, sizeof k->error);
                k->same_as = from;
                c->reused++;
            } else {
                struct err e;
                err_clear(&e);
                if (search_run(a, &k->problem, so, &k->result, &e) < 0)
                    return cli_fail(&e);
                if (!k->result.found)
                    no_mapping_reason(&k->result, &e, so->time_limit_s, k->error);
                c->searched++;
                c->optimal += k->result.found && k->result.optimal;
            }
            k->searched = true;
            progress_update(pg, k->same_as < 0 ? k->result.evaluated : 0,
                            k->result.found ? k->result.stats.edp : -1,
                            i == ly->nkernels - 1);
            if (k->result.interrupted) {
                r->interrupted = true;
                return EXIT_OK;
            }
        }
        if (ly->nkernels == 0)
            progress_update(pg, 0, -1, true);
    }
    return EXIT_OK;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* Counts the kernels without a mapping and the unsearched ones, and says on
 * stderr why each kernel searched in vain has no mapping. */
static void report_failures(const struct map_opts *mo, const struct report *r,
                            struct counts *c)
{
    for (int l = 0; l < r->nlayers; l++)
        for (int i = 0; i < r->layers[l].nkernels; i++) {
            const struct report_kernel *k = &r->layers[l].kernel[i];
            if (!k->searched) {
                c->skipped++;
            } else if (!k->result.found) {
                c->no_mapping++;
                fprintf(stderr, "trainmap %s: %s%slayer '%s' %s: %s\n", mo->cmd,
                        mo->label ? mo->label : "", mo->label ? ": " : "", r->layers[l].name,
                        kernel_name(k->problem.kernel), k->error);
            }
        }
}

static void print_summary(const struct report *r, const struct workload *w,
                          const struct counts *c, const struct map_opts *mo,
                          const char *tables)
{
    printf("%s on %s: %d layer%s, objective %s, %s search, %d threads%s\n\n", w->name,
           r->arch->name, r->nlayers, r->nlayers == 1 ? "" : "s", r->objective, r->strategy,
           r->threads, r->interrupted ? ", interrupted" : "");
    fputs(tables, stdout);
    printf("\nproblems searched: %d, optimal: %d; kernels reusing an identical search: %d\n",
           c->searched, c->optimal, c->reused);
    printf("wall time: %.2f s\n", seconds_since(&mo->start));
    if (mo->output)
        printf("report: %s\n", mo->output);
}

/* The report as JSON text, read back into *doc, then written to
 * mo->output when given (a report that does not read back is not left). */
static int write_report(const struct report *r, const struct map_opts *mo,
                        struct report_doc **doc)
{
    struct err e;
    char *text = report_print(r, &e);
    if (!text)
        return cli_fail(&e);
    char name[4096];
    snprintf(name, sizeof name, "%s%s", mo->output ? "" : "the map on ",
             mo->output ? mo->output : mo->arch_path);
    int rc = report_doc_parse(name, text, strlen(text), doc, &e);
    if (rc == 0 && mo->output && (rc = outfile_write(mo->output, text, strlen(text), &e)) < 0) {
        report_doc_free(*doc);
        *doc = NULL;
    }
    free(text);
    return rc < 0 ? cli_fail(&e) : EXIT_OK;
}

/* Loads the constraints file (when given) and binds it to a. */
static int load_constraints(const char *path, const struct arch *a, struct constraints *c,
                            struct report_input *in)
{
    struct constraints_file *cf = NULL;
    struct err e;
    if (path && constraints_load(path, &cf, &e) < 0)
        return cli_fail(&e);
    int rc = constraints_bind(cf, a, c, &e);
    constraints_file_free(cf);
    if (rc < 0)
        return cli_fail(&e);
    if (path) {
        in->path = path;
        if (sha256_file(path, in->sha256, &e) < 0)
            return cli_fail(&e);
    }
    return EXIT_OK;
}

/* The report's inputs and search settings. */
static int describe(const struct map_opts *mo, const struct arch *a, const struct workload *w,
                    struct report *r)
{
    struct err e;
    r->arch = a;
    r->arch_input.path = mo->arch_path;
    r->arch_input.name = a->name;
    r->arch_input.comment = a->comment;
    r->workload_input.path = mo->workload_path;
    r->workload_input.name = w->name;
    if (sha256_file(mo->arch_path, r->arch_input.sha256, &e) < 0 ||
        sha256_file(mo->workload_path, r->workload_input.sha256, &e) < 0)
        return cli_fail(&e);
    r->has_constraints = mo->constraints_path != NULL;
    r->strategy = strategy_name(mo->strategy);
    r->objective = objective_name(mo->objective);
    r->threads = mo->threads;
    r->seed = mo->seed;
    r->time_limit_s = mo->time_limit_s;
    return EXIT_OK;
}

/* The summary on stdout, then the outputs asked for. */
static int finish(const struct map_opts *mo, const struct report *r, const struct workload *w,
                  const struct report_doc *doc, const struct counts *c)
{
    struct textbuf tables;
    struct err e;
    textbuf_init(&tables);
    if (render_summary(doc, &tables, &e) < 0) {
        textbuf_release(&tables);
        return cli_fail(&e);
    }
    print_summary(r, w, c, mo, tables.data ? tables.data : "");
    textbuf_release(&tables);
    return outputs_report(mo->cmd, doc, &mo->out);
}

int map_run(const struct map_opts *mo, const struct arch *a, const struct workload *w,
            struct report *r, const atomic_int *stop,
            struct report_doc **doc_out)
{
    struct constraints cons;
    struct counts c = { 0 };
    struct progress pg;
    struct report_doc *doc = NULL;
    int rc;
    if (doc_out)
        *doc_out = NULL;
    if ((rc = describe(mo, a, w, r)) != EXIT_OK ||
        (rc = load_constraints(mo->constraints_path, a, &cons, &r->constraints_input)) !=
            EXIT_OK)
        return rc;
    struct search_options so = {
        .strategy = mo->strategy, .objective = mo->objective, .threads = mo->threads,
        .seed = mo->seed, .time_limit_s = mo->time_limit_s, .budget = 0,
        .constraints = &cons, .stop = stop,
    };
    progress_start(&pg, r->nlayers);
    rc = search_all(a, &so, r, &pg, &c);
    progress_stop(&pg);
    if (rc != EXIT_OK)
        return rc;
    if (atomic_load(stop))
        r->interrupted = true;
    report_failures(mo, r, &c);
    if ((rc = write_report(r, mo, &doc)) != EXIT_OK)
        return rc;
    if (doc_out)
        *doc_out = doc;
    else
        rc = finish(mo, r, w, doc, &c);
    if (!doc_out)
        report_doc_free(doc);
    if (rc != EXIT_OK)
        return rc;
    return r->interrupted ? EXIT_INTERRUPTED : c.no_mapping ? EXIT_NO_MAPPING : EXIT_OK;
}

/* Set by the SIGINT handler and read by the search's threads
 * (search_options.stop): a lock-free atomic, safe in both. */
static atomic_int stop_requested;

static void on_sigint(int sig)
{
    (void)sig;
    if (atomic_exchange(&stop_requested, 1))
        _exit(EXIT_INTERRUPTED);
}

int map_run_interruptible(const struct map_opts *mo, const struct arch *a,
                          const struct workload *w, struct report *r,
                          struct report_doc **doc_out)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    atomic_store(&stop_requested, 0);
    if (sigaction(SIGINT, &sa, &old) != 0) {
        fprintf(stderr, "trainmap %s: cannot install the interrupt handler: %s\n", mo->cmd,
                strerror(errno));
        return EXIT_BAD_INPUT;
    }
    int rc = map_run(mo, a, w, r, &stop_requested, doc_out);
    sigaction(SIGINT, &old, NULL);
    return rc;
}
