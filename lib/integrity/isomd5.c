// SPDX-License-Identifier: MIT
/* Decoding the isomd5sum record. The rules (keys matched exactly with the
 * spaces around '=', values up to the next ';', the MD5 and SKIPSECTORS
 * keys required) follow what checkisomd5 accepts; see
 * ../shared/docs/PITFALLS.md, section J. */
#include "integrity/isomd5.h"

#include <stdio.h>
#include <string.h>

#include "integrity/digest.h"

/* The value after @p key in the 511 usable bytes, up to ';' or the end. */
static const char *find_value(const char *text, const char *key, size_t *len)
{
	const char *p = strstr(text, key);
	if (!p)
		return NULL;
	p += strlen(key);
	const char *end = strchr(p, ';');
	*len = end ? (size_t)(end - p) : strlen(p);
	return p;
}

static int parse_number(const char *p, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	if (len == 0 || len > 9)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = (uint32_t)v;
	return 0;
}

int isomd5_parse(const uint8_t *app, struct isokit_isomd5 *out)
{
	char text[ISOMD5_APP_LEN];
	/* checkisomd5 reads the field as a C string of at most 511 bytes */
	memcpy(text, app, ISOMD5_APP_LEN - 1);
	text[ISOMD5_APP_LEN - 1] = '\0';
	memset(out, 0, sizeof(*out));
	size_t len;
	const char *v = find_value(text, "ISO MD5SUM = ", &len);
	if (!v)
		return 0;
	if (len < 32)
		return -1;
	for (int i = 0; i < 32; i++) {
		char c = v[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return -1;
	}
	memcpy(out->md5, v, 32);
	v = find_value(text, "SKIPSECTORS = ", &len);
	if (!v || parse_number(v, len, &out->skip_sectors))
		return -1;
	const char *sums = find_value(text, "FRAGMENT SUMS = ", &len);
	v = find_value(text, "FRAGMENT COUNT = ", &len);
	if (sums && v) {
		uint32_t count;
		if (parse_number(v, len, &count) || count == 0 || count > 60)
			return -1;
		/* implantisomd5 writes fewer sums than the count on images
		 * whose fragments are shorter than its 32 KiB reads */
		size_t slen = strcspn(sums, ";");
		if (slen > 60)
			slen = 60;
		memcpy(out->fragment_sums, sums, slen);
		out->fragment_sums[slen] = '\0';
		/* each fragment gets 60 / count characters, one per digest
		 * byte: fewer than 4 fragments cannot be checked */
		out->fragment_count = 60 / count <= 16 ? count : 0;
	}
	return 1;
}

void isomd5_fragment_sum(const uint8_t *digest, unsigned n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++)
		out[i] = hex[digest[i] >= 16 ? digest[i] >> 4 : digest[i]];
	out[n] = '\0';
}

int isomd5_stream_init(struct isomd5_stream *s, uint64_t total, uint32_t count)
{
	memset(s, 0, sizeof(*s));
	s->total = total;
	s->count = count;
	s->per = count ? 60 / count : 0;
	s->md5 = digest_new(DIGEST_MD5);
	return s->md5 ? 0 : -1;
}

/* A chunk ending at s->pos is complete: take a fragment sum if it is the
 * first chunk to start in the next fragment. */
static int chunk_done(struct isomd5_stream *s, uint64_t chunk_start)
{
	if (!s->per)
		return 0;
	uint64_t fragment = chunk_start * (s->count + 1) / s->total;
	if (fragment == s->prev_fragment)
		return 0;
	s->prev_fragment = fragment;
	size_t at = (size_t)s->checkpoints * s->per;
	s->checkpoints++;
	if (at + s->per > 60)
		return 0;
	uint8_t d[64];
	if (digest_peek(s->md5, d) != 16)
		return -1;
	isomd5_fragment_sum(d, s->per, s->sums + at);
	if (s->checkpoints <= ISOMD5_FRAGMENTS)
		s->ck_end[s->checkpoints - 1] = s->pos;
	return 0;
}

int isomd5_stream_feed(struct isomd5_stream *s, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n > 0 && s->pos < s->total) {
		uint64_t chunk_start = s->pos / ISOMD5_CHUNK * ISOMD5_CHUNK;
		uint64_t chunk_end = chunk_start + ISOMD5_CHUNK;
		if (chunk_end > s->total)
			chunk_end = s->total;
		size_t k = chunk_end - s->pos < n ? (size_t)(chunk_end - s->pos) : n;
		if (digest_update(s->md5, b, k) != 0)
			return -1;
		s->pos += k;
		b += k;
		n -= k;
		if (s->pos == chunk_end && chunk_done(s, chunk_start) != 0)
			return -1;
	}
	return 0;
}

int isomd5_stream_final(struct isomd5_stream *s, char hex[33])
{
	uint8_t d[64];
	if (digest_final(s->md5, d) != 16)
		return -1;
	digest_hex(d, 16, hex);
	return 0;
}

void isomd5_stream_free(struct isomd5_stream *s)
{
	digest_free(s->md5);
	s->md5 = NULL;
}

void isomd5_format(uint8_t out[ISOMD5_APP_LEN], const char *md5_hex, const char *sums,
		   uint32_t count)
{
	char text[ISOMD5_APP_LEN + 1];
	int n;
	if (sums && sums[0])
		n = snprintf(text, sizeof(text),
			     "ISO MD5SUM = %.32s;SKIPSECTORS = %u;RHLISOSTATUS=0;"
			     "FRAGMENT SUMS = %.60s;FRAGMENT COUNT = %u;"
			     "THIS IS NOT THE SAME AS RUNNING MD5SUM ON THIS ISO!!",
			     md5_hex, ISOMD5_SKIP_SECTORS, sums, count);
	else
		n = snprintf(text, sizeof(text),
			     "ISO MD5SUM = %.32s;SKIPSECTORS = %u;RHLISOSTATUS=0;"
			     "THIS IS NOT THE SAME AS RUNNING MD5SUM ON THIS ISO!!",
			     md5_hex, ISOMD5_SKIP_SECTORS);
	memset(out, ' ', ISOMD5_APP_LEN);
	memcpy(out, text, (size_t)n);
}
