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

#endif
