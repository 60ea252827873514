// SPDX-License-Identifier: MIT
/*
 * Depth-first walk with loop protection. Each directory's entries are held
 * while its subtree is walked, so memory follows the width of the
 * directories on the current path; a set of directory locations already
 * visited stops loops and directories reached twice (which would otherwise
 * let a small hostile image describe an exponentially large tree).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "read/dir.h"
#include "read/internal.h"

struct frame {
	struct isokit_node *self; /* owned; NULL for the start node */
	struct isokit_dir *it;    /* streaming mode: open while listing */
	/* sorted mode: every entry; streaming mode: the subdirectories met */
	struct isokit_node **kids;
	size_t n, cap;
	size_t next_entry; /* next ENTRY event */
	size_t next_sub;   /* next child to descend into */
	size_t path_len;   /* length of this directory's path */
	bool entered;
};

struct isokit_walk {
	struct isokit_image *img;
	struct isokit_walk_options opts;
	const struct isokit_node *start;
	struct frame *frames;
	size_t depth, frames_cap;
	char *path;
	size_t path_cap;
	char *msg;       /* start_path + "/" + path, for messages */
	size_t msg_cap;
	uint64_t *seen; /* open-addressing set of directory block numbers + 1 */
	size_t seen_cap, seen_n;
	bool started, done;
	bool release_popped; /* frames[depth] was left and awaits release */
};

static int path_set(struct isokit_walk *w, size_t base, const char *name)
{
	size_t nl = strlen(name);
	size_t need = base + 1 + nl + 1;
	if (need > w->path_cap) {
		size_t cap = w->path_cap ? w->path_cap : 256;
		while (cap < need)
			cap *= 2;
		char *p = realloc(w->path, cap);
		if (!p)
			return ISOKIT_E_NOMEM;
		w->path = p;
		w->path_cap = cap;
	}
	size_t at = base;
	if (base > 0)
		w->path[at++] = '/';
	memcpy(w->path + at, name, nl);
	w->path[at + nl] = '\0';
	return 0;
}

/* Insert a directory location; false if it was already there. */
static int seen_insert(struct isokit_walk *w, uint64_t key, bool *fresh)
{
	key += 1; /* 0 marks an empty slot */
	if ((w->seen_n + 1) * 2 > w->seen_cap) {
		size_t cap = w->seen_cap ? w->seen_cap * 2 : 256;
		uint64_t *t = calloc(cap, sizeof(*t));
		if (!t)
			return ISOKIT_E_NOMEM;
		for (size_t i = 0; i < w->seen_cap; i++) {
			uint64_t k = w->seen[i];
			if (!k)
				continue;
			size_t h = (size_t)(k * 0x9E3779B97F4A7C15ull) & (cap - 1);
			while (t[h])
				h = (h + 1) & (cap - 1);
			t[h] = k;
		}
		free(w->seen);
		w->seen = t;
		w->seen_cap = cap;
	}
	size_t h = (size_t)(key * 0x9E3779B97F4A7C15ull) & (w->seen_cap - 1);
	while (w->seen[h]) {
		if (w->seen[h] == key) {
			*fresh = false;
			return 0;
		}
		h = (h + 1) & (w->seen_cap - 1);
	}
	w->seen[h] = key;
	w->seen_n++;
	*fresh = true;
	return 0;
}

/* The current path as messages show it: absolute in the image. */
static const char *msg_path(struct isokit_walk *w)
{
	const char *base = w->opts.start_path ? w->opts.start_path : "";
	while (base[0] == '/')
		base++;
	size_t need = strlen(base) + strlen(w->path) + 3;
	if (need > w->msg_cap) {
		char *m = realloc(w->msg, need * 2);
		if (!m)
			return w->path;
		w->msg = m;
		w->msg_cap = need * 2;
	}
	snprintf(w->msg, w->msg_cap, "/%s%s%s", base,
		 base[0] && w->path[0] ? "/" : "", w->path);
	return w->msg;
}

static int cmp_nodes(const void *a, const void *b)
{
	const struct isokit_node *x = *(struct isokit_node *const *)a;
	const struct isokit_node *y = *(struct isokit_node *const *)b;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(x->name, y->name, n);
	if (c)
		return c;
	return (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

static void frame_release(struct frame *f)
{
	isokit_dir_close(f->it);
	for (size_t i = 0; i < f->n; i++)
		isokit_node_free(f->kids[i]);
	free(f->kids);
	isokit_node_free(f->self);
	memset(f, 0, sizeof(*f));
}

static int kid_add(struct frame *f, const struct isokit_node *n)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct isokit_node **k = realloc(f->kids, cap * sizeof(*k));
		if (!k)
			return ISOKIT_E_NOMEM;
		f->kids = k;
		f->cap = cap;
	}
	int rc = isokit_node_dup(n, &f->kids[f->n]);
	if (rc == 0)
		f->n++;
	return rc;
}

/* Start a frame for @p dir: in sorted mode all its entries are read now;
 * in streaming mode its iterator is opened and read as events go. */
static int push_frame(struct isokit_walk *w, const struct isokit_node *dir,
		      struct isokit_node *owned, size_t path_len)
{
	struct isokit_image *img = w->img;
	uint32_t max_depth = w->opts.max_depth ? w->opts.max_depth
					       : READ_MAX_DEPTH_DEFAULT;
	/* @p dir may be @p owned: take what the messages need first. */
	uint32_t lba = dir->dir_lba;
	if (w->depth >= max_depth) {
		isokit_node_free(owned);
		return img_error(img, ISOKIT_E_LIMIT, lba, msg_path(w),
				 "directories nested deeper than %u levels", max_depth);
	}
	bool fresh;
	int rc = seen_insert(w, lba, &fresh);
	if (rc) {
		isokit_node_free(owned);
		return rc;
	}
	if (!fresh) {
		isokit_node_free(owned);
		return img_error(img, ISOKIT_E_LOOP, lba, msg_path(w),
				 "directory loop: this directory was already visited");
	}
	if (w->depth == w->frames_cap) {
		size_t cap = w->frames_cap ? w->frames_cap * 2 : 16;
		struct frame *f = realloc(w->frames, cap * sizeof(*f));
		if (!f) {
			isokit_node_free(owned);
			return ISOKIT_E_NOMEM;
		}
		w->frames = f;
		w->frames_cap = cap;
	}
	struct frame *f = &w->frames[w->depth];
	memset(f, 0, sizeof(*f));
	f->self = owned;
	f->path_len = path_len;

	struct isokit_dir *it;
	rc = dir_open_path(img, dir, msg_path(w), &it);
	if (rc == 0 && !w->opts.sorted) {
		/* Streaming: entries are handed out as they are read. */
		f->it = it;
		w->depth++;
		return 0;
	}
	const struct isokit_node *n;
	while (rc == 0 && (rc = isokit_dir_next(it, &n)) > 0) {
		rc = kid_add(f, n);
		if (rc)
			break;
	}
	isokit_dir_close(it);
	if (rc < 0) {
		frame_release(f);
		return rc;
	}
	if (f->n > 1)
		qsort(f->kids, f->n, sizeof(*f->kids), cmp_nodes);
	w->depth++;
	return 0;
}

int isokit_walk_new(struct isokit_image *img, const struct isokit_node *start,
		    const struct isokit_walk_options *opts,
		    struct isokit_walk **out)
{
	*out = NULL;
	if (!S_ISDIR(start->st.mode))
		return img_error(img, ISOKIT_E_NOTDIR, -1, start->name,
				 "not a directory");
	struct isokit_walk *w = calloc(1, sizeof(*w));
	if (!w)
		return ISOKIT_E_NOMEM;
	w->img = img;
	w->start = start;
	if (opts)
		w->opts = *opts;
	if (path_set(w, 0, "")) {
		free(w);
		return ISOKIT_E_NOMEM;
	}
	*out = w;
	return 0;
}

int isokit_walk_next(struct isokit_walk *w, enum isokit_walk_event *event,
		     const struct isokit_node **node, const char **path)
{
	int rc;
	if (w->release_popped) {
		frame_release(&w->frames[w->depth]);
		w->release_popped = false;
	}
	if (w->done)
		return 0;
	if (!w->started) {
		w->started = true;
		rc = push_frame(w, w->start, NULL, 0);
		if (rc) {
			w->done = true;
			return rc;
		}
	}
	while (w->depth > 0) {
		struct frame *f = &w->frames[w->depth - 1];
		const struct isokit_node *self = f->self ? f->self : w->start;
		if (!f->entered) {
			f->entered = true;
			w->path[f->path_len] = '\0';
			*event = ISOKIT_WALK_DIR_ENTER;
			*node = self;
			*path = w->path;
			return 1;
		}
		if (f->it) {
			const struct isokit_node *k;
			rc = isokit_dir_next(f->it, &k);
			if (rc > 0 && S_ISDIR(k->st.mode) && !k->st.unsafe_name)
				rc = kid_add(f, k) ? ISOKIT_E_NOMEM : 1;
			if (rc > 0) {
				if ((rc = path_set(w, f->path_len, k->name)))
					return rc;
				*event = ISOKIT_WALK_ENTRY;
				*node = k;
				*path = w->path;
				return 1;
			}
			/* End or damage: the subdirectories met so far are
			 * still walked. */
			isokit_dir_close(f->it);
			f->it = NULL;
			f->next_entry = f->n;
			if (rc < 0)
				return rc;
			continue;
		}
		if (f->next_entry < f->n) {
			struct isokit_node *k = f->kids[f->next_entry++];
			if ((rc = path_set(w, f->path_len, k->name)))
				return rc;
			*event = ISOKIT_WALK_ENTRY;
			*node = k;
			*path = w->path;
			return 1;
		}
		while (f->next_sub < f->n) {
			struct isokit_node *k = f->kids[f->next_sub++];
			if (!S_ISDIR(k->st.mode) || k->st.unsafe_name)
				continue;
			if ((rc = path_set(w, f->path_len, k->name)))
				return rc;
			/* The child node moves into its own frame. */
			f->kids[f->next_sub - 1] = NULL;
			size_t plen = strlen(w->path);
			rc = push_frame(w, k, k, plen);
			if (rc) {
				/* push_frame freed k; the slot is NULL. */
				return rc;
			}
			goto next;
		}
		w->path[f->path_len] = '\0';
		*event = ISOKIT_WALK_DIR_LEAVE;
		*node = self;
		*path = w->path;
		/* The frame is released on the next call, so the node stays
		 * valid for the caller until then. */
		w->depth--;
		w->release_popped = true;
		return 1;
	next:;
	}
	w->done = true;
	return 0;
}

void isokit_walk_free(struct isokit_walk *w)
{
	if (!w)
		return;
	size_t n = w->depth + (w->release_popped ? 1 : 0);
	for (size_t i = 0; i < n; i++)
		frame_release(&w->frames[i]);
	free(w->frames);
	free(w->path);
	free(w->msg);
	free(w->seen);
	free(w);
}

int img_each_entry(struct isokit_image *img, img_entry_fn fn, void *ud)
{
	struct isokit_walk *w;
	int rc = isokit_walk_new(img, isokit_image_root(img), NULL, &w);
	if (rc)
		return rc;
	enum isokit_walk_event ev;
	const struct isokit_node *node;
	const char *path;
	while ((rc = isokit_walk_next(w, &ev, &node, &path)) != 0) {
		if (rc < 0 || ev != ISOKIT_WALK_ENTRY) {
			rc = 0;
			continue; /* damaged folders are the structure check's */
		}
		if ((rc = fn(ud, node, path)) != 0)
			break;
	}
	isokit_walk_free(w);
	return rc;
}
