/*
 * sha256: the SHA-256 digest (FIPS 180-4) of a byte string or a file.
 *
 * A report names each input file by its path and by the digest of its
 * bytes, so that a reader can tell later whether the file it has is the
 * one the report was made from.  Called a few times per run on files of at
 * most a few megabytes: clarity over speed.
 *
 * Ownership: struct sha256 is a caller-owned value with no resources; the
 * functions write into buffers the caller provides.
 */
#ifndef TRAINMAP_SHA256_H
#define TRAINMAP_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SHA256_DIGEST_SIZE 32
/* 64 lowercase hex digits and the terminating NUL. */
#define SHA256_HEX_SIZE 65

struct sha256 {
    uint32_t h[8];           /* the chaining state */
    uint64_t len;            /* bytes hashed so far */
    uint8_t block[64];       /* the partial block */
    size_t nblock;           /* bytes in block, < 64 */
};

/* Starts a new digest. */
void sha256_init(struct sha256 *s);

/* Hashes len more bytes of data (data may be NULL when len is 0). */
void sha256_update(struct sha256 *s, const void *data, size_t len);

/* Finishes the digest into out; s must be initialized again before reuse. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_SIZE]);

/* The digest of len bytes of data as lowercase hex into hex.  Returns hex. */
char *sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_SIZE]);

/* The digest of the bytes of the file at path as lowercase hex.  Returns
 * 0, or ERR_IO ("path: cannot open: reason", "path: cannot read: reason")
 * with hex left unspecified. */
int sha256_file(const char *path, char hex[SHA256_HEX_SIZE], struct err *err);

#endif
