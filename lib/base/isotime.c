// SPDX-License-Identifier: MIT
/* Conversion of ECMA-119 dates to seconds since the epoch, UTC. */
#include "base/isotime.h"

#include <string.h>

int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* Howard Hinnant's algorithm: shift the year to start in March so
	 * the leap day is the last day of the year. */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The zone byte counts 15-minute steps from GMT. Linux only trusts -52..52
 * (13 hours) because old mkisofs wrote garbage there; we do the same. */
static int64_t zone_seconds(int8_t z)
{
	if (z < -52 || z > 52)
		return 0;
	return (int64_t)z * 15 * 60;
}

struct isokit_time isotime_decode7(const uint8_t p[7])
{
	struct isokit_time t = {0, 0, false};
	static const uint8_t zero[7];
	if (memcmp(p, zero, 7) == 0)
		return t;
	unsigned mon = p[1], day = p[2];
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || p[3] > 23 ||
	    p[4] > 59 || p[5] > 60)
		return t;
	int64_t days = days_from_civil(1900 + (int64_t)p[0], mon, day);
	t.sec = days * 86400 + p[3] * 3600 + p[4] * 60 + p[5] -
		zone_seconds((int8_t)p[6]);
	t.valid = true;
	return t;
}

static int digits(const uint8_t *p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

struct isokit_time isotime_decode17(const uint8_t p[17])
{
	struct isokit_time t = {0, 0, false};
	int y, mo, d, h, mi, s, cs;
	if (digits(p, 4, &y) || digits(p + 4, 2, &mo) || digits(p + 6, 2, &d) ||
	    digits(p + 8, 2, &h) || digits(p + 10, 2, &mi) ||
	    digits(p + 12, 2, &s) || digits(p + 14, 2, &cs))
		return t;
	if (y == 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || s > 60)
		return t;
	int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	t.sec = days * 86400 + h * 3600 + mi * 60 + s -
		zone_seconds((int8_t)p[16]);
	t.nsec = cs * 10000000;
	t.valid = true;
	return t;
}

/* The inverse of days_from_civil (same algorithm, run backwards). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

struct isotime_parts isotime_split(int64_t sec)
{
	struct isotime_parts b;
	int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
	int64_t rem = sec - days * 86400;
	civil_from_days(days, &b.year, &b.mon, &b.day);
	b.hour = (unsigned)(rem / 3600);
	b.min = (unsigned)(rem % 3600 / 60);
	b.sec = (unsigned)(rem % 60);
	return b;
}

/* The 7-byte form counts years from 1900 in one byte: 1900..2155. Times
 * outside are clamped to the first or last second it can hold. */
#define SEVEN_MIN (-2208988800LL)  /* 1900-01-01 00:00:00 UTC */
#define SEVEN_MAX (5869583999LL)   /* 2155-12-31 23:59:59 UTC */

void isotime_encode7(int64_t sec, uint8_t p[7])
{
	if (sec < SEVEN_MIN)
		sec = SEVEN_MIN;
	if (sec > SEVEN_MAX)
		sec = SEVEN_MAX;
	struct isotime_parts b = isotime_split(sec);
	p[0] = (uint8_t)(b.year - 1900);
	p[1] = (uint8_t)b.mon;
	p[2] = (uint8_t)b.day;
	p[3] = (uint8_t)b.hour;
	p[4] = (uint8_t)b.min;
	p[5] = (uint8_t)b.sec;
	p[6] = 0; /* GMT */
}

static void put_digits(uint8_t *p, int n, unsigned v)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (uint8_t)('0' + v % 10);
		v /= 10;
	}
}

/* Years 1..9999 fit the four digits; outside, clamp likewise. */
#define SEVENTEEN_MIN (-62135596800LL) /* 0001-01-01 */
#define SEVENTEEN_MAX (253402300799LL) /* 9999-12-31 23:59:59 */

void isotime_encode17(int64_t sec, int32_t nsec, uint8_t p[17])
{
	if (sec < SEVENTEEN_MIN)
		sec = SEVENTEEN_MIN;
	if (sec > SEVENTEEN_MAX)
		sec = SEVENTEEN_MAX;
	struct isotime_parts b = isotime_split(sec);
	put_digits(p, 4, (unsigned)b.year);
	put_digits(p + 4, 2, b.mon);
	put_digits(p + 6, 2, b.day);
	put_digits(p + 8, 2, b.hour);
	put_digits(p + 10, 2, b.min);
	put_digits(p + 12, 2, b.sec);
	put_digits(p + 14, 2, nsec > 0 && nsec < 1000000000 ? (unsigned)nsec / 10000000u : 0);
	p[16] = 0;
}

void isotime_unspecified17(uint8_t p[17])
{
	memset(p, '0', 16);
	p[16] = 0;
}
