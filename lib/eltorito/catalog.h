/* SPDX-License-Identifier: MIT */
/* El Torito boot catalog (El Torito 1.0, 2.x): validation entry, initial
 * entry, section headers and entries. */
#ifndef ISOKIT_ELTORITO_CATALOG_H
#define ISOKIT_ELTORITO_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <isokit/image.h>

#define ELTORITO_ENTRY 32

enum eltorito_ids {
	ET_HEADER_VALIDATION = 0x01,
	ET_BOOTABLE = 0x88,
	ET_NOT_BOOTABLE = 0x00,
	ET_SECTION_MORE = 0x90,
	ET_SECTION_LAST = 0x91,
	ET_EXTENSION = 0x44,
};

/*
 * Decode the catalog in @p cat (@p len bytes, a multiple of 32). Stores up to
 * @p cap entries and sets *count to the number found. Tolerates what real
 * catalogs do (a last header marked 0x90, extension entries); stops at the
 * first entry that is neither. @return 0, or ISOKIT_E_CORRUPT if the
 * validation entry is wrong.
 */
int eltorito_decode(const uint8_t *cat, size_t len,
		    struct isokit_boot_entry *out, size_t cap, size_t *count);

/* One entry to encode. */
struct eltorito_entry {
	uint8_t platform;
	bool bootable;
	uint8_t media;          /* 0 none, 1-3 floppy, 4 hard disk */
	uint16_t load_segment;
	uint8_t system_type;
	uint16_t sector_count;  /* 512-byte sectors */
	uint32_t load_rba;      /* 2048-byte block */
	const char *id;         /* section ID, or NULL */
};

/*
 * Encode a catalog of @p n entries (n >= 1) into @p cat (@p len bytes,
 * zeroed here): the validation entry carries the first entry's platform
 * and the default entry is the first; the others follow in sections, one
 * per run of entries of one platform, the last header marked 0x91.
 * @return the bytes used, or 0 when they do not fit in @p len.
 */
size_t eltorito_encode(const struct eltorito_entry *e, size_t n, uint8_t *cat, size_t len);

/* Bytes of the catalog of @p n entries (32 per entry, validation entry
 * and section headers included). */
size_t eltorito_encoded_size(const struct eltorito_entry *e, size_t n);

/*
 * El Torito boot-info-table (mkisofs -boot-info-table): bytes 8-63 of a
 * boot image of @p len bytes (len >= 64) get the primary volume
 * descriptor's block, the image's block, its length and the 32-bit sum of
 * its little-endian 32-bit words from byte 64 to its end (a last partial
 * word padded with zeros), then 40 zero bytes.
 */
/* The boot-info-table's sum: @p sum plus the little-endian 32-bit words of
 * @p n bytes at @p p, a last partial word padded with zeros (feed it in
 * pieces whose sizes are multiples of 4, but for the last). */
uint32_t eltorito_info_sum(uint32_t sum, const uint8_t *p, size_t n);
void eltorito_patch_info_table(uint8_t *img, size_t len, uint32_t pvd_lba, uint32_t img_lba);

/* GRUB 2's boot info (xorriso grub2-boot-info): the image's 512-byte
 * block address + 5 as 64 bits at byte 2548 (len >= 2556). */
#define ELTORITO_GRUB2_INFO_AT 2548
void eltorito_patch_grub2_info(uint8_t *img, size_t len, uint32_t img_lba);

#endif
