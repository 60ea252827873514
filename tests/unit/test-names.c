// SPDX-License-Identifier: MIT
/* Names in each namespace: plain ISO 9660 identifiers (ECMA-119 7.5,
 * "NAME.EXT;VERSION"), Joliet UCS-2BE identifiers with or without ";1",
 * and the safe-path-component check. Output buffers have exactly the
 * documented size (ASan). */
#include <stdlib.h>

#include "harness/tap.h"

#include "read/internal.h"

static void iso(const char *id, size_t len, bool is_dir, const char *expect,
		int line)
{
	uint8_t *in = malloc(len ? len : 1);
	char *out = malloc(len + 1);
	if (!in || !out)
		abort();
	memcpy(in, id, len);
	size_t n = iso_name(in, len, is_dir, out);
	tap_eq_u64_(n, strlen(expect), "iso_name length", "strlen(expect)",
		    __FILE__, line);
	tap_str_(out, expect, "iso_name", "expect", __FILE__, line);
	free(in);
	free(out);
}

#define ISO(lit, dir, expect) iso((lit), sizeof(lit) - 1, (dir), (expect), __LINE__)

static void test_iso(void)
{
	tap_note("iso_name");
	ISO("FOO.TXT;1", false, "FOO.TXT");
	ISO("FOO.TXT;12", false, "FOO.TXT");
	ISO("FOO.TXT;32767", false, "FOO.TXT");
	/* No extension: "LINK.;1" is the file LINK. */
	ISO("LINK.;1", false, "LINK");
	/* No version (FreeBSD 10.1, Ubuntu 14.04 images). */
	ISO("README", false, "README");
	ISO("README.TXT", false, "README.TXT");
	/* Directories have neither separator: nothing is removed. */
	ISO("SUBDIR", true, "SUBDIR");
	ISO("DIR.EXT", true, "DIR.EXT");
	ISO("ODD;1", true, "ODD;1");
	ISO("DOT.", true, "DOT.");
	/* Single characters. */
	ISO("A", false, "A");
	ISO("A;1", false, "A");
}

static void jol(const uint8_t *id, size_t len, const char *expect, int line)
{
	uint8_t *in = malloc(len ? len : 1);
	size_t cap = 3 * len / 2 + 1;
	char *out = malloc(cap);
	if (!in || !out)
		abort();
	memcpy(in, id, len);
	size_t n = joliet_name(in, len, out);
	tap_eq_u64_(n, strlen(expect), "joliet_name length", "strlen(expect)",
		    __FILE__, line);
	tap_str_(out, expect, "joliet_name", "expect", __FILE__, line);
	free(in);
	free(out);
}

/* ASCII to UCS-2BE in a static buffer. */
static const uint8_t *u16(const char *s, size_t *len)
{
	static uint8_t b[512];
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		b[2 * i] = 0;
		b[2 * i + 1] = (uint8_t)s[i];
	}
	*len = 2 * n;
	return b;
}

static void jol_ascii(const char *s, const char *expect, int line)
{
	size_t len;
	const uint8_t *b = u16(s, &len);
	jol(b, len, expect, line);
}

#define JOL(s, expect) jol_ascii((s), (expect), __LINE__)

static void test_joliet(void)
{
	tap_note("joliet_name");
	JOL("hello.txt;1", "hello.txt");
	JOL("hello.txt", "hello.txt");
	JOL("Makefile;12", "Makefile");
	/* ';' not followed by digits stays. */
	JOL("a;b", "a;b");
	JOL("a;1b", "a;1b");
	JOL("trailing;", "trailing;");
	/* Digits without ';' stay. */
	JOL("2024", "2024");
	JOL("v10", "v10");
	/* Only the last ";digits" goes. */
	JOL("x;1;2", "x;1");
	JOL("2024;10", "2024");
	/* A dot stays (Linux strips trailing dots; we do not). */
	JOL("name.;1", "name.");

	/* Non-ASCII: "日本.txt;1". */
	static const uint8_t cjk[] = {0x65, 0xE5, 0x67, 0x2C, 0x00, '.',
				      0x00, 't',  0x00, 'x',  0x00, 't',
				      0x00, ';',  0x00, '1'};
	jol(cjk, sizeof(cjk), "\xE6\x97\xA5\xE6\x9C\xAC.txt", __LINE__);
	/* An odd identifier length: the stray byte is dropped. */
	static const uint8_t odd[] = {0x00, 'a', 0x00, 'b', 0x00};
	jol(odd, sizeof(odd), "ab", __LINE__);
}

static void test_safe(void)
{
	tap_note("name_is_safe");
	CHECK(!name_is_safe("", 0));
	CHECK(!name_is_safe(".", 1));
	CHECK(!name_is_safe("..", 2));
	CHECK(!name_is_safe("a/b", 3));
	CHECK(!name_is_safe("/", 1));
	CHECK(!name_is_safe("a/", 2));
	CHECK(!name_is_safe("a\0b", 3));
	CHECK(!name_is_safe("\0", 1));
	CHECK(name_is_safe("a", 1));
	CHECK(name_is_safe("...", 3));
	CHECK(name_is_safe(".a", 2));
	CHECK(name_is_safe("..a", 3));
	CHECK(name_is_safe("a b", 3));
	CHECK(name_is_safe("a\\b", 3));
	CHECK(name_is_safe("\xE6\x97\xA5", 3));
	/* Only the first len bytes count. */
	CHECK(name_is_safe("ab/c", 2));
	CHECK(!name_is_safe("../x", 2));
}

int main(void)
{
	test_iso();
	test_joliet();
	test_safe();
	return tap_done();
}
