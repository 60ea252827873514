// SPDX-License-Identifier: MIT
/*
 * The data part of verify: one sequential read of the image that checks
 * every data checksum it carries. MD5 is serial and the slowest step (about
 * 650 MB/s), so it stays on the reading thread, exactly as checkisomd5
 * chunks it (integrity/isomd5.c); each file's SHA-256 is taken on a second
 * thread over the same buffers, in block order, since the table lists the
 * files by their first block. A buffer is read again only when both are
 * done with it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "integrity/digest.h"
#include "integrity/filesums.h"
#include "integrity/isomd5.h"

#define DC_BUF ((size_t)1 << 20) /* a multiple of checkisomd5's 32 KiB */
#define DC_BUFS 4

/* ---- the per-file SHA-256 table ---- */

int isokit_file_sums_get(struct isokit_image *img, struct isokit_file_sums *out)
{
	memset(out, 0, sizeof(*out));
	uint64_t blocks = img->info.volume_blocks;
	if (blocks < ISO_VD_FIRST + FILESUMS_TAIL + 2)
		return ISOKIT_E_NOENT;
	uint32_t at = (uint32_t)(blocks - FILESUMS_TAIL);
	if ((uint64_t)(at + 1) * ISO_BLOCK > img->size)
		return ISOKIT_E_NOENT; /* cut off: not there to be found */
	uint8_t blk[ISO_BLOCK];
	int rc = img_read(img, (uint64_t)at * ISO_BLOCK, blk, sizeof(blk), NULL);
	if (rc)
		return rc;
	struct filesums_trailer t;
	switch (filesums_trailer_decode(blk, &t)) {
	case FILESUMS_NONE:
		return ISOKIT_E_NOENT;
	case FILESUMS_NO_CRYPTO:
		return img_error(img, ISOKIT_E_NOTBUILT, -1, NULL, "%s", digest_error());
	case FILESUMS_UNSUPPORTED:
		return img_error(img, ISOKIT_E_UNSUPPORTED, at, NULL,
				 "file sums of format version %u (this isokit reads version %u)",
				 t.version, FILESUMS_VERSION);
	case FILESUMS_DAMAGED:
		return img_error(img, ISOKIT_E_CORRUPT, at, NULL,
				 "the trailer of the file sums is damaged");
	case FILESUMS_OK:
		break;
	}
	if (t.table_block <= ISO_VD_FIRST || t.table_block > at ||
	    t.table_blocks > at - t.table_block ||
	    t.entries > (uint64_t)t.table_blocks * ISO_BLOCK / FILESUMS_ENTRY)
		return img_error(img, ISOKIT_E_CORRUPT, at, NULL,
				 "the file sums trailer points to blocks %u-%llu, outside the volume",
				 t.table_block, (unsigned long long)t.table_block + t.table_blocks);
	out->trailer_block = at;
	out->table_block = t.table_block;
	out->table_blocks = t.table_blocks;
	out->entries = t.entries;
	return 0;
}

/* Read and check the table: its SHA-256, entries in block order, each file
 * inside the volume. 0 with *out (caller frees), or an error. */
static int load_entries(struct isokit_image *img, const struct isokit_file_sums *fs,
			struct filesums_entry **out, bool *intact)
{
	*out = NULL;
	*intact = false;
	uint64_t bytes = fs->entries * FILESUMS_ENTRY;
	uint64_t from = (uint64_t)fs->table_block * ISO_BLOCK;
	if (from + bytes > img->size) /* memory bounded by what the image holds */
		return img_error(img, ISOKIT_E_TRUNCATED, fs->table_block, NULL,
				 "the file sums table is past the end of the image");
	uint8_t *raw = malloc(bytes ? bytes : 1);
	struct filesums_entry *e = calloc(fs->entries ? fs->entries : 1, sizeof(*e));
	if (!raw || !e) {
		free(raw);
		free(e);
		return ISOKIT_E_NOMEM;
	}
	int rc = img_read(img, from, raw, (size_t)bytes, NULL);
	uint8_t blk[ISO_BLOCK], sum[64];
	struct filesums_trailer t;
	if (!rc) {
		rc = img_read(img, (uint64_t)fs->trailer_block * ISO_BLOCK, blk, sizeof(blk), NULL);
		if (!rc && filesums_trailer_decode(blk, &t) != FILESUMS_OK)
			rc = ISOKIT_E_CORRUPT;
	}
	if (!rc && digest_sha256_once(raw, (size_t)bytes, sum) != 0)
		rc = img_error(img, ISOKIT_E_NOTBUILT, -1, NULL, "%s", digest_error());
	if (!rc)
		*intact = memcmp(sum, t.table_sha256, 32) == 0;
	uint64_t volume_end = img->info.volume_blocks * ISO_BLOCK, prev_end = 0;
	for (uint64_t i = 0; !rc && *intact && i < fs->entries; i++) {
		filesums_entry_decode(raw + i * FILESUMS_ENTRY, &e[i]);
		uint64_t start = (uint64_t)e[i].block * ISO_BLOCK;
		if (start < prev_end || e[i].size == 0 || e[i].size > volume_end - start ||
		    start > volume_end)
			rc = img_error(img, ISOKIT_E_CORRUPT, fs->table_block, NULL,
				       "file sums entry %llu (block %u, %llu bytes) is out of order "
				       "or outside the volume",
				       (unsigned long long)i, e[i].block,
				       (unsigned long long)e[i].size);
		else
			prev_end = start + e[i].size;
	}
	free(raw);
	if (rc || !*intact) {
		free(e);
		return rc;
	}
	*out = e;
	return 0;
}

/* ---- the SHA-256 thread ---- */

struct sha_worker {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint8_t **bufs;
	uint64_t *offs;
	size_t *lens;
	uint64_t produced, consumed;
	bool stop, failed;

	const struct filesums_entry *e;
	uint64_t n, next; /* entries, the first not yet finished */
	struct digest *sha;
	uint64_t checked;
	uint64_t *bad; /* indices of the entries that differ */
	uint64_t nbad;
};

/* Feed the entries that meet [off, off + len). */
static int sha_feed(struct sha_worker *s, const uint8_t *buf, uint64_t off, size_t len)
{
	uint64_t end = off + len;
	while (s->next < s->n) {
		const struct filesums_entry *e = &s->e[s->next];
		uint64_t a = (uint64_t)e->block * ISO_BLOCK, b = a + e->size;
		if (a >= end)
			return 0;
		uint64_t from = a > off ? a : off, to = b < end ? b : end;
		if (!s->sha && !(s->sha = digest_new(DIGEST_SHA256)))
			return -1;
		if (to > from && digest_update(s->sha, buf + (from - off), (size_t)(to - from)) != 0)
			return -1;
		if (b > end)
			return 0; /* the file goes on in the next buffer */
		uint8_t d[64];
		if (digest_final(s->sha, d) != 32)
			return -1;
		digest_free(s->sha);
		s->sha = NULL;
		s->checked++;
		if (memcmp(d, e->sha256, 32) != 0)
			s->bad[s->nbad++] = s->next;
		s->next++;
	}
	return 0;
}

static void *sha_main(void *arg)
{
	struct sha_worker *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->consumed == s->produced && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->consumed == s->produced)
			break;
		unsigned slot = (unsigned)(s->consumed % DC_BUFS);
		pthread_mutex_unlock(&s->mu);
		int rc = s->failed ? 0 : sha_feed(s, s->bufs[slot], s->offs[slot], s->lens[slot]);
		pthread_mutex_lock(&s->mu);
		if (rc)
			s->failed = true;
		s->consumed++;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* ---- the pass ---- */

/* Feed @p n bytes at image offset @p off to the MD5, the record's own 512
 * bytes read as spaces. */
static int md5_feed(struct isomd5_stream *m, const uint8_t *buf, uint64_t off, size_t n,
		    uint64_t record)
{
	uint64_t end = off + n;
	if (end <= record || off >= record + ISOMD5_APP_LEN)
		return isomd5_stream_feed(m, buf, n);
	uint8_t spaces[ISOMD5_APP_LEN];
	memset(spaces, ' ', sizeof(spaces));
	uint64_t a = record > off ? record : off;
	uint64_t b = record + ISOMD5_APP_LEN < end ? record + ISOMD5_APP_LEN : end;
	if (isomd5_stream_feed(m, buf, (size_t)(a - off)) != 0 ||
	    isomd5_stream_feed(m, spaces, (size_t)(b - a)) != 0)
		return -1;
	return isomd5_stream_feed(m, buf + (b - off), (size_t)(end - b));
}

/* The isomd5sum verdict from the sums the stream took (see
 * struct isokit_isomd5_result). */
static void md5_verdict(const struct isokit_isomd5 *rec, const struct isomd5_stream *m,
			struct isokit_isomd5_result *r)
{
	r->read_bytes = m->pos;
	size_t nsums = strlen(rec->fragment_sums);
	unsigned per = rec->fragment_count ? 60 / rec->fragment_count : 0;
	uint32_t stored = per ? (uint32_t)(60 / per) : 0;
	if (stored > m->checkpoints)
		stored = m->checkpoints;
	if (stored > ISOMD5_FRAGMENTS)
		stored = ISOMD5_FRAGMENTS;
	for (uint32_t i = 0; per && i < stored; i++) {
		size_t at = (size_t)i * per;
		if (at + per > nsums)
			break;
		if (memcmp(m->sums + at, rec->fragment_sums + at, per) != 0) {
			r->bad_fragment = i + 1;
			r->bad_from = i ? m->ck_end[i - 1] : 0;
			r->bad_to = m->ck_end[i];
			break;
		}
	}
	r->intact = m->pos == rec->covered_bytes && !r->bad_fragment &&
		    md5_hex_matches(rec->md5, r->computed);
	if (!r->intact && !r->bad_fragment && stored) {
		/* every fragment sum agrees: the damage is after the last
		 * one, which only the whole MD5 covers */
		r->bad_fragment = stored + 1;
		r->bad_from = m->ck_end[stored - 1];
		r->bad_to = rec->covered_bytes;
	}
}

struct pass {
	struct isokit_image *img;
	bool md5_on;
	struct isomd5_stream md5;
	struct sha_worker sha;
	bool sha_on;
	uint8_t *bufs[DC_BUFS];
	uint64_t offs[DC_BUFS];
	size_t lens[DC_BUFS];
};

static int run_pass(struct pass *p, uint64_t end, uint64_t record, isokit_progress_fn fn,
		    void *ud, uint64_t *unreadable)
{
	struct sha_worker *s = &p->sha;
	int rc = 0;
	uint64_t produced = 0;
	for (uint64_t off = 0; off < end && rc == 0; produced++) {
		unsigned slot = (unsigned)(produced % DC_BUFS);
		if (p->sha_on) { /* wait until the thread is done with this buffer */
			pthread_mutex_lock(&s->mu);
			while (produced - s->consumed >= DC_BUFS)
				pthread_cond_wait(&s->cv, &s->mu);
			pthread_mutex_unlock(&s->mu);
		}
		size_t n = end - off < DC_BUF ? (size_t)(end - off) : DC_BUF;
		uint8_t *buf = p->bufs[slot];
		if (isokit_source_read(p->img->src, off, buf, n) != 0) {
			/* go on: what cannot be read is damage, reported as such */
			memset(buf, 0, n);
			for (uint64_t b = off; b < off + n; b += ISO_BLOCK)
				if (isokit_source_read(p->img->src, b, buf + (b - off),
						       off + n - b < ISO_BLOCK ? (size_t)(off + n - b)
									   : ISO_BLOCK) != 0) {
					memset(buf + (b - off), 0, ISO_BLOCK);
					(*unreadable)++;
				}
		}
		if (p->sha_on) {
			pthread_mutex_lock(&s->mu);
			p->offs[slot] = off;
			p->lens[slot] = n;
			s->produced = produced + 1;
			pthread_cond_broadcast(&s->cv);
			pthread_mutex_unlock(&s->mu);
		}
		if (p->md5_on && md5_feed(&p->md5, buf, off, n, record) != 0)
			rc = ISOKIT_E_NOMEM;
		off += n;
		if (!rc && fn && !fn(ud, off, end))
			rc = ISOKIT_E_CANCELED;
	}
	return rc;
}

static int sha_start(struct pass *p, const struct filesums_entry *e, uint64_t n)
{
	struct sha_worker *s = &p->sha;
	s->bufs = p->bufs;
	s->offs = p->offs;
	s->lens = p->lens;
	s->e = e;
	s->n = n;
	s->bad = malloc((n ? n : 1) * sizeof(*s->bad));
	if (!s->bad)
		return ISOKIT_E_NOMEM;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (pthread_create(&s->thread, NULL, sha_main, s) != 0) {
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
		free(s->bad);
		s->bad = NULL;
		return ISOKIT_E_NOMEM;
	}
	p->sha_on = true;
	return 0;
}

static void sha_stop(struct pass *p)
{
	struct sha_worker *s = &p->sha;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	digest_free(s->sha);
	s->sha = NULL;
}

/* Find the records; a record that cannot be used is a finding, and the
 * data check goes on with the other. */
static void find_records(struct isokit_image *img, struct isokit_data_check *out,
			 bool with_sums)
{
	int rc = isokit_isomd5_get(img, &out->isomd5);
	if (rc != ISOKIT_E_NOENT) {
		out->has_isomd5 = true;
		out->isomd5_rc = rc;
		if (rc)
			img_finding(img, ISOKIT_SEV_ERROR, "isomd5sum", img->pvd.vd_sector, NULL,
				    "%s", isokit_image_errmsg(img));
	}
	rc = with_sums ? isokit_file_sums_get(img, &out->sums) : ISOKIT_E_NOENT;
	if (rc != ISOKIT_E_NOENT) {
		out->has_file_sums = true;
		out->file_sums_rc = rc;
		if (rc)
			img_finding(img, ISOKIT_SEV_ERROR, "file-sums", out->sums.trailer_block,
				    NULL, "%s", isokit_image_errmsg(img));
	}
}

static int check_data(struct isokit_image *img, isokit_progress_fn fn, void *ud,
		      isokit_bad_data_fn bad, void *bad_ud, struct isokit_data_check *out,
		      bool with_sums)
{
	memset(out, 0, sizeof(*out));
	find_records(img, out, with_sums);
	struct pass p = {.img = img};
	struct filesums_entry *entries = NULL;
	uint64_t end = 0;
	int rc = 0;
	if (out->has_file_sums && !out->file_sums_rc) {
		rc = load_entries(img, &out->sums, &entries, &out->table_intact);
		if (rc == ISOKIT_E_NOTBUILT || rc == ISOKIT_E_NOMEM)
			return rc;
		if (rc || !out->table_intact) {
			img_finding(img, ISOKIT_SEV_ERROR, "file-sums", out->sums.table_block, NULL,
				    "%s", rc ? isokit_image_errmsg(img)
					     : "the file sums table is damaged (its SHA-256 differs)");
			out->file_sums_rc = rc ? rc : ISOKIT_E_CORRUPT;
			rc = 0;
		} else if (out->sums.entries) {
			const struct filesums_entry *last = &entries[out->sums.entries - 1];
			end = (uint64_t)last->block * ISO_BLOCK + last->size;
		}
	}
	if (out->has_isomd5 && !out->isomd5_rc) {
		if (isomd5_stream_init(&p.md5, out->isomd5.covered_bytes,
				       out->isomd5.fragment_count) != 0) {
			free(entries);
			return img_error(img, ISOKIT_E_NOTBUILT, -1, NULL, "%s", digest_error());
		}
		p.md5_on = true;
		if (out->isomd5.covered_bytes > end)
			end = out->isomd5.covered_bytes;
	}
	if (end > img->size)
		end = img->size; /* cut short: what is missing fails its sums */
	for (unsigned i = 0; i < DC_BUFS && rc == 0; i++)
		if (!(p.bufs[i] = malloc(DC_BUF)))
			rc = ISOKIT_E_NOMEM;
	if (!rc && entries)
		rc = sha_start(&p, entries, out->sums.entries);
	const uint64_t record = (uint64_t)img->pvd.vd_sector * ISO_BLOCK + ISOMD5_APP_OFFSET;
	if (!rc)
		rc = run_pass(&p, end, record, fn, ud, &out->unreadable_blocks);
	if (p.sha_on) {
		sha_stop(&p);
		struct sha_worker *s = &p.sha;
		if (!rc && s->failed)
			rc = img_error(img, ISOKIT_E_NOTBUILT, -1, NULL, "%s", digest_error());
		if (!rc) {
			/* files the image stops before: their data is missing */
			for (uint64_t i = s->next; i < s->n; i++)
				s->bad[s->nbad++] = i;
			out->files_checked = s->n;
			out->files_bad = s->nbad;
			for (uint64_t i = 0; bad && i < s->nbad; i++)
				bad(bad_ud, entries[s->bad[i]].block, entries[s->bad[i]].size);
		}
		free(s->bad);
	}
	if (p.md5_on) {
		if (!rc) {
			out->md5.read_bytes = p.md5.pos;
			if (isomd5_stream_final(&p.md5, out->md5.computed) != 0)
				rc = ISOKIT_E_NOMEM;
			else
				md5_verdict(&out->isomd5, &p.md5, &out->md5);
		}
		isomd5_stream_free(&p.md5);
	}
	for (unsigned i = 0; i < DC_BUFS; i++)
		free(p.bufs[i]);
	free(entries);
	return rc;
}

int isokit_check_data(struct isokit_image *img, isokit_progress_fn fn, void *ud,
		      isokit_bad_data_fn bad, void *bad_ud, struct isokit_data_check *out)
{
	return check_data(img, fn, ud, bad, bad_ud, out, true);
}

int isokit_isomd5_check(struct isokit_image *img, isokit_progress_fn fn, void *ud,
			struct isokit_isomd5_result *out)
{
	struct isokit_isomd5 rec;
	memset(out, 0, sizeof(*out));
	int rc = isokit_isomd5_get(img, &rec);
	if (rc)
		return rc;
	struct isokit_data_check dc;
	rc = check_data(img, fn, ud, NULL, NULL, &dc, false);
	*out = dc.md5;
	return rc;
}

/* ---- the table for lookups ---- */

struct isokit_sums {
	struct filesums_entry *e;
	uint64_t n;
};

int isokit_sums_load(struct isokit_image *img, struct isokit_sums **out)
{
	*out = NULL;
	struct isokit_file_sums fs;
	int rc = isokit_file_sums_get(img, &fs);
	if (rc)
		return rc;
	struct isokit_sums *s = calloc(1, sizeof(*s));
	if (!s)
		return ISOKIT_E_NOMEM;
	bool intact;
	rc = load_entries(img, &fs, &s->e, &intact);
	if (!rc && !intact)
		rc = img_error(img, ISOKIT_E_CORRUPT, fs.table_block, NULL,
			       "the file sums table is damaged (its SHA-256 differs)");
	if (rc) {
		free(s);
		return rc;
	}
	s->n = fs.entries;
	*out = s;
	return 0;
}

bool isokit_sums_find(const struct isokit_sums *s, const struct isokit_stat *st,
		      uint8_t sha256[32])
{
	if (!s || st->zisofs || st->size == 0)
		return false;
	uint64_t block = st->lba;
	size_t lo = 0, hi = (size_t)s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->e[mid].block < block)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= s->n || s->e[lo].block != block || s->e[lo].size != st->size)
		return false;
	memcpy(sha256, s->e[lo].sha256, 32);
	return true;
}

void isokit_sums_free(struct isokit_sums *s)
{
	if (s) {
		free(s->e);
		free(s);
	}
}

struct isokit_sha256 *isokit_sha256_new(void)
{
	return (struct isokit_sha256 *)digest_new(DIGEST_SHA256);
}

int isokit_sha256_update(struct isokit_sha256 *h, const void *p, size_t n)
{
	return digest_update((struct digest *)h, p, n) == 0 ? 0 : ISOKIT_E_NOMEM;
}

int isokit_sha256_final(struct isokit_sha256 *h, uint8_t out[32])
{
	uint8_t d[64];
	size_t n = digest_final((struct digest *)h, d);
	digest_free((struct digest *)h);
	if (n != 32)
		return ISOKIT_E_NOMEM;
	memcpy(out, d, 32);
	return 0;
}

void isokit_sha256_free(struct isokit_sha256 *h)
{
	digest_free((struct digest *)h);
}
