/* SPDX-License-Identifier: MIT */
/*
 * System Use Sharing Protocol (IEEE P1281, SUSP 1.12) and the Rock Ridge
 * entries it carries (IEEE P1282, RRIP 1.09/1.10/1.12), plus zisofs' ZF.
 * Pure decoding: an area of bytes goes in, an accumulated struct rr_info
 * comes out; continuation areas (CE) are returned to the caller, who reads
 * them and calls susp_parse() again.
 */
#ifndef ISOKIT_SUSP_SUSP_H
#define ISOKIT_SUSP_SUSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <isokit/image.h>

#define RR_NAME_MAX 1024   /* longest NM name assembled (Linux stops at 254) */
#define RR_TARGET_MAX 4096 /* longest SL target (PATH_MAX) */
#define SUSP_MAX_CE 32     /* CE hops per record, as Linux */

struct susp_ce {
	uint32_t block, offset, length;
};

struct rr_info {
	/* SUSP */
	bool has_sp;
	uint8_t sp_skip;
	bool has_ce;
	struct susp_ce ce;
	bool stop; /* ST seen */
	int er_count;
	char er_id[33];   /* first ER identifier */
	bool any_rr;      /* some Rock Ridge entry was seen */
	bool has_rr_entry; /* 1.09-style RR flags entry */
	/* PX */
	bool has_px, px_has_ino;
	uint32_t mode, nlink, uid, gid, ino;
	/* PN */
	bool has_pn;
	uint32_t dev_high, dev_low;
	/* NM */
	bool has_nm, nm_continue, nm_overflow;
	size_t name_len;
	/* SL */
	bool has_sl, sl_entry_continue, sl_comp_continue, sl_overflow;
	bool sl_after_root;
	size_t target_len;
	/* TF */
	bool has_tf;
	struct isokit_time tf_create, tf_modify, tf_access, tf_attr;
	/* CL, PL, RE */
	bool has_cl, has_pl, has_re;
	uint32_t cl_lba, pl_lba;
	/* ZF */
	bool has_zf;
	uint8_t zf_alg[2];
	uint8_t zf_header_div4, zf_block_log2;
	uint32_t zf_size;
	/* a malformed entry was met (reported as a finding) */
	bool malformed;
	/* buffers last: rr_info_reset() clears everything before them */
	char name[RR_NAME_MAX + 1];
	char target[RR_TARGET_MAX + 1];
};

void rr_info_reset(struct rr_info *rr);

/*
 * Parse one System Use area (or a continuation area). Entries accumulate
 * in @p rr. A CE entry sets rr->has_ce and rr->ce (the caller clears
 * has_ce before following it). Parsing stops at ST, at the end of the area,
 * or at bytes that are not a plausible entry.
 */
void susp_parse(const uint8_t *area, size_t len, struct rr_info *rr);

#endif
