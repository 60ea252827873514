/* SPDX-License-Identifier: MIT */
/* Message digests (MD5 for isomd5sum and xorriso's tags) from OpenSSL's
 * libcrypto, loaded when first needed: linked into the library, libcrypto
 * adds 1.6 MiB of resident memory to every program that uses isokit,
 * including an `isokit ls` that never hashes anything. */
#ifndef ISOKIT_INTEGRITY_DIGEST_H
#define ISOKIT_INTEGRITY_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct digest; /* an EVP_MD_CTX */

enum digest_kind { DIGEST_MD5, DIGEST_SHA256 };

/* A new digest in its initial state; NULL when libcrypto cannot be loaded
 * or memory runs out (digest_error() says which). */
struct digest *digest_new(enum digest_kind kind);
int digest_update(struct digest *d, const void *p, size_t n);
/* Final value of a copy: @p d goes on accumulating. Returns its length. */
size_t digest_peek(const struct digest *d, uint8_t out[64]);
/* Final value; @p d must not be updated afterwards. Returns its length. */
size_t digest_final(struct digest *d, uint8_t out[64]);
void digest_free(struct digest *d);
/* Why the last digest_new() failed. */
const char *digest_error(void);

/* SHA-256 of @p n bytes at @p p into @p out: 0, or -1 when libcrypto
 * cannot be loaded or memory runs out (digest_error() says which). */
int digest_sha256_once(const void *p, size_t n, uint8_t out[32]);

/* A recorded MD5 in hex (32 digits, either case) is @p computed's. */
bool md5_hex_matches(const char *recorded, const char *computed);

/* Lowercase hex of @p n bytes into @p out (2n + 1 bytes). */
void digest_hex(const uint8_t *p, size_t n, char *out);

#endif
