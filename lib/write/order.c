// SPDX-License-Identifier: MIT
/*
 * Finishing the tree once every source is scanned: each folder's children
 * sorted by name bytes (the order of the path tables, serial numbers and
 * file data), hard-link families given their data owner and link counts,
 * serial numbers, and Rock Ridge relocation of folders deeper than
 * ECMA-119 allows. The scan is in tree.c.
 */
#include <stdlib.h>
#include <string.h>

#include "write/internal.h"

static int cmp_names(struct writer *w, uint32_t a, uint32_t b)
{
	struct wnode *x = wnode_at(w, a), *y = wnode_at(w, b);
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(arena_at(w, x->name), arena_at(w, y->name), n);
	if (c)
		return c;
	return (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

/* Insertion sort for small folders, merge sort otherwise. */
static void sort_kids(struct writer *w, uint32_t *v, uint32_t n, uint32_t *tmp)
{
	if (n < 16) {
		for (uint32_t i = 1; i < n; i++) {
			uint32_t x = v[i], j = i;
			while (j > 0 && cmp_names(w, v[j - 1], x) > 0) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
		return;
	}
	uint32_t h = n / 2;
	sort_kids(w, v, h, tmp);
	sort_kids(w, v + h, n - h, tmp);
	uint32_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = cmp_names(w, v[i], v[j]) <= 0 ? v[i++] : v[j++];
	while (i < h)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

/*
 * Move folders that would sit deeper than ISO_MAX_DEPTH in the ISO tree
 * into RELOC_NAME (depth 2). A moved folder starts again at depth 3, so a
 * very deep chain is moved more than once, each time at the 9th level.
 * Depths here are ISO depths; dirs[] is in breadth-first order, so parents
 * come first. The dirs' `depth` field is reused for the ISO depth.
 */
static int relocate_deep(struct writer *w)
{
	uint32_t need = 0;
	for (uint32_t i = 1; i < w->ndirs; i++) {
		struct wdir *d = &w->dirs[i];
		uint32_t pd = w->dirs[d->iso_parent].depth;
		if (pd + 1 > ISO_MAX_DEPTH) {
			need++;
			d->depth = 3;
		} else {
			d->depth = pd + 1;
		}
	}
	if (!need)
		return 0;
	w->moved = malloc(need * sizeof(*w->moved));
	if (!w->moved)
		return ISOKIT_E_NOMEM;
	uint32_t idx;
	int rc = tree_new_node(w, &idx);
	uint64_t off;
	if (rc || (rc = tree_arena_put(w, RELOC_NAME, strlen(RELOC_NAME), &off)) != 0)
		return rc;
	struct wnode *r = wnode_at(w, idx);
	tree_synthetic_dir(w, r);
	r->flags |= WF_ISO_ONLY;
	r->name = (uint32_t)off;
	r->name_len = (uint16_t)strlen(RELOC_NAME);
	r->parent = 0;
	r->nlink = 2 + need;
	r->serial = w->next_serial++;
	uint32_t rd = w->ndirs++;
	r->data = rd;
	w->dirs[rd] = (struct wdir){.node = idx, .depth = 2, .iso_parent = 0};
	w->reloc_dir = rd;
	for (uint32_t i = 1; i < rd; i++) {
		struct wdir *d = &w->dirs[i];
		struct wdir *p = &w->dirs[d->iso_parent];
		d->nest = p->nest;
		if (d->depth == 3 && p->depth + 1 > ISO_MAX_DEPTH) {
			d->iso_parent = rd;
			if (++d->nest > w->max_nest)
				w->max_nest = d->nest;
			wnode_at(w, d->node)->flags |= WF_RELOCATED;
			w->moved[w->nmoved++] = d->node;
		}
	}
	return 0;
}

int tree_finalize(struct writer *w)
{
	uint32_t n = w->nnodes;
	w->kids = malloc((size_t)n * sizeof(uint32_t));
	uint32_t *tmp = malloc((size_t)n * sizeof(uint32_t));
	if (!w->kids || !tmp) {
		free(tmp);
		return ISOKIT_E_NOMEM;
	}
	/* Folders in breadth-first order of sorted names: the order of the
	 * path table, of serial numbers and of file data. */
	uint32_t ndirs = 0;
	for (uint32_t i = 0; i < n; i++)
		ndirs += wnode_at(w, i)->type == W_DIR;
	w->dirs = calloc(ndirs + 1, sizeof(*w->dirs)); /* + the relocation folder */
	if (!w->dirs) {
		free(tmp);
		return ISOKIT_E_NOMEM;
	}
	uint32_t used = 0, nd = 0;
	w->dirs[nd++] = (struct wdir){.node = 0, .depth = 1, .iso_parent = 0};
	wnode_at(w, 0)->data = 0;
	int rc = 0;
	for (uint32_t di = 0; di < nd && rc == 0; di++) {
		struct wnode *d = wnode_at(w, w->dirs[di].node);
		uint32_t start = used;
		for (uint32_t c = d->first; c; c = wnode_at(w, c)->next)
			w->kids[used++] = c;
		sort_kids(w, w->kids + start, used - start, tmp);
		d->first = start;
		uint32_t subdirs = 0;
		for (uint32_t k = start; k < used; k++) {
			uint32_t ci = w->kids[k];
			struct wnode *c = wnode_at(w, ci);
			if (k > start && cmp_names(w, w->kids[k - 1], ci) == 0) {
				char p[4096];
				tree_image_path(w, ci, p, sizeof(p));
				rc = w_error(w, ISOKIT_E_INVAL, "%s: two sources give this name", p);
				break;
			}
			if (c->type == W_DIR) {
				subdirs++;
				c->data = nd;
				w->dirs[nd++] = (struct wdir){.node = ci, .depth = w->dirs[di].depth + 1,
							      .iso_parent = di};
			}
		}
		d->nlink = 2 + subdirs;
	}
	free(tmp);
	if (rc)
		return rc;
	w->ndirs = nd;
	w->nkids = used;
	/* Hard-link families: the scan left every member pointing at the
	 * first member it met (the family root). The data goes with the
	 * first member in traversal order instead, so that the image does
	 * not depend on the listing order; nlink counts the names in the
	 * image. The root's lba holds the owner (+1) for the moment. */
	for (uint32_t k = 0; k < used; k++) {
		struct wnode *c = wnode_at(w, w->kids[k]);
		if (c->type != W_REG)
			continue;
		struct wnode *root = wnode_at(w, c->data);
		if (root->lba == 0)
			root->lba = w->kids[k] + 1;
		root->nlink++;
	}
	for (uint32_t k = 0; k < used; k++) {
		uint32_t ci = w->kids[k];
		struct wnode *c = wnode_at(w, ci);
		if (c->type != W_REG)
			continue;
		struct wnode *root = wnode_at(w, c->data);
		uint32_t owner = root->lba - 1;
		c->nlink = root->nlink;
		c->data = owner;
		c->flags = (uint8_t)(owner != ci ? (c->flags | WF_LINK_COPY)
						 : (c->flags & ~WF_LINK_COPY));
	}
	uint32_t serial = 1;
	wnode_at(w, 0)->serial = serial++;
	for (uint32_t k = 0; k < used; k++) {
		struct wnode *c = wnode_at(w, w->kids[k]);
		c->lba = 0;
		if (c->type == W_REG && (c->flags & WF_LINK_COPY))
			continue;
		c->serial = serial++;
		if (c->type != W_REG && c->type != W_DIR)
			c->nlink = 1;
	}
	for (uint32_t k = 0; k < used; k++) {
		struct wnode *c = wnode_at(w, w->kids[k]);
		if (c->type == W_REG && (c->flags & WF_LINK_COPY))
			c->serial = wnode_at(w, c->data)->serial;
	}
	w->next_serial = serial;
	return w->rock ? relocate_deep(w) : 0;
}
