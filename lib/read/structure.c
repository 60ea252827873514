// SPDX-License-Identifier: MIT
/* The structure part of verify: one walk of the whole tree (the reader's own
 * checks on every directory and record), whose files' extents then serve the
 * overlap check, and the path tables. */
#include <string.h>

#include "internal.h"
#include "overlap.h"

int isokit_check_structure(struct isokit_image *img, struct isokit_structure_check *out)
{
	memset(out, 0, sizeof(*out));
	struct isokit_walk *w;
	int rc = isokit_walk_new(img, isokit_image_root(img), NULL, &w);
	if (rc)
		return rc;
	struct overlap_set files = {0};
	enum isokit_walk_event ev;
	const struct isokit_node *node;
	const char *path;
	while ((rc = isokit_walk_next(w, &ev, &node, &path)) != 0) {
		if (rc < 0) {
			/* the walk leaves the damaged directory out and goes on */
			const char *m = isokit_image_errmsg(img);
			img_finding(img, ISOKIT_SEV_ERROR, "structure", -1, NULL, "%s",
				    m[0] ? m : isokit_strerror(rc));
			out->errors++;
			continue;
		}
		if (ev != ISOKIT_WALK_ENTRY)
			continue;
		out->entries++;
		rc = overlap_add(&files, node);
		if (rc)
			break;
	}
	isokit_walk_free(w);
	if (rc) { /* out of memory */
		overlap_free(&files);
		return rc;
	}
	unsigned n;
	rc = isokit_check_path_tables(img, &n);
	out->errors += n;
	if (!rc) {
		rc = isokit_check_namespaces(img, &n);
		out->errors += n;
	}
	int rc2;
	out->errors += overlap_report(img, &files, &rc2);
	return rc ? rc : rc2;
}
