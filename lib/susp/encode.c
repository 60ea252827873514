// SPDX-License-Identifier: MIT
/* SUSP and Rock Ridge entry encoders; see encode.h. */
#include "susp/encode.h"

#include <string.h>

#include "base/bytes.h"
#include "base/isotime.h"

static void head(uint8_t *p, char a, char b, size_t len, uint8_t version)
{
	p[0] = (uint8_t)a;
	p[1] = (uint8_t)b;
	p[2] = (uint8_t)len;
	p[3] = version;
}

size_t susp_put_sp(uint8_t *p)
{
	if (p) {
		head(p, 'S', 'P', 7, 1);
		p[4] = 0xBE;
		p[5] = 0xEF;
		p[6] = 0; /* LEN_SKP */
	}
	return 7;
}

size_t susp_put_ce(uint8_t *p, uint32_t block, uint32_t offset, uint32_t len)
{
	if (p) {
		head(p, 'C', 'E', SUSP_CE_LEN, 1);
		put_733(p + 4, block);
		put_733(p + 12, offset);
		put_733(p + 20, len);
	}
	return SUSP_CE_LEN;
}

size_t susp_put_er(uint8_t *p, const char *id, const char *desc, const char *src)
{
	size_t li = strlen(id), ld = strlen(desc), ls = strlen(src);
	size_t len = 8 + li + ld + ls;
	if (p) {
		head(p, 'E', 'R', len, 1);
		p[4] = (uint8_t)li;
		p[5] = (uint8_t)ld;
		p[6] = (uint8_t)ls;
		p[7] = 1; /* extension version */
		memcpy(p + 8, id, li);
		memcpy(p + 8 + li, desc, ld);
		memcpy(p + 8 + li + ld, src, ls);
	}
	return len;
}

size_t rrip_put_px(uint8_t *p, uint32_t mode, uint32_t nlink, uint32_t uid,
		   uint32_t gid, uint32_t serial)
{
	if (p) {
		head(p, 'P', 'X', RRIP_PX_LEN, 1);
		put_733(p + 4, mode);
		put_733(p + 12, nlink);
		put_733(p + 20, uid);
		put_733(p + 28, gid);
		put_733(p + 36, serial);
	}
	return RRIP_PX_LEN;
}

size_t rrip_put_pn(uint8_t *p, uint64_t high, uint64_t low)
{
	if (p) {
		head(p, 'P', 'N', RRIP_PN_LEN, 1);
		put_733(p + 4, (uint32_t)high);
		put_733(p + 12, (uint32_t)low);
	}
	return RRIP_PN_LEN;
}

size_t rrip_put_tf(uint8_t *p, uint8_t flags, const int64_t *stamps)
{
	size_t n = 0;
	for (unsigned bit = 0; bit < 7; bit++)
		n += (flags >> bit) & 1u;
	size_t len = 5 + 7 * n;
	if (p) {
		head(p, 'T', 'F', len, 1);
		p[4] = flags;
		for (size_t i = 0; i < n; i++)
			isotime_encode7(stamps[i], p + 5 + 7 * i);
	}
	return len;
}

/* NM and SL: a flags byte, then bytes. */
static size_t put_flagged(uint8_t *p, char a, char b, uint8_t flags, const void *data,
			  size_t len)
{
	if (p) {
		head(p, a, b, 5 + len, 1);
		p[4] = flags;
		memcpy(p + 5, data, len);
	}
	return 5 + len;
}

size_t rrip_put_nm(uint8_t *p, uint8_t flags, const char *name, size_t len)
{
	return put_flagged(p, 'N', 'M', flags, name, len);
}

size_t rrip_put_sl(uint8_t *p, uint8_t flags, const uint8_t *comps, size_t len)
{
	return put_flagged(p, 'S', 'L', flags, comps, len);
}

static size_t put_lba(uint8_t *p, char a, char b, uint32_t lba)
{
	if (p) {
		head(p, a, b, 12, 1);
		put_733(p + 4, lba);
	}
	return 12;
}

size_t rrip_put_cl(uint8_t *p, uint32_t lba)
{
	return put_lba(p, 'C', 'L', lba);
}

size_t rrip_put_pl(uint8_t *p, uint32_t lba)
{
	return put_lba(p, 'P', 'L', lba);
}

size_t rrip_put_re(uint8_t *p)
{
	if (p)
		head(p, 'R', 'E', 4, 1);
	return 4;
}
