// SPDX-License-Identifier: MIT
/* Copying file data out of an image, through the kernel where possible:
 * plain files are byte ranges of the image, so copy_file_range or sendfile
 * can move them without a trip through user space. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "copy.h"

/* Writes of 1 MiB from user space measured several times slower than
 * writes of 256 KiB into the page cache (ext4 and tmpfs, kernel 6.18). */
#define COPY_BUF (256u << 10)
#define COPY_CHUNK ((size_t)16 << 20)
#define WINDOW (2u << 20)       /* read-ahead window for small files */
#define SMALL_FILE (256u << 10) /* files up to this go through the window */

int copier_init(struct copier *c)
{
	c->zero_copy = 1;
	c->buf_len = COPY_BUF;
	c->buf = malloc(c->buf_len);
	c->out_errno = 0;
	c->win = NULL;
	c->win_cap = c->win_len = 0;
	c->win_off = 0;
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
	while (n > 0) {
		ssize_t w = write(fd, p, n);
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

/* Move one run of the image's bytes; returns bytes moved by the kernel,
 * or -1 with errno when zero-copy does not apply here. */
static ssize_t kernel_copy(struct copier *c, int in, uint64_t off, int out,
			   size_t len)
{
	loff_t o = (loff_t)off;
	if (c->zero_copy == 1) {
		ssize_t n = copy_file_range(in, &o, out, NULL, len, 0);
		if (n >= 0 || (errno != EXDEV && errno != EINVAL &&
			       errno != ENOSYS && errno != EOPNOTSUPP &&
			       errno != EBADF))
			return n;
		c->zero_copy = 2;
		o = (loff_t)off;
	}
	if (c->zero_copy == 2) {
		ssize_t n = sendfile(out, in, &o, len);
		if (n >= 0 || (errno != EINVAL && errno != ENOSYS))
			return n;
		c->zero_copy = 0;
	}
	errno = EOPNOTSUPP;
	return -1;
}

static int copy_runs(struct copier *c, struct isokit_image *img,
		     struct isokit_file *f, int in, int fd, struct progress *p)
{
	uint64_t offs[8], lens[8];
	int64_t nruns = isokit_file_runs(f, offs, lens, 8);
	if (nruns < 0 || nruns > 8 || in < 0 || c->zero_copy == 0)
		return 1; /* not applicable: caller copies through user space */
	for (int64_t r = 0; r < nruns; r++) {
		uint64_t off = offs[r], left = lens[r];
		/* Ask for the first chunks early: the kernel then reads the
		 * image in large requests instead of its small default
		 * read-ahead, which matters on a cold cache. */
		(void)posix_fadvise(in, (off_t)off,
				    (off_t)(left < 2 * COPY_CHUNK ? left : 2 * COPY_CHUNK),
				    POSIX_FADV_WILLNEED);
		while (left > 0) {
			size_t want = left > COPY_CHUNK ? COPY_CHUNK : (size_t)left;
			if (left > 2 * COPY_CHUNK)
				(void)posix_fadvise(in, (off_t)(off + 2 * COPY_CHUNK),
						    COPY_CHUNK, POSIX_FADV_WILLNEED);
			ssize_t n = kernel_copy(c, in, off, fd, want);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (c->zero_copy == 0 && r == 0 && off == offs[0])
					return 1; /* nothing written yet: fall back */
				c->out_errno = errno;
				return ISOKIT_E_IO;
			}
			if (n == 0) {
				c->out_errno = EIO; /* image shrank under us */
				return ISOKIT_E_IO;
			}
			off += (uint64_t)n;
			left -= (uint64_t)n;
			if (p)
				progress_update(p, (uint64_t)n, 0);
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
	if (rc == 1) {
		uint64_t off = 0;
		rc = 0;
		for (;;) {
			int64_t n = isokit_file_pread(f, c->buf, c->buf_len, off);
			if (n < 0) {
				rc = (int)n;
				break;
			}
			if (n == 0)
				break;
			rc = write_all(c, fd, c->buf, (size_t)n);
			if (rc)
				break;
			off += (uint64_t)n;
			if (p)
				progress_update(p, (uint64_t)n, 0);
		}
	}
	isokit_file_close(f);
	return rc;
}
