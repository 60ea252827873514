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

#define ISOMD5_SKIP_SECTORS 15 /* what implantisomd5 writes */
#define ISOMD5_FRAGMENTS 20

struct digest;

/*
 * The MD5 and fragment sums of a byte stream, computed as implantisomd5 and
 * checkisomd5 do: the stream is cut into 32 KiB chunks from offset 0, and
 * when a chunk that starts in fragment k (of count + 1, each total / (count
 * + 1) bytes) is the first to do so, a sum of the running MD5 is taken after
 * the whole chunk. Bytes past @p total are ignored. Fed in pieces of any
 * size; the caller blanks the record's own 512 bytes.
 */
struct isomd5_stream {
	struct digest *md5;
	uint64_t total;
	uint64_t pos;
	uint32_t count, per;     /* fragments, characters per sum (0: none) */
	uint64_t prev_fragment;
	uint32_t checkpoints;    /* sums taken */
	char sums[61];           /* the first 60 / per of them */
	uint64_t ck_end[ISOMD5_FRAGMENTS + 1]; /* stream offset after each stored sum */
};

/* 0, or -1 when libcrypto cannot be loaded or memory runs out. @p count 0:
 * no fragment sums. */
int isomd5_stream_init(struct isomd5_stream *s, uint64_t total, uint32_t count);
int isomd5_stream_feed(struct isomd5_stream *s, const void *p, size_t n);
/* The MD5 of what was fed, as lowercase hex (0 or -1). */
int isomd5_stream_final(struct isomd5_stream *s, char hex[33]);
void isomd5_stream_free(struct isomd5_stream *s);

/* The record implantisomd5 would write for these sums, padded with spaces
 * to the 512 bytes of the field. @p sums NULL or "" leaves the fragment
 * keys out (images too small for 32 KiB fragments). */
void isomd5_format(uint8_t out[ISOMD5_APP_LEN], const char *md5_hex, const char *sums,
		   uint32_t count);

/* Decode the 512 bytes at @p app. Returns 1 with *out filled (but
 * covered_bytes left for the caller), 0 when there is no record, -1 when a
 * record is there but malformed. */
int isomd5_parse(const uint8_t *app, struct isokit_isomd5 *out);

/* The fragment sum checkisomd5 derives from a running MD5 @p digest: the
 * first hex digit (without zero padding) of each of the first @p n bytes. */
void isomd5_fragment_sum(const uint8_t *digest, unsigned n, char *out);

#endif
