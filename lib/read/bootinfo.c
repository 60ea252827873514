// SPDX-License-Identifier: MIT
/*
 * What an image tells of its boot images (their sizes, the files they
 * are, the patches in them) and its GUID partition table. El Torito gives
 * only where a boot image starts and how many sectors a BIOS loads, so the
 * size is taken from the best witness there is: a file starting at that
 * block, a partition over it, the floppy or disk it emulates, the FAT it
 * holds, and only then the load size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/charset.h"
#include "base/checked.h"
#include "eltorito/catalog.h"
#include "read/internal.h"
#include "sysarea/parttab.h"

/* The entry array is at most this big (4096 entries of 128 bytes is the
 * most any tool writes; more is refused). */
#define GPT_ARRAY_MAX (4096u * 128u)

/* The header at sector @p at, checked, and its entry array (checked too
 * when @p array_ok is given): 0 with *array set (free it), or -1 when the
 * header is not a good GPT header or the array lies outside the image;
 * an error code when reading fails. */
static int read_gpt(struct isokit_image *img, uint64_t at, uint8_t h[SECTOR], uint8_t **array,
		    size_t *len, bool *array_ok)
{
	uint64_t array_at;
	uint32_t n, size;
	*array = NULL;
	if (at > img->size / SECTOR - 1)
		return -1;
	int rc = img_read(img, at * SECTOR, h, SECTOR, NULL);
	if (rc)
		return rc;
	if (!gpt_header_ok(h, &array_at, &n, &size) || get_le64(h + 24) != at)
		return -1;
	uint64_t bytes = (uint64_t)n * size;
	if (bytes > GPT_ARRAY_MAX || !range_inside(array_at * SECTOR, bytes, img->size))
		return -1;
	if (!(*array = malloc(bytes ? (size_t)bytes : 1)))
		return ISOKIT_E_NOMEM;
	if ((rc = img_read(img, array_at * SECTOR, *array, (size_t)bytes, NULL)) != 0) {
		free(*array);
		*array = NULL;
		return rc;
	}
	*len = (size_t)bytes;
	*array_ok = gpt_array_ok(h, *array, *len);
	return 0;
}

static void decode_entry(const uint8_t *e, uint32_t index, struct isokit_gpt_partition *p)
{
	memset(p, 0, sizeof(*p));
	p->index = index;
	memcpy(p->type, e, 16);
	memcpy(p->guid, e + 16, 16);
	p->type_name = gpt_type_name(e);
	p->first = get_le64(e + 32);
	p->last = get_le64(e + 40);
	p->attributes = get_le64(e + 48);
	/* UTF-16LE name, 36 units: swapped to big-endian for the decoder */
	uint8_t be[72];
	size_t units = 0;
	while (units < 36 && get_721(e + 56 + 2 * units))
		units++;
	for (size_t k = 0; k < units; k++) {
		be[2 * k] = e[56 + 2 * k + 1];
		be[2 * k + 1] = e[56 + 2 * k];
	}
	ucs2be_to_utf8(be, units * 2, p->name);
}

ISOKIT_API int isokit_image_gpt(struct isokit_image *img, struct isokit_gpt *gpt,
				struct isokit_gpt_partition *out, size_t cap, size_t *count)
{
	memset(gpt, 0, sizeof(*gpt));
	*count = 0;
	uint8_t h[SECTOR];
	if (img->size < 2 * SECTOR)
		return 0;
	int rc = img_read(img, SECTOR, h, SECTOR, NULL);
	if (rc)
		return rc;
	if (memcmp(h, "EFI PART", 8) != 0)
		return 0;
	gpt->present = true;
	uint8_t *a;
	size_t len;
	bool ok;
	if ((rc = read_gpt(img, 1, h, &a, &len, &ok)) != 0)
		return rc < 0 ? 0 : rc; /* a damaged header is a flag, not an error */
	gpt->header_ok = true;
	gpt->entries_ok = ok;
	memcpy(gpt->disk_guid, h + 56, 16);
	gpt->first_usable = get_le64(h + 40);
	gpt->last_usable = get_le64(h + 48);
	gpt->backup_lba = get_le64(h + 32);
	gpt->entries = get_731(h + 80);
	uint32_t size = get_731(h + 84);
	size_t used = 0;
	static const uint8_t zero[16];
	for (uint32_t i = 0; i < gpt->entries; i++) {
		const uint8_t *e = a + (size_t)i * size;
		if (memcmp(e, zero, 16) == 0)
			continue;
		if (used < cap)
			decode_entry(e, i + 1, &out[used]);
		used++;
	}
	free(a);
	*count = used;
	/* the backup: a header of its own at the primary's alternate sector */
	uint8_t bh[SECTOR];
	if ((rc = read_gpt(img, gpt->backup_lba, bh, &a, &len, &ok)) > 0)
		return rc;
	gpt->backup_ok = rc == 0 && ok;
	free(a);
	return 0;
}

/* ---- boot images ---- */

/* The partitions of the system area, read once for all entries. */
struct partitions {
	struct isokit_partition mbr[4];
	size_t nmbr;
	struct isokit_gpt_partition gpt[16];
	size_t ngpt;
};

static void read_partitions(struct isokit_image *img, struct partitions *p)
{
	struct isokit_gpt g;
	if (isokit_image_partitions(img, p->mbr, 4, &p->nmbr) != 0 || p->nmbr > 4)
		p->nmbr = p->nmbr > 4 ? 4 : 0;
	if (isokit_image_gpt(img, &g, p->gpt, 16, &p->ngpt) != 0 || !g.entries_ok)
		p->ngpt = 0;
	else if (p->ngpt > 16)
		p->ngpt = 16;
}

/* A partition (MBR, or GPT) starting at sector @p first: its size in bytes. */
static uint64_t partition_at(const struct partitions *p, uint64_t first)
{
	for (size_t i = 0; i < p->nmbr; i++)
		if (p->mbr[i].start == first && p->mbr[i].type != 0xEE && p->mbr[i].sectors)
			return (uint64_t)p->mbr[i].sectors * SECTOR;
	for (size_t i = 0; i < p->ngpt; i++)
		if (p->gpt[i].first == first && p->gpt[i].last >= p->gpt[i].first)
			return (p->gpt[i].last - p->gpt[i].first + 1) * SECTOR;
	return 0;
}

/* The end of the one partition of a hard-disk boot image, or 0. */
static uint64_t disk_size(const uint8_t *b)
{
	if (b[510] != 0x55 || b[511] != 0xAA)
		return 0;
	uint64_t end = 0;
	for (int i = 0; i < 4; i++) {
		struct mbr_part p;
		mbr_get(b, i, &p);
		if (p.type && (uint64_t)p.start + p.sectors > end)
			end = (uint64_t)p.start + p.sectors;
	}
	return end * SECTOR;
}

/* The patches found in the image of @p bytes at @p lba. */
static void check_patches(struct isokit_image *img, uint32_t lba, uint64_t bytes,
			  struct isokit_boot_image_info *o)
{
	uint64_t off = (uint64_t)lba * ISO_BLOCK;
	uint8_t head[2560];
	size_t n = bytes < sizeof(head) ? (size_t)bytes : sizeof(head);
	if (n < 64 || !range_inside(off, bytes, img->size) || img_read(img, off, head, n, NULL))
		return;
	if (n >= ELTORITO_GRUB2_INFO_AT + 8 &&
	    get_le64(head + ELTORITO_GRUB2_INFO_AT) == (uint64_t)lba * 4 + 5)
		o->grub2_info = true;
	if (get_731(head + 12) != lba || get_731(head + 16) != bytes || bytes > ((uint64_t)64 << 20))
		return;
	/* the table's sum over the whole image, read in steps of a multiple
	 * of 4 bytes */
	uint32_t sum = 0;
	uint8_t buf[65536];
	for (uint64_t at = 64; at < bytes;) {
		size_t k = bytes - at < sizeof(buf) ? (size_t)(bytes - at) : sizeof(buf);
		if (img_read(img, off + at, buf, k, NULL))
			return;
		sum = eltorito_info_sum(sum, buf, k);
		at += k;
	}
	o->info_table = get_731(head + 20) == sum;
}

struct want {
	const struct isokit_boot_entry *e;
	size_t n;
	struct isokit_boot_image_info *out;
	uint32_t catalog;
	char *catalog_path;
	size_t cap;
};

/* The files starting at a boot image's block, and at the catalog's. */
static int match_file(void *ud, const struct isokit_node *node, const char *path)
{
	struct want *w = ud;
	const struct isokit_stat *st = isokit_node_stat(node);
	if (isokit_node_is_dir(node) || !st->lba || (st->mode & 0170000) != 0100000)
		return 0;
	if (st->lba == w->catalog && w->cap && !w->catalog_path[0])
		snprintf(w->catalog_path, w->cap, "/%s", path);
	for (size_t i = 0; i < w->n; i++)
		if (st->lba == w->e[i].load_rba && !w->out[i].path[0] && st->size) {
			snprintf(w->out[i].path, sizeof(w->out[i].path), "/%s", path);
			w->out[i].bytes = st->size;
			w->out[i].size_from = "file";
		}
	return 0;
}

static const uint64_t floppy[4] = {0, 1228800, 1474560, 2949120};

ISOKIT_API int isokit_image_boot_images(struct isokit_image *img,
					const struct isokit_boot_entry *e, size_t n,
					struct isokit_boot_image_info *out,
					char *catalog_path, size_t cap)
{
	if (cap)
		catalog_path[0] = '\0';
	for (size_t i = 0; i < n; i++)
		memset(&out[i], 0, sizeof(out[i]));
	struct want w = {e, n, out, img->info.boot_catalog_lba, catalog_path, cap};
	int rc = img_each_entry(img, match_file, &w);
	if (rc)
		return rc;
	struct partitions parts;
	read_partitions(img, &parts);
	for (size_t i = 0; i < n; i++) {
		struct isokit_boot_image_info *o = &out[i];
		uint64_t off = (uint64_t)e[i].load_rba * ISO_BLOCK;
		uint8_t b[SECTOR];
		bool head = range_inside(off, SECTOR, img->size) &&
			    img_read(img, off, b, SECTOR, NULL) == 0;
		uint64_t s;
		if (o->size_from) {
			/* a file */
		} else if (e[i].media >= 1 && e[i].media <= 3) {
			o->bytes = floppy[e[i].media];
			o->size_from = "floppy";
		} else if (e[i].media == 4 && head && (s = disk_size(b)) != 0) {
			o->bytes = s;
			o->size_from = "disk";
		} else if ((s = partition_at(&parts, (uint64_t)e[i].load_rba * 4)) != 0) {
			o->bytes = s;
			o->size_from = "partition";
		} else if (e[i].platform == 0xEF && head && (s = fat_bytes(b)) != 0) {
			o->bytes = s;
			o->size_from = "fat";
		} else {
			o->bytes = (uint64_t)(e[i].sector_count ? e[i].sector_count : 1) * SECTOR;
			o->size_from = "load size";
		}
		/* never past the image's end */
		if (off >= img->size)
			o->bytes = 0;
		else if (o->bytes > img->size - off)
			o->bytes = img->size - off;
		if (o->bytes)
			check_patches(img, e[i].load_rba, o->bytes, o);
	}
	return 0;
}
