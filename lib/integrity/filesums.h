/* SPDX-License-Identifier: MIT */
/* isokit's table of per-file SHA-256 sums (docs/format/file-sums.md): the
 * entries after the file data, a trailer block that finds them, 15 blocks
 * before the end of the volume. Encoding and decoding only; no I/O. */
#ifndef ISOKIT_INTEGRITY_FILESUMS_H
#define ISOKIT_INTEGRITY_FILESUMS_H

#include <stdbool.h>
#include <stdint.h>

#define FILESUMS_MAGIC "ISOKIT FILE SUMS"
#define FILESUMS_VERSION 1
#define FILESUMS_ENTRY 48
/* the trailer is this many blocks before the end of the volume: the
 * blocks after it are the ones isomd5sum leaves out, and the last blocks
 * of a burned disc are the ones most often unreadable */
#define FILESUMS_TAIL 16

struct filesums_entry {
	uint32_t block;  /* first block of the file's data */
	uint64_t size;   /* bytes */
	uint8_t sha256[32];
};

struct filesums_trailer {
	uint32_t version;
	uint32_t table_block, table_blocks;
	uint64_t entries;
	uint8_t table_sha256[32]; /* of the entries' bytes */
};

void filesums_entry_encode(uint8_t p[FILESUMS_ENTRY], const struct filesums_entry *e);
void filesums_entry_decode(const uint8_t p[FILESUMS_ENTRY], struct filesums_entry *e);

/* 0, or -1 when libcrypto is missing (the trailer hashes itself). */
int filesums_trailer_encode(uint8_t blk[2048], const struct filesums_trailer *t);

enum filesums_trailer_state {
	FILESUMS_NONE = 0,        /* no trailer: not an isokit image with sums */
	FILESUMS_OK = 1,
	FILESUMS_DAMAGED = -1,    /* the magic is there, its own sum is not right */
	FILESUMS_UNSUPPORTED = -2, /* a later version of the format */
	FILESUMS_NO_CRYPTO = -3,  /* libcrypto cannot be loaded */
};
/* Decode a trailer block; fields are checked against the volume by the
 * caller. */
enum filesums_trailer_state filesums_trailer_decode(const uint8_t blk[2048],
						     struct filesums_trailer *t);

#endif
