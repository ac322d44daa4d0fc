/*
 * Tests of the reference simulator (tests/refsim.c): it must reproduce every
 * validation case (Timeloop's own numbers) and, rule by rule, tiny cases
 * whose numbers are worked out by hand in the comments.  Only then can the
 * model be held to it on random cases.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "refsim.h"


void refsim_add_rule_tests(TCase *tc);

Suite *refsim_suite(void)
{
    Suite *s = suite_create("refsim");
    TCase *tc = tcase_create("rules");
    refsim_add_rule_tests(tc);
    suite_add_tcase(s, tc);
    return s;
}
