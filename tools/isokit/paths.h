/* SPDX-License-Identifier: MIT */
/* Safe extraction paths: everything is created relative to directory file
 * descriptors that we opened ourselves, and no symbolic link is followed. */
#ifndef ISOKIT_PATHS_H
#define ISOKIT_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/* Is @p name usable as one path component? (not empty, ".", "..", no '/') */
bool path_component_ok(const char *name);

/*
 * Open (creating with mode 0755 when @p create) each directory of the
 * relative path @p rel below @p rootfd, never following a symbolic link.
 * Returns a directory descriptor or -1 with errno (ELOOP or ENOTDIR when a
 * component is a link or not a directory).
 */
int open_dir_beneath(int rootfd, const char *rel, bool create);

/* Split "a/b/c" into its parent "a/b" (written to @p parent, size @p cap) and
 * returns a pointer to the last component inside @p rel. */
const char *path_split(const char *rel, char *parent, size_t cap);

#endif
