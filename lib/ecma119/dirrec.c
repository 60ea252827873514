// SPDX-License-Identifier: MIT
/* Directory record decoding (ECMA-119 9.1): bounds first, then fields. */
#include "ecma119/dirrec.h"

#include <isokit/error.h>

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
