// SPDX-License-Identifier: MIT
/* The isomd5sum record (checked with the rest of the data in datacheck.c:
 * MD5 over bytes 0 .. (volume blocks - SKIPSECTORS) * 2048 with the
 * record's own 512 bytes read as spaces, chunked as checkisomd5 reads;
 * ../shared/docs/PITFALLS.md, section J) and xorriso's MD5 tags. */
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
		*intact = md5_hex_matches(tag->md5, computed);
	}
	digest_free(md5);
	return rc;
}
