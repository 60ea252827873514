/* SPDX-License-Identifier: MIT */
/* Character sets of ISO images: UCS-2BE/UTF-16BE (Joliet) to UTF-8, and
 * trimming of space-padded a/d-character fields. */
#ifndef ISOKIT_BASE_CHARSET_H
#define ISOKIT_BASE_CHARSET_H

#include <stddef.h>
#include <stdint.h>

/*
 * Convert big-endian UTF-16 (Joliet names; surrogate pairs are decoded, a
 * lone surrogate becomes U+FFFD) to UTF-8. @p out must hold 3 * (len / 2) + 1
 * bytes. Returns the number of bytes written, without the NUL it appends.
 */
size_t ucs2be_to_utf8(const uint8_t *in, size_t len, char *out);

/* Copy a space-padded field, dropping trailing spaces and NULs; out gets
 * len + 1 bytes. Bytes that are not printable ASCII are kept as they are. */
void field_trim(const uint8_t *in, size_t len, char *out);

/* Copy @p n bytes of UTF-8 from @p src into @p dst (@p cap bytes with the
 * NUL), cut at a character boundary when they do not fit. */
void utf8_copy_cut(char *dst, size_t cap, const char *src, size_t n);

/* Decode one UTF-8 sequence from @p s (@p len bytes left) into *cp and
 * return the bytes it used; an invalid or cut sequence uses one byte and
 * gives U+FFFD. Returns 0 only when len is 0. */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/* UTF-16 code units of @p cp (a surrogate pair above U+FFFF); returns 1 or 2. */
size_t utf16_units(uint32_t cp, uint16_t out[2]);

/* UTF-8 to UTF-16 units (host order), at most @p max, never splitting a
 * surrogate pair: whole characters only. Returns the units written. */
size_t utf8_to_utf16(const char *s, size_t len, uint16_t *out, size_t max);

#endif
