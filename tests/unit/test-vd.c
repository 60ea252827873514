// SPDX-License-Identifier: MIT
/* Volume descriptors (ECMA-119 8.4/8.5, Joliet, El Torito boot record)
 * decoded from hand-built 2048-byte blocks. Offsets below are 0-based
 * (spec BP minus one) and written as numbers on purpose, not taken from
 * vd.h, so a wrong constant there makes a check fail. */
#include <stdlib.h>

#include <isokit/error.h>

#include "harness/tap.h"

#include "ecma119/vd.h"

static void put(uint8_t *b, size_t off, const void *p, size_t n)
{
	memcpy(b + off, p, n);
}

/* A space-padded a/d-character field. */
static void text(uint8_t *b, size_t off, size_t len, const char *s)
{
	memset(b + off, ' ', len);
	memcpy(b + off, s, strlen(s));
}

/* A UCS-2BE field from ASCII, padded with 00 20 (Joliet). */
static void ucs2(uint8_t *b, size_t off, size_t len, const char *s)
{
	for (size_t i = 0; i + 1 < len; i += 2) {
		b[off + i] = 0;
		b[off + i + 1] = ' ';
	}
	if (len & 1)
		b[off + len - 1] = 0;
	for (size_t i = 0; s[i]; i++)
		b[off + 2 * i + 1] = (uint8_t)s[i];
}

/* The PVD used throughout:
 *   space size 1000, set size 1, seq 1, block 2048, path table 10 bytes
 *   at L 19 / M 21, root extent 23 size 2048. */
static uint8_t *make_pvd(void)
{
	uint8_t *b = calloc(1, 2048);
	if (!b)
		abort();
	b[0] = 1;
	put(b, 1, "CD001", 5);
	b[6] = 1;
	text(b, 8, 32, "LINUX");
	text(b, 40, 32, "MY_VOLUME");
	/* 80: space size 1000 = 0x3E8 */
	put(b, 80, "\xE8\x03\x00\x00\x00\x00\x03\xE8", 8);
	put(b, 120, "\x01\x00\x00\x01", 4);
	put(b, 124, "\x01\x00\x00\x01", 4);
	put(b, 128, "\x00\x08\x08\x00", 4);
	put(b, 132, "\x0A\x00\x00\x00\x00\x00\x00\x0A", 8);
	put(b, 140, "\x13\x00\x00\x00", 4); /* L table, little-endian */
	put(b, 148, "\x00\x00\x00\x15", 4); /* M table, big-endian */
	/* 156: root record, 34 bytes */
	b[156] = 34;
	put(b, 158, "\x17\x00\x00\x00\x00\x00\x00\x17", 8);
	put(b, 166, "\x00\x08\x00\x00\x00\x00\x08\x00", 8);
	put(b, 174, "\x7C\x01\x02\x03\x04\x05\x00", 7);
	b[181] = 0x02;
	put(b, 184, "\x01\x00\x00\x01", 4);
	b[188] = 1;
	b[189] = 0;
	/* Set id: 128 characters, no padding at all. */
	for (size_t i = 0; i < 128; i++)
		b[190 + i] = (uint8_t)('A' + i % 26);
	text(b, 318, 128, "PUBLISHER");
	text(b, 446, 128, "PREPARER");
	text(b, 574, 128, "APP");
	text(b, 702, 37, "COPYING;1");
	text(b, 739, 37, "ABSTRACT.TXT;1");
	text(b, 776, 37, "BIBLIO.TXT;1");
	put(b, 813, "2000010109000050\x24", 17);     /* +9h */
	put(b, 830, "1960010100000000\x00", 17);
	put(b, 847, "0000000000000000\x00", 17);     /* not specified */
	/* 864 effective: all binary zero (left as is) */
	b[881] = 1;
	return b;
}

static void test_decode(void)
{
	tap_note("vd_is_iso / vd_decode");
	uint8_t *b = make_pvd();
	CHECK(vd_is_iso(b));
	struct vd_decoded d;
	memset(&d, 0xAA, sizeof(d));
	CHECK_EQ_I64(vd_decode(b, &d), 0);
	CHECK_EQ_U64(d.type, 1);
	CHECK_EQ_U64(d.version, 1);
	CHECK_EQ_U64(d.fs_version, 1);
	CHECK_EQ_U64(d.space_size, 1000);
	CHECK_EQ_U64(d.block_size, 2048);
	CHECK_EQ_U64(d.pt_size, 10);
	CHECK_EQ_U64(d.pt_l, 19);
	CHECK_EQ_U64(d.pt_m, 21);
	CHECK_EQ_U64(d.root_lba, 23);
	CHECK_EQ_U64(d.root_size, 2048);
	CHECK_EQ_U64(d.root_len, 34);
	CHECK_EQ_I64(d.joliet_level, 0);
	CHECK(!d.both_endian_mismatch);

	b[5] = '2'; /* "CD002" */
	CHECK(!vd_is_iso(b));
	b[5] = '1';
	b[1] = 'c';
	CHECK(!vd_is_iso(b));
	b[1] = 'C';

	tap_note("both-endian mismatches");
	b[87] = 0xE9; /* space size BE half */
	CHECK_EQ_I64(vd_decode(b, &d), 0);
	CHECK(d.both_endian_mismatch);
	CHECK_EQ_U64(d.space_size, 1000);
	b[87] = 0xE8;
	b[130] = 0x09; /* block size BE half */
	CHECK_EQ_I64(vd_decode(b, &d), 0);
	CHECK(d.both_endian_mismatch);
	CHECK_EQ_U64(d.block_size, 2048);
	b[130] = 0x08;
	b[165] = 0x18; /* root extent BE half */
	CHECK_EQ_I64(vd_decode(b, &d), 0);
	CHECK(d.both_endian_mismatch);
	CHECK_EQ_U64(d.root_lba, 23);
	b[165] = 0x17;
	b[123] = 2; /* volume set size BE half */
	CHECK_EQ_I64(vd_decode(b, &d), 0);
	CHECK(d.both_endian_mismatch);
	b[123] = 1;
	CHECK_EQ_I64(vd_decode(b, &d), 0);
	CHECK(!d.both_endian_mismatch);

	tap_note("root record length bounds");
	b[156] = 33;
	CHECK_EQ_I64(vd_decode(b, &d), ISOKIT_E_CORRUPT);
	b[156] = 69;
	CHECK_EQ_I64(vd_decode(b, &d), ISOKIT_E_CORRUPT);
	b[156] = 0;
	CHECK_EQ_I64(vd_decode(b, &d), ISOKIT_E_CORRUPT);
	b[156] = 255;
	CHECK_EQ_I64(vd_decode(b, &d), ISOKIT_E_CORRUPT);
	b[156] = 68;
	CHECK_EQ_I64(vd_decode(b, &d), 0);
	CHECK_EQ_U64(d.root_len, 68);
	CHECK_EQ_U64(d.root_lba, 23);
	b[156] = 34;
	b[188] = 0; /* root identifier length 0 */
	CHECK_EQ_I64(vd_decode(b, &d), ISOKIT_E_CORRUPT);
	b[188] = 1;
	free(b);
}

static void test_joliet(void)
{
	tap_note("Joliet escape sequences (BP 89, '%/@' '%/C' '%/E')");
	uint8_t *b = make_pvd();
	struct vd_decoded d;
	b[0] = 2;
	CHECK_EQ_I64(vd_joliet_level(b), 0);
	put(b, 88, "%/@", 3);
	CHECK_EQ_I64(vd_joliet_level(b), 1);
	CHECK_EQ_I64(vd_decode(b, &d), 0);
	CHECK_EQ_I64(d.joliet_level, 1);
	put(b, 88, "%/C", 3);
	CHECK_EQ_I64(vd_joliet_level(b), 2);
	CHECK_EQ_I64(vd_decode(b, &d), 0);
	CHECK_EQ_I64(d.joliet_level, 2);
	put(b, 88, "%/E", 3);
	CHECK_EQ_I64(vd_joliet_level(b), 3);
	CHECK_EQ_I64(vd_decode(b, &d), 0);
	CHECK_EQ_I64(d.joliet_level, 3);
	CHECK_EQ_U64(d.type, 2);
	/* Not Joliet. */
	put(b, 88, "%/F", 3);
	CHECK_EQ_I64(vd_joliet_level(b), 0);
	put(b, 88, "%\\E", 3); /* the spec's misprint, not the real bytes */
	CHECK_EQ_I64(vd_joliet_level(b), 0);
	put(b, 88, "/%E", 3);
	CHECK_EQ_I64(vd_joliet_level(b), 0);
	/* A PVD is never Joliet, whatever is at 88 (unused there). */
	b[0] = 1;
	put(b, 88, "%/E", 3);
	CHECK_EQ_I64(vd_decode(b, &d), 0);
	CHECK_EQ_I64(d.joliet_level, 0);
	free(b);
}

static void test_fill_info(void)
{
	tap_note("vd_fill_info, PVD (trimmed a/d-characters)");
	uint8_t *b = make_pvd();
	struct isokit_volume_info info;
	memset(&info, 0x55, sizeof(info));
	vd_fill_info(b, false, &info);
	CHECK_STR(info.system_id, "LINUX");
	CHECK_STR(info.volume_id, "MY_VOLUME");
	CHECK_EQ_U64(strlen(info.volume_set_id), 128);
	CHECK_MEM(info.volume_set_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZABCD", 30);
	CHECK_EQ_U64((uint8_t)info.volume_set_id[127], 'A' + 127 % 26);
	CHECK_STR(info.publisher_id, "PUBLISHER");
	CHECK_STR(info.preparer_id, "PREPARER");
	CHECK_STR(info.application_id, "APP");
	CHECK_STR(info.copyright_file, "COPYING;1");
	CHECK_STR(info.abstract_file, "ABSTRACT.TXT;1");
	CHECK_STR(info.bibliographic_file, "BIBLIO.TXT;1");
	CHECK(info.created.valid);
	CHECK_EQ_I64(info.created.sec, 946684800LL); /* 09:00 +9h */
	CHECK_EQ_I64(info.created.nsec, 500000000);
	CHECK(info.modified.valid);
	CHECK_EQ_I64(info.modified.sec, -315619200LL);
	CHECK(!info.expires.valid);
	CHECK(!info.effective.valid);
	/* A field with only spaces, one with a full 32 characters. */
	text(b, 8, 32, "");
	text(b, 40, 32, "0123456789ABCDEF0123456789ABCDEF");
	vd_fill_info(b, false, &info);
	CHECK_STR(info.system_id, "");
	CHECK_STR(info.volume_id, "0123456789ABCDEF0123456789ABCDEF");
	free(b);

	tap_note("vd_fill_info, Joliet SVD (UCS-2BE text)");
	b = make_pvd();
	b[0] = 2;
	put(b, 88, "%/E", 3);
	ucs2(b, 8, 32, "LINUX");
	ucs2(b, 40, 32, "");
	/* "Tiếng Việt" */
	static const uint8_t viet[] = {0x00, 0x54, 0x00, 0x69, 0x1E, 0xBF,
				       0x00, 0x6E, 0x00, 0x67, 0x00, 0x20,
				       0x00, 0x56, 0x00, 0x69, 0x1E, 0xC7,
				       0x00, 0x74};
	put(b, 40, viet, sizeof(viet));
	ucs2(b, 190, 128, "set");
	ucs2(b, 318, 128, "");
	/* Publisher padded with 00 00 instead of 00 20. */
	memset(b + 318, 0, 128);
	put(b, 318, "\0P\0u\0b", 6);
	ucs2(b, 446, 128, "prep");
	ucs2(b, 574, 128, "app");
	/* 37-byte file fields: 18 UCS-2 characters and one odd byte. */
	ucs2(b, 702, 37, "copying.txt");
	ucs2(b, 739, 37, "abstract.txt");
	ucs2(b, 776, 37, "");
	memset(&info, 0x55, sizeof(info));
	vd_fill_info(b, true, &info);
	CHECK_STR(info.system_id, "LINUX");
	CHECK_STR(info.volume_id, "Ti\xE1\xBA\xBFng Vi\xE1\xBB\x87t");
	CHECK_STR(info.volume_set_id, "set");
	CHECK_STR(info.publisher_id, "Pub");
	CHECK_STR(info.preparer_id, "prep");
	CHECK_STR(info.application_id, "app");
	CHECK_STR(info.copyright_file, "copying.txt");
	CHECK_STR(info.abstract_file, "abstract.txt");
	CHECK_STR(info.bibliographic_file, "");
	CHECK(info.created.valid);
	CHECK_EQ_I64(info.created.sec, 946684800LL);

	tap_note("Joliet volume id of 16 CJK characters: cut at a character");
	/* 16 x U+65E5 fill the 32-byte field; in UTF-8 that is 48 bytes,
	 * and volume_id holds 32: 10 whole characters (30 bytes) fit. */
	for (size_t i = 0; i < 16; i++)
		put(b, 40 + 2 * i, "\x65\xE5", 2);
	vd_fill_info(b, true, &info);
	char ten[31];
	for (size_t i = 0; i < 10; i++)
		memcpy(ten + 3 * i, "\xE6\x97\xA5", 3);
	ten[30] = '\0';
	CHECK_STR(info.volume_id, ten);
	free(b);
}

static void test_eltorito(void)
{
	tap_note("vd_is_eltorito");
	uint8_t *b = calloc(1, 2048);
	if (!b)
		abort();
	b[0] = 0;
	put(b, 1, "CD001", 5);
	b[6] = 1;
	put(b, 7, "EL TORITO SPECIFICATION", 23);
	put(b, 71, "\x23\x01\x00\x00", 4); /* catalog at 0x123 */
	uint32_t cat = 0;
	CHECK(vd_is_eltorito(b, &cat));
	CHECK_EQ_U64(cat, 0x123);
	b[0] = 1;
	CHECK(!vd_is_eltorito(b, &cat));
	b[0] = 0;
	b[7] = 'E' + 1;
	CHECK(!vd_is_eltorito(b, &cat));
	b[7] = 'E';
	b[3] = 'x';
	CHECK(!vd_is_eltorito(b, &cat));
	b[3] = '0';
	CHECK(vd_is_eltorito(b, &cat));
	/* A PVD is not a boot record. */
	uint8_t *p = make_pvd();
	CHECK(!vd_is_eltorito(p, &cat));
	free(p);
	free(b);
}

int main(void)
{
	test_decode();
	test_joliet();
	test_fill_info();
	test_eltorito();
	return tap_done();
}
