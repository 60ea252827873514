// SPDX-License-Identifier: MIT
/* El Torito: read the boot catalog named by the boot record. */
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/checked.h"
#include "eltorito/catalog.h"
#include "integrity/md5tag.h"
#include "read/internal.h"
#include "sysarea/parttab.h"

int isokit_image_boot_entries(struct isokit_image *img,
			      struct isokit_boot_entry *out, size_t cap,
			      size_t *count)
{
	*count = 0;
	if (!img->info.has_eltorito)
		return 0;
	uint32_t lba = img->info.boot_catalog_lba;
	uint64_t off = (uint64_t)lba * ISO_BLOCK;
	/* The catalog is usually one block; read up to the cap, as far as
	 * the image goes. */
	uint64_t blocks = READ_MAX_CATALOG_BLOCKS;
	if (!range_inside(off, ISO_BLOCK, img->size))
		return img_error(img, ISOKIT_E_RANGE, lba, NULL,
				 "boot catalog lies outside the image");
	if ((img->size - off) / ISO_BLOCK < blocks)
		blocks = (img->size - off) / ISO_BLOCK;
	uint8_t *buf = malloc((size_t)blocks * ISO_BLOCK);
	if (!buf)
		return ISOKIT_E_NOMEM;
	int rc = img_read(img, off, buf, (size_t)blocks * ISO_BLOCK, NULL);
	if (rc == 0) {
		rc = eltorito_decode(buf, (size_t)blocks * ISO_BLOCK, out, cap, count);
		if (rc)
			rc = img_error(img, rc, lba, NULL,
				       "damaged boot catalog (bad validation entry)");
	}
	free(buf);
	return rc;
}

int isokit_image_partitions(struct isokit_image *img,
			    struct isokit_partition *out, size_t cap,
			    size_t *count)
{
	uint8_t mbr[SECTOR];
	*count = 0;
	if (!img->info.has_mbr)
		return 0;
	int rc = img_read(img, 0, mbr, sizeof(mbr), NULL);
	if (rc)
		return rc;
	size_t n = 0;
	for (uint32_t i = 0; i < 4; i++) {
		struct mbr_part p;
		mbr_get(mbr, (int)i, &p);
		/* type 0 with a size is used: xorriso's whole-image partition
		 * beside an EFI one */
		if (p.type == 0 && p.sectors == 0)
			continue;
		if (n < cap)
			out[n] = (struct isokit_partition){.index = i + 1, .bootable = p.active,
							   .type = p.type, .start = p.start,
							   .sectors = p.sectors};
		n++;
	}
	*count = n;
	return 0;
}

/* xorriso puts its superblock tag right after the volume descriptors of a
 * session; the tag chain then leads to the tree and session tags. */
#define MD5TAG_SCAN_BLOCKS 192u

int isokit_image_md5_tags(struct isokit_image *img, struct isokit_md5_tag *out,
			  size_t cap, size_t *count)
{
	uint8_t blk[ISO_BLOCK];
	size_t n = 0;
	*count = 0;
	uint32_t at = 0;
	for (uint32_t b = ISO_VD_FIRST + 1; b < ISO_VD_FIRST + MD5TAG_SCAN_BLOCKS; b++) {
		uint64_t off = (uint64_t)b * ISO_BLOCK;
		if (!range_inside(off, ISO_BLOCK, img->size))
			break;
		int rc = img_read(img, off, blk, ISO_BLOCK, NULL);
		if (rc)
			return rc;
		if (memcmp(blk, "libisofs_sb_checksum_tag_v1 ", 28) == 0) {
			at = b;
			break;
		}
	}
	/* Follow the chain; each hop must go forward, so it ends. */
	for (int hop = 0; at && hop < 4; hop++) {
		uint64_t off = (uint64_t)at * ISO_BLOCK;
		if (!range_inside(off, ISO_BLOCK, img->size))
			break;
		int rc = img_read(img, off, blk, ISO_BLOCK, NULL);
		if (rc)
			return rc;
		struct isokit_md5_tag t;
		uint32_t next;
		if (!md5tag_parse(blk, ISO_BLOCK, &t, &next))
			break;
		if (n < cap)
			out[n] = t;
		n++;
		at = next > at ? next : 0;
	}
	*count = n;
	return 0;
}
