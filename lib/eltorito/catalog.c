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
