// SPDX-License-Identifier: MIT
/*
 * Writing the laid-out image from its first block to its last. Without
 * checksums, file data moves through the kernel where it can
 * (copy_file_range, then sendfile, which also feeds a pipe), else through a
 * buffer. With them (the default) every byte passes through the stream's
 * buffers: the SHA-256 of each file is taken as it is read, the isomd5sum
 * MD5 of the whole stream on a thread of its own (tap.c), and the record is
 * written into the primary descriptor at the end, which needs an output
 * that can seek. A file is checked against the size the scan saw, before
 * and after it is copied.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <isokit/isokit.h>

#include "base/isotime.h"
#include "integrity/digest.h"
#include "ecma119/dirrec.h"
#include "ecma119/vd.h"
#include "write/internal.h"
#include "write/sysarea.h"

/* 128 KiB: with checksums every byte goes through TAP_BUFS + 1 of these */
#define OUT_BUF (128u << 10)
#define COPY_STEP ((size_t)8 << 20)

static int out_error(struct writer *w, struct out *o, int rc)
{
	if (rc == ISOKIT_E_NOSPACE || rc == ISOKIT_E_IO)
		return w_error(w, rc, "writing the image: %s", strerror(o->err));
	return rc;
}

static int write_vds(struct writer *w, struct out *o)
{
	uint8_t blk[ISO_BLOCK];
	uint8_t date[7];
	const struct wnode *root = wnode_at(w, 0);
	isotime_encode7(root->mtime, date);

	const char *label = writer_label(w);
	const char *sys = w->opt.system_id ? w->opt.system_id : "LINUX";
	char app_default[64];
	snprintf(app_default, sizeof(app_default), "ISOKIT %s", isokit_version());
	const char *app = w->opt.application ? w->opt.application : app_default;
	const char *pub = w->opt.publisher ? w->opt.publisher : "";
	const char *prep = w->opt.preparer ? w->opt.preparer : "";
	int cut = names_label_cut(label);
	if (w->opt.on_warning && (cut == 1 || (cut == 2 && w->joliet))) {
		char what[600];
		snprintf(what, sizeof(what), "volume label '%.500s' cut to %s", label,
			 cut == 1 ? "32 characters in ISO 9660 and 16 in Joliet"
				  : "16 characters in Joliet (Windows)");
		w->opt.on_warning(w->opt.ctx, ISOKIT_WARN_LABEL_CUT, "/", what);
	}

	uint8_t vol[32], sysb[32], pubb[128], prepb[128], appb[128];
	struct vd_fields f = {
		.type = VD_TYPE_PRIMARY,
		.space_size = w->total_blocks,
		.pt_size = w->pt_size, .pt_l = w->pt_l, .pt_m = w->pt_m,
		.root_lba = w->dirs[0].lba, .root_size = w->dirs[0].size,
		.root_date = date, .created = w->now,
	};
	f.volume_id = (struct vd_text){vol, names_volume_id(label, vol)};
	f.system_id = (struct vd_text){sysb, names_achars(sys, sysb, 32)};
	f.publisher = (struct vd_text){pubb, names_achars(pub, pubb, 128)};
	f.preparer = (struct vd_text){prepb, names_achars(prep, prepb, 128)};
	f.application = (struct vd_text){appb, names_achars(app, appb, 128)};
	vd_encode(blk, &f);
	/* the application-use field in spaces: where the isomd5sum record
	 * goes (and implantisomd5 implants only into a blank field) */
	memset(blk + ISOMD5_APP_OFFSET, ' ', ISOMD5_APP_LEN);
	int rc = out_write(o, blk, ISO_BLOCK);
	if (!rc && w->nboots)
		rc = boot_write_record(w, o);
	if (rc || !w->joliet)
		goto term;

	f.type = VD_TYPE_SUPPLEMENTARY;
	f.joliet_level = 3;
	f.pt_size = w->jpt_size;
	f.pt_l = w->jpt_l;
	f.pt_m = w->jpt_m;
	f.root_lba = w->dirs[0].jlba;
	f.root_size = w->dirs[0].jsize;
	f.volume_id = (struct vd_text){vol, names_ucs2(label, strlen(label), vol, 32)};
	f.system_id = (struct vd_text){sysb, names_ucs2(sys, strlen(sys), sysb, 32)};
	f.publisher = (struct vd_text){pubb, names_ucs2(pub, strlen(pub), pubb, 128)};
	f.preparer = (struct vd_text){prepb, names_ucs2(prep, strlen(prep), prepb, 128)};
	f.application = (struct vd_text){appb, names_ucs2(app, strlen(app), appb, 128)};
	vd_encode(blk, &f);
	rc = out_write(o, blk, ISO_BLOCK);
term:
	if (rc)
		return rc;
	vd_encode_terminator(blk);
	return out_write(o, blk, ISO_BLOCK);
}

static int write_path_table(struct writer *w, struct out *o, bool joliet, bool msb)
{
	const uint32_t *order = joliet ? w->jol_order : w->iso_order;
	uint32_t count = joliet ? w->njol : w->niso;
	uint64_t start = o->pos;
	for (uint32_t i = 0; i < count; i++) {
		const struct wdir *d = &w->dirs[order[i]];
		const struct wnode *n = wnode_at(w, d->node);
		uint32_t parent = 1;
		if (d->node != 0) {
			const struct wdir *p =
				&w->dirs[joliet ? wnode_at(w, n->parent)->data : d->iso_parent];
			parent = joliet ? p->jpt_num : p->pt_num;
		}
		/* the field is 16 bits; readers do not use path tables to
		 * find files, so huge trees keep working with a capped number */
		uint16_t par = parent > 0xFFFF ? 0xFFFF : (uint16_t)parent;
		static const uint8_t root_id = 0;
		const uint8_t *id = &root_id;
		size_t len = 1;
		if (d->node != 0) {
			id = joliet ? w->jol_names + d->jol_off : d->iso_id;
			len = joliet ? d->jol_len : d->iso_len;
		}
		uint8_t rec[8 + 256];
		size_t rl = pathrec_encode(rec, id, len, joliet ? d->jlba : d->lba, par, msb);
		int rc = out_write(o, rec, rl);
		if (rc)
			return rc;
	}
	uint64_t used = o->pos - start;
	return out_zero(o, (size_t)((ISO_BLOCK - used % ISO_BLOCK) % ISO_BLOCK));
}

static int write_dirs(struct writer *w, struct out *o, bool joliet)
{
	struct dirgen g = {.w = w, .joliet = joliet, .o = o};
	const uint32_t *order = joliet ? w->jol_order : w->ext_order;
	uint32_t count = joliet ? w->njol : w->niso;
	int rc = 0;
	for (uint32_t i = 0; i < count && rc == 0; i++) {
		struct wdir *d = &w->dirs[order[i]];
		uint64_t expect = o->pos + (joliet ? d->jsize : d->size);
		g.dir = order[i];
		if (!joliet && d->ce_blocks) {
			g.ce_cap = d->ce_blocks * ISO_BLOCK;
			g.ce = calloc(1, g.ce_cap);
			if (!g.ce) {
				rc = ISOKIT_E_NOMEM;
				break;
			}
		}
		rc = dirgen_run(&g);
		if (!rc && o->pos != expect)
			rc = w_error(w, ISOKIT_E_INVAL, "internal error: folder size changed");
		if (!rc && g.ce)
			rc = out_write(o, g.ce, g.ce_cap);
		free(g.ce);
		g.ce = NULL;
		g.ce_cap = 0;
	}
	names_list_free(&g.names);
	return rc;
}

/* Copy @p len bytes of @p in to the output; returns bytes copied (less
 * when the file ended early) or a negative code. */
static int64_t copy_data(struct writer *w, struct out *o, int in, const char *path,
			 uint64_t len, uint64_t *done_all, uint64_t total, int *mode)
{
	uint64_t done = 0;
	while (done < len) {
		if (w->cancel)
			return ISOKIT_E_CANCELED;
		size_t want = len - done > COPY_STEP ? COPY_STEP : (size_t)(len - done);
		ssize_t n = -1;
		if (*mode == 0) {
			n = copy_file_range(in, NULL, o->fd, NULL, want, 0);
			if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
				      errno == EOPNOTSUPP || errno == EBADF))
				*mode = 1;
		}
		if (*mode == 1) {
			n = sendfile(o->fd, in, NULL, want);
			if (n < 0 && (errno == EINVAL || errno == ENOSYS))
				*mode = 2;
		}
		if (*mode == 2) {
			n = read(in, o->buf, want < o->cap ? want : o->cap);
			if (n > 0) {
				o->len = (size_t)n;
				int rc = out_flush(o);
				if (rc)
					return rc;
			}
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOSPC || errno == EDQUOT) {
				o->err = errno;
				return ISOKIT_E_NOSPACE;
			}
			return w_error(w, ISOKIT_E_IO, "%s: %s", path, strerror(errno));
		}
		if (n == 0)
			break;
		done += (uint64_t)n;
		o->pos += (uint64_t)n;
		*done_all += (uint64_t)n;
		if (w->opt.on_progress)
			w->opt.on_progress(w->opt.ctx, *done_all, total);
	}
	return (int64_t)done;
}

/*
 * Read-ahead for file data. Reading many small files from a cold cache is
 * bound by the latency of one read at a time; a helper thread walks ahead
 * of the writer and asks the kernel for the next files (POSIX_FADV_WILLNEED
 * starts the reads and returns), so the device sees many requests at once.
 * It stays at most PF_FILES files and PF_BYTES bytes ahead.
 */
#define PF_FILES 512
#define PF_BYTES ((uint64_t)64 << 20)

struct prefetch {
	struct writer *w;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint32_t cursor;  /* kids index the writer is at */
	uint64_t written; /* data bytes the writer has finished */
	bool stop, running;
};

static void *prefetch_main(void *arg)
{
	struct prefetch *pf = arg;
	struct writer *w = pf->w;
	char path[8192];
	uint64_t asked = 0;
	for (uint32_t k = 0; k < w->nkids; k++) {
		struct wnode *c = wnode_at(w, w->kids[k]);
		if (!has_own_data(c))
			continue;
		pthread_mutex_lock(&pf->mu);
		while (!pf->stop && (k > pf->cursor + PF_FILES || asked > pf->written + PF_BYTES))
			pthread_cond_wait(&pf->cv, &pf->mu);
		bool stop = pf->stop;
		pthread_mutex_unlock(&pf->mu);
		if (stop)
			break;
		asked += c->size;
		if (tree_source_path_quiet(w, w->kids[k], path, sizeof(path)))
			continue;
		int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
		if (!(w->opt.flags & ISOKIT_WRITE_FOLLOW_LINKS))
			flags |= O_NOFOLLOW; /* as the writer will open it */
		int fd = open(path, flags);
		if (fd < 0)
			continue; /* the writer will report it */
		(void)posix_fadvise(fd, 0, (off_t)(c->size < PF_BYTES ? c->size : PF_BYTES),
				    POSIX_FADV_WILLNEED);
		close(fd);
	}
	return NULL;
}

static void prefetch_start(struct prefetch *pf, struct writer *w)
{
	memset(pf, 0, sizeof(*pf));
	pf->w = w;
	pthread_mutex_init(&pf->mu, NULL);
	pthread_cond_init(&pf->cv, NULL);
	/* without the thread the image is the same, only slower */
	pf->running = pthread_create(&pf->thread, NULL, prefetch_main, pf) == 0;
}

static void prefetch_advance(struct prefetch *pf, uint32_t k, uint64_t bytes)
{
	if (!pf->running)
		return;
	pthread_mutex_lock(&pf->mu);
	pf->cursor = k;
	pf->written += bytes;
	pthread_cond_signal(&pf->cv);
	pthread_mutex_unlock(&pf->mu);
}

static void prefetch_stop(struct prefetch *pf)
{
	if (pf->running) {
		pthread_mutex_lock(&pf->mu);
		pf->stop = true;
		pthread_cond_signal(&pf->cv);
		pthread_mutex_unlock(&pf->mu);
		pthread_join(pf->thread, NULL);
	}
	pthread_mutex_destroy(&pf->mu);
	pthread_cond_destroy(&pf->cv);
}

/* Copy @p len bytes of @p in through the stream's buffer, hashing them into
 * @p sha; returns bytes copied (less when the file ended early) or a
 * negative code. */
static int64_t copy_hashed(struct writer *w, struct out *o, int in, const char *path,
			   uint64_t len, uint64_t *done_all, uint64_t total, struct digest *sha)
{
	uint64_t done = 0;
	while (done < len) {
		if (w->cancel)
			return ISOKIT_E_CANCELED;
		size_t room = o->cap - o->len;
		size_t want = len - done < room ? (size_t)(len - done) : room;
		ssize_t n = read(in, o->buf + o->len, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return w_error(w, ISOKIT_E_IO, "%s: %s", path, strerror(errno));
		}
		if (n == 0)
			break;
		if (digest_update(sha, o->buf + o->len, (size_t)n) != 0)
			return ISOKIT_E_NOMEM;
		o->len += (size_t)n;
		o->pos += (uint64_t)n;
		done += (uint64_t)n;
		*done_all += (uint64_t)n;
		if (o->len == o->cap) {
			int rc = out_flush(o);
			if (rc)
				return rc;
		}
		if (w->opt.on_progress)
			w->opt.on_progress(w->opt.ctx, *done_all, total);
	}
	return (int64_t)done;
}

/* The next entry of the file sums: the file at @p lba has SHA-256 @p sha. */
static int record_sum(struct writer *w, uint32_t lba, const uint8_t sha[32], uint32_t *nsum)
{
	if (*nsum >= w->nsums)
		return w_error(w, ISOKIT_E_INVAL, "internal error: file sums");
	memcpy(w->sum_sha[*nsum], sha, 32);
	w->sum_lba[(*nsum)++] = lba;
	return 0;
}

/* A boot image patched in memory (boot.c): its bytes as they are in the
 * image, and their SHA-256. */
static int write_patched(struct writer *w, struct out *o, const struct wnode *c,
			 const uint8_t *bytes, uint64_t *done_all, uint32_t *nsum)
{
	int rc = out_write(o, bytes, (size_t)c->size);
	if (!rc)
		rc = out_pad_block(o);
	if (rc)
		return out_error(w, o, rc);
	*done_all += c->size;
	uint8_t d[32];
	if (!w->checksums)
		return 0;
	if (digest_sha256_once(bytes, (size_t)c->size, d) != 0)
		return w_error(w, ISOKIT_E_NOTBUILT, "%s", digest_error());
	return record_sum(w, c->lba, d, nsum);
}

/* One file's data, checked against the size the scan saw. */
static int write_one_file(struct writer *w, struct out *o, uint32_t ci, uint64_t *done_all,
			  int *mode, uint32_t *nsum)
{
	char path[8192];
	struct wnode *c = wnode_at(w, ci);
	if (o->pos != (uint64_t)c->lba * ISO_BLOCK)
		return w_error(w, ISOKIT_E_INVAL, "internal error: data out of place");
	const uint8_t *patched = boot_patched_data(w, ci);
	if (patched)
		return write_patched(w, o, c, patched, done_all, nsum);
	int in = tree_source_open(w, ci, path, sizeof(path));
	if (in < 0)
		return in;
	int rc;
	struct digest *sha = NULL;
	int64_t got;
	if (w->checksums) {
		if (!(sha = digest_new(DIGEST_SHA256))) {
			close(in);
			return w_error(w, ISOKIT_E_NOTBUILT, "%s", digest_error());
		}
		(void)posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
		got = copy_hashed(w, o, in, path, c->size, done_all, w->data_bytes, sha);
	} else {
		if ((rc = out_flush(o)) != 0) {
			close(in);
			return out_error(w, o, rc);
		}
		got = copy_data(w, o, in, path, c->size, done_all, w->data_bytes, mode);
	}
	if (got >= 0 && sha) {
		uint8_t d[64];
		int src = digest_final(sha, d) == 32
				  ? record_sum(w, c->lba, d, nsum)
				  : w_error(w, ISOKIT_E_INVAL, "internal error: file sums");
		if (src)
			got = src;
	}
	digest_free(sha);
	if (got < 0) {
		close(in);
		if (got == ISOKIT_E_NOSPACE || (got == ISOKIT_E_IO && o->err))
			return out_error(w, o, (int)got);
		return (int)got;
	}
	bool changed = (uint64_t)got != c->size;
	struct stat st;
	if (!changed && (fstat(in, &st) < 0 || (uint64_t)st.st_size != c->size))
		changed = true;
	close(in);
	if (changed)
		return w_error(w, ISOKIT_E_IO, "%s: file changed size while being read", path);
	rc = out_pad_block(o);
	if (rc)
		return out_error(w, o, rc);
	return 0;
}

/* SHA256SUMS: the last file data, with its own entry in the sums. */
static int write_manifest(struct writer *w, struct out *o, uint32_t *nsum)
{
	struct wnode *m = wnode_at(w, w->manifest);
	if (o->pos != (uint64_t)m->lba * ISO_BLOCK || *nsum + 1 != w->nsums)
		return w_error(w, ISOKIT_E_INVAL, "internal error: manifest out of place");
	struct digest *sha = digest_new(DIGEST_SHA256);
	if (!sha)
		return w_error(w, ISOKIT_E_NOTBUILT, "%s", digest_error());
	w->nsums--; /* the lookups see the files before it */
	int rc = manifest_write(w, o, sha);
	w->nsums++;
	uint8_t d[64];
	if (!rc && digest_final(sha, d) != 32)
		rc = ISOKIT_E_NOMEM;
	digest_free(sha);
	if (!rc)
		rc = record_sum(w, m->lba, d, nsum);
	return rc ? rc : out_pad_block(o);
}

static int write_files(struct writer *w, struct out *o)
{
	uint64_t done_all = 0;
	uint32_t nsum = 0;
	int mode = 0;
	struct prefetch pf;
	prefetch_start(&pf, w);
	int rc = 0;
	for (uint32_t k = 0; k < w->nkids && rc == 0; k++) {
		uint32_t ci = w->kids[k];
		struct wnode *c = wnode_at(w, ci);
		if (!has_own_data(c))
			continue;
		rc = write_one_file(w, o, ci, &done_all, &mode, &nsum);
		prefetch_advance(&pf, k, c->size);
	}
	prefetch_stop(&pf);
	if (!rc && w->manifest && wnode_at(w, w->manifest)->size)
		rc = write_manifest(w, o, &nsum);
	if (!rc && w->checksums && nsum != w->nsums)
		rc = w_error(w, ISOKIT_E_INVAL, "internal error: %u file sums for %u files", nsum,
			     w->nsums);
	return rc;
}

/* The SHA-256 table, its trailer and the zero blocks after it. */
static int write_sums(struct writer *w, struct out *o)
{
	int rc = out_zero(o, (size_t)w->pad_blocks * ISO_BLOCK);
	if (rc)
		return rc;
	if (o->pos != (uint64_t)w->sums_block * ISO_BLOCK)
		return w_error(w, ISOKIT_E_INVAL, "internal error: file sums out of place");
	struct digest *sha = digest_new(DIGEST_SHA256);
	if (!sha)
		return w_error(w, ISOKIT_E_NOTBUILT, "%s", digest_error());
	/* the files in the order of their data, as write_files() wrote them,
	 * then the manifest */
	uint32_t i = 0;
	for (uint32_t k = 0; k <= w->nkids && rc == 0; k++) {
		uint32_t ci = k < w->nkids ? w->kids[k] : w->manifest;
		const struct wnode *c = wnode_at(w, ci);
		if (k == w->nkids ? !w->manifest || c->size == 0
				  : !has_own_data(c))
			continue;
		if (i >= w->nsums || w->sum_lba[i] != c->lba) {
			rc = w_error(w, ISOKIT_E_INVAL, "internal error: file sums out of order");
			break;
		}
		struct filesums_entry fe = {.block = c->lba, .size = c->size};
		memcpy(fe.sha256, w->sum_sha[i++], 32);
		uint8_t e[FILESUMS_ENTRY];
		filesums_entry_encode(e, &fe);
		if (digest_update(sha, e, sizeof(e)) != 0)
			rc = ISOKIT_E_NOMEM;
		else
			rc = out_write(o, e, sizeof(e));
	}
	if (!rc && i != w->nsums)
		rc = w_error(w, ISOKIT_E_INVAL, "internal error: %u file sums for %u files", i, w->nsums);
	struct filesums_trailer t = {
		.table_block = w->sums_block,
		.table_blocks = w->sums_blocks,
		.entries = w->nsums,
	};
	uint8_t d[64];
	if (!rc && digest_final(sha, d) != 32)
		rc = ISOKIT_E_NOMEM;
	digest_free(sha);
	if (rc)
		return rc;
	memcpy(t.table_sha256, d, 32);
	rc = out_pad_block(o);
	uint8_t blk[ISO_BLOCK];
	if (!rc && filesums_trailer_encode(blk, &t) != 0)
		return w_error(w, ISOKIT_E_NOTBUILT, "%s", digest_error());
	if (!rc)
		rc = out_write(o, blk, ISO_BLOCK);
	if (!rc)
		rc = out_zero(o, (size_t)(FILESUMS_TAIL - 1 - w->gpt_blocks -
					  (w->udf_end_anchor ? 1 : 0)) * ISO_BLOCK);
	return rc;
}

/* Put the isomd5sum record for @p md5 into the written image (@p base: the
 * offset of its first byte in @p fd). */
static int write_isomd5(struct writer *w, int fd, off_t base, const struct isomd5_stream *s,
			const char *md5)
{
	uint8_t rec[ISOMD5_APP_LEN];
	isomd5_format(rec, md5, s->per ? s->sums : NULL, s->count);
	off_t at = base + (off_t)ISO_VD_FIRST * ISO_BLOCK + ISOMD5_APP_OFFSET;
	size_t done = 0;
	while (done < sizeof(rec)) {
		ssize_t n = pwrite(fd, rec + done, sizeof(rec) - done, at + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return w_error(w, ISOKIT_E_IO, "writing the isomd5sum record: %s",
				       strerror(n < 0 ? errno : EIO));
		done += (size_t)n;
	}
	snprintf(w->isomd5, sizeof(w->isomd5), "%s", md5);
	return 0;
}

/* The bytes isomd5sum covers, and its fragment count: the fragment sums
 * only work when each fragment is at least one 32 KiB read (checkisomd5
 * fails smaller ones), so smaller images get the MD5 alone. */
static uint64_t isomd5_span(const struct writer *w, uint32_t *fragments)
{
	uint64_t bytes = ((uint64_t)w->total_blocks - ISOMD5_SKIP_SECTORS) * ISO_BLOCK;
	*fragments = bytes / (ISOMD5_FRAGMENTS + 1) >= ISOMD5_CHUNK ? ISOMD5_FRAGMENTS : 0;
	return bytes;
}

/* Path tables and folders of the ISO 9660 and Joliet trees. */
static int write_iso_dirs(struct writer *w, struct out *o)
{
	int rc = write_path_table(w, o, false, false);
	if (!rc)
		rc = write_path_table(w, o, false, true);
	if (!rc && w->joliet)
		rc = write_path_table(w, o, true, false);
	if (!rc && w->joliet)
		rc = write_path_table(w, o, true, true);
	if (!rc)
		rc = write_dirs(w, o, false);
	if (!rc && w->joliet)
		rc = write_dirs(w, o, true);
	return rc;
}

int emit_image(struct writer *w, int fd)
{
	struct out o = {.fd = fd, .cap = OUT_BUF};
	o.buf = malloc(OUT_BUF);
	if (!o.buf)
		return ISOKIT_E_NOMEM;
	w->isomd5[0] = '\0';
	struct out_tap tap;
	bool md5 = false;
	off_t base = -1;
	if (w->checksums) {
		w->sum_sha = malloc((w->nsums ? w->nsums : 1) * sizeof(*w->sum_sha));
		w->sum_lba = malloc((w->nsums ? w->nsums : 1) * sizeof(*w->sum_lba));
		if (!w->sum_sha || !w->sum_lba) {
			free(o.buf);
			return ISOKIT_E_NOMEM;
		}
	}
	/* the isomd5sum record lives in the primary descriptor: none in a
	 * UDF-only image */
	if (w->checksums && !w->udf_only) {
		base = lseek(fd, 0, SEEK_CUR);
		if (base < 0) {
			if (w->opt.on_warning)
				w->opt.on_warning(w->opt.ctx, ISOKIT_WARN_NO_ISOMD5, "/",
						  "the output cannot seek back: no isomd5sum record");
		} else {
			uint32_t fragments;
			uint64_t span = isomd5_span(w, &fragments);
			if (tap_start(&tap, &o, span, fragments) != 0) {
				free(o.buf);
				return w_error(w, ISOKIT_E_NOTBUILT, "%s", digest_error());
			}
			md5 = true;
		}
	}
	int rc = sysarea_write(w, &o);
	if (!rc && !w->udf_only)
		rc = write_vds(w, &o);
	if (!rc && w->udf)
		rc = udf_write_head(w, &o);
	if (!rc && w->udf)
		rc = udf_write_meta(w, &o);
	if (!rc && w->nboots)
		rc = boot_write_catalog(w, &o);
	if (!rc && !w->udf_only)
		rc = write_iso_dirs(w, &o);
	if (!rc && o.pos != (uint64_t)w->zero_block * ISO_BLOCK)
		rc = w_error(w, ISOKIT_E_INVAL, "internal error: metadata size changed");
	if (!rc)
		rc = out_zero(&o, ISO_BLOCK);
	if (!rc)
		rc = boot_write_hidden(w, &o);
	if (!rc)
		rc = write_files(w, &o);
	if (!rc && w->udf)
		rc = udf_write_reserve(w, &o);
	if (!rc && w->checksums)
		rc = write_sums(w, &o);
	if (!rc && w->udf_end_anchor)
		rc = udf_write_end_anchor(w, &o);
	if (!rc)
		rc = sysarea_write_end(w, &o);
	if (!rc && o.pos != (uint64_t)w->total_blocks * ISO_BLOCK)
		rc = w_error(w, ISOKIT_E_INVAL, "internal error: image size changed");
	if (!rc)
		rc = out_flush(&o);
	if (rc == ISOKIT_E_NOSPACE || (rc == ISOKIT_E_IO && o.err))
		rc = out_error(w, &o, rc);
	if (md5) {
		char hex[33];
		int werr;
		int trc = tap_finish(&tap, &o, rc ? NULL : hex, &werr);
		if (!rc && werr) {
			o.err = werr;
			rc = out_error(w, &o, werr == ENOSPC || werr == EDQUOT ? ISOKIT_E_NOSPACE
										: ISOKIT_E_IO);
		}
		if (!rc && trc)
			rc = w_error(w, ISOKIT_E_NOMEM, "computing the isomd5sum MD5 failed");
		if (!rc)
			rc = write_isomd5(w, fd, base, &tap.md5, hex);
	}
	free(o.buf);
	return rc;
}
