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

#include "overlap.h"

#define MAX_REPORTS 20

struct overlap_span {
	uint64_t offset, length;
	uint32_t file; /* the file's number in walk order */
};

static bool is_regular(const struct isokit_node *node)
{
	return (node->st.mode & 0170000) == 0100000;
}

int overlap_add(struct overlap_set *s, const struct isokit_node *node)
{
	if (!is_regular(node))
		return 0;
	s->files++;
	for (uint32_t e = 0; e < node->n_ext; e++) {
		if (node->ext[e].length == 0 || node->ext[e].offset == EXTENT_HOLE)
			continue;
		if (s->n == s->cap) {
			size_t nc = s->cap ? s->cap * 2 : 1024;
			struct overlap_span *ns = realloc(s->spans, nc * sizeof(*ns));
			if (!ns)
				return ISOKIT_E_NOMEM;
			s->spans = ns;
			s->cap = nc;
		}
		s->spans[s->n++] = (struct overlap_span){node->ext[e].offset, node->ext[e].length,
							 s->files};
	}
	return 0;
}

void overlap_free(struct overlap_set *s)
{
	free(s->spans);
	memset(s, 0, sizeof(*s));
}

static int by_offset(const void *a, const void *b)
{
	const struct overlap_span *x = a, *y = b;
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

/* Walk the tree again, numbering regular files as overlap_add() did, and
 * fill in the paths of the files @p pairs name. */
struct path_search {
	struct pair *pairs;
	size_t npairs;
	uint32_t file; /* regular files met so far */
};

static int path_one(void *ud, const struct isokit_node *node, const char *path)
{
	struct path_search *s = ud;
	if (!is_regular(node))
		return 0;
	s->file++;
	for (size_t i = 0; i < s->npairs; i++) {
		if (s->pairs[i].a == s->file && !s->pairs[i].path_a)
			s->pairs[i].path_a = absolute(path);
		if (s->pairs[i].b == s->file && !s->pairs[i].path_b)
			s->pairs[i].path_b = absolute(path);
	}
	return 0;
}

static int find_paths(struct isokit_image *img, struct pair *pairs, size_t npairs)
{
	struct path_search s = {pairs, npairs, 0};
	return img_each_entry(img, path_one, &s);
}

unsigned overlap_report(struct isokit_image *img, struct overlap_set *s, int *rc)
{
	*rc = 0;
	if (s->n > 1)
		qsort(s->spans, s->n, sizeof(*s->spans), by_offset);
	struct pair pairs[MAX_REPORTS];
	size_t npairs = 0;
	unsigned problems = 0;
	/* the span reaching furthest so far: any later span starting before
	 * its end overlaps it, unless both are the same extent */
	size_t far = 0;
	for (size_t i = 1; i < s->n; i++) {
		const struct overlap_span *f = &s->spans[far], *x = &s->spans[i];
		bool same = x->offset == f->offset && x->length == f->length;
		if (x->offset < f->offset + f->length && !same && ++problems <= MAX_REPORTS)
			pairs[npairs++] = (struct pair){f->file, x->file, x->offset, NULL, NULL};
		if (x->offset + x->length > f->offset + f->length)
			far = i;
	}
	overlap_free(s);
	if (npairs)
		*rc = find_paths(img, pairs, npairs);
	for (size_t i = 0; i < npairs; i++) {
		img_finding(img, ISOKIT_SEV_ERROR, "overlap", (int64_t)(pairs[i].at / ISO_BLOCK),
			    pairs[i].path_b, "file data overlaps that of %s, but is not the same extent",
			    pairs[i].path_a ? pairs[i].path_a : "?");
		free(pairs[i].path_a);
		free(pairs[i].path_b);
	}
	if (problems > MAX_REPORTS)
		img_finding(img, ISOKIT_SEV_ERROR, "overlap", -1, NULL,
			    "%u overlapping files in all", problems);
	return problems;
}
