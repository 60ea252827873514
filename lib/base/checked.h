/* SPDX-License-Identifier: MIT */
/* Overflow-checked arithmetic for block and byte offsets taken from images. */
#ifndef ISOKIT_BASE_CHECKED_H
#define ISOKIT_BASE_CHECKED_H

#include <stdbool.h>
#include <stdint.h>

/* Each returns true when the result overflowed (and then *r is unusable). */
static inline bool ckd_add_u64(uint64_t *r, uint64_t a, uint64_t b)
{
	return __builtin_add_overflow(a, b, r);
}

static inline bool ckd_mul_u64(uint64_t *r, uint64_t a, uint64_t b)
{
	return __builtin_mul_overflow(a, b, r);
}

/* True when [off, off+len) lies inside [0, limit). */
static inline bool range_inside(uint64_t off, uint64_t len, uint64_t limit)
{
	uint64_t end;
	if (ckd_add_u64(&end, off, len))
		return false;
	return end <= limit;
}

#endif
