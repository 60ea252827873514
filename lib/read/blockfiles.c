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
	if (length == 0 || offset == EXTENT_HOLE)
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

struct in_blocks {
	const struct isokit_block_range *ranges;
	size_t n;
	isokit_range_file_fn fn;
	void *ud;
	char *abs; /* "/" + the walk's path */
	size_t abs_cap;
	bool dirs_are_files; /* UDF: a directory's data is in its extents */
};

static int one_entry(void *ud, const struct isokit_node *node, const char *path)
{
	struct in_blocks *b = ud;
	size_t len = strlen(path);
	if (len + 2 > b->abs_cap) {
		char *p = realloc(b->abs, len + 2);
		if (!p)
			return ISOKIT_E_NOMEM;
		b->abs = p;
		b->abs_cap = len + 2;
	}
	b->abs[0] = '/';
	memcpy(b->abs + 1, path, len + 1);
	int rc = 0;
	bool is_dir = isokit_node_is_dir(node);
	if (is_dir && !b->dirs_are_files)
		rc = report(b->ranges, b->n, (uint64_t)node->dir_lba * ISO_BLOCK, node->dir_size,
			    b->abs, b->fn, b->ud);
	else if (is_dir || (node->st.mode & 0170000) == 0100000)
		for (uint32_t e = 0; e < node->n_ext && !rc; e++)
			rc = report(b->ranges, b->n, node->ext[e].offset, node->ext[e].length,
				    b->abs, b->fn, b->ud);
	return rc;
}

int isokit_files_in_blocks(struct isokit_image *img, const struct isokit_block_range *ranges,
			   size_t n, isokit_range_file_fn fn, void *ud)
{
	if (n == 0)
		return 0;
	struct in_blocks b = {ranges, n, fn, ud, NULL, 0, img->ns == ISOKIT_NS_UDF};
	int rc = img_each_entry(img, one_entry, &b);
	free(b.abs);
	return rc;
}
