// SPDX-License-Identifier: MIT
/* Which files a run of blocks belongs to: the names verify, repair and rip
 * give to damaged or unreadable sectors. One walk of the whole tree; each
 * extent is looked up among the sorted ranges by binary search. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Does [first, end) (blocks) meet one of the ranges? Its index, or -1. */
static ptrdiff_t find_range(const struct isokit_block_range *r, size_t n, uint64_t first,
			    uint64_t end)
{
	size_t lo = 0, hi = n; /* the first range ending after @p first */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r[mid].first + r[mid].count <= first)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && r[lo].first < end ? (ptrdiff_t)lo : -1;
}

static int report(const struct isokit_block_range *r, size_t n, uint64_t offset,
		  uint64_t length, const char *path, isokit_range_file_fn fn, void *ud)
{
	if (length == 0)
		return 0;
	uint64_t first = offset / ISO_BLOCK;
	uint64_t end = (offset + length + ISO_BLOCK - 1) / ISO_BLOCK;
	/* every range the extent meets, each once */
	for (ptrdiff_t i = find_range(r, n, first, end); i >= 0 && (size_t)i < n; i++) {
		if (r[i].first >= end)
			break;
		int rc = fn(ud, path, (size_t)i);
		if (rc)
			return rc;
	}
	return 0;
}

int isokit_files_in_blocks(struct isokit_image *img, const struct isokit_block_range *ranges,
			   size_t n, isokit_range_file_fn fn, void *ud)
{
	if (n == 0)
		return 0;
	struct isokit_walk *w;
	int rc = isokit_walk_new(img, isokit_image_root(img), NULL, &w);
	if (rc)
		return rc;
	enum isokit_walk_event ev;
	const struct isokit_node *node;
	const char *path;
	char *abs = NULL;
	size_t abs_cap = 0;
	while ((rc = isokit_walk_next(w, &ev, &node, &path)) != 0) {
		if (rc < 0 || ev != ISOKIT_WALK_ENTRY) {
			rc = 0;
			continue; /* damaged folders are the structure check's */
		}
		rc = 0;
		size_t len = strlen(path);
		if (len + 2 > abs_cap) {
			char *p = realloc(abs, len + 2);
			if (!p) {
				rc = ISOKIT_E_NOMEM;
				break;
			}
			abs = p;
			abs_cap = len + 2;
		}
		abs[0] = '/';
		memcpy(abs + 1, path, len + 1);
		if (isokit_node_is_dir(node))
			rc = report(ranges, n, (uint64_t)node->dir_lba * ISO_BLOCK, node->dir_size,
				    abs, fn, ud);
		else if ((node->st.mode & 0170000) == 0100000)
			for (uint32_t e = 0; e < node->n_ext && !rc; e++)
				rc = report(ranges, n, node->ext[e].offset, node->ext[e].length, abs,
					    fn, ud);
		if (rc)
			break;
	}
	free(abs);
	isokit_walk_free(w);
	return rc;
}
