/* SPDX-License-Identifier: MIT */
/*
 * A bounded reader over a byte range. Every variable-length structure (SUSP
 * areas, path-table records, catalog entries) is parsed through it, so a
 * length field can never lead a parser past the bytes it was given.
 */
#ifndef ISOKIT_BASE_CURSOR_H
#define ISOKIT_BASE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cursor {
	const uint8_t *p;
	size_t len;
};

static inline struct cursor cursor_make(const uint8_t *p, size_t len)
{
	struct cursor c = {p, len};
	return c;
}

static inline bool cursor_has(const struct cursor *c, size_t n)
{
	return c->len >= n;
}

/* Take the next n bytes as a sub-cursor; false (and no move) if short. */
static inline bool cursor_take(struct cursor *c, size_t n, struct cursor *sub)
{
	if (c->len < n)
		return false;
	sub->p = c->p;
	sub->len = n;
	c->p += n;
	c->len -= n;
	return true;
}

static inline bool cursor_skip(struct cursor *c, size_t n)
{
	if (c->len < n)
		return false;
	c->p += n;
	c->len -= n;
	return true;
}

#endif
