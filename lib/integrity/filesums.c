// SPDX-License-Identifier: MIT
/* Encoding and decoding isokit's per-file SHA-256 table
 * (docs/format/file-sums.md). All numbers are little-endian. */
#include "integrity/filesums.h"

#include <string.h>

#include "base/bytes.h"
#include "integrity/digest.h"

void filesums_entry_encode(uint8_t p[FILESUMS_ENTRY], const struct filesums_entry *e)
{
	put_731(p, e->block);
	put_731(p + 4, 0); /* flags: none defined */
	put_le64(p + 8, e->size);
	memcpy(p + 16, e->sha256, 32);
}

void filesums_entry_decode(const uint8_t p[FILESUMS_ENTRY], struct filesums_entry *e)
{
	e->block = get_731(p);
	e->size = get_le64(p + 8);
	memcpy(e->sha256, p + 16, 32);
}

/* SHA-256 of the trailer's first 72 bytes into @p out; -1 without libcrypto. */
static int self_sum(const uint8_t *blk, uint8_t out[32])
{
	return digest_sha256_once(blk, 72, out);
}

int filesums_trailer_encode(uint8_t blk[2048], const struct filesums_trailer *t)
{
	memset(blk, 0, 2048);
	memcpy(blk, FILESUMS_MAGIC, 16);
	put_731(blk + 16, FILESUMS_VERSION);
	put_731(blk + 20, FILESUMS_ENTRY);
	put_731(blk + 24, t->table_block);
	put_731(blk + 28, t->table_blocks);
	put_le64(blk + 32, t->entries);
	memcpy(blk + 40, t->table_sha256, 32);
	return self_sum(blk, blk + 72);
}

enum filesums_trailer_state filesums_trailer_decode(const uint8_t blk[2048],
						     struct filesums_trailer *t)
{
	memset(t, 0, sizeof(*t));
	if (memcmp(blk, FILESUMS_MAGIC, 16) != 0)
		return FILESUMS_NONE;
	uint8_t sum[32];
	if (self_sum(blk, sum) != 0)
		return FILESUMS_NO_CRYPTO;
	if (memcmp(sum, blk + 72, 32) != 0)
		return FILESUMS_DAMAGED;
	t->version = get_731(blk + 16);
	if (t->version != FILESUMS_VERSION)
		return FILESUMS_UNSUPPORTED;
	if (get_731(blk + 20) != FILESUMS_ENTRY)
		return FILESUMS_DAMAGED;
	t->table_block = get_731(blk + 24);
	t->table_blocks = get_731(blk + 28);
	t->entries = get_le64(blk + 32);
	memcpy(t->table_sha256, blk + 40, 32);
	return FILESUMS_OK;
}
