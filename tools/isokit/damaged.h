/* SPDX-License-Identifier: MIT */
/* The files that damaged blocks fall in, as repair and rip name them. */
#ifndef ISOKIT_TOOL_DAMAGED_H
#define ISOKIT_TOOL_DAMAGED_H

#include <stddef.h>
#include <stdio.h>

#include "cli.h"

struct damaged_files {
	char **paths;
	size_t n, cap;
};

/* The paths of the entries of @p image whose data meets one of the @p n
 * sorted @p ranges, each once (the image is opened even when cut short;
 * nothing is found when it cannot be opened at all). */
void damaged_files_find(const char *image, const struct isokit_block_range *ranges, size_t n,
			struct damaged_files *d);
/* "  damaged file: PATH" lines, the first 50, then how many in all. */
void damaged_files_print(const struct damaged_files *d);
/* A JSON array of the paths. */
void damaged_files_json(FILE *f, const struct damaged_files *d);
void damaged_files_free(struct damaged_files *d);

#endif
