/* SPDX-License-Identifier: MIT */
/**
 * @file io.h
 * Byte sources: where an image is read from. A source answers "give me
 * these bytes at this offset" and knows its size. Backends: a file, a memory
 * buffer, or callbacks supplied by the caller (a device, a network stream...).
 */
#ifndef ISOKIT_IO_H
#define ISOKIT_IO_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

struct isokit_source;

/** Callbacks of a caller-supplied source. */
struct isokit_source_ops {
	/**
	 * Read exactly @p len bytes at @p offset into @p buf. The library
	 * never asks for bytes past the size given to isokit_source_new().
	 * @return 0, or a negative isokit_err (ISOKIT_E_IO for a failed read).
	 */
	int (*read_at)(void *ctx, uint64_t offset, void *buf, size_t len);
	/** Release @p ctx; may be NULL. */
	void (*close)(void *ctx);
};

/** Make a source from callbacks. @p ctx is passed to them unchanged. */
ISOKIT_API int isokit_source_new(const struct isokit_source_ops *ops,
				 void *ctx, uint64_t size,
				 struct isokit_source **out);

/** Open a file (or block device) read-only as a source. */
ISOKIT_API int isokit_source_open_file(const char *path,
				       struct isokit_source **out);

/**
 * A source over @p len bytes at @p data. The memory is borrowed: it must
 * outlive the source.
 */
ISOKIT_API int isokit_source_from_memory(const void *data, size_t len,
					 struct isokit_source **out);

/** Size of the source in bytes. */
ISOKIT_API uint64_t isokit_source_size(const struct isokit_source *src);

/** Read exactly @p len bytes at @p offset; ISOKIT_E_TRUNCATED past the end. */
ISOKIT_API int isokit_source_read(struct isokit_source *src, uint64_t offset,
				  void *buf, size_t len);

/** Number of read calls made so far (for tests and statistics). */
ISOKIT_API uint64_t isokit_source_read_count(const struct isokit_source *src);

/**
 * The file descriptor behind a file source, or -1. Lets a caller use
 * zero-copy system calls (copy_file_range) for plain file data.
 */
ISOKIT_API int isokit_source_fd(const struct isokit_source *src);

/** Close the source and free it. Accepts NULL. */
ISOKIT_API void isokit_source_free(struct isokit_source *src);

#ifdef __cplusplus
}
#endif
#endif
