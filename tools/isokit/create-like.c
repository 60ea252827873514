// SPDX-License-Identifier: MIT
/*
 * isokit create --boot-like ORIGINAL.iso: the boot setup of an existing
 * image, to remaster it. Each El Torito entry is copied (platform,
 * emulation, load segment and size, ID) with its boot image: the file of
 * the same path in the new tree when there is one (the user unpacked the
 * original and may have changed it), else the original's bytes. Patches
 * found in the original's images (boot-info-table, GRUB 2 boot info) are
 * made again for their new places. The MBR boot code is kept with its
 * pointer to the BIOS boot image (isohybrid or GRUB 2 style, told apart by
 * its value); partition tables are made anew for the new image when the
 * original had any (a hybrid image): a GPT where it had one, else an MBR
 * table whose first entry keeps the original's status, type and start.
 */
#include <stdio.h>
#include <string.h>

#include "create-boot.h"

#define MBR_POINTER 432

static int load_entries(struct boot_args *b, const char *orig, struct isokit_image *img,
			uint32_t *bios_lba, bool *have_bios)
{
	static struct isokit_boot_entry be[MAX_BOOT_ENTRIES];
	static struct isokit_boot_image_info bi[MAX_BOOT_ENTRIES];
	size_t n = 0;
	int rc = isokit_image_boot_entries(img, be, MAX_BOOT_ENTRIES, &n);
	if (rc) {
		cli_image_error(orig, img, rc);
		return EXIT_FAIL;
	}
	if (n == 0) {
		msg_error(orig, "--boot-like: the image has no El Torito boot entries");
		return EXIT_FAIL;
	}
	if (n > MAX_BOOT_ENTRIES) {
		msg_error(orig, "--boot-like: more than %d boot entries", MAX_BOOT_ENTRIES);
		return EXIT_FAIL;
	}
	rc = isokit_image_boot_images(img, be, n, bi, b->like_catalog, sizeof(b->like_catalog));
	if (rc) {
		cli_image_error(orig, img, rc);
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!bi[i].bytes) {
			msg_error(orig, "--boot-like: boot entry %zu: its image at block %u lies "
				  "outside the image", i + 1, be[i].load_rba);
			return EXIT_FAIL;
		}
		struct isokit_boot_image *e = &b->e[i];
		memset(e, 0, sizeof(*e));
		if (bi[i].path[0]) {
			snprintf(b->like_paths[i], sizeof(b->like_paths[i]), "%s", bi[i].path);
			e->image_path = b->like_paths[i];
		}
		e->source = orig;
		e->source_offset = (uint64_t)be[i].load_rba * 2048;
		e->source_size = bi[i].bytes;
		e->platform = be[i].platform;
		e->emulation = be[i].media >= 1 && be[i].media <= 3 ? ISOKIT_EMUL_FLOPPY
			       : be[i].media == 4			    ? ISOKIT_EMUL_HARD_DISK
									    : ISOKIT_EMUL_NONE;
		e->not_bootable = !be[i].bootable;
		e->load_segment = be[i].load_segment;
		/* a BIOS loads what it loaded before; an EFI image is sized anew */
		if (be[i].platform != 0xEF && e->emulation == ISOKIT_EMUL_NONE)
			e->load_sectors = be[i].sector_count;
		if (bi[i].info_table)
			e->patch |= ISOKIT_BOOT_INFO_TABLE;
		if (bi[i].grub2_info)
			e->patch |= ISOKIT_BOOT_GRUB2_INFO;
		snprintf(e->id, sizeof(e->id), "%s", be[i].section ? be[i].id : "");
		if (!*have_bios && be[i].platform == 0 && be[i].media == 0) {
			*have_bios = true;
			*bios_lba = be[i].load_rba;
		}
	}
	b->n = n;
	if (b->like_catalog[0])
		b->catalog = b->like_catalog;
	return 0;
}

int boot_like_load(struct boot_args *b)
{
	const char *orig = b->like;
	struct isokit_image *img;
	int rc = isokit_image_open_ex(orig, NULL, &img);
	if (rc) {
		if (img)
			cli_image_error(orig, img, rc);
		else
			msg_error(orig, "%s", isokit_strerror(rc));
		isokit_image_close(img);
		return EXIT_FAIL;
	}
	uint32_t bios_lba = 0;
	bool have_bios = false;
	int r = load_entries(b, orig, img, &bios_lba, &have_bios);
	if (r) {
		isokit_image_close(img);
		return r;
	}
	/* the MBR: its code and pointer, and whether it had partitions */
	unsigned char mbr[512];
	struct isokit_source *src = isokit_image_source(img);
	if (isokit_source_read(src, 0, mbr, sizeof(mbr)) == 0) {
		bool code = false;
		for (size_t i = 0; i < MBR_POINTER; i++)
			code |= mbr[i] != 0;
		struct isokit_partition pt[4];
		size_t npt = 0;
		struct isokit_gpt g;
		struct isokit_gpt_partition gp[1];
		size_t ngp = 0;
		(void)isokit_image_partitions(img, pt, 4, &npt);
		(void)isokit_image_gpt(img, &g, gp, 1, &ngp);
		bool tables = npt > 0 || g.present;
		uint64_t ptr = 0;
		for (int k = 7; k >= 0; k--)
			ptr = ptr << 8 | mbr[MBR_POINTER + k];
		if (code || tables) {
			/* the code and its pointer; the writer makes the tables
			 * anew and sets the pointer of a kind it knows */
			memset(b->like_sa, 0, sizeof(b->like_sa));
			if (code)
				memcpy(b->like_sa, mbr, 440);
			b->like_has_sa = true;
			if (tables)
				b->sa_flags |= ISOKIT_SA_HYBRID;
			if (npt > 0 && !g.present) {
				/* an MBR without a GPT stays one: its boot loader may
				 * look for (hd0,msdos1), as grub-mkrescue's does. The
				 * writer keeps the first entry's status, type and
				 * start. */
				b->sa_flags |= ISOKIT_SA_MBR_ONLY;
				memcpy(b->like_sa + 446, mbr + 446, 66);
			}
			if (code && have_bios && ptr == (uint64_t)bios_lba * 4)
				b->sa_flags |= ISOKIT_SA_ISOHYBRID_MBR;
			else if (code && have_bios && ptr == (uint64_t)bios_lba * 4 + 4)
				b->sa_flags |= ISOKIT_SA_GRUB2_MBR;
			else if (code)
				msg_warn(orig, "--boot-like: the MBR code points at no boot image that "
					 "isokit knows how to move; it is copied unchanged");
		}
	}
	isokit_image_close(img);
	return 0;
}
