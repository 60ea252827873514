// SPDX-License-Identifier: MIT
/* The UDF encoders (lib/udf/encode.c): fixed bytes where ECMA-167 fixes
 * them, and back through the reader's decoders: tags, timestamps, OSTA
 * compressed Unicode, dstrings, allocation descriptors, symlink path
 * components. */
#include <string.h>

#include "harness/tap.h"

#include "base/bytes.h"
#include "udf/udf.h"

static void test_tag(void)
{
	tap_note("tags: checksum, CRC over the body, round trip");
	uint8_t b[512] = {0};
	for (int i = 16; i < 512; i++)
		b[i] = (uint8_t)(i * 7);
	udf_tag_encode(b, UDF_TAG_FE, 3, 1234, 496);
	struct udf_tag t;
	CHECK_EQ_I64(udf_tag_decode(b, sizeof(b), &t), UDF_TAG_OK);
	CHECK_EQ_U32(t.ident, UDF_TAG_FE);
	CHECK_EQ_U32(t.version, 3);
	CHECK_EQ_U32(t.location, 1234);
	CHECK_EQ_U32(t.crc_len, 496);
	/* ECMA-167 3/7.2.6's example: the CRC of bytes 70 6A 77 is 3299 */
	const uint8_t ex[3] = {0x70, 0x6A, 0x77};
	CHECK_EQ_U32(udf_crc16(ex, 3), 0x3299);
	b[300] ^= 1;
	CHECK_EQ_I64(udf_tag_decode(b, sizeof(b), &t), UDF_TAG_CRC);
	b[300] ^= 1;
	b[12] ^= 1; /* the location: only the checksum covers it */
	CHECK_EQ_I64(udf_tag_decode(b, sizeof(b), &t), UDF_TAG_CHECKSUM);
}

static void test_time(void)
{
	tap_note("timestamps: UTC round trip, 1960 to 2100, clamping");
	static const int64_t ts[] = {-315619200LL, -1, 0, 951782400LL, 2147483648LL,
				     4102444800LL};
	for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		uint8_t p[12];
		udf_time_encode(p, ts[i]);
		CHECK_EQ_U32(get_721(p), 0x1000); /* type 1, offset 0 */
		struct isokit_time t = udf_time_decode(p);
		CHECK(t.valid);
		CHECK_EQ_I64(t.sec, ts[i]);
	}
	uint8_t p[12];
	udf_time_encode(p, 981173106LL); /* 2001-02-03 04:05:06 */
	CHECK_EQ_U32(get_721(p + 2), 2001);
	CHECK_EQ_U32(p[4], 2);
	CHECK_EQ_U32(p[5], 3);
	CHECK_EQ_U32(p[6], 4);
	CHECK_EQ_U32(p[7], 5);
	CHECK_EQ_U32(p[8], 6);
	udf_time_encode(p, -70000000000LL);
	CHECK_EQ_U32(get_721(p + 2), 1);
	udf_time_encode(p, 300000000000LL);
	CHECK_EQ_U32(get_721(p + 2), 9999);
}

static void test_cs0(void)
{
	tap_note("OSTA compressed Unicode: 8-bit when it can, 16-bit with surrogates");
	uint8_t out[256];
	char back[520];
	size_t n = udf_cs0_encode("Café", strlen("Café"), out, sizeof(out));
	CHECK_EQ_U32(n, 5);
	CHECK_EQ_U32(out[0], 8);
	CHECK_EQ_U32(out[4], 0xE9);
	CHECK_EQ_I64(udf_cs0_to_utf8(out, n, back), (int64_t)strlen("Café"));
	CHECK_STR(back, "Café");
	static const char *names[] = {"Ảnh cưới", "写真", "📷 shoot", "a\xcc\x81"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = udf_cs0_encode(names[i], strlen(names[i]), out, sizeof(out));
		CHECK_EQ_U32(out[0], 16);
		int k = udf_cs0_to_utf8(out, n, back);
		CHECK_EQ_I64(k, (int64_t)strlen(names[i]));
		CHECK_STR(back, names[i]);
	}
	/* the emoji is a surrogate pair: 2 units, 4 bytes */
	n = udf_cs0_encode("📷", strlen("📷"), out, sizeof(out));
	CHECK_EQ_U32(n, 5);
	CHECK_EQ_U32(out[1], 0xD8);
	/* a pair is never cut in half: 4 bytes of room hold one unit only */
	n = udf_cs0_encode("a📷", strlen("a📷"), out, 4);
	CHECK_EQ_U32(n, 3);
	char dst[40];
	udf_dstring_encode((uint8_t *)dst, 32, "Ảnh");
	CHECK_EQ_U32((uint8_t)dst[31], 7);
	char lbl[64];
	udf_dstring((const uint8_t *)dst, 32, lbl);
	CHECK_STR(lbl, "Ảnh");
	udf_dstring_encode((uint8_t *)dst, 32, "");
	CHECK_EQ_U32((uint8_t)dst[31], 0);
}

static void test_ads(void)
{
	tap_note("allocation descriptors: type in the top bits, long_ad's partition");
	uint8_t p[16];
	struct udf_ad ad;
	udf_short_ad_encode(p, 0x3FFFF800u, UDF_EXT_RECORDED, 77);
	udf_ad_decode(p, UDF_AD_SHORT, 5, &ad);
	CHECK_EQ_U32(ad.length, 0x3FFFF800u);
	CHECK_EQ_U32(ad.type, UDF_EXT_RECORDED);
	CHECK_EQ_U32(ad.block, 77);
	CHECK_EQ_U32(ad.part, 5);
	udf_long_ad_encode(p, 2048, UDF_EXT_NEXT, 9, 1, 0xABCDEF);
	udf_long_ad_decode(p, &ad);
	CHECK_EQ_U32(ad.length, 2048);
	CHECK_EQ_U32(ad.type, UDF_EXT_NEXT);
	CHECK_EQ_U32(ad.block, 9);
	CHECK_EQ_U32(ad.part, 1);
	CHECK_EQ_U32(get_731(p + 12), 0xABCDEF); /* UDF unique ID */
}

static void test_symlink(void)
{
	tap_note("symlink path components: round trip through the reader");
	static const char *targets[] = {"../a.txt", "/etc/passwd", "./x/../y", "d/", "Ảnh/📷.jpg",
					"/"};
	static const char *expect[] = {"../a.txt", "/etc/passwd", "./x/../y", "d", "Ảnh/📷.jpg",
				       "/"};
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		uint8_t pc[512];
		char back[1100];
		int n = udf_symlink_encode(targets[i], strlen(targets[i]), pc, sizeof(pc));
		CHECK(n > 0);
		CHECK(udf_symlink_decode(pc, (size_t)n, back, sizeof(back)) >= 0);
		CHECK_STR(back, expect[i]);
	}
	uint8_t pc[16];
	/* the root, then one name: type 2, then type 5 with CS0 */
	int n = udf_symlink_encode("/a", 2, pc, sizeof(pc));
	CHECK_EQ_I64(n, 4 + 4 + 2);
	CHECK_EQ_U32(pc[0], 2);
	CHECK_EQ_U32(pc[4], 5);
	CHECK_EQ_U32(pc[5], 2);
	CHECK_EQ_U32(pc[6], 0);
	CHECK_EQ_U32(pc[8], 8);
	CHECK_EQ_U32(pc[9], 'a');
	CHECK_EQ_I64(udf_symlink_encode("/abcdefgh", 9, pc, 10), -1); /* no room */
	char longname[300];
	memset(longname, 'x', 255);
	longname[255] = '\0';
	uint8_t big[600];
	CHECK_EQ_I64(udf_symlink_encode(longname, 255, big, sizeof(big)), -1);
	CHECK(udf_symlink_encode(longname, 254, big, sizeof(big)) > 0);
}

int main(void)
{
	test_tag();
	test_time();
	test_cs0();
	test_ads();
	test_symlink();
	return tap_done();
}
