// SPDX-License-Identifier: MIT
/* The node table and the directory cache of isokit mount (see
 * mount-nodes.h). The kernel decides how long nodes live (lookup counts
 * and forget), so the table holds exactly what the kernel holds; listings
 * are kept within a byte budget, least recently used first out. */
#include <stdlib.h>
#include <string.h>

#include "mount-nodes.h"

#define NODE_COST 256u /* rough bytes of one owned node besides its name */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

uint64_t mnode_id_of(const struct isokit_node *node)
{
	uint64_t ino = isokit_node_stat(node)->ino;
	return ino <= MNODE_ROOT_ID ? ino | (1ULL << 63) : ino;
}

/* ---- node table ---- */

static void mnode_free(struct node_table *t, struct mnode *m)
{
	if (m->data && t->free_data)
		t->free_data(m->data);
	isokit_node_free(m->node);
	if (m != &t->root)
		free(m);
}

int node_table_init(struct node_table *t, struct isokit_node *root,
		    void (*free_data)(void *data))
{
	memset(t, 0, sizeof(*t));
	t->free_data = free_data;
	t->cap = 1024;
	t->slots = calloc(t->cap, sizeof(*t->slots));
	if (!t->slots)
		return ISOKIT_E_NOMEM;
	t->root.id = MNODE_ROOT_ID;
	t->root.nlookup = 1;
	t->root.node = root;
	return 0;
}

void node_table_free(struct node_table *t)
{
	for (size_t i = 0; i < t->cap; i++) {
		struct mnode *m = t->slots[i];
		while (m) {
			struct mnode *next = m->next;
			mnode_free(t, m);
			m = next;
		}
	}
	free(t->slots);
	mnode_free(t, &t->root);
	memset(t, 0, sizeof(*t));
}

struct mnode *node_table_get(struct node_table *t, uint64_t id)
{
	if (id == MNODE_ROOT_ID)
		return &t->root;
	for (struct mnode *m = t->slots[mix64(id) & (t->cap - 1)]; m; m = m->next)
		if (m->id == id)
			return m;
	return NULL;
}

static void table_grow(struct node_table *t)
{
	size_t cap = t->cap * 2;
	struct mnode **slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return; /* longer chains, still correct */
	for (size_t i = 0; i < t->cap; i++) {
		struct mnode *m = t->slots[i];
		while (m) {
			struct mnode *next = m->next;
			size_t h = mix64(m->id) & (cap - 1);
			m->next = slots[h];
			slots[h] = m;
			m = next;
		}
	}
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
}

struct mnode *node_table_ref(struct node_table *t, const struct isokit_node *node)
{
	uint64_t id = mnode_id_of(node);
	struct mnode *m = node_table_get(t, id);
	if (m) {
		m->nlookup++;
		return m;
	}
	m = calloc(1, sizeof(*m));
	if (!m || isokit_node_dup(node, &m->node) != 0) {
		free(m);
		return NULL;
	}
	m->id = id;
	m->nlookup = 1;
	if (t->count >= t->cap)
		table_grow(t);
	size_t h = mix64(id) & (t->cap - 1);
	m->next = t->slots[h];
	t->slots[h] = m;
	t->count++;
	return m;
}

void node_table_forget(struct node_table *t, uint64_t id, uint64_t n)
{
	if (id == MNODE_ROOT_ID)
		return;
	struct mnode **pp = &t->slots[mix64(id) & (t->cap - 1)];
	for (; *pp; pp = &(*pp)->next) {
		struct mnode *m = *pp;
		if (m->id != id)
			continue;
		m->nlookup = n >= m->nlookup ? 0 : m->nlookup - n;
		if (m->nlookup == 0) {
			*pp = m->next;
			mnode_free(t, m);
			t->count--;
		}
		return;
	}
}

/* ---- directory listings ---- */

static void dlist_free(struct dlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		isokit_node_free(l->ents[i]);
	free(l->ents);
	free(l->index);
	free(l);
}

/* Index the names; slots hold entry number + 1. Without memory for an
 * index, lookups scan the entries. */
static void dlist_index(struct dlist *l)
{
	size_t cap = 16;
	while (cap < l->n * 2)
		cap *= 2;
	l->index = calloc(cap, sizeof(*l->index));
	if (!l->index)
		return;
	l->index_cap = cap;
	for (size_t i = 0; i < l->n; i++) {
		size_t h = name_hash(isokit_node_name(l->ents[i])) & (cap - 1);
		while (l->index[h])
			h = (h + 1) & (cap - 1);
		l->index[h] = (uint32_t)(i + 1);
	}
	l->bytes += cap * sizeof(*l->index);
}

static struct dlist *dlist_read(struct isokit_image *img, uint64_t id,
				const struct isokit_node *dir, int *rc)
{
	struct dlist *l = calloc(1, sizeof(*l));
	struct isokit_dir *d = NULL;
	size_t cap = 0;
	if (!l) {
		*rc = ISOKIT_E_NOMEM;
		return NULL;
	}
	l->id = id;
	*rc = isokit_dir_open(img, dir, &d);
	while (*rc == 0) {
		const struct isokit_node *e;
		int r = isokit_dir_next(d, &e);
		if (r <= 0) {
			*rc = r;
			break;
		}
		/* Names a file system cannot hold are left out, as extract
		 * refuses them. */
		if (isokit_node_stat(e)->unsafe_name)
			continue;
		if (l->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			/* the name index holds entry numbers in 32 bits */
			struct isokit_node **ne = ncap < UINT32_MAX
							  ? realloc(l->ents, ncap * sizeof(*ne))
							  : NULL;
			if (!ne) {
				*rc = ISOKIT_E_NOMEM;
				break;
			}
			l->ents = ne;
			cap = ncap;
		}
		*rc = isokit_node_dup(e, &l->ents[l->n]);
		if (*rc == 0) {
			l->bytes += NODE_COST + strlen(isokit_node_name(e));
			l->n++;
		}
	}
	isokit_dir_close(d);
	if (*rc != 0) {
		dlist_free(l);
		return NULL;
	}
	l->bytes += sizeof(*l) + cap * sizeof(*l->ents);
	dlist_index(l);
	return l;
}

void dir_cache_init(struct dir_cache *c, size_t budget)
{
	memset(c, 0, sizeof(*c));
	c->budget = budget;
}

static void unlink_lru(struct dir_cache *c, struct dlist *l)
{
	if (l->older)
		l->older->newer = l->newer;
	else
		c->oldest = l->newer;
	if (l->newer)
		l->newer->older = l->older;
	else
		c->newest = l->older;
	l->older = l->newer = NULL;
}

static void push_newest(struct dir_cache *c, struct dlist *l)
{
	l->older = c->newest;
	l->newer = NULL;
	if (c->newest)
		c->newest->newer = l;
	else
		c->oldest = l;
	c->newest = l;
}

static struct dlist **bucket_of(struct dir_cache *c, uint64_t id)
{
	return &c->buckets[mix64(id) & (DIR_CACHE_BUCKETS - 1)];
}

/* Drop cached listings, oldest first, until the budget holds; listings an
 * open handle still uses leave the cache and are freed when put back. */
static void trim(struct dir_cache *c)
{
	while (c->bytes > c->budget && c->oldest) {
		struct dlist *l = c->oldest;
		struct dlist **pp = bucket_of(c, l->id);
		while (*pp != l)
			pp = &(*pp)->hnext;
		*pp = l->hnext;
		unlink_lru(c, l);
		c->bytes -= l->bytes;
		if (--l->refs == 0)
			dlist_free(l);
	}
}

void dir_cache_free(struct dir_cache *c)
{
	c->budget = 0;
	trim(c);
}

struct dlist *dir_cache_find(struct dir_cache *c, uint64_t id)
{
	for (struct dlist *l = *bucket_of(c, id); l; l = l->hnext) {
		if (l->id == id) {
			unlink_lru(c, l);
			push_newest(c, l);
			l->refs++;
			return l;
		}
	}
	return NULL;
}

struct dlist *dir_cache_read(struct dir_cache *c, struct isokit_image *img,
			     uint64_t id, const struct isokit_node *dir, int *rc)
{
	struct dlist *l = dlist_read(img, id, dir, rc);
	if (!l)
		return NULL;
	l->refs = 2; /* the cache's and the caller's */
	struct dlist **b = bucket_of(c, id);
	l->hnext = *b;
	*b = l;
	push_newest(c, l);
	c->bytes += l->bytes;
	trim(c); /* may drop it from the cache at once; the caller keeps it */
	return l;
}

void dir_cache_put(struct dir_cache *c, struct dlist *l)
{
	(void)c;
	if (l && --l->refs == 0)
		dlist_free(l);
}

const struct isokit_node *dlist_find(const struct dlist *l, const char *name)
{
	if (!l->index) {
		for (size_t i = 0; i < l->n; i++)
			if (strcmp(isokit_node_name(l->ents[i]), name) == 0)
				return l->ents[i];
		return NULL;
	}
	size_t mask = l->index_cap - 1;
	for (size_t h = name_hash(name) & mask; l->index[h]; h = (h + 1) & mask) {
		const struct isokit_node *e = l->ents[l->index[h] - 1];
		if (strcmp(isokit_node_name(e), name) == 0)
			return e;
	}
	return NULL;
}
