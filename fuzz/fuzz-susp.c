/* SPDX-License-Identifier: MIT */
/*
 * fuzz-susp: SUSP and Rock Ridge parsing. The harness builds a minimal valid
 * image in memory and puts the fuzz input into the System Use areas:
 *
 *   block 16  PVD                 block 20  an empty directory
 *   block 17  terminator          block 21  file data
 *   block 18  root directory      block 22  type L path table
 *   block 19  Continuation Area   block 23  type M path table
 *             block (input)
 *
 * The root directory holds '.' (System Use: SP, then input part A, then an
 * optional CE to the CE block), '..', and one or two records "FILE.;1" /
 * "FILF.;1" (System Use: input part B, then an optional CE).
 *
 * Input layout: byte 0 flags, byte 1 length of A, byte 2 length of B, byte 3
 * where the CE block is split between the root's CE and the file's CE (in
 * units of 8 bytes), then A, B and the CE block content (the rest).
 *   flags bit 0: CE in root '.'      bit 1: CE in the file record
 *         bit 2: the record is a directory "FILE" (extent = block 20)
 *         bit 3: add a second record "FILF.;1" with the same System Use
 *         bit 4: SP LEN_SKP = byte 3 & 7 (instead of 0)
 * The image is opened with Rock Ridge and in the default namespace, walked,
 * its file read and a few names looked up.
 */
#include "fuzz-common.h"

#define BLK 2048u
#define NBLOCKS 24u
#define MAX_A 184u /* 254 - 34 ('.') - 7 (SP) - 28 (CE), rounded down to keep LEN_DR <= 254 */
#define MAX_B 186u /* 254 - 40 ("FILE.;1") - 28 (CE) */

static uint8_t image[NBLOCKS * BLK];

static void put_both16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_both32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
	p[4] = (uint8_t)(v >> 24);
	p[5] = (uint8_t)(v >> 16);
	p[6] = (uint8_t)(v >> 8);
	p[7] = (uint8_t)v;
}

static void put_ce(uint8_t *p, uint32_t lba, uint32_t off, uint32_t len)
{
	p[0] = 'C';
	p[1] = 'E';
	p[2] = 28;
	p[3] = 1;
	put_both32(p + 4, lba);
	put_both32(p + 12, off);
	put_both32(p + 20, len);
}

/* Write a directory record at @p p; returns its length. */
static size_t put_record(uint8_t *p, const char *id, size_t id_len,
			 uint32_t lba, uint32_t size, uint8_t flags,
			 const uint8_t *su, size_t su_len)
{
	size_t len = 33 + id_len + (id_len % 2 == 0 ? 1 : 0);
	size_t su_at = len;

	len += su_len;
	if (len % 2)
		len++;
	memset(p, 0, len);
	p[0] = (uint8_t)len;
	put_both32(p + 2, lba);
	put_both32(p + 10, size);
	p[18] = 124; /* 2024-01-02 03:04:05 */
	p[19] = 1;
	p[20] = 2;
	p[21] = 3;
	p[22] = 4;
	p[23] = 5;
	p[25] = flags;
	put_both16(p + 28, 1);
	p[32] = (uint8_t)id_len;
	memcpy(p + 33, id, id_len);
	if (su_len)
		memcpy(p + su_at, su, su_len);
	return len;
}

static void build(const uint8_t *data, size_t size)
{
	static const char file_data[] = "hello from the file record\n";
	uint8_t flags = 0, split = 0;
	size_t la = 0, lb = 0, lc, pos, n1;
	const uint8_t *a, *b, *c;
	uint8_t su[256];
	size_t su_len;
	uint8_t *pvd = image + 16 * BLK, *dir = image + 18 * BLK;
	uint8_t *sub = image + 20 * BLK;

	memset(image, 0, sizeof image);
	if (size >= 4) {
		flags = data[0];
		la = data[1] % (MAX_A + 1);
		lb = data[2] % (MAX_B + 1);
		split = data[3];
		data += 4;
		size -= 4;
	}
	if (la > size)
		la = size;
	a = data;
	data += la;
	size -= la;
	if (lb > size)
		lb = size;
	b = data;
	data += lb;
	size -= lb;
	c = data;
	lc = size > BLK ? BLK : size;
	n1 = (size_t)split * 8;
	if (n1 > lc)
		n1 = lc;

	/* PVD */
	pvd[0] = 1;
	memcpy(pvd + 1, "CD001", 5);
	pvd[6] = 1;
	memset(pvd + 8, ' ', 64);
	memcpy(pvd + 40, "FUZZ_SUSP", 9);
	put_both32(pvd + 80, NBLOCKS);
	put_both16(pvd + 120, 1);
	put_both16(pvd + 124, 1);
	put_both16(pvd + 128, BLK);
	put_both32(pvd + 132, 10);
	pvd[140] = 22; /* type L path table (LE32) */
	pvd[151] = 23; /* type M path table (BE32) */
	/* path tables: the root only */
	image[22 * BLK] = 1;
	image[22 * BLK + 2] = 18;
	image[22 * BLK + 6] = 1;
	image[23 * BLK] = 1;
	image[23 * BLK + 5] = 18;
	image[23 * BLK + 7] = 1;
	put_record(pvd + 156, "\0", 1, 18, BLK, 0x02, NULL, 0);
	memset(pvd + 190, ' ', 623);
	memset(pvd + 813, '0', 16);
	memset(pvd + 830, '0', 16);
	memset(pvd + 847, '0', 16);
	memset(pvd + 864, '0', 16);
	pvd[881] = 1;
	/* terminator */
	image[17 * BLK] = 255;
	memcpy(image + 17 * BLK + 1, "CD001", 5);
	image[17 * BLK + 6] = 1;

	/* root directory */
	su[0] = 'S';
	su[1] = 'P';
	su[2] = 7;
	su[3] = 1;
	su[4] = 0xBE;
	su[5] = 0xEF;
	su[6] = (flags & 0x10) ? (uint8_t)(split & 7) : 0;
	memcpy(su + 7, a, la);
	su_len = 7 + la;
	if (flags & 1) {
		put_ce(su + su_len, 19, 0, (uint32_t)n1);
		su_len += 28;
	}
	pos = put_record(dir, "\0", 1, 18, BLK, 0x02, su, su_len);
	pos += put_record(dir + pos, "\1", 1, 18, BLK, 0x02, NULL, 0);
	memcpy(su, b, lb);
	su_len = lb;
	if (flags & 2) {
		put_ce(su + su_len, 19, (uint32_t)n1, (uint32_t)(lc - n1));
		su_len += 28;
	}
	if (flags & 4)
		pos += put_record(dir + pos, "FILE", 4, 20, BLK, 0x02, su, su_len);
	else
		pos += put_record(dir + pos, "FILE.;1", 7, 21,
				  (uint32_t)(sizeof file_data - 1), 0, su, su_len);
	if (flags & 8)
		pos += put_record(dir + pos, "FILF.;1", 7, 21,
				  (uint32_t)(sizeof file_data - 1), 0, su, su_len);
	(void)pos;
	/* CE block */
	memcpy(image + 19 * BLK, c, lc);
	/* empty subdirectory */
	pos = put_record(sub, "\0", 1, 20, BLK, 0x02, NULL, 0);
	put_record(sub + pos, "\1", 1, 18, BLK, 0x02, NULL, 0);
	/* file data */
	memcpy(image + 21 * BLK, file_data, sizeof file_data - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum isokit_namespace namespaces[] = {
		ISOKIT_NS_ROCKRIDGE, ISOKIT_NS_AUTO,
	};

	build(data, size);
	fuzz_each_namespace(image, sizeof image, namespaces, sizeof namespaces / sizeof namespaces[0],
			    1u);
	return 0;
}

#ifdef FUZZ_SUSP_DUMP_MAIN
/*
 * Debug aid: write the image the harness builds from an input, to inspect a
 * crash with the CLI or isoinfo:
 *   cc -DFUZZ_SUSP_DUMP_MAIN -Iinclude -Ilib fuzz/fuzz-susp.c libisokit.a -lz \
 *      -o dump && ./dump < crash-input > crash.iso
 */
#include <stdio.h>

int main(void)
{
	static uint8_t in[1 << 16];
	size_t n = fread(in, 1, sizeof in, stdin);

	build(in, n);
	fwrite(image, 1, sizeof image, stdout);
	return 0;
}
#endif
