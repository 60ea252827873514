// SPDX-License-Identifier: MIT
/* MBR entries and GUID partition tables. */
#include "sysarea/parttab.h"

#include <string.h>

#include "base/bytes.h"

const uint8_t GPT_TYPE_BASIC_DATA[16] = {0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44,
					 0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26, 0x99, 0xc7};
const uint8_t GPT_TYPE_EFI_SYSTEM[16] = {0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
					 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b};

static const uint8_t type_hfsplus[16] = {0x00, 0x53, 0x46, 0x48, 0x00, 0x00, 0xaa, 0x11,
					 0xaa, 0x11, 0x00, 0x30, 0x65, 0x43, 0xec, 0xac};
static const uint8_t type_linux[16] = {0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
				       0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4};
static const uint8_t type_bios_boot[16] = {0x48, 0x61, 0x68, 0x21, 0x49, 0x64, 0x6f, 0x6e,
					   0x74, 0x4e, 0x65, 0x65, 0x64, 0x45, 0x46, 0x49};

const char *gpt_type_name(const uint8_t type[16])
{
	static const struct {
		const uint8_t *guid;
		const char *name;
	} known[] = {
		{GPT_TYPE_EFI_SYSTEM, "EFI system"}, {GPT_TYPE_BASIC_DATA, "basic data"},
		{type_hfsplus, "HFS+"},              {type_linux, "Linux data"},
		{type_bios_boot, "BIOS boot"},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (memcmp(type, known[i].guid, 16) == 0)
			return known[i].name;
	return "unknown";
}

/* Cylinder/head/sector of a sector, as isohybrid computes it; beyond
 * 1024 cylinders the field holds its maximum (1023, 254, 63 style). */
static void put_chs(uint8_t *p, uint32_t lba)
{
	uint32_t c = lba / (MBR_HEADS * MBR_SECTORS);
	uint32_t h = (lba / MBR_SECTORS) % MBR_HEADS;
	uint32_t s = lba % MBR_SECTORS + 1;
	if (c > 1023) {
		c = 1023;
		h = MBR_HEADS - 1;
		s = MBR_SECTORS;
	}
	p[0] = (uint8_t)h;
	p[1] = (uint8_t)(s | ((c >> 2) & 0xC0));
	p[2] = (uint8_t)c;
}

void mbr_put(uint8_t *s, int i, const struct mbr_part *p)
{
	uint8_t *e = s + MBR_TABLE + 16 * i;
	memset(e, 0, 16);
	if (p->type || p->sectors) {
		e[0] = p->active ? 0x80 : 0x00;
		put_chs(e + 1, p->start);
		e[4] = p->type;
		put_chs(e + 5, p->start + p->sectors - 1);
		put_731(e + 8, p->start);
		put_731(e + 12, p->sectors);
	}
	s[510] = 0x55;
	s[511] = 0xAA;
}

uint64_t fat_bytes(const uint8_t *b)
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

void mbr_get(const uint8_t *s, int i, struct mbr_part *p)
{
	const uint8_t *e = s + MBR_TABLE + 16 * i;
	p->active = e[0] == 0x80;
	p->type = e[4];
	p->start = get_731(e + 8);
	p->sectors = get_731(e + 12);
}

void gpt_put_entries(uint8_t *array, const struct gpt_part *p, size_t n)
{
	memset(array, 0, GPT_ENTRIES * GPT_ENTRY_SIZE);
	for (size_t i = 0; i < n && i < GPT_ENTRIES; i++) {
		uint8_t *e = array + i * GPT_ENTRY_SIZE;
		memcpy(e, p[i].type, 16);
		memcpy(e + 16, p[i].guid, 16);
		put_le64(e + 32, p[i].first);
		put_le64(e + 40, p[i].last);
		put_le64(e + 48, p[i].attrs);
		for (size_t k = 0; k < 36 && p[i].name[k]; k++)
			put_721(e + 56 + 2 * k, (uint8_t)p[i].name[k]);
	}
}

/* CRC-32 (IEEE 802.3, reflected, as GPT uses it). Bitwise: the tables are
 * 16.5 KiB once per image, and zlib is an optional dependency. */
static uint32_t crc(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	return ~c;
}

void gpt_put_header(uint8_t *h, const struct gpt_disk *d, const uint8_t *array, bool backup)
{
	uint64_t last = d->sectors - 1;
	memset(h, 0, SECTOR);
	memcpy(h, "EFI PART", 8);
	put_731(h + 8, 0x00010000);  /* revision 1.0 */
	put_731(h + 12, 92);         /* header size */
	put_le64(h + 24, backup ? last : 1);
	put_le64(h + 32, backup ? 1 : last);
	put_le64(h + 40, d->first_usable);
	put_le64(h + 48, d->last_usable);
	memcpy(h + 56, d->guid, 16);
	put_le64(h + 72, backup ? last - GPT_ARRAY_SECTORS : 2);
	put_731(h + 80, GPT_ENTRIES);
	put_731(h + 84, GPT_ENTRY_SIZE);
	put_731(h + 88, crc(array, GPT_ENTRIES * GPT_ENTRY_SIZE));
	put_731(h + 16, crc(h, 92));
}

bool gpt_header_ok(const uint8_t *h, uint64_t *array_at, uint32_t *entries,
		   uint32_t *entry_size)
{
	if (memcmp(h, "EFI PART", 8) != 0)
		return false;
	uint32_t size = get_731(h + 12);
	if (size < 92 || size > SECTOR)
		return false;
	uint8_t copy[SECTOR];
	memcpy(copy, h, size);
	memset(copy + 16, 0, 4);
	if (crc(copy, size) != get_731(h + 16))
		return false;
	*array_at = get_le64(h + 72);
	*entries = get_731(h + 80);
	*entry_size = get_731(h + 84);
	return *entry_size >= 128 && *entry_size <= 4096 && *entries <= 4096;
}

bool gpt_array_ok(const uint8_t *h, const uint8_t *array, size_t len)
{
	return crc(array, len) == get_731(h + 88);
}
