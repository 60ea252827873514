// SPDX-License-Identifier: MIT
/*
 * File data of isokit mount. Files need no open handle (see op_open in mount-fs.c): a
 * read finds its file by node id, and where the file's bytes lie in the
 * image is worked out at its first read and kept with the node. Plain data
 * is spliced from the image's descriptor outside the lock, so reads
 * proceed in parallel; zisofs files go through the reader, under it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "mount-fs.h"

/* The kernel reads files of the mount in pieces of 128-256 KiB, several at
 * once from different threads; asked ahead for this much of the file, it
 * reads the image in large requests instead. */
#define READ_AHEAD ((uint64_t)8 << 20)
/* how far a read may start from where the last one ended and still count
 * as going forward (the kernel's threads deliver them a little out of
 * order) */
#define SEQ_SLACK ((uint64_t)512 << 10)

/* Called by the node table, with the lock held. */
void mfile_free(void *data)
{
	struct mfile *f = data;
	if (f->zf) {
		for (unsigned i = 0; i < ZISOFS_HANDLES; i++)
			if (f->fs->zopen[i] == f)
				f->fs->zopen[i] = NULL;
		isokit_file_close(f->zf);
	}
	free(f->off);
	free(f);
}

/* Work out where the file's bytes are; zisofs keeps the reader's handle.
 * Called with the lock held. @return 0 or an errno (logged). */
static int mfile_open(struct mfs *fs, const struct isokit_node *n, struct mfile **out)
{
	struct mfile *f = calloc(1, sizeof(*f));
	struct isokit_file *h;
	*out = NULL;
	if (!f)
		return ENOMEM;
	f->fs = fs;
	f->size = isokit_node_stat(n)->size;
	int rc = isokit_file_open(fs->img, n, &h);
	if (rc) {
		free(f);
		return reader_error(fs, "cannot open file", rc);
	}
	int64_t runs = isokit_file_runs(h, NULL, NULL, 0);
	if (runs < 0) {
		f->zisofs = true;
		isokit_file_close(h); /* opened again when read */
		*out = f;
		return 0;
	}
	f->nruns = (size_t)runs;
	if (runs > 0) {
		f->off = malloc((size_t)runs * 2 * sizeof(uint64_t));
		if (!f->off) {
			isokit_file_close(h);
			free(f);
			return ENOMEM;
		}
		f->len = f->off + runs;
		(void)isokit_file_runs(h, f->off, f->len, (size_t)runs);
	}
	isokit_file_close(h);
	uint64_t covered = 0;
	for (size_t r = 0; r < f->nruns; r++)
		covered += f->len[r];
	if (covered < f->size) {
		/* reads past the last extent would have nothing to give */
		mlog(fs, "cannot open file: its extents hold %llu of its %llu bytes (path %s)",
		     (unsigned long long)covered, (unsigned long long)f->size,
		     isokit_node_name(n));
		free(f->off);
		free(f);
		return EIO;
	}
	*out = f;
	return 0;
}

/* The file of node @p ino for a read, worked out at its first read.
 * Called with the lock held. @return NULL with an errno in *err. */
static struct mfile *file_of(struct mfs *fs, fuse_ino_t ino, int *err)
{
	struct mnode *m = node_table_get(&fs->nodes, ino);
	if (!m) {
		*err = ESTALE;
		return NULL;
	}
	if (isokit_node_is_dir(m->node)) {
		*err = EISDIR;
		return NULL;
	}
	if (!m->data) {
		if (image_changed(fs)) {
			*err = EIO;
			return NULL;
		}
		struct mfile *f;
		*err = mfile_open(fs, m->node, &f);
		m->data = f;
	}
	return m->data;
}

/* Ask the kernel to read the image ahead of a sequential reader: the next
 * READ_AHEAD bytes of the file, once half of the last window is used. A
 * reader is sequential from its third read in a row that starts near where
 * the one before ended (the kernel's threads deliver them a little out of
 * order); a file's first read at 0 counts (next_off starts at 0). Random
 * readers get none: a read landing near the last one by chance must not
 * cost megabytes of the disk's time. */
static void read_ahead(struct mfs *fs, struct mfile *f, uint64_t off, size_t len)
{
	uint64_t prev = __atomic_exchange_n(&f->next_off, off + len, __ATOMIC_RELAXED);
	if (off + SEQ_SLACK < prev || off > prev + SEQ_SLACK) {
		__atomic_store_n(&f->in_row, 0, __ATOMIC_RELAXED);
		return;
	}
	if (__atomic_add_fetch(&f->in_row, 1, __ATOMIC_RELAXED) < 3)
		return;
	uint64_t until = __atomic_load_n(&f->ra_until, __ATOMIC_RELAXED);
	if (off + len + READ_AHEAD / 2 < until || off + len >= f->size)
		return;
	uint64_t from = until > off ? until : off;
	uint64_t to = from + READ_AHEAD;
	if (!__atomic_compare_exchange_n(&f->ra_until, &until, to, false,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return; /* another thread does it */
	uint64_t start = 0;
	for (size_t r = 0; r < f->nruns && start < to; r++) {
		uint64_t end = start + f->len[r];
		if (from < end) {
			uint64_t a = from > start ? from : start;
			uint64_t b = to < end ? to : end;
			(void)posix_fadvise(fs->fd, (off_t)(f->off[r] + (a - start)),
					    (off_t)(b - a), POSIX_FADV_WILLNEED);
		}
		start = end;
	}
}

/* The reader's handle of zisofs file @p f, opening it if needed and
 * closing the least recently opened one beyond ZISOFS_HANDLES. Called
 * with the lock held. */
static int zisofs_handle(struct mfs *fs, struct mfile *f, const struct isokit_node *n)
{
	if (f->zf)
		return 0;
	int rc = isokit_file_open(fs->img, n, &f->zf);
	if (rc)
		return reader_error(fs, "cannot open file", rc);
	unsigned slot = fs->zclock++ % ZISOFS_HANDLES;
	struct mfile *old = fs->zopen[slot];
	if (old) {
		isokit_file_close(old->zf);
		old->zf = NULL;
	}
	fs->zopen[slot] = f;
	return 0;
}

/* Read a zisofs file's bytes through the reader. Called with the lock
 * held. */
static int read_zisofs(struct mfs *fs, struct mfile *f, const struct isokit_node *n,
		       unsigned char *buf, size_t size, uint64_t off)
{
	if (image_changed(fs))
		return EIO;
	int err = zisofs_handle(fs, f, n);
	size_t done = 0;
	while (!err && done < size) {
		int64_t got = isokit_file_pread(f->zf, buf + done, size - done, off + done);
		if (got <= 0)
			err = reader_error(fs, "cannot read file",
					   got == 0 ? ISOKIT_E_TRUNCATED : (int)got);
		else
			done += (size_t)got;
	}
	return err;
}

/*
 * Plain data goes from the image to the kernel by splice when the kernel
 * allows it (libfuse falls back to copying otherwise): the byte ranges are
 * handed over as ranges of the image's descriptor. The extents were checked
 * against the image at open and image_changed() sees a cut, so the ranges
 * are inside the image and the answer is never short (a short answer would
 * read as the end of the file).
 */
static int reply_runs(fuse_req_t req, struct mfs *fs, struct mfile *f, size_t len,
		      uint64_t off)
{
	struct fuse_bufvec one, *bv = &one;
	size_t nb = 0;
	uint64_t start = 0;
	if (image_changed(fs))
		return EIO;
	read_ahead(fs, f, off, len);
	for (size_t r = 0; r < f->nruns && start < off + len; r++) {
		uint64_t end = start + f->len[r];
		if (off < end) {
			uint64_t a = off > start ? off : start;
			uint64_t b = off + len < end ? off + len : end;
			if (nb == 1 && bv == &one) {
				/* a read across sections: rare, allocate */
				bv = malloc(sizeof(*bv) + f->nruns * sizeof(bv->buf[0]));
				if (!bv)
					return ENOMEM;
				*bv = one;
			}
			struct fuse_buf *fb = &bv->buf[nb++];
			memset(fb, 0, sizeof(*fb));
			fb->size = (size_t)(b - a);
			fb->flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK | FUSE_BUF_FD_RETRY;
			fb->fd = fs->fd;
			fb->pos = (off_t)(f->off[r] + (a - start));
		}
		start = end;
	}
	bv->count = nb;
	bv->idx = 0;
	bv->off = 0;
	/* a failed reply means the request is gone: nothing more to answer */
	(void)fuse_reply_data(req, bv, FUSE_BUF_SPLICE_MOVE);
	if (bv != &one)
		free(bv);
	return 0;
}

void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct mfs *fs = fs_of(req);
	int err = 0;
	(void)fi;
	pthread_mutex_lock(&fs->mu);
	/* The node (and so its mfile) lives while the kernel holds the inode,
	 * which it does while the read is in flight: safe to use unlocked. */
	struct mfile *f = file_of(fs, ino, &err);
	pthread_mutex_unlock(&fs->mu);
	if (!f) {
		fuse_reply_err(req, err);
		return;
	}
	if (off < 0 || (uint64_t)off >= f->size) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > f->size - (uint64_t)off)
		size = (size_t)(f->size - (uint64_t)off);
	if (!f->zisofs) {
		err = reply_runs(req, fs, f, size, (uint64_t)off);
		if (err)
			fuse_reply_err(req, err);
		return;
	}
	unsigned char *buf = malloc(size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	pthread_mutex_lock(&fs->mu);
	struct mnode *m = node_table_get(&fs->nodes, ino);
	err = m ? read_zisofs(fs, f, m->node, buf, size, (uint64_t)off) : ESTALE;
	pthread_mutex_unlock(&fs->mu);
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_buf(req, (const char *)buf, size);
	free(buf);
}
