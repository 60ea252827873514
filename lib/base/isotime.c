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
