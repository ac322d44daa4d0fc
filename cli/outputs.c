/*
 * outputs: --csv, --md and --plot for map, report and compare; see
 * outputs.h.  Runs once per command.
 */
#include "outputs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/outfile.h"
#include "../reports/render.h"
#include "cli.h"
#include "map_opts.h"

#define PATH_MAX_LEN 4096
#define MAX_SCRIPTS 64

int outputs_check(const char *cmd, const struct output_opts *o)
{
    int rc;
    if ((o->csv && (rc = map_check_output_dir(cmd, "--csv", o->csv)) != EXIT_OK) ||
        (o->md && (rc = map_check_output_dir(cmd, "--md", o->md)) != EXIT_OK))
        return rc;
    return o->plot ? outputs_check_dir(cmd, "--plot", o->plot) : EXIT_OK;
}

int outputs_check_dir(const char *cmd, const char *opt, const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        /* To be created: its parent must be writable. */
        char probe[PATH_MAX_LEN];
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
            n--;
        snprintf(probe, sizeof probe, "%.*s", (int)n, dir);
        return map_check_output_dir(cmd, opt, probe);
    }
    if (!S_ISDIR(st.st_mode))
        return map_fail(cmd, "%s: '%s' is not a directory", opt, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return map_fail(cmd, "%s: cannot write into '%s': %s", opt, dir, strerror(errno));
    return EXIT_OK;
}

int outputs_write_text(const char *what, const char *path, struct textbuf *text)
{
    struct err e;
    if (text->failed) {
        err_set(&e, ERR_NOMEM, "%s: out of memory", path);
        return cli_fail(&e);
    }
    if (outfile_write(path, text->data ? text->data : "", text->len, &e) < 0)
        return cli_fail(&e);
    printf("%s: %s\n", what, path);
    return EXIT_OK;
}

int outputs_make_dir(const char *cmd, const char *opt, const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return EXIT_OK;
    if (mkdir(dir, 0777) != 0)
        return map_fail(cmd, "%s: cannot create directory '%s': %s", opt, dir,
                        strerror(errno));
    return EXIT_OK;
}

/* The gnuplot program into out: $TRAINMAP_GNUPLOT or gnuplot, looked up
 * on the PATH unless it holds a '/'.  false when there is none. */
static bool find_gnuplot(char *out, size_t cap)
{
    const char *prog = getenv("TRAINMAP_GNUPLOT");
    if (!prog || !prog[0])
        prog = "gnuplot";
    if (strchr(prog, '/')) {
        snprintf(out, cap, "%s", prog);
        return access(out, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
        size_t n = strcspn(p, ":");
        snprintf(out, cap, "%.*s/%s", (int)n, n ? p : ".", prog);
        struct stat st;
        if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
            return true;
        p += n + (p[n] == ':');
    }
    return false;
}

/* Splits names (one per line) into argv[1..]; returns how many. */
static int split_names(char *names, char **argv, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *s = strtok_r(names, "\n", &save); s && n < max; s = strtok_r(NULL, "\n", &save))
        argv[n++] = s;
    return n;
}

int outputs_render_plots(const char *cmd, const char *dir, const char *names)
{
    char prog[PATH_MAX_LEN], *list = strdup(names), *argv[MAX_SCRIPTS + 2];
    if (!list)
        return map_fail(cmd, "out of memory");
    int n = split_names(list, argv + 1, MAX_SCRIPTS);
    argv[n + 1] = NULL;
    if (!find_gnuplot(prog, sizeof prog)) {
        fprintf(stderr, "trainmap %s: gnuplot not found (install gnuplot-nox, or name it in "
                        "TRAINMAP_GNUPLOT): the plots are not rendered; render them with: "
                        "cd %s && gnuplot *.gp\n", cmd, dir);
        printf("plots: %s (%d gnuplot scripts with their data, not rendered)\n", dir, n);
        free(list);
        return EXIT_OK;
    }
    argv[0] = prog;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        free(list);
        return map_fail(cmd, "cannot run %s: %s", prog, strerror(errno));
    }
    if (pid == 0) {
        /* gnuplot's own messages go to stderr, never into our stdout. */
        dup2(STDERR_FILENO, STDOUT_FILENO);
        if (chdir(dir) != 0) {
            fprintf(stderr, "trainmap %s: %s: %s\n", cmd, dir, strerror(errno));
            _exit(127);
        }
        execv(prog, argv);
        fprintf(stderr, "trainmap %s: cannot run %s: %s\n", cmd, prog, strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    free(list);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return map_fail(cmd, "%s failed on the plot scripts in %s (exit status %d)", prog,
                        dir, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    printf("plots: %s (%d plots as SVG and PDF, with their gnuplot scripts and data)\n",
           dir, n);
    return EXIT_OK;
}

int outputs_report(const char *cmd, const struct report_doc *doc,
                   const struct output_opts *o)
{
    struct textbuf b;
    struct err e;
    int rc = EXIT_OK;
    textbuf_init(&b);
    if (o->csv) {
        if (render_csv(doc, &b, &e) < 0)
            rc = cli_fail(&e);
        else
            rc = outputs_write_text("csv", o->csv, &b);
        textbuf_release(&b);
    }
    if (rc == EXIT_OK && o->md) {
        if (render_markdown(doc, &b, &e) < 0)
            rc = cli_fail(&e);
        else
            rc = outputs_write_text("markdown", o->md, &b);
        textbuf_release(&b);
    }
    if (rc == EXIT_OK && o->plot && (rc = outputs_make_dir(cmd, "--plot", o->plot)) == EXIT_OK) {
        if (render_plots(doc, o->plot, &b, &e) < 0)
            rc = cli_fail(&e);
        else
            rc = outputs_render_plots(cmd, o->plot, b.data ? b.data : "");
        textbuf_release(&b);
    }
    return rc;
}
