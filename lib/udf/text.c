// SPDX-License-Identifier: MIT
/* UDF characters and times: OSTA Compressed Unicode (UDF 2.1.1), dstrings
 * (ECMA-167 1/7.2.12), timestamps (1/7.3), entity identifiers (1/7.4). */
#include <string.h>

#include "base/bytes.h"
#include "base/charset.h"
#include "base/isotime.h"
#include "udf/udf.h"

int udf_cs0_to_utf8(const uint8_t *p, size_t len, char *out)
{
	out[0] = '\0';
	if (len == 0)
		return 0;
	uint8_t id = p[0];
	p++;
	len--;
	if (id == 16 || id == 255)
		return (int)ucs2be_to_utf8(p, len & ~(size_t)1, out);
	if (id != 8 && id != 254)
		return -1;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < 0x80) {
			out[n++] = (char)p[i];
		} else {
			out[n++] = (char)(0xC0 | (p[i] >> 6));
			out[n++] = (char)(0x80 | (p[i] & 0x3F));
		}
	}
	out[n] = '\0';
	return (int)n;
}

void udf_dstring(const uint8_t *p, size_t field, char *out)
{
	out[0] = '\0';
	if (field < 2)
		return;
	size_t used = p[field - 1];
	if (used == 0 || used > field - 1 || udf_cs0_to_utf8(p, used, out) < 0)
		out[0] = '\0';
}

struct isokit_time udf_time_decode(const uint8_t *p)
{
	struct isokit_time t = {0};
	uint16_t type_tz = get_721(p);
	int year = get_721(p + 2);
	unsigned mon = p[4], day = p[5], hour = p[6], min = p[7], sec = p[8];
	if (year == 0 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 ||
	    sec > 60 || p[9] > 99 || p[10] > 99 || p[11] > 99)
		return t;
	t.sec = days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
	/* type 1 (local time) carries a zone in minutes, 12 bits signed;
	 * -2047 means "not specified", read as UTC */
	int tz = type_tz & 0x0FFF;
	if (tz & 0x0800)
		tz -= 0x1000;
	if ((type_tz >> 12) == 1 && tz >= -1440 && tz <= 1440)
		t.sec -= (int64_t)tz * 60;
	t.nsec = (int32_t)(p[9] * 10000000 + p[10] * 100000 + p[11] * 1000);
	t.valid = true;
	return t;
}

void udf_regid_ident(const uint8_t *p, char *out)
{
	/* flags at byte 0, the identifier in bytes 1-23 */
	size_t n = 0;
	for (size_t i = 1; i < 24; i++)
		if (p[i] >= 0x20 && p[i] < 0x7F)
			out[n++] = (char)p[i];
		else if (p[i] == 0)
			break;
	out[n] = '\0';
}
