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
#include "base/checked.h"
#include "base/charset.h"
#include "eltorito/catalog.h"
#include "read/internal.h"
#include "sysarea/parttab.h"

static const struct {
	uint8_t guid[16];
	const char *name;
} gpt_types[] = {
	{{0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e,
	  0xc9, 0x3b}, "EFI system"},
	{{0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44, 0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26,
	  0x99, 0xc7}, "basic data"},
	{{0x00, 0x53, 0x46, 0x48, 0x00, 0x00, 0xaa, 0x11, 0xaa, 0x11, 0x00, 0x30, 0x65, 0x43,
	  0xec, 0xac}, "HFS+"},
	{{0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47, 0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47,
	  0x7d, 0xe4}, "Linux data"},
	{{0x48, 0x61, 0x68, 0x21, 0x49, 0x64, 0x6f, 0x6e, 0x74, 0x4e, 0x65, 0x65, 0x64, 0x45,
	  0x46, 0x49}, "BIOS boot"},
};

static const char *gpt_type_name(const uint8_t *g)
{
	for (size_t i = 0; i < sizeof(gpt_types) / sizeof(gpt_types[0]); i++)
		if (memcmp(g, gpt_types[i].guid, 16) == 0)
			return gpt_types[i].name;
	return "unknown";
}

/* The entry array is at most this big (4096 entries of 128 bytes is the
 * most any tool writes; more is refused). */
#define GPT_ARRAY_MAX (4096u * 128u)

static bool backup_ok(struct isokit_image *img, const uint8_t *primary)
{
	uint64_t at = get_le64(primary + 32);
	uint8_t h[SECTOR];
	uint64_t array_at;
	uint32_t n, size;
	if (at > img->size / SECTOR - 1 || img_read(img, at * SECTOR, h, SECTOR, NULL) ||
	    !gpt_header_ok(h, &array_at, &n, &size) || get_le64(h + 24) != at)
		return false;
	uint64_t len = (uint64_t)n * size;
	if (len > GPT_ARRAY_MAX || array_at > img->size / SECTOR ||
	    (img->size - array_at * SECTOR) < len)
		return false;
	uint8_t *a = malloc(len ? (size_t)len : 1);
	bool ok = a && img_read(img, array_at * SECTOR, a, (size_t)len, NULL) == 0 &&
		  gpt_array_ok(h, a, (size_t)len);
	free(a);
	return ok;
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
	uint64_t array_at;
	uint32_t n, size;
	if (!gpt_header_ok(h, &array_at, &n, &size))
		return 0;
	gpt->header_ok = true;
	memcpy(gpt->disk_guid, h + 56, 16);
	gpt->first_usable = get_le64(h + 40);
	gpt->last_usable = get_le64(h + 48);
	gpt->backup_lba = get_le64(h + 32);
	gpt->entries = n;
	uint64_t len = (uint64_t)n * size;
	if (len > GPT_ARRAY_MAX || array_at > img->size / SECTOR ||
	    img->size - array_at * SECTOR < len)
		return 0;
	uint8_t *a = malloc(len ? (size_t)len : 1);
	if (!a)
		return ISOKIT_E_NOMEM;
	if ((rc = img_read(img, array_at * SECTOR, a, (size_t)len, NULL)) != 0) {
		free(a);
		return rc;
	}
	gpt->entries_ok = gpt_array_ok(h, a, (size_t)len);
	gpt->backup_ok = backup_ok(img, h);
	size_t used = 0;
	static const uint8_t zero[16];
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = a + (size_t)i * size;
		if (memcmp(e, zero, 16) == 0)
			continue;
		if (used < cap) {
			struct isokit_gpt_partition *p = &out[used];
			memset(p, 0, sizeof(*p));
			p->index = i + 1;
			memcpy(p->type, e, 16);
			memcpy(p->guid, e + 16, 16);
			p->type_name = gpt_type_name(e);
			p->first = get_le64(e + 32);
			p->last = get_le64(e + 40);
			p->attributes = get_le64(e + 48);
			/* UTF-16LE name, 36 units: swap to big-endian for the decoder */
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
		used++;
	}
	free(a);
	*count = used;
	return 0;
}

/* ---- boot images ---- */

/* A partition (MBR, or GPT) starting at sector @p first: its size in bytes. */
static uint64_t partition_at(struct isokit_image *img, uint64_t first)
{
	struct isokit_partition mp[4];
	size_t nm = 0;
	if (isokit_image_partitions(img, mp, 4, &nm) == 0)
		for (size_t i = 0; i < nm && i < 4; i++)
			if (mp[i].start == first && mp[i].type != 0xEE && mp[i].sectors)
				return (uint64_t)mp[i].sectors * SECTOR;
	struct isokit_gpt g;
	struct isokit_gpt_partition gp[16];
	size_t ng = 0;
	if (isokit_image_gpt(img, &g, gp, 16, &ng) == 0 && g.entries_ok)
		for (size_t i = 0; i < ng && i < 16; i++)
			if (gp[i].first == first && gp[i].last >= gp[i].first)
				return (gp[i].last - gp[i].first + 1) * SECTOR;
	return 0;
}

/* The size of a FAT file system from its boot sector, or 0. */
static uint64_t fat_size(const uint8_t *b)
{
	if (b[510] != 0x55 || b[511] != 0xAA)
		return 0;
	uint32_t bps = get_721(b + 11);
	if (bps < 512 || bps > 4096 || (bps & (bps - 1)))
		return 0;
	uint32_t total = get_721(b + 19);
	if (!total)
		total = get_731(b + 32);
	return (uint64_t)total * bps;
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

/* Check the patches in the image at @p lba of @p bytes. */
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
	/* the sum over the whole image, read in steps */
	uint32_t sum = 0;
	uint8_t buf[65536];
	for (uint64_t at = 64; at < bytes;) {
		size_t k = bytes - at < sizeof(buf) ? (size_t)(bytes - at) : sizeof(buf);
		if (img_read(img, off + at, buf, k, NULL))
			return;
		for (size_t i = 0; i < k; i += 4) {
			uint8_t w[4] = {0};
			memcpy(w, buf + i, k - i < 4 ? k - i : 4);
			sum += get_731(w);
		}
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

static int walk_files(struct isokit_image *img, struct want *w)
{
	struct isokit_walk *wk;
	struct isokit_walk_options wo = {.sorted = true};
	int rc = isokit_walk_new(img, isokit_image_root(img), &wo, &wk);
	if (rc)
		return rc;
	enum isokit_walk_event ev;
	const struct isokit_node *node;
	const char *path;
	while ((rc = isokit_walk_next(wk, &ev, &node, &path)) != 0) {
		if (rc < 0)
			continue; /* a damaged folder: the rest still counts */
		if (ev != ISOKIT_WALK_ENTRY || isokit_node_is_dir(node))
			continue;
		const struct isokit_stat *st = isokit_node_stat(node);
		if (!st->lba || (st->mode & 0170000) != 0100000)
			continue;
		if (st->lba == w->catalog && w->cap && !w->catalog_path[0])
			snprintf(w->catalog_path, w->cap, "/%s", path);
		for (size_t i = 0; i < w->n; i++)
			if (st->lba == w->e[i].load_rba && !w->out[i].path[0] && st->size) {
				snprintf(w->out[i].path, sizeof(w->out[i].path), "/%s", path);
				w->out[i].bytes = st->size;
				w->out[i].size_from = "file";
			}
	}
	isokit_walk_free(wk);
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
	int rc = walk_files(img, &w);
	if (rc)
		return rc;
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
		} else if ((s = partition_at(img, (uint64_t)e[i].load_rba * 4)) != 0) {
			o->bytes = s;
			o->size_from = "partition";
		} else if (e[i].platform == 0xEF && head && (s = fat_size(b)) != 0) {
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
