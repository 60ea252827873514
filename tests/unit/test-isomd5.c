// SPDX-License-Identifier: MIT
/* The isomd5sum record decoder and fragment sums, and the MD5 of the
 * digest wrapper (RFC 1321's test vectors). Records are written here the
 * way implantisomd5 1.2.3 lays them out (see ../shared/docs/PITFALLS.md,
 * section J). */
#include <stdlib.h>

#include "harness/tap.h"

#include "integrity/digest.h"
#include "integrity/isomd5.h"

static void field(uint8_t app[512], const char *text)
{
	memset(app, ' ', 512);
	memcpy(app, text, strlen(text));
}

static void md5_hex(const char *s, char out[33])
{
	struct digest *d = digest_new(DIGEST_MD5);
	uint8_t v[64];
	if (!d) {
		strcpy(out, "libcrypto missing");
		return;
	}
	digest_update(d, s, strlen(s));
	CHECK_EQ_U64(digest_final(d, v), 16);
	digest_hex(v, 16, out);
	digest_free(d);
}

int main(void)
{
	uint8_t app[512];
	struct isokit_isomd5 r;

	tap_note("a full record, as implantisomd5 writes it");
	field(app, "ISO MD5SUM = 0123456789abcdef0123456789ABCDEF;SKIPSECTORS = 15;"
		   "RHLISOSTATUS=0;FRAGMENT SUMS = "
		   "abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345;"
		   "FRAGMENT COUNT = 20;THIS IS NOT THE SAME AS RUNNING MD5SUM ON THIS ISO!!");
	CHECK_EQ_I64(isomd5_parse(app, &r), 1);
	CHECK_STR(r.md5, "0123456789abcdef0123456789ABCDEF");
	CHECK_EQ_U32(r.skip_sectors, 15);
	CHECK_EQ_U32(r.fragment_count, 20);
	CHECK_STR(r.fragment_sums, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345");

	tap_note("no fragment sums (older implantisomd5)");
	field(app, "ISO MD5SUM = 0123456789abcdef0123456789abcdef;SKIPSECTORS = 0;RHLISOSTATUS=1;");
	CHECK_EQ_I64(isomd5_parse(app, &r), 1);
	CHECK_EQ_U32(r.skip_sectors, 0);
	CHECK_EQ_U32(r.fragment_count, 0);
	CHECK_STR(r.fragment_sums, "");

	tap_note("fewer sums than fragments (a small image): kept as written");
	field(app, "ISO MD5SUM = 0123456789abcdef0123456789abcdef;SKIPSECTORS = 15;"
		   "FRAGMENT SUMS = 38371c;FRAGMENT COUNT = 20;");
	CHECK_EQ_I64(isomd5_parse(app, &r), 1);
	CHECK_STR(r.fragment_sums, "38371c");

	tap_note("no record, and malformed ones");
	memset(app, ' ', 512);
	CHECK_EQ_I64(isomd5_parse(app, &r), 0);
	memset(app, 0, 512);
	CHECK_EQ_I64(isomd5_parse(app, &r), 0);
	field(app, "ISO MD5SUM = 0123456789abcdef;SKIPSECTORS = 15;");
	CHECK_EQ_I64(isomd5_parse(app, &r), -1); /* MD5 too short */
	field(app, "ISO MD5SUM = 0123456789abcdefg123456789abcdef;SKIPSECTORS = 15;");
	CHECK_EQ_I64(isomd5_parse(app, &r), -1); /* not hex */
	field(app, "ISO MD5SUM = 0123456789abcdef0123456789abcdef;RHLISOSTATUS=0;");
	CHECK_EQ_I64(isomd5_parse(app, &r), -1); /* SKIPSECTORS is required */
	field(app, "ISO MD5SUM = 0123456789abcdef0123456789abcdef;SKIPSECTORS = 1x;");
	CHECK_EQ_I64(isomd5_parse(app, &r), -1);
	field(app, "ISO MD5SUM = 0123456789abcdef0123456789abcdef;SKIPSECTORS = 9999999999;");
	CHECK_EQ_I64(isomd5_parse(app, &r), -1); /* too many digits */

	tap_note("a record that runs to the field's last byte is read as 511 bytes");
	memset(app, 'x', 512);
	memcpy(app + 511 - 45, "ISO MD5SUM = 0123456789abcdef0123456789abcdef", 45);
	CHECK_EQ_I64(isomd5_parse(app, &r), -1); /* no SKIPSECTORS fits */

	tap_note("fragment sums: first hex digit, without zero padding");
	const uint8_t d[16] = {0xab, 0x0c, 0x10, 0x00, 0xff};
	char s[17];
	isomd5_fragment_sum(d, 3, s);
	CHECK_STR(s, "ac1");
	isomd5_fragment_sum(d + 2, 3, s);
	CHECK_STR(s, "10f");

	tap_note("MD5 through libcrypto (RFC 1321, appendix A.5)");
	char h[40];
	md5_hex("", h);
	CHECK_STR(h, "d41d8cd98f00b204e9800998ecf8427e");
	md5_hex("abc", h);
	CHECK_STR(h, "900150983cd24fb0d6963f7d28e17f72");
	md5_hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890", h);
	CHECK_STR(h, "57edf4a22be3c955ac49da2e2107b67a");

	tap_note("a copy's value leaves the running digest as it was");
	struct digest *a = digest_new(DIGEST_MD5);
	uint8_t v[64];
	CHECK(a != NULL);
	if (a) {
		digest_update(a, "a", 1);
		CHECK_EQ_U64(digest_peek(a, v), 16);
		digest_hex(v, 16, h);
		CHECK_STR(h, "0cc175b9c0f1b6a831c399e269772661");
		digest_update(a, "bc", 2);
		CHECK_EQ_U64(digest_final(a, v), 16);
		digest_hex(v, 16, h);
		CHECK_STR(h, "900150983cd24fb0d6963f7d28e17f72");
		digest_free(a);
	}
	return tap_done();
}
