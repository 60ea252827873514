/* SPDX-License-Identifier: MIT */
/*
 * Byte codecs named after the ECMA-119 number formats (7.1 to 7.3): 711 is an
 * unsigned byte, 721/722 16-bit little/big-endian, 723 16-bit both-endian,
 * 731/732 32-bit little/big-endian, 733 32-bit both-endian. All are bytewise,
 * so they work at any alignment and on any host byte order.
 */
#ifndef ISOKIT_BASE_BYTES_H
#define ISOKIT_BASE_BYTES_H

#include <stdbool.h>
#include <stdint.h>

static inline uint8_t get_711(const uint8_t *p) { return p[0]; }

static inline uint16_t get_721(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint16_t get_722(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t get_731(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline uint32_t get_732(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_731(p) | ((uint64_t)get_731(p + 4) << 32);
}

/* Both-endian: the little-endian half is authoritative (readers in the wild
 * agree on that because some mastering programs botch the big-endian half);
 * *mismatch tells whether the halves disagree, so it can become a finding. */
static inline uint16_t get_723(const uint8_t *p, bool *mismatch)
{
	uint16_t le = get_721(p);
	if (mismatch && le != get_722(p + 2))
		*mismatch = true;
	return le;
}

static inline uint32_t get_733(const uint8_t *p, bool *mismatch)
{
	uint32_t le = get_731(p);
	if (mismatch && le != get_732(p + 4))
		*mismatch = true;
	return le;
}

static inline void put_721(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put_722(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_723(uint8_t *p, uint16_t v)
{
	put_721(p, v);
	put_722(p + 2, v);
}

static inline void put_731(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void put_732(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void put_733(uint8_t *p, uint32_t v)
{
	put_731(p, v);
	put_732(p + 4, v);
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	put_731(p, (uint32_t)v);
	put_731(p + 4, (uint32_t)(v >> 32));
}

#endif
