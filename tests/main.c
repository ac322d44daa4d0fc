/*
 * The Check test runner: one suite per module, listed in the generated
 * suites.h (one SUITE(name) line per tests/test_NAME.c).  Run from the
 * repository root; TRAINMAP names the CLI binary for the end-to-end tests.
 * An optional argument runs only the suite of that name.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#define SUITE(name) Suite *name##_suite(void);
#include "suites.h"
#undef SUITE

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    SRunner *sr = srunner_create(NULL);
#define SUITE(name)                                     \
    if (!only || strcmp(only, #name) == 0)              \
        srunner_add_suite(sr, name##_suite());
#include "suites.h"
#undef SUITE
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
