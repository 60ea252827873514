// SPDX-License-Identifier: MIT
/* Byte codecs of ECMA-119 7.1-7.3 (711..733), the overflow-checked helpers
 * and the bounded cursor. Expected bytes are written out by hand from the
 * spec: 7.2.1/7.3.1 least significant byte first, 7.2.2/7.3.2 most
 * significant first, 7.2.3/7.3.3 the LE form followed by the BE form. */
#include <stdlib.h>

#include "harness/tap.h"

#include "base/bytes.h"
#include "base/checked.h"
#include "base/cursor.h"

static void test_get(void)
{
	tap_note("get_7xx");
	static const uint8_t b[] = {0x12, 0x34, 0x56, 0x78,
				    0x9A, 0xBC, 0xDE, 0xF0};
	CHECK_EQ_U64(get_711(b), 0x12);
	CHECK_EQ_U64(get_711(b + 7), 0xF0);
	CHECK_EQ_U64(get_721(b), 0x3412);
	CHECK_EQ_U64(get_722(b), 0x1234);
	CHECK_EQ_U64(get_731(b), 0x78563412);
	CHECK_EQ_U64(get_732(b), 0x12345678);
	/* High bit set in every byte: no sign extension. */
	CHECK_EQ_U64(get_721(b + 6), 0xF0DE);
	CHECK_EQ_U64(get_731(b + 4), 0xF0DEBC9A);
	CHECK_EQ_U64(get_732(b + 4), 0x9ABCDEF0);
	CHECK_EQ_U64(get_le64(b), 0xF0DEBC9A78563412ull);
	/* Unaligned read. */
	CHECK_EQ_U64(get_731(b + 1), 0x9A785634);
}

static void test_both_endian(void)
{
	tap_note("get_723 / get_733");
	/* 7.2.3: 0x1234 recorded as 34 12 12 34. */
	uint8_t h[4] = {0x34, 0x12, 0x12, 0x34};
	bool mm = false;
	CHECK_EQ_U64(get_723(h, &mm), 0x1234);
	CHECK(!mm);
	h[2] = 0x13; /* big-endian half disagrees */
	CHECK_EQ_U64(get_723(h, &mm), 0x1234); /* LE half wins */
	CHECK(mm);
	/* Without a flag pointer the mismatch is simply ignored. */
	CHECK_EQ_U64(get_723(h, NULL), 0x1234);

	/* 7.3.3: 0x12345678 recorded as 78 56 34 12 12 34 56 78. */
	uint8_t w[8] = {0x78, 0x56, 0x34, 0x12, 0x12, 0x34, 0x56, 0x78};
	mm = false;
	CHECK_EQ_U64(get_733(w, &mm), 0x12345678);
	CHECK(!mm);
	w[7] = 0x79;
	CHECK_EQ_U64(get_733(w, &mm), 0x12345678);
	CHECK(mm);
	/* The flag is sticky: a later agreeing field does not clear it. */
	w[7] = 0x78;
	CHECK_EQ_U64(get_733(w, &mm), 0x12345678);
	CHECK(mm);
	/* LE half damaged instead: the (wrong) LE value is still returned. */
	w[0] = 0x00;
	mm = false;
	CHECK_EQ_U64(get_733(w, &mm), 0x12345600);
	CHECK(mm);
	/* A zero in both halves agrees. */
	static const uint8_t z[8];
	mm = false;
	CHECK_EQ_U64(get_733(z, &mm), 0);
	CHECK(!mm);
}

static void test_put(void)
{
	tap_note("put_7xx");
	uint8_t b[10];
	memset(b, 0xEE, sizeof(b));
	put_721(b, 0xABCD);
	static const uint8_t e721[] = {0xCD, 0xAB, 0xEE};
	CHECK_MEM(b, e721, 3);

	memset(b, 0xEE, sizeof(b));
	put_722(b, 0xABCD);
	static const uint8_t e722[] = {0xAB, 0xCD, 0xEE};
	CHECK_MEM(b, e722, 3);

	memset(b, 0xEE, sizeof(b));
	put_723(b, 0x0800);
	static const uint8_t e723[] = {0x00, 0x08, 0x08, 0x00, 0xEE};
	CHECK_MEM(b, e723, 5);

	memset(b, 0xEE, sizeof(b));
	put_731(b, 0x01020304);
	static const uint8_t e731[] = {0x04, 0x03, 0x02, 0x01, 0xEE};
	CHECK_MEM(b, e731, 5);

	memset(b, 0xEE, sizeof(b));
	put_732(b, 0x01020304);
	static const uint8_t e732[] = {0x01, 0x02, 0x03, 0x04, 0xEE};
	CHECK_MEM(b, e732, 5);

	memset(b, 0xEE, sizeof(b));
	put_733(b, 0xFFFFF800u);
	static const uint8_t e733[] = {0x00, 0xF8, 0xFF, 0xFF, 0xFF,
				       0xFF, 0xF8, 0x00, 0xEE};
	CHECK_MEM(b, e733, 9);

	/* Round trip through the readers. */
	bool mm = false;
	CHECK_EQ_U64(get_733(b, &mm), 0xFFFFF800u);
	CHECK(!mm);
	put_723(b, 0xFFFF);
	CHECK_EQ_U64(get_723(b, &mm), 0xFFFF);
	CHECK(!mm);
}

static void test_checked(void)
{
	tap_note("checked arithmetic");
	uint64_t r = 0;
	CHECK(!ckd_add_u64(&r, 1, 2));
	CHECK_EQ_U64(r, 3);
	CHECK(ckd_add_u64(&r, UINT64_MAX, 1));
	CHECK(!ckd_add_u64(&r, UINT64_MAX - 1, 1));
	CHECK_EQ_U64(r, UINT64_MAX);
	CHECK(!ckd_mul_u64(&r, 0xFFFFFFFFull, 2048));
	CHECK_EQ_U64(r, 0x7FFFFFFF800ull);
	CHECK(ckd_mul_u64(&r, UINT64_MAX / 2048 + 1, 2048));

	CHECK(range_inside(0, 0, 0));
	CHECK(range_inside(0, 10, 10));
	CHECK(!range_inside(1, 10, 10));
	CHECK(range_inside(10, 0, 10));
	CHECK(!range_inside(11, 0, 10));
	/* off + len wraps around: must not look "inside". */
	CHECK(!range_inside(UINT64_MAX, 2, 100));
	CHECK(!range_inside(2, UINT64_MAX, 100));
}

static void test_cursor(void)
{
	tap_note("cursor");
	static const uint8_t d[6] = {1, 2, 3, 4, 5, 6};
	struct cursor c = cursor_make(d, sizeof(d));
	struct cursor sub = {NULL, 0};
	CHECK(cursor_has(&c, 6));
	CHECK(!cursor_has(&c, 7));
	CHECK(cursor_take(&c, 2, &sub));
	CHECK(sub.p == d);
	CHECK_EQ_U64(sub.len, 2);
	CHECK(c.p == d + 2);
	CHECK_EQ_U64(c.len, 4);
	/* Too long: fails and does not move. */
	CHECK(!cursor_take(&c, 5, &sub));
	CHECK(c.p == d + 2);
	CHECK_EQ_U64(c.len, 4);
	CHECK(!cursor_skip(&c, 5));
	CHECK_EQ_U64(c.len, 4);
	CHECK(cursor_skip(&c, 4));
	CHECK_EQ_U64(c.len, 0);
	CHECK(c.p == d + 6);
	CHECK(cursor_has(&c, 0));
	CHECK(!cursor_has(&c, 1));
	CHECK(cursor_take(&c, 0, &sub));
	CHECK_EQ_U64(sub.len, 0);
}

int main(void)
{
	test_get();
	test_both_endian();
	test_put();
	test_checked();
	test_cursor();
	return tap_done();
}
