// SPDX-License-Identifier: MIT
/* The in-memory test image described in memiso.h, built field by field. */
#include "memiso.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#if HAVE_ZLIB
#include <zlib.h>
#endif

/* ---------------------------------------------------------------- numbers */

static void le16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* 7.2.3: LE then BE */
static void both16(uint8_t *p, uint32_t v)
{
	le16(p, v);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* 7.3.3: LE then BE */
static void both32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		p[i] = (uint8_t)(v >> (8 * i));
		p[7 - i] = (uint8_t)(v >> (8 * i));
	}
}

/* ---------------------------------------------------------------- SUSP */

struct su {
	uint8_t b[255];
	size_t n;
};

static void su_raw(struct su *s, const void *p, size_t n)
{
	if (s->n + n > sizeof(s->b))
		abort();
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void su_head(struct su *s, const char *sig, size_t len)
{
	const uint8_t h[4] = {(uint8_t)sig[0], (uint8_t)sig[1], (uint8_t)len, 1};
	su_raw(s, h, 4);
}

/* Start of every System Use area: the XA record, then (except in the root
 * '.', which carries SP itself) LEN_SKP junk bytes. */
static void su_start(struct su *s, const struct miso_opts *o, bool root_dot)
{
	s->n = 0;
	if (o->xa) {
		/* owner group, owner user, attributes, "XA", file number,
		 * 5 reserved bytes (CD-ROM XA, system use) */
		static const uint8_t xa[14] = {0, 0, 0, 0, 0x0D, 0x55, 'X',
					       'A', 0, 0, 0, 0, 0, 0};
		su_raw(s, xa, 14);
	}
	if (!root_dot)
		for (uint8_t i = 0; i < o->sp_skip; i++)
			su_raw(s, "J", 1);
}

static void su_sp(struct su *s, uint8_t skip)
{
	const uint8_t sp[7] = {'S', 'P', 7, 1, 0xBE, 0xEF, skip};
	su_raw(s, sp, 7);
}

/* ER: LEN_ID 10, LEN_DES 2, LEN_SRC 3, version 1: 23 bytes. */
#define ER_LEN 23
static void su_er(struct su *s)
{
	su_head(s, "ER", ER_LEN);
	static const uint8_t lens[4] = {10, 2, 3, 1};
	su_raw(s, lens, 4);
	su_raw(s, "RRIP_1991ARRSRC", 15);
}

static void su_px(struct su *s, uint32_t mode, uint32_t nlink, uint32_t uid,
		  uint32_t gid)
{
	uint8_t d[32];
	su_head(s, "PX", 36);
	both32(d, mode);
	both32(d + 8, nlink);
	both32(d + 16, uid);
	both32(d + 24, gid);
	su_raw(s, d, 32);
}

static void su_nm(struct su *s, uint8_t flags, const char *name)
{
	size_t l = strlen(name);
	su_head(s, "NM", 5 + l);
	su_raw(s, &flags, 1);
	su_raw(s, name, l);
}

static void su_ce(struct su *s, uint32_t block, uint32_t off, uint32_t len)
{
	uint8_t d[24];
	su_head(s, "CE", 28);
	both32(d, block);
	both32(d + 8, off);
	both32(d + 16, len);
	su_raw(s, d, 24);
}

static void su_lba(struct su *s, const char *sig, uint32_t lba)
{
	uint8_t d[8];
	su_head(s, sig, 12);
	both32(d, lba);
	su_raw(s, d, 8);
}

/* SL for "/usr/bin": root component, then "usr", then "bin". */
static void su_sl_usr_bin(struct su *s)
{
	su_head(s, "SL", 5 + 2 + 5 + 5);
	static const uint8_t body[] = {0,   0x08, 0,   0,   3, 'u', 's',
				       'r', 0,    3,   'b', 'i', 'n'};
	su_raw(s, body, sizeof(body));
}

/* TF, short form: modify, access, attributes. */
static void su_tf_hello(struct su *s)
{
	su_head(s, "TF", 5 + 21);
	static const uint8_t body[] = {
		0x0E,
		121, 3, 4, 5, 6, 7, 0,   /* 2021-03-04 05:06:07 GMT */
		122, 1, 1, 0, 0, 0, 0,   /* 2022-01-01 00:00:00 GMT */
		120, 2, 29, 12, 0, 0, 32 /* 2020-02-29 12:00:00 +8h */
	};
	su_raw(s, body, sizeof(body));
}

/* ---------------------------------------------------------------- records */

/* Append a directory record (9.1) at @p pos; returns the new position. */
static size_t rec(uint8_t *dir, size_t pos, const void *id, size_t id_len,
		  uint32_t extent, uint32_t size, uint8_t flags,
		  const struct su *s)
{
	size_t pad = (id_len & 1) ? 0 : 1;
	size_t len = 33 + id_len + pad + (s ? s->n : 0);
	if (len & 1)
		len++; /* LEN_DR is even */
	if (len > 255 || pos + len > MISO_BLK)
		abort();
	uint8_t *r = dir + pos;
	memset(r, 0, len);
	r[0] = (uint8_t)len;
	both32(r + 2, extent);
	both32(r + 10, size);
	static const uint8_t date[7] = {99, 6, 15, 12, 0, 0, 0};
	memcpy(r + 18, date, 7);
	r[25] = flags;
	both16(r + 28, 1);
	r[32] = (uint8_t)id_len;
	memcpy(r + 33, id, id_len);
	if (s)
		memcpy(r + 33 + id_len + pad, s->b, s->n);
	return pos + len;
}

#define REC(dir, pos, lit, ext, size, flags, su)                               \
	rec((dir), (pos), (lit), sizeof(lit) - 1, (ext), (size), (flags), (su))

static void root_record(uint8_t *r, uint32_t lba)
{
	r[0] = 34;
	both32(r + 2, lba);
	both32(r + 10, MISO_BLK);
	static const uint8_t date[7] = {99, 6, 15, 12, 0, 0, 0};
	memcpy(r + 18, date, 7);
	r[25] = 0x02;
	both16(r + 28, 1);
	r[32] = 1;
	r[33] = 0;
}

/* ---------------------------------------------------------------- VDs */

static void vd_common(uint8_t *b, uint8_t type, uint32_t root)
{
	b[0] = type;
	memcpy(b + 1, "CD001", 5);
	b[6] = 1;
	both32(b + 80, MISO_BLOCKS);
	both16(b + 120, 1);
	both16(b + 124, 1);
	both16(b + 128, MISO_BLK);
	root_record(b + 156, root);
	memcpy(b + 813, "2024010203040500\0", 17);
	memcpy(b + 830, "2024010203040500\0", 17);
	memcpy(b + 847, "0000000000000000\0", 17);
	memcpy(b + 864, "0000000000000000\0", 17);
	b[881] = 1;
}

static void build_pvd(uint8_t *b)
{
	vd_common(b, 1, B_ROOT);
	memset(b + 8, ' ', 32);
	memcpy(b + 8, "LINUX", 5);
	memset(b + 40, ' ', 32);
	memcpy(b + 40, "ISOKIT_TEST", 11);
	memset(b + 190, ' ', 813 - 190);
	memset(b + 883, ' ', 512);
}

/* UCS-2BE text field from code units, padded with 00 20. */
static void ucs2_field(uint8_t *p, size_t len, const uint16_t *u, size_t n)
{
	for (size_t i = 0; i + 1 < len; i += 2) {
		p[i] = 0;
		p[i + 1] = ' ';
	}
	for (size_t i = 0; i < n; i++) {
		p[2 * i] = (uint8_t)(u[i] >> 8);
		p[2 * i + 1] = (uint8_t)u[i];
	}
}

static void build_svd(uint8_t *b)
{
	vd_common(b, 2, B_JROOT);
	static const uint16_t sys[] = {'L', 'I', 'N', 'U', 'X'};
	ucs2_field(b + 8, 32, sys, 5);
	/* "Jöliet Vol" */
	static const uint16_t vol[] = {'J', 0x00F6, 'l', 'i', 'e',
				       't', ' ',    'V', 'o', 'l'};
	ucs2_field(b + 40, 32, vol, 10);
	memcpy(b + 88, "%/E", 3);
	static const uint16_t none[1] = {0};
	ucs2_field(b + 190, 128, none, 0);
	ucs2_field(b + 318, 128, none, 0);
	ucs2_field(b + 446, 128, none, 0);
	ucs2_field(b + 574, 128, none, 0);
}

static void build_boot_record(uint8_t *b)
{
	b[0] = 0;
	memcpy(b + 1, "CD001", 5);
	b[6] = 1;
	memcpy(b + 7, "EL TORITO SPECIFICATION", 23);
	le32(b + 71, B_CATALOG);
}

/* ---------------------------------------------------------------- trees */

static size_t ziso_stored; /* stored (compressed) size of z.bin */

static void build_root(uint8_t *d, uint8_t *ce, const struct miso_opts *o)
{
	struct su s;
	size_t pos = 0;

	su_start(&s, o, true);
	su_sp(&s, o->sp_skip);
	if (o->ce) {
		/* As genisoimage and xorriso do: ER in the root's CE area. */
		su_px(&s, 040755, 3, 0, 0);
		su_ce(&s, B_CE, 0, ER_LEN);
		struct su e = {.n = 0};
		su_er(&e);
		memcpy(ce, e.b, e.n);
	} else {
		su_er(&s);
		if (!o->er_only)
			su_px(&s, 040755, 3, 0, 0);
	}
	pos = rec(d, pos, "\0", 1, B_ROOT, MISO_BLK, 0x02, &s);
	su_start(&s, o, false);
	su_px(&s, 040755, 3, 0, 0);
	pos = rec(d, pos, "\1", 1, B_ROOT, MISO_BLK, 0x02, &s);

	su_start(&s, o, false);
	su_nm(&s, 0, "sub");
	su_px(&s, 040750, 2, 0, 0);
	pos = REC(d, pos, "SUB", B_SUB, MISO_BLK, 0x02, &s);

	su_start(&s, o, false);
	if (o->ce || o->ce_loop) {
		/* NM continued in a continuation area at byte 100. */
		su_nm(&s, 0x01, "hel");
		su_px(&s, 0100644, 2, 1000, 1001);
		su_tf_hello(&s);
		struct su e = {.n = 0};
		if (o->ce_loop) {
			su_nm(&e, 0x01, "lo");
			su_ce(&e, B_CE, 100, 7 + 28);
		} else {
			su_nm(&e, 0, "lo.txt");
		}
		su_ce(&s, B_CE, 100, (uint32_t)e.n);
		memcpy(ce + 100, e.b, e.n);
	} else {
		su_nm(&s, 0, "hello.txt");
		su_px(&s, 0100644, 2, 1000, 1001);
		su_tf_hello(&s);
	}
	pos = REC(d, pos, "HELLO.TXT;1", o->hello_lba ? o->hello_lba : B_HELLO,
		  sizeof(MISO_HELLO) - 1, 0, &s);

	su_start(&s, o, false);
	su_nm(&s, 0, "link");
	su_px(&s, 0120777, 1, 1000, 1001);
	su_sl_usr_bin(&s);
	pos = REC(d, pos, "LINK.;1", 0, 0, 0, &s);

	/* Multi-extent: bit 7 on all but the last section; the Rock Ridge
	 * set is on the first record only. */
	su_start(&s, o, false);
	su_nm(&s, 0, "big.bin");
	su_px(&s, 0100600, 1, 0, 0);
	pos = REC(d, pos, "BIG.BIN;1", B_BIG, MISO_BLK, 0x80, &s);
	if (o->broken_multi)
		pos = REC(d, pos, "BIG.BIX;1", B_BIG + 1, 100, 0, NULL);
	else
		pos = REC(d, pos, "BIG.BIN;1", B_BIG + 1, 100, 0, NULL);

	su_start(&s, o, false);
	su_nm(&s, 0, "empty");
	su_px(&s, 0100644, 1, 0, 0);
	pos = REC(d, pos, "EMPTY.;1", 0, 0, 0, &s);

	if (o->zisofs) {
		/* ZF: "pz", header size / 4 = 4, log2 block size 15, the
		 * uncompressed size; the record holds the stored size. */
		su_start(&s, o, false);
		su_nm(&s, 0, "z.bin");
		su_px(&s, 0100644, 1, 0, 0);
		su_head(&s, "ZF", 16);
		static const uint8_t zf[4] = {'p', 'z', 4, 15};
		su_raw(&s, zf, 4);
		uint8_t sz[8];
		both32(sz, MISO_Z_SIZE);
		su_raw(&s, sz, 8);
		pos = REC(d, pos, "Z.BIN;1", B_ZISO, (uint32_t)ziso_stored, 0, &s);
	}
	if (o->many) {
		su_start(&s, o, false);
		su_nm(&s, 0, "many");
		su_px(&s, 040755, 2, 0, 0);
		pos = REC(d, pos, "MANY", B_MANY, miso_many_blocks() * MISO_BLK,
			  0x02, &s);
	}
	if (o->relocate) {
		su_start(&s, o, false);
		su_nm(&s, 0, "rr_moved");
		su_px(&s, 040755, 2, 0, 0);
		pos = REC(d, pos, "RR_MOVED", B_MOVED, MISO_BLK, 0x02, &s);
	}
}

static void build_sub(uint8_t *d, const struct miso_opts *o)
{
	struct su s;
	size_t pos = 0;
	su_start(&s, o, false);
	su_px(&s, 040750, 2, 0, 0);
	pos = rec(d, pos, "\0", 1, B_SUB, MISO_BLK, 0x02, &s);
	su_start(&s, o, false);
	su_px(&s, 040755, 3, 0, 0);
	pos = rec(d, pos, "\1", 1, B_ROOT, MISO_BLK, 0x02, &s);
	su_start(&s, o, false);
	su_nm(&s, 0, "inner.txt");
	su_px(&s, 0100444, 1, 0, 0);
	pos = REC(d, pos, "INNER.TXT;1", B_INNER, sizeof(MISO_INNER) - 1, 0, &s);
	if (o->self_loop) {
		su_start(&s, o, false);
		su_nm(&s, 0, "loop");
		su_px(&s, 040755, 2, 0, 0);
		pos = REC(d, pos, "LOOP", B_SUB, MISO_BLK, 0x02, &s);
	}
	if (o->relocate) {
		/* The stand-in: a file for ISO 9660, a directory for PX, and
		 * CL pointing at the real directory (RRIP 4.1.5.1). */
		su_start(&s, o, false);
		su_nm(&s, 0, "deep");
		su_px(&s, 040755, 2, 0, 0);
		su_lba(&s, "CL", B_DEEP);
		pos = REC(d, pos, "DEEP", B_DEEP, 0, 0, &s);
	}
}

static void build_moved(uint8_t *moved, uint8_t *deep, const struct miso_opts *o)
{
	struct su s;
	size_t pos = 0;
	su_start(&s, o, false);
	su_px(&s, 040755, 2, 0, 0);
	pos = rec(moved, pos, "\0", 1, B_MOVED, MISO_BLK, 0x02, &s);
	su_start(&s, o, false);
	su_px(&s, 040755, 3, 0, 0);
	pos = rec(moved, pos, "\1", 1, B_ROOT, MISO_BLK, 0x02, &s);
	su_start(&s, o, false);
	su_nm(&s, 0, "deep");
	su_px(&s, 040711, 2, 0, 0);
	su_head(&s, "RE", 4);
	pos = REC(moved, pos, "DEEP", B_DEEP, MISO_BLK, 0x02, &s);
	if (o->moved_extra) {
		su_start(&s, o, false);
		su_nm(&s, 0, "keep.txt");
		su_px(&s, 0100644, 1, 0, 0);
		pos = REC(moved, pos, "KEEP.TXT;1", B_HELLO,
			  sizeof(MISO_HELLO) - 1, 0, &s);
	}

	/* The relocated directory: its '..' names the real parent (PL). */
	pos = 0;
	su_start(&s, o, false);
	su_px(&s, 040711, 2, 0, 0);
	pos = rec(deep, pos, "\0", 1, B_DEEP, MISO_BLK, 0x02, &s);
	su_start(&s, o, false);
	su_px(&s, 040750, 2, 0, 0);
	su_lba(&s, "PL", B_SUB);
	pos = rec(deep, pos, "\1", 1, B_MOVED, MISO_BLK, 0x02, &s);
	su_start(&s, o, false);
	su_nm(&s, 0, "file.txt");
	su_px(&s, 0100644, 1, 0, 0);
	pos = REC(deep, pos, "FILE.TXT;1", B_INNER, sizeof(MISO_INNER) - 1, 0,
		  &s);
}

/* Joliet: UCS-2BE identifiers, no System Use. */
static void build_joliet(uint8_t *root, uint8_t *sub)
{
	size_t pos = 0;
	pos = rec(root, pos, "\0", 1, B_JROOT, MISO_BLK, 0x02, NULL);
	pos = rec(root, pos, "\1", 1, B_JROOT, MISO_BLK, 0x02, NULL);
	static const uint8_t big[] = {0, 'b', 0, 'i', 0, 'g', 0, '.', 0,
				      'b', 0, 'i', 0, 'n', 0, ';', 0, '1'};
	pos = rec(root, pos, big, sizeof(big), B_BIG, MISO_BLK, 0x80, NULL);
	pos = rec(root, pos, big, sizeof(big), B_BIG + 1, 100, 0, NULL);
	static const uint8_t hello[] = {0, 'h', 0, 'e', 0, 'l', 0, 'l',
					0, 'o', 0, '.', 0, 't', 0, 'x',
					0, 't', 0, ';', 0, '1'};
	pos = rec(root, pos, hello, sizeof(hello), B_HELLO,
		  sizeof(MISO_HELLO) - 1, 0, NULL);
	static const uint8_t s[] = {0, 's', 0, 'u', 0, 'b'};
	pos = rec(root, pos, s, sizeof(s), B_JSUB, MISO_BLK, 0x02, NULL);
	/* "Ünïcode 日本.txt", written without ";1" (genisoimage style) */
	static const uint8_t uni[] = {0x00, 0xDC, 0, 'n', 0x00, 0xEF, 0, 'c',
				      0,    'o',  0, 'd', 0,    'e',  0, ' ',
				      0x65, 0xE5, 0x67, 0x2C, 0,  '.',  0, 't',
				      0,    'x',  0, 't'};
	pos = rec(root, pos, uni, sizeof(uni), B_INNER, sizeof(MISO_INNER) - 1,
		  0, NULL);

	pos = 0;
	pos = rec(sub, pos, "\0", 1, B_JSUB, MISO_BLK, 0x02, NULL);
	pos = rec(sub, pos, "\1", 1, B_JROOT, MISO_BLK, 0x02, NULL);
	static const uint8_t inner[] = {0, 'i', 0, 'n', 0, 'n', 0, 'e',
					0, 'r', 0, '.', 0, 't', 0, 'x',
					0, 't', 0, ';', 0, '1'};
	pos = rec(sub, pos, inner, sizeof(inner), B_INNER,
		  sizeof(MISO_INNER) - 1, 0, NULL);
}

/* El Torito catalog: validation entry (empty id, checksum 0x55AA), a
 * bootable no-emulation default entry loading 4 sectors from B_BOOTIMG,
 * and a last section (0x91) for EFI with one entry. */
static void build_catalog(uint8_t *c)
{
	c[0] = 0x01;
	c[28] = 0xAA;
	c[29] = 0x55;
	c[30] = 0x55;
	c[31] = 0xAA;
	c[32] = 0x88;
	le16(c + 38, 4);
	le32(c + 40, B_BOOTIMG);
	c[64] = 0x91;
	c[65] = 0xEF;
	le16(c + 66, 1);
	c[96] = 0x88;
	le32(c + 104, B_BOOTIMG);
}

/* MBR: a bootable partition of type 0x17 over the whole image, an empty
 * slot, then a non-bootable EFI partition (0xEF) over the boot image. */
static void build_mbr(uint8_t *b)
{
	uint8_t *e = b + 446;
	e[0] = 0x80;
	e[4] = 0x17;
	le32(e + 8, 0);
	le32(e + 12, MISO_BLOCKS * 4);
	e = b + 446 + 2 * 16;
	e[0] = 0x00;
	e[4] = 0xEF;
	le32(e + 8, B_BOOTIMG * 4);
	le32(e + 12, 4);
	b[510] = 0x55;
	b[511] = 0xAA;
}

/* zisofs v1 (libisofs doc/zisofs_format.txt): magic, uncompressed size
 * LE32, header size / 4, log2 block size, 2 zero bytes; then one LE32
 * pointer per block plus one (offsets from the start of the file); then
 * the zlib streams. An empty block (two equal pointers) is all zeros.
 * Returns the stored size. */
static size_t build_zisofs(uint8_t *out)
{
#if HAVE_ZLIB
	static const uint8_t magic[8] = {0x37, 0xE4, 0x53, 0x96,
					 0xC9, 0xDB, 0xD6, 0x07};
	memcpy(out, magic, 8);
	le32(out + 8, MISO_Z_SIZE);
	out[12] = 4;
	out[13] = 15;
	/* ceil(40000 / 32768) = 2 blocks: 3 pointers at 16, 20, 24. */
	uint8_t *plain = malloc(32768);
	if (!plain)
		abort();
	for (size_t i = 0; i < 32768; i++)
		plain[i] = miso_big_byte(i);
	uLongf clen = MISO_BLK - 28;
	if (compress2(out + 28, &clen, plain, 32768, 9) != Z_OK)
		abort();
	free(plain);
	le32(out + 16, 28);
	le32(out + 20, (uint32_t)(28 + clen));
	le32(out + 24, (uint32_t)(28 + clen));
	return 28 + clen;
#else
	(void)out;
	return 0;
#endif
}

unsigned miso_many_blocks(void)
{
	/* 42-byte records ("F0000.;1" + pad), '.' and '..' of 34 bytes:
	 * 48 records fit a block, the first block 2 fewer. */
	unsigned per = MISO_BLK / 42;
	unsigned n = MISO_MANY_FILES + 2;
	return (n + per - 1) / per;
}

static void build_many(uint8_t *d)
{
	size_t off = 0;
	off = rec(d, off, "\0", 1, B_MANY, miso_many_blocks() * MISO_BLK, 0x02,
		  NULL);
	off = rec(d, off, "\1", 1, B_ROOT, MISO_BLK, 0x02, NULL);
	for (unsigned i = 0; i < MISO_MANY_FILES; i++) {
		char id[16];
		snprintf(id, sizeof(id), "F%04u.;1", i);
		size_t blk = off / MISO_BLK, in = off % MISO_BLK;
		if (in + 42 > MISO_BLK) {
			/* Records never straddle a block (ECMA-119 6.8.1.1). */
			blk++;
			in = 0;
		}
		if (blk >= MISO_MANY_BLOCKS)
			abort();
		size_t end = rec(d + blk * MISO_BLK, in, id, 8, B_INNER,
				 sizeof(MISO_INNER) - 1, 0, NULL);
		off = blk * MISO_BLK + end;
	}
	if ((off + MISO_BLK - 1) / MISO_BLK != miso_many_blocks())
		abort();
}

uint8_t miso_big_byte(size_t i)
{
	return (uint8_t)(i * 7 + 3 + (i >> 8));
}

uint8_t *miso_build(const struct miso_opts *o, size_t size)
{
	uint8_t *full = calloc(1, MISO_SIZE);
	if (!full)
		abort();
#define BLOCK(n) (full + (size_t)(n) * MISO_BLK)
	build_pvd(BLOCK(B_PVD));
	unsigned vd = B_PVD + 1;
	if (o->eltorito)
		build_boot_record(BLOCK(vd++));
	if (o->joliet)
		build_svd(BLOCK(vd++));
	uint8_t *t = BLOCK(vd);
	t[0] = 255;
	memcpy(t + 1, "CD001", 5);
	t[6] = 1;

	ziso_stored = o->zisofs ? build_zisofs(BLOCK(B_ZISO)) : 0;
	if (o->many)
		build_many(BLOCK(B_MANY));
	build_root(BLOCK(B_ROOT), BLOCK(B_CE), o);
	build_sub(BLOCK(B_SUB), o);
	memcpy(BLOCK(B_HELLO), MISO_HELLO, sizeof(MISO_HELLO) - 1);
	for (size_t i = 0; i < MISO_BIG_SIZE; i++)
		BLOCK(B_BIG)[i] = miso_big_byte(i);
	memcpy(BLOCK(B_INNER), MISO_INNER, sizeof(MISO_INNER) - 1);
	if (o->relocate)
		build_moved(BLOCK(B_MOVED), BLOCK(B_DEEP), o);
	if (o->joliet)
		build_joliet(BLOCK(B_JROOT), BLOCK(B_JSUB));
	if (o->eltorito) {
		build_catalog(BLOCK(B_CATALOG));
		memset(BLOCK(B_BOOTIMG), 0xF4, MISO_BLK); /* hlt */
		build_mbr(full);
	}
#undef BLOCK

	uint8_t *b = malloc(size ? size : 1);
	if (!b)
		abort();
	memcpy(b, full, size < MISO_SIZE ? size : MISO_SIZE);
	free(full);
	return b;
}
