// SPDX-License-Identifier: MIT
/* UTF-16BE to UTF-8 for Joliet, and padded-field trimming. */
#include "base/charset.h"

#include <string.h>

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

size_t utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	*cp = 0xFFFD;
	if (len == 0)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	size_t n;
	uint32_t v, min;
	if ((u[0] & 0xE0) == 0xC0) {
		n = 2, v = u[0] & 0x1Fu, min = 0x80;
	} else if ((u[0] & 0xF0) == 0xE0) {
		n = 3, v = u[0] & 0x0Fu, min = 0x800;
	} else if ((u[0] & 0xF8) == 0xF0) {
		n = 4, v = u[0] & 0x07u, min = 0x10000;
	} else {
		return 1;
	}
	if (n > len)
		return 1;
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 1;
		v = (v << 6) | (u[i] & 0x3Fu);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 1;
	*cp = v;
	return n;
}

size_t utf16_units(uint32_t cp, uint16_t out[2])
{
	if (cp < 0x10000) {
		out[0] = (uint16_t)cp;
		return 1;
	}
	cp -= 0x10000;
	out[0] = (uint16_t)(0xD800 + (cp >> 10));
	out[1] = (uint16_t)(0xDC00 + (cp & 0x3FF));
	return 2;
}

size_t utf8_to_utf16(const char *s, size_t len, uint16_t *out, size_t max)
{
	size_t n = 0;
	while (len > 0) {
		uint32_t cp;
		size_t used = utf8_decode(s, len, &cp);
		uint16_t u[2];
		size_t k = utf16_units(cp, u);
		if (n + k > max)
			break;
		for (size_t i = 0; i < k; i++)
			out[n++] = u[i];
		s += used;
		len -= used;
	}
	return n;
}

void utf8_copy_cut(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}
