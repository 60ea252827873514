/* SPDX-License-Identifier: MIT */
/*
 * What the FUSE adapter of isokit mount remembers about the image: the
 * nodes the kernel holds (by node id, with the kernel's lookup counts) and
 * recently read directories (their entries and a name index). Nothing here
 * knows FUSE; the caller serializes every call (one lock).
 */
#ifndef ISOKIT_MOUNT_NODES_H
#define ISOKIT_MOUNT_NODES_H

#include <stddef.h>
#include <stdint.h>

#include <isokit/isokit.h>

#define MNODE_ROOT_ID 1u /* FUSE_ROOT_ID */

/* A node the kernel knows by id. */
struct mnode {
	uint64_t id;
	uint64_t nlookup;
	struct isokit_node *node; /* owned */
	void *data;               /* the caller's, freed with the node */
	struct mnode *next;       /* hash chain */
};

struct node_table {
	struct mnode **slots;
	size_t cap, count;
	struct mnode root;
	void (*free_data)(void *data);
};

/* The kernel's id of a node: its stable inode number, so that hard links
 * are one inode for the kernel too. 0 and 1 are taken (0 means "none" and
 * 1 is the root), so those inode numbers move to the top bit's half. */
uint64_t mnode_id_of(const struct isokit_node *node);

/* The table starts with the root (id 1), which it never forgets. Takes
 * ownership of @p root (an owned copy). A node's data, when set, is given
 * to @p free_data when the node goes. */
int node_table_init(struct node_table *t, struct isokit_node *root,
		    void (*free_data)(void *data));
void node_table_free(struct node_table *t);
struct mnode *node_table_get(struct node_table *t, uint64_t id);
/* The kernel learned about @p node (lookup, readdirplus): count it, adding
 * an owned copy when it is new. NULL when out of memory. */
struct mnode *node_table_ref(struct node_table *t, const struct isokit_node *node);
/* The kernel forgot @p n lookups of @p id. */
void node_table_forget(struct node_table *t, uint64_t id, uint64_t n);

/* The entries of one directory, as read from the image. */
struct dlist {
	uint64_t id; /* the directory's node id */
	size_t n;
	struct isokit_node **ents; /* owned copies, in image order */
	uint32_t *index;           /* open addressing by name hash; 0 = empty */
	size_t index_cap;
	size_t bytes;              /* memory charged to the cache */
	unsigned refs;             /* open directory handles, plus the cache's */
	struct dlist *older, *newer; /* least recently used order */
	struct dlist *hnext;         /* chain of its bucket in the cache */
};

#define DIR_CACHE_BUCKETS 4096u

struct dir_cache {
	struct dlist *newest, *oldest;
	struct dlist *buckets[DIR_CACHE_BUCKETS]; /* by id */
	size_t bytes, budget;
};

void dir_cache_init(struct dir_cache *c, size_t budget);
void dir_cache_free(struct dir_cache *c);
/* The cached listing of directory @p id, or NULL. A result holds a
 * reference: give it back with dir_cache_put(). */
struct dlist *dir_cache_find(struct dir_cache *c, uint64_t id);
/* Read the listing of @p dir (node id @p id) from the image and cache it;
 * the result holds a reference. On a read error returns NULL with *rc set
 * (the image holds the detail). */
struct dlist *dir_cache_read(struct dir_cache *c, struct isokit_image *img,
			     uint64_t id, const struct isokit_node *dir, int *rc);
void dir_cache_put(struct dir_cache *c, struct dlist *l);
/* The entry named @p name, or NULL. */
const struct isokit_node *dlist_find(const struct dlist *l, const char *name);

#endif
