/* SPDX-License-Identifier: MIT */
/* Whole reads and writes on a file descriptor, through short transfers and
 * EINTR (fdio.c). */
#ifndef ISOKIT_TOOL_FDIO_H
#define ISOKIT_TOOL_FDIO_H

#include <stddef.h>
#include <stdint.h>

/* Read up to @p len bytes at @p off: the bytes read (fewer only at the end
 * of the file, or when a read fails after some bytes), or -errno when the
 * first read fails. */
int64_t fd_read_at(int fd, uint64_t off, void *buf, size_t len);

/* Write all @p len bytes at the file position: 0, or -errno (-EIO for a
 * write that wrote nothing). */
int fd_write_all(int fd, const void *buf, size_t len);

#endif
