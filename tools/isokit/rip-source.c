// SPDX-License-Identifier: MIT
/* isokit rip: the medium read as a file or block device (rip-source.h). */
#include "rip-source.h"

#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes read (short at the end or at an error after some bytes), or
 * ISOKIT_E_IO when nothing could be read. */
static int64_t read_at(void *ctx, uint64_t off, void *buf, size_t len)
{
	const struct rip_source *s = ctx;
	int64_t r = fd_read_at(s->fd, off, buf, len);
	return r < 0 ? ISOKIT_E_IO : r;
}

int rip_source_open(struct rip_source *s, const char *path)
{
	memset(s, 0, sizeof(*s));
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		msg_error(path, "%s", strerror(errno));
		return EXIT_FAIL;
	}
	int e = fd_size(s->fd, &s->device_size, &s->is_block);
	if (e) {
		msg_error(path, "%s", e == -ENODEV ? "not a file or block device" : strerror(-e));
		close(s->fd);
		return EXIT_FAIL;
	}
	if (s->is_block) {
		/* without the page cache a bad sector fails only its own read,
		 * not its neighbours' in the same page or readahead window */
		int d = open(path, O_RDONLY | O_CLOEXEC | O_DIRECT);
		if (d >= 0) {
			close(s->fd);
			s->fd = d;
		}
		/* an optical drive (2048-byte sectors) takes small reads best */
		int lbs = 0;
		if (ioctl(s->fd, BLKSSZGET, &lbs) == 0 && lbs >= 2048)
			s->optical = true;
	}
	s->in.read_at = read_at;
	s->in.ctx = s;
	return 0;
}

void rip_source_close(struct rip_source *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
