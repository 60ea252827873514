/* SPDX-License-Identifier: MIT */
/*
 * A tiny ISO 9660 image written byte by byte into memory, for the reader's
 * unit tests. It shares no code with the library: every field is spelled
 * out here from ECMA-119, SUSP/RRIP, Joliet and El Torito, so a wrong
 * offset or byte order in the library cannot cancel out.
 *
 * Layout (2048-byte blocks, MISO_BLOCKS in all; blocks an option does not
 * use stay zero):
 *   16 PVD; 17.. the optional El Torito boot record and Joliet SVD, then
 *   the terminator; 20 root; 21 sub; 22 hello.txt; 23-24 big.bin (two
 *   sections, 2048 + 100 bytes); 25 sub/inner.txt; 26 continuation areas;
 *   27 rr_moved; 28 the relocated sub/deep; 29 Joliet root; 30 Joliet sub;
 *   31 boot catalog; 32 boot image; 33 the zisofs file z.bin; 34.. the
 *   directory "MANY" (MISO_MANY_FILES entries over more blocks than the
 *   reader's read-ahead window).
 *
 * Rock Ridge names and on-disc order of the root: . .. sub hello.txt link
 * big.bin (x2) empty [rr_moved] -- deliberately not in name order.
 */
#ifndef ISOKIT_TEST_MEMISO_H
#define ISOKIT_TEST_MEMISO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	MISO_BLK = 2048,
	B_PVD = 16,
	B_ROOT = 20,
	B_SUB = 21,
	B_HELLO = 22,
	B_BIG = 23, /* and 24 */
	B_INNER = 25,
	B_CE = 26,
	B_MOVED = 27,
	B_DEEP = 28,
	B_JROOT = 29,
	B_JSUB = 30,
	B_CATALOG = 31,
	B_BOOTIMG = 32,
	B_ZISO = 33,
	B_MANY = 34,
	MISO_MANY_BLOCKS = 40,
	MISO_BLOCKS = B_MANY + MISO_MANY_BLOCKS,
};
#define MISO_MANY_FILES 1600u
#define MISO_SIZE ((size_t)MISO_BLOCKS * MISO_BLK)

/* Times (UTC) written into the image and their epoch seconds, worked out
 * by hand and cross-checked with Python's calendar.timegm. */
#define T_HELLO_MTIME 1614834367LL /* 2021-03-04 05:06:07 */
#define T_HELLO_ATIME 1640995200LL /* 2022-01-01 00:00:00 */
#define T_HELLO_CTIME 1582948800LL /* 2020-02-29 12:00:00 +08:00 */
#define T_RECORD 929448000LL       /* 1999-06-15 12:00:00, record dates */
#define T_CREATED 1704164645LL     /* 2024-01-02 03:04:05, PVD creation */

#define MISO_HELLO "Hello, world\n"
#define MISO_INNER "inner"
#define MISO_BIG_SIZE 2148u

struct miso_opts {
	bool self_loop;     /* sub/ holds "loop", a directory pointing at sub */
	uint32_t hello_lba; /* 0: the normal B_HELLO */
	bool broken_multi;  /* second section of big.bin has another name */
	bool er_only;       /* root '.' carries SP and ER but no RR entry */
	bool xa;            /* a 14-byte CD-ROM XA record starts every SU area */
	uint8_t sp_skip;    /* LEN_SKP junk bytes start every other SU area */
	bool ce;            /* root ER and the tail of hello.txt's NM in a CE area */
	bool ce_loop;       /* hello.txt's continuation area points at itself */
	bool relocate;      /* sub/deep relocated into /rr_moved (CL, PL, RE) */
	bool moved_extra;   /* with relocate: rr_moved also holds keep.txt */
	bool joliet;        /* Joliet SVD and tree */
	bool eltorito;      /* boot record, catalog, MBR with two partitions */
	bool zisofs;        /* z.bin, zisofs-compressed (needs zlib) */
	bool many;          /* the directory MANY, F0000 .. F1599 */
};

/* z.bin: MISO_Z_SIZE bytes; the first 32 KiB block holds
 * miso_big_byte(i), the rest is zeros (stored as an empty block). */
#define MISO_Z_SIZE 40000u

/* Byte @p i of big.bin's content. */
uint8_t miso_big_byte(size_t i);

/* Number of directory blocks MANY uses (its size is this * 2048). */
unsigned miso_many_blocks(void);

/* Build the image and return it in a heap buffer of exactly @p size bytes
 * (less than MISO_SIZE cuts it short). Aborts on allocation failure. */
uint8_t *miso_build(const struct miso_opts *o, size_t size);

#endif
