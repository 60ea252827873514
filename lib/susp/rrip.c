// SPDX-License-Identifier: MIT
/* Rock Ridge entry decoding (RRIP 1.12, 4.1.1-4.1.7; RRIP 1.09 RR) and the
 * zisofs ZF entry. Every entry arrives with its exact length; nothing here
 * reads past it. */
#include "susp/rrip.h"

#include <string.h>

#include "base/bytes.h"
#include "base/isotime.h"

#define SIG(a, b) (((unsigned)(a) << 8) | (unsigned)(b))

static void parse_px(const uint8_t *e, size_t len, struct rr_info *rr)
{
	if (len < 36) {
		rr->malformed = true;
		return;
	}
	rr->has_px = true;
	rr->mode = get_731(e + 4);
	rr->nlink = get_731(e + 12);
	rr->uid = get_731(e + 20);
	rr->gid = get_731(e + 28);
	/* RRIP 1.12 added the file serial number (44-byte PX). */
	if (len >= 44) {
		rr->px_has_ino = true;
		rr->ino = get_731(e + 36);
	}
}

static void parse_pn(const uint8_t *e, size_t len, struct rr_info *rr)
{
	if (len < 20) {
		rr->malformed = true;
		return;
	}
	rr->has_pn = true;
	rr->dev_high = get_731(e + 4);
	rr->dev_low = get_731(e + 12);
}

static void append(char *buf, size_t *len, size_t cap, const void *src,
		   size_t n, bool *overflow)
{
	if (*len + n > cap) {
		*overflow = true;
		n = cap - *len;
	}
	memcpy(buf + *len, src, n);
	*len += n;
	buf[*len] = '\0';
}

static void parse_nm(const uint8_t *e, size_t len, struct rr_info *rr)
{
	if (len < 5) {
		rr->malformed = true;
		return;
	}
	uint8_t flags = e[4];
	/* NM for '.' or '..' names nothing new (Linux ignores it too). */
	if (flags & 0x06)
		return;
	/* A new NM after a complete one starts a new name. */
	if (rr->has_nm && !rr->nm_continue)
		rr->name_len = 0;
	rr->has_nm = true;
	append(rr->name, &rr->name_len, RR_NAME_MAX, e + 5, len - 5,
	       &rr->nm_overflow);
	rr->nm_continue = flags & 0x01;
}

static void sl_put(struct rr_info *rr, const void *s, size_t n)
{
	append(rr->target, &rr->target_len, RR_TARGET_MAX, s, n,
	       &rr->sl_overflow);
}

static void parse_sl(const uint8_t *e, size_t len, struct rr_info *rr)
{
	if (len < 5) {
		rr->malformed = true;
		return;
	}
	/* A new SL after a complete one starts a new target. */
	if (rr->has_sl && !rr->sl_entry_continue) {
		rr->target_len = 0;
		rr->sl_comp_continue = false;
		rr->sl_after_root = false;
	}
	bool first = !rr->has_sl || !rr->sl_entry_continue;
	rr->has_sl = true;
	rr->sl_entry_continue = e[4] & 0x01;
	size_t pos = 5;
	while (pos + 2 <= len) {
		uint8_t cflags = e[pos], clen = e[pos + 1];
		if (pos + 2 + clen > len) {
			rr->malformed = true;
			return;
		}
		const uint8_t *cdata = e + pos + 2;
		pos += 2 + (size_t)clen;
		/* Components are joined by '/', except when the previous
		 * one continues (a name split across records) or was the
		 * root itself. */
		bool sep = !(first && rr->target_len == 0) &&
			   !rr->sl_comp_continue && !rr->sl_after_root;
		if (rr->target_len == 0)
			sep = false;
		first = false;
		if (sep)
			sl_put(rr, "/", 1);
		rr->sl_after_root = false;
		if (cflags & 0x08) {
			sl_put(rr, "/", 1);
			rr->sl_after_root = true;
		} else if (cflags & 0x02) {
			sl_put(rr, ".", 1);
		} else if (cflags & 0x04) {
			sl_put(rr, "..", 2);
		} else {
			sl_put(rr, cdata, clen);
		}
		rr->sl_comp_continue = cflags & 0x01;
	}
}

/* TF stamps follow in flag-bit order: create, modify, access, attributes,
 * backup, expiration, effective; bit 7 selects 17-byte stamps. */
static void parse_tf(const uint8_t *e, size_t len, struct rr_info *rr)
{
	if (len < 5) {
		rr->malformed = true;
		return;
	}
	uint8_t flags = e[4];
	size_t sz = (flags & 0x80) ? 17 : 7;
	size_t pos = 5;
	struct isokit_time *slot[4] = {&rr->tf_create, &rr->tf_modify,
				       &rr->tf_access, &rr->tf_attr};
	rr->has_tf = true;
	for (int bit = 0; bit < 7; bit++) {
		if (!(flags & (1u << bit)))
			continue;
		if (pos + sz > len) {
			rr->malformed = true;
			return;
		}
		if (bit < 4)
			*slot[bit] = sz == 7 ? isotime_decode7(e + pos)
					     : isotime_decode17(e + pos);
		pos += sz;
	}
}

static void parse_zf(const uint8_t *e, size_t len, struct rr_info *rr)
{
	if (len < 16) {
		rr->malformed = true;
		return;
	}
	rr->has_zf = true;
	rr->zf_alg[0] = e[4];
	rr->zf_alg[1] = e[5];
	rr->zf_header_div4 = e[6];
	rr->zf_block_log2 = e[7];
	rr->zf_size = get_731(e + 8);
}

void rrip_parse_entry(const uint8_t *e, size_t len, struct rr_info *rr)
{
	switch (SIG(e[0], e[1])) {
	case SIG('P', 'X'):
		parse_px(e, len, rr);
		break;
	case SIG('P', 'N'):
		parse_pn(e, len, rr);
		break;
	case SIG('S', 'L'):
		parse_sl(e, len, rr);
		break;
	case SIG('N', 'M'):
		parse_nm(e, len, rr);
		break;
	case SIG('T', 'F'):
		parse_tf(e, len, rr);
		break;
	case SIG('C', 'L'):
		if (len >= 12) {
			rr->has_cl = true;
			rr->cl_lba = get_731(e + 4);
		} else {
			rr->malformed = true;
		}
		break;
	case SIG('P', 'L'):
		if (len >= 12) {
			rr->has_pl = true;
			rr->pl_lba = get_731(e + 4);
		} else {
			rr->malformed = true;
		}
		break;
	case SIG('R', 'E'):
		rr->has_re = true;
		break;
	case SIG('R', 'R'):
		rr->has_rr_entry = true;
		break;
	case SIG('Z', 'F'):
		parse_zf(e, len, rr);
		return; /* ZF is zisofs, not Rock Ridge proper */
	case SIG('S', 'F'):
		break;
	default:
		return; /* unknown entries are skipped by length */
	}
	rr->any_rr = true;
}
