// SPDX-License-Identifier: MIT
/* Checking the isomd5sum record the way checkisomd5 does: MD5 over bytes
 * 0 .. (volume blocks - SKIPSECTORS) * 2048 with the record's own 512
 * bytes read as spaces, in 32 KiB chunks; a fragment sum is taken after
 * the first chunk that starts inside each next fragment (the chunking
 * decides which bytes a fragment sum covers, so it is kept exactly).
 * ../shared/docs/PITFALLS.md, section J, has the details. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "integrity/digest.h"
#include "integrity/isomd5.h"

int isokit_isomd5_get(struct isokit_image *img, struct isokit_isomd5 *out)
{
	memset(out, 0, sizeof(*out));
	if (!img->pvd.present || img->isomd5_state == 0)
		return ISOKIT_E_NOENT;
	if (img->isomd5_state < 0)
		return img_error(img, ISOKIT_E_CORRUPT, (int64_t)img->pvd.vd_sector, NULL,
				 "malformed isomd5sum record in the primary volume descriptor");
	*out = img->isomd5;
	uint64_t blocks = img->info.volume_blocks;
	if (out->skip_sectors > blocks)
		return img_error(img, ISOKIT_E_CORRUPT, (int64_t)img->pvd.vd_sector, NULL,
				 "isomd5sum record skips %u blocks of a %llu-block volume",
				 out->skip_sectors, (unsigned long long)blocks);
	out->covered_bytes = (blocks - out->skip_sectors) * ISO_BLOCK;
	return 0;
}

/* Is the recorded hex digest (either case, as written) @p computed? */
static bool digest_matches(const char *recorded, const char *computed)
{
	return strlen(recorded) == 32 && strncasecmp(recorded, computed, 32) == 0;
}

/* Read the record's bytes in the chunk [off, off + n) as spaces. */
static void blank_record(uint8_t *buf, uint64_t off, size_t n, uint64_t rec)
{
	uint64_t a = off > rec ? off : rec;
	uint64_t b = off + n < rec + ISOMD5_APP_LEN ? off + n : rec + ISOMD5_APP_LEN;
	if (a < b)
		memset(buf + (a - off), ' ', (size_t)(b - a));
}

int isokit_isomd5_check(struct isokit_image *img, isokit_progress_fn fn, void *ud,
			struct isokit_isomd5_result *out)
{
	struct isokit_isomd5 rec;
	memset(out, 0, sizeof(*out));
	int rc = isokit_isomd5_get(img, &rec);
	if (rc)
		return rc;
	struct digest *md5 = digest_new(DIGEST_MD5);
	if (!md5)
		return img_error(img, ISOKIT_E_NOTBUILT, -1, NULL, "%s", digest_error());
	uint8_t *buf = malloc(ISOMD5_CHUNK);
	if (!buf) {
		digest_free(md5);
		return ISOKIT_E_NOMEM;
	}
	const uint64_t total = rec.covered_bytes;
	const uint64_t record = (uint64_t)img->pvd.vd_sector * ISO_BLOCK + ISOMD5_APP_OFFSET;
	const unsigned per = rec.fragment_count ? 60 / rec.fragment_count : 0;
	const size_t nsums = strlen(rec.fragment_sums);
	uint64_t prev_fragment = 0, prev_boundary = 0;
	uint32_t checkpoint = 0; /* fragment sums taken so far */
	struct isokit_source *src = img->src;
	uint64_t off = 0;
	rc = 0;
	while (off < total) {
		size_t n = total - off < ISOMD5_CHUNK ? (size_t)(total - off) : ISOMD5_CHUNK;
		if (off + n > img->size)
			break; /* cut short: the MD5 of what is there will differ */
		if (isokit_source_read(src, off, buf, n) != 0) {
			rc = img_error(img, ISOKIT_E_IO, (int64_t)(off / ISO_BLOCK), NULL,
				       "cannot read the image");
			break;
		}
		blank_record(buf, off, n, record);
		if (digest_update(md5, buf, n) != 0) {
			rc = ISOKIT_E_NOMEM;
			break;
		}
		uint64_t fragment = per ? off * (rec.fragment_count + 1) / total : 0;
		if (fragment != prev_fragment) {
			uint8_t d[64];
			char sum[17];
			if (digest_peek(md5, d) != 16) {
				rc = ISOKIT_E_NOMEM;
				break;
			}
			isomd5_fragment_sum(d, per, sum);
			/* implantisomd5 appends one sum per checkpoint it
			 * passes; checkisomd5 looks a sum up by fragment
			 * number. The two agree unless a fragment is shorter
			 * than a chunk (then a fragment is skipped, and
			 * checkisomd5 fails an intact image): the first is
			 * what was written, so it is what is checked. */
			size_t at = (size_t)checkpoint++ * per;
			if (!out->bad_fragment && at + per <= nsums &&
			    memcmp(sum, rec.fragment_sums + at, per) != 0) {
				out->bad_fragment = (uint32_t)fragment;
				out->bad_from = prev_boundary;
				out->bad_to = off + n;
			}
			prev_fragment = fragment;
			prev_boundary = off + n;
		}
		off += n;
		if (fn && !fn(ud, off, total)) {
			rc = ISOKIT_E_CANCELED;
			break;
		}
	}
	free(buf);
	out->read_bytes = off;
	if (rc == 0) {
		uint8_t d[64];
		if (digest_final(md5, d) != 16)
			rc = ISOKIT_E_NOMEM;
		else
			digest_hex(d, 16, out->computed);
		out->intact = rc == 0 && off == total && !out->bad_fragment &&
			      digest_matches(rec.md5, out->computed);
		if (rc == 0 && !out->intact && !out->bad_fragment && prev_boundary) {
			/* every fragment sum agrees: the damage is after the
			 * last one, which only the whole MD5 covers */
			out->bad_fragment = checkpoint + 1;
			out->bad_from = prev_boundary;
			out->bad_to = total;
		}
	}
	digest_free(md5);
	return rc;
}

/* A tag's range has no chunking rule of its own: read it 256 KiB at a time. */
#define TAG_READ ((size_t)256 << 10)

int isokit_md5_tag_check(struct isokit_image *img, const struct isokit_md5_tag *tag,
			 isokit_progress_fn fn, void *ud, bool *intact, char computed[33])
{
	*intact = false;
	computed[0] = '\0';
	uint64_t from = (uint64_t)tag->range_start * ISO_BLOCK;
	uint64_t total = (uint64_t)tag->range_size * ISO_BLOCK;
	if (from > img->size || total > img->size - from)
		return img_error(img, ISOKIT_E_TRUNCATED, (int64_t)tag->pos, NULL,
				 "the %s MD5 tag covers blocks %u to %llu, past the end of the image",
				 tag->kind, tag->range_start,
				 (unsigned long long)tag->range_start + tag->range_size - 1);
	struct digest *md5 = digest_new(DIGEST_MD5);
	if (!md5)
		return img_error(img, ISOKIT_E_NOTBUILT, -1, NULL, "%s", digest_error());
	uint8_t *buf = malloc(TAG_READ);
	int rc = buf ? 0 : ISOKIT_E_NOMEM;
	for (uint64_t off = 0; rc == 0 && off < total;) {
		size_t n = total - off < TAG_READ ? (size_t)(total - off) : TAG_READ;
		if (isokit_source_read(img->src, from + off, buf, n) != 0)
			rc = img_error(img, ISOKIT_E_IO, (int64_t)((from + off) / ISO_BLOCK), NULL,
				       "cannot read the image");
		else if (digest_update(md5, buf, n) != 0)
			rc = ISOKIT_E_NOMEM;
		off += n;
		if (rc == 0 && fn && !fn(ud, off, total))
			rc = ISOKIT_E_CANCELED;
	}
	free(buf);
	uint8_t d[64];
	if (rc == 0 && digest_final(md5, d) != 16)
		rc = ISOKIT_E_NOMEM;
	if (rc == 0) {
		digest_hex(d, 16, computed);
		*intact = digest_matches(tag->md5, computed);
	}
	digest_free(md5);
	return rc;
}
