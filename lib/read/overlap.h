/* SPDX-License-Identifier: MIT */
/* Collecting the extents of a tree's files and finding the ones whose data
 * overlap (see overlap.c). Used by isokit_check_structure(). */
#ifndef ISOKIT_READ_OVERLAP_H
#define ISOKIT_READ_OVERLAP_H

#include "internal.h"

struct overlap_set {
	struct overlap_span *spans;
	size_t n, cap;
	uint32_t files; /* regular files seen, in walk order */
};

/* Note @p node's extents if it is a regular file. ISOKIT_E_NOMEM or 0. */
int overlap_add(struct overlap_set *s, const struct isokit_node *node);

void overlap_free(struct overlap_set *s);

/* Report every overlap among the files added, in the order a walk of the
 * whole tree meets them (their paths are found by walking again), as
 * findings. Returns the number of overlaps; *rc is set when the second walk
 * could not run. Frees the set. */
unsigned overlap_report(struct isokit_image *img, struct overlap_set *s, int *rc);

#endif
