// SPDX-License-Identifier: MIT
/* The writer's encoders, byte by byte where the layout is fixed and through
 * the reader's decoders everywhere: dates, UTF-8 decoding, directory and
 * path table records, volume descriptors, SUSP and Rock Ridge entries. */
#include <stdlib.h>
#include <sys/stat.h>

#include "harness/tap.h"

#include "base/bytes.h"
#include "base/charset.h"
#include "base/isotime.h"
#include "ecma119/dirrec.h"
#include "ecma119/vd.h"
#include "susp/encode.h"
#include "susp/susp.h"

static void test_dates(void)
{
	tap_note("7-byte dates: round trip, clamping to 1900..2155");
	static const int64_t t7[] = {
		-2208988800LL, /* 1900-01-01 */
		-315619200LL,  /* 1960-01-01 */
		-1, 0, 951782400LL /* 2000-02-29 */, 2147483647LL, 2147483648LL,
		4102444800LL /* 2100-01-01 */, 5869583999LL /* 2155-12-31 23:59:59 */,
	};
	for (size_t i = 0; i < sizeof(t7) / sizeof(t7[0]); i++) {
		uint8_t p[7];
		isotime_encode7(t7[i], p);
		struct isokit_time t = isotime_decode7(p);
		CHECK(t.valid);
		CHECK_EQ_I64(t.sec, t7[i]);
		CHECK_EQ_U32(p[6], 0);
	}
	uint8_t p[7];
	isotime_encode7(-3000000000LL, p);
	CHECK_EQ_I64(isotime_decode7(p).sec, -2208988800LL);
	isotime_encode7(7000000000LL, p);
	CHECK_EQ_I64(isotime_decode7(p).sec, 5869583999LL);
	/* 2001-02-03 04:05:06 UTC, field by field */
	isotime_encode7(981173106, p);
	static const uint8_t want7[7] = {101, 2, 3, 4, 5, 6, 0};
	CHECK_MEM(p, want7, 7);

	tap_note("17-byte dates");
	uint8_t q[17];
	isotime_encode17(981173106, 250000000, q);
	CHECK_MEM(q, "2001020304050625", 16);
	CHECK_EQ_U32(q[16], 0);
	struct isokit_time t = isotime_decode17(q);
	CHECK(t.valid);
	CHECK_EQ_I64(t.sec, 981173106);
	isotime_encode17(-315619200LL, 0, q);
	CHECK_EQ_I64(isotime_decode17(q).sec, -315619200LL);
	isotime_unspecified17(q);
	CHECK_MEM(q, "0000000000000000", 16);
	CHECK(!isotime_decode17(q).valid);
}

static void test_utf8(void)
{
	tap_note("UTF-8 decoding: valid, invalid, overlong, surrogates, cut");
	uint32_t cp;
	CHECK_EQ_U64(utf8_decode("A", 1, &cp), 1);
	CHECK_EQ_U32(cp, 'A');
	CHECK_EQ_U64(utf8_decode("\xE1\xBA\xBF", 3, &cp), 3); /* ế */
	CHECK_EQ_U32(cp, 0x1EBF);
	CHECK_EQ_U64(utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4); /* 😀 */
	CHECK_EQ_U32(cp, 0x1F600);
	CHECK_EQ_U64(utf8_decode("\xC0\xAF", 2, &cp), 1); /* overlong '/' */
	CHECK_EQ_U32(cp, 0xFFFD);
	CHECK_EQ_U64(utf8_decode("\xED\xA0\x80", 3, &cp), 1); /* surrogate */
	CHECK_EQ_U32(cp, 0xFFFD);
	CHECK_EQ_U64(utf8_decode("\xE1\xBA", 2, &cp), 1); /* cut short */
	CHECK_EQ_U32(cp, 0xFFFD);
	CHECK_EQ_U64(utf8_decode("\xFF", 1, &cp), 1);
	CHECK_EQ_U32(cp, 0xFFFD);
	uint16_t u[2];
	CHECK_EQ_U64(utf16_units(0x1F600, u), 2);
	CHECK_EQ_U32(u[0], 0xD83D);
	CHECK_EQ_U32(u[1], 0xDE00);
	CHECK_EQ_U64(utf16_units(0xE9, u), 1);
	CHECK_EQ_U32(u[0], 0xE9);
}

static void test_dirrec(void)
{
	tap_note("directory records: layout, pad byte, decode round trip");
	uint8_t date[7];
	isotime_encode7(981173106, date);
	uint8_t su[5] = {'R', 'E', 4, 1, 0};
	struct dirrec_fields f = {
		.extent = 0x01020304, .size = 0x0A0B0C0D, .date = date, .flags = 0x80,
		.name = (const uint8_t *)"AB.C;1", .name_len = 6, .su = su, .su_len = 4,
	};
	uint8_t buf[256];
	memset(buf, 0xEE, sizeof(buf));
	size_t len = dirrec_encode(buf, &f);
	CHECK_EQ_U64(len, 33 + 6 + 1 + 4); /* even identifier: one pad byte */
	CHECK_EQ_U32(buf[0], len);
	CHECK_EQ_U32(buf[1], 0);
	CHECK_EQ_U32(buf[2], 0x04);
	CHECK_EQ_U32(buf[9], 0x04); /* big-endian half */
	CHECK_EQ_U32(buf[33 + 6], 0); /* pad */
	CHECK_EQ_U32(get_723(buf + 28, NULL), 1); /* volume sequence number */
	struct dirrec r;
	CHECK_EQ_I64(dirrec_decode(buf, len, &r), 0);
	CHECK(!r.mismatch);
	CHECK_EQ_U32(r.extent, 0x01020304);
	CHECK_EQ_U32(r.size, 0x0A0B0C0D);
	CHECK_EQ_U32(r.flags, 0x80);
	CHECK_EQ_U64(r.su_len, 4);
	CHECK_MEM(r.su, su, 4);
	CHECK_EQ_U32(r.name_len, 6);
	CHECK_MEM(r.name, "AB.C;1", 6);
	CHECK_MEM(r.date, date, 7);
	f.name_len = 5; /* odd identifier: no pad */
	CHECK_EQ_U64(dirrec_size(5, 0), 38);
	CHECK_EQ_U64(dirrec_encode(buf, &f), 38 + 4);
	CHECK_MEM(buf + 38, su, 4); /* System Use right after the identifier */

	tap_note("path table records, both byte orders");
	uint8_t pt[16];
	CHECK_EQ_U64(pathrec_encode(pt, (const uint8_t *)"DIR", 3, 0x11223344, 0x0102, false), 12);
	static const uint8_t l[12] = {3, 0, 0x44, 0x33, 0x22, 0x11, 0x02, 0x01, 'D', 'I', 'R', 0};
	CHECK_MEM(pt, l, 12);
	CHECK_EQ_U64(pathrec_encode(pt, (const uint8_t *)"DI", 2, 0x11223344, 0x0102, true), 10);
	static const uint8_t m[10] = {2, 0, 0x11, 0x22, 0x33, 0x44, 0x01, 0x02, 'D', 'I'};
	CHECK_MEM(pt, m, 10);
}

static void test_vd(void)
{
	tap_note("volume descriptors: PVD and Joliet SVD through the decoder");
	uint8_t blk[2048];
	uint8_t date[7];
	isotime_encode7(981173106, date);
	uint8_t vol[32];
	size_t vl = 0;
	for (const char *c = "PHOTOS"; *c; c++)
		vol[vl++] = (uint8_t)*c;
	struct vd_fields f = {
		.type = VD_TYPE_PRIMARY, .space_size = 1234, .pt_size = 10, .pt_l = 19,
		.pt_m = 20, .root_lba = 23, .root_size = 2048, .root_date = date,
		.created = 981173106,
	};
	f.volume_id = (struct vd_text){vol, vl};
	vd_encode(blk, &f);
	CHECK(vd_is_iso(blk));
	struct vd_decoded d;
	CHECK_EQ_I64(vd_decode(blk, &d), 0);
	CHECK(!d.both_endian_mismatch);
	CHECK_EQ_U64(d.space_size, 1234);
	CHECK_EQ_U32(d.pt_l, 19);
	CHECK_EQ_U32(d.pt_m, 20);
	CHECK_EQ_U32(d.root_lba, 23);
	CHECK_EQ_U32(d.root_len, 34);
	CHECK_EQ_U32(d.fs_version, 1);
	CHECK_EQ_I64(vd_joliet_level(blk), 0);
	CHECK_EQ_U32(blk[7], 0);   /* unused (strict bidders) */
	CHECK_EQ_U32(blk[72], 0);  /* unused 73-80 */
	CHECK_EQ_U32(blk[882], 0); /* reserved after the structure version */
	CHECK_MEM(blk + VD_VOLUME_ID, "PHOTOS                          ", 32);
	struct isokit_volume_info info;
	memset(&info, 0, sizeof(info));
	vd_fill_info(blk, false, &info);
	CHECK_STR(info.volume_id, "PHOTOS");

	uint8_t jvol[32] = {0, 'P', 0, 'h'};
	f.type = VD_TYPE_SUPPLEMENTARY;
	f.joliet_level = 3;
	f.volume_id = (struct vd_text){jvol, 4};
	vd_encode(blk, &f);
	CHECK_EQ_I64(vd_joliet_level(blk), 3);
	CHECK_EQ_U32(blk[VD_VOLUME_ID + 4], 0x00); /* UCS-2 space padding */
	CHECK_EQ_U32(blk[VD_VOLUME_ID + 5], 0x20);
	memset(&info, 0, sizeof(info));
	vd_fill_info(blk, true, &info);
	CHECK_STR(info.volume_id, "Ph");

	vd_encode_terminator(blk);
	CHECK_EQ_U32(blk[0], 255);
	CHECK(vd_is_iso(blk));
	bool rest_zero = true;
	for (size_t i = 7; i < 2048; i++)
		rest_zero = rest_zero && blk[i] == 0;
	CHECK(rest_zero);
}

static void test_susp(void)
{
	tap_note("SUSP and Rock Ridge entries through the parser");
	uint8_t a[2048];
	size_t n = 0;
	CHECK_EQ_U64(susp_put_sp(NULL), 7);
	n += susp_put_sp(a + n);
	CHECK_MEM(a, "SP\x07\x01\xBE\xEF\x00", 7);
	size_t px = n;
	n += rrip_put_px(a + n, S_IFREG | 0640, 2, 1000, 100, 77);
	CHECK_MEM(a + px, "PX\x2C\x01", 4);
	CHECK_MEM(a + px + 4, "\xA0\x81\x00\x00\x00\x00\x81\xA0", 8); /* 0100640 both-endian */
	int64_t st[4] = {100, 981173106, 981173107, 981173108};
	size_t tfo = n;
	size_t tf = rrip_put_tf(a + n, TF_CREATE | TF_MODIFY | TF_ACCESS | TF_ATTRIBUTES, st);
	CHECK_EQ_U64(tf, 5 + 4 * 7);
	CHECK_MEM(a + tfo, "TF\x21\x01\x0F", 5);
	n += tf;
	n += rrip_put_nm(a + n, NM_CONTINUE, "Ti\xe1\xba\xbfng ", 8);
	n += rrip_put_nm(a + n, 0, "Vi\xe1\xbb\x87t.txt", 10);
	n += rrip_put_pn(a + n, 0x12, 0x0103);
	static const uint8_t comps[] = {SL_ROOT, 0, 0, 3, 'u', 's', 'r', SL_PARENT, 0};
	n += rrip_put_sl(a + n, 0, comps, sizeof(comps));
	size_t er = n;
	n += susp_put_er(a + n, RRIP_112_ID, RRIP_112_DESC, RRIP_112_SRC);
	/* libisofs' 1.12 ER: 182 bytes, identifier 9, descriptor 72, source 93 */
	CHECK_MEM(a + er, "ER\xB6\x01\x09\x48\x5D\x01IEEE_1282", 17);
	n += susp_put_ce(a + n, 40, 100, 200);
	uint8_t *heap = malloc(n);
	memcpy(heap, a, n);
	struct rr_info *rr = malloc(sizeof(*rr));
	rr_info_reset(rr);
	susp_parse(heap, n, rr);
	CHECK(rr->has_sp);
	CHECK(!rr->malformed);
	CHECK(rr->has_px && rr->px_has_ino);
	CHECK_EQ_U32(rr->mode, S_IFREG | 0640);
	CHECK_EQ_U32(rr->nlink, 2);
	CHECK_EQ_U32(rr->uid, 1000);
	CHECK_EQ_U32(rr->gid, 100);
	CHECK_EQ_U32(rr->ino, 77);
	CHECK(rr->has_tf);
	CHECK_EQ_I64(rr->tf_create.sec, 100);
	CHECK_EQ_I64(rr->tf_modify.sec, 981173106);
	CHECK_EQ_I64(rr->tf_access.sec, 981173107);
	CHECK_EQ_I64(rr->tf_attr.sec, 981173108);
	CHECK_STR(rr->name, "Ti\xe1\xba\xbfng Vi\xe1\xbb\x87t.txt");
	CHECK(rr->has_pn);
	CHECK_EQ_U32(rr->dev_low, 0x0103);
	CHECK_EQ_U32(rr->dev_high, 0x12);
	CHECK_STR(rr->target, "/usr/..");
	CHECK_EQ_I64(rr->er_count, 1);
	CHECK_STR(rr->er_id, "IEEE_1282");
	CHECK(rr->has_ce);
	CHECK_EQ_U32(rr->ce.block, 40);
	CHECK_EQ_U32(rr->ce.offset, 100);
	CHECK_EQ_U32(rr->ce.length, 200);
	free(heap);

	tap_note("CL, PL, RE");
	n = 0;
	n += rrip_put_cl(a + n, 1234);
	n += rrip_put_pl(a + n, 99);
	n += rrip_put_re(a + n);
	CHECK_EQ_U64(n, 28);
	heap = malloc(n); /* exactly the area, so ASan sees any over-read */
	memcpy(heap, a, n);
	rr_info_reset(rr);
	susp_parse(heap, n, rr);
	free(heap);
	CHECK(!rr->malformed);
	CHECK(rr->has_cl && rr->has_pl && rr->has_re);
	CHECK_EQ_U32(rr->cl_lba, 1234);
	CHECK_EQ_U32(rr->pl_lba, 99);
	free(rr);
}

int main(void)
{
	test_dates();
	test_utf8();
	test_dirrec();
	test_vd();
	test_susp();
	return tap_done();
}
