/*
 * Tests of sweep/journal.c: what is written reads back byte for byte, a
 * truncated last line is ignored and cut off before appending, a journal
 * of other inputs is refused, and a job handed out but never finished is
 * reported with its worker.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sweep/journal.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* A fresh path under /tmp (the file does not exist yet). */
static void temp_path(char *path)
{
    strcpy(path, "/tmp/trainmap-journal-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    unlink(path);
}

static void append_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "ab");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static char *slurp(const char *path)
{
    static char buf[8192];
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* A journal of 4 jobs: job 2 done, job 0 assigned to worker 1 and done,
 * job 3 assigned to worker 2 and never done. */
static void write_sample(const char *path)
{
    struct journal *j;
    struct err e;
    ck_assert_int_eq(journal_open(path, SHA_A, 4, -1, &j, &e), 0);
    ck_assert_int_eq(journal_assigned(j, 2, 0, &e), 0);
    ck_assert_int_eq(journal_assigned(j, 0, 1, &e), 0);
    ck_assert_int_eq(journal_assigned(j, 3, 2, &e), 0);
    ck_assert_int_eq(journal_done(j, 2, "{\"job\":2,\"x\":[1,2]}", 19, &e), 0);
    ck_assert_int_eq(journal_done(j, 0, "{\"job\":0}", 9, &e), 0);
    journal_close(j);
}

START_TEST(journal_should_write_one_line_per_record)
{
    char path[64];
    temp_path(path);
    write_sample(path);
    ck_assert_str_eq(slurp(path),
                     "{\"trainmap_journal\":1,\"inputs_sha256\":\"" SHA_A "\",\"jobs\":4}\n"
                     "{\"assigned\":2,\"worker\":0}\n"
                     "{\"assigned\":0,\"worker\":1}\n"
                     "{\"assigned\":3,\"worker\":2}\n"
                     "{\"done\":2,\"result\":{\"job\":2,\"x\":[1,2]}}\n"
                     "{\"done\":0,\"result\":{\"job\":0}}\n");
    unlink(path);
}
END_TEST

START_TEST(journal_read_should_return_each_result_byte_for_byte)
{
    char path[64];
    struct journal_state st;
    struct err e;
    temp_path(path);
    write_sample(path);
    ck_assert_int_eq(journal_read(path, SHA_A, 4, &st, &e), 0);
    ck_assert_uint_eq(st.ndone, 2);
    ck_assert_str_eq(st.result[2], "{\"job\":2,\"x\":[1,2]}");
    ck_assert_uint_eq(st.len[2], 19);
    ck_assert_str_eq(st.result[0], "{\"job\":0}");
    ck_assert_ptr_null(st.result[1]);
    ck_assert_ptr_null(st.result[3]);
    journal_state_release(&st);
    unlink(path);
}
END_TEST

START_TEST(journal_read_should_name_the_worker_holding_an_unfinished_job)
{
    char path[64];
    struct journal_state st;
    struct err e;
    temp_path(path);
    write_sample(path);
    ck_assert_int_eq(journal_read(path, SHA_A, 4, &st, &e), 0);
    ck_assert_int_eq(st.held_by[3], 2);
    ck_assert_int_eq(st.held_by[0], -1);    /* done */
    ck_assert_int_eq(st.held_by[1], -1);    /* never assigned */
    journal_state_release(&st);
    unlink(path);
}
END_TEST

START_TEST(journal_read_should_not_hold_an_abandoned_job)
{
    char path[64];
    struct journal *j;
    struct journal_state st;
    struct err e;
    temp_path(path);
    ck_assert_int_eq(journal_open(path, SHA_A, 2, -1, &j, &e), 0);
    ck_assert_int_eq(journal_assigned(j, 1, 3, &e), 0);
    ck_assert_int_eq(journal_abandoned(j, 1, &e), 0);
    journal_close(j);
    ck_assert_int_eq(journal_read(path, SHA_A, 2, &st, &e), 0);
    ck_assert_int_eq(st.held_by[1], -1);
    ck_assert_uint_eq(st.ndone, 0);
    journal_state_release(&st);
    unlink(path);
}
END_TEST

START_TEST(journal_read_should_ignore_a_truncated_last_line)
{
    char path[64];
    struct journal_state st;
    struct err e;
    temp_path(path);
    write_sample(path);
    size_t whole = strlen(slurp(path));
    append_text(path, "{\"done\":1,\"result\":{\"job\":1,\"ma");
    ck_assert_int_eq(journal_read(path, SHA_A, 4, &st, &e), 0);
    ck_assert_uint_eq(st.ndone, 2);
    ck_assert_ptr_null(st.result[1]);
    ck_assert_int_eq(st.valid_bytes, (long)whole);
    journal_state_release(&st);
    unlink(path);
}
END_TEST

START_TEST(journal_open_should_cut_a_truncated_line_before_appending)
{
    char path[64];
    struct journal *j;
    struct journal_state st;
    struct err e;
    temp_path(path);
    write_sample(path);
    append_text(path, "{\"done\":1,\"res");
    ck_assert_int_eq(journal_read(path, SHA_A, 4, &st, &e), 0);
    long keep = st.valid_bytes;
    journal_state_release(&st);
    ck_assert_int_eq(journal_open(path, SHA_A, 4, keep, &j, &e), 0);
    ck_assert_int_eq(journal_done(j, 1, "{\"job\":1}", 9, &e), 0);
    journal_close(j);
    ck_assert_int_eq(journal_read(path, SHA_A, 4, &st, &e), 0);
    ck_assert_uint_eq(st.ndone, 3);
    ck_assert_str_eq(st.result[1], "{\"job\":1}");
    journal_state_release(&st);
    unlink(path);
}
END_TEST

START_TEST(journal_read_should_refuse_a_journal_of_other_inputs)
{
    char path[64], want[512];
    struct journal_state st;
    struct err e;
    temp_path(path);
    write_sample(path);
    ck_assert_int_eq(journal_read(path, SHA_B, 4, &st, &e), ERR_USAGE);
    snprintf(want, sizeof want,
             "%s: written for other inputs or options (its inputs sha256 " SHA_A
             ", this sweep's " SHA_B "); remove it or run without --resume", path);
    ck_assert_str_eq(e.msg, want);
    journal_state_release(&st);
    unlink(path);
}
END_TEST

START_TEST(journal_read_should_refuse_a_journal_of_another_job_count)
{
    char path[64];
    struct journal_state st;
    struct err e;
    temp_path(path);
    write_sample(path);
    ck_assert_int_eq(journal_read(path, SHA_A, 5, &st, &e), ERR_USAGE);
    journal_state_release(&st);
    unlink(path);
}
END_TEST

START_TEST(journal_read_should_refuse_a_damaged_line_before_the_last)
{
    char path[64], want[128];
    struct journal_state st;
    struct err e;
    temp_path(path);
    write_sample(path);
    append_text(path, "{\"done\":9,\"result\":{}}\n{\"done\":1,\"result\":{\"job\":1}}\n");
    ck_assert_int_eq(journal_read(path, SHA_A, 4, &st, &e), ERR_SCHEMA);
    /* Line 7: the header, three assignments, two results, then job 9 of 4. */
    snprintf(want, sizeof want, "%s:7: not a journal record of this sweep", path);
    ck_assert_str_eq(e.msg, want);
    journal_state_release(&st);
    unlink(path);
}
END_TEST

START_TEST(journal_read_should_fail_on_a_missing_file)
{
    char path[64];
    struct journal_state st;
    struct err e;
    temp_path(path);
    ck_assert_int_eq(journal_read(path, SHA_A, 4, &st, &e), ERR_IO);
    journal_state_release(&st);
}
END_TEST

Suite *journal_suite(void)
{
    Suite *s = suite_create("journal");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, journal_should_write_one_line_per_record);
    tcase_add_test(tc, journal_read_should_return_each_result_byte_for_byte);
    tcase_add_test(tc, journal_read_should_name_the_worker_holding_an_unfinished_job);
    tcase_add_test(tc, journal_read_should_not_hold_an_abandoned_job);
    tcase_add_test(tc, journal_read_should_ignore_a_truncated_last_line);
    tcase_add_test(tc, journal_open_should_cut_a_truncated_line_before_appending);
    tcase_add_test(tc, journal_read_should_refuse_a_journal_of_other_inputs);
    tcase_add_test(tc, journal_read_should_refuse_a_journal_of_another_job_count);
    tcase_add_test(tc, journal_read_should_refuse_a_damaged_line_before_the_last);
    tcase_add_test(tc, journal_read_should_fail_on_a_missing_file);
    suite_add_tcase(s, tc);
    return s;
}
