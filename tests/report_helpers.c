/*
 * report_helpers: files, processes and JSON edits for the report suites;
 * see report_helpers.h.
 */
#include "report_helpers.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 64

char *th_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb)
                free(buf);
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static const char *binary(void)
{
    const char *b = getenv("TRAINMAP");
    return b && b[0] ? b : "build/trainmap";
}

void th_run(const char *const *args, const char *env_name, const char *env_value,
            struct th_run *r)
{
    char out_path[] = "/tmp/trainmap-test-out-XXXXXX";
    char err_path[] = "/tmp/trainmap-test-err-XXXXXX";
    int fo = mkstemp(out_path), fe = mkstemp(err_path);
    ck_assert_msg(fo >= 0 && fe >= 0, "mkstemp: %s", strerror(errno));
    char *argv[MAX_ARGS + 2];
    int n = 0;
    argv[n++] = (char *)binary();
    for (; args[n - 1] && n <= MAX_ARGS; n++)
        argv[n] = (char *)args[n - 1];
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fo, STDOUT_FILENO);
        dup2(fe, STDERR_FILENO);
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, STDIN_FILENO);
        if (env_name)
            setenv(env_name, env_value, 1);
        execv(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    close(fo);
    close(fe);
    r->code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r->out = th_slurp(out_path, NULL);
    r->err = th_slurp(err_path, NULL);
    unlink(out_path);
    unlink(err_path);
    ck_assert_ptr_nonnull(r->out);
    ck_assert_ptr_nonnull(r->err);
}

void th_run_release(struct th_run *r)
{
    free(r->out);
    free(r->err);
}

void th_edit(cJSON *root, const char *path, const char *json)
{
    char buf[512], *save = NULL;
    snprintf(buf, sizeof buf, "%s", path);
    cJSON *parent = NULL, *node = root;
    const char *key = NULL;
    int index = -1;
    for (char *part = strtok_r(buf, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
        ck_assert_msg(node != NULL, "%s: no such item", path);
        char *bracket = strchr(part, '[');
        index = -1;
        if (bracket) {
            *bracket = '\0';
            index = atoi(bracket + 1);
        }
        parent = node;
        key = part;
        node = cJSON_GetObjectItemCaseSensitive(node, part);
        if (index >= 0) {
            ck_assert_msg(node != NULL, "%s: no such array", path);
            parent = node;
            node = cJSON_GetArrayItem(node, index);
        }
    }
    ck_assert_msg(parent != NULL, "%s: empty path", path);
    if (!json) {
        ck_assert_msg(node != NULL, "%s: nothing to remove", path);
        if (index >= 0)
            cJSON_DeleteItemFromArray(parent, index);
        else
            cJSON_DeleteItemFromObjectCaseSensitive(parent, key);
        return;
    }
    cJSON *v = cJSON_Parse(json);
    ck_assert_msg(v != NULL, "bad JSON value %s", json);
    if (index >= 0)
        ck_assert(cJSON_ReplaceItemInArray(parent, index, v));
    else if (node)
        ck_assert(cJSON_ReplaceItemInObjectCaseSensitive(parent, key, v));
    else
        ck_assert(cJSON_AddItemToObject(parent, key, v));
}

/* Turns every number of the tree into a raw item holding its exact text:
 * cJSON's printer rounds some doubles to 15 digits (45806.399999999994
 * comes out as 45806.4), which would change the report under test. */
static void exact_numbers(cJSON *node)
{
    for (cJSON *c = node ? node->child : NULL; c; c = c->next) {
        if (cJSON_IsNumber(c)) {
            char text[40];
            snprintf(text, sizeof text, "%.17g", c->valuedouble);
            char *raw = strdup(text);
            ck_assert_ptr_nonnull(raw);
            c->type = cJSON_Raw;
            c->valuestring = raw;
        } else {
            exact_numbers(c);
        }
    }
}

char *th_edited(const char *path, const char *const *edits)
{
    char *text = th_slurp(path, NULL);
    ck_assert_msg(text != NULL, "%s: cannot read", path);
    cJSON *root = cJSON_Parse(text);
    free(text);
    ck_assert_msg(root != NULL, "%s: not JSON", path);
    exact_numbers(root);
    for (int i = 0; edits && edits[i]; i += 2)
        th_edit(root, edits[i], edits[i + 1]);
    char *out = cJSON_Print(root);
    cJSON_Delete(root);
    ck_assert_ptr_nonnull(out);
    return out;
}

static int cmp_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int th_list(const char *dir, const char *prefix, const char *suffix, char **paths, int max)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        size_t len = strlen(e->d_name), sl = strlen(suffix);
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 || len < sl ||
            strcmp(e->d_name + len - sl, suffix) != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        paths[n++] = strdup(path);
    }
    closedir(d);
    qsort(paths, (size_t)n, sizeof *paths, cmp_strings);
    return n;
}

bool th_have_gnuplot(void)
{
    const char *path = getenv("PATH");
    for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
        size_t n = strcspn(p, ":");
        char full[1024];
        snprintf(full, sizeof full, "%.*s/gnuplot", (int)n, p);
        if (access(full, X_OK) == 0)
            return true;
        p += n + (p[n] == ':');
    }
    return false;
}

/* The file's text with trailing white space cut; fails when empty. */
static char *trimmed(const char *path, size_t *len)
{
    char *text = th_slurp(path, len);
    ck_assert_msg(text != NULL, "%s: missing", path);
    while (*len > 0 && strchr(" \t\r\n", text[*len - 1]))
        text[--*len] = '\0';
    ck_assert_msg(*len > 0, "%s: empty", path);
    return text;
}

void th_check_svg(const char *path)
{
    size_t len;
    char *text = trimmed(path, &len);
    ck_assert_msg(strncmp(text, "<?xml", 5) == 0 || strncmp(text, "<svg", 4) == 0,
                  "%s: does not start as SVG", path);
    ck_assert_msg(len >= 6 && strcmp(text + len - 6, "</svg>") == 0,
                  "%s: does not end with </svg>", path);
    free(text);
}

void th_check_pdf(const char *path)
{
    size_t len;
    char *text = trimmed(path, &len);
    ck_assert_msg(len > 5 && memcmp(text, "%PDF-", 5) == 0, "%s: no %%PDF- header", path);
    ck_assert_msg(len >= 5 && memcmp(text + len - 5, "%%EOF", 5) == 0,
                  "%s: no %%%%EOF trailer", path);
    free(text);
}

void th_tmpdir(char *buf, size_t cap, const char *tag)
{
    snprintf(buf, cap, "/tmp/trainmap-%s-XXXXXX", tag);
    ck_assert_ptr_nonnull(mkdtemp(buf));
}

void th_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[1024];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}
