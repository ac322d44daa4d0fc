/*
 * outfile: temporary file plus rename, with the termination signals held
 * off while the temporary file exists; see outfile.h.  Called once per
 * output file.
 */
#include "outfile.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int outfile_write(const char *path, const char *data, size_t len, struct err *err)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp)
        return err_set(err, ERR_NOMEM, "%s: out of memory", path);
    snprintf(tmp, n + 16, "%s.tmpXXXXXX", path);
    int rc = 0;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGQUIT);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        rc = err_set(err, ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        goto out_unblock;
    }
    /* mkstemp makes the file private; give it the usual permissions. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        rc = err_set(err, ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        close(fd);
        goto out_unlink;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            rc = err_set(err, ERR_IO, "%s: cannot write: %s", path, strerror(errno));
            close(fd);
            goto out_unlink;
        }
        done += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        rc = err_set(err, ERR_IO, "%s: cannot write: %s", path, strerror(errno));
        goto out_unlink;
    }
    if (rename(tmp, path) != 0) {
        rc = err_set(err, ERR_IO, "%s: cannot write: %s", path, strerror(errno));
        goto out_unlink;
    }
    goto out_unblock;
out_unlink:
    unlink(tmp);
out_unblock:
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    free(tmp);
    return rc;
}

int outfile_check(const char *path, struct err *err)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!path[0])
        return err_set(err, ERR_IO, "'': No such file or directory");
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    struct stat st;
    if (stat(dir, &st) != 0)
        return err_set(err, ERR_IO, "%s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return err_set(err, ERR_IO, "%s: %s", dir, strerror(ENOTDIR));
    if (access(dir, W_OK | X_OK) != 0)
        return err_set(err, ERR_IO, "%s: %s", dir, strerror(errno));
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return err_set(err, ERR_IO, "%s: is a directory", path);
    return 0;
}
