// SPDX-License-Identifier: MIT
/* SUSP (IEEE P1281) and Rock Ridge (IEEE P1282) entry decoding from
 * hand-built System Use areas. Every entry is signature(2), length(1),
 * version(1), data; numbers are 7.3.3 both-endian unless said otherwise.
 * Areas are parsed from heap copies of exactly their length (ASan). */
#include <stdlib.h>
#include <sys/stat.h>

#include "harness/tap.h"

#include "susp/rrip.h"
#include "susp/susp.h"

/* ---- a tiny area builder ---- */

struct area {
	uint8_t b[4096];
	size_t n;
};

static void raw(struct area *a, const void *p, size_t n)
{
	memcpy(a->b + a->n, p, n);
	a->n += n;
}

static void byte(struct area *a, uint8_t v)
{
	a->b[a->n++] = v;
}

static void both32(struct area *a, uint32_t v)
{
	const uint8_t x[8] = {(uint8_t)v,         (uint8_t)(v >> 8),
			      (uint8_t)(v >> 16), (uint8_t)(v >> 24),
			      (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			      (uint8_t)(v >> 8),  (uint8_t)v};
	raw(a, x, 8);
}

/* Entry header; the caller appends exactly len - 4 bytes of data. */
static void head(struct area *a, const char *sig, uint8_t len)
{
	byte(a, (uint8_t)sig[0]);
	byte(a, (uint8_t)sig[1]);
	byte(a, len);
	byte(a, 1);
}

static void nm(struct area *a, uint8_t flags, const char *s)
{
	size_t l = strlen(s);
	head(a, "NM", (uint8_t)(5 + l));
	byte(a, flags);
	raw(a, s, l);
}

static void px(struct area *a, uint32_t mode, uint32_t nlink, uint32_t uid,
	       uint32_t gid)
{
	head(a, "PX", 36);
	both32(a, mode);
	both32(a, nlink);
	both32(a, uid);
	both32(a, gid);
}

/* Parse a heap copy of exactly the area's bytes. */
static void parse(const struct area *a, struct rr_info *rr)
{
	uint8_t *p = malloc(a->n ? a->n : 1);
	if (!p)
		abort();
	memcpy(p, a->b, a->n);
	susp_parse(p, a->n, rr);
	free(p);
}

static struct rr_info *rr_new(void)
{
	struct rr_info *rr = malloc(sizeof(*rr));
	if (!rr)
		abort();
	memset(rr, 0xA5, sizeof(*rr)); /* reset must clear what matters */
	rr_info_reset(rr);
	return rr;
}

/* ---- SUSP ---- */

static void test_susp(void)
{
	struct rr_info *rr = rr_new();
	struct area a = {.n = 0};

	tap_note("reset");
	CHECK(!rr->has_sp && !rr->has_ce && !rr->stop && !rr->malformed);
	CHECK(!rr->has_nm && !rr->has_sl && !rr->has_px && !rr->any_rr);
	CHECK_EQ_U64(rr->name_len, 0);
	CHECK_EQ_U64(rr->target_len, 0);
	CHECK_STR(rr->name, "");
	CHECK_STR(rr->target, "");
	CHECK_EQ_I64(rr->er_count, 0);

	tap_note("SP: check bytes BE EF and LEN_SKP");
	static const uint8_t sp[7] = {'S', 'P', 7, 1, 0xBE, 0xEF, 14};
	raw(&a, sp, 7);
	parse(&a, rr);
	CHECK(rr->has_sp);
	CHECK_EQ_U64(rr->sp_skip, 14);
	CHECK(!rr->any_rr);
	CHECK(!rr->malformed);
	rr_info_reset(rr);
	a.n = 0;
	static const uint8_t sp_bad[7] = {'S', 'P', 7, 1, 0xBE, 0xEE, 0};
	raw(&a, sp_bad, 7);
	parse(&a, rr);
	CHECK(!rr->has_sp);

	tap_note("CE: block, offset, length");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "CE", 28);
	both32(&a, 0x1234);
	both32(&a, 0x100);
	both32(&a, 237);
	parse(&a, rr);
	CHECK(rr->has_ce);
	CHECK_EQ_U64(rr->ce.block, 0x1234);
	CHECK_EQ_U64(rr->ce.offset, 0x100);
	CHECK_EQ_U64(rr->ce.length, 237);
	CHECK(!rr->malformed);
	/* A CE too short for its three fields. */
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "CE", 20);
	both32(&a, 1);
	both32(&a, 2);
	parse(&a, rr);
	CHECK(!rr->has_ce);
	CHECK(rr->malformed);

	tap_note("ER: identifier");
	rr_info_reset(rr);
	a.n = 0;
	/* LEN_ID 10, LEN_DES 2, LEN_SRC 3, EXT_VER 1 -> 8 + 15 = 23 */
	head(&a, "ER", 23);
	byte(&a, 10);
	byte(&a, 2);
	byte(&a, 3);
	byte(&a, 1);
	raw(&a, "RRIP_1991ADESRC", 15);
	head(&a, "ER", 8 + 9);
	byte(&a, 9);
	byte(&a, 0);
	byte(&a, 0);
	byte(&a, 1);
	raw(&a, "IEEE_1282", 9);
	parse(&a, rr);
	CHECK_EQ_I64(rr->er_count, 2);
	CHECK_STR(rr->er_id, "RRIP_1991A"); /* the first one */
	CHECK(!rr->malformed);
	/* LEN_ID larger than the entry. */
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "ER", 12);
	byte(&a, 10);
	byte(&a, 0);
	byte(&a, 0);
	byte(&a, 1);
	raw(&a, "RRIP", 4);
	parse(&a, rr);
	CHECK_EQ_I64(rr->er_count, 0);
	CHECK(rr->malformed);

	tap_note("ST stops the area");
	rr_info_reset(rr);
	a.n = 0;
	nm(&a, 0, "before");
	head(&a, "ST", 4);
	nm(&a, 0, "after");
	px(&a, 0100644, 1, 0, 0);
	parse(&a, rr);
	CHECK(rr->stop);
	CHECK_STR(rr->name, "before");
	CHECK(!rr->has_px);

	tap_note("PD and unknown entries are skipped by their length");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "PD", 7);
	raw(&a, "NM\x09", 3); /* padding that looks like an entry */
	head(&a, "XY", 9);    /* unknown (e.g. AL, Z2, vendor) */
	raw(&a, "PX\x24\x01\x00", 5);
	head(&a, "ES", 5);
	byte(&a, 0);
	nm(&a, 0, "name");
	parse(&a, rr);
	CHECK(!rr->malformed);
	CHECK(!rr->has_px);
	CHECK(rr->has_nm);
	CHECK_STR(rr->name, "name");
	/* An unknown entry alone is not Rock Ridge. */
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "AL", 6);
	byte(&a, 0);
	byte(&a, 0);
	parse(&a, rr);
	CHECK(!rr->any_rr);
	CHECK(!rr->malformed);

	tap_note("zero padding after the last entry");
	rr_info_reset(rr);
	a.n = 0;
	nm(&a, 0, "n");
	byte(&a, 0);
	byte(&a, 0);
	byte(&a, 0);
	byte(&a, 0);
	byte(&a, 0);
	parse(&a, rr);
	CHECK(!rr->malformed);
	CHECK_STR(rr->name, "n");

	tap_note("entry length below 4 or past the area: malformed, stop");
	rr_info_reset(rr);
	a.n = 0;
	nm(&a, 0, "ok");
	raw(&a, "PX\x03\x01", 4);
	px(&a, 0100644, 1, 0, 0);
	parse(&a, rr);
	CHECK(rr->malformed);
	CHECK_STR(rr->name, "ok");
	CHECK(!rr->has_px);
	/* Length 3: the byte after it must not be taken as the start of
	 * the next entry. */
	rr_info_reset(rr);
	a.n = 0;
	raw(&a, "AB\x03", 3);
	nm(&a, 0, "hidden");
	parse(&a, rr);
	CHECK(rr->malformed);
	CHECK(!rr->has_nm);
	rr_info_reset(rr);
	a.n = 0;
	raw(&a, "NM\x00\x01", 4); /* length 0 must not loop */
	parse(&a, rr);
	CHECK(rr->malformed);
	CHECK(!rr->has_nm);
	rr_info_reset(rr);
	a.n = 0;
	px(&a, 0100644, 1, 0, 0);
	a.n -= 1; /* area ends one byte early */
	parse(&a, rr);
	CHECK(rr->malformed);
	CHECK(!rr->has_px);
	free(rr);
}

/* ---- Rock Ridge ---- */

static void test_px_pn(void)
{
	struct rr_info *rr = rr_new();
	struct area a = {.n = 0};

	tap_note("PX, 36 bytes (RRIP 1.10)");
	px(&a, 0100644, 2, 1000, 100);
	parse(&a, rr);
	CHECK(rr->has_px);
	CHECK(rr->any_rr);
	CHECK_EQ_U64(rr->mode, 0100644);
	CHECK_EQ_U64(rr->nlink, 2);
	CHECK_EQ_U64(rr->uid, 1000);
	CHECK_EQ_U64(rr->gid, 100);
	CHECK(!rr->px_has_ino);

	tap_note("PX, 44 bytes (RRIP 1.12 serial number)");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "PX", 44);
	both32(&a, 040755);
	both32(&a, 3);
	both32(&a, 0);
	both32(&a, 0);
	both32(&a, 0xCAFE);
	parse(&a, rr);
	CHECK(rr->has_px);
	CHECK_EQ_U64(rr->mode, 040755);
	CHECK_EQ_U64(rr->nlink, 3);
	CHECK(rr->px_has_ino);
	CHECK_EQ_U64(rr->ino, 0xCAFE);

	tap_note("PX too short");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "PX", 28);
	both32(&a, 0100644);
	both32(&a, 1);
	both32(&a, 0);
	parse(&a, rr);
	CHECK(!rr->has_px);
	CHECK(rr->malformed);

	tap_note("PN: device high and low words");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "PN", 20);
	both32(&a, 8);
	both32(&a, 0x10001);
	parse(&a, rr);
	CHECK(rr->has_pn);
	CHECK_EQ_U64(rr->dev_high, 8);
	CHECK_EQ_U64(rr->dev_low, 0x10001);
	free(rr);
}

static void test_nm(void)
{
	struct rr_info *rr = rr_new();
	struct area a = {.n = 0};

	tap_note("NM single");
	nm(&a, 0, "hello.txt");
	parse(&a, rr);
	CHECK(rr->has_nm);
	CHECK(rr->any_rr);
	CHECK_STR(rr->name, "hello.txt");
	CHECK_EQ_U64(rr->name_len, 9);
	CHECK(!rr->nm_continue);
	CHECK(!rr->nm_overflow);

	tap_note("NM continued across two entries");
	rr_info_reset(rr);
	a.n = 0;
	nm(&a, 0x01, "a_very_long_");
	nm(&a, 0x00, "name");
	parse(&a, rr);
	CHECK_STR(rr->name, "a_very_long_name");
	CHECK_EQ_U64(rr->name_len, 16);
	CHECK(!rr->nm_continue);

	tap_note("NM continued into a continuation area");
	rr_info_reset(rr);
	a.n = 0;
	nm(&a, 0x01, "first-");
	parse(&a, rr);
	CHECK(rr->nm_continue);
	a.n = 0;
	nm(&a, 0x00, "second");
	parse(&a, rr);
	CHECK_STR(rr->name, "first-second");
	CHECK(!rr->nm_continue);

	tap_note("NM with the '.' or '..' flag is ignored");
	rr_info_reset(rr);
	a.n = 0;
	nm(&a, 0x02, "");
	nm(&a, 0x04, "");
	parse(&a, rr);
	CHECK(!rr->has_nm);
	CHECK_EQ_U64(rr->name_len, 0);
	rr_info_reset(rr);
	a.n = 0;
	nm(&a, 0x00, "real");
	nm(&a, 0x02, "junk");
	parse(&a, rr);
	CHECK_STR(rr->name, "real");

	tap_note("NM too short for its flags byte");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "NM", 4);
	parse(&a, rr);
	CHECK(!rr->has_nm);
	CHECK(rr->malformed);

	tap_note("over-long NM name");
	rr_info_reset(rr);
	a.n = 0;
	char chunk[251];
	memset(chunk, 'x', 250);
	chunk[250] = '\0';
	for (int i = 0; i < 5; i++) /* 5 * 250 = 1250 > RR_NAME_MAX */
		nm(&a, i < 4 ? 0x01 : 0x00, chunk);
	parse(&a, rr);
	CHECK(rr->has_nm);
	CHECK(rr->nm_overflow);
	CHECK_EQ_U64(rr->name_len, RR_NAME_MAX);
	CHECK_EQ_U64(strlen(rr->name), RR_NAME_MAX);
	/* Exactly RR_NAME_MAX bytes does not overflow. */
	rr_info_reset(rr);
	a.n = 0;
	for (int i = 0; i < 4; i++)
		nm(&a, 0x01, chunk);
	nm(&a, 0x00, "yyyyyyyyyyyyyyyyyyyyyyyy"); /* 24: 1000 + 24 = 1024 */
	parse(&a, rr);
	CHECK(!rr->nm_overflow);
	CHECK_EQ_U64(rr->name_len, 1024);
	CHECK_EQ_U64((uint8_t)rr->name[1023], 'y');
	/* One byte more: overflow, and nothing written past the buffer. */
	rr_info_reset(rr);
	a.n = 0;
	for (int i = 0; i < 4; i++)
		nm(&a, 0x01, chunk);
	nm(&a, 0x00, "yyyyyyyyyyyyyyyyyyyyyyyyz"); /* 25: 1025 */
	rr->target[0] = 'T';
	parse(&a, rr);
	CHECK(rr->nm_overflow);
	CHECK_EQ_U64(rr->name_len, 1024);
	CHECK_EQ_U64((uint8_t)rr->name[1024], 0);
	CHECK_EQ_U64((uint8_t)rr->target[0], 'T');
	free(rr);
}

/* One SL component: flags, length, bytes. */
static void comp(struct area *a, uint8_t flags, const char *s)
{
	size_t l = strlen(s);
	byte(a, flags);
	byte(a, (uint8_t)l);
	raw(a, s, l);
}

static void test_sl(void)
{
	struct rr_info *rr = rr_new();
	struct area a = {.n = 0};

	tap_note("SL a/b");
	head(&a, "SL", 5 + 3 + 3);
	byte(&a, 0);
	comp(&a, 0, "a");
	comp(&a, 0, "b");
	parse(&a, rr);
	CHECK(rr->has_sl);
	CHECK(rr->any_rr);
	CHECK_STR(rr->target, "a/b");
	CHECK_EQ_U64(rr->target_len, 3);
	CHECK(!rr->malformed);

	tap_note("SL /usr/bin (root component)");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "SL", 5 + 2 + 5 + 5);
	byte(&a, 0);
	comp(&a, 0x08, "");
	comp(&a, 0, "usr");
	comp(&a, 0, "bin");
	parse(&a, rr);
	CHECK_STR(rr->target, "/usr/bin");
	CHECK_EQ_U64(rr->target_len, 8);

	tap_note("SL / alone");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "SL", 5 + 2);
	byte(&a, 0);
	comp(&a, 0x08, "");
	parse(&a, rr);
	CHECK_STR(rr->target, "/");

	tap_note("SL ../x/. (parent and current components)");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "SL", 5 + 2 + 3 + 2);
	byte(&a, 0);
	comp(&a, 0x04, "");
	comp(&a, 0, "x");
	comp(&a, 0x02, "");
	parse(&a, rr);
	CHECK_STR(rr->target, "../x/.");

	tap_note("SL component continued in the next component");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "SL", 5 + 4 + 4 + 3);
	byte(&a, 0);
	comp(&a, 0x01, "ab");
	comp(&a, 0, "cd");
	comp(&a, 0, "e");
	parse(&a, rr);
	CHECK_STR(rr->target, "abcd/e");

	tap_note("SL entry continued in a second SL entry");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "SL", 5 + 2 + 5);
	byte(&a, 0x01);
	comp(&a, 0x08, "");
	comp(&a, 0, "usr");
	head(&a, "SL", 5 + 5);
	byte(&a, 0);
	comp(&a, 0, "lib");
	parse(&a, rr);
	CHECK_STR(rr->target, "/usr/lib");
	CHECK(!rr->sl_entry_continue);
	/* The second entry in a continuation area, with a component split
	 * across the two entries. */
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "SL", 5 + 2 + 5 + 6);
	byte(&a, 0x01);
	comp(&a, 0x08, "");
	comp(&a, 0, "opt");
	comp(&a, 0x01, "long");
	parse(&a, rr);
	CHECK(rr->sl_entry_continue);
	a.n = 0;
	head(&a, "SL", 5 + 6 + 3);
	byte(&a, 0);
	comp(&a, 0, "name");
	comp(&a, 0, "x");
	parse(&a, rr);
	CHECK_STR(rr->target, "/opt/longname/x");
	/* Root as the last component of the first entry. */
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "SL", 5 + 2);
	byte(&a, 0x01);
	comp(&a, 0x08, "");
	head(&a, "SL", 5 + 5);
	byte(&a, 0);
	comp(&a, 0, "etc");
	parse(&a, rr);
	CHECK_STR(rr->target, "/etc");

	tap_note("SL component length past the entry");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "SL", 5 + 2 + 3);
	byte(&a, 0);
	byte(&a, 0);
	byte(&a, 5); /* claims 5 bytes, 3 are there */
	raw(&a, "abc", 3);
	nm(&a, 0, "next"); /* the area goes on: the entry, not the area */
	parse(&a, rr);
	CHECK(rr->malformed);
	CHECK_EQ_U64(rr->target_len, 0);
	CHECK_STR(rr->name, "next");

	tap_note("SL too short for its flags byte");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "SL", 4);
	parse(&a, rr);
	CHECK(rr->malformed);
	free(rr);
}

/* 7-byte stamp */
static void st7(struct area *a, uint8_t y, uint8_t mo, uint8_t d, uint8_t h,
		uint8_t mi, uint8_t s, int8_t z)
{
	const uint8_t x[7] = {y, mo, d, h, mi, s, (uint8_t)z};
	raw(a, x, 7);
}

static void st17(struct area *a, const char *digits, int8_t z)
{
	raw(a, digits, 16);
	byte(a, (uint8_t)z);
}

static void test_tf(void)
{
	struct rr_info *rr = rr_new();
	struct area a = {.n = 0};

	tap_note("TF short form, flags 0x0E (modify, access, attributes)");
	head(&a, "TF", 5 + 3 * 7);
	byte(&a, 0x0E);
	st7(&a, 100, 1, 1, 0, 0, 0, 0);  /* 2000-01-01 */
	st7(&a, 60, 1, 1, 0, 0, 0, 0);   /* 1960-01-01 */
	st7(&a, 200, 1, 1, 1, 0, 0, 4);  /* 2100-01-01 01:00 +01:00 */
	parse(&a, rr);
	CHECK(rr->has_tf);
	CHECK(rr->any_rr);
	CHECK(!rr->malformed);
	CHECK(!rr->tf_create.valid);
	CHECK(rr->tf_modify.valid);
	CHECK_EQ_I64(rr->tf_modify.sec, 946684800LL);
	CHECK(rr->tf_access.valid);
	CHECK_EQ_I64(rr->tf_access.sec, -315619200LL);
	CHECK(rr->tf_attr.valid);
	CHECK_EQ_I64(rr->tf_attr.sec, 4102444800LL);

	tap_note("TF all seven stamps: order is create, modify, access, attr");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "TF", 5 + 7 * 7);
	byte(&a, 0x7F);
	for (uint8_t i = 0; i < 7; i++)
		st7(&a, 70, 1, (uint8_t)(1 + i), 0, 0, 0, 0); /* day i+1 */
	parse(&a, rr);
	CHECK(!rr->malformed);
	CHECK_EQ_I64(rr->tf_create.sec, 0);
	CHECK_EQ_I64(rr->tf_modify.sec, 86400);
	CHECK_EQ_I64(rr->tf_access.sec, 2 * 86400);
	CHECK_EQ_I64(rr->tf_attr.sec, 3 * 86400);

	tap_note("TF long form (bit 7): 17-byte stamps");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "TF", 5 + 2 * 17);
	byte(&a, 0x80 | 0x03);
	st17(&a, "1970010100000000", 0);
	st17(&a, "2000010109000025", 36);
	parse(&a, rr);
	CHECK(!rr->malformed);
	CHECK(rr->tf_create.valid);
	CHECK_EQ_I64(rr->tf_create.sec, 0);
	CHECK(rr->tf_modify.valid);
	CHECK_EQ_I64(rr->tf_modify.sec, 946684800LL);
	CHECK_EQ_I64(rr->tf_modify.nsec, 250000000);
	CHECK(!rr->tf_access.valid);

	tap_note("TF shorter than its flags announce");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "TF", 5 + 2 * 7);
	byte(&a, 0x0E);
	st7(&a, 100, 1, 1, 0, 0, 0, 0);
	st7(&a, 100, 1, 2, 0, 0, 0, 0);
	parse(&a, rr);
	CHECK(rr->malformed);
	CHECK(!rr->tf_attr.valid);
	free(rr);
}

static void test_misc(void)
{
	struct rr_info *rr = rr_new();
	struct area a = {.n = 0};

	tap_note("CL, PL, RE");
	head(&a, "CL", 12);
	both32(&a, 0x42);
	head(&a, "PL", 12);
	both32(&a, 0x18);
	head(&a, "RE", 4);
	parse(&a, rr);
	CHECK(rr->has_cl);
	CHECK_EQ_U64(rr->cl_lba, 0x42);
	CHECK(rr->has_pl);
	CHECK_EQ_U64(rr->pl_lba, 0x18);
	CHECK(rr->has_re);
	CHECK(rr->any_rr);
	CHECK(!rr->malformed);
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "CL", 8);
	raw(&a, "\x42\0\0\0", 4);
	parse(&a, rr);
	CHECK(!rr->has_cl);
	CHECK(rr->malformed);

	tap_note("ZF: 'pz', header size / 4, log2 block size, size");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "ZF", 16);
	raw(&a, "pz", 2);
	byte(&a, 4);
	byte(&a, 15);
	both32(&a, 200000);
	parse(&a, rr);
	CHECK(rr->has_zf);
	CHECK_EQ_U64(rr->zf_alg[0], 'p');
	CHECK_EQ_U64(rr->zf_alg[1], 'z');
	CHECK_EQ_U64(rr->zf_header_div4, 4);
	CHECK_EQ_U64(rr->zf_block_log2, 15);
	CHECK_EQ_U64(rr->zf_size, 200000);
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "ZF", 12);
	raw(&a, "pz\x04\x0f\0\0\0\0", 8);
	parse(&a, rr);
	CHECK(!rr->has_zf);
	CHECK(rr->malformed);

	tap_note("RR (RRIP 1.09 flags entry)");
	rr_info_reset(rr);
	a.n = 0;
	head(&a, "RR", 5);
	byte(&a, 0x89);
	parse(&a, rr);
	CHECK(rr->has_rr_entry);
	CHECK(rr->any_rr);

	tap_note("rrip_parse_entry on its own");
	rr_info_reset(rr);
	static const uint8_t re[4] = {'R', 'E', 4, 1};
	rrip_parse_entry(re, sizeof(re), rr);
	CHECK(rr->has_re);
	static const uint8_t unk[4] = {'Q', 'Q', 4, 1};
	rr_info_reset(rr);
	rrip_parse_entry(unk, sizeof(unk), rr);
	CHECK(!rr->any_rr);
	free(rr);
}

int main(void)
{
	test_susp();
	test_px_pn();
	test_nm();
	test_sl();
	test_tf();
	test_misc();
	return tap_done();
}
