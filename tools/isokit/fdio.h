/* SPDX-License-Identifier: MIT */
/* Whole reads and writes on a file descriptor, through short transfers and
 * EINTR (fdio.c). */
#ifndef ISOKIT_TOOL_FDIO_H
#define ISOKIT_TOOL_FDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Read up to @p len bytes at @p off: the bytes read (fewer only at the end
 * of the file, or when a read fails after some bytes), or -errno when the
 * first read fails. */
int64_t fd_read_at(int fd, uint64_t off, void *buf, size_t len);

/* Write all @p len bytes at the file position: 0, or -errno (-EIO for a
 * write that wrote nothing). */
int fd_write_all(int fd, const void *buf, size_t len);

/* The size of a file or block device (0 when a device will not say);
 * *is_block tells which. 0, -errno, or -ENODEV for anything else. */
int fd_size(int fd, uint64_t *size, bool *is_block);

#endif
