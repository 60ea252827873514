// SPDX-License-Identifier: MIT
/* El Torito boot catalog (El Torito 1.0, 2.1-2.5) decoded from a
 * hand-built catalog. Entries are 32 bytes; numbers are little-endian.
 * The validation checksums were computed by hand: the sixteen LE 16-bit
 * words of the entry must sum to 0 mod 2^16. */
#include <stdlib.h>

#include <isokit/error.h>

#include "harness/tap.h"

#include "eltorito/catalog.h"

#define CAT_LEN 2048

static void put(uint8_t *b, size_t off, const void *p, size_t n)
{
	memcpy(b + off, p, n);
}

/*
 * The catalog:
 *   0   validation: header 01, platform 00, id "AB", checksum 0x1369, 55 AA
 *       (words 0x0001 + 0x4241 + 0x1369 + 0xAA55 = 0x10000)
 *   32  default entry: 88, media 0, load segment 0x07C0, system type 0,
 *       sector count 4, load RBA 0x1234
 *   64  section header 90 (more follow), platform EF, 1 entry, id "EFI"
 *   96  section entry: 88, media 0, sector count 0, RBA 0x20
 *   128 extension entry 44 (skipped)
 *   160 section header 91 (last), platform 00, 1 entry, id "FLOPPY"
 *   192 section entry: 00 (not bootable), media 0x22 (bit 5 = extension
 *       follows, 2 = 1.44 MB floppy), load segment 0, type 6, count 1,
 *       RBA 0x30
 *   224 all zero: end of the catalog
 *   256 a bootable entry that must not be seen (after the end)
 */
static uint8_t *make_catalog(void)
{
	uint8_t *c = calloc(1, CAT_LEN);
	if (!c)
		abort();
	c[0] = 0x01;
	c[1] = 0x00;
	put(c, 4, "AB", 2);
	c[28] = 0x69;
	c[29] = 0x13;
	c[30] = 0x55;
	c[31] = 0xAA;

	c[32] = 0x88;
	c[33] = 0x00;
	put(c, 34, "\xC0\x07", 2);
	c[36] = 0;
	put(c, 38, "\x04\x00", 2);
	put(c, 40, "\x34\x12\x00\x00", 4);

	c[64] = 0x90;
	c[65] = 0xEF;
	put(c, 66, "\x01\x00", 2);
	put(c, 68, "EFI", 3);

	c[96] = 0x88;
	c[97] = 0x00;
	put(c, 104, "\x20\x00\x00\x00", 4);

	c[128] = 0x44;
	c[129] = 0x00;
	put(c, 130, "junk junk", 9);

	c[160] = 0x91;
	c[161] = 0x00;
	put(c, 162, "\x01\x00", 2);
	put(c, 164, "FLOPPY", 6);

	c[192] = 0x00;
	c[193] = 0x22;
	c[196] = 6;
	put(c, 198, "\x01\x00", 2);
	put(c, 200, "\x30\x00\x00\x00", 4);

	c[256] = 0x88;
	put(c, 264, "\x99\x00\x00\x00", 4);
	return c;
}

static void test_good(void)
{
	tap_note("a catalog with two sections");
	uint8_t *c = make_catalog();
	struct isokit_boot_entry e[8];
	memset(e, 0x5A, sizeof(e));
	size_t n = 99;
	CHECK_EQ_I64(eltorito_decode(c, CAT_LEN, e, 8, &n), 0);
	CHECK_EQ_U64(n, 3);

	CHECK_EQ_U64(e[0].section, 0);
	CHECK_EQ_U64(e[0].platform, 0);
	CHECK(e[0].bootable);
	CHECK_EQ_U64(e[0].media, 0);
	CHECK_EQ_U64(e[0].load_segment, 0x07C0);
	CHECK_EQ_U64(e[0].system_type, 0);
	CHECK_EQ_U64(e[0].sector_count, 4);
	CHECK_EQ_U64(e[0].load_rba, 0x1234);
	CHECK_STR(e[0].id, "AB");

	CHECK_EQ_U64(e[1].section, 1);
	CHECK_EQ_U64(e[1].platform, 0xEF);
	CHECK(e[1].bootable);
	CHECK_EQ_U64(e[1].media, 0);
	CHECK_EQ_U64(e[1].sector_count, 0);
	CHECK_EQ_U64(e[1].load_rba, 0x20);
	CHECK_STR(e[1].id, "EFI");

	CHECK_EQ_U64(e[2].section, 2);
	CHECK_EQ_U64(e[2].platform, 0);
	CHECK(!e[2].bootable);
	CHECK_EQ_U64(e[2].media, 2);
	CHECK_EQ_U64(e[2].system_type, 6);
	CHECK_EQ_U64(e[2].sector_count, 1);
	CHECK_EQ_U64(e[2].load_rba, 0x30);
	CHECK_STR(e[2].id, "FLOPPY");

	tap_note("cap smaller than the count");
	struct isokit_boot_entry one[2];
	memset(one, 0x5A, sizeof(one));
	n = 0;
	CHECK_EQ_I64(eltorito_decode(c, CAT_LEN, one, 1, &n), 0);
	CHECK_EQ_U64(n, 3);
	CHECK_EQ_U64(one[0].load_rba, 0x1234);
	CHECK_EQ_U64(one[1].load_rba, 0x5A5A5A5Au); /* untouched */
	n = 0;
	CHECK_EQ_I64(eltorito_decode(c, CAT_LEN, NULL, 0, &n), 0);
	CHECK_EQ_U64(n, 3);

	tap_note("catalog of exactly two entries (a 64-byte buffer)");
	uint8_t *small = malloc(64);
	if (!small)
		abort();
	memcpy(small, c, 64);
	n = 0;
	CHECK_EQ_I64(eltorito_decode(small, 64, e, 8, &n), 0);
	CHECK_EQ_U64(n, 1);
	CHECK_EQ_U64(e[0].load_rba, 0x1234);
	free(small);

	tap_note("all-zero entry right after the default entry");
	memset(c + 64, 0, CAT_LEN - 64);
	put(c, 96, "\x88", 1); /* after the end: ignored */
	n = 0;
	CHECK_EQ_I64(eltorito_decode(c, CAT_LEN, e, 8, &n), 0);
	CHECK_EQ_U64(n, 1);

	tap_note("empty validation id: genisoimage's checksum 0x55AA");
	memset(c + 4, 0, 24);
	c[28] = 0xAA;
	c[29] = 0x55;
	n = 0;
	CHECK_EQ_I64(eltorito_decode(c, CAT_LEN, e, 8, &n), 0);
	CHECK_EQ_U64(n, 1);
	CHECK_STR(e[0].id, "");
	free(c);
}

static void test_bad(void)
{
	struct isokit_boot_entry e[4];
	size_t n;
	uint8_t *c = make_catalog();

	tap_note("validation entry damage -> ISOKIT_E_CORRUPT");
	c[28] ^= 1; /* checksum off by one */
	n = 7;
	CHECK_EQ_I64(eltorito_decode(c, CAT_LEN, e, 4, &n), ISOKIT_E_CORRUPT);
	CHECK_EQ_U64(n, 0);
	c[28] ^= 1;
	c[31] = 0xAB; /* key byte */
	CHECK_EQ_I64(eltorito_decode(c, CAT_LEN, e, 4, &n), ISOKIT_E_CORRUPT);
	c[31] = 0xAA;
	c[30] = 0x54;
	CHECK_EQ_I64(eltorito_decode(c, CAT_LEN, e, 4, &n), ISOKIT_E_CORRUPT);
	c[30] = 0x55;
	/* Header id 2 instead of 1, checksum adjusted so only the id is
	 * wrong: 0x0002 + 0x4241 + 0x1368 + 0xAA55 = 0x10000. */
	c[0] = 0x02;
	c[28] = 0x68;
	CHECK_EQ_I64(eltorito_decode(c, CAT_LEN, e, 4, &n), ISOKIT_E_CORRUPT);
	c[0] = 0x01;
	c[28] = 0x69;
	CHECK_EQ_I64(eltorito_decode(c, CAT_LEN, e, 4, &n), 0);

	tap_note("initial entry neither 88 nor 00");
	c[32] = 0x12;
	CHECK_EQ_I64(eltorito_decode(c, CAT_LEN, e, 4, &n), ISOKIT_E_CORRUPT);
	c[32] = 0x88;

	tap_note("shorter than validation + initial entry");
	uint8_t *tiny = malloc(32);
	if (!tiny)
		abort();
	memcpy(tiny, c, 32);
	CHECK_EQ_I64(eltorito_decode(tiny, 32, e, 4, &n), ISOKIT_E_CORRUPT);
	free(tiny);
	free(c);
}

int main(void)
{
	test_good();
	test_bad();
	return tap_done();
}
