// SPDX-License-Identifier: MIT
/* UCS-2BE/UTF-16BE to UTF-8 (Joliet) and field_trim(). The UTF-8 bytes are
 * written out by hand from the code points (RFC 3629 table). Output
 * buffers are allocated at exactly the documented size so that ASan sees a
 * one-byte overrun. */
#include <stdlib.h>

#include "harness/tap.h"

#include "base/charset.h"

/* Convert with an output buffer of exactly 3 * (len / 2) + 1 bytes and
 * compare with the expected UTF-8 (NUL-terminated). */
static void conv(const uint8_t *in, size_t len, const char *expect, int line)
{
	size_t cap = 3 * (len / 2) + 1;
	char *out = malloc(cap);
	if (!out)
		abort();
	memset(out, 0x55, cap);
	size_t n = ucs2be_to_utf8(in, len, out);
	tap_eq_u64_(n, strlen(expect), "ucs2be_to_utf8 length", "strlen(expect)",
		    __FILE__, line);
	tap_mem_(out, expect, strlen(expect) + 1, "ucs2be_to_utf8 bytes",
		 "expect", __FILE__, line);
	free(out);
}

#define CONV(in, expect) conv((in), sizeof(in), (expect), __LINE__)

static void test_ucs2(void)
{
	tap_note("ucs2be_to_utf8");
	static const uint8_t ascii[] = {0, 'R', 0, 'E', 0, 'A', 0, 'D',
					0, 'M', 0, 'E', 0, '.', 0, 't'};
	CONV(ascii, "README.t");

	/* "Tiếng Việt": U+1EBF -> E1 BA BF, U+1EC7 -> E1 BB 87. */
	static const uint8_t viet[] = {0x00, 0x54, 0x00, 0x69, 0x1E, 0xBF,
				       0x00, 0x6E, 0x00, 0x67, 0x00, 0x20,
				       0x00, 0x56, 0x00, 0x69, 0x1E, 0xC7,
				       0x00, 0x74};
	CONV(viet, "Ti\xE1\xBA\xBFng Vi\xE1\xBB\x87t");

	/* Two-byte forms: é U+00E9 -> C3 A9, đ U+0111 -> C4 91. */
	static const uint8_t two[] = {0x00, 0xE9, 0x01, 0x11};
	CONV(two, "\xC3\xA9\xC4\x91");

	/* CJK: 日本 U+65E5 U+672C. */
	static const uint8_t cjk[] = {0x65, 0xE5, 0x67, 0x2C};
	CONV(cjk, "\xE6\x97\xA5\xE6\x9C\xAC");

	/* Boundaries of the UTF-8 length classes. */
	static const uint8_t b1[] = {0x00, 0x7F};
	CONV(b1, "\x7F");
	static const uint8_t b2[] = {0x00, 0x80};
	CONV(b2, "\xC2\x80");
	static const uint8_t b3[] = {0x07, 0xFF};
	CONV(b3, "\xDF\xBF");
	static const uint8_t b4[] = {0x08, 0x00};
	CONV(b4, "\xE0\xA0\x80");
	static const uint8_t b5[] = {0xFF, 0xFD};
	CONV(b5, "\xEF\xBF\xBD");

	/* Surrogate pair D83D DE00 = U+1F600 -> F0 9F 98 80. */
	static const uint8_t emoji[] = {0x00, 'a', 0xD8, 0x3D, 0xDE, 0x00,
					0x00, 'b'};
	CONV(emoji, "a\xF0\x9F\x98\x80" "b");
	/* U+10FFFF = DBFF DFFF -> F4 8F BF BF. */
	static const uint8_t maxcp[] = {0xDB, 0xFF, 0xDF, 0xFF};
	CONV(maxcp, "\xF4\x8F\xBF\xBF");

	/* Lone surrogates become U+FFFD (EF BF BD), and the unit after a
	 * lone high surrogate is kept. */
	static const uint8_t hi_end[] = {0x00, 'x', 0xD8, 0x3D};
	CONV(hi_end, "x\xEF\xBF\xBD");
	static const uint8_t hi_a[] = {0xD8, 0x3D, 0x00, 'A'};
	CONV(hi_a, "\xEF\xBF\xBD" "A");
	static const uint8_t lo[] = {0xDE, 0x00, 0x00, 'A'};
	CONV(lo, "\xEF\xBF\xBD" "A");
	static const uint8_t hi_hi_lo[] = {0xD8, 0x3D, 0xD8, 0x3D, 0xDE, 0x00};
	CONV(hi_hi_lo, "\xEF\xBF\xBD\xF0\x9F\x98\x80");
	static const uint8_t lo_hi[] = {0xDC, 0x00, 0xD8, 0x00};
	CONV(lo_hi, "\xEF\xBF\xBD\xEF\xBF\xBD");

	/* Worst case for the documented buffer size: all three-byte
	 * characters. */
	static const uint8_t wide[] = {0x30, 0x42, 0x30, 0x44, 0x30, 0x46,
				       0x30, 0x48};
	CONV(wide, "\xE3\x81\x82\xE3\x81\x84\xE3\x81\x86\xE3\x81\x88");

	/* An odd trailing byte is not half a character. */
	static const uint8_t odd[] = {0x00, 'o', 0x00, 'k', 0x00};
	CONV(odd, "ok");
	/* Empty input. */
	char one[1] = {'X'};
	CHECK_EQ_U64(ucs2be_to_utf8((const uint8_t *)"", 0, one), 0);
	CHECK_EQ_U64((uint8_t)one[0], 0);
}

static void trim(const char *in, size_t len, const char *expect, int line)
{
	char *out = malloc(len + 1);
	uint8_t *src = malloc(len ? len : 1);
	if (!out || !src)
		abort();
	memcpy(src, in, len);
	memset(out, 0x55, len + 1);
	field_trim(src, len, out);
	tap_mem_(out, expect, strlen(expect) + 1, "field_trim", "expect",
		 __FILE__, line);
	free(out);
	free(src);
}

#define TRIM(lit, expect) trim((lit), sizeof(lit) - 1, (expect), __LINE__)

static void test_trim(void)
{
	tap_note("field_trim");
	TRIM("CDROM     ", "CDROM");
	TRIM("A B  ", "A B");
	TRIM("NOPAD", "NOPAD");
	TRIM("        ", "");
	TRIM("", "");
	/* Trailing NULs as well as spaces. */
	TRIM("LABEL\0\0 \0", "LABEL");
	/* A NUL inside the text becomes a space. */
	TRIM("A\0B  ", "A B");
	/* Leading spaces stay. */
	TRIM("  X ", "  X");
	/* Bytes that are not ASCII are kept as they are. */
	TRIM("caf\xE9  ", "caf\xE9");
	/* A full 32-byte field. */
	TRIM("0123456789ABCDEF0123456789ABCDEF",
	     "0123456789ABCDEF0123456789ABCDEF");
}

int main(void)
{
	test_ucs2();
	test_trim();
	return tap_done();
}
