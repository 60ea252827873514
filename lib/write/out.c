// SPDX-License-Identifier: MIT
/* The image's output stream: buffered, strictly sequential (a pipe works). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ecma119/vd.h"
#include "write/internal.h"

int out_flush(struct out *o)
{
	if (o->tap) { /* its threads hash and write it */
		int werr = 0;
		if (o->len)
			o->buf = tap_pass(o->tap, o->len, &werr);
		o->len = 0;
		if (werr) {
			o->err = werr;
			return werr == ENOSPC || werr == EDQUOT ? ISOKIT_E_NOSPACE : ISOKIT_E_IO;
		}
		return 0;
	}
	size_t done = 0;
	while (done < o->len) {
		ssize_t n = write(o->fd, o->buf + done, o->len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			o->err = errno;
			return errno == ENOSPC || errno == EDQUOT ? ISOKIT_E_NOSPACE : ISOKIT_E_IO;
		}
		done += (size_t)n;
	}
	o->len = 0;
	return 0;
}

int out_write(struct out *o, const void *p, size_t n)
{
	const uint8_t *s = p;
	while (n > 0) {
		size_t k = o->cap - o->len;
		if (k > n)
			k = n;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		o->pos += k;
		s += k;
		n -= k;
		if (o->len == o->cap) {
			int rc = out_flush(o);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int out_zero(struct out *o, size_t n)
{
	static const uint8_t zeros[4096];
	while (n > 0) {
		size_t k = n > sizeof(zeros) ? sizeof(zeros) : n;
		int rc = out_write(o, zeros, k);
		if (rc)
			return rc;
		n -= k;
	}
	return 0;
}

int out_pad_block(struct out *o)
{
	return out_zero(o, (size_t)((ISO_BLOCK - o->pos % ISO_BLOCK) % ISO_BLOCK));
}
