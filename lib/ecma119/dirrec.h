/* SPDX-License-Identifier: MIT */
/* Directory records (ECMA-119 9.1). */
#ifndef ISOKIT_ECMA119_DIRREC_H
#define ISOKIT_ECMA119_DIRREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dirrec_offsets {
	DR_LEN = 0,        /* BP 1 */
	DR_XA_LEN = 1,     /* BP 2 */
	DR_EXTENT = 2,     /* BP 3-10, 7.3.3 */
	DR_SIZE = 10,      /* BP 11-18, 7.3.3 */
	DR_DATE = 18,      /* BP 19-25, 9.1.5 */
	DR_FLAGS = 25,     /* BP 26 */
	DR_UNIT_SIZE = 26, /* BP 27 */
	DR_GAP = 27,       /* BP 28 */
	DR_SEQ = 28,       /* BP 29-32, 7.2.3 */
	DR_NAME_LEN = 32,  /* BP 33 */
	DR_NAME = 33,      /* BP 34- */
	DR_MIN_LEN = 34,
};

enum dirrec_flags {
	DR_FLAG_HIDDEN = 0x01,
	DR_FLAG_DIR = 0x02,
	DR_FLAG_ASSOCIATED = 0x04,
	DR_FLAG_RECORD = 0x08,
	DR_FLAG_PROTECTION = 0x10,
	DR_FLAG_MULTI_EXTENT = 0x80,
};

struct dirrec {
	uint8_t len, xa_len;
	uint32_t extent, size;
	const uint8_t *date; /* 7 bytes */
	uint8_t flags, unit_size, gap;
	uint8_t name_len;
	const uint8_t *name;
	const uint8_t *su; /* System Use area (may be empty) */
	size_t su_len;
	bool mismatch; /* a both-endian field's halves disagree */
};

/*
 * Decode the record at @p p with @p avail bytes left in its sector. The
 * record's own length must fit in @p avail and hold its identifier.
 * @return 0, or ISOKIT_E_CORRUPT.
 */
int dirrec_decode(const uint8_t *p, size_t avail, struct dirrec *out);

/* '.' (identifier 0x00) and '..' (0x01). */
static inline bool dirrec_is_dot(const struct dirrec *r)
{
	return r->name_len == 1 && r->name[0] == 0;
}

static inline bool dirrec_is_dotdot(const struct dirrec *r)
{
	return r->name_len == 1 && r->name[0] == 1;
}

/* What a writer puts into one directory record. */
struct dirrec_fields {
	uint32_t extent, size;
	const uint8_t *date; /* 7 bytes */
	uint8_t flags;
	const uint8_t *name;
	size_t name_len; /* 1..255 */
	const uint8_t *su;
	size_t su_len;
};

/* Length of a record with this identifier and System Use length (the pad
 * byte after an even identifier included). */
size_t dirrec_size(size_t name_len, size_t su_len);

/* Encode a record at @p p (dirrec_size() bytes, which must be <= 255 and is
 * the caller's to check); every byte is written. Returns its length. */
size_t dirrec_encode(uint8_t *p, const struct dirrec_fields *f);

/* Path table records (ECMA-119 9.4): length, then the record written in
 * the little-endian (type L) or big-endian (type M) form. */
size_t pathrec_size(size_t name_len);
size_t pathrec_encode(uint8_t *p, const uint8_t *name, size_t name_len,
		      uint32_t extent, uint16_t parent, bool big_endian);

#endif
