// SPDX-License-Identifier: MIT
/* Copying file data out of an image. Plain files are byte ranges of the
 * image: a range that starts on a page boundary goes to copy_file_range
 * first (a reflink on file systems that share blocks, a copy inside the
 * kernel on others); the rest is read and written through a small buffer
 * that stays in the CPU's cache. sendfile is not used: ISO 9660 puts files
 * on 2 KiB boundaries, and a range that is not page-aligned reaches the
 * page cache of the output in half pages, each written separately and
 * the other half zeroed first; on the photos benchmark sendfile took 50%
 * more CPU time than read/write. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "copy.h"

/* Every write is at most 32 KiB. The kernel sizes the page-cache folio
 * it allocates for a write by the write's length (ext4 has large folios
 * since Linux 6.16), and folios above 32 KiB (order 3) are not kept on
 * the per-CPU free lists: each comes from the zone's buddy lists. On a
 * VM that returns free memory to its host, that memory must be faulted
 * back in: extracting the 2 GiB photos tree took 0.9-1.2 s with 32 KiB
 * writes against 1.7-2.2 s with 128 KiB (kernel 6.18, 5 alternating
 * runs), and 64 KiB was as slow as 128. xorriso writes 32 KiB too. */
#define COPY_BUF (32u << 10)
#define COPY_CHUNK ((size_t)16 << 20)
#define WINDOW (2u << 20)       /* read-ahead window for small files */
#define SMALL_FILE (256u << 10) /* files up to this go through the window */

int copier_init(struct copier *c)
{
	c->try_cfr = true;
	c->buf = malloc(COPY_BUF);
	c->out_errno = 0;
	c->win = NULL;
	c->win_cap = c->win_len = 0;
	c->win_off = 0;
	c->sha = NULL;
	return c->buf ? 0 : ISOKIT_E_NOMEM;
}

void copier_release(struct copier *c)
{
	free(c->buf);
	free(c->win);
	c->buf = c->win = NULL;
}

static int write_all(struct copier *c, int fd, const unsigned char *p, size_t n)
{
	if (c->sha && isokit_sha256_update(c->sha, p, n) != 0)
		return ISOKIT_E_NOMEM;
	while (n > 0) {
		ssize_t w = write(fd, p, n > COPY_BUF ? COPY_BUF : n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			c->out_errno = errno;
			return ISOKIT_E_IO;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Copy [off, off + len) of the image by copy_file_range when it applies;
 * returns the bytes moved (0 when it does not apply: nothing was written)
 * or -1 with errno for a failed write. */
static ssize_t range_copy(struct copier *c, int in, uint64_t off, int out,
			  size_t len)
{
	if (!c->try_cfr || c->sha || (off & 4095) != 0)
		return 0;
	loff_t o = (loff_t)off;
	ssize_t n;
	do
		n = copy_file_range(in, &o, out, NULL, len, 0);
	while (n < 0 && errno == EINTR);
	if (n > 0 || (n < 0 && errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
		      errno != EOPNOTSUPP && errno != EBADF))
		return n;
	c->try_cfr = false; /* not between these two: not again */
	return 0;
}

/* Copy [pos, pos + len) of file @p f through the buffer; the reader
 * reports damage with its sector and path. */
static int buffer_copy(struct copier *c, struct isokit_file *f, uint64_t pos,
		       int out, uint64_t len, struct progress *p)
{
	while (len > 0) {
		size_t want = len > COPY_BUF ? COPY_BUF : (size_t)len;
		int64_t n = isokit_file_pread(f, c->buf, want, pos);
		if (n <= 0)
			return n == 0 ? ISOKIT_E_TRUNCATED : (int)n;
		int rc = write_all(c, out, c->buf, (size_t)n);
		if (rc)
			return rc;
		pos += (uint64_t)n;
		len -= (uint64_t)n;
		if (p)
			progress_update(p, (uint64_t)n, 0);
	}
	return 0;
}

static int copy_runs(struct copier *c, struct isokit_image *img,
		     struct isokit_file *f, int in, int fd, struct progress *p)
{
	uint64_t offs[8], lens[8];
	int64_t nruns = isokit_file_runs(f, offs, lens, 8);
	if (nruns < 0 || nruns > 8 || in < 0)
		return 1; /* not applicable: the caller reads through the reader */
	uint64_t pos = 0; /* in the file */
	for (int64_t r = 0; r < nruns; r++) {
		uint64_t off = offs[r], left = lens[r];
		while (left > 0) {
			size_t want = left > COPY_CHUNK ? COPY_CHUNK : (size_t)left;
			ssize_t n = range_copy(c, in, off, fd, want);
			if (n < 0) {
				c->out_errno = errno;
				return ISOKIT_E_IO;
			}
			if (n == 0) {
				int rc = buffer_copy(c, f, pos, fd, want, p);
				if (rc)
					return rc;
				n = (ssize_t)want;
			} else if (p) {
				progress_update(p, (uint64_t)n, 0);
			}
			off += (uint64_t)n;
			pos += (uint64_t)n;
			left -= (uint64_t)n;
		}
	}
	(void)img;
	return 0;
}

/* The bytes [off, off + len) of the image from the window, refilling it
 * with one large read that starts at @p off when they are not there (the
 * next files usually follow in the image). NULL when not applicable. */
static const unsigned char *window_get(struct copier *c, struct isokit_image *img,
				       uint64_t off, uint64_t len)
{
	if (len > SMALL_FILE)
		return NULL;
	if (!c->win) {
		c->win = malloc(WINDOW);
		if (!c->win)
			return NULL;
		c->win_cap = WINDOW;
	}
	if (off < c->win_off || off + len > c->win_off + c->win_len) {
		struct isokit_source *src = isokit_image_source(img);
		uint64_t size = isokit_source_size(src);
		uint64_t want = c->win_cap;
		if (off > size || len > size - off)
			return NULL; /* let the ordinary path report it */
		if (want > size - off)
			want = size - off;
		c->win_len = 0;
		if (isokit_source_read(src, off, c->win, (size_t)want) != 0)
			return NULL;
		c->win_off = off;
		c->win_len = (size_t)want;
	}
	return c->win + (off - c->win_off);
}

/* A small plain file straight from the window. Returns 1 when not
 * applicable. */
static int copy_small(struct copier *c, struct isokit_image *img,
		      struct isokit_file *f, int fd, struct progress *p)
{
	uint64_t off, len;
	if (isokit_file_runs(f, &off, &len, 1) != 1)
		return 1;
	const unsigned char *data = window_get(c, img, off, len);
	if (!data)
		return 1;
	int rc = write_all(c, fd, data, (size_t)len);
	if (rc == 0 && p)
		progress_update(p, len, 0);
	return rc;
}

int copy_write_buf(struct copier *c, int fd, const void *buf, size_t len)
{
	c->out_errno = 0;
	return write_all(c, fd, buf, len);
}

int copy_node_read(struct copier *c, struct isokit_image *img,
		   const struct isokit_node *node, void *buf, size_t len)
{
	struct isokit_file *f;
	int rc = isokit_file_open(img, node, &f);
	if (rc)
		return rc;
	uint64_t off, run;
	const unsigned char *data = NULL;
	if (isokit_file_runs(f, &off, &run, 1) == 1 && run == len)
		data = window_get(c, img, off, run);
	if (data) {
		memcpy(buf, data, len);
	} else {
		size_t got = 0;
		while (got < len) {
			int64_t n = isokit_file_pread(f, (unsigned char *)buf + got,
						      len - got, got);
			if (n < 0) {
				rc = (int)n;
				break;
			}
			if (n == 0) {
				rc = ISOKIT_E_TRUNCATED;
				break;
			}
			got += (size_t)n;
		}
	}
	isokit_file_close(f);
	return rc;
}

int copy_node_data(struct copier *c, struct isokit_image *img,
		   const struct isokit_node *node, int fd, struct progress *p)
{
	struct isokit_file *f;
	c->out_errno = 0;
	int rc = isokit_file_open(img, node, &f);
	if (rc)
		return rc;
	int in = isokit_source_fd(isokit_image_source(img));
	rc = copy_small(c, img, f, fd, p);
	if (rc == 1)
		rc = copy_runs(c, img, f, in, fd, p);
	if (rc == 1) /* zisofs, or too many runs: through the reader */
		rc = buffer_copy(c, f, 0, fd, isokit_node_stat(node)->size, p);
	isokit_file_close(f);
	return rc;
}
