// SPDX-License-Identifier: MIT
/* Whole reads and writes on a file descriptor (fdio.h). */
#include "fdio.h"

#include <errno.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

int64_t fd_read_at(int fd, uint64_t off, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t r = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return got ? (int64_t)got : -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (int64_t)got;
}

int fd_write_all(int fd, const void *buf, size_t len)
{
	size_t put = 0;
	while (put < len) {
		ssize_t w = write(fd, (const char *)buf + put, len - put);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		put += (size_t)w;
	}
	return 0;
}

int fd_size(int fd, uint64_t *size, bool *is_block)
{
	struct stat st;
	*size = 0;
	*is_block = false;
	if (fstat(fd, &st) != 0)
		return -errno;
	if (S_ISBLK(st.st_mode)) {
		*is_block = true;
		if (ioctl(fd, BLKGETSIZE64, size) != 0)
			*size = 0;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return -ENODEV;
	*size = (uint64_t)st.st_size;
	return 0;
}
