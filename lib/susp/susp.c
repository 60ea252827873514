// SPDX-License-Identifier: MIT
/* SUSP entry iteration (P1281 5.x: SP, CE, PD, ST, ER, ES) and dispatch of
 * the Rock Ridge entries to rrip.c. */
#include "susp/susp.h"

#include <stddef.h>
#include <string.h>

#include "base/bytes.h"
#include "base/cursor.h"
#include "susp/rrip.h"

void rr_info_reset(struct rr_info *rr)
{
	/* The name and target buffers are valid up to their lengths, so
	 * only the part before them needs clearing. */
	memset(rr, 0, offsetof(struct rr_info, name));
	rr->name[0] = '\0';
	rr->target[0] = '\0';
}

#define SIG(a, b) (((unsigned)(a) << 8) | (unsigned)(b))

static void parse_sp(struct cursor e, struct rr_info *rr)
{
	/* SP: BE EF check bytes, then LEN_SKP (P1281 5.3). */
	if (e.len >= 7 && e.p[4] == 0xBE && e.p[5] == 0xEF) {
		rr->has_sp = true;
		rr->sp_skip = e.p[6];
	}
}

static void parse_ce(struct cursor e, struct rr_info *rr)
{
	if (e.len < 28) {
		rr->malformed = true;
		return;
	}
	rr->has_ce = true;
	rr->ce.block = get_731(e.p + 4);
	rr->ce.offset = get_731(e.p + 12);
	rr->ce.length = get_731(e.p + 20);
}

static void parse_er(struct cursor e, struct rr_info *rr)
{
	if (e.len < 8) {
		rr->malformed = true;
		return;
	}
	size_t len_id = e.p[4];
	if (8 + len_id > e.len) {
		rr->malformed = true;
		return;
	}
	if (rr->er_count++ == 0) {
		size_t n = len_id < 32 ? len_id : 32;
		memcpy(rr->er_id, e.p + 8, n);
		rr->er_id[n] = '\0';
	}
}

void susp_parse(const uint8_t *area, size_t len, struct rr_info *rr)
{
	struct cursor c = cursor_make(area, len);
	while (!rr->stop && cursor_has(&c, 4)) {
		unsigned a = c.p[0], b = c.p[1], elen = c.p[2];
		/* Padding to the end of a record is legal; so is the end of
		 * an area whose length was rounded up. */
		if (a == 0)
			break;
		if (elen < 4 || elen > c.len) {
			rr->malformed = true;
			break;
		}
		struct cursor e;
		cursor_take(&c, elen, &e);
		switch (SIG(a, b)) {
		case SIG('S', 'P'):
			parse_sp(e, rr);
			break;
		case SIG('C', 'E'):
			parse_ce(e, rr);
			break;
		case SIG('S', 'T'):
			rr->stop = true;
			break;
		case SIG('E', 'R'):
			parse_er(e, rr);
			break;
		case SIG('P', 'D'):
		case SIG('E', 'S'):
			break;
		default:
			rrip_parse_entry(e.p, e.len, rr);
			break;
		}
	}
}
