/*
 * journal: the sweep's record of finished jobs; see journal.h.  Records
 * are written with write(2) on a file opened O_APPEND, one record per
 * call, so that a kill can only truncate the last line.
 */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct journal {
    int fd;
    char *path;
};

/* The header line for inputs_sha256 and njobs, with its newline. */
static void header(char *out, size_t cap, const char *inputs_sha256, uint32_t njobs)
{
    snprintf(out, cap, "{\"trainmap_journal\":1,\"inputs_sha256\":\"%s\",\"jobs\":%u}\n",
             inputs_sha256, njobs);
}

/* The whole file into *text (NUL-terminated, *len bytes). */
static int slurp(const char *path, char **text, size_t *len, struct err *err)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16, n;
    *len = 0;
    if (!f)
        return err_set(err, ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    char *buf = malloc(cap);
    while (buf && (n = fread(buf + *len, 1, cap - *len - 1, f)) > 0) {
        *len += n;
        if (*len + 1 == cap) {
            char *nb = cap < SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!nb)
                free(buf);
            buf = nb;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf)
        return err_set(err, ERR_NOMEM, "%s: out of memory", path);
    if (bad) {
        free(buf);
        return err_set(err, ERR_IO, "%s: cannot read", path);
    }
    buf[*len] = '\0';
    *text = buf;
    return 0;
}

/* Takes one record line (NUL-terminated, newline removed) into st. */
static int take_line(const char *path, int lineno, char *line, struct journal_state *st,
                     struct err *err)
{
    unsigned job;
    int worker, n = -1;
    size_t len = strlen(line);
    if (sscanf(line, "{\"assigned\":%u,\"worker\":%d}%n", &job, &worker, &n) == 2 &&
        (size_t)n == len && job < st->njobs && worker >= 0) {
        if (!st->result[job])
            st->held_by[job] = worker;
        return 0;
    }
    n = -1;
    if (sscanf(line, "{\"abandoned\":%u}%n", &job, &n) == 1 && (size_t)n == len &&
        job < st->njobs) {
        st->held_by[job] = -1;
        return 0;
    }
    n = -1;
    if (sscanf(line, "{\"done\":%u,\"result\":%n", &job, &n) == 1 && n > 0 &&
        job < st->njobs && len > (size_t)n + 1 && line[len - 1] == '}' && line[n] == '{') {
        if (st->result[job])
            return 0;
        size_t blen = len - (size_t)n - 1;
        if (!(st->result[job] = malloc(blen + 1)))
            return err_set(err, ERR_NOMEM, "%s: out of memory", path);
        memcpy(st->result[job], line + n, blen);
        st->result[job][blen] = '\0';
        st->len[job] = blen;
        st->held_by[job] = -1;
        st->ndone++;
        return 0;
    }
    return err_set(err, ERR_SCHEMA, "%s:%d: not a journal record of this sweep", path, lineno);
}

int journal_read(const char *path, const char *inputs_sha256, uint32_t njobs,
                 struct journal_state *st, struct err *err)
{
    char *text = NULL, want[256];
    size_t len;
    memset(st, 0, sizeof *st);
    st->njobs = njobs;
    st->result = calloc((size_t)njobs + 1, sizeof *st->result);
    st->len = calloc((size_t)njobs + 1, sizeof *st->len);
    st->held_by = malloc(((size_t)njobs + 1) * sizeof *st->held_by);
    if (!st->result || !st->len || !st->held_by)
        return err_set(err, ERR_NOMEM, "%s: out of memory", path);
    for (uint32_t i = 0; i < njobs; i++)
        st->held_by[i] = -1;
    int rc = slurp(path, &text, &len, err);
    if (rc < 0)
        return rc;
    header(want, sizeof want, inputs_sha256, njobs);
    char *nl = strchr(text, '\n');
    if (!nl || strncmp(text, want, (size_t)(nl - text + 1)) != 0 ||
        (size_t)(nl - text + 1) != strlen(want)) {
        char found[SHA256_HEX_SIZE] = "";
        if (sscanf(text, "{\"trainmap_journal\":1,\"inputs_sha256\":\"%64[0-9a-f]\"", found) != 1)
            snprintf(found, sizeof found, "none");
        rc = err_set(err, ERR_USAGE,
                     "%s: written for other inputs or options (its inputs sha256 %s, this "
                     "sweep's %s); remove it or run without --resume",
                     path, found, inputs_sha256);
        goto out_free;
    }
    int lineno = 1;
    char *p = nl + 1;
    while ((nl = strchr(p, '\n'))) {
        *nl = '\0';
        lineno++;
        if ((rc = take_line(path, lineno, p, st, err)) < 0)
            goto out_free;
        p = nl + 1;
    }
    st->valid_bytes = (long)(p - text);
out_free:
    free(text);
    return rc;
}

void journal_state_release(struct journal_state *st)
{
    for (uint32_t i = 0; st->result && i < st->njobs; i++)
        free(st->result[i]);
    free(st->result);
    free(st->len);
    free(st->held_by);
    memset(st, 0, sizeof *st);
}

/* Writes all len bytes of data, or fails with ERR_IO. */
static int put(struct journal *j, const char *data, size_t len, struct err *err)
{
    while (len > 0) {
        ssize_t n = write(j->fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return err_set(err, ERR_IO, "%s: cannot write: %s", j->path,
                           n < 0 ? strerror(errno) : "no space");
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int journal_open(const char *path, const char *inputs_sha256, uint32_t njobs,
                 long resume_bytes, struct journal **out, struct err *err)
{
    struct journal *j = calloc(1, sizeof *j);
    char head[256];
    *out = NULL;
    if (!j || !(j->path = strdup(path))) {
        free(j);
        return err_set(err, ERR_NOMEM, "%s: out of memory", path);
    }
    int flags = O_WRONLY | O_CREAT | O_APPEND | (resume_bytes < 0 ? O_TRUNC : 0);
    j->fd = open(path, flags, 0644);
    int rc = 0;
    if (j->fd < 0)
        rc = err_set(err, ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    else if (resume_bytes >= 0 && ftruncate(j->fd, (off_t)resume_bytes) != 0)
        rc = err_set(err, ERR_IO, "%s: cannot truncate: %s", path, strerror(errno));
    else if (resume_bytes < 0) {
        header(head, sizeof head, inputs_sha256, njobs);
        if ((rc = put(j, head, strlen(head), err)) == 0 && fsync(j->fd) != 0)
            rc = err_set(err, ERR_IO, "%s: cannot sync: %s", path, strerror(errno));
    }
    if (rc < 0) {
        journal_close(j);
        return rc;
    }
    *out = j;
    return 0;
}

int journal_assigned(struct journal *j, uint32_t job, int worker, struct err *err)
{
    char line[96];
    int n = snprintf(line, sizeof line, "{\"assigned\":%u,\"worker\":%d}\n", job, worker);
    return put(j, line, (size_t)n, err);
}

int journal_abandoned(struct journal *j, uint32_t job, struct err *err)
{
    char line[64];
    int n = snprintf(line, sizeof line, "{\"abandoned\":%u}\n", job);
    return put(j, line, (size_t)n, err);
}

int journal_done(struct journal *j, uint32_t job, const char *blob, size_t len,
                 struct err *err)
{
    char head[64];
    int n = snprintf(head, sizeof head, "{\"done\":%u,\"result\":", job);
    size_t total = (size_t)n + len + 2;
    char *line = malloc(total);
    if (!line)
        return err_set(err, ERR_NOMEM, "%s: out of memory", j->path);
    memcpy(line, head, (size_t)n);
    memcpy(line + n, blob, len);
    memcpy(line + n + len, "}\n", 2);
    int rc = put(j, line, total, err);
    free(line);
    if (rc == 0 && fsync(j->fd) != 0)
        rc = err_set(err, ERR_IO, "%s: cannot sync: %s", j->path, strerror(errno));
    return rc;
}

void journal_close(struct journal *j)
{
    if (!j)
        return;
    if (j->fd >= 0)
        close(j->fd);
    free(j->path);
    free(j);
}
