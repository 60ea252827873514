// SPDX-License-Identifier: MIT
/* Descriptor tags (ECMA-167 3/7.2): checksum, version, CRC. */
#include <string.h>

#include "base/bytes.h"
#include "udf/udf.h"

uint16_t udf_crc16(const uint8_t *p, size_t len)
{
	/* four bits at a time: every file entry and identifier is checked
	 * while listing, a 16-entry table is enough to keep that cheap */
	static const uint16_t nibble[16] = {
		0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50a5, 0x60c6, 0x70e7,
		0x8108, 0x9129, 0xa14a, 0xb16b, 0xc18c, 0xd1ad, 0xe1ce, 0xf1ef,
	};
	uint16_t crc = 0;
	for (size_t i = 0; i < len; i++) {
		crc = (uint16_t)((crc << 4) ^ nibble[(crc >> 12) ^ (p[i] >> 4)]);
		crc = (uint16_t)((crc << 4) ^ nibble[(crc >> 12) ^ (p[i] & 0x0F)]);
	}
	return crc;
}

static uint8_t tag_checksum(const uint8_t *p)
{
	unsigned sum = 0;
	for (int i = 0; i < 16; i++)
		if (i != 4)
			sum += p[i];
	return (uint8_t)sum;
}

int udf_tag_decode(const uint8_t *p, size_t avail, struct udf_tag *t)
{
	memset(t, 0, sizeof(*t));
	if (avail < UDF_TAG_SIZE)
		return UDF_TAG_SHORT;
	t->ident = get_721(p);
	t->version = get_721(p + 2);
	t->serial = get_721(p + 6);
	t->crc = get_721(p + 8);
	t->crc_len = get_721(p + 10);
	t->location = get_731(p + 12);
	if (tag_checksum(p) != p[4])
		return UDF_TAG_CHECKSUM;
	/* 2: NSR02 (UDF up to 1.50), 3: NSR03 (UDF 2.00 on) */
	if (t->version != 2 && t->version != 3)
		return UDF_TAG_VERSION;
	if ((size_t)t->crc_len > avail - UDF_TAG_SIZE)
		return UDF_TAG_SHORT;
	if (udf_crc16(p + UDF_TAG_SIZE, t->crc_len) != t->crc)
		return UDF_TAG_CRC;
	return UDF_TAG_OK;
}

const char *udf_tag_strerror(int err)
{
	switch (err) {
	case UDF_TAG_OK:
		return "good";
	case UDF_TAG_SHORT:
		return "descriptor cut short";
	case UDF_TAG_CHECKSUM:
		return "bad tag checksum";
	case UDF_TAG_CRC:
		return "bad descriptor CRC";
	case UDF_TAG_VERSION:
		return "unknown descriptor version";
	}
	return "bad tag";
}
