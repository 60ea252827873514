// SPDX-License-Identifier: MIT
/*
 * The writer's byte codecs for booting: the El Torito catalog encoder
 * (eltorito/catalog.h), the boot-info-table and GRUB 2 boot-info patches,
 * and the partition tables of the system area (sysarea/parttab.h).
 *
 * Every expected byte is written out here, computed by hand in the
 * comments: the validation checksums (sixteen LE 16-bit words summing to 0
 * mod 2^16), the boot-info-table sums (LE 32-bit words mod 2^32), MBR
 * cylinder/head/sector triples (64 heads, 32 sectors per track) and GPT
 * CRC-32s. The CRCs are computed in this file by a bitwise CRC-32 of our
 * own (checked against the standard check value) and, with zlib, by
 * zlib's crc32 too: never by the code under test.
 */
#include <stdlib.h>

#include "config.h"

#if HAVE_ZLIB
#include <zlib.h>
#endif

#include "harness/tap.h"

#include "eltorito/catalog.h"
#include "sysarea/parttab.h"

/* ---- helpers of our own ---- */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), bit by bit. */
static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	return ~c;
}

/* The same with zlib, when there is zlib; else the bitwise one again. */
static uint32_t crc32_zlib(const uint8_t *p, size_t n)
{
#if HAVE_ZLIB
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)n);
#else
	return crc32_bitwise(p, n);
#endif
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static uint16_t word_sum(const uint8_t *p, size_t n)
{
	uint16_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s = (uint16_t)(s + le16(p + i));
	return s;
}

/* ---- the catalog ---- */

static void test_one_entry(void)
{
	tap_note("one BIOS entry: validation entry and default entry only");
	const struct eltorito_entry e = {
		.platform = 0, .bootable = true, .media = 0, .load_segment = 0,
		.system_type = 0, .sector_count = 4, .load_rba = 753, .id = NULL,
	};
	/* 2 entries of 32 bytes */
	CHECK_EQ_U64(eltorito_encoded_size(&e, 1), 64);
	uint8_t cat[2048];
	memset(cat, 0xCC, sizeof(cat));
	CHECK_EQ_U64(eltorito_encode(&e, 1, cat, sizeof(cat)), 64);
	/*
	 * validation entry: 01 00 | 00 00 | id 24 x 00 | checksum | 55 AA.
	 * Words: 0x0001 + 0xAA55 = 0xAA56, so the checksum is
	 * 0x10000 - 0xAA56 = 0x55AA, stored LE: AA 55.
	 */
	static const uint8_t validation[32] = {
		0x01, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xAA, 0x55, 0x55, 0xAA,
	};
	CHECK_MEM(cat, validation, 32);
	CHECK_EQ_U64(word_sum(cat, 32), 0);
	CHECK_EQ_U64(cat[30], 0x55);
	CHECK_EQ_U64(cat[31], 0xAA);
	/*
	 * default entry: 88 bootable, 00 no emulation, load segment 0000,
	 * system type 00, 00 unused, sector count 0004, load RBA 753 =
	 * 0x000002F1 -> F1 02 00 00, then 20 zero bytes.
	 */
	static const uint8_t def[32] = {
		0x88, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0xF1, 0x02, 0x00, 0x00,
	};
	CHECK_MEM(cat + 32, def, 32);
	CHECK(all_bytes(cat + 64, sizeof(cat) - 64, 0)); /* the rest zeroed */

	tap_note("does not fit / nothing to encode");
	memset(cat, 0xCC, sizeof(cat));
	CHECK_EQ_U64(eltorito_encode(&e, 1, cat, 63), 0);
	CHECK_EQ_U64(eltorito_encode(&e, 0, cat, sizeof(cat)), 0);
	CHECK_EQ_U64(eltorito_encoded_size(&e, 0), 0);
	CHECK_EQ_U64(eltorito_encode(&e, 1, cat, 64), 64); /* exactly */
}

static void test_efi_first(void)
{
	tap_note("an EFI entry alone: the validation entry names platform EF");
	const struct eltorito_entry e = {
		.platform = 0xEF, .bootable = true, .sector_count = 2880, .load_rba = 33,
	};
	uint8_t cat[64];
	CHECK_EQ_U64(eltorito_encode(&e, 1, cat, sizeof(cat)), 64);
	/*
	 * Words 0xEF01 + 0xAA55 = 0x19956 -> 0x9956 mod 2^16; checksum
	 * 0x10000 - 0x9956 = 0x66AA (check: 0xEF01 + 0xAA55 + 0x66AA =
	 * 0x20000), stored AA 66.
	 */
	static const uint8_t validation[32] = {
		0x01, 0xEF, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xAA, 0x66, 0x55, 0xAA,
	};
	CHECK_MEM(cat, validation, 32);
	CHECK_EQ_U64(word_sum(cat, 32), 0);
	/* 2880 = 0x0B40 -> 40 0B; RBA 33 = 0x21 */
	static const uint8_t def[32] = {
		0x88, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x0B, 0x21, 0x00, 0x00, 0x00,
	};
	CHECK_MEM(cat + 32, def, 32);
}

/*
 * Four entries: BIOS (default), two EFI, then a non-bootable 1.44 MB
 * floppy for BIOS. Sections: one for the run of EFI entries (header 0x90,
 * 2 entries, id "EFI"), one for the last BIOS entry (header 0x91, 1 entry):
 *   0   validation (platform 00)      checksum 0x55AA as above
 *   32  default: BIOS, 4 sectors at 753
 *   64  header 90 EF 0002 "EFI"
 *   96  88 00 0000 00 00 0B40 00000021   EFI image at 33, 2880 sectors
 *   128 88 00 0000 00 00 0000 00000028   EFI image at 40, count 0
 *   160 header 91 00 0001, no id
 *   192 00 02 0000 00 00 0001 00000032   floppy 1.44 (media 2) at 50
 * = 7 entries, 224 bytes.
 */
static const struct eltorito_entry four[4] = {
	{.platform = 0, .bootable = true, .sector_count = 4, .load_rba = 753},
	{.platform = 0xEF, .bootable = true, .sector_count = 2880, .load_rba = 33, .id = "EFI"},
	{.platform = 0xEF, .bootable = true, .sector_count = 0, .load_rba = 40, .id = "ignored"},
	{.platform = 0, .bootable = false, .media = 2, .sector_count = 1, .load_rba = 50},
};

static void test_sections(void)
{
	tap_note("sections: one per run of one platform, the last header 0x91");
	CHECK_EQ_U64(eltorito_encoded_size(four, 4), 224);
	CHECK_EQ_U64(eltorito_encoded_size(four, 2), 128);  /* validation, default, header, entry */
	CHECK_EQ_U64(eltorito_encoded_size(four, 3), 160);
	uint8_t cat[2048];
	memset(cat, 0xCC, sizeof(cat));
	CHECK_EQ_U64(eltorito_encode(four, 4, cat, sizeof(cat)), 224);
	CHECK_EQ_U64(le16(cat + 28), 0x55AA);
	CHECK_EQ_U64(word_sum(cat, 32), 0);
	static const uint8_t def[32] = {0x88, 0, 0, 0, 0, 0, 0x04, 0x00, 0xF1, 0x02, 0, 0};
	CHECK_MEM(cat + 32, def, 32);
	static const uint8_t h1[32] = {0x90, 0xEF, 0x02, 0x00, 'E', 'F', 'I'};
	CHECK_MEM(cat + 64, h1, 32);
	static const uint8_t s1[32] = {0x88, 0, 0, 0, 0, 0, 0x40, 0x0B, 0x21, 0, 0, 0};
	CHECK_MEM(cat + 96, s1, 32);
	static const uint8_t s2[32] = {0x88, 0, 0, 0, 0, 0, 0x00, 0x00, 0x28, 0, 0, 0};
	CHECK_MEM(cat + 128, s2, 32);
	static const uint8_t h2[32] = {0x91, 0x00, 0x01, 0x00};
	CHECK_MEM(cat + 160, h2, 32);
	static const uint8_t s3[32] = {0x00, 0x02, 0, 0, 0, 0, 0x01, 0x00, 0x32, 0, 0, 0};
	CHECK_MEM(cat + 192, s3, 32);
	CHECK(all_bytes(cat + 224, sizeof(cat) - 224, 0));
	/* one byte short: nothing written */
	CHECK_EQ_U64(eltorito_encode(four, 4, cat, 223), 0);

	tap_note("round trip through eltorito_decode");
	struct isokit_boot_entry d[8];
	size_t n = 0;
	CHECK_EQ_I64(eltorito_decode(cat, sizeof(cat), d, 8, &n), 0);
	if (CHECK_EQ_U64(n, 4)) {
		CHECK_EQ_U64(d[0].section, 0);
		CHECK_EQ_U64(d[0].platform, 0);
		CHECK(d[0].bootable);
		CHECK_EQ_U64(d[0].sector_count, 4);
		CHECK_EQ_U64(d[0].load_rba, 753);
		CHECK_EQ_U64(d[1].section, 1);
		CHECK_EQ_U64(d[1].platform, 0xEF);
		CHECK_EQ_U64(d[1].sector_count, 2880);
		CHECK_EQ_U64(d[1].load_rba, 33);
		CHECK_STR(d[1].id, "EFI");
		CHECK_EQ_U64(d[2].section, 1);
		CHECK_EQ_U64(d[2].platform, 0xEF);
		CHECK_EQ_U64(d[2].load_rba, 40);
		CHECK_EQ_U64(d[3].section, 2);
		CHECK_EQ_U64(d[3].platform, 0);
		CHECK(!d[3].bootable);
		CHECK_EQ_U64(d[3].media, 2);
		CHECK_EQ_U64(d[3].sector_count, 1);
		CHECK_EQ_U64(d[3].load_rba, 50);
	}
}

static void test_entry_fields(void)
{
	tap_note("hard-disk emulation entry, load segment, long section id");
	const struct eltorito_entry e[3] = {
		{.platform = 0, .bootable = true, .media = 4, .load_segment = 0x07C0,
		 .system_type = 0x06, .sector_count = 1, .load_rba = 0x01020304},
		/* a 30-character id: the header holds 28 */
		{.platform = 0xEF, .bootable = true, .load_rba = 7,
		 .id = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123"},
		/* a third platform (Mac, 2) right after: a new section */
		{.platform = 2, .bootable = true, .load_rba = 8},
	};
	CHECK_EQ_U64(eltorito_encoded_size(e, 3), 6 * 32);
	uint8_t cat[6 * 32];
	CHECK_EQ_U64(eltorito_encode(e, 3, cat, sizeof(cat)), sizeof(cat));
	/* 88, media 4, segment 0x07C0 -> C0 07, type 06, 00, count 1, RBA 04 03 02 01 */
	static const uint8_t def[32] = {0x88, 0x04, 0xC0, 0x07, 0x06, 0x00, 0x01, 0x00,
					0x04, 0x03, 0x02, 0x01};
	CHECK_MEM(cat + 32, def, 32);
	uint8_t h1[32] = {0x90, 0xEF, 0x01, 0x00};
	memcpy(h1 + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ01", 28);
	CHECK_MEM(cat + 64, h1, 32);
	static const uint8_t s1[32] = {0x88, 0, 0, 0, 0, 0, 0, 0, 0x07, 0, 0, 0};
	CHECK_MEM(cat + 96, s1, 32);  /* the id did not run over into the entry */
	static const uint8_t h2[32] = {0x91, 0x02, 0x01, 0x00};
	CHECK_MEM(cat + 128, h2, 32);
	static const uint8_t s2[32] = {0x88, 0, 0, 0, 0, 0, 0, 0, 0x08, 0, 0, 0};
	CHECK_MEM(cat + 160, s2, 32);
	struct isokit_boot_entry d[4];
	size_t n = 0;
	CHECK_EQ_I64(eltorito_decode(cat, sizeof(cat), d, 4, &n), 0);
	if (CHECK_EQ_U64(n, 3)) {
		CHECK_EQ_U64(d[0].media, 4);
		CHECK_EQ_U64(d[0].load_segment, 0x07C0);
		CHECK_EQ_U64(d[0].system_type, 6);
		CHECK_EQ_U64(d[0].load_rba, 0x01020304);
		CHECK_STR(d[1].id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ01");
		CHECK_EQ_U64(d[2].platform, 2);
		CHECK_EQ_U64(d[2].section, 2);
	}
}

/* ---- the patches ---- */

static uint8_t *filled(size_t n, uint8_t v)
{
	uint8_t *p = malloc(n); /* exactly n: a read past the end shows in ASan */
	if (!p)
		abort();
	memset(p, v, n);
	return p;
}

static void test_info_table(void)
{
	tap_note("boot-info-table: length 70, not a multiple of 4");
	uint8_t *img = filled(70, 0xEE);
	static const uint8_t head[8] = {0xFA, 0xEB, 0x3C, 0x90, 1, 2, 3, 4};
	memcpy(img, head, 8);
	static const uint8_t tail[6] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
	memcpy(img + 64, tail, 6);
	eltorito_patch_info_table(img, 70, 16, 0x2F1);
	/*
	 * From byte 64: the word 04030201, then the partial word 05 06 padded
	 * with zeros: 00000605. Sum 0x04030201 + 0x00000605 = 0x04030806.
	 * Table: PVD block 16 = 10 00 00 00, image block 0x2F1 = F1 02 00 00,
	 * length 70 = 46 00 00 00, sum 06 08 03 04; then 40 zero bytes.
	 */
	static const uint8_t table[16] = {0x10, 0, 0, 0, 0xF1, 0x02, 0, 0,
					  0x46, 0, 0, 0, 0x06, 0x08, 0x03, 0x04};
	CHECK_MEM(img, head, 8);  /* bytes 0-7 untouched */
	CHECK_MEM(img + 8, table, 16);
	CHECK(all_bytes(img + 24, 40, 0));
	CHECK_MEM(img + 64, tail, 6);  /* the summed bytes untouched */
	free(img);

	tap_note("boot-info-table: the sum wraps at 2^32; a last single byte");
	/* 3 guard bytes FF after the 73: a sum that read them would differ */
	img = filled(76, 0xFF);
	memset(img, 0, 73);
	/* words FFFFFFFF and 00000003 and the byte 7F: 0xFFFFFFFF + 3 + 0x7F
	 * = 0x1_00000081 -> 0x00000081 */
	memset(img + 64, 0xFF, 4);
	img[68] = 0x03;
	img[72] = 0x7F;
	eltorito_patch_info_table(img, 73, 16, 0x12345678);
	static const uint8_t t2[16] = {0x10, 0, 0, 0, 0x78, 0x56, 0x34, 0x12,
				       0x49, 0, 0, 0, 0x81, 0, 0, 0};
	CHECK_MEM(img + 8, t2, 16);
	free(img);

	tap_note("boot-info-table: exactly 64 bytes, nothing to sum");
	img = filled(64, 0xAB);
	eltorito_patch_info_table(img, 64, 16, 20);
	static const uint8_t t3[16] = {0x10, 0, 0, 0, 0x14, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0};
	CHECK_MEM(img + 8, t3, 16);
	CHECK(all_bytes(img, 8, 0xAB));
	CHECK(all_bytes(img + 24, 40, 0));
	free(img);

	tap_note("boot-info-table: 38915 bytes (isolinux.bin-like size + 3), our own sum");
	size_t len = 38915;
	img = filled(len, 0);
	for (size_t i = 0; i < len; i++)
		img[i] = (uint8_t)(i * 7 + 3);
	uint32_t sum = 0;
	for (size_t i = 64; i < len; i += 4) {
		uint32_t w = 0;
		for (size_t k = 0; k < 4 && i + k < len; k++)
			w |= (uint32_t)img[i + k] << (8 * k);
		sum += w;
	}
	eltorito_patch_info_table(img, len, 16, 100);
	CHECK_EQ_U32(le32(img + 8), 16);
	CHECK_EQ_U32(le32(img + 12), 100);
	CHECK_EQ_U32(le32(img + 16), 38915);
	CHECK_EQ_U32(le32(img + 20), sum);
	free(img);
}

static void test_grub2_info(void)
{
	tap_note("GRUB 2 boot info: (block * 4 + 5) as 64 bits at byte 2548");
	uint8_t *img = filled(2556, 0x5A);
	eltorito_patch_grub2_info(img, 2556, 33);
	/* 33 * 4 + 5 = 137 = 0x89 */
	static const uint8_t v1[8] = {0x89, 0, 0, 0, 0, 0, 0, 0};
	CHECK_MEM(img + 2548, v1, 8);
	CHECK(all_bytes(img, 2548, 0x5A));
	free(img);

	img = filled(4000, 0x5A);
	/* 0x40000001 * 4 + 5 = 0x1_00000009: the 64 bits hold the carry */
	eltorito_patch_grub2_info(img, 4000, 0x40000001u);
	static const uint8_t v2[8] = {0x09, 0, 0, 0, 0x01, 0, 0, 0};
	CHECK_MEM(img + 2548, v2, 8);
	CHECK(all_bytes(img, 2548, 0x5A));
	CHECK(all_bytes(img + 2556, 4000 - 2556, 0x5A));
	free(img);

	tap_note("GRUB 2 boot info: an image of 2555 bytes is left alone");
	img = filled(2555, 0x5A);
	eltorito_patch_grub2_info(img, 2555, 33);
	CHECK(all_bytes(img, 2555, 0x5A));
	free(img);
}

/* ---- MBR ---- */

static void test_mbr(void)
{
	tap_note("MBR entries: CHS with 64 heads and 32 sectors per track");
	uint8_t s[512];
	memset(s, 0x11, sizeof(s));
	/*
	 * Start 1: C 0, H 0, S 2 -> 00 02 00. End 1 + 3779 - 1 = 3779:
	 * C = 3779 / 2048 = 1, H = (3779 / 32) % 64 = 118 % 64 = 54 (0x36),
	 * S = 3779 % 32 + 1 = 4 -> 36 04 01. 3779 = 0x0EC3.
	 */
	const struct mbr_part gpt = {.active = false, .type = 0xEE, .start = 1, .sectors = 3779};
	mbr_put(s, 0, &gpt);
	static const uint8_t e0[16] = {0x00, 0x00, 0x02, 0x00, 0xEE, 0x36, 0x04, 0x01,
				       0x01, 0x00, 0x00, 0x00, 0xC3, 0x0E, 0x00, 0x00};
	CHECK_MEM(s + 446, e0, 16);
	CHECK_EQ_U64(s[510], 0x55);
	CHECK_EQ_U64(s[511], 0xAA);
	CHECK(all_bytes(s, 446, 0x11));       /* boot code untouched */
	CHECK(all_bytes(s + 462, 48, 0x11));  /* the other entries too */

	/*
	 * Active, type 0x17 at LBA 1228967 = 600 * 2048 + 5 * 32 + 7:
	 * C 600 = 0x258, H 5, S 8; the sector byte carries C's bits 8-9:
	 * 8 | (0x258 >> 2 & 0xC0) = 8 | 0x80 = 0x88, cylinder byte 0x58.
	 * Its end, 1228967 + 2097152 - 1 = 3326118, is past cylinder 1023:
	 * the maximum (C 1023, H 63, S 32): 3F, 32 | 0xC0 = E0, FF.
	 * 1228967 = 0x0012C0A7, 2097152 = 0x00200000.
	 */
	const struct mbr_part p = {.active = true, .type = 0x17, .start = 1228967, .sectors = 2097152};
	mbr_put(s, 2, &p);
	static const uint8_t e2[16] = {0x80, 0x05, 0x88, 0x58, 0x17, 0x3F, 0xE0, 0xFF,
				       0xA7, 0xC0, 0x12, 0x00, 0x00, 0x00, 0x20, 0x00};
	CHECK_MEM(s + 446 + 32, e2, 16);
	CHECK_MEM(s + 446, e0, 16);  /* entry 0 unchanged */

	struct mbr_part g;
	mbr_get(s, 2, &g);
	CHECK(g.active);
	CHECK_EQ_U64(g.type, 0x17);
	CHECK_EQ_U64(g.start, 1228967);
	CHECK_EQ_U64(g.sectors, 2097152);
	mbr_get(s, 0, &g);
	CHECK(!g.active);
	CHECK_EQ_U64(g.type, 0xEE);

	tap_note("MBR entry of neither type nor size: sixteen zero bytes");
	const struct mbr_part none = {.active = true, .type = 0, .start = 5, .sectors = 0};
	mbr_put(s, 2, &none);
	CHECK(all_bytes(s + 446 + 32, 16, 0));

	tap_note("MBR entry of type 0 with a size (xorriso's whole-image partition beside an 0xEF one)");
	const struct mbr_part empty = {.active = true, .type = 0, .start = 0, .sectors = 4096};
	mbr_put(s, 3, &empty);
	static const uint8_t want0[16] = {0x80, 0, 1, 0, 0x00, 63, 32, 1, 0, 0, 0, 0, 0, 0x10, 0, 0};
	CHECK(memcmp(s + 446 + 48, want0, 16) == 0);
}

/* ---- GPT ---- */

static void test_guids(void)
{
	tap_note("type GUIDs in on-disk order");
	/* C12A7328-F81F-11D2-BA4B-00A0C93EC93B: the first three fields LE */
	static const uint8_t efi[16] = {0x28, 0x73, 0x2A, 0xC1, 0x1F, 0xF8, 0xD2, 0x11,
					0xBA, 0x4B, 0x00, 0xA0, 0xC9, 0x3E, 0xC9, 0x3B};
	/* EBD0A0A2-B9E5-4433-87C0-68B6B72699C7 */
	static const uint8_t data[16] = {0xA2, 0xA0, 0xD0, 0xEB, 0xE5, 0xB9, 0x33, 0x44,
					 0x87, 0xC0, 0x68, 0xB6, 0xB7, 0x26, 0x99, 0xC7};
	CHECK_MEM(GPT_TYPE_EFI_SYSTEM, efi, 16);
	CHECK_MEM(GPT_TYPE_BASIC_DATA, data, 16);
}

static void test_gpt(void)
{
	tap_note("CRC-32 of our own: the standard check value");
	CHECK_EQ_U32(crc32_bitwise((const uint8_t *)"123456789", 9), 0xCBF43926u);
	CHECK_EQ_U32(crc32_zlib((const uint8_t *)"123456789", 9), 0xCBF43926u);

	tap_note("GPT entries: type, GUID, first, last, attributes, UTF-16LE name");
	struct gpt_part p[2];
	memset(p, 0, sizeof(p));
	memcpy(p[0].type, GPT_TYPE_BASIC_DATA, 16);
	for (int i = 0; i < 16; i++)
		p[0].guid[i] = (uint8_t)(0xA0 + i);
	p[0].first = 64;
	p[0].last = 131;
	p[0].attrs = 0x1000000000000000ull; /* bit 60: read-only */
	strcpy(p[0].name, "ISO9660");
	memcpy(p[1].type, GPT_TYPE_EFI_SYSTEM, 16);
	for (int i = 0; i < 16; i++)
		p[1].guid[i] = (uint8_t)(0xB0 + i);
	p[1].first = 132;
	p[1].last = 0x100000000ull; /* past 32 bits */
	/* 36 characters, the most a name holds */
	strcpy(p[1].name, "abcdefghijklmnopqrstuvwxyz0123456789");

	size_t alen = GPT_ENTRIES * GPT_ENTRY_SIZE;
	CHECK_EQ_U64(alen, 16384);
	CHECK_EQ_U64(GPT_ARRAY_SECTORS, 32);
	uint8_t *array = filled(alen, 0xCC);
	gpt_put_entries(array, p, 2);
	uint8_t want[128] = {0};
	memcpy(want, GPT_TYPE_BASIC_DATA, 16);
	for (int i = 0; i < 16; i++)
		want[16 + i] = (uint8_t)(0xA0 + i);
	want[32] = 64;             /* first: 64 as 8 LE bytes */
	want[40] = 131;            /* last: 131 */
	want[55] = 0x10;           /* attributes: bit 60 is bit 4 of byte 7 */
	const char *n0 = "ISO9660";
	for (int i = 0; n0[i]; i++)
		want[56 + 2 * i] = (uint8_t)n0[i]; /* 'I' 00 'S' 00 ... */
	CHECK_MEM(array, want, 128);
	memset(want, 0, sizeof(want));
	memcpy(want, GPT_TYPE_EFI_SYSTEM, 16);
	for (int i = 0; i < 16; i++)
		want[16 + i] = (uint8_t)(0xB0 + i);
	want[32] = 132;
	want[44] = 0x01;           /* last 0x1_00000000: byte 4 of the 8 */
	const char *n1 = "abcdefghijklmnopqrstuvwxyz0123456789";
	for (int i = 0; n1[i]; i++)
		want[56 + 2 * i] = (uint8_t)n1[i];
	CHECK_MEM(array + 128, want, 128);
	CHECK(all_bytes(array + 256, alen - 256, 0));

	tap_note("GPT header: the primary, at sector 1");
	/* a disk of 3780 sectors: primary array 2-33, backup array
	 * 3747-3778, backup header 3779 */
	struct gpt_disk d = {.sectors = 3780, .first_usable = 64, .last_usable = 3746};
	for (int i = 0; i < 16; i++)
		d.guid[i] = (uint8_t)(0x10 + i);
	uint8_t h[512];
	memset(h, 0xCC, sizeof(h));
	gpt_put_header(h, &d, array, false);
	CHECK_MEM(h, "EFI PART", 8);
	static const uint8_t rev_size[8] = {0x00, 0x00, 0x01, 0x00, 0x5C, 0x00, 0x00, 0x00};
	CHECK_MEM(h + 8, rev_size, 8); /* revision 1.0, header size 92 */
	CHECK_EQ_U32(le32(h + 20), 0); /* reserved */
	CHECK_EQ_U64(le64(h + 24), 1);    /* this header */
	CHECK_EQ_U64(le64(h + 32), 3779); /* the other */
	CHECK_EQ_U64(le64(h + 40), 64);
	CHECK_EQ_U64(le64(h + 48), 3746);
	CHECK_MEM(h + 56, d.guid, 16);
	CHECK_EQ_U64(le64(h + 72), 2);    /* the array */
	CHECK_EQ_U32(le32(h + 80), 128);
	CHECK_EQ_U32(le32(h + 84), 128);
	uint32_t acrc = crc32_zlib(array, alen);
	CHECK_EQ_U32(le32(h + 88), acrc);
	CHECK_EQ_U32(crc32_bitwise(array, alen), acrc);
	CHECK(all_bytes(h + 92, 512 - 92, 0));
	/* the header CRC: over its 92 bytes with the CRC field zero */
	uint8_t copy[92];
	memcpy(copy, h, 92);
	memset(copy + 16, 0, 4);
	CHECK_EQ_U32(le32(h + 16), crc32_zlib(copy, 92));
	CHECK_EQ_U32(le32(h + 16), crc32_bitwise(copy, 92));

	uint64_t at = 0;
	uint32_t ne = 0, es = 0;
	CHECK(gpt_header_ok(h, &at, &ne, &es));
	CHECK_EQ_U64(at, 2);
	CHECK_EQ_U64(ne, 128);
	CHECK_EQ_U64(es, 128);
	CHECK(gpt_array_ok(h, array, alen));

	tap_note("GPT header: the backup, at the last sector");
	uint8_t b[512];
	gpt_put_header(b, &d, array, true);
	CHECK_EQ_U64(le64(b + 24), 3779);
	CHECK_EQ_U64(le64(b + 32), 1);
	CHECK_EQ_U64(le64(b + 72), 3747); /* 3779 - 32 */
	CHECK_EQ_U32(le32(b + 88), acrc);
	memcpy(copy, b, 92);
	memset(copy + 16, 0, 4);
	CHECK_EQ_U32(le32(b + 16), crc32_zlib(copy, 92));
	/* only the fields that differ differ */
	CHECK_MEM(b + 40, h + 40, 32);
	CHECK_MEM(b + 80, h + 80, 12);
	CHECK(gpt_header_ok(b, &at, &ne, &es));
	CHECK_EQ_U64(at, 3747);

	tap_note("GPT checks catch damage");
	h[60] ^= 0x01; /* in the disk GUID */
	CHECK(!gpt_header_ok(h, &at, &ne, &es));
	h[60] ^= 0x01;
	CHECK(gpt_header_ok(h, &at, &ne, &es));
	h[16] ^= 0x80; /* the CRC itself */
	CHECK(!gpt_header_ok(h, &at, &ne, &es));
	h[16] ^= 0x80;
	h[0] = 'F';
	CHECK(!gpt_header_ok(h, &at, &ne, &es));
	h[0] = 'E';
	array[alen - 1] ^= 0x01; /* the last entry's last byte */
	CHECK(!gpt_array_ok(h, array, alen));
	array[alen - 1] ^= 0x01;
	CHECK(gpt_array_ok(h, array, alen));
	free(array);
}

int main(void)
{
	test_one_entry();
	test_efi_first();
	test_sections();
	test_entry_fields();
	test_info_table();
	test_grub2_info();
	test_mbr();
	test_guids();
	test_gpt();
	return tap_done();
}
