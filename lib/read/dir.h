/* SPDX-License-Identifier: MIT */
/* Internal directory iteration (lib/read/dir.c). */
#ifndef ISOKIT_READ_DIR_H
#define ISOKIT_READ_DIR_H

#include "read/internal.h"

/* Open @p dir for reading; @p path (may be NULL) names it in messages. */
int dir_open_path(struct isokit_image *img, const struct isokit_node *dir,
		  const char *path, struct isokit_dir **out);

#endif
