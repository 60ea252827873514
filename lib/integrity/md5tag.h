/* SPDX-License-Identifier: MIT */
/* libisofs checksum tags (libisofs doc/checksums.txt): one text line in a
 * block, "libisofs_<kind>_tag_v1 pos=N range_start=N range_size=N
 * [next=N] md5=<32 hex> self=<32 hex>". Decoding only; no I/O. */
#ifndef ISOKIT_INTEGRITY_MD5TAG_H
#define ISOKIT_INTEGRITY_MD5TAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <isokit/image.h>

/* Decode a tag at the start of @p blk (@p len bytes). Sets *next to the
 * "next=" block, or 0. Returns false when the block holds no tag. */
bool md5tag_parse(const uint8_t *blk, size_t len, struct isokit_md5_tag *out,
		  uint32_t *next);

#endif
