/*
 * trainmap sweep: every workload mapped on every arch variant (each -a
 * file times every combination of the --vary values), with one work
 * queue for all the distinct problems, a journal that lets an interrupted
 * sweep resume, and a sweep report that compares the cells
 * (docs/sweep.md).  This file reads the command line and loads the
 * inputs; the plan is sweep/sweep.c, the run cli/sweep_run.c.
 *
 * Ctrl-C stops handing out problems; those running finish (cut short, so
 * they are searched again on --resume), the reports are written with what
 * is finished and the run exits 130.  A second Ctrl-C exits at once.
 *
 * In an MPI build (make MPI=1) every rank of `mpirun ... trainmap sweep`
 * runs this command with the same arguments; rank 0 coordinates and is the
 * only one to write files or stdout (see sweep_run.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../sweep/dist.h"
#include "../sweep/sweep.h"
#include "cli.h"
#include "map_opts.h"
#include "sweep_run.h"

static const char *const cmd = "sweep";

/* At most this many -a and -w files each. */
#define MAX_FILES 64

static void usage(FILE *f)
{
    fprintf(f,
            "usage: trainmap sweep -a ARCH [-a ARCH...] -w WORKLOAD [-w WORKLOAD...]\n"
            "                      [--vary LEVEL.FIELD=V1,V2,...]... [map options]\n"
            "                      -o SWEEP.json [--csv F] [--md F] [--plot DIR] [--resume]\n\n"
            "Maps every workload on every arch variant: each arch file, times every\n"
            "combination of the --vary values applied to it.  Every distinct problem\n"
            "(same variant, same kernel shape) is searched once, by -j threads that each\n"
            "run one single-threaded search at a time.  The sweep report holds each\n"
            "cell's totals and the path of its full map report (in SWEEP.cells/), and\n"
            "per workload the best variant by energy, latency and EDP.\n\n"
            "  -a, --arch FILE          arch JSON (repeat for several)\n"
            "  -w, --workload FILE      workload JSON (repeat for several)\n"
            "      --vary L.F=V1,V2     set field F of level L (a level's name, or the\n"
            "                           compute entry's name or 'compute') to each value;\n"
            "                           repeat for a cross product (the last varies fastest)\n"
            "  -k, -O, -s, --seed, --time-limit, --layers, --constraints, --lowering\n"
            "                           as for 'trainmap map' (see its --help)\n"
            "  -j, --threads N          problems searched at once (default: one per core)\n"
            "  -o, --output FILE        the sweep report (required); the journal is\n"
            "                           FILE.journal, the cell reports FILE's name with\n"
            "                           .cells instead of .json\n"
            "      --csv FILE           one CSV row per cell and total\n"
            "      --md FILE            Markdown tables per workload\n"
            "      --plot DIR           step EDP against each varied value (gnuplot)\n"
            "      --resume             keep the results in the journal of an earlier run\n"
            "                           of the same sweep and search only the rest\n"
            "  -h, --help               this text\n\n"
            "Invalid variants (rejected by the arch loader) and cells without a mapping\n"
            "are reported per cell and never stop the sweep.  A progress line is drawn\n"
            "on stderr when it is a terminal.  Ctrl-C stops handing out problems: the\n"
            "finished ones are reported (the others with --resume later); a second\n"
            "Ctrl-C quits at once.\n\n"
            "exit status: 0 every cell mapped, 1 some cell invalid or without a mapping\n"
            "(the report is still written), 2 bad input or usage (also a journal of\n"
            "another sweep), 130 interrupted\n");
}

struct sweep_args {
    struct map_args ma;
    const char *arch[MAX_FILES], *workload[MAX_FILES];
    int narchs, nworkloads;
    const char *vary[SWEEP_MAX_VARY];
    int nvary;
    bool resume;
};

/* Adds val to list (n entries, at most max).  Returns EXIT_OK or a usage
 * error. */
static int push(const char **list, int *n, int max, const char *opt, const char *val)
{
    if (*n >= max)
        return cli_usage_error(cmd, "at most %d %s options", max, opt);
    list[(*n)++] = val;
    return EXIT_OK;
}

/* Returns -1 after --help, EXIT_OK to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct sweep_args *sa)
{
    memset(sa, 0, sizeof *sa);
    for (int i = 1; i < argc; i++) {
        const char *val;
        int r, rc = EXIT_OK;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return -1;
        if (strcmp(argv[i], "--resume") == 0) {
            sa->resume = true;
            continue;
        }
        if ((r = map_take(argc, argv, &i, "-a", "--arch", &val)) > 0)
            rc = push(sa->arch, &sa->narchs, MAX_FILES, "-a", val);
        else if (r == 0 && (r = map_take(argc, argv, &i, "-w", "--workload", &val)) > 0)
            rc = push(sa->workload, &sa->nworkloads, MAX_FILES, "-w", val);
        else if (r == 0 && (r = map_take(argc, argv, &i, NULL, "--vary", &val)) > 0)
            rc = push(sa->vary, &sa->nvary, SWEEP_MAX_VARY, "--vary", val);
        else if (r == 0)
            r = map_args_take(argc, argv, &i, &sa->ma);
        if (r < 0)
            return cli_usage_error(cmd, "option '%s' needs a value", argv[i]);
        if (r == 0)
            return cli_usage_error(cmd, "%s '%s'",
                                   argv[i][0] == '-' ? "unknown option" : "unexpected argument",
                                   argv[i]);
        if (rc != EXIT_OK)
            return rc;
    }
    if (sa->narchs == 0)
        return cli_usage_error(cmd, "missing -a ARCH");
    if (sa->nworkloads == 0)
        return cli_usage_error(cmd, "missing -w WORKLOAD");
    if (!sa->ma.output)
        return cli_usage_error(cmd, "missing -o SWEEP.json");
    sa->ma.arch = sa->arch[0];
    sa->ma.workload = sa->workload[0];
    return EXIT_OK;
}

/* Set by the SIGINT handler, read by the workers and their searches. */
static atomic_int stop_requested;

static void on_sigint(int sig)
{
    (void)sig;
    if (atomic_exchange(&stop_requested, 1))
        _exit(EXIT_INTERRUPTED);
}

/* The inputs of a sweep, loaded. */
struct loaded {
    struct workload *w[MAX_FILES];
    bool *matched[MAX_FILES];
    struct sweep_vary vary[SWEEP_MAX_VARY];
    struct constraints_file *cf;
};

static void loaded_release(struct loaded *l)
{
    for (int i = 0; i < MAX_FILES; i++) {
        workload_free(l->w[i]);
        free(l->matched[i]);
    }
    for (int i = 0; i < SWEEP_MAX_VARY; i++)
        sweep_vary_release(&l->vary[i]);
    constraints_file_free(l->cf);
}

/* Checks the arch files, loads the workloads, the constraints and the
 * --vary specs into l and spec.  Returns EXIT_OK or the exit code of the
 * error printed. */
static int load(const struct sweep_args *sa, const struct map_opts *mo, struct loaded *l,
                struct sweep_spec *spec)
{
    struct err e;
    for (int i = 0; i < sa->narchs; i++) {
        struct arch *a = NULL;
        if (arch_load(sa->arch[i], &a, &e) < 0)
            return cli_fail(&e);
        arch_free(a);
    }
    for (int i = 0; i < sa->nworkloads; i++) {
        if (workload_load(sa->workload[i], &l->w[i], &e) < 0)
            return cli_fail(&e);
        if (!(l->matched[i] = calloc((size_t)l->w[i]->nlayers + 1, sizeof *l->matched[i])))
            return map_fail(cmd, "out of memory");
        if (map_match_layers(cmd, l->w[i], sa->ma.layers, l->matched[i]) < 0)
            return EXIT_BAD_INPUT;
    }
    if (mo->constraints_path && constraints_load(mo->constraints_path, &l->cf, &e) < 0)
        return cli_fail(&e);
    for (int i = 0; i < sa->nvary; i++)
        if (sweep_vary_parse(sa->vary[i], &l->vary[i], &e) < 0)
            return e.code == ERR_USAGE ? cli_usage_error(cmd, "%s", e.msg) : cli_fail(&e);
    *spec = (struct sweep_spec){
        .narchs = sa->narchs, .arch_path = sa->arch, .nworkloads = sa->nworkloads,
        .workload_path = sa->workload, .workload = l->w,
        .matched = (const bool *const *)l->matched, .layers = sa->ma.layers,
        .nvary = sa->nvary, .vary = l->vary, .lowering = mo->lowering,
        .constraints_path = mo->constraints_path, .constraints = l->cf,
        .strategy = mo->strategy, .objective = mo->objective, .seed = mo->seed,
        .time_limit_s = mo->time_limit_s,
    };
    memcpy(spec->kernel, mo->kernel, sizeof spec->kernel);
    return EXIT_OK;
}

/* Builds the plan and runs it with the SIGINT handler in place. */
static int plan_and_run(const struct sweep_spec *spec, struct sweep_run_opts *ro)
{
    struct sweep_plan plan;
    struct sigaction sa, old;
    struct err e;
    int rc;
    if (sweep_plan_build(spec, &plan, &e) < 0) {
        rc = e.code == ERR_USAGE ? cli_usage_error(cmd, "%s", e.msg) : cli_fail(&e);
        goto out_free;
    }
    if (plan.njobs == 0 && plan.ncells > 0) {
        bool any_valid = false;
        for (int v = 0; v < plan.nvariants; v++)
            any_valid = any_valid || plan.variant[v].a;
        if (any_valid) {
            rc = map_fail(cmd, "no kernel to map: the kernels given with -k do not occur in "
                          "the selected layers");
            goto out_free;
        }
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    atomic_store(&stop_requested, 0);
    if (sigaction(SIGINT, &sa, &old) != 0) {
        rc = map_fail(cmd, "cannot install the interrupt handler: %s", strerror(errno));
        goto out_free;
    }
    rc = sweep_run(&plan, ro, &stop_requested);
    sigaction(SIGINT, &old, NULL);
out_free:
    sweep_plan_release(&plan);
    return rc;
}

/* The command, given ro with its start time and, in an MPI build, rank. */
static int sweep_main(int argc, char **argv, struct sweep_run_opts ro)
{
    struct sweep_args sa;
    struct map_opts mo;
    struct loaded l;
    struct sweep_spec spec;
    memset(&mo, 0, sizeof mo);
    memset(&l, 0, sizeof l);
    int rc = parse_args(argc, argv, &sa);
    if (rc < 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (rc != EXIT_OK || (rc = map_check_opts(cmd, &sa.ma, &mo)) != EXIT_OK ||
        (rc = map_check_output_dir(cmd, "-o", sa.ma.output)) != EXIT_OK ||
        (rc = outputs_check(cmd, &mo.out)) != EXIT_OK)
        return rc;
    if ((rc = load(&sa, &mo, &l, &spec)) != EXIT_OK)
        goto out_free;
    ro.output = sa.ma.output;
    ro.out = mo.out;
    ro.resume = sa.resume;
    ro.threads = mo.threads;
    ro.coordinator = !ro.mpi || ro.mpi->rank == 0;
    char *command = map_command_line(argc, argv);
    if (!command) {
        rc = map_fail(cmd, "out of memory");
        goto out_free;
    }
    ro.command = command;
    rc = plan_and_run(&spec, &ro);
    free(command);
out_free:
    loaded_release(&l);
    return rc;
}

int cmd_sweep(int argc, char **argv)
{
    struct sweep_run_opts ro;
    memset(&ro, 0, sizeof ro);
    clock_gettime(CLOCK_MONOTONIC, &ro.start);
#ifdef TRAINMAP_MPI
    struct sweep_mpi mpi = { 0 };
    struct err e;
    bool all_ok;
    if (dist_mpi_begin(&mpi.rank, &mpi.size, &e) < 0)
        return cli_fail(&e);
    ro.mpi = &mpi;
    /* Only rank 0 prints results (--help, the summary); an error is
     * printed by every rank that meets it. */
    int rc;
    if (mpi.rank > 0 && !freopen("/dev/null", "w", stdout))
        rc = map_fail(cmd, "cannot discard the output of rank %d: %s", mpi.rank,
                      strerror(errno));
    else
        rc = sweep_main(argc, argv, ro);
    /* A rank that stopped before the searches (--help, an error) votes
     * no, so that the others stop too rather than wait for it. */
    if (!mpi.voted && dist_mpi_vote(false, &all_ok, &e) < 0) {
        mpi.broken = true;
        rc = cli_fail(&e);
    }
    /* MPI_Finalize waits for every rank: rank 0 is then done with its
     * reports before mpirun sees the other ranks' exit status.  A rank
     * whose message passing broke leaves without it (mpirun ends the
     * job). */
    if (!mpi.broken)
        dist_mpi_end();
    return rc;
#else
    return sweep_main(argc, argv, ro);
#endif
}
