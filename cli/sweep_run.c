/*
 * sweep_run: journal, searches, reports and summary of `trainmap sweep`;
 * see sweep_run.h.  The searches dominate; the rest runs once per job or
 * once per run.
 *
 * The seam between the sweep and where its jobs run is sweep_execute:
 * every process builds the same plan and skip list and calls it; it runs
 * the jobs on threads here (dist_run_threads), and is where an MPI build
 * hands them to ranks instead (dist_run_mpi), with only the coordinator
 * writing the journal and the outputs.
 */
#include "sweep_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/outfile.h"
#include "../sweep/dist.h"
#include "../sweep/journal.h"
#include "../sweep/sweep_report.h"
#include "cli.h"
#include "map_opts.h"

static const char *const cmd = "sweep";

/* The coordinator's state while jobs run: results as blobs, by job. */
struct exec {
    const struct sweep_plan *plan;
    const atomic_int *stop;
    struct journal *journal;
    char **blob;                    /* owned blobs of finished jobs */
    size_t *len;
    uint32_t finished;              /* jobs finished in this run */
    uint32_t total;                 /* jobs to run in this run */
    bool progress;                  /* stderr is a terminal: draw a progress line */
    struct err journal_err;         /* a failed assignment record */
    int journal_rc;
};

static int exec_solve(void *ctx, uint32_t job, void **data, size_t *len, struct err *err)
{
    struct exec *x = ctx;
    char *blob = NULL;
    int rc = sweep_solve(x->plan, job, x->stop, &blob, len, err);
    *data = blob;
    return rc;
}

static int exec_done(void *ctx, uint32_t job, const void *data, size_t len, struct err *err)
{
    struct exec *x = ctx;
    if (x->journal_rc < 0) {
        *err = x->journal_err;
        return x->journal_rc;
    }
    if (sweep_blob_interrupted(data, len))
        return journal_abandoned(x->journal, job, err);
    char *copy = malloc(len + 1);
    if (!copy)
        return err_set(err, ERR_NOMEM, "out of memory");
    memcpy(copy, data, len);
    copy[len] = '\0';
    int rc = journal_done(x->journal, job, copy, len, err);
    if (rc < 0) {
        free(copy);
        return rc;
    }
    x->blob[job] = copy;
    x->len[job] = len;
    x->finished++;
    if (x->progress)
        fprintf(stderr, "\rtrainmap sweep: %u of %u problems searched", x->finished, x->total);
    return 0;
}

static void exec_assigned(void *ctx, uint32_t job, int worker)
{
    struct exec *x = ctx;
    if (x->journal_rc == 0)
        x->journal_rc = journal_assigned(x->journal, job, worker, &x->journal_err);
}

static const struct dist_ops exec_ops = {
    .solve = exec_solve, .done = exec_done, .assigned = exec_assigned,
};

/* Runs every job not in skip and keeps the results in x.  The one place
 * that knows where jobs run (see the top of this file): on -j threads, or
 * with several MPI ranks on ranks 1..N-1 (one search at a time each; -j
 * does not apply), rank 0 coordinating.  Returns 0 or a negative ERR_*
 * (err filled). */
static int sweep_execute(const struct sweep_plan *plan, const bool *skip,
                         const struct sweep_run_opts *ro, struct exec *x, struct err *err)
{
#ifdef TRAINMAP_MPI
    if (ro->mpi && ro->mpi->size > 1) {
        bool all_ok = false;
        int rc = dist_mpi_vote(true, &all_ok, err);
        ro->mpi->voted = true;
        if (rc == 0 && !all_ok)
            rc = err_set(err, ERR_USAGE, "another rank could not start the sweep (its error "
                         "is above)");
        if (rc == 0)
            rc = dist_run_mpi(&exec_ops, x, plan->njobs, skip, x->stop, err);
        ro->mpi->broken = rc == ERR_COMM;
        return rc;
    }
#endif
    return dist_run_threads(&exec_ops, x, plan->njobs, skip, ro->threads, x->stop, err);
}

#ifdef TRAINMAP_MPI
/* A rank other than 0: searches what rank 0 hands out and returns the
 * run's exit code.  Rank 0 prints the run's failure (every rank gets the
 * same one), so this rank prints nothing unless its own message passing
 * broke. */
static int sweep_work(const struct sweep_plan *plan, struct sweep_mpi *mpi,
                      const atomic_int *stop)
{
    struct exec x = { .plan = plan, .stop = stop };
    struct err e;
    bool all_ok = false;
    int rc = dist_mpi_vote(true, &all_ok, &e);
    mpi->voted = true;
    if (rc == 0 && !all_ok)
        return EXIT_BAD_INPUT;
    if (rc == 0)
        rc = dist_run_mpi(&exec_ops, &x, plan->njobs, NULL, stop, &e);
    if (rc == ERR_COMM) {
        mpi->broken = true;
        return cli_fail(&e);
    }
    if (rc >= 0)
        return EXIT_OK;
    return e.code == ERR_INVALID_MAPPING || e.code == ERR_NO_MAPPING ? EXIT_NO_MAPPING
                                                                     : EXIT_BAD_INPUT;
}
#endif

/* Which cells job j belongs to, as "cell 3" or "cells 3, 7, 9" (at most
 * six, then "and N more") into out. */
static void job_cells(const struct sweep_plan *plan, uint32_t j, char *out, size_t cap)
{
    uint32_t shown[6];
    int n = 0, more = 0;
    for (uint32_t c = 0; c < plan->ncells; c++)
        for (int e = 0; e < plan->cell[c].nentries; e++)
            if (plan->cell[c].entry[e].job == j) {
                if (n < 6)
                    shown[n++] = c;
                else
                    more++;
                break;
            }
    size_t len = (size_t)snprintf(out, cap, "cell%s", n + more > 1 ? "s" : "");
    for (int i = 0; i < n && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%u", i ? ", " : " ", shown[i]);
    if (more && len < cap)
        snprintf(out + len, cap - len, " and %d more", more);
}

/* Reads the journal for --resume into x and skip, and says on stderr what
 * it holds and which problems died with their worker.  Returns EXIT_OK or
 * the exit code of the error printed. */
static int resume(const struct sweep_plan *plan, const char *path, const char *sha,
                  bool coordinator, struct exec *x, bool *skip, long *valid_bytes)
{
    struct journal_state st;
    struct err e;
    char cells[256];
    int rc = journal_read(path, sha, plan->njobs, &st, &e);
    if (rc < 0) {
        journal_state_release(&st);
        return rc == ERR_IO ? map_fail(cmd, "--resume: no journal to resume from: %s", e.msg)
                            : cli_fail(&e);
    }
    *valid_bytes = st.valid_bytes;
    if (coordinator)
        fprintf(stderr, "trainmap sweep: resuming from %s: %u of %u problems done\n", path,
            st.ndone, plan->njobs);
    for (uint32_t j = 0; j < plan->njobs; j++) {
        if (st.result[j]) {
            x->blob[j] = st.result[j];
            x->len[j] = st.len[j];
            st.result[j] = NULL;
            skip[j] = true;
        } else if (st.held_by[j] >= 0 && coordinator) {
            const struct problem *p = &plan->job[j].problem;
            job_cells(plan, j, cells, sizeof cells);
            fprintf(stderr,
                    "trainmap sweep: worker %d died holding problem %u (layer '%s' %s, "
                    "%s); searching it again\n",
                    st.held_by[j], j, p->layer, kernel_name(p->kernel), cells);
        }
    }
    journal_state_release(&st);
    return EXIT_OK;
}

/* Decodes every finished job's blob into res. */
static int decode_all(const struct sweep_plan *plan, const char *journal_path,
                      const struct exec *x, bool *have, struct search_result *result,
                      char (*error)[ERR_MSG_MAX])
{
    char where[4096];
    struct err e;
    for (uint32_t j = 0; j < plan->njobs; j++) {
        if (!x->blob[j])
            continue;
        snprintf(where, sizeof where, "%s: problem %u", journal_path, j);
        if (sweep_result_decode(plan, j, where, x->blob[j], x->len[j], &result[j], error[j],
                                &e) < 0)
            return cli_fail(&e);
        have[j] = true;
    }
    return EXIT_OK;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) * 1e-9;
}

/* The CSV, Markdown and plots asked for. */
static int write_outputs(const struct sweep_plan *plan, const struct sweep_summary *sum,
                         const struct output_opts *o)
{
    struct textbuf b;
    struct err e;
    int rc = EXIT_OK;
    textbuf_init(&b);
    if (o->csv) {
        sweep_render_csv(plan, sum, &b);
        rc = outputs_write_text("csv", o->csv, &b);
        textbuf_release(&b);
    }
    if (rc == EXIT_OK && o->md) {
        sweep_render_md(plan, sum, &b);
        rc = outputs_write_text("markdown", o->md, &b);
        textbuf_release(&b);
    }
    if (rc == EXIT_OK && o->plot && (rc = outputs_make_dir(cmd, "--plot", o->plot)) == EXIT_OK) {
        if (sweep_render_plots(plan, sum, o->plot, &b, &e) < 0)
            rc = cli_fail(&e);
        else if (b.data)
            rc = outputs_render_plots(cmd, o->plot, b.data);
        textbuf_release(&b);
    }
    return rc;
}

/* The summary on stdout (best per workload) and each failed cell on
 * stderr.  Returns how many cells are not OK. */
static int print_summary(const struct sweep_plan *plan, const struct sweep_summary *sum,
                         const struct exec *x, uint32_t resumed, const char *dir,
                         const struct sweep_run_opts *ro)
{
    static const char *const goal[SWEEP_GOAL_COUNT] = { "energy", "latency", "EDP" };
    char params[1024];
    int bad = 0;
    for (uint32_t c = 0; c < plan->ncells; c++) {
        const struct sweep_cell_summary *cs = &sum->cell[c];
        if (cs->status == SWEEP_OK)
            continue;
        bad++;
        if (cs->status == SWEEP_UNFINISHED)
            continue;
        const struct sweep_cell *cell = &plan->cell[c];
        sweep_params_text(plan, cell->variant, params, sizeof params);
        fprintf(stderr, "trainmap sweep: cell %u (%s%s%s, %s): %s\n", c,
                plan->spec->arch_path[plan->variant[cell->variant].arch], params[0] ? " " : "",
                params, plan->spec->workload[cell->workload]->name, cs->error);
    }
    printf("sweep: %d arch variant%s x %d workload%s = %u cells; %u distinct problems, "
           "%u searched now, %u from the journal\n",
           plan->nvariants, plan->nvariants == 1 ? "" : "s", plan->spec->nworkloads,
           plan->spec->nworkloads == 1 ? "" : "s", plan->ncells, plan->njobs, x->finished,
           resumed);
    for (int wl = 0; wl < sum->nworkloads; wl++) {
        printf("%s:\n", plan->spec->workload[wl]->name);
        for (int g = 0; g < SWEEP_GOAL_COUNT; g++) {
            int c = sum->best[wl][g];
            if (c < 0) {
                printf("  best %-7s  none (no cell mapped every kernel)\n", goal[g]);
                continue;
            }
            const struct report_sum *s = &sum->cell[c].totals.step;
            sweep_params_text(plan, plan->cell[c].variant, params, sizeof params);
            printf("  best %-7s  cell %d: %s%s%s  energy %.6g pJ, %llu cycles, EDP %.6g\n",
                   goal[g], c, plan->spec->arch_path[plan->variant[plan->cell[c].variant].arch],
                   params[0] ? " " : "", params, s->energy_pj, (unsigned long long)s->cycles,
                   sweep_sum_edp(s));
        }
    }
    if (bad)
        printf("cells without a complete mapping: %d of %u\n", bad, plan->ncells);
    printf("wall time: %.2f s\nreport: %s (cell reports and variant archs in %s/)\n",
           seconds_since(&ro->start), ro->output, dir);
    return bad;
}

/* The reports from the results in x.  Returns the exit code. */
static int finish(const struct sweep_plan *plan, const struct sweep_run_opts *ro,
                  const struct exec *x, bool interrupted, uint32_t resumed,
                  const char *journal_path, const char *sha)
{
    bool *have = calloc((size_t)plan->njobs + 1, sizeof *have);
    struct search_result *result = calloc((size_t)plan->njobs + 1, sizeof *result);
    char(*error)[ERR_MSG_MAX] = calloc((size_t)plan->njobs + 1, sizeof *error);
    char *dir = sweep_cells_dir(ro->output), *text = NULL;
    struct sweep_summary sum = { 0 };
    struct err e;
    int rc;
    if (!have || !result || !error || !dir) {
        rc = map_fail(cmd, "out of memory");
        goto out_free;
    }
    if ((rc = decode_all(plan, journal_path, x, have, result, error)) != EXIT_OK)
        goto out_free;
    struct sweep_results res = { .have = have, .result = result, .error = error,
                                 .interrupted = interrupted };
    struct sweep_run_info run = { .version = TRAINMAP_VERSION, .command = ro->command,
                                  .inputs_sha256 = sha, .threads = ro->threads,
                                  .resumed = ro->resume, .wall_s = seconds_since(&ro->start) };
    if (sweep_summarize(plan, &res, dir, TRAINMAP_VERSION, &sum, &e) < 0 ||
        !(text = sweep_report_print(plan, &sum, &res, &run, dir, &e)) ||
        outfile_write(ro->output, text, strlen(text), &e) < 0) {
        rc = cli_fail(&e);
        goto out_free;
    }
    int bad = print_summary(plan, &sum, x, resumed, dir, ro);
    if ((rc = write_outputs(plan, &sum, &ro->out)) == EXIT_OK)
        rc = interrupted ? EXIT_INTERRUPTED : bad ? EXIT_NO_MAPPING : EXIT_OK;
out_free:
    sweep_summary_release(&sum);
    free(text);
    free(dir);
    free(error);
    free(result);
    free(have);
    return rc;
}

int sweep_run(const struct sweep_plan *plan, const struct sweep_run_opts *ro,
              const atomic_int *stop)
{
#ifdef TRAINMAP_MPI
    if (ro->mpi && ro->mpi->size > 1 && ro->mpi->rank > 0)
        return sweep_work(plan, ro->mpi, stop);
#endif
    struct exec x = { .plan = plan, .stop = stop };
    char sha[SHA256_HEX_SIZE];
    struct err e;
    size_t n = strlen(ro->output) + sizeof ".journal";
    char *journal_path = malloc(n);
    bool *skip = calloc((size_t)plan->njobs + 1, sizeof *skip);
    x.blob = calloc((size_t)plan->njobs + 1, sizeof *x.blob);
    x.len = calloc((size_t)plan->njobs + 1, sizeof *x.len);
    long valid_bytes = -1;
    uint32_t resumed = 0;
    int rc = EXIT_OK;
    if (!journal_path || !skip || !x.blob || !x.len) {
        rc = map_fail(cmd, "out of memory");
        goto out_free;
    }
    snprintf(journal_path, n, "%s.journal", ro->output);
    if (sweep_inputs_sha256(plan->spec, sha, &e) < 0) {
        rc = cli_fail(&e);
        goto out_free;
    }
    if (ro->resume && (rc = resume(plan, journal_path, sha, ro->coordinator, &x, skip,
                                   &valid_bytes)) != EXIT_OK)
        goto out_free;
    for (uint32_t j = 0; j < plan->njobs; j++)
        resumed += skip[j];
    if (ro->coordinator &&
        journal_open(journal_path, sha, plan->njobs, valid_bytes, &x.journal, &e) < 0) {
        rc = cli_fail(&e);
        goto out_free;
    }
    x.total = plan->njobs - resumed;
    x.progress = ro->coordinator && isatty(STDERR_FILENO);
    rc = sweep_execute(plan, skip, ro, &x, &e);
    if (x.progress && x.finished)
        fprintf(stderr, "\r\033[K");
    journal_close(x.journal);
    if (rc < 0) {
        rc = cli_fail(&e);
        goto out_free;
    }
    if (!ro->coordinator)
        goto out_free;      /* rc is EXIT_OK: the coordinator reports */
    bool interrupted = false;
    for (uint32_t j = 0; j < plan->njobs; j++)
        interrupted = interrupted || !x.blob[j];
    rc = finish(plan, ro, &x, interrupted, resumed, journal_path, sha);
out_free:
    for (uint32_t j = 0; x.blob && j < plan->njobs; j++)
        free(x.blob[j]);
    free(x.blob);
    free(x.len);
    free(skip);
    free(journal_path);
    return rc;
}
