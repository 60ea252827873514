// SPDX-License-Identifier: MIT
/* The repair data's header, layout and discovery (see ecc.h and
 * docs/format/repair-data.md). All numbers are little-endian. */
#include "repair/ecc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <isokit/error.h>

#include "base/bytes.h"
#include "integrity/digest.h"
#include "integrity/isal.h"

#define MAX_DATA_BLOCKS ((uint64_t)1 << 40) /* 2 PiB: far beyond any disc */
#define SCAN_AFTER_VOLUME 4096u             /* blocks searched after the volume */

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

static void finish_layout(struct ecc_header *h)
{
	h->groups = div_up(h->data_blocks, h->k);
	h->crc_blocks = div_up(ecc_crc_entries(h), ECC_CRCS_PER_BLOCK);
	h->area_blocks = 2 + 2 * h->crc_blocks + (uint64_t)h->m * h->groups;
}

void ecc_plan(uint64_t data_blocks, unsigned percent, struct ecc_header *h)
{
	memset(h, 0, sizeof(*h));
	if (percent < 1)
		percent = 1;
	if (percent > 100)
		percent = 100;
	h->data_blocks = data_blocks;
	/* the largest groups GF(2^8) allows: the most repair blocks a run of
	 * damage can draw on, for the same share */
	uint32_t k = (uint32_t)(ECC_MAX_CODE * 100u / (100u + percent));
	if (data_blocks < k)
		k = data_blocks ? (uint32_t)data_blocks : 1;
	uint32_t m = (uint32_t)div_up((uint64_t)k * percent, 100);
	if (m < 1)
		m = 1;
	if (k + m > ECC_MAX_CODE)
		m = ECC_MAX_CODE - k;
	h->k = k;
	h->m = m;
	finish_layout(h);
}

static int self_sum(const uint8_t *blk, uint8_t out[32])
{
	return digest_sha256_once(blk, ECC_HEADER_USED - 32, out);
}

int ecc_header_encode(uint8_t blk[ECC_BLOCK], const struct ecc_header *h)
{
	memset(blk, 0, ECC_BLOCK);
	memcpy(blk, ECC_MAGIC, 16);
	put_731(blk + 16, ECC_VERSION);
	put_731(blk + 20, ECC_BLOCK);
	put_le64(blk + 24, h->data_blocks);
	put_le64(blk + 32, h->volume_blocks);
	put_731(blk + 40, h->k);
	put_731(blk + 44, h->m);
	put_le64(blk + 48, h->groups);
	put_le64(blk + 56, h->crc_blocks);
	put_le64(blk + 64, h->area_blocks);
	put_731(blk + 72, h->sidecar ? 1 : 0);
	put_731(blk + 76, 1); /* the code: Cauchy matrix over GF(2^8), polynomial 0x11D */
	put_731(blk + 80, 1); /* the block checksum: CRC32C, inverted */
	memcpy(blk + 88, h->crc_sha256, 32);
	return self_sum(blk, blk + 120);
}

int ecc_header_decode(const uint8_t blk[ECC_BLOCK], struct ecc_header *h)
{
	memset(h, 0, sizeof(*h));
	if (memcmp(blk, ECC_MAGIC, 16) != 0)
		return 0;
	uint8_t sum[32];
	if (self_sum(blk, sum) != 0)
		return -3;
	if (memcmp(sum, blk + 120, 32) != 0)
		return -1;
	if (get_731(blk + 16) != ECC_VERSION)
		return -2;
	h->data_blocks = get_le64(blk + 24);
	h->volume_blocks = get_le64(blk + 32);
	h->k = get_731(blk + 40);
	h->m = get_731(blk + 44);
	h->sidecar = get_731(blk + 72) & 1;
	memcpy(h->crc_sha256, blk + 88, 32);
	if (get_731(blk + 20) != ECC_BLOCK || get_731(blk + 76) != 1 || get_731(blk + 80) != 1 ||
	    h->k < 1 || h->m < 1 || h->k + h->m > ECC_MAX_CODE || h->data_blocks == 0 ||
	    h->data_blocks > MAX_DATA_BLOCKS)
		return -1;
	finish_layout(h);
	if (get_le64(blk + 48) != h->groups || get_le64(blk + 56) != h->crc_blocks ||
	    get_le64(blk + 64) != h->area_blocks)
		return -1;
	return 1;
}

void ecc_crc_table_build(const struct isal *l, const struct ecc_header *h, const uint32_t *crc,
			 uint8_t *out)
{
	uint64_t n = ecc_crc_entries(h);
	memset(out, 0, (size_t)(h->crc_blocks * ECC_BLOCK));
	for (uint64_t i = 0; i < n; i++)
		put_731(out + (i / ECC_CRCS_PER_BLOCK) * ECC_BLOCK + (i % ECC_CRCS_PER_BLOCK) * 4, crc[i]);
	for (uint64_t b = 0; b < h->crc_blocks; b++) {
		uint8_t *blk = out + b * ECC_BLOCK;
		put_731(blk + ECC_BLOCK - 4, isal_block_crc(l, blk, ECC_BLOCK - 4));
	}
}

bool ecc_crc_block_ok(const struct isal *l, const uint8_t *blk)
{
	return isal_block_crc(l, blk, ECC_BLOCK - 4) == get_731(blk + ECC_BLOCK - 4);
}

void ecc_matrix(const struct isal *l, uint32_t k, uint32_t m, uint8_t *a)
{
	l->gf_gen_cauchy1_matrix(a, (int)(k + m), (int)k);
}

void ecc_info_of(const struct ecc_header *h, uint64_t area_offset, struct isokit_ecc_info *out)
{
	memset(out, 0, sizeof(*out));
	out->data_blocks = h->data_blocks;
	out->volume_blocks = h->volume_blocks;
	out->k = h->k;
	out->m = h->m;
	out->groups = h->groups;
	out->area_blocks = h->area_blocks;
	out->area_offset = area_offset;
	out->sidecar = h->sidecar;
}

int ecc_pread(int fd, void *buf, size_t len, uint64_t off, uint64_t *missing)
{
	uint8_t *p = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(fd, p + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			memset(p + done, 0, len - done);
			if (missing)
				*missing += len - done;
			return 0;
		}
		done += (size_t)n;
	}
	return 0;
}

int ecc_pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* A header at byte @p off of @p fd: 1, 0 none, < 0 see ecc_header_decode. */
static int header_at(int fd, uint64_t off, struct ecc_header *h)
{
	uint8_t blk[ECC_BLOCK];
	uint64_t missing = 0;
	if (ecc_pread(fd, blk, sizeof(blk), off, &missing) != 0 || missing)
		return 0;
	return ecc_header_decode(blk, h);
}

static int no_crypto(char *msg, size_t msglen)
{
	if (msg)
		snprintf(msg, msglen, "%s", digest_error());
	return ISOKIT_E_NOTBUILT;
}

/* The repair data in a sidecar file: its first block, else its last. */
static int locate_sidecar(const char *spath, struct ecc_header *h, int *afd, char *msg,
			  size_t msglen)
{
	int sfd = open(spath, O_RDONLY | O_CLOEXEC);
	if (sfd < 0) {
		if (msg)
			snprintf(msg, msglen, "%s: %s", spath, strerror(errno));
		return errno == ENOENT ? ISOKIT_E_NOENT : ISOKIT_E_IO;
	}
	off_t size = lseek(sfd, 0, SEEK_END);
	int rc = header_at(sfd, 0, h);
	if (rc != 1 && size >= (off_t)ECC_BLOCK)
		rc = header_at(sfd, ((uint64_t)size / ECC_BLOCK - 1) * ECC_BLOCK, h);
	/* the whole area is in the file: what it describes is bounded by
	 * what is there (k <= 255 data blocks per repair block) */
	if (rc == 1 && h->sidecar && h->area_blocks * ECC_BLOCK <= (uint64_t)size) {
		*afd = sfd;
		return 0;
	}
	close(sfd);
	if (rc == -3)
		return no_crypto(msg, msglen);
	if (msg)
		snprintf(msg, msglen, "%s: not isokit repair data, or both its headers are damaged",
			 spath);
	return ISOKIT_E_INVAL;
}

int ecc_locate(int fd, uint64_t size, const char *path, const char *sidecar_path,
	       bool thorough, struct ecc_header *h, int *afd, uint64_t *area, char *msg,
	       size_t msglen)
{
	*afd = -1;
	*area = 0;
	if (sidecar_path)
		return locate_sidecar(sidecar_path, h, afd, msg, msglen);
	/* appended: the header's copy in the last block of the file */
	uint64_t blocks = size / ECC_BLOCK;
	int rc = blocks ? header_at(fd, (blocks - 1) * ECC_BLOCK, h) : 0;
	if (rc == -3)
		return no_crypto(msg, msglen);
	if (rc == 1 && !h->sidecar && h->data_blocks + h->area_blocks == blocks) {
		*afd = fd;
		*area = h->data_blocks * ECC_BLOCK;
		return 0;
	}
	/* a sidecar beside the image */
	char sp[4096];
	if ((size_t)snprintf(sp, sizeof(sp), "%s.ecc", path) < sizeof(sp) &&
	    access(sp, F_OK) == 0)
		return locate_sidecar(sp, h, afd, msg, msglen);
	/* the file may be cut short or its end damaged: the first header is
	 * where the repair data starts, after the volume and what follows it */
	uint64_t from = 0;
	uint8_t pvd[ECC_BLOCK];
	if (ecc_pread(fd, pvd, sizeof(pvd), 16 * ECC_BLOCK, NULL) == 0 &&
	    memcmp(pvd + 1, "CD001", 5) == 0)
		from = get_731(pvd + 80);
	uint64_t ranges[2][2] = {{from, from + (thorough ? SCAN_AFTER_VOLUME : 1)}, {17, blocks}};
	for (int pass = from ? 0 : 1; pass < (thorough ? 2 : 1); pass++) {
		uint64_t end = ranges[pass][1] < blocks ? ranges[pass][1] : blocks;
		for (uint64_t x = ranges[pass][0]; x < end; x++) {
			rc = header_at(fd, x * ECC_BLOCK, h);
			if (rc == 1 && !h->sidecar && h->data_blocks == x) {
				*afd = fd;
				*area = x * ECC_BLOCK;
				return 0;
			}
		}
	}
	if (msg)
		snprintf(msg, msglen, "no repair data (none after the image, no %s.ecc)", path);
	return ISOKIT_E_NOENT;
}

int ecc_message(char *msg, size_t msglen, int code, const char *fmt, ...)
{
	if (msg && msglen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, msglen, fmt, ap);
		va_end(ap);
	}
	return code;
}
