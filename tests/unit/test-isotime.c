// SPDX-License-Identifier: MIT
/* ECMA-119 dates: the 7-byte binary form (9.1.5) and the 17-byte digit
 * form (8.4.26.1), and days_from_civil(). Expected epoch seconds were
 * worked out by hand (365/366-day years) and cross-checked with an
 * independent calendar (Python's calendar.timegm). */
#include "harness/tap.h"

#include "base/isotime.h"

/* 2000-01-01 00:00:00 UTC */
#define Y2K 946684800LL

static struct isokit_time d7(uint8_t y, uint8_t mo, uint8_t d, uint8_t h,
			     uint8_t mi, uint8_t s, int8_t zone)
{
	const uint8_t p[7] = {y, mo, d, h, mi, s, (uint8_t)zone};
	return isotime_decode7(p);
}

static struct isokit_time d17(const char *digits16, int8_t zone)
{
	uint8_t p[17];
	memcpy(p, digits16, 16);
	p[16] = (uint8_t)zone;
	return isotime_decode17(p);
}

static void test_days(void)
{
	tap_note("days_from_civil");
	CHECK_EQ_I64(days_from_civil(1970, 1, 1), 0);
	CHECK_EQ_I64(days_from_civil(1969, 12, 31), -1);
	CHECK_EQ_I64(days_from_civil(1970, 1, 2), 1);
	CHECK_EQ_I64(days_from_civil(2000, 1, 1), 10957);
	/* 2000 is a leap year (divisible by 400). */
	CHECK_EQ_I64(days_from_civil(2000, 3, 1), 11017);
	CHECK_EQ_I64(days_from_civil(2000, 2, 29), 11016);
	CHECK_EQ_I64(days_from_civil(1960, 1, 1), -3653);
	CHECK_EQ_I64(days_from_civil(1900, 1, 1), -25567);
	/* 2100 is not (divisible by 100): Jan 31 + Feb 28 = 59 days. */
	CHECK_EQ_I64(days_from_civil(2100, 1, 1), 47482);
	CHECK_EQ_I64(days_from_civil(2100, 3, 1), 47541);
	CHECK_EQ_I64(days_from_civil(2038, 1, 19), 24855);
	CHECK_EQ_I64(days_from_civil(2155, 12, 31), 67934);
	CHECK_EQ_I64(days_from_civil(1600, 1, 1), -135140);
	CHECK_EQ_I64(days_from_civil(1, 1, 1), -719162);
}

static void test_decode7(void)
{
	tap_note("7-byte dates");
	struct isokit_time t = d7(70, 1, 1, 0, 0, 0, 0);
	CHECK(t.valid);
	CHECK_EQ_I64(t.sec, 0);
	CHECK_EQ_I64(t.nsec, 0);

	t = d7(100, 1, 1, 0, 0, 0, 0);
	CHECK(t.valid);
	CHECK_EQ_I64(t.sec, Y2K);

	t = d7(99, 12, 31, 23, 59, 59, 0);
	CHECK_EQ_I64(t.sec, Y2K - 1);

	/* 2021-03-04 05:06:07 */
	t = d7(121, 3, 4, 5, 6, 7, 0);
	CHECK_EQ_I64(t.sec, 1614834367LL);

	/* Zone: local time = UTC + zone * 15 min, so UTC = local - offset.
	 * 09:00 at +9h (36 units) and 19:00 the day before at -5h (-20)
	 * are both midnight UTC. */
	t = d7(100, 1, 1, 9, 0, 0, 36);
	CHECK(t.valid);
	CHECK_EQ_I64(t.sec, Y2K);
	t = d7(99, 12, 31, 19, 0, 0, -20);
	CHECK_EQ_I64(t.sec, Y2K);
	/* The extremes still trusted: +-52 (13 hours). */
	t = d7(100, 1, 1, 13, 0, 0, 52);
	CHECK_EQ_I64(t.sec, Y2K);
	t = d7(99, 12, 31, 11, 0, 0, -52);
	CHECK_EQ_I64(t.sec, Y2K);
	/* Out of range: ignored (treated as GMT), the date stays valid. */
	t = d7(100, 1, 1, 0, 0, 0, 53);
	CHECK(t.valid);
	CHECK_EQ_I64(t.sec, Y2K);
	t = d7(100, 1, 1, 0, 0, 0, -53);
	CHECK_EQ_I64(t.sec, Y2K);
	t = d7(100, 1, 1, 0, 0, 0, 127);
	CHECK_EQ_I64(t.sec, Y2K);
	t = d7(100, 1, 1, 0, 0, 0, -128);
	CHECK_EQ_I64(t.sec, Y2K);

	/* Before 1970: negative seconds. 1960-01-01 is 3653 days before. */
	t = d7(60, 1, 1, 0, 0, 0, 0);
	CHECK(t.valid);
	CHECK_EQ_I64(t.sec, -3653LL * 86400);
	/* Year byte 0 = 1900. */
	t = d7(0, 1, 1, 0, 0, 0, 0);
	CHECK(t.valid);
	CHECK_EQ_I64(t.sec, -25567LL * 86400);
	/* Past 2038 (no 32-bit wrap). */
	t = d7(138, 1, 19, 3, 14, 8, 0);
	CHECK_EQ_I64(t.sec, 2147483648LL);
	t = d7(200, 1, 1, 0, 0, 0, 0);
	CHECK(t.valid);
	CHECK_EQ_I64(t.sec, 4102444800LL);
	t = d7(200, 3, 1, 0, 0, 0, 0);
	CHECK_EQ_I64(t.sec, 47541LL * 86400);
	/* Largest year the byte holds: 2155. */
	t = d7(255, 12, 31, 23, 59, 59, 0);
	CHECK_EQ_I64(t.sec, 5869583999LL);

	/* All zero: "not recorded". */
	t = d7(0, 0, 0, 0, 0, 0, 0);
	CHECK(!t.valid);
	/* Impossible fields. */
	t = d7(100, 13, 1, 0, 0, 0, 0);
	CHECK(!t.valid);
	t = d7(100, 1, 32, 0, 0, 0, 0);
	CHECK(!t.valid);
	t = d7(100, 1, 1, 24, 0, 0, 0);
	CHECK(!t.valid);
	t = d7(100, 0, 1, 0, 0, 0, 0);
	CHECK(!t.valid);
}

static void test_decode17(void)
{
	tap_note("17-byte dates");
	struct isokit_time t = d17("1970010100000000", 0);
	CHECK(t.valid);
	CHECK_EQ_I64(t.sec, 0);
	CHECK_EQ_I64(t.nsec, 0);

	/* Hundredths become nanoseconds. */
	t = d17("2000010100000050", 0);
	CHECK(t.valid);
	CHECK_EQ_I64(t.sec, Y2K);
	CHECK_EQ_I64(t.nsec, 500000000);
	t = d17("2021030405060799", 0);
	CHECK_EQ_I64(t.sec, 1614834367LL);
	CHECK_EQ_I64(t.nsec, 990000000);

	/* Zones as in the 7-byte form. */
	t = d17("2000010109000000", 36);
	CHECK_EQ_I64(t.sec, Y2K);
	t = d17("1999123119000000", -20);
	CHECK_EQ_I64(t.sec, Y2K);
	t = d17("2000010100000000", 60); /* out of range: ignored */
	CHECK(t.valid);
	CHECK_EQ_I64(t.sec, Y2K);
	t = d17("2000010100000000", -100);
	CHECK_EQ_I64(t.sec, Y2K);

	t = d17("1960010100000000", 0);
	CHECK(t.valid);
	CHECK_EQ_I64(t.sec, -3653LL * 86400);
	t = d17("2100010100000000", 0);
	CHECK(t.valid);
	CHECK_EQ_I64(t.sec, 4102444800LL);
	t = d17("9999123123595900", 0);
	CHECK(t.valid);
	/* 9999-12-31 23:59:59 = 253402300799 */
	CHECK_EQ_I64(t.sec, 253402300799LL);

	/* "Not specified": sixteen '0' digits and a zero zone. */
	t = d17("0000000000000000", 0);
	CHECK(!t.valid);
	/* Year 0000 does not exist (8.4.26.1: years 1 to 9999). */
	t = d17("0000010100000000", 0);
	CHECK(!t.valid);
	/* Binary zeros instead of digits (seen from MagicISO). */
	static const uint8_t nul[17];
	t = isotime_decode17(nul);
	CHECK(!t.valid);
	/* Spaces, a non-digit, impossible month. */
	t = d17("                ", 0);
	CHECK(!t.valid);
	t = d17("2000O10100000000", 0);
	CHECK(!t.valid);
	t = d17("2000130100000000", 0);
	CHECK(!t.valid);
	t = d17("2000010000000000", 0);
	CHECK(!t.valid);
}

int main(void)
{
	test_days();
	test_decode7();
	test_decode17();
	return tap_done();
}
