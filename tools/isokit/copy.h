/* SPDX-License-Identifier: MIT */
/* Copying a file's data out of an image into a file descriptor. */
#ifndef ISOKIT_COPY_H
#define ISOKIT_COPY_H

#include "cli.h"

struct copier {
	bool try_cfr; /* copy_file_range still worth trying */
	unsigned char *buf; /* COPY_BUF bytes (copy.c) */
	/* read-ahead window over the image for small files, which writers
	 * lay out one after another: one large read serves many files */
	unsigned char *win;
	size_t win_cap, win_len;
	uint64_t win_off;
	int out_errno; /* errno of a failed write, 0 if the image failed */
	/* extract --verify: every byte written is hashed here (and nothing
	 * goes by copy_file_range, which the program never sees) */
	struct isokit_sha256 *sha;
};

int copier_init(struct copier *c);
void copier_release(struct copier *c);

/*
 * Write the content of @p node to @p fd: page-aligned plain data by
 * copy_file_range where both ends allow it, the rest through a buffer.
 * @return 0, a negative isokit error (image side, detail on @p img), or
 * ISOKIT_E_IO with c->out_errno set when writing failed.
 */
int copy_node_data(struct copier *c, struct isokit_image *img,
		   const struct isokit_node *node, int fd,
		   struct progress *p);

/*
 * Read the whole content of @p node (@p len bytes, its size) into @p buf,
 * from the read-ahead window when it is there. @return 0 or a negative
 * isokit error.
 */
int copy_node_read(struct copier *c, struct isokit_image *img,
		   const struct isokit_node *node, void *buf, size_t len);

/* Write @p len bytes to @p fd; ISOKIT_E_IO with c->out_errno on failure. */
int copy_write_buf(struct copier *c, int fd, const void *buf, size_t len);

#endif
