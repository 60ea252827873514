// SPDX-License-Identifier: MIT
/* El Torito boot catalog decoding. Offsets are 0-based, as in the spec. */
#include "eltorito/catalog.h"

#include <string.h>

#include <isokit/error.h>

#include "base/bytes.h"

static void printable(const uint8_t *p, size_t n, char *out)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		out[w++] = (p[i] >= 0x20 && p[i] < 0x7F) ? (char)p[i] : ' ';
	while (w > 0 && out[w - 1] == ' ')
		w--;
	out[w] = '\0';
}

static bool validation_ok(const uint8_t *v)
{
	if (v[0] != ET_HEADER_VALIDATION || v[30] != 0x55 || v[31] != 0xAA)
		return false;
	uint16_t sum = 0;
	for (int i = 0; i < 32; i += 2)
		sum = (uint16_t)(sum + get_721(v + i));
	return sum == 0;
}

static void decode_entry(const uint8_t *e, uint32_t section, uint8_t platform,
			 const char *id, struct isokit_boot_entry *out)
{
	memset(out, 0, sizeof(*out));
	out->section = section;
	out->platform = platform;
	out->bootable = e[0] == ET_BOOTABLE;
	out->media = e[1] & 0x0F;
	out->load_segment = get_721(e + 2);
	out->system_type = e[4];
	out->sector_count = get_721(e + 6);
	out->load_rba = get_731(e + 8);
	strncpy(out->id, id, sizeof(out->id) - 1);
}

int eltorito_decode(const uint8_t *cat, size_t len,
		    struct isokit_boot_entry *out, size_t cap, size_t *count)
{
	*count = 0;
	if (len < 2 * ELTORITO_ENTRY || !validation_ok(cat))
		return ISOKIT_E_CORRUPT;
	char id[29];
	printable(cat + 4, 24, id);
	uint8_t platform = cat[1];
	size_t n = 0;
	const uint8_t *e = cat + ELTORITO_ENTRY;
	/* The initial/default entry always follows the validation entry. */
	if (e[0] != ET_BOOTABLE && e[0] != ET_NOT_BOOTABLE)
		return ISOKIT_E_CORRUPT;
	if (n < cap)
		decode_entry(e, 0, platform, id, &out[n]);
	n++;

	uint32_t section = 0;
	for (size_t off = 2 * ELTORITO_ENTRY; off + ELTORITO_ENTRY <= len;
	     off += ELTORITO_ENTRY) {
		e = cat + off;
		if (e[0] == ET_SECTION_MORE || e[0] == ET_SECTION_LAST) {
			section++;
			platform = e[1];
			printable(e + 4, 28, id);
			continue;
		}
		if (e[0] == ET_EXTENSION)
			continue;
		if ((e[0] == ET_BOOTABLE || e[0] == ET_NOT_BOOTABLE) &&
		    section > 0) {
			/* An all-zero entry ends the catalog. */
			static const uint8_t zero[ELTORITO_ENTRY];
			if (memcmp(e, zero, ELTORITO_ENTRY) == 0)
				break;
			if (n < cap)
				decode_entry(e, section, platform, id, &out[n]);
			n++;
			continue;
		}
		break;
	}
	*count = n;
	return 0;
}

/* ---- encoding ---- */

static void put_id(uint8_t *dst, size_t cap, const char *id)
{
	if (!id)
		return;
	size_t n = strlen(id);
	memcpy(dst, id, n < cap ? n : cap);
}

static void encode_entry(uint8_t *p, const struct eltorito_entry *e)
{
	p[0] = e->bootable ? ET_BOOTABLE : ET_NOT_BOOTABLE;
	p[1] = e->media;
	put_721(p + 2, e->load_segment);
	p[4] = e->system_type;
	put_721(p + 6, e->sector_count);
	put_731(p + 8, e->load_rba);
}

size_t eltorito_encoded_size(const struct eltorito_entry *e, size_t n)
{
	size_t entries = n ? 2 : 0; /* validation + default */
	for (size_t i = 1; i < n; i++)
		entries += 1 + (i == 1 || e[i].platform != e[i - 1].platform);
	return entries * ELTORITO_ENTRY;
}

size_t eltorito_encode(const struct eltorito_entry *e, size_t n, uint8_t *cat, size_t len)
{
	size_t need = eltorito_encoded_size(e, n);
	if (n == 0 || need > len)
		return 0;
	memset(cat, 0, len);
	/* validation entry: the words sum to zero */
	cat[0] = ET_HEADER_VALIDATION;
	cat[1] = e[0].platform;
	cat[30] = 0x55;
	cat[31] = 0xAA;
	uint16_t sum = 0;
	for (int i = 0; i < 32; i += 2)
		sum = (uint16_t)(sum + get_721(cat + i));
	put_721(cat + 28, (uint16_t)(0x10000u - sum));
	encode_entry(cat + ELTORITO_ENTRY, &e[0]);

	size_t off = 2 * ELTORITO_ENTRY;
	uint8_t *header = NULL;
	for (size_t i = 1; i < n; i++) {
		if (i == 1 || e[i].platform != e[i - 1].platform) {
			if (header)
				header[0] = ET_SECTION_MORE;
			header = cat + off;
			header[0] = ET_SECTION_LAST;
			header[1] = e[i].platform;
			put_id(header + 4, 28, e[i].id);
			off += ELTORITO_ENTRY;
		}
		put_721(header + 2, (uint16_t)(get_721(header + 2) + 1));
		encode_entry(cat + off, &e[i]);
		off += ELTORITO_ENTRY;
	}
	return off;
}

uint32_t eltorito_info_sum(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 4) {
		uint8_t w[4] = {0};
		memcpy(w, p + i, n - i < 4 ? n - i : 4);
		sum += get_731(w);
	}
	return sum;
}

void eltorito_patch_info_table(uint8_t *img, size_t len, uint32_t pvd_lba, uint32_t img_lba)
{
	uint32_t sum = eltorito_info_sum(0, img + 64, len - 64);
	put_731(img + 8, pvd_lba);
	put_731(img + 12, img_lba);
	put_731(img + 16, (uint32_t)len);
	put_731(img + 20, sum);
	memset(img + 24, 0, 40);
}

void eltorito_patch_grub2_info(uint8_t *img, size_t len, uint32_t img_lba)
{
	if (len >= ELTORITO_GRUB2_INFO_AT + 8)
		put_le64(img + ELTORITO_GRUB2_INFO_AT, (uint64_t)img_lba * 4 + 5);
}
