/* SPDX-License-Identifier: MIT */
/*
 * Encoding of SUSP (P1281) and Rock Ridge (P1282, RRIP 1.12) entries: the
 * writer's half of susp.c and rrip.c. Each function returns the entry's
 * length and writes it to @p p unless @p p is NULL, so that measuring and
 * writing run the same code.
 */
#ifndef ISOKIT_SUSP_ENCODE_H
#define ISOKIT_SUSP_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#define SUSP_ENTRY_MAX 255 /* the length byte */
#define SUSP_CE_LEN 28
#define RRIP_PX_LEN 44     /* 1.12: with the file serial number */
#define RRIP_PN_LEN 20

/* TF flag bits (RRIP 4.1.6), in the order the stamps follow. */
enum tf_flags {
	TF_CREATE = 0x01,
	TF_MODIFY = 0x02,
	TF_ACCESS = 0x04,
	TF_ATTRIBUTES = 0x08,
};

/* NM flags (4.1.4) and SL component flags (4.1.3.1). */
enum { NM_CONTINUE = 0x01 };
enum { SL_CONTINUE = 0x01, SL_CURRENT = 0x02, SL_PARENT = 0x04, SL_ROOT = 0x08 };

size_t susp_put_sp(uint8_t *p);
size_t susp_put_ce(uint8_t *p, uint32_t block, uint32_t offset, uint32_t len);
size_t susp_put_er(uint8_t *p, const char *id, const char *desc, const char *src);
size_t rrip_put_px(uint8_t *p, uint32_t mode, uint32_t nlink, uint32_t uid,
		   uint32_t gid, uint32_t serial);
size_t rrip_put_pn(uint8_t *p, uint64_t rdev_high, uint64_t rdev_low);
/* Short-form (7-byte) stamps, one per set bit of @p flags, in bit order. */
size_t rrip_put_tf(uint8_t *p, uint8_t flags, const int64_t *stamps);
/* One NM entry with up to SUSP_ENTRY_MAX - 5 bytes of name. */
size_t rrip_put_nm(uint8_t *p, uint8_t flags, const char *name, size_t len);
/* One SL entry around @p len bytes of already encoded component records. */
size_t rrip_put_sl(uint8_t *p, uint8_t flags, const uint8_t *comps, size_t len);
size_t rrip_put_cl(uint8_t *p, uint32_t lba);
size_t rrip_put_pl(uint8_t *p, uint32_t lba);
size_t rrip_put_re(uint8_t *p);

/* The Rock Ridge 1.12 extension reference, as libisofs writes it. */
#define RRIP_112_ID "IEEE_1282"
#define RRIP_112_DESC \
	"THE IEEE 1282 PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS."
#define RRIP_112_SRC                                                       \
	"PLEASE CONTACT THE IEEE STANDARDS DEPARTMENT, PISCATAWAY, NJ, USA " \
	"FOR THE 1282 SPECIFICATION."

#endif
