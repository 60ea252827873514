// SPDX-License-Identifier: MIT
/*
 * The read-only FUSE file system of isokit mount, on libfuse3's low-level
 * API. The image never changes while mounted, so the kernel is told to
 * keep entries, attributes, directory listings and pages for long, and
 * to list directories with attributes (readdirplus).
 *
 * No open and no release: the kernel is told that files and folders need
 * none (FUSE_CAP_NO_OPEN_SUPPORT, FUSE_CAP_NO_OPENDIR_SUPPORT), which keeps
 * their pages and listings cached and saves two requests per file opened.
 * A read finds its file by node id instead; where the file's bytes lie is
 * worked out at its first read and kept with the node.
 *
 * Threads: metadata (node table, directory cache, the reader) is behind one
 * lock; plain file data is spliced from the image's descriptor outside it,
 * so reads proceed in parallel. zisofs files go through the reader, under
 * the lock.
 *
 * Here: the metadata operations and the session. File data is in
 * mount-read.c, the daemon's process life in mount-daemon.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "mount-fs.h"

#define DIR_CACHE_BUDGET (64u << 20) /* bytes of cached listings */

/* ---- messages: stderr in the foreground, else the log file or syslog ---- */

void mlog(struct mfs *fs, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (fs->o->log) {
		char when[32];
		time_t now = time(NULL);
		struct tm tm;
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", localtime_r(&now, &tm));
		fprintf(fs->o->log, "%s isokit[%ld]: %s: %s\n", when, (long)getpid(),
			fs->o->image, msg);
		fflush(fs->o->log);
	} else if (fs->o->foreground) {
		fprintf(stderr, "isokit: %s: %s\n", fs->o->image, msg);
	} else {
		syslog(LOG_ERR, "%s: %s", fs->o->image, msg);
	}
}

bool image_changed(struct mfs *fs)
{
	struct stat st;
	if (fstat(fs->fd, &st) == 0 && st.st_size == fs->img_st.st_size &&
	    st.st_mtim.tv_sec == fs->img_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == fs->img_st.st_mtim.tv_nsec)
		return false;
	if (!__atomic_exchange_n(&fs->changed_logged, true, __ATOMIC_RELAXED))
		mlog(fs, "the image file changed while mounted; its files now give I/O errors");
	return true;
}

/* ---- attributes ---- */

static void fill_stat(struct mfs *fs, const struct isokit_node *n, struct stat *st)
{
	const struct isokit_stat *s = isokit_node_stat(n);
	const struct mount_opts *o = fs->o;
	memset(st, 0, sizeof(*st));
	st->st_ino = (ino_t)s->ino;
	st->st_mode = s->mode;
	if (o->set_umask)
		st->st_mode &= ~(o->umask & 07777);
	st->st_nlink = s->nlink;
	st->st_uid = o->set_uid ? o->uid : s->has_owner ? s->uid : fs->uid;
	st->st_gid = o->set_gid ? o->gid : s->has_owner ? s->gid : fs->gid;
	st->st_size = (off_t)s->size;
	st->st_blocks = (blkcnt_t)((s->size + 511) / 512);
	st->st_blksize = 128 << 10;
	st->st_rdev = (dev_t)s->rdev;
	const struct isokit_time *m = &s->mtime;
	const struct isokit_time *a = s->atime.valid ? &s->atime : m;
	const struct isokit_time *c = s->ctime.valid ? &s->ctime : m;
	if (m->valid) {
		st->st_mtim.tv_sec = (time_t)m->sec;
		st->st_mtim.tv_nsec = m->nsec;
	}
	if (a->valid) {
		st->st_atim.tv_sec = (time_t)a->sec;
		st->st_atim.tv_nsec = a->nsec;
	}
	if (c->valid) {
		st->st_ctim.tv_sec = (time_t)c->sec;
		st->st_ctim.tv_nsec = c->nsec;
	}
}

static void fill_entry(struct mfs *fs, const struct mnode *m,
		       struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = m->id;
	e->generation = 1;
	e->attr_timeout = TTL;
	e->entry_timeout = TTL;
	fill_stat(fs, m->node, &e->attr);
}

int reader_error(struct mfs *fs, const char *what, int rc)
{
	const char *detail = isokit_image_errmsg(fs->img);
	mlog(fs, "%s: %s", what, detail && *detail ? detail : isokit_strerror(rc));
	return rc == ISOKIT_E_NOMEM ? ENOMEM : EIO;
}

/* The listing of folder @p id, with a reference (dir_cache_put), or NULL
 * with an errno in *err. Called with the lock held. Listings read before
 * the image changed are still true; a folder not read by then is not read
 * from the changed image. */
static struct dlist *listing_of(struct mfs *fs, uint64_t id, int *err)
{
	struct mnode *m = node_table_get(&fs->nodes, id);
	if (!m) {
		*err = ESTALE;
		return NULL;
	}
	if (!isokit_node_is_dir(m->node)) {
		*err = ENOTDIR;
		return NULL;
	}
	struct dlist *l = dir_cache_find(&fs->dirs, id);
	if (l)
		return l;
	if (image_changed(fs)) {
		*err = EIO;
		return NULL;
	}
	int rc;
	l = dir_cache_read(&fs->dirs, fs->img, id, m->node, &rc);
	if (!l)
		*err = reader_error(fs, "cannot read folder", rc);
	return l;
}

/* ---- operations ---- */

static void op_init(void *data, struct fuse_conn_info *conn)
{
	struct mfs *fs = data;
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS;
	/* every listing with attributes: find -ls and ls -l need them */
	conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
	if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
		conn->want |= FUSE_CAP_CACHE_SYMLINKS;
	/* nothing ever changes: no need to compare times before using pages */
	conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
	if (conn->capable & FUSE_CAP_ASYNC_READ)
		conn->want |= FUSE_CAP_ASYNC_READ;
	/* file data spliced from the image's page cache, not copied twice */
	if (conn->capable & FUSE_CAP_SPLICE_WRITE)
		conn->want |= FUSE_CAP_SPLICE_WRITE;
	if (conn->capable & FUSE_CAP_SPLICE_MOVE)
		conn->want |= FUSE_CAP_SPLICE_MOVE;
	/* no OPEN/RELEASE and OPENDIR/RELEASEDIR round trips (see op_open) */
	fs->no_open = (conn->capable & FUSE_CAP_NO_OPEN_SUPPORT) != 0;
	fs->no_opendir = (conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT) != 0;
	conn->time_gran = 1;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct mfs *fs = fs_of(req);
	struct fuse_entry_param e;
	int err = 0;
	pthread_mutex_lock(&fs->mu);
	struct dlist *l = listing_of(fs, parent, &err);
	if (l) {
		const struct isokit_node *n = dlist_find(l, name);
		struct mnode *m = n ? node_table_ref(&fs->nodes, n) : NULL;
		if (m) {
			fill_entry(fs, m, &e);
		} else if (n) {
			err = ENOMEM;
		} else {
			/* remembered by the kernel as absent, for as long */
			memset(&e, 0, sizeof(e));
			e.entry_timeout = TTL;
		}
		dir_cache_put(&fs->dirs, l);
	}
	pthread_mutex_unlock(&fs->mu);
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_entry(req, &e);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct mfs *fs = fs_of(req);
	pthread_mutex_lock(&fs->mu);
	node_table_forget(&fs->nodes, ino, nlookup);
	pthread_mutex_unlock(&fs->mu);
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count,
			    struct fuse_forget_data *forgets)
{
	struct mfs *fs = fs_of(req);
	pthread_mutex_lock(&fs->mu);
	for (size_t i = 0; i < count; i++)
		node_table_forget(&fs->nodes, forgets[i].ino, forgets[i].nlookup);
	pthread_mutex_unlock(&fs->mu);
	fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct mfs *fs = fs_of(req);
	struct stat st;
	(void)fi;
	pthread_mutex_lock(&fs->mu);
	struct mnode *m = node_table_get(&fs->nodes, ino);
	if (m)
		fill_stat(fs, m->node, &st);
	pthread_mutex_unlock(&fs->mu);
	if (m)
		fuse_reply_attr(req, &st, TTL);
	else
		fuse_reply_err(req, ESTALE);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct mfs *fs = fs_of(req);
	char target[PATH_MAX];
	int err = 0;
	pthread_mutex_lock(&fs->mu);
	struct mnode *m = node_table_get(&fs->nodes, ino);
	const char *t = m ? isokit_node_link_target(m->node) : NULL;
	if (!m)
		err = ESTALE;
	else if (!t)
		err = EINVAL;
	else if (strlen(t) >= sizeof(target))
		err = ENAMETOOLONG;
	else
		strcpy(target, t);
	pthread_mutex_unlock(&fs->mu);
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_readlink(req, target);
}

/* Entries are numbered 0 ".", 1 "..", then the folder's; a listing resumes
 * at the number the kernel gives back. */
static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi, bool plus)
{
	struct mfs *fs = fs_of(req);
	(void)fi;
	if (size > MAX_READ)
		size = MAX_READ;
	char *buf = malloc(size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	size_t pos = 0;
	int err = 0;
	pthread_mutex_lock(&fs->mu);
	struct dlist *l = listing_of(fs, ino, &err);
	struct mnode *self = l ? node_table_get(&fs->nodes, ino) : NULL;
	for (size_t i = off < 0 ? 0 : (size_t)off; self && i < l->n + 2; i++) {
		const char *name = i == 0 ? "." : i == 1 ? ".." : NULL;
		const struct isokit_node *n = name ? self->node : l->ents[i - 2];
		if (!name)
			name = isokit_node_name(n);
		size_t used;
		if (!plus) {
			struct stat st;
			fill_stat(fs, n, &st);
			used = fuse_add_direntry(req, buf + pos, size - pos, name, &st,
						 (off_t)(i + 1));
		} else if (i < 2) {
			/* the kernel takes no reference for "." and ".." */
			struct fuse_entry_param e;
			memset(&e, 0, sizeof(e));
			fill_stat(fs, n, &e.attr);
			used = fuse_add_direntry_plus(req, buf + pos, size - pos, name,
						      &e, (off_t)(i + 1));
		} else {
			struct mnode *m = node_table_ref(&fs->nodes, n);
			if (!m) {
				err = pos ? 0 : ENOMEM;
				break;
			}
			struct fuse_entry_param e;
			fill_entry(fs, m, &e);
			used = fuse_add_direntry_plus(req, buf + pos, size - pos, name,
						      &e, (off_t)(i + 1));
			if (used > size - pos) /* did not fit: no reference */
				node_table_forget(&fs->nodes, m->id, 1);
		}
		if (used > size - pos)
			break;
		pos += used;
	}
	if (l)
		dir_cache_put(&fs->dirs, l);
	pthread_mutex_unlock(&fs->mu);
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_buf(req, buf, pos);
	free(buf);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, false);
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, true);
}

/* Files and folders need no handle: ENOSYS tells the kernel so, once for
 * all (it then stops sending OPEN and RELEASE, or OPENDIR and RELEASEDIR,
 * and keeps pages and listings cached: FOPEN_KEEP_CACHE, FOPEN_CACHE_DIR).
 * A kernel too old for that gets an empty handle with the same flags. */
static void reply_no_handle(fuse_req_t req, struct fuse_file_info *fi, bool dir)
{
	struct mfs *fs = fs_of(req);
	if (dir ? fs->no_opendir : fs->no_open) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	fi->fh = 0;
	fi->keep_cache = 1;
	fi->cache_readdir = dir;
	fi->noflush = !dir;
	fuse_reply_open(req, fi);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	reply_no_handle(req, fi, false);
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	reply_no_handle(req, fi, true);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct mfs *fs = fs_of(req);
	struct statvfs sv;
	(void)ino;
	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = 2048;
	sv.f_frsize = 2048;
	sv.f_blocks = fs->blocks;
	sv.f_namemax = 255;
	sv.f_flag = ST_RDONLY;
	fuse_reply_statfs(req, &sv);
}

static const struct fuse_lowlevel_ops mount_ops = {
	.init = op_init,
	.lookup = op_lookup,
	.forget = op_forget,
	.forget_multi = op_forget_multi,
	.getattr = op_getattr,
	.readlink = op_readlink,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.readdirplus = op_readdirplus,
	.open = op_open,
	.read = op_read,
	.statfs = op_statfs,
};

/* ---- the session ---- */

/* fsname is shown in /proc/mounts and df: the image's full path, with the
 * characters FUSE's option parser treats specially escaped. */
static char *fsname_option(const char *image)
{
	char *abs = realpath(image, NULL);
	const char *s = abs ? abs : image;
	size_t n = strlen(s);
	char *out = malloc(n * 2 + sizeof("fsname="));
	if (out) {
		char *p = stpcpy(out, "fsname=");
		for (; *s; s++) {
			if (*s == ',' || *s == '\\')
				*p++ = '\\';
			*p++ = *s;
		}
		*p = '\0';
	}
	free(abs);
	return out;
}

int mount_serve(struct isokit_image *img, const struct mount_opts *o)
{
	struct mfs fs;
	memset(&fs, 0, sizeof(fs));
	fs.img = img;
	fs.o = o;
	fs.fd = isokit_source_fd(isokit_image_source(img));
	fs.uid = getuid();
	fs.gid = getgid();
	/* df shows the image file's size (writers pad after the volume) */
	fs.blocks = (isokit_image_info(img)->image_bytes + 2047) / 2048;
	if (fs.fd < 0 || fstat(fs.fd, &fs.img_st) != 0) {
		msg_error(o->image, "cannot be served: not a file descriptor");
		isokit_image_close(img);
		return EXIT_FAIL;
	}
	struct isokit_node *root;
	if (isokit_node_dup(isokit_image_root(img), &root) != 0 ||
	    node_table_init(&fs.nodes, root, mfile_free) != 0) {
		msg_error(NULL, "out of memory");
		isokit_image_close(img);
		return EXIT_FAIL;
	}
	dir_cache_init(&fs.dirs, DIR_CACHE_BUDGET);
	pthread_mutex_init(&fs.mu, NULL);

	int status = EXIT_FAIL;
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	char *fsname = fsname_option(o->image);
	size_t olen = (fsname ? strlen(fsname) : 0) + (o->fuse_opts ? strlen(o->fuse_opts) : 0) + 64;
	char *optstr = malloc(olen);
	struct fuse_session *se = NULL;
	char *mp_real = NULL;
	int announce = -1;
	if (!fsname || !optstr) {
		msg_error(NULL, "out of memory");
		goto out;
	}
	/* Read-only, and the kernel checks permissions against the modes
	 * shown, as for any disk. */
	snprintf(optstr, olen, "ro,default_permissions,subtype=isokit,%s%s%s", fsname,
		 o->fuse_opts && *o->fuse_opts ? "," : "", o->fuse_opts ? o->fuse_opts : "");
	if (fuse_opt_add_arg(&args, "isokit") != 0 ||
	    (o->debug && fuse_opt_add_arg(&args, "-d") != 0) ||
	    fuse_opt_add_arg(&args, "-o") != 0 || fuse_opt_add_arg(&args, optstr) != 0) {
		msg_error(NULL, "out of memory");
		goto out;
	}
	se = fuse_session_new(&args, &mount_ops, sizeof(mount_ops), &fs);
	if (!se) {
		/* libfuse said why (an unknown option, most often) */
		msg_error(o->image, "FUSE refused the mount options");
		status = EXIT_USAGE;
		goto out;
	}
	if (fuse_set_signal_handlers(se) != 0) {
		msg_error(NULL, "cannot set signal handlers");
		goto out;
	}
	/* resolved now: once mounted, looking at the folder would wait for
	 * this process to answer */
	mp_real = realpath(o->mountpoint, NULL);
	if (fuse_session_mount(se, o->mountpoint) != 0) {
		msg_error(o->image, "cannot mount on %s (see the message above)", o->mountpoint);
		fuse_remove_signal_handlers(se);
		goto out;
	}
	/* The mount is in place: from here on the caller may use it. In the
	 * background the parent returns now and the child serves. */
	if (!o->foreground && !o->log)
		openlog("isokit", LOG_PID, LOG_DAEMON);
	if (mount_daemonize(o->foreground, mp_real, &announce) != 0) {
		msg_error(NULL, "cannot start serving in the background: %s", strerror(errno));
		fuse_session_unmount(se);
		fuse_remove_signal_handlers(se);
		goto out;
	}
	/* The reader's findings go to standard error: into the log too. */
	if (!o->foreground && o->log)
		(void)dup2(fileno(o->log), STDERR_FILENO);
	struct fuse_loop_config *cfg = fuse_loop_cfg_create();
	if (cfg) {
		fuse_loop_cfg_set_clone_fd(cfg, 1);
		fuse_loop_cfg_set_max_threads(cfg, (unsigned)o->threads);
		fuse_loop_cfg_set_idle_threads(cfg, (unsigned)o->threads);
	}
	int rc = fuse_session_loop_mt(se, cfg);
	fuse_loop_cfg_destroy(cfg);
	fuse_session_unmount(se);
	fuse_remove_signal_handlers(se);
	/* Test hook: a slow exit, to show that isokit umount waits for it
	 * (t0501); the race it covers is otherwise too short to see. */
	const char *delay = getenv("ISOKIT_TEST_EXIT_DELAY_MS");
	if (delay)
		nanosleep(&(struct timespec){atoi(delay) / 1000, (atoi(delay) % 1000) * 1000000L}, NULL);
	status = rc == 0 ? EXIT_OK : EXIT_FAIL;
out:
	if (se)
		fuse_session_destroy(se);
	fuse_opt_free_args(&args);
	free(optstr);
	free(fsname);
	dir_cache_free(&fs.dirs);
	node_table_free(&fs.nodes);
	pthread_mutex_destroy(&fs.mu);
	isokit_image_close(img);
	free(mp_real);
	if (announce >= 0)
		close(announce);
	return status;
}
