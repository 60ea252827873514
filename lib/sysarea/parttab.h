/* SPDX-License-Identifier: MIT */
/*
 * Partition tables of a system area: the MBR's four entries and the GUID
 * partition table (UEFI 2.x, chapter 5). Pure encoders and decoders over
 * 512-byte sectors; no I/O.
 */
#ifndef ISOKIT_SYSAREA_PARTTAB_H
#define ISOKIT_SYSAREA_PARTTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SECTOR 512u
#define MBR_TABLE 446     /* four 16-byte entries */
#define MBR_DISK_ID 440
#define MBR_BOOT_LBA 432  /* isohybrid / GRUB 2 hybrid MBR: the boot image */

/* Heads and sectors per track that isohybrid and xorriso assume. */
#define MBR_HEADS 64
#define MBR_SECTORS 32

struct mbr_part {
	bool active;
	uint8_t type;
	uint32_t start, sectors; /* 512-byte sectors */
};

/* Entry @p i (0-3) of the MBR in @p s (the table and 0x55AA); one with
 * neither type nor size is all zeros. */
void mbr_put(uint8_t *s, int i, const struct mbr_part *p);
void mbr_get(const uint8_t *s, int i, struct mbr_part *p);

/* The size of the FAT file system whose boot sector is @p b (512 bytes:
 * 0x55AA, a power-of-two sector size, the 16- or 32-bit sector count), or
 * 0 when it is none: an EFI boot image is one. */
uint64_t fat_bytes(const uint8_t *b);

#define GPT_ENTRIES 128
#define GPT_ENTRY_SIZE 128
#define GPT_ARRAY_SECTORS (GPT_ENTRIES * GPT_ENTRY_SIZE / SECTOR) /* 32 */

struct gpt_part {
	uint8_t type[16];  /* GUID, on-disk byte order */
	uint8_t guid[16];
	uint64_t first, last; /* 512-byte sectors, inclusive */
	uint64_t attrs;
	char name[37];     /* ASCII, stored as UTF-16LE */
};

/* On-disk GUIDs (first three fields little-endian). */
extern const uint8_t GPT_TYPE_BASIC_DATA[16]; /* EBD0A0A2-B9E5-4433-87C0-68B6B72699C7 */
extern const uint8_t GPT_TYPE_EFI_SYSTEM[16]; /* C12A7328-F81F-11D2-BA4B-00A0C93EC93B */

/* "EFI system", "basic data", "HFS+", "Linux data", "BIOS boot" or
 * "unknown". */
const char *gpt_type_name(const uint8_t type[16]);

struct gpt_disk {
	uint64_t sectors;        /* of the whole disk (image) */
	uint64_t first_usable, last_usable;
	uint8_t guid[16];
};

/* The entry array of @p n partitions (GPT_ENTRIES * 128 bytes). */
void gpt_put_entries(uint8_t *array, const struct gpt_part *p, size_t n);

/* A header sector: the primary (at sector 1, array from sector 2) or the
 * backup (at the last sector, array in the 32 before it). */
void gpt_put_header(uint8_t *sector, const struct gpt_disk *d, const uint8_t *array,
		    bool backup);

/* Checks a header sector and the array it describes (both CRCs).
 * @p array_at: where the header says the array is (sector). */
bool gpt_header_ok(const uint8_t *sector, uint64_t *array_at, uint32_t *entries,
		   uint32_t *entry_size);
bool gpt_array_ok(const uint8_t *sector, const uint8_t *array, size_t len);

#endif
