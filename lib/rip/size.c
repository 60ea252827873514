// SPDX-License-Identifier: MIT
/*
 * How much of a medium is the image (isokit_rip_medium_size()): a drive
 * reports what the disc's table of contents says, often with run-out
 * blocks that cannot be read, or a stick its whole capacity; only the file
 * system knows where the image ends.
 */
#include <stdio.h>
#include <string.h>

#include <isokit/error.h>
#include <isokit/rip.h>

#include "base/bytes.h"
#include "ecma119/vd.h"
#include "repair/ecc.h"
#include "sysarea/parttab.h"

/* Descriptors looked at: ECMA-119 puts no bound on the set; xorriso and
 * mkisofs write a handful. */
#define VD_SCAN 64

static bool read_block(const struct isokit_rip_input *in, uint64_t at, uint8_t *buf, size_t len)
{
	return in->read_at(in->ctx, at, buf, len) == (int64_t)len;
}

/* 1 read, 0 past the medium's end, -1 unreadable. */
static int read_vd(const struct isokit_rip_input *in, uint64_t at, uint8_t *buf)
{
	int64_t r = in->read_at(in->ctx, at, buf, ISO_BLOCK);
	return r == ISO_BLOCK ? 1 : r >= 0 ? 0 : -1;
}

/* The volume's bytes from descriptor @p b, or 0. */
static uint64_t volume_bytes(const uint8_t *b)
{
	if (memcmp(b + VD_ID, "CD001", 5) != 0 || b[VD_VERSION] == 0)
		return 0;
	if (b[VD_TYPE] != VD_TYPE_PRIMARY && b[VD_TYPE] != VD_TYPE_SUPPLEMENTARY)
		return 0;
	uint32_t blocks = get_731(b + VD_SPACE_SIZE);
	uint32_t bs = b[VD_BLOCK_SIZE] | (uint32_t)b[VD_BLOCK_SIZE + 1] << 8;
	if (bs != ISO_BLOCK || blocks <= ISO_VD_FIRST)
		return 0;
	return (uint64_t)blocks * bs;
}

/* isokit repair data appended at byte @p at: its bytes, or 0. The header
 * must say it starts where it is (docs/format/repair-data.md). */
static uint64_t repair_bytes(const struct isokit_rip_input *in, uint64_t at)
{
	uint8_t b[ECC_BLOCK];
	struct ecc_header h;
	if (!read_block(in, at, b, sizeof(b)) || ecc_header_decode(b, &h) != 1 || h.sidecar ||
	    h.data_blocks * ECC_BLOCK != at)
		return 0;
	return h.area_blocks * ECC_BLOCK;
}

/* The end of a GPT's backup header, from the primary at sector 1, or 0. */
static uint64_t gpt_end(const struct isokit_rip_input *in)
{
	uint8_t h[SECTOR];
	if (!read_block(in, SECTOR, h, sizeof(h)) || memcmp(h, "EFI PART", 8) != 0)
		return 0;
	uint64_t array_at;
	uint32_t n, size;
	if (!gpt_header_ok(h, &array_at, &n, &size))
		return 0;
	uint64_t backup = get_le64(h + 32);
	return backup < (UINT64_MAX / SECTOR) ? (backup + 1) * SECTOR : 0;
}

int isokit_rip_medium_size(const struct isokit_rip_input *in, struct isokit_rip_extent *out,
			   char *msg, size_t msglen)
{
	memset(out, 0, sizeof(*out));
	uint8_t b[ISO_BLOCK];
	unsigned unreadable = 0;
	uint64_t other = 0; /* a supplementary descriptor's, when the primary is unreadable */
	int other_at = 0;
	for (unsigned i = 0; i < VD_SCAN; i++) {
		int sector = (int)(ISO_VD_FIRST + i);
		int got = read_vd(in, (uint64_t)sector * ISO_BLOCK, b);
		if (got == 0) /* the medium ends */
			break;
		if (got < 0) {
			unreadable++;
			continue;
		}
		if (memcmp(b + VD_ID, "CD001", 5) != 0) {
			if (i == 0) /* sector 16 read, and is no descriptor */
				break;
			continue;
		}
		if (b[VD_TYPE] == VD_TYPE_TERMINATOR)
			break;
		uint64_t v = volume_bytes(b);
		if (v && b[VD_TYPE] == VD_TYPE_PRIMARY) {
			out->volume_bytes = v;
			out->vd_sector = sector;
			break;
		}
		if (v && !other) {
			other = v;
			other_at = sector;
		}
	}
	if (!out->volume_bytes && other) {
		out->volume_bytes = other;
		out->vd_sector = other_at;
	}
	if (!out->volume_bytes) {
		if (msg && msglen)
			snprintf(msg, msglen, unreadable
				 ? "no ISO 9660 volume descriptor could be read (%u of the first "
				   "sectors failed); give the size with --size"
				 : "no ISO 9660 volume descriptor at sector 16: not an ISO image "
				   "(give the size with --size to copy it anyway)", unreadable);
		return ISOKIT_E_NOTISO;
	}
	out->size = out->volume_bytes;
	/* repair data right after the volume, or after a backup GPT there */
	uint64_t g = gpt_end(in);
	if (g > out->size && g - out->size <= 64 * ISO_BLOCK) {
		out->gpt_bytes = g - out->size;
		out->size = g;
	}
	for (uint64_t at = out->volume_bytes; at <= out->size; at += ISO_BLOCK) {
		uint64_t rb = repair_bytes(in, at);
		if (rb) {
			out->repair_bytes = rb;
			out->size = at + rb;
			break;
		}
	}
	return 0;
}
