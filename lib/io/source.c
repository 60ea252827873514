// SPDX-License-Identifier: MIT
/*
 * Byte sources: a small vtable with a file backend (pread) and a memory
 * backend. The reader only ever asks a source for bytes inside its size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <isokit/error.h>
#include <isokit/io.h>

#include "base/checked.h"
#include "io/source.h"

struct isokit_source {
	struct isokit_source_ops ops;
	void *ctx;
	uint64_t size;
	uint64_t reads;
	int fd; /* -1 unless a file backend */
};

int isokit_source_new(const struct isokit_source_ops *ops, void *ctx,
		      uint64_t size, struct isokit_source **out)
{
	*out = NULL;
	if (!ops || !ops->read_at)
		return ISOKIT_E_INVAL;
	struct isokit_source *s = calloc(1, sizeof(*s));
	if (!s)
		return ISOKIT_E_NOMEM;
	s->ops = *ops;
	s->ctx = ctx;
	s->size = size;
	s->fd = -1;
	*out = s;
	return 0;
}

uint64_t isokit_source_size(const struct isokit_source *src)
{
	return src->size;
}

uint64_t isokit_source_read_count(const struct isokit_source *src)
{
	return src->reads;
}

int isokit_source_fd(const struct isokit_source *src)
{
	return src->fd;
}

int isokit_source_read(struct isokit_source *src, uint64_t offset, void *buf,
		       size_t len)
{
	if (!range_inside(offset, len, src->size))
		return ISOKIT_E_TRUNCATED;
	if (len == 0)
		return 0;
	src->reads++;
	return src->ops.read_at(src->ctx, offset, buf, len);
}

void isokit_source_free(struct isokit_source *src)
{
	if (!src)
		return;
	if (src->ops.close)
		src->ops.close(src->ctx);
	free(src);
}

/* ---- file backend ---- */

struct file_ctx {
	int fd;
	int saved_errno;
};

static int file_read_at(void *vctx, uint64_t offset, void *buf, size_t len)
{
	struct file_ctx *c = vctx;
	uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = pread(c->fd, p, len, (off_t)offset);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			c->saved_errno = errno;
			return ISOKIT_E_IO;
		}
		if (n == 0)
			return ISOKIT_E_TRUNCATED; /* file shrank under us */
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

static void file_close(void *vctx)
{
	struct file_ctx *c = vctx;
	close(c->fd);
	free(c);
}

int isokit_source_open_file(const char *path, struct isokit_source **out)
{
	static const struct isokit_source_ops ops = {file_read_at, file_close};
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? ISOKIT_E_NOENT : ISOKIT_E_IO;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return ISOKIT_E_IO;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return ISOKIT_E_ISDIR;
	}
	uint64_t size = (uint64_t)st.st_size;
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(fd, 0, SEEK_END);
		if (end < 0) {
			close(fd);
			return ISOKIT_E_IO;
		}
		size = (uint64_t)end;
	}
	struct file_ctx *c = malloc(sizeof(*c));
	if (!c) {
		close(fd);
		return ISOKIT_E_NOMEM;
	}
	c->fd = fd;
	c->saved_errno = 0;
	int rc = isokit_source_new(&ops, c, size, out);
	if (rc) {
		file_close(c);
		return rc;
	}
	(*out)->fd = fd;
	/* The reader mostly reads forward; say so to the kernel. */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 0;
}

/* ---- memory backend ---- */

struct mem_ctx {
	const uint8_t *data;
};

static int mem_read_at(void *vctx, uint64_t offset, void *buf, size_t len)
{
	struct mem_ctx *c = vctx;
	memcpy(buf, c->data + offset, len);
	return 0;
}

int isokit_source_from_memory(const void *data, size_t len,
			      struct isokit_source **out)
{
	static const struct isokit_source_ops ops = {mem_read_at, free};
	*out = NULL;
	struct mem_ctx *c = malloc(sizeof(*c));
	if (!c)
		return ISOKIT_E_NOMEM;
	c->data = data;
	int rc = isokit_source_new(&ops, c, len, out);
	if (rc)
		free(c);
	return rc;
}
