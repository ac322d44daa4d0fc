/*
 * Tests of common/json: syntax errors with line:column and what was
 * expected, schema helpers, and atomic output files.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/json.h"
#include "../common/outfile.h"

static int parse(const char *text, struct err *e)
{
    cJSON *root = NULL;
    int rc = json_parse("f.json", text, strlen(text), &root, e);
    cJSON_Delete(root);
    return rc;
}

struct syntax_case {
    const char *text;
    const char *msg;
};

static const struct syntax_case syntax_cases[] = {
    { "", "f.json:1:1: expected a value, got end of file" },
    { "{\"a\": 1 \"b\": 2}", "f.json:1:9: expected ',' or '}', got '\"'" },
    { "{\n  \"a\": [1, 2,]\n}", "f.json:2:14: expected a value, got ']'" },
    { "{\"a\" 1}", "f.json:1:6: expected ':', got '1'" },
    { "{1: 2}", "f.json:1:2: expected a string key, got '1'" },
    { "[1 2]", "f.json:1:4: expected ',' or ']', got '2'" },
    { "{\"a\": tru}", "f.json:1:10: expected true, got '}'" },
    { "{\"a\": NaN}", "f.json:1:7: expected a value, got 'N'" },
    { "{\"a\": 01}", "f.json:1:8: expected ',' or '}', got '1'" },
    { "{\"a\": 1.}", "f.json:1:9: expected a digit after '.', got '}'" },
    { "{\"a\": \"x", "f.json:1:7: unterminated string" },
    { "{\"a\": \"\\q\"}", "f.json:1:9: expected an escape character (one of \"\\/bfnrtu), got 'q'" },
    { "{\"a\": \"\xff\"}", "f.json:1:8: invalid UTF-8 in string" },
    { "{} x", "f.json:1:4: expected end of file after the JSON value, got 'x'" },
};

START_TEST(json_parse_should_locate_syntax_errors)
{
    struct err e;
    err_clear(&e);
    ck_assert_int_eq(parse(syntax_cases[_i].text, &e), ERR_SYNTAX);
    ck_assert_str_eq(e.msg, syntax_cases[_i].msg);
}
END_TEST

START_TEST(json_parse_should_limit_nesting)
{
    char text[200];
    memset(text, '[', 100);
    text[100] = '\0';
    struct err e;
    ck_assert_int_eq(parse(text, &e), ERR_SYNTAX);
    ck_assert_str_eq(e.msg, "f.json:1:65: nesting deeper than 64 levels");
}
END_TEST

START_TEST(json_parse_should_accept_valid_utf8_and_escapes)
{
    struct err e;
    ck_assert_int_eq(parse("{\"a\": \"\xc3\xa9\\u00e9\\n\", \"b\": [-0.5e+3, true, null]}", &e), 0);
}
END_TEST

START_TEST(json_check_object_should_reject_unknown_and_duplicate_keys)
{
    struct err e;
    struct jdoc d = { "f.json", &e };
    static const char *const allowed[] = { "a", "b", NULL };
    cJSON *root = NULL;
    const char *t1 = "{\"a\": 1, \"x\": 2}";
    ck_assert_int_eq(json_parse("f.json", t1, strlen(t1), &root, &e), 0);
    ck_assert_int_eq(json_check_object(&d, root, "levels[0]", "an object", allowed), ERR_SCHEMA);
    ck_assert_str_eq(e.msg, "f.json: levels[0].x: unknown key, expected one of: a, b, comment");
    cJSON_Delete(root);
    const char *t2 = "{\"a\": 1, \"a\": 2}";
    ck_assert_int_eq(json_parse("f.json", t2, strlen(t2), &root, &e), 0);
    ck_assert_int_eq(json_check_object(&d, root, "", "an object", allowed), ERR_SCHEMA);
    ck_assert_str_eq(e.msg, "f.json: a: duplicate key");
    cJSON_Delete(root);
}
END_TEST

START_TEST(json_get_u64_should_name_path_expected_and_got)
{
    struct err e;
    struct jdoc d = { "f.json", &e };
    cJSON *root = NULL;
    const char *t = "{\"n\": -4, \"m\": 2.5, \"big\": 1e30, \"ok\": 7}";
    ck_assert_int_eq(json_parse("f.json", t, strlen(t), &root, &e), 0);
    uint64_t v = 99;
    ck_assert_int_eq(json_get_u64(&d, root, "levels[2]", "n", true, 1, UINT32_MAX, &v), ERR_SCHEMA);
    ck_assert_str_eq(e.msg, "f.json: levels[2].n: expected a positive integer, got -4");
    ck_assert_int_eq(json_get_u64(&d, root, "", "m", true, 1, UINT32_MAX, &v), ERR_SCHEMA);
    ck_assert_str_eq(e.msg, "f.json: m: expected a positive integer, got 2.5");
    ck_assert_int_eq(json_get_u64(&d, root, "", "big", true, 1, UINT32_MAX, &v), ERR_TOO_LARGE);
    ck_assert_str_eq(e.msg, "f.json: big: 1e+30 is too large (at most 4294967295)");
    ck_assert_int_eq(json_get_u64(&d, root, "", "absent", true, 1, UINT32_MAX, &v), ERR_SCHEMA);
    ck_assert_str_eq(e.msg, "f.json: absent: missing, expected a positive integer");
    ck_assert_int_eq(json_get_u64(&d, root, "", "absent", false, 1, UINT32_MAX, &v), 0);
    ck_assert_uint_eq(v, 99);
    ck_assert_int_eq(json_get_u64(&d, root, "", "ok", true, 1, UINT32_MAX, &v), 0);
    ck_assert_uint_eq(v, 7);
    cJSON_Delete(root);
}
END_TEST

START_TEST(json_load_should_reject_missing_files_and_directories)
{
    struct err e;
    cJSON *root = NULL;
    ck_assert_int_eq(json_load("tests", &root, &e), ERR_IO);
    ck_assert_str_eq(e.msg, "tests: is a directory, expected a JSON file");
    ck_assert_int_eq(json_load("no/such/file.json", &root, &e), ERR_IO);
    ck_assert_str_eq(e.msg, "no/such/file.json: cannot open: No such file or directory");
    ck_assert_ptr_null(root);
}
END_TEST

START_TEST(outfile_write_should_replace_whole_or_leave_untouched)
{
    char dir[] = "/tmp/trainmap-outXXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/r.json", dir);
    struct err e;
    ck_assert_int_eq(outfile_write(path, "abc", 3, &e), 0);
    FILE *f = fopen(path, "r");
    char buf[8] = { 0 };
    ck_assert_uint_eq(fread(buf, 1, sizeof buf - 1, f), 3);
    fclose(f);
    ck_assert_str_eq(buf, "abc");
    char bad[300];
    snprintf(bad, sizeof bad, "%s/missing-dir/r.json", dir);
    ck_assert_int_eq(outfile_write(bad, "x", 1, &e), ERR_IO);
    unlink(path);
    rmdir(dir);
}
END_TEST

Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, json_parse_should_locate_syntax_errors, 0,
                        (int)(sizeof syntax_cases / sizeof syntax_cases[0]));
    tcase_add_test(tc, json_parse_should_limit_nesting);
    tcase_add_test(tc, json_parse_should_accept_valid_utf8_and_escapes);
    tcase_add_test(tc, json_check_object_should_reject_unknown_and_duplicate_keys);
    tcase_add_test(tc, json_get_u64_should_name_path_expected_and_got);
    tcase_add_test(tc, json_load_should_reject_missing_files_and_directories);
    tcase_add_test(tc, outfile_write_should_replace_whole_or_leave_untouched);
    suite_add_tcase(s, tc);
    return s;
}
