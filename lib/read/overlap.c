// SPDX-License-Identifier: MIT
/* Checking that no two files' data overlap. Writers share one extent
 * between hard links and between files with the same content (xorriso,
 * genisoimage -cache-inodes): an extent used whole by several files is on
 * purpose. A partial overlap is not: one file's bytes are another's, which
 * a damaged or hostile directory record produces. Memory: 24 bytes per
 * extent; paths are found again by a second walk, only for the files
 * named in a report. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include <isokit/verify.h>

#define MAX_REPORTS 20

struct span {
	uint64_t offset, length;
	uint32_t file; /* the file's number in walk order */
};

static int by_offset(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x->length < y->length ? -1 : x->length > y->length;
}

struct pair {
	uint32_t a, b;
	uint64_t at;
	char *path_a, *path_b;
};

/* "/" + @p path (walk paths have no leading slash); NULL without memory. */
static char *absolute(const char *path)
{
	size_t n = strlen(path);
	char *p = malloc(n + 2);
	if (p) {
		p[0] = '/';
		memcpy(p + 1, path, n + 1);
	}
	return p;
}

/* Walk the tree once: with @p spans, collect every file's extents; with
 * @p pairs, fill in the paths of the files they name. */
static int walk_files(struct isokit_image *img, struct span **spans, size_t *n, size_t *cap,
		      struct pair *pairs, size_t npairs)
{
	struct isokit_walk *w;
	int rc = isokit_walk_new(img, isokit_image_root(img), NULL, &w);
	if (rc)
		return rc;
	enum isokit_walk_event ev;
	const struct isokit_node *node;
	const char *path;
	uint32_t file = 0;
	while ((rc = isokit_walk_next(w, &ev, &node, &path)) != 0) {
		if (rc < 0)
			continue; /* the structure check reports it */
		if (ev != ISOKIT_WALK_ENTRY || (node->st.mode & 0170000) != 0100000)
			continue;
		file++;
		for (size_t i = 0; i < npairs; i++) {
			if (pairs[i].a == file && !pairs[i].path_a)
				pairs[i].path_a = absolute(path);
			if (pairs[i].b == file && !pairs[i].path_b)
				pairs[i].path_b = absolute(path);
		}
		if (!spans)
			continue;
		for (uint32_t e = 0; e < node->n_ext; e++) {
			if (node->ext[e].length == 0)
				continue;
			if (*n == *cap) {
				size_t nc = *cap ? *cap * 2 : 1024;
				struct span *ns = realloc(*spans, nc * sizeof(*ns));
				if (!ns) {
					isokit_walk_free(w);
					return ISOKIT_E_NOMEM;
				}
				*spans = ns;
				*cap = nc;
			}
			(*spans)[(*n)++] = (struct span){node->ext[e].offset, node->ext[e].length, file};
		}
	}
	isokit_walk_free(w);
	return 0;
}

int isokit_check_overlaps(struct isokit_image *img, unsigned *problems)
{
	*problems = 0;
	struct span *spans = NULL;
	size_t n = 0, cap = 0;
	int rc = walk_files(img, &spans, &n, &cap, NULL, 0);
	if (rc) {
		free(spans);
		return rc;
	}
	if (n > 1)
		qsort(spans, n, sizeof(*spans), by_offset);
	struct pair pairs[MAX_REPORTS];
	size_t npairs = 0;
	/* the span reaching furthest so far: any later span starting before
	 * its end overlaps it, unless both are the same extent */
	size_t far = 0;
	for (size_t i = 1; i < n; i++) {
		const struct span *f = &spans[far], *s = &spans[i];
		bool same = s->offset == f->offset && s->length == f->length;
		if (s->offset < f->offset + f->length && !same) {
			if (++*problems <= MAX_REPORTS)
				pairs[npairs++] = (struct pair){f->file, s->file, s->offset, NULL, NULL};
		}
		if (s->offset + s->length > f->offset + f->length)
			far = i;
	}
	free(spans);
	if (npairs)
		rc = walk_files(img, NULL, NULL, NULL, pairs, npairs);
	for (size_t i = 0; i < npairs; i++) {
		img_finding(img, ISOKIT_SEV_ERROR, "overlap", (int64_t)(pairs[i].at / ISO_BLOCK),
			    pairs[i].path_b ? pairs[i].path_b : NULL,
			    "file data overlaps that of %s, but is not the same extent",
			    pairs[i].path_a ? pairs[i].path_a : "?");
		free(pairs[i].path_a);
		free(pairs[i].path_b);
	}
	if (*problems > MAX_REPORTS)
		img_finding(img, ISOKIT_SEV_ERROR, "overlap", -1, NULL,
			    "%u overlapping files in all", *problems);
	return rc;
}
