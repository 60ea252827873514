/* SPDX-License-Identifier: MIT */
/* The isomd5sum record (implantisomd5, checkisomd5): text in the primary
 * volume descriptor's 512-byte application-use field, e.g.
 * "ISO MD5SUM = <32 hex>;SKIPSECTORS = 15;RHLISOSTATUS=0;FRAGMENT SUMS =
 * <60 chars>;FRAGMENT COUNT = 20;...". Decoding only; no I/O. */
#ifndef ISOKIT_INTEGRITY_ISOMD5_H
#define ISOKIT_INTEGRITY_ISOMD5_H

#include <stdint.h>

#include <isokit/verify.h>

#define ISOMD5_APP_OFFSET 883 /* in the descriptor */
#define ISOMD5_APP_LEN 512
#define ISOMD5_CHUNK 32768 /* checkisomd5 reads this much at a time */

/* Decode the 512 bytes at @p app. Returns 1 with *out filled (but
 * covered_bytes left for the caller), 0 when there is no record, -1 when a
 * record is there but malformed. */
int isomd5_parse(const uint8_t *app, struct isokit_isomd5 *out);

/* The fragment sum checkisomd5 derives from a running MD5 @p digest: the
 * first hex digit (without zero padding) of each of the first @p n bytes. */
void isomd5_fragment_sum(const uint8_t *digest, unsigned n, char *out);

#endif
