// SPDX-License-Identifier: MIT
/* Directory records (ECMA-119 9.1) decoded from hand-built bytes. Layout:
 * LEN_DR(1) XA(1) extent(8, 7.3.3) size(8, 7.3.3) date(7) flags(1) unit(1)
 * gap(1) seq(4, 7.2.3) LEN_FI(1) identifier, a pad byte when LEN_FI is even
 * (9.1.12), then System Use (9.1.13). Each record is copied into a buffer of
 * exactly `avail` bytes, so ASan catches any read past it. */
#include <stdlib.h>

#include <isokit/error.h>

#include "harness/tap.h"

#include "ecma119/dirrec.h"

/* A 34-byte-or-longer record with both-endian fields spelled out. */
static size_t make_record(uint8_t *p, const char *name, size_t name_len,
			  const uint8_t *su, size_t su_len)
{
	size_t pad = (name_len & 1) ? 0 : 1;
	size_t len = 33 + name_len + pad + su_len;
	memset(p, 0, len);
	p[0] = (uint8_t)len;
	p[1] = 0;
	/* extent 0x00012345: 45 23 01 00 | 00 01 23 45 */
	static const uint8_t ext[8] = {0x45, 0x23, 0x01, 0x00,
				       0x00, 0x01, 0x23, 0x45};
	memcpy(p + 2, ext, 8);
	/* size 0x89ABCDEF */
	static const uint8_t sz[8] = {0xEF, 0xCD, 0xAB, 0x89,
				      0x89, 0xAB, 0xCD, 0xEF};
	memcpy(p + 10, sz, 8);
	static const uint8_t date[7] = {124, 1, 2, 3, 4, 5, 0};
	memcpy(p + 18, date, 7);
	p[25] = 0x81; /* hidden | multi-extent */
	p[26] = 3;
	p[27] = 4;
	/* sequence number 1: 01 00 | 00 01 */
	p[28] = 1;
	p[31] = 1;
	p[32] = (uint8_t)name_len;
	memcpy(p + 33, name, name_len);
	if (su_len)
		memcpy(p + 33 + name_len + pad, su, su_len);
	return len;
}

/* Decode from a heap copy of exactly @p avail bytes. */
static int decode_exact(const uint8_t *rec, size_t avail, struct dirrec *r,
			uint8_t **keep)
{
	uint8_t *b = malloc(avail ? avail : 1);
	if (!b)
		abort();
	memcpy(b, rec, avail);
	*keep = b;
	return dirrec_decode(b, avail, r);
}

static void test_fields(void)
{
	tap_note("fields, odd identifier length (no pad byte)");
	uint8_t rec[256];
	static const uint8_t su[4] = {'P', 'D', 4, 1};
	size_t len = make_record(rec, "A;1", 3, su, 4);
	CHECK_EQ_U64(len, 40);
	struct dirrec r;
	uint8_t *b;
	memset(&r, 0xAA, sizeof(r));
	CHECK_EQ_I64(decode_exact(rec, len, &r, &b), 0);
	CHECK_EQ_U64(r.len, 40);
	CHECK_EQ_U64(r.xa_len, 0);
	CHECK_EQ_U64(r.extent, 0x12345);
	CHECK_EQ_U64(r.size, 0x89ABCDEF);
	CHECK(r.date == b + 18);
	CHECK_EQ_U64(r.date[0], 124);
	CHECK_EQ_U64(r.flags, 0x81);
	CHECK_EQ_U64(r.unit_size, 3);
	CHECK_EQ_U64(r.gap, 4);
	CHECK_EQ_U64(r.name_len, 3);
	CHECK(r.name == b + 33);
	CHECK_MEM(r.name, "A;1", 3);
	/* 33 + 3 = 36: System Use starts right after the identifier. */
	CHECK(r.su == b + 36);
	CHECK_EQ_U64(r.su_len, 4);
	CHECK_MEM(r.su, su, 4);
	CHECK(!r.mismatch);
	CHECK(!dirrec_is_dot(&r));
	CHECK(!dirrec_is_dotdot(&r));
	free(b);

	tap_note("even identifier length: one pad byte before System Use");
	len = make_record(rec, "AB.C;1", 6, su, 4);
	CHECK_EQ_U64(len, 44); /* 33 + 6 + 1 + 4 */
	CHECK_EQ_I64(decode_exact(rec, len, &r, &b), 0);
	CHECK_EQ_U64(r.name_len, 6);
	CHECK(r.su == b + 40);
	CHECK_EQ_U64(r.su_len, 4);
	CHECK_MEM(r.su, su, 4);
	free(b);

	tap_note("no System Use");
	len = make_record(rec, "X", 1, NULL, 0);
	CHECK_EQ_U64(len, 34);
	CHECK_EQ_I64(decode_exact(rec, len, &r, &b), 0);
	CHECK_EQ_U64(r.su_len, 0);
	free(b);
	/* Even identifier whose pad byte is missing (odd LEN_DR 35): the
	 * record is still readable, there is just no System Use. */
	len = make_record(rec, "XY", 2, NULL, 0);
	CHECK_EQ_U64(len, 36);
	rec[0] = 35;
	CHECK_EQ_I64(decode_exact(rec, 35, &r, &b), 0);
	CHECK_EQ_U64(r.su_len, 0);
	free(b);

	tap_note("'.' and '..'");
	len = make_record(rec, "\0", 1, NULL, 0);
	CHECK_EQ_I64(decode_exact(rec, len, &r, &b), 0);
	CHECK(dirrec_is_dot(&r));
	CHECK(!dirrec_is_dotdot(&r));
	free(b);
	len = make_record(rec, "\1", 1, NULL, 0);
	CHECK_EQ_I64(decode_exact(rec, len, &r, &b), 0);
	CHECK(dirrec_is_dotdot(&r));
	CHECK(!dirrec_is_dot(&r));
	free(b);
}

static void test_bounds(void)
{
	tap_note("length bounds");
	uint8_t rec[300];
	static const uint8_t su[8] = {'P', 'D', 8, 1, 0, 0, 0, 0};
	struct dirrec r;
	uint8_t *b;
	size_t len = make_record(rec, "FILE.TXT;1", 10, su, 8);
	CHECK_EQ_U64(len, 52);
	/* The record exactly fills what is left of the sector. */
	CHECK_EQ_I64(decode_exact(rec, len, &r, &b), 0);
	free(b);
	/* Its length byte claims more than is left. */
	CHECK_EQ_I64(decode_exact(rec, len - 1, &r, &b), ISOKIT_E_CORRUPT);
	free(b);
	/* Fewer than 34 bytes left at all. */
	CHECK_EQ_I64(decode_exact(rec, 33, &r, &b), ISOKIT_E_CORRUPT);
	free(b);
	/* LEN_DR below the 34-byte minimum. */
	for (uint8_t l = 0; l < 34; l += 11) {
		rec[0] = l;
		CHECK_EQ_I64(decode_exact(rec, len, &r, &b), ISOKIT_E_CORRUPT);
		free(b);
	}
	rec[0] = 33;
	CHECK_EQ_I64(decode_exact(rec, len, &r, &b), ISOKIT_E_CORRUPT);
	free(b);
	rec[0] = (uint8_t)len;
	/* The identifier runs past the record: 33 + 20 > 52. */
	rec[32] = 20;
	CHECK_EQ_I64(decode_exact(rec, len, &r, &b), ISOKIT_E_CORRUPT);
	free(b);
	/* ...exactly to its end is fine: 33 + 19 = 52. */
	rec[32] = 19;
	CHECK_EQ_I64(decode_exact(rec, len, &r, &b), 0);
	CHECK_EQ_U64(r.name_len, 19);
	CHECK_EQ_U64(r.su_len, 0);
	free(b);
	/* A zero-length identifier is not a record. */
	rec[32] = 0;
	CHECK_EQ_I64(decode_exact(rec, len, &r, &b), ISOKIT_E_CORRUPT);
	free(b);
	/* Longest record: 255 bytes. */
	uint8_t big[255];
	uint8_t su_big[255 - 34];
	memset(su_big, 0, sizeof(su_big));
	len = make_record(big, "Z", 1, su_big, sizeof(su_big));
	CHECK_EQ_U64(len, 255);
	CHECK_EQ_I64(decode_exact(big, len, &r, &b), 0);
	CHECK_EQ_U64(r.su_len, 221);
	free(b);
}

static void test_mismatch(void)
{
	tap_note("both-endian mismatch");
	uint8_t rec[64];
	struct dirrec r;
	uint8_t *b;
	size_t len = make_record(rec, "A", 1, NULL, 0);
	rec[9] = 0x46; /* extent BE half: ...45 -> ...46 */
	CHECK_EQ_I64(decode_exact(rec, len, &r, &b), 0);
	CHECK(r.mismatch);
	CHECK_EQ_U64(r.extent, 0x12345); /* LE half wins */
	free(b);

	len = make_record(rec, "A", 1, NULL, 0);
	rec[14] = 0x00; /* size BE half */
	CHECK_EQ_I64(decode_exact(rec, len, &r, &b), 0);
	CHECK(r.mismatch);
	CHECK_EQ_U64(r.size, 0x89ABCDEF);
	free(b);

	len = make_record(rec, "A", 1, NULL, 0);
	rec[31] = 2; /* volume sequence number BE half */
	CHECK_EQ_I64(decode_exact(rec, len, &r, &b), 0);
	CHECK(r.mismatch);
	free(b);

	/* The flag is reset for every record. */
	len = make_record(rec, "A", 1, NULL, 0);
	r.mismatch = true;
	CHECK_EQ_I64(decode_exact(rec, len, &r, &b), 0);
	CHECK(!r.mismatch);
	free(b);
}

int main(void)
{
	test_fields();
	test_bounds();
	test_mismatch();
	return tap_done();
}
