// SPDX-License-Identifier: MIT
/* UTF-16BE to UTF-8 for Joliet, and padded-field trimming. */
#include "base/charset.h"

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t ucs2be_to_utf8(const uint8_t *in, size_t len, char *out)
{
	size_t o = 0;
	size_t n = len / 2;
	for (size_t i = 0; i < n; i++) {
		uint32_t u = ((uint32_t)in[2 * i] << 8) | in[2 * i + 1];
		if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n) {
			uint32_t lo = ((uint32_t)in[2 * i + 2] << 8) |
				      in[2 * i + 3];
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) +
				    (lo - 0xDC00);
				i++;
			} else {
				u = 0xFFFD;
			}
		} else if (u >= 0xD800 && u <= 0xDFFF) {
			u = 0xFFFD;
		}
		/* A pair (4 bytes of UTF-8) consumed 4 bytes of input, so
		 * 3 bytes of output per input unit is always enough. */
		o += put_utf8(out + o, u);
	}
	out[o] = '\0';
	return o;
}

void field_trim(const uint8_t *in, size_t len, char *out)
{
	size_t n = len;
	while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\0'))
		n--;
	for (size_t i = 0; i < n; i++)
		out[i] = in[i] ? (char)in[i] : ' ';
	out[n] = '\0';
}
