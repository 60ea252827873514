// SPDX-License-Identifier: MIT
/*
 * The tree to be written: built by scanning the sources breadth-first
 * (one folder open at a time), then frozen by tree_finalize() (order.c),
 * which sorts every folder's children by the bytes of their names, so that
 * the image does not depend on the order the filesystem lists entries in.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "write/internal.h"

struct link_slot {
	uint64_t dev, ino;
	uint32_t node; /* 0: empty (node 0 is the root, never a file) */
};

int w_error(struct writer *w, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
	return code;
}

static int64_t clamp_time(const struct writer *w, int64_t t)
{
	if (w->opt.use_source_date_epoch && t > w->opt.source_date_epoch)
		return w->opt.source_date_epoch;
	return t;
}

int tree_new_node(struct writer *w, uint32_t *out)
{
	uint32_t i = w->nnodes;
	if (i == UINT32_MAX - 1)
		return w_error(w, ISOKIT_E_LIMIT, "too many entries");
	if ((i >> NODE_CHUNK_BITS) >= w->nchunks) {
		struct wnode **c = realloc(w->chunks, (w->nchunks + 1) * sizeof(*c));
		if (!c)
			return ISOKIT_E_NOMEM;
		w->chunks = c;
		c[w->nchunks] = calloc(NODE_CHUNK, sizeof(struct wnode));
		if (!c[w->nchunks])
			return ISOKIT_E_NOMEM;
		w->nchunks++;
	}
	w->nnodes++;
	memset(wnode_at(w, i), 0, sizeof(struct wnode));
	*out = i;
	return 0;
}

/* Store @p len bytes in the arena; a string never crosses a chunk. */
int tree_arena_put(struct writer *w, const void *p, size_t len, uint64_t *off)
{
	if (len > ARENA_CHUNK)
		return ISOKIT_E_OVERFLOW;
	if (w->narena == 0 || w->arena_used + len > ARENA_CHUNK) {
		if ((uint64_t)(w->narena + 1) << 20 > UINT32_MAX)
			return w_error(w, ISOKIT_E_LIMIT, "names take more than 4 GiB");
		uint8_t **a = realloc(w->arena, (w->narena + 1) * sizeof(*a));
		if (!a)
			return ISOKIT_E_NOMEM;
		w->arena = a;
		a[w->narena] = malloc(ARENA_CHUNK);
		if (!a[w->narena])
			return ISOKIT_E_NOMEM;
		w->narena++;
		w->arena_used = 0;
	}
	*off = ((uint64_t)(w->narena - 1) << 20) + w->arena_used;
	memcpy(w->arena[w->narena - 1] + w->arena_used, p, len);
	w->arena_used += (uint32_t)len;
	return 0;
}

/* A folder that has no source (the root until a folder is given for it,
 * folders on the way to a --map target, the relocation folder). */
void tree_synthetic_dir(const struct writer *w, struct wnode *n)
{
	n->type = W_DIR;
	n->flags = WF_SYNTH;
	n->mode = 040755;
	n->mtime = n->atime = n->ctime = w->now;
	n->btime = -1;
}

int tree_init(struct writer *w)
{
	uint32_t root;
	int rc = tree_new_node(w, &root);
	if (rc)
		return rc;
	tree_synthetic_dir(w, wnode_at(w, root));
	return 0;
}

void tree_free(struct writer *w)
{
	for (uint32_t i = 0; i < w->nchunks; i++)
		free(w->chunks[i]);
	free(w->chunks);
	for (uint32_t i = 0; i < w->narena; i++)
		free(w->arena[i]);
	free(w->arena);
	for (uint32_t i = 0; i < w->nsources; i++)
		free(w->sources[i]);
	free(w->sources);
	free(w->links);
	free(w->kids);
	free(w->dirs);
	free(w->iso_order);
	free(w->jol_order);
	free(w->moved);
	free(w->ext_order);
}

/* ---- hard links ---- */

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9E3779B97F4A7C15ull ^ b;
	h ^= h >> 31;
	return h * 0xBF58476D1CE4E5B9ull;
}

/* The first node seen with (dev, ino), or 0 after recording @p node. */
static int link_find_or_add(struct writer *w, uint64_t dev, uint64_t ino,
			    uint32_t node, uint32_t *first)
{
	if (w->links_used * 2 >= w->links_cap) {
		size_t cap = w->links_cap ? w->links_cap * 2 : 256;
		struct link_slot *t = calloc(cap, sizeof(*t));
		if (!t)
			return ISOKIT_E_NOMEM;
		for (size_t i = 0; i < w->links_cap; i++) {
			struct link_slot *s = &w->links[i];
			if (!s->node)
				continue;
			size_t j = mix(s->dev, s->ino) & (cap - 1);
			while (t[j].node)
				j = (j + 1) & (cap - 1);
			t[j] = *s;
		}
		free(w->links);
		w->links = t;
		w->links_cap = cap;
	}
	size_t mask = w->links_cap - 1;
	for (size_t j = mix(dev, ino) & mask;; j = (j + 1) & mask) {
		struct link_slot *s = &w->links[j];
		if (!s->node) {
			s->dev = dev;
			s->ino = ino;
			s->node = node;
			w->links_used++;
			*first = 0;
			return 0;
		}
		if (s->dev == dev && s->ino == ino) {
			*first = s->node;
			return 0;
		}
	}
}

/* ---- paths ---- */

static uint32_t path_chain(struct writer *w, uint32_t node, uint32_t *chain,
			   uint32_t max, bool to_source)
{
	uint32_t n = 0;
	while (n < max) {
		struct wnode *x = wnode_at(w, node);
		bool src_root = to_source && (x->flags & WF_SRC_ROOT);
		/* the root has no name; it ends a source path only as the
		 * folder given for "/" */
		if (node == 0 && !src_root)
			break;
		chain[n++] = node;
		if (src_root || node == 0)
			break;
		node = x->parent;
	}
	return n;
}

int tree_source_path_quiet(struct writer *w, uint32_t node, char *buf, size_t cap)
{
	uint32_t chain[2048];
	uint32_t n = path_chain(w, node, chain, 2048, true);
	if (n == 0 || !(wnode_at(w, chain[n - 1])->flags & WF_SRC_ROOT))
		return ISOKIT_E_INVAL;
	const char *root = w->sources[wnode_at(w, chain[n - 1])->src];
	size_t len = strlen(root);
	if (len + 1 > cap)
		return ISOKIT_E_OVERFLOW;
	memcpy(buf, root, len + 1);
	for (uint32_t i = n - 1; i-- > 0;) {
		struct wnode *x = wnode_at(w, chain[i]);
		if (len + 1 + x->name_len + 1 > cap)
			return ISOKIT_E_OVERFLOW;
		buf[len++] = '/';
		memcpy(buf + len, arena_at(w, x->name), x->name_len);
		len += x->name_len;
		buf[len] = '\0';
	}
	return 0;
}

int tree_source_path(struct writer *w, uint32_t node, char *buf, size_t cap)
{
	int rc = tree_source_path_quiet(w, node, buf, cap);
	if (rc == ISOKIT_E_INVAL)
		return w_error(w, rc, "entry has no source");
	if (rc) {
		char img[1024];
		tree_image_path(w, node, img, sizeof(img));
		return w_error(w, rc, "%s: source path too long", img);
	}
	return 0;
}

int tree_source_open(struct writer *w, uint32_t node, char *path, size_t cap)
{
	int rc = tree_source_path(w, node, path, cap);
	if (rc)
		return rc;
	int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
	if (!(w->opt.flags & ISOKIT_WRITE_FOLLOW_LINKS))
		flags |= O_NOFOLLOW;
	int fd = open(path, flags);
	if (fd < 0)
		return w_error(w, ISOKIT_E_IO, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size != wnode_at(w, node)->size) {
		close(fd);
		return w_error(w, ISOKIT_E_IO, "%s: changed since it was scanned", path);
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return fd;
}

void tree_image_path(struct writer *w, uint32_t node, char *buf, size_t cap)
{
	uint32_t chain[2048];
	uint32_t n = path_chain(w, node, chain, 2048, false);
	size_t len = 0;
	if (cap == 0)
		return;
	if (n == 0 && cap > 1)
		buf[len++] = '/';
	for (uint32_t i = n; i-- > 0;) {
		struct wnode *x = wnode_at(w, chain[i]);
		if (len + 1 + x->name_len + 1 > cap)
			break;
		buf[len++] = '/';
		memcpy(buf + len, arena_at(w, x->name), x->name_len);
		len += x->name_len;
	}
	buf[len] = '\0';
}

static void link_child(struct writer *w, uint32_t parent, uint32_t child);

int tree_new_synthetic_file(struct writer *w, uint32_t parent, const char *name,
			    uint32_t *out)
{
	uint32_t idx;
	uint64_t off;
	int rc = tree_new_node(w, &idx);
	if (!rc)
		rc = tree_arena_put(w, name, strlen(name), &off);
	if (rc)
		return rc;
	struct wnode *n = wnode_at(w, idx);
	n->name = (uint32_t)off;
	n->name_len = (uint16_t)strlen(name);
	n->type = W_REG;
	n->flags = WF_SYNTH;
	n->mode = 0100444;
	n->mtime = n->atime = n->ctime = w->now;
	n->btime = -1;
	n->data = idx;
	link_child(w, parent, idx);
	*out = idx;
	return 0;
}

/* ---- scanning ---- */

static void link_child(struct writer *w, uint32_t parent, uint32_t child)
{
	struct wnode *p = wnode_at(w, parent);
	struct wnode *c = wnode_at(w, child);
	c->parent = parent;
	c->next = p->first;
	p->first = child;
	p->count++;
}

uint32_t tree_find_child(struct writer *w, uint32_t parent, const char *name, size_t len)
{
	for (uint32_t c = wnode_at(w, parent)->first; c; c = wnode_at(w, c)->next) {
		struct wnode *x = wnode_at(w, c);
		if (x->name_len == len && memcmp(arena_at(w, x->name), name, len) == 0)
			return c;
	}
	return 0;
}

static void apply_anonymous(const struct writer *w, struct wnode *n)
{
	if (!(w->opt.flags & ISOKIT_WRITE_ANONYMOUS))
		return;
	uint32_t type = n->mode & 0170000, perm = n->mode & 07777;
	/* as mkisofs -r: readable by all, executable by all if by anyone,
	 * writable by none, no set-id or sticky bits */
	perm = 0444 | ((perm & 0111) ? 0111 : 0);
	if (n->type == W_DIR)
		perm = 0555;
	n->mode = type | perm;
	n->uid = n->gid = 0;
}

/* Fill a node from statx; 1 when the entry cannot be stored (socket). */
static int fill_node(struct writer *w, struct wnode *n, const struct statx *st)
{
	switch (st->stx_mode & S_IFMT) {
	case S_IFREG:
		n->type = W_REG;
		n->size = st->stx_size;
		break;
	case S_IFDIR:
		n->type = W_DIR;
		break;
	case S_IFLNK:
		n->type = W_LNK;
		break;
	case S_IFCHR:
		n->type = W_CHR;
		break;
	case S_IFBLK:
		n->type = W_BLK;
		break;
	case S_IFIFO:
		n->type = W_FIFO;
		break;
	default:
		return 1;
	}
	if (n->type == W_CHR || n->type == W_BLK)
		n->aux = makedev(st->stx_rdev_major, st->stx_rdev_minor);
	n->mode = st->stx_mode;
	n->uid = st->stx_uid;
	n->gid = st->stx_gid;
	n->mtime = clamp_time(w, st->stx_mtime.tv_sec);
	n->atime = clamp_time(w, st->stx_atime.tv_sec);
	n->ctime = clamp_time(w, st->stx_ctime.tv_sec);
	n->btime = (st->stx_mask & STATX_BTIME) ? clamp_time(w, st->stx_btime.tv_sec) : -1;
	apply_anonymous(w, n);
	return 0;
}

static int do_statx(struct writer *w, int dirfd, const char *name, struct statx *st)
{
	int flags = AT_STATX_SYNC_AS_STAT;
	if (!(w->opt.flags & ISOKIT_WRITE_FOLLOW_LINKS))
		flags |= AT_SYMLINK_NOFOLLOW;
	if (!*name)
		flags |= AT_EMPTY_PATH;
	return statx(dirfd, name, flags, STATX_BASIC_STATS | STATX_BTIME, st);
}

static bool excluded(const struct writer *w, const char *name, const char *rel)
{
	if (!w->opt.exclude)
		return false;
	for (const char *const *p = w->opt.exclude; *p; p++) {
		const char *subject = strchr(*p, '/') ? rel : name;
		if (fnmatch(*p, subject, 0) == 0)
			return true;
	}
	return false;
}

static int read_link(struct writer *w, int dirfd, const char *name, struct wnode *n,
		     const char *path)
{
	char target[4096];
	ssize_t len = readlinkat(dirfd, name, target, sizeof(target));
	if (len < 0)
		return w_error(w, ISOKIT_E_IO, "%s: cannot read link: %s", path, strerror(errno));
	if ((size_t)len >= sizeof(target))
		return w_error(w, ISOKIT_E_OVERFLOW, "%s: link target too long", path);
	uint64_t off;
	int rc = tree_arena_put(w, target, (size_t)len, &off);
	if (rc)
		return rc;
	n->aux = off;
	n->size = (uint64_t)len;
	return 0;
}

/* Account a new regular file: hard-link families share one copy. */
static int account_file(struct writer *w, uint32_t idx, const struct statx *st)
{
	struct wnode *n = wnode_at(w, idx);
	n->data = idx;
	if (n->type != W_REG)
		return 0;
	if (st->stx_nlink > 1) {
		uint32_t first;
		int rc = link_find_or_add(w, makedev(st->stx_dev_major, st->stx_dev_minor),
					  st->stx_ino, idx, &first);
		if (rc)
			return rc;
		if (first) {
			n->data = first;
			n->flags |= WF_LINK_COPY;
			return 0;
		}
	}
	w->data_bytes += n->size;
	return 0;
}

struct scan_item {
	uint32_t node;
	uint32_t src_root; /* children become source roots under this source */
};

struct scan_queue {
	struct scan_item *v;
	size_t head, len, cap;
};

static int queue_push(struct scan_queue *q, uint32_t node, uint32_t src_root)
{
	if (q->len == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		struct scan_item *v = realloc(q->v, cap * sizeof(*v));
		if (!v)
			return ISOKIT_E_NOMEM;
		q->v = v;
		q->cap = cap;
	}
	q->v[q->len++] = (struct scan_item){node, src_root};
	return 0;
}

static int add_source(struct writer *w, const char *path, uint32_t *idx)
{
	char **s = realloc(w->sources, (w->nsources + 1) * sizeof(*s));
	if (!s)
		return ISOKIT_E_NOMEM;
	w->sources = s;
	s[w->nsources] = strdup(path);
	if (!s[w->nsources])
		return ISOKIT_E_NOMEM;
	*idx = w->nsources++;
	return 0;
}

/* Read one folder of the source and append its entries to @p dir. */
static int scan_dir(struct writer *w, struct scan_queue *q, const struct scan_item *it,
		    size_t root_len)
{
	char path[8192];
	int rc;
	if (it->src_root != UINT32_MAX) {
		snprintf(path, sizeof(path), "%s", w->sources[it->src_root]);
	} else if ((rc = tree_source_path(w, it->node, path, sizeof(path))) != 0) {
		return rc;
	}
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return w_error(w, ISOKIT_E_IO, "%s: cannot open folder: %s", path, strerror(errno));
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return w_error(w, ISOKIT_E_NOMEM, "%s: cannot read folder", path);
	}
	size_t plen = strlen(path);
	rc = 0;
	for (;;) {
		errno = 0;
		struct dirent *e = readdir(d);
		if (!e) {
			if (errno)
				rc = w_error(w, ISOKIT_E_IO, "%s: cannot read folder: %s", path,
					     strerror(errno));
			break;
		}
		const char *name = e->d_name;
		if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
			continue;
		size_t nlen = strlen(name);
		if (plen + 1 + nlen + 1 > sizeof(path)) {
			rc = w_error(w, ISOKIT_E_OVERFLOW, "%s/%s: path too long", path, name);
			break;
		}
		path[plen] = '/';
		memcpy(path + plen + 1, name, nlen + 1);
		const char *rel = plen + 1 > root_len ? path + root_len + 1 : name;
		if (excluded(w, name, rel)) {
			path[plen] = '\0';
			continue;
		}
		struct statx st;
		if (do_statx(w, fd, name, &st) < 0) {
			rc = w_error(w, ISOKIT_E_IO, "%s: %s", path, strerror(errno));
			break;
		}
		if (w->opt.skip_file && st.stx_ino == w->opt.skip_ino &&
		    makedev(st.stx_dev_major, st.stx_dev_minor) == w->opt.skip_dev) {
			if (w->opt.on_warning)
				w->opt.on_warning(w->opt.ctx, ISOKIT_WARN_SKIPPED, path,
						  "the output image itself, left out");
			path[plen] = '\0';
			continue;
		}
		uint32_t idx;
		if ((rc = tree_new_node(w, &idx)) != 0)
			break;
		struct wnode *n = wnode_at(w, idx);
		if (fill_node(w, n, &st)) {
			w->nnodes--; /* not storable: give the slot back */
			if (w->opt.on_warning)
				w->opt.on_warning(w->opt.ctx, ISOKIT_WARN_SKIPPED, path,
						  "socket left out");
			path[plen] = '\0';
			continue;
		}
		uint64_t off;
		if ((rc = tree_arena_put(w, name, nlen, &off)) != 0)
			break;
		n->name = (uint32_t)off;
		n->name_len = (uint16_t)nlen;
		if (n->type == W_LNK && (rc = read_link(w, fd, name, n, path)) != 0)
			break;
		if ((rc = account_file(w, idx, &st)) != 0)
			break;
		if (it->src_root != UINT32_MAX) {
			uint32_t s;
			if ((rc = add_source(w, path, &s)) != 0)
				break;
			n = wnode_at(w, idx);
			n->flags |= WF_SRC_ROOT;
			n->src = s;
		}
		link_child(w, it->node, idx);
		if (wnode_at(w, idx)->type == W_DIR && (rc = queue_push(q, idx, UINT32_MAX)) != 0)
			break;
		path[plen] = '\0';
	}
	closedir(d);
	return rc;
}

static int scan_all(struct writer *w, struct scan_queue *q, size_t root_len)
{
	int rc = 0;
	while (q->head < q->len && rc == 0) {
		struct scan_item it = q->v[q->head++];
		rc = scan_dir(w, q, &it, root_len);
	}
	return rc;
}

/* Walk @p image_path from the root, making missing folders. */
int tree_make_parents(struct writer *w, const char *image_path, uint32_t *parent,
			const char **last, size_t *last_len)
{
	uint32_t cur = 0;
	const char *p = image_path;
	for (;;) {
		while (*p == '/')
			p++;
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *rest = p + len;
		while (*rest == '/')
			rest++;
		if (*rest == '\0') {
			*parent = cur;
			*last = p;
			*last_len = len;
			return 0;
		}
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return w_error(w, ISOKIT_E_INVAL, "%s: '.' and '..' are not allowed in image paths",
				       image_path);
		uint32_t c = tree_find_child(w, cur, p, len);
		if (c) {
			if (wnode_at(w, c)->type != W_DIR)
				return w_error(w, ISOKIT_E_INVAL, "%s: %.*s is not a folder",
					       image_path, (int)len, p);
		} else {
			int rc = tree_new_node(w, &c);
			uint64_t off;
			if (rc || (rc = tree_arena_put(w, p, len, &off)) != 0)
				return rc;
			struct wnode *n = wnode_at(w, c);
			tree_synthetic_dir(w, n);
			n->name = (uint32_t)off;
			n->name_len = (uint16_t)len;
			n->data = c;
			link_child(w, cur, c);
		}
		cur = c;
		p = rest;
	}
}

int tree_add(struct writer *w, const char *image_path, const char *source)
{
	if (w->kids)
		return w_error(w, ISOKIT_E_SEQUENCE, "sources must be added before writing");
	struct statx st;
	if (do_statx(w, AT_FDCWD, source, &st) < 0)
		return w_error(w, errno == ENOENT ? ISOKIT_E_NOENT : ISOKIT_E_IO, "%s: %s", source,
			       strerror(errno));
	uint32_t parent = 0;
	const char *last = NULL;
	size_t last_len = 0;
	int rc = tree_make_parents(w, image_path ? image_path : "", &parent, &last, &last_len);
	if (rc)
		return rc;
	if (last_len > 255)
		return w_error(w, ISOKIT_E_INVAL, "%s: name longer than 255 bytes", image_path);
	bool is_dir = S_ISDIR(st.stx_mode);
	struct scan_queue q = {0};
	uint32_t src;
	if ((rc = add_source(w, source, &src)) != 0)
		return rc;
	size_t root_len = strlen(source);
	uint32_t target;
	if (last_len == 0) {
		/* the root itself: only a folder can be it */
		if (!is_dir)
			return w_error(w, ISOKIT_E_INVAL, "%s: only a folder can be the root", source);
		target = 0;
	} else {
		target = tree_find_child(w, parent, last, last_len);
	}
	if (target == 0 && last_len != 0) {
		if (S_ISSOCK(st.stx_mode))
			return w_error(w, ISOKIT_E_UNSUPPORTED, "%s: sockets cannot be stored", source);
		if ((rc = tree_new_node(w, &target)) != 0)
			return rc;
		struct wnode *n = wnode_at(w, target);
		fill_node(w, n, &st);
		uint64_t off;
		if ((rc = tree_arena_put(w, last, last_len, &off)) != 0)
			return rc;
		n = wnode_at(w, target);
		n->name = (uint32_t)off;
		n->name_len = (uint16_t)last_len;
		n->flags |= WF_SRC_ROOT;
		n->src = src;
		if (n->type == W_LNK && (rc = read_link(w, AT_FDCWD, source, n, source)) != 0)
			return rc;
		if ((rc = account_file(w, target, &st)) != 0)
			return rc;
		link_child(w, parent, target);
		if (n->type == W_DIR)
			rc = queue_push(&q, target, UINT32_MAX);
	} else {
		/* merge a folder into one that is already there */
		struct wnode *n = wnode_at(w, target);
		if (n->type != W_DIR || !is_dir)
			return w_error(w, ISOKIT_E_INVAL, "%s: two sources for one name in the image",
				       image_path);
		if (n->flags & WF_SYNTH) {
			/* The first real folder gives its metadata and becomes
			 * the folder's source; the entries already there are
			 * sources of their own or made up, so their paths do
			 * not change. */
			struct wnode keep = *n;
			fill_node(w, n, &st);
			n->flags = (uint8_t)((keep.flags & ~WF_SYNTH) | WF_SRC_ROOT);
			n->src = src;
			n->parent = keep.parent;
			n->first = keep.first;
			n->count = keep.count;
			n->name = keep.name;
			n->name_len = keep.name_len;
			n->data = target;
			rc = queue_push(&q, target, UINT32_MAX);
		} else {
			/* a second folder for the same place: each of its
			 * entries records its own source path */
			rc = queue_push(&q, target, src);
		}
	}
	if (rc == 0)
		rc = scan_all(w, &q, root_len);
	free(q.v);
	return rc;
}
