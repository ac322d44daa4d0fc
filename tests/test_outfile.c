/*
 * Tests of common/outfile: an output file appears whole or not at all, an
 * existing one is untouched by a failed write, no temporary file outlives
 * a call, and outfile_check refuses what outfile_write would fail on.
 * (What a kill leaves is tested end to end in the hostile suite.)
 */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/outfile.h"

/* A fresh directory under /tmp, its path in dir (>= 32 bytes). */
static void make_dir(char *dir)
{
    strcpy(dir, "/tmp/trainmap-outfile-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* The names in dir, space-separated, in readdir's order. */
static void list_dir(const char *dir, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    out[0] = '\0';
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? " " : "",
                     de->d_name);
    closedir(d);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void assert_text(const char *path, const char *want)
{
    char buf[256] = { 0 };
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    ck_assert_str_eq(buf, want);
}

START_TEST(outfile_write_should_replace_an_existing_file_whole)
{
    char dir[64], path[96], names[256];
    make_dir(dir);
    snprintf(path, sizeof path, "%s/r.json", dir);
    write_text(path, "old contents, longer than the new\n");
    struct err e;
    ck_assert_int_eq(outfile_write(path, "new\n", 4, &e), 0);
    assert_text(path, "new\n");
    list_dir(dir, names, sizeof names);
    ck_assert_str_eq(names, "r.json");
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(outfile_write_should_leave_no_temporary_file_when_the_target_is_a_directory)
{
    char dir[64], path[96], names[256];
    make_dir(dir);
    snprintf(path, sizeof path, "%s/r.json", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    struct err e;
    ck_assert_int_eq(outfile_write(path, "x", 1, &e), ERR_IO);
    char want[160];
    snprintf(want, sizeof want, "%s: cannot write: Is a directory", path);
    ck_assert_str_eq(e.msg, want);
    list_dir(dir, names, sizeof names);
    ck_assert_str_eq(names, "r.json");
    rmdir(path);
    rmdir(dir);
}
END_TEST

/* A write that fails half-way (here: the file size limit, which binds
 * root too) must leave the existing file as it was and remove its
 * temporary file.  Run in a child so that the limit ends with it. */
START_TEST(outfile_write_should_leave_the_old_file_untouched_when_a_write_fails)
{
    char dir[64], path[96], names[256];
    make_dir(dir);
    snprintf(path, sizeof path, "%s/r.json", dir);
    write_text(path, "the old report\n");
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);   /* write then fails with EFBIG */
        struct rlimit lim = { 8, 8 };
        setrlimit(RLIMIT_FSIZE, &lim);
        struct err e;
        char want[160];
        snprintf(want, sizeof want, "%s: cannot write: File too large", path);
        int rc = outfile_write(path, "a new report longer than 8 bytes\n", 33, &e);
        _exit(rc == ERR_IO && strcmp(e.msg, want) == 0 ? 0 : 1);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_text(path, "the old report\n");
    list_dir(dir, names, sizeof names);
    ck_assert_str_eq(names, "r.json");
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(outfile_write_should_restore_the_signal_mask)
{
    sigset_t before, after;
    sigemptyset(&before);
    sigaddset(&before, SIGTERM);
    ck_assert_int_eq(sigprocmask(SIG_SETMASK, &before, NULL), 0);
    char dir[64], path[96];
    make_dir(dir);
    snprintf(path, sizeof path, "%s/r.json", dir);
    struct err e;
    ck_assert_int_eq(outfile_write(path, "x", 1, &e), 0);
    ck_assert_int_eq(outfile_write("/nonexistent-dir/r.json", "x", 1, &e), ERR_IO);
    ck_assert_int_eq(sigprocmask(SIG_SETMASK, NULL, &after), 0);
    ck_assert(sigismember(&after, SIGTERM));
    ck_assert(!sigismember(&after, SIGINT));
    ck_assert(!sigismember(&after, SIGHUP));
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(outfile_check_should_refuse_what_a_write_would_fail_on)
{
    char dir[64], path[128], names[256];
    make_dir(dir);
    struct err e;
    char want[256];
    /* the directory is missing */
    snprintf(path, sizeof path, "%s/missing/r.json", dir);
    ck_assert_int_eq(outfile_check(path, &e), ERR_IO);
    snprintf(want, sizeof want, "%s/missing: No such file or directory", dir);
    ck_assert_str_eq(e.msg, want);
    /* a file where the directory should be */
    snprintf(path, sizeof path, "%s/file", dir);
    write_text(path, "");
    snprintf(path, sizeof path, "%s/file/r.json", dir);
    ck_assert_int_eq(outfile_check(path, &e), ERR_IO);
    snprintf(want, sizeof want, "%s/file: Not a directory", dir);
    ck_assert_str_eq(e.msg, want);
    /* a directory where the file should be */
    ck_assert_int_eq(outfile_check(dir, &e), ERR_IO);
    snprintf(want, sizeof want, "%s: is a directory", dir);
    ck_assert_str_eq(e.msg, want);
    ck_assert_int_eq(outfile_check("", &e), ERR_IO);
    ck_assert_str_eq(e.msg, "'': No such file or directory");
    /* fine, and nothing is created */
    snprintf(path, sizeof path, "%s/r.json", dir);
    ck_assert_int_eq(outfile_check(path, &e), 0);
    list_dir(dir, names, sizeof names);
    ck_assert_str_eq(names, "file");
    snprintf(path, sizeof path, "%s/file", dir);
    unlink(path);
    rmdir(dir);
}
END_TEST

Suite *outfile_suite(void)
{
    Suite *s = suite_create("outfile");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, outfile_write_should_replace_an_existing_file_whole);
    tcase_add_test(tc, outfile_write_should_leave_no_temporary_file_when_the_target_is_a_directory);
    tcase_add_test(tc, outfile_write_should_leave_the_old_file_untouched_when_a_write_fails);
    tcase_add_test(tc, outfile_write_should_restore_the_signal_mask);
    tcase_add_test(tc, outfile_check_should_refuse_what_a_write_would_fail_on);
    suite_add_tcase(s, tc);
    return s;
}
