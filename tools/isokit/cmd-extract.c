// SPDX-License-Identifier: MIT
/*
 * isokit extract: take files out of an image with their metadata (content,
 * mode, times, symlinks, hard links; owners and device nodes when run as
 * root), as tar does. Safety first: every file is created relative to a
 * directory descriptor we opened, with O_NOFOLLOW and O_EXCL, so nothing is
 * ever written through a symbolic link or outside the destination; names
 * that are not plain path components are refused.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "copy.h"
#include "extract.h"
#include "paths.h"

enum { OPT_DIR = 1, OPT_OVERWRITE, OPT_NO_OWNER, OPT_JOBS, OPT_VERIFY, OPT_BOOT_IMAGES };

const struct cmd_def cmd_extract_def = {
	"extract", "IMAGE [PATH...]",
	"Extract the whole image, or the named files and folders, into the\n"
	"current directory or the one given with -C, keeping modes, times,\n"
	"symlinks and hard links (and, as root, owners and device nodes).",
	cmd_extract, false, false,
};

static const struct opt_def extract_opts[] = {
	{OPT_DIR, 'C', "directory", "DIR", "extract into DIR (created if missing)"},
	{OPT_OVERWRITE, 0, "overwrite", NULL, "replace existing files (atomically, by rename)"},
	{OPT_NO_OWNER, 0, "no-same-owner", NULL, "as root, do not restore owners"},
	{OPT_VERIFY, 0, "verify", NULL, "check each file's SHA-256 (written by isokit create) as it is written"},
	{OPT_BOOT_IMAGES, 0, "boot-images", "DIR", "write the El Torito boot images (files or not) and the system area into DIR; the files are then extracted only when -C or a PATH is given"},
	{OPT_JOBS, 'j', "jobs", "N", "threads that copy large files (default: 2 on a multi-core machine, 0: none)"},
	/* -v (common option): print each path as it is extracted */
	{0, 0, NULL, NULL, NULL},
};

void xcount_failure(struct xstate *x)
{
	__atomic_fetch_add(&x->failures, 1, __ATOMIC_RELAXED);
}

void xfail(struct xstate *x, const char *path, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	xcount_failure(x);
	/* workers report too: one message at a time, never interleaved */
	flockfile(stderr);
	if (x->prog.on)
		fputc('\n', stderr);
	fprintf(stderr, "%s: %s: ", progname, x->image);
	print_escaped(stderr, path);
	fprintf(stderr, ": %s\n", what);
	funlockfile(stderr);
}

/* ---- hard links: ino -> first extracted path ---- */

static struct link_slot *link_find(struct xstate *x, uint64_t ino, bool insert)
{
	if (insert && (x->links_n + 1) * 2 > x->links_cap) {
		size_t cap = x->links_cap ? x->links_cap * 2 : 1024;
		struct link_slot *t = calloc(cap, sizeof(*t));
		if (!t)
			return NULL;
		for (size_t i = 0; i < x->links_cap; i++) {
			if (!x->links[i].path)
				continue;
			size_t h = (size_t)(x->links[i].ino * 0x9E3779B97F4A7C15ull) & (cap - 1);
			while (t[h].path)
				h = (h + 1) & (cap - 1);
			t[h] = x->links[i];
		}
		free(x->links);
		x->links = t;
		x->links_cap = cap;
	}
	if (!x->links_cap)
		return NULL;
	size_t h = (size_t)(ino * 0x9E3779B97F4A7C15ull) & (x->links_cap - 1);
	while (x->links[h].path) {
		if (x->links[h].ino == ino)
			return &x->links[h];
		h = (h + 1) & (x->links_cap - 1);
	}
	if (!insert)
		return NULL;
	x->links[h].ino = ino;
	x->links_n++;
	return &x->links[h];
}

static bool wants_link(const struct xstate *x, const struct isokit_stat *st)
{
	return st->nlink > 1 || (x->link_all && st->size > 0);
}

static int try_link(struct xstate *x, int dirfd, const char *name,
		    const struct isokit_stat *st, const char *rel)
{
	struct link_slot *s = link_find(x, st->ino, false);
	if (!s)
		return 1;
	/* the first name may still be in a worker's hands */
	pool_drain(x->pool);
	char parent[4096];
	const char *oldname = path_split(s->path, parent, sizeof(parent));
	int ofd = open_dir_beneath(x->rootfd, parent, false);
	if (ofd < 0) {
		xfail(x, rel, "cannot reach the first link %s: %s", s->path, strerror(errno));
		return -1;
	}
	int rc = linkat(ofd, oldname, dirfd, name, 0);
	if (rc < 0 && errno == EEXIST && x->overwrite) {
		struct stat cur;
		if (fstatat(dirfd, name, &cur, AT_SYMLINK_NOFOLLOW) == 0 &&
		    !S_ISDIR(cur.st_mode) && unlinkat(dirfd, name, 0) == 0)
			rc = linkat(ofd, oldname, dirfd, name, 0);
	}
	int e = errno;
	close(ofd);
	if (rc < 0) {
		xfail(x, rel, "cannot make hard link to %s: %s", s->path,
		      e == EEXIST ? "already exists (use --overwrite to replace it)"
				  : strerror(e));
		return -1;
	}
	progress_update(&x->prog, 0, 1);
	return 0;
}

static void remember_link(struct xstate *x, const struct isokit_stat *st,
			  const char *rel)
{
	struct link_slot *s = link_find(x, st->ino, true);
	if (s && !s->path)
		s->path = strdup(rel);
	if (s && !s->path) /* out of memory: forget the slot */
		x->links_n--;
}

/* ---- metadata ---- */

static void times_of(const struct isokit_stat *st, struct timespec ts[2])
{
	ts[0].tv_sec = st->atime.valid ? (time_t)st->atime.sec : 0;
	ts[0].tv_nsec = st->atime.valid ? st->atime.nsec : UTIME_OMIT;
	ts[1].tv_sec = st->mtime.valid ? (time_t)st->mtime.sec : 0;
	ts[1].tv_nsec = st->mtime.valid ? st->mtime.nsec : UTIME_OMIT;
}

/* A file we create belongs to us and our group (or the folder's, when the
 * folder is set-group-ID): only a different owner needs a chown. */
static bool needs_chown(const struct xstate *x, const struct isokit_stat *st)
{
	return x->restore_owner && st->has_owner &&
	       (st->uid != x->euid || st->gid != x->egid || x->parent_sgid);
}

/* Owner before mode: chown clears the set-id bits. open() already gave the
 * permission bits (umask is 0), so fchmod is only needed after a chown or
 * for the set-id and sticky bits, which open() may drop. */
static void finish_fd(struct xstate *x, int fd, const struct isokit_stat *st,
		      const char *rel, bool do_chown)
{
	bool chowned = false;
	if (do_chown) {
		if (fchown(fd, st->uid, st->gid) < 0)
			xfail(x, rel, "cannot set owner: %s", strerror(errno));
		chowned = true;
	}
	if ((st->mode & 07000) || chowned)
		if (fchmod(fd, st->mode & 07777) < 0)
			xfail(x, rel, "cannot set mode: %s", strerror(errno));
	struct timespec ts[2];
	times_of(st, ts);
	if (futimens(fd, ts) < 0)
		xfail(x, rel, "cannot set times: %s", strerror(errno));
}

static void finish_at(struct xstate *x, int dirfd, const char *name,
		      const struct isokit_stat *st, const char *rel, bool is_link)
{
	if (needs_chown(x, st) &&
	    fchownat(dirfd, name, st->uid, st->gid, AT_SYMLINK_NOFOLLOW) < 0)
		xfail(x, rel, "cannot set owner: %s", strerror(errno));
	if (!is_link && (st->mode & 07000) &&
	    fchmodat(dirfd, name, st->mode & 07777, 0) < 0)
		xfail(x, rel, "cannot set mode: %s", strerror(errno));
	struct timespec ts[2];
	times_of(st, ts);
	if (utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		xfail(x, rel, "cannot set times: %s", strerror(errno));
}

/* Remove what is in the way for --overwrite (never a directory). */
static bool clear_way(struct xstate *x, int dirfd, const char *name)
{
	struct stat cur;
	if (!x->overwrite)
		return false;
	if (fstatat(dirfd, name, &cur, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR(cur.st_mode))
		return false;
	return unlinkat(dirfd, name, 0) == 0;
}

/* ---- entries ---- */

void xfile_free(struct xfile *f)
{
	free(f->target);
	free(f->name);
	free(f->rel);
	free(f->data);
	isokit_node_free(f->owned);
	free(f);
}

/* Fill and finish a created file; on any failure remove it.
 * @return 0 when the file is complete. */
int xfile_write(struct xstate *x, struct xwriter *w, struct xfile *f)
{
	const struct isokit_stat *st = &f->st;
	int rc = 0;
	uint8_t want[32];
	bool check = x->sums && isokit_sums_find(x->sums, st, want);
	if (x->sums && st->size && !check)
		__atomic_add_fetch(&x->unverified, 1, __ATOMIC_RELAXED);
	if (check && !(w->cp.sha = isokit_sha256_new())) {
		xfail(x, f->rel, "cannot check: libcrypto cannot be loaded");
		check = false;
	}
	if (f->node) {
		if (st->size)
			rc = copy_node_data(&w->cp, w->img, f->node, f->fd, &x->prog);
	} else if (st->size) {
		rc = copy_write_buf(&w->cp, f->fd, f->data, (size_t)st->size);
		if (rc == 0)
			progress_update(&x->prog, st->size, 0);
	}
	if (check) {
		uint8_t got[32];
		int hrc = isokit_sha256_final(w->cp.sha, got);
		w->cp.sha = NULL;
		if (!rc && hrc)
			rc = hrc;
		if (!rc && memcmp(got, want, 32) != 0) {
			/* kept, as unzip keeps a file with a bad CRC: the bytes are
			 * what the image holds, and may be most of the file */
			__atomic_add_fetch(&x->mismatched, 1, __ATOMIC_RELAXED);
			xfail(x, f->rel, "SHA-256 differs from the one recorded when the image was "
				 "made: the image's copy of this file is damaged (extracted as it is)");
		}
	}
	if (rc) {
		if (w->cp.out_errno) {
			xfail(x, f->rel, "cannot write: %s", strerror(w->cp.out_errno));
		} else {
			cli_image_error(x->image, w->img, rc);
			xcount_failure(x);
		}
		close(f->fd);
		unlinkat(f->dirfd, f->target, 0);
		partial_remove(f->partial);
		return -1;
	}
	finish_fd(x, f->fd, st, f->rel, f->chown);
	if (close(f->fd) < 0) {
		xfail(x, f->rel, "cannot write: %s", strerror(errno));
		unlinkat(f->dirfd, f->target, 0);
		partial_remove(f->partial);
		return -1;
	}
	if (strcmp(f->target, f->name) != 0) {
		struct stat cur;
		if (fstatat(f->dirfd, f->name, &cur, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(cur.st_mode)) {
			xfail(x, f->rel, "cannot replace a directory with a file");
			unlinkat(f->dirfd, f->target, 0);
			partial_remove(f->partial);
			return -1;
		}
		if (renameat(f->dirfd, f->target, f->dirfd, f->name) < 0) {
			xfail(x, f->rel, "cannot rename into place: %s", strerror(errno));
			unlinkat(f->dirfd, f->target, 0);
			partial_remove(f->partial);
			return -1;
		}
	}
	/* Complete: from here on the file is the user's. */
	partial_remove(f->partial);
	progress_update(&x->prog, 0, 1);
	return 0;
}

/* Read a small file's content for a worker; false when it cannot be read
 * here (the main thread then copies it itself and reports the error). */
static bool handoff_read(struct xstate *x, struct xfile *f)
{
	size_t len = (size_t)f->st.size;
	if (len == 0) {
		f->node = NULL;
		return true;
	}
	f->data = malloc(len);
	if (!f->data)
		return false;
	if (copy_node_read(&x->main_w.cp, x->main_w.img, f->node, f->data, len) != 0) {
		free(f->data);
		f->data = NULL;
		return false;
	}
	f->node = NULL;
	return true;
}

static void extract_regular(struct xstate *x, int dirfd, const char *name,
			    const struct isokit_node *n, const char *rel)
{
	const struct isokit_stat *st = isokit_node_stat(n);
	bool link = wants_link(x, st);
	if (link) {
		int r = try_link(x, dirfd, name, st, rel);
		if (r <= 0)
			return;
	}
	/* With --overwrite the new file is written under a temporary name
	 * and renamed over the old one only when complete, so a failure
	 * never costs the user the file they had. */
	char tmp[64];
	const char *target = name;
	if (x->overwrite) {
		snprintf(tmp, sizeof(tmp), ".isokit-tmp-%ld-%llu", (long)getpid(),
			 (unsigned long long)++x->tmp_counter);
		target = tmp;
	}
	/* From its creation until it is complete, a signal removes it; this
	 * covers the time it waits in the workers' queue. */
	partial_creating(true);
	int fd = openat(dirfd, target,
			O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			st->mode & 0777);
	int e = errno;
	int partial = fd >= 0 ? partial_add(dirfd, target) : -1;
	partial_creating(false);
	if (fd < 0) {
		xfail(x, rel, "cannot create: %s",
		      e == EEXIST ? "already exists (use --overwrite to replace it)"
				  : strerror(e));
		return;
	}
	struct xfile *f = calloc(1, sizeof(*f));
	if (f) {
		f->target = strdup(target);
		f->name = strdup(name);
		f->rel = strdup(rel);
	}
	if (!f || !f->target || !f->name || !f->rel) {
		xfail(x, rel, "out of memory");
		close(fd);
		unlinkat(dirfd, target, 0);
		partial_remove(partial);
		if (f)
			xfile_free(f);
		return;
	}
	f->fd = fd;
	f->dirfd = dirfd;
	f->st = *st;
	f->node = n;
	f->chown = needs_chown(x, st);
	f->partial = partial;
	/* The first name of a link group is known from now on; a later name
	 * waits for the workers before it links (try_link). */
	if (link)
		remember_link(x, st, rel);
	/* Large files go to a worker, so that copying them overlaps with
	 * the rest. */
	if (x->pool && st->size >= PARALLEL_MIN && isokit_node_dup(n, &f->owned) == 0) {
		f->node = f->owned;
		pool_submit(x->pool, f);
		return;
	}
	if (x->pool && st->size <= HANDOFF_MAX && handoff_read(x, f)) {
		pool_submit(x->pool, f);
		return;
	}
	(void)xfile_write(x, &x->main_w, f);
	xfile_free(f);
}

static void extract_special(struct xstate *x, int dirfd, const char *name,
			    const struct isokit_node *n, const char *rel)
{
	const struct isokit_stat *st = isokit_node_stat(n);
	int rc;
	bool is_link = S_ISLNK(st->mode);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (is_link) {
			const char *t = isokit_node_link_target(n);
			if (!t || !t[0]) {
				xfail(x, rel, "symbolic link without a target");
				return;
			}
			rc = symlinkat(t, dirfd, name);
		} else if (S_ISFIFO(st->mode)) {
			rc = mkfifoat(dirfd, name, st->mode & 07777);
		} else if (S_ISCHR(st->mode) || S_ISBLK(st->mode)) {
			if (!x->is_root) {
				if (!x->quiet)
					msg_warn(x->image, "%s: device node not created (needs root)", rel);
				return;
			}
			rc = mknodat(dirfd, name, st->mode & (S_IFMT | 07777), (dev_t)st->rdev);
		} else {
			if (!x->quiet)
				msg_warn(x->image, "%s: socket not created", rel);
			return;
		}
		if (rc == 0 || errno != EEXIST || !clear_way(x, dirfd, name))
			break;
	}
	if (rc < 0) {
		xfail(x, rel, "cannot create: %s",
		      errno == EEXIST ? "already exists (use --overwrite to replace it)"
				      : strerror(errno));
		return;
	}
	finish_at(x, dirfd, name, st, rel, is_link);
	progress_update(&x->prog, 0, 1);
}

static void extract_dir_entry(struct xstate *x, int dirfd, const char *name,
			      const char *rel)
{
	if (mkdirat(dirfd, name, 0700) == 0)
		return;
	int e = errno;
	struct stat cur;
	if (e == EEXIST && fstatat(dirfd, name, &cur, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(cur.st_mode))
			return; /* merge into an existing directory, as tar does */
		if (clear_way(x, dirfd, name) && mkdirat(dirfd, name, 0700) == 0)
			return;
		xfail(x, rel, "exists and is not a directory%s",
		      S_ISLNK(cur.st_mode) ? " (a symbolic link: not followed)" : "");
		return;
	}
	xfail(x, rel, "cannot create directory: %s", strerror(e));
}

static void extract_entry(struct xstate *x, int dirfd, const struct isokit_node *n,
			  const char *rel)
{
	const struct isokit_stat *st = isokit_node_stat(n);
	const char *name = isokit_node_name(n);
	if (st->unsafe_name || !path_component_ok(name)) {
		xfail(x, rel, "refusing unsafe name '%s'", name);
		return;
	}
	if (x->verbose) {
		print_escaped(stdout, rel);
		putchar('\n');
	}
	if (S_ISDIR(st->mode))
		extract_dir_entry(x, dirfd, name, rel);
	else if (S_ISREG(st->mode))
		extract_regular(x, dirfd, name, n, rel);
	else
		extract_special(x, dirfd, name, n, rel);
}

/* ---- the walk ---- */

static int push_dir(struct xstate *x, int fd, const struct isokit_stat *st, bool apply)
{
	if (x->depth == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 32;
		struct xdir *s = realloc(x->stack, cap * sizeof(*s));
		if (!s)
			return -1;
		x->stack = s;
		x->cap = cap;
	}
	struct xdir *d = &x->stack[x->depth++];
	d->fd = fd;
	/* Folders we create start as 0700; only ones that were already
	 * there can carry a set-group-ID bit while we fill them. */
	struct stat ds;
	d->sgid = fd >= 0 && fstat(fd, &ds) == 0 && (ds.st_mode & S_ISGID);
	x->parent_sgid = d->sgid;
	d->apply = apply && st;
	if (st) {
		d->mode = st->mode;
		d->uid = st->uid;
		d->gid = st->gid;
		d->has_owner = st->has_owner;
		d->atime = st->atime;
		d->mtime = st->mtime;
	}
	return 0;
}

static void pop_dir(struct xstate *x, const char *rel)
{
	pool_drain(x->pool);
	struct xdir *d = &x->stack[--x->depth];
	x->parent_sgid = x->depth ? x->stack[x->depth - 1].sgid : false;
	if (d->fd < 0)
		return;
	if (d->apply) {
		struct isokit_stat st;
		memset(&st, 0, sizeof(st));
		st.mode = d->mode;
		st.uid = d->uid;
		st.gid = d->gid;
		st.has_owner = d->has_owner;
		st.atime = d->atime;
		st.mtime = d->mtime;
		if (x->restore_owner && st.has_owner && fchown(d->fd, st.uid, st.gid) < 0)
			xfail(x, rel, "cannot set owner: %s", strerror(errno));
		if (fchmod(d->fd, st.mode & 07777) < 0)
			xfail(x, rel, "cannot set mode: %s", strerror(errno));
		struct timespec ts[2];
		times_of(&st, ts);
		if (futimens(d->fd, ts) < 0)
			xfail(x, rel, "cannot set times: %s", strerror(errno));
	}
	close(d->fd);
}

/* Extract the directory @p dir into @p base_fd (owned; closed here). */
static void extract_tree(struct xstate *x, const struct isokit_node *dir,
			 int base_fd, bool apply_base, const char *base_rel)
{
	struct isokit_walk *w;
	struct isokit_walk_options wo = {.start_path = base_rel};
	int rc = isokit_walk_new(x->img, dir, &wo, &w);
	if (rc) {
		cli_image_error(x->image, x->img, rc);
		xcount_failure(x);
		close(base_fd);
		return;
	}
	enum isokit_walk_event ev;
	const struct isokit_node *n;
	const char *path;
	size_t base_depth = x->depth;
	char *rel = NULL;
	size_t rel_cap = 0;
	while ((rc = isokit_walk_next(w, &ev, &n, &path)) != 0) {
		if (rc < 0) {
			cli_image_error(x->image, x->img, rc);
			xcount_failure(x);
			continue;
		}
		size_t need = strlen(base_rel) + strlen(path) + 2;
		if (need > rel_cap) {
			rel_cap = need * 2;
			char *r = realloc(rel, rel_cap);
			if (!r) {
				msg_error(NULL, "out of memory");
				xcount_failure(x);
				break;
			}
			rel = r;
		}
		snprintf(rel, rel_cap, "%s%s%s", base_rel,
			 base_rel[0] && path[0] ? "/" : "", path);
		if (ev == ISOKIT_WALK_DIR_ENTER) {
			int fd;
			if (x->depth == base_depth) {
				fd = base_fd;
				base_fd = -1;
				if (push_dir(x, fd, isokit_node_stat(n), apply_base) < 0)
					close(fd);
				continue;
			}
			int parent = x->stack[x->depth - 1].fd;
			fd = parent < 0 ? -1
				       : openat(parent, isokit_node_name(n),
						O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (push_dir(x, fd, isokit_node_stat(n), true) < 0 && fd >= 0)
				close(fd);
		} else if (ev == ISOKIT_WALK_DIR_LEAVE) {
			if (x->depth > base_depth)
				pop_dir(x, rel);
		} else {
			int parent = x->stack[x->depth - 1].fd;
			if (parent >= 0)
				extract_entry(x, parent, n, rel);
		}
	}
	while (x->depth > base_depth)
		pop_dir(x, rel ? rel : "");
	pool_drain(x->pool);
	if (base_fd >= 0)
		close(base_fd);
	free(rel);
	isokit_walk_free(w);
}

static void extract_path(struct xstate *x, const char *arg)
{
	struct isokit_node *node;
	int rc = isokit_image_lookup(x->img, arg, &node);
	if (rc) {
		cli_image_error(x->image, x->img, rc);
		xcount_failure(x);
		return;
	}
	/* Normalise the destination path: no leading or doubled slashes. */
	char rel[4096];
	size_t w = 0;
	for (const char *p = arg; *p && w + 1 < sizeof(rel); p++) {
		if (*p == '/' && (w == 0 || rel[w - 1] == '/'))
			continue;
		rel[w++] = *p;
	}
	while (w > 0 && rel[w - 1] == '/')
		w--;
	rel[w] = '\0';
	/* drop "." components */
	char clean[4096];
	size_t cw = 0;
	char *save = NULL;
	for (char *c = strtok_r(rel, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		cw += (size_t)snprintf(clean + cw, sizeof(clean) - cw, "%s%s", cw ? "/" : "", c);
	}
	clean[cw] = '\0';

	if (clean[0] == '\0') {
		int fd = dup(x->rootfd);
		extract_tree(x, node, fd, false, "");
		isokit_node_free(node);
		return;
	}
	char parent[4096];
	const char *last = path_split(clean, parent, sizeof(parent));
	int pfd = open_dir_beneath(x->rootfd, parent, true);
	if (pfd < 0) {
		xfail(x, clean, "cannot create the folders above it: %s", strerror(errno));
		isokit_node_free(node);
		return;
	}
	if (isokit_node_is_dir(node)) {
		extract_dir_entry(x, pfd, last, clean);
		int fd = openat(pfd, last, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			extract_tree(x, node, fd, true, clean);
	} else {
		struct stat ps;
		x->parent_sgid = fstat(pfd, &ps) == 0 && (ps.st_mode & S_ISGID);
		extract_entry(x, pfd, node, clean);
	}
	pool_drain(x->pool);
	close(pfd);
	isokit_node_free(node);
}

/* mkdir -p for the destination (the user's own path: links are followed). */
static int mkdir_parents(const char *dest)
{
	char *p = strdup(dest);
	if (!p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

static int extract_opt(int id, const char *arg, void *vctx)
{
	struct xstate *x = vctx;
	if (id == OPT_DIR) {
		x->dest = arg;
		x->dest_given = true;
	} else if (id == OPT_BOOT_IMAGES)
		x->boot_dir = arg;
	else if (id == OPT_OVERWRITE)
		x->overwrite = true;
	else if (id == OPT_NO_OWNER)
		x->restore_owner = false;
	else if (id == OPT_VERIFY)
		x->verify = true;
	else if (id == OPT_JOBS) {
		char *end;
		long v = strtol(arg, &end, 10);
		if (*end || v < 0 || v > MAX_WORKERS)
			return usage_error(&cmd_extract_def, "--jobs takes 0 to %d", MAX_WORKERS);
		x->jobs = (int)v;
	}
	return -1;
}

int cmd_extract(int argc, char **argv)
{
	struct common_opts c = {0};
	struct xstate x;
	memset(&x, 0, sizeof(x));
	x.dest = ".";
	x.jobs = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 0;
	x.euid = geteuid();
	x.egid = getegid();
	x.is_root = x.euid == 0;
	x.restore_owner = x.is_root;
	int first;
	int r = opt_parse(&cmd_extract_def, extract_opts, argc, argv, &c,
			  extract_opt, &x, &first);
	if (r >= 0)
		return r;
	if (argc - first < 1)
		return usage_error(&cmd_extract_def, "expected IMAGE");
	x.image = argv[first];
	x.quiet = c.quiet;
	x.verbose = c.verbose;
	if (x.boot_dir) {
		struct open_ctx bctx;
		struct isokit_image *bimg = cli_open(x.image, &c, &bctx);
		if (!bimg)
			return EXIT_FAIL;
		r = extract_boot_images(x.image, bimg, x.boot_dir, x.overwrite, c.quiet);
		isokit_image_close(bimg);
		if (r != EXIT_OK || (!x.dest_given && argc - first == 1))
			return r;
	}
	if (mkdir_parents(x.dest) < 0) {
		msg_error(NULL, "%s: cannot create: %s", x.dest, strerror(errno));
		return EXIT_FAIL;
	}
	x.rootfd = open(x.dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x.rootfd < 0) {
		msg_error(NULL, "%s: cannot open: %s", x.dest, strerror(errno));
		return EXIT_FAIL;
	}
	struct open_ctx ctx;
	x.img = cli_open(x.image, &c, &ctx);
	if (!x.img) {
		close(x.rootfd);
		return EXIT_FAIL;
	}
	if (x.verify) {
		int rc = isokit_sums_load(x.img, &x.sums);
		if (rc) {
			if (rc == ISOKIT_E_NOENT)
				msg_error(x.image, "--verify: the image has no file sums (they are written "
					  "by isokit create unless --no-checksums); run without --verify, "
					  "or check it with isokit verify");
			else
				cli_image_error(x.image, x.img, rc);
			isokit_image_close(x.img);
			close(x.rootfd);
			return EXIT_FAIL;
		}
	}
	x.main_w.img = x.img;
	if (copier_init(&x.main_w.cp)) {
		msg_error(NULL, "out of memory");
		isokit_image_close(x.img);
		close(x.rootfd);
		return EXIT_FAIL;
	}
	/* Modes come from the image exactly; the umask must not trim them. */
	umask(0);
	partial_install_handlers();
	const struct isokit_volume_info *vi = isokit_image_info(x.img);
	x.link_all = vi->ns != ISOKIT_NS_ROCKRIDGE;
	progress_init(&x.prog, "extract",
		      argc - first == 1 ? vi->volume_blocks * vi->block_size : 0, c.quiet);
	x.pool = pool_start(&x, x.jobs, c.ns);
	if (argc - first == 1)
		extract_path(&x, "/");
	for (int i = first + 1; i < argc; i++)
		extract_path(&x, argv[i]);
	pool_stop(x.pool);
	progress_end(&x.prog);
	copier_release(&x.main_w.cp);
	for (size_t i = 0; i < x.links_cap; i++)
		free(x.links[i].path);
	free(x.links);
	free(x.stack);
	if (x.unverified && !x.quiet)
		msg_warn(x.image, "--verify: %u file%s had no recorded SHA-256 and %s not checked",
			 x.unverified, x.unverified == 1 ? "" : "s", x.unverified == 1 ? "was" : "were");
	if (x.mismatched)
		msg_error(x.image, "--verify: %u file%s damaged in the image", x.mismatched,
			  x.mismatched == 1 ? " is" : "s are");
	isokit_sums_free(x.sums);
	isokit_image_close(x.img);
	close(x.rootfd);
	if (x.failures || ctx.errors) {
		if (x.failures > 1)
			msg_error(x.image, "%u problems; the extraction is incomplete",
				  x.failures);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
