// SPDX-License-Identifier: MIT
/* Directory record decoding (ECMA-119 9.1): bounds first, then fields. */
#include "ecma119/dirrec.h"

#include <isokit/error.h>

#include <string.h>

#include "base/bytes.h"

int dirrec_decode(const uint8_t *p, size_t avail, struct dirrec *out)
{
	if (avail < DR_MIN_LEN)
		return ISOKIT_E_CORRUPT;
	size_t len = p[DR_LEN];
	if (len < DR_MIN_LEN || len > avail)
		return ISOKIT_E_CORRUPT;
	size_t name_len = p[DR_NAME_LEN];
	if (name_len == 0 || DR_NAME + name_len > len)
		return ISOKIT_E_CORRUPT;

	out->mismatch = false;
	out->len = (uint8_t)len;
	out->xa_len = p[DR_XA_LEN];
	out->extent = get_733(p + DR_EXTENT, &out->mismatch);
	out->size = get_733(p + DR_SIZE, &out->mismatch);
	out->date = p + DR_DATE;
	out->flags = p[DR_FLAGS];
	out->unit_size = p[DR_UNIT_SIZE];
	out->gap = p[DR_GAP];
	(void)get_723(p + DR_SEQ, &out->mismatch);
	out->name_len = (uint8_t)name_len;
	out->name = p + DR_NAME;
	/* System Use starts after the identifier and its padding byte (present
	 * when the identifier length is even), 9.1.12-13. */
	size_t su = DR_NAME + name_len + ((name_len & 1) ? 0 : 1);
	if (su < len) {
		out->su = p + su;
		out->su_len = len - su;
	} else {
		out->su = p + len;
		out->su_len = 0;
	}
	return 0;
}

size_t dirrec_size(size_t name_len, size_t su_len)
{
	size_t n = DR_NAME + name_len;
	n += n & 1; /* pad byte after an even-length identifier */
	return n + su_len;
}

size_t dirrec_encode(uint8_t *p, const struct dirrec_fields *f)
{
	size_t len = dirrec_size(f->name_len, f->su_len);
	memset(p, 0, DR_NAME + f->name_len + 1);
	p[DR_LEN] = (uint8_t)len;
	put_733(p + DR_EXTENT, f->extent);
	put_733(p + DR_SIZE, f->size);
	memcpy(p + DR_DATE, f->date, 7);
	p[DR_FLAGS] = f->flags;
	put_723(p + DR_SEQ, 1);
	p[DR_NAME_LEN] = (uint8_t)f->name_len;
	memcpy(p + DR_NAME, f->name, f->name_len);
	size_t su = dirrec_size(f->name_len, 0);
	if (f->su_len)
		memcpy(p + su, f->su, f->su_len);
	return len;
}

size_t pathrec_size(size_t name_len)
{
	return 8 + name_len + (name_len & 1);
}

size_t pathrec_encode(uint8_t *p, const uint8_t *name, size_t name_len,
		      uint32_t extent, uint16_t parent, bool big_endian)
{
	size_t len = pathrec_size(name_len);
	memset(p, 0, len);
	p[0] = (uint8_t)name_len;
	if (big_endian) {
		put_732(p + 2, extent);
		put_722(p + 6, parent);
	} else {
		put_731(p + 2, extent);
		put_721(p + 6, parent);
	}
	memcpy(p + 8, name, name_len);
	return len;
}
