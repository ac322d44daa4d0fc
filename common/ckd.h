/*
 * ckd: checked arithmetic on sizes and counts.  Every product or sum of
 * user-supplied sizes goes through these so that an overflow becomes an
 * ERR_TOO_LARGE error instead of a silent wrap-around.
 */
#ifndef TRAINMAP_CKD_H
#define TRAINMAP_CKD_H

#include <stdbool.h>
#include <stdint.h>

/* *r = a * b; returns true on overflow (then *r is unspecified). */
static inline bool ckd_mul_u64(uint64_t *r, uint64_t a, uint64_t b)
{
    return __builtin_mul_overflow(a, b, r);
}

/* *r = a + b; returns true on overflow. */
static inline bool ckd_add_u64(uint64_t *r, uint64_t a, uint64_t b)
{
    return __builtin_add_overflow(a, b, r);
}

#endif
