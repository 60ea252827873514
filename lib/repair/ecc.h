/* SPDX-License-Identifier: MIT */
/*
 * The repair data's layout and header (docs/format/repair-data.md), shared
 * by ecc add and repair. Blocks are 2048 bytes. Group g (0 <= g < G) holds
 * data block j*G + g for j < k (blocks at or past the data's end read as
 * zeros and are not stored) and repair block r*G + g of the repair area
 * for r < m: each group has one block in each "layer" of G consecutive
 * blocks, so a run of bad blocks no longer than G costs each group at most
 * two blocks.
 *
 * The area, from its first block: header, CRC table (a CRC32C of each data
 * block, then of each repair block; 4 bytes each, little-endian, 511 to a
 * block whose last 4 bytes are the CRC32C of the other 2044, so that the
 * two copies can be merged block by block), the m repair layers, a copy of
 * the CRC table, a copy of the header.
 */
#ifndef ISOKIT_REPAIR_ECC_H
#define ISOKIT_REPAIR_ECC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <isokit/repair.h>

/* Write the message into the caller's @p msg (@p msglen bytes; none when
 * NULL) and return @p code: how the repair layer's functions fail. */
int ecc_message(char *msg, size_t msglen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define ECC_BLOCK 2048u
#define ECC_MAGIC "ISOKIT REPAIR V1"
#define ECC_VERSION 1
#define ECC_MAX_CODE 255 /* k + m, in GF(2^8) */
#define ECC_HEADER_USED 152
#define ECC_CRCS_PER_BLOCK 511u

struct ecc_header {
	uint64_t data_blocks, volume_blocks;
	uint32_t k, m;
	uint64_t groups;      /* G */
	uint64_t crc_blocks;  /* T */
	uint64_t area_blocks; /* E = 2 + 2T + mG */
	bool sidecar;
	uint8_t crc_sha256[32];
};

/* k, m and the layout for @p data_blocks protected at @p percent. */
void ecc_plan(uint64_t data_blocks, unsigned percent, struct ecc_header *h);

static inline uint64_t ecc_crc_entries(const struct ecc_header *h)
{
	return h->data_blocks + (uint64_t)h->m * h->groups;
}
/* area-relative block numbers */
static inline uint64_t ecc_crc1_at(const struct ecc_header *h) { (void)h; return 1; }
static inline uint64_t ecc_parity_at(const struct ecc_header *h) { return 1 + h->crc_blocks; }
static inline uint64_t ecc_crc2_at(const struct ecc_header *h)
{
	return 1 + h->crc_blocks + (uint64_t)h->m * h->groups;
}
static inline uint64_t ecc_header2_at(const struct ecc_header *h) { return h->area_blocks - 1; }

/* 0, or -1 without libcrypto (the header hashes itself). */
int ecc_header_encode(uint8_t blk[ECC_BLOCK], const struct ecc_header *h);
/* 1 a valid header, 0 not a header, -1 damaged or inconsistent, -2 a
 * later version, -3 no libcrypto. */
int ecc_header_decode(const uint8_t blk[ECC_BLOCK], struct ecc_header *h);

/* The CRC table's blocks (h->crc_blocks of them) for @p crc. */
struct isal;
void ecc_crc_table_build(const struct isal *l, const struct ecc_header *h, const uint32_t *crc,
			 uint8_t *out);
/* Is table block @p blk intact (its own CRC)? */
bool ecc_crc_block_ok(const struct isal *l, const uint8_t *blk);

/* The Cauchy matrix of ISA-L's gf_gen_cauchy1_matrix: (k + m) x k, the
 * first k rows the identity; @p a has room for ECC_MAX_CODE * ECC_MAX_CODE. */
void ecc_matrix(const struct isal *l, uint32_t k, uint32_t m, uint8_t *a);

void ecc_info_of(const struct ecc_header *h, uint64_t area_offset, struct isokit_ecc_info *out);

/* Find the repair data of the image open as @p fd (size @p size):
 * appended, or in @p sidecar_path / the image's path + ".ecc". Appended
 * data is found by the header copy in the last block, else (the end cut
 * off) the first header right after the volume; @p thorough also searches
 * 8 MiB after the volume and then every block of the file. On success
 * *afd is the file holding the area (@p fd, or an opened sidecar the caller
 * closes), *area its byte offset there. 0, ISOKIT_E_NOENT, or an error
 * with @p msg. */
int ecc_locate(int fd, uint64_t size, const char *path, const char *sidecar_path,
	       bool thorough, struct ecc_header *h, int *afd, uint64_t *area, char *msg,
	       size_t msglen);

/* pread of whole blocks; bytes past the end of the file read as zeros and
 * are counted in *missing (may be NULL). 0, or -1 with errno. */
int ecc_pread(int fd, void *buf, size_t len, uint64_t off, uint64_t *missing);

/* pwrite of all @p len bytes: 0, or an errno. */
int ecc_pwrite(int fd, const void *buf, size_t len, uint64_t off);

#endif
