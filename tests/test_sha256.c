/*
 * Tests of common/sha256: the test vectors of FIPS 180-2 appendix B and
 * the NIST examples (SHA256.pdf, "Example algorithm" pages), incremental
 * hashing, and hashing a file.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/sha256.h"

struct vector {
    const char *msg;
    const char *hex;
};

static const struct vector vectors[] = {
    { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    /* 448 bits: the padding no longer fits in the first block */
    { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
    /* 896 bits: two full blocks less the padding */
    { "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
      "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

#define MILLION_A_HEX "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

START_TEST(sha256_hex_should_match_the_standard_test_vectors)
{
    char hex[SHA256_HEX_SIZE];
    const struct vector *v = &vectors[_i];
    ck_assert_str_eq(sha256_hex(v->msg, strlen(v->msg), hex), v->hex);
}
END_TEST

START_TEST(sha256_should_hash_a_million_a_fed_in_uneven_pieces)
{
    /* 1,000,000 'a' in pieces of 1, 2, ..., 999 bytes (and the rest), so
     * that pieces straddle every position of a block. */
    static char buf[1000];
    memset(buf, 'a', sizeof buf);
    struct sha256 s;
    uint8_t digest[SHA256_DIGEST_SIZE];
    char hex[SHA256_HEX_SIZE];
    size_t left = 1000000, piece = 1;
    sha256_init(&s);
    while (left > 0) {
        size_t n = piece < left ? piece : left;
        sha256_update(&s, buf, n);
        left -= n;
        piece = piece % 999 + 1;
    }
    sha256_final(&s, digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    ck_assert_str_eq(hex, MILLION_A_HEX);
}
END_TEST

START_TEST(sha256_hex_should_hash_a_million_a_at_once)
{
    char *msg = malloc(1000000);
    char hex[SHA256_HEX_SIZE];
    ck_assert_ptr_nonnull(msg);
    memset(msg, 'a', 1000000);
    ck_assert_str_eq(sha256_hex(msg, 1000000, hex), MILLION_A_HEX);
    free(msg);
}
END_TEST

START_TEST(sha256_file_should_hash_the_bytes_of_a_file)
{
    char path[] = "/tmp/trainmap-sha256-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "abc", 3), 3);
    close(fd);
    char hex[SHA256_HEX_SIZE];
    struct err e;
    ck_assert_int_eq(sha256_file(path, hex, &e), 0);
    ck_assert_str_eq(hex, vectors[1].hex);
    unlink(path);
}
END_TEST

START_TEST(sha256_file_should_name_a_file_it_cannot_open)
{
    char hex[SHA256_HEX_SIZE];
    struct err e;
    ck_assert_int_eq(sha256_file("tests/data/no-such-file.json", hex, &e), ERR_IO);
    ck_assert_str_eq(e.msg, "tests/data/no-such-file.json: cannot open: "
                            "No such file or directory");
}
END_TEST

START_TEST(sha256_file_should_refuse_a_directory)
{
    char hex[SHA256_HEX_SIZE];
    struct err e;
    ck_assert_int_eq(sha256_file("tests/data", hex, &e), ERR_IO);
    ck_assert_str_eq(e.msg, "tests/data: cannot read: Is a directory");
}
END_TEST

Suite *sha256_suite(void)
{
    Suite *s = suite_create("sha256");
    TCase *tc = tcase_create("digest");
    tcase_add_loop_test(tc, sha256_hex_should_match_the_standard_test_vectors, 0,
                        (int)(sizeof vectors / sizeof vectors[0]));
    tcase_add_test(tc, sha256_should_hash_a_million_a_fed_in_uneven_pieces);
    tcase_add_test(tc, sha256_hex_should_hash_a_million_a_at_once);
    tcase_add_test(tc, sha256_file_should_hash_the_bytes_of_a_file);
    tcase_add_test(tc, sha256_file_should_name_a_file_it_cannot_open);
    tcase_add_test(tc, sha256_file_should_refuse_a_directory);
    suite_add_tcase(s, tc);
    return s;
}
