// SPDX-License-Identifier: MIT
/*
 * Encoding the pieces UDF descriptors are made of (the writer's half of
 * tag.c and text.c): tags, entity identifiers, character set specs,
 * timestamps, OSTA compressed Unicode, allocation descriptors and symlink
 * path components. Pure: no I/O.
 */
#include <string.h>

#include "base/bytes.h"
#include "base/charset.h"
#include "base/isotime.h"
#include "udf/udf.h"

void udf_tag_encode(uint8_t *p, uint16_t ident, uint16_t version, uint32_t location,
		    size_t body_len)
{
	put_721(p, ident);
	put_721(p + 2, version);
	p[4] = 0;
	p[5] = 0;
	put_721(p + 6, 0); /* serial: UDF leaves it 0 */
	put_721(p + 8, udf_crc16(p + UDF_TAG_SIZE, body_len));
	put_721(p + 10, (uint16_t)body_len);
	put_731(p + 12, location);
	unsigned sum = 0;
	for (int i = 0; i < 16; i++)
		if (i != 4)
			sum += p[i];
	p[4] = (uint8_t)sum;
}

void udf_regid_encode(uint8_t *p, const char *ident, const uint8_t suffix[8])
{
	memset(p, 0, 32);
	size_t n = strlen(ident);
	memcpy(p + 1, ident, n < 23 ? n : 23);
	if (suffix)
		memcpy(p + 24, suffix, 8);
}

void udf_charspec_encode(uint8_t *p)
{
	/* CS0 with the OSTA name (UDF 2.1.2) */
	static const char osta[] = "OSTA Compressed Unicode";
	memset(p, 0, 64);
	memcpy(p + 1, osta, sizeof(osta) - 1);
}

void udf_time_encode(uint8_t *p, int64_t sec)
{
	/* years 1..9999 of the int16 field; clamp outside */
	const int64_t lo = -62135596800LL, hi = 253402300799LL;
	if (sec < lo)
		sec = lo;
	if (sec > hi)
		sec = hi;
	struct isotime_parts t = isotime_split(sec);
	put_721(p, 0x1000); /* type 1: local time, offset 0 minutes (UTC) */
	put_721(p + 2, (uint16_t)t.year);
	p[4] = (uint8_t)t.mon;
	p[5] = (uint8_t)t.day;
	p[6] = (uint8_t)t.hour;
	p[7] = (uint8_t)t.min;
	p[8] = (uint8_t)t.sec;
	p[9] = p[10] = p[11] = 0;
}

size_t udf_cs0_units(const char *utf8, size_t len, uint16_t *units, size_t max, bool *wide)
{
	size_t n = utf8_to_utf16(utf8, len, units, max);
	*wide = false;
	for (size_t i = 0; i < n; i++)
		if (units[i] > 0xFF)
			*wide = true;
	return n;
}

size_t udf_cs0_pack(const uint16_t *units, size_t n, bool wide, uint8_t *out)
{
	size_t o = 0;
	out[o++] = wide ? 16 : 8;
	for (size_t i = 0; i < n; i++) {
		if (wide)
			out[o++] = (uint8_t)(units[i] >> 8);
		out[o++] = (uint8_t)units[i];
	}
	return o;
}

size_t udf_cs0_encode(const char *utf8, size_t len, uint8_t *out, size_t max)
{
	if (max < 1)
		return 0;
	uint16_t units[256];
	bool wide;
	size_t n = udf_cs0_units(utf8, len, units, 254, &wide);
	/* keep whole characters: 254 bytes hold 127 wide units */
	size_t room = (max - 1) / (wide ? 2 : 1);
	if (n > room) {
		n = room;
		if (wide && n > 0 && units[n - 1] >= 0xD800 && units[n - 1] <= 0xDBFF)
			n--;
	}
	return udf_cs0_pack(units, n, wide, out);
}

void udf_dstring_encode(uint8_t *p, size_t field, const char *utf8)
{
	memset(p, 0, field);
	if (!utf8 || !*utf8)
		return; /* an empty dstring is all zeros, its length too */
	size_t n = udf_cs0_encode(utf8, strlen(utf8), p, field - 1);
	p[field - 1] = (uint8_t)n;
}

void udf_short_ad_encode(uint8_t *p, uint32_t length, uint8_t type, uint32_t block)
{
	put_731(p, (length & 0x3FFFFFFFu) | (uint32_t)type << 30);
	put_731(p + 4, block);
}

void udf_long_ad_encode(uint8_t *p, uint32_t length, uint8_t type, uint32_t block,
			uint16_t part, uint32_t unique_id)
{
	udf_short_ad_encode(p, length, type, block);
	put_721(p + 8, part);
	/* implementation use (UDF 2.3.4.3): flags, then the low 32 bits of
	 * the unique ID of the entry the descriptor points to */
	put_721(p + 10, 0);
	put_731(p + 12, unique_id);
}

static bool put_component(uint8_t *out, size_t cap, size_t *o, uint8_t type,
			  const uint8_t *id, size_t id_len)
{
	if (*o + 4 + id_len > cap)
		return false;
	out[*o] = type;
	out[*o + 1] = (uint8_t)id_len;
	put_721(out + *o + 2, 0);
	if (id_len)
		memcpy(out + *o + 4, id, id_len);
	*o += 4 + id_len;
	return true;
}

int udf_symlink_encode(const char *target, size_t len, uint8_t *out, size_t cap)
{
	size_t o = 0, i = 0;
	if (len > 0 && target[0] == '/') {
		/* type 2: the root of the file set's hierarchy */
		if (!put_component(out, cap, &o, 2, NULL, 0))
			return -1;
		i = 1;
	}
	while (i < len) {
		size_t j = i;
		while (j < len && target[j] != '/')
			j++;
		size_t n = j - i;
		bool ok = true;
		if (n == 0) {
			/* "a//b" and a trailing '/' name nothing more */
		} else if (n == 1 && target[i] == '.') {
			ok = put_component(out, cap, &o, 4, NULL, 0);
		} else if (n == 2 && target[i] == '.' && target[i + 1] == '.') {
			ok = put_component(out, cap, &o, 3, NULL, 0);
		} else {
			uint8_t id[255];
			size_t k = udf_cs0_encode(target + i, n, id, sizeof(id));
			uint16_t units[256];
			bool wide;
			/* a component that had to be cut cannot be stored */
			if (udf_cs0_units(target + i, n, units, 255, &wide) * (wide ? 2 : 1) + 1 != k)
				return -1;
			ok = put_component(out, cap, &o, 5, id, k);
		}
		if (!ok)
			return -1;
		i = j + 1;
	}
	return (int)o;
}
