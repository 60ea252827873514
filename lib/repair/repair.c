// SPDX-License-Identifier: MIT
/*
 * repair: find the damaged blocks by their CRC32C (a block that cannot be
 * read, or is missing past a cut-off end, counts as damaged too), rebuild
 * each group of k + m blocks that has lost no more than m, and write the
 * result to a copy that replaces the image. Every rebuilt block is checked
 * against its CRC before it is written; blocks that cannot be rebuilt stay
 * as they were, so the result is never worse than what was there.
 *
 * Decoding a group: take k of its blocks that are intact, the rows of the
 * encoding matrix that made them, invert that k x k matrix; its rows for
 * the lost data blocks give them from the intact ones. Groups next to each
 * other that lost the same layers (a run of damage) are decoded in one call.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <isokit/error.h>
#include <isokit/repair.h>

#include "base/bytes.h"
#include "integrity/digest.h"
#include "integrity/isal.h"
#include "repair/ecc.h"

#define STRIPE 64u
#define SCAN_BUF ((size_t)1 << 20)

struct fixer {
	const struct isal *l;
	struct ecc_header h;
	int fd, afd;        /* the image, the file with the repair data */
	uint64_t size;      /* of the image file */
	uint64_t area;      /* byte offset of the repair data in afd */
	uint32_t *crc;      /* ecc_crc_entries() */
	uint8_t *crc_raw;   /* the table's blocks, merged from the intact copies */
	uint8_t *crc_known; /* per table block: found intact in a copy */
	uint8_t *bad;       /* per block of the data, then of the repair layers */
	bool meta_bad;      /* a table or header copy is damaged (appended data) */
	uint8_t *a;         /* the (k + m) x k encoding matrix */
	uint8_t *enc;       /* its tables for the m repair rows */
	struct dec_cache *dc; /* decoding tables of recent erasure patterns */
	char *msg;
	size_t msglen;
};

/* The fixer's message, and @p code. */
#define say(f, ...) ecc_message((f)->msg, (f)->msglen, __VA_ARGS__)

static bool sha_matches(const uint8_t *p, size_t n, const uint8_t want[32])
{
	uint8_t v[32];
	return digest_sha256_once(p, n, v) == 0 && memcmp(v, want, 32) == 0;
}

/* The CRC table, merged block by block from the copies' intact blocks
 * (each carries its own CRC). A table block damaged in both copies leaves
 * its 511 blocks unchecked (counted in *unchecked): they are then treated
 * as lost and rebuilt from the rest of their groups, which are checked,
 * and their CRCs are computed again from the result (fill_lost_crcs()). */
static int load_crcs(struct fixer *f, uint64_t *unchecked)
{
	const struct ecc_header *h = &f->h;
	uint64_t n = ecc_crc_entries(h);
	size_t bytes = (size_t)(h->crc_blocks * ECC_BLOCK);
	uint8_t *other = malloc(bytes ? bytes : 1);
	f->crc_raw = malloc(bytes ? bytes : 1);
	f->crc = malloc((size_t)n * sizeof(uint32_t));
	f->crc_known = calloc((size_t)h->crc_blocks + 1, 1);
	if (!other || !f->crc_raw || !f->crc || !f->crc_known) {
		free(other);
		return ISOKIT_E_NOMEM;
	}
	(void)ecc_pread(f->afd, f->crc_raw, bytes, f->area + ecc_crc1_at(h) * ECC_BLOCK, NULL);
	(void)ecc_pread(f->afd, other, bytes, f->area + ecc_crc2_at(h) * ECC_BLOCK, NULL);
	uint64_t known = 0;
	for (uint64_t b = 0; b < h->crc_blocks; b++) {
		uint8_t *x = f->crc_raw + b * ECC_BLOCK, *y = other + b * ECC_BLOCK;
		bool okx = ecc_crc_block_ok(f->l, x), oky = ecc_crc_block_ok(f->l, y);
		if (!okx || !oky)
			f->meta_bad = true;
		if (!okx && oky)
			memcpy(x, y, ECC_BLOCK);
		f->crc_known[b] = okx || oky;
		known += f->crc_known[b];
	}
	free(other);
	if (known == h->crc_blocks && !sha_matches(f->crc_raw, bytes, h->crc_sha256))
		return say(f, ISOKIT_E_CORRUPT, "the repair data's CRC table does not match its "
			   "SHA-256: the damaged blocks cannot be found");
	if (known == 0)
		return say(f, ISOKIT_E_CORRUPT, "both copies of the repair data's CRC table are "
			   "damaged: the damaged blocks cannot be found");
	for (uint64_t i = 0; i < n; i++) {
		uint64_t b = i / ECC_CRCS_PER_BLOCK;
		f->crc[i] = get_731(f->crc_raw + b * ECC_BLOCK + (i % ECC_CRCS_PER_BLOCK) * 4);
		if (!f->crc_known[b])
			(*unchecked)++;
	}
	return 0;
}

/* Does block @p i match its CRC (true when the CRC is lost)? */
static bool crc_ok(const struct fixer *f, uint64_t i, const uint8_t *blk)
{
	return !f->crc_known[i / ECC_CRCS_PER_BLOCK] ||
	       isal_block_crc(f->l, blk, ECC_BLOCK) == f->crc[i];
}

/* Read [first, first + count) blocks of @p fd at byte @p base and mark the
 * ones whose CRC differs (entries from @p crc0 on), unreadable or missing. */
static int scan_range(struct fixer *f, int fd, uint64_t base, uint64_t first, uint64_t count,
		      uint64_t crc0, uint8_t *buf, uint64_t *done, uint64_t total,
		      const struct isokit_repair_options *o)
{
	const size_t per = SCAN_BUF / ECC_BLOCK;
	for (uint64_t b = 0; b < count;) {
		size_t n = count - b < per ? (size_t)(count - b) : per;
		uint64_t off = base + (first + b) * ECC_BLOCK;
		uint64_t missing = 0;
		if (ecc_pread(fd, buf, n * ECC_BLOCK, off, &missing) != 0) {
			/* an unreadable stretch: block by block */
			for (size_t i = 0; i < n; i++) {
				uint64_t m1 = 0;
				if (ecc_pread(fd, buf + i * ECC_BLOCK, ECC_BLOCK, off + i * ECC_BLOCK,
					      &m1) != 0 || m1)
					f->bad[crc0 + b + i] = 1;
				else if (!crc_ok(f, crc0 + b + i, buf + i * ECC_BLOCK))
					f->bad[crc0 + b + i] = 1;
			}
		} else {
			size_t whole = n - (size_t)((missing + ECC_BLOCK - 1) / ECC_BLOCK);
			for (size_t i = 0; i < n; i++)
				if (i >= whole || !crc_ok(f, crc0 + b + i, buf + i * ECC_BLOCK))
					f->bad[crc0 + b + i] = 1;
		}
		b += n;
		*done += (uint64_t)n * ECC_BLOCK;
		if (o->progress && !o->progress(o->ud, *done, total))
			return ISOKIT_E_CANCELED;
	}
	return 0;
}

/* Is the header or CRC table copy at area block @p at, @p n blocks, as
 * it should be? */
static void check_meta(struct fixer *f, uint64_t at, const uint8_t *want, size_t n)
{
	uint8_t *buf = malloc(n);
	uint64_t missing = 0;
	if (!buf || ecc_pread(f->afd, buf, n, f->area + at * ECC_BLOCK, &missing) != 0 || missing ||
	    memcmp(buf, want, n) != 0)
		f->meta_bad = true;
	free(buf);
}

/* The erased positions of group @p g (data j < k, repair k + r), in order. */
static unsigned erasures(const struct fixer *f, uint64_t g, uint8_t *pos)
{
	const struct ecc_header *h = &f->h;
	unsigned n = 0;
	for (uint32_t j = 0; j < h->k; j++) {
		uint64_t b = (uint64_t)j * h->groups + g;
		if (b < h->data_blocks && f->bad[b])
			pos[n++] = (uint8_t)j;
	}
	for (uint32_t r = 0; r < h->m; r++)
		if (f->bad[h->data_blocks + (uint64_t)r * h->groups + g])
			pos[n++] = (uint8_t)(h->k + r);
	return n;
}

struct stripe {
	uint8_t *mem;
	uint8_t *blk[ECC_MAX_CODE]; /* k data layers, then m repair layers */
};

/* Inverting the k x k matrix costs O(k^3) (about 14 million products for
 * k = 242): far more than decoding a stripe. A run of damage loses the same
 * few layers in group after group, so the decoding tables are kept for the
 * last DEC_CACHE erasure patterns. */
#define DEC_CACHE 8

struct dec_entry {
	uint8_t pos[ECC_MAX_CODE];
	unsigned ne;
	uint8_t *tables; /* ec_init_tables() of the rows for the lost data */
	uint64_t used;   /* 0: empty */
};

struct dec_cache {
	struct dec_entry e[DEC_CACHE];
	uint64_t clock;
	/* scratch for one inversion */
	uint8_t b[ECC_MAX_CODE * ECC_MAX_CODE], inv[ECC_MAX_CODE * ECC_MAX_CODE];
	uint8_t dec[ECC_MAX_CODE * ECC_MAX_CODE];
};

static void dec_cache_free(struct dec_cache *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < DEC_CACHE; i++)
		free(c->e[i].tables);
	free(c);
}

/* Read the stripe's layers (groups [g0, g0 + n)). */
static int read_stripe(struct fixer *f, struct stripe *s, uint64_t g0, uint32_t n)
{
	const struct ecc_header *h = &f->h;
	size_t len = (size_t)n * ECC_BLOCK;
	for (uint32_t j = 0; j < h->k + h->m; j++) {
		uint64_t first, real;
		int fd;
		uint64_t base;
		if (j < h->k) {
			first = (uint64_t)j * h->groups + g0;
			real = first >= h->data_blocks ? 0 : h->data_blocks - first;
			fd = f->fd;
			base = 0;
		} else {
			first = ecc_parity_at(h) + (uint64_t)(j - h->k) * h->groups + g0;
			real = n;
			fd = f->afd;
			base = f->area;
		}
		if (real > n)
			real = n;
		memset(s->blk[j], 0, len);
		/* a read error leaves zeros: those blocks are erased anyway */
		if (real)
			(void)ecc_pread(fd, s->blk[j], (size_t)real * ECC_BLOCK, base + first * ECC_BLOCK,
					NULL);
	}
	return 0;
}

/* Rebuild groups [g1, g2) of the stripe starting at @p g0, which all lost
 * the positions @p pos (ne of them, ne <= m); write what checks out to
 * @p out (the image copy; @p out_area the repair data's place there, or
 * -1 when it is in a sidecar that is left alone). */
static int rebuild_run(struct fixer *f, struct stripe *s, uint64_t g0, uint64_t g1, uint64_t g2,
		       const uint8_t *pos, unsigned ne, int out, int64_t out_area,
		       struct isokit_repair_result *r)
{
	const struct ecc_header *h = &f->h;
	const uint32_t k = h->k;
	uint8_t keep[ECC_MAX_CODE], lost_data[ECC_MAX_CODE];
	bool erased[ECC_MAX_CODE] = {false};
	for (unsigned i = 0; i < ne; i++)
		erased[pos[i]] = true;
	unsigned nk = 0, nd = 0;
	for (uint32_t i = 0; i < k + h->m && nk < k; i++)
		if (!erased[i])
			keep[nk++] = (uint8_t)i;
	for (unsigned i = 0; i < ne; i++)
		if (pos[i] < k)
			lost_data[nd++] = pos[i];
	size_t off = (size_t)(g1 - g0) * ECC_BLOCK, len = (size_t)(g2 - g1) * ECC_BLOCK;
	if (nd) {
		struct dec_cache *dc = f->dc;
		struct dec_entry *e = NULL, *victim = &dc->e[0];
		for (unsigned i = 0; i < DEC_CACHE && !e; i++) {
			struct dec_entry *c = &dc->e[i];
			if (c->used && c->ne == ne && memcmp(c->pos, pos, ne) == 0)
				e = c;
			else if (c->used < victim->used)
				victim = c;
		}
		if (!e) {
			uint8_t *b = dc->b, *inv = dc->inv, *dec = dc->dec;
			for (unsigned i = 0; i < k; i++)
				memcpy(b + (size_t)i * k, f->a + (size_t)keep[i] * k, k);
			if (f->l->gf_invert_matrix(b, inv, (int)k) != 0)
				return say(f, ISOKIT_E_CORRUPT, "internal error: a singular decoding matrix");
			for (unsigned i = 0; i < nd; i++)
				memcpy(dec + (size_t)i * k, inv + (size_t)lost_data[i] * k, k);
			uint8_t *tables = malloc((size_t)32 * k * nd);
			if (!tables)
				return ISOKIT_E_NOMEM;
			f->l->ec_init_tables((int)k, (int)nd, dec, tables);
			e = victim;
			free(e->tables);
			e->tables = tables;
			e->ne = ne;
			memcpy(e->pos, pos, ne);
		}
		e->used = ++dc->clock;
		uint8_t *tables = e->tables;
		uint8_t *src[ECC_MAX_CODE], *dst[ECC_MAX_CODE];
		for (unsigned i = 0; i < k; i++)
			src[i] = s->blk[keep[i]] + off;
		for (unsigned i = 0; i < nd; i++)
			dst[i] = s->blk[lost_data[i]] + off;
		f->l->ec_encode_data((int)len, (int)k, (int)nd, tables, src, dst);
	}
	if (nd < ne) { /* repair blocks lost: make them again from the data */
		uint8_t *src[ECC_MAX_CODE], *dst[ECC_MAX_CODE];
		for (unsigned i = 0; i < k; i++)
			src[i] = s->blk[i] + off;
		for (unsigned i = 0; i < h->m; i++)
			dst[i] = s->blk[k + i] + off;
		f->l->ec_encode_data((int)len, (int)k, (int)h->m, f->enc, src, dst);
	}
	/* check every rebuilt block against its CRC, then write it */
	for (unsigned i = 0; i < ne; i++) {
		for (uint64_t g = g1; g < g2; g++) {
			const uint8_t *p = s->blk[pos[i]] + (size_t)(g - g0) * ECC_BLOCK;
			bool data = pos[i] < k;
			uint64_t idx = data ? (uint64_t)pos[i] * h->groups + g
					    : h->data_blocks + (uint64_t)(pos[i] - k) * h->groups + g;
			if (!crc_ok(f, idx, p))
				continue; /* stays damaged: not written */
			int e = 0;
			if (data)
				e = ecc_pwrite(out, p, ECC_BLOCK, idx * ECC_BLOCK);
			else if (out_area >= 0)
				e = ecc_pwrite(out, p, ECC_BLOCK,
					       (uint64_t)out_area +
						       (ecc_parity_at(h) + (uint64_t)(pos[i] - k) * h->groups + g) *
							       ECC_BLOCK);
			if (e)
				return say(f, e == ENOSPC ? ISOKIT_E_NOSPACE : ISOKIT_E_IO,
					   "writing the repaired image: %s", strerror(e));
			f->bad[idx] = 0;
			if (data)
				r->repaired_blocks++;
		}
	}
	return 0;
}

/* Decode every group with damage; @p out as in rebuild_run(). */
static int rebuild(struct fixer *f, int out, int64_t out_area, struct isokit_repair_result *r,
		   const struct isokit_repair_options *o)
{
	const struct ecc_header *h = &f->h;
	struct stripe s;
	size_t per = (size_t)STRIPE * ECC_BLOCK;
	s.mem = malloc(per * (h->k + h->m));
	if (!s.mem)
		return ISOKIT_E_NOMEM;
	for (uint32_t j = 0; j < h->k + h->m; j++)
		s.blk[j] = s.mem + per * j;
	int rc = 0;
	uint64_t total = h->groups;
	for (uint64_t g0 = 0; g0 < h->groups && rc == 0; g0 += STRIPE) {
		uint32_t n = (uint32_t)(h->groups - g0 < STRIPE ? h->groups - g0 : STRIPE);
		bool any = false;
		uint8_t pos[ECC_MAX_CODE];
		for (uint64_t g = g0; g < g0 + n && !any; g++) {
			unsigned ne = erasures(f, g, pos);
			any = ne > 0 && ne <= h->m;
		}
		if (!any)
			continue;
		read_stripe(f, &s, g0, n);
		for (uint64_t g = g0; g < g0 + n && rc == 0;) {
			unsigned ne = erasures(f, g, pos);
			uint64_t end = g + 1;
			if (ne == 0 || ne > h->m) {
				g = end;
				continue;
			}
			uint8_t pos2[ECC_MAX_CODE];
			while (end < g0 + n && erasures(f, end, pos2) == ne && memcmp(pos, pos2, ne) == 0)
				end++;
			rc = rebuild_run(f, &s, g0, g, end, pos, ne, out, out_area, r);
			g = end;
		}
		if (!rc && o->progress && !o->progress(o->ud, g0 + n, total))
			rc = ISOKIT_E_CANCELED;
	}
	free(s.mem);
	return rc;
}

/* The blocks still damaged, as sorted ranges. Blocks whose CRC is lost
 * and that could not be rebuilt are not known to be damaged: they are
 * counted as unchecked instead. */
static int collect_left(struct fixer *f, struct isokit_repair_result *r)
{
	size_t cap = 0;
	r->unchecked_blocks = 0;
	for (uint64_t b = 0; b < f->h.data_blocks; b++) {
		if (!f->bad[b])
			continue;
		if (!f->crc_known[b / ECC_CRCS_PER_BLOCK]) {
			r->unchecked_blocks++;
			continue;
		}
		r->unrepairable_blocks++;
		if (r->nleft && r->left[r->nleft - 1].first + r->left[r->nleft - 1].count == b) {
			r->left[r->nleft - 1].count++;
			continue;
		}
		if (r->nleft == cap) {
			size_t nc = cap ? 2 * cap : 64;
			struct isokit_block_range *t = realloc(r->left, nc * sizeof(*t));
			if (!t)
				return ISOKIT_E_NOMEM;
			r->left = t;
			cap = nc;
		}
		r->left[r->nleft++] = (struct isokit_block_range){b, 1};
	}
	return 0;
}

/* A copy of the image to repair, beside @p target; its name in @p tmp. */
static int make_copy(struct fixer *f, const char *target, char *tmp, size_t tmpcap,
		     uint64_t keep, uint64_t full)
{
	char d[4096], b[4096];
	snprintf(d, sizeof(d), "%s", target);
	snprintf(b, sizeof(b), "%s", target);
	if ((size_t)snprintf(tmp, tmpcap, "%s/.%s.isokit-XXXXXX", dirname(d), basename(b)) >= tmpcap)
		return say(f, ISOKIT_E_INVAL, "%s: path too long", target);
	int out = mkstemp(tmp);
	if (out < 0)
		return say(f, ISOKIT_E_IO, "%s: %s", tmp, strerror(errno));
	struct stat st;
	if (fstat(f->fd, &st) == 0)
		(void)fchmod(out, st.st_mode & 07777);
	uint64_t done = 0;
	bool cfr = true;
	uint8_t *buf = NULL;
	while (done < keep) {
		size_t want = keep - done > ((size_t)64 << 20) ? ((size_t)64 << 20) : (size_t)(keep - done);
		ssize_t n = -1;
		if (cfr) {
			loff_t a = (loff_t)done, z = (loff_t)done;
			n = copy_file_range(f->fd, &a, out, &z, want, 0);
			if (n < 0 && errno != EINTR)
				cfr = false;
		}
		if (!cfr) {
			if (!buf && !(buf = malloc(SCAN_BUF)))
				n = -1, errno = ENOMEM;
			else if ((n = pread(f->fd, buf, want < SCAN_BUF ? want : SCAN_BUF,
					    (off_t)done)) > 0 &&
				 ecc_pwrite(out, buf, (size_t)n, done) != 0)
				n = -1;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* an unreadable stretch of the original: zeros, rebuilt later */
			if (errno == EIO) {
				done += ECC_BLOCK - done % ECC_BLOCK;
				continue;
			}
			int e = errno;
			free(buf);
			close(out);
			unlink(tmp);
			return say(f, e == ENOSPC ? ISOKIT_E_NOSPACE : ISOKIT_E_IO, "copying the image: %s",
				   strerror(e));
		}
		if (n == 0)
			break;
		done += (uint64_t)n;
	}
	free(buf);
	if (ftruncate(out, (off_t)full) != 0) {
		int e = errno;
		close(out);
		unlink(tmp);
		return say(f, e == ENOSPC ? ISOKIT_E_NOSPACE : ISOKIT_E_IO, "copying the image: %s",
			   strerror(e));
	}
	return out;
}

/* Compute again, from the repaired copy @p out, the CRCs that both table
 * copies lost. True when the table is then whole again (its SHA-256 as the
 * header records it), and may be written. */
static bool fill_lost_crcs(struct fixer *f, int out, uint64_t area)
{
	const struct ecc_header *h = &f->h;
	uint64_t n = ecc_crc_entries(h);
	uint8_t blk[ECC_BLOCK];
	for (uint64_t t = 0; t < h->crc_blocks; t++) {
		if (f->crc_known[t])
			continue;
		uint8_t *tb = f->crc_raw + t * ECC_BLOCK;
		memset(tb, 0, ECC_BLOCK);
		for (uint64_t i = t * ECC_CRCS_PER_BLOCK; i < n && i < (t + 1) * ECC_CRCS_PER_BLOCK; i++) {
			uint64_t off = i < h->data_blocks
					       ? i * ECC_BLOCK
					       : area + (ecc_parity_at(h) + (i - h->data_blocks)) * ECC_BLOCK;
			if (ecc_pread(out, blk, ECC_BLOCK, off, NULL) != 0)
				return false;
			put_731(tb + (i % ECC_CRCS_PER_BLOCK) * 4, isal_block_crc(f->l, blk, ECC_BLOCK));
		}
		put_731(tb + ECC_BLOCK - 4, isal_block_crc(f->l, tb, ECC_BLOCK - 4));
	}
	return sha_matches(f->crc_raw, (size_t)(h->crc_blocks * ECC_BLOCK), h->crc_sha256);
}

/* The table and header copies of appended repair data, as they must be. */
static int write_meta(struct fixer *f, int out, uint64_t area)
{
	const struct ecc_header *h = &f->h;
	uint8_t blk[ECC_BLOCK];
	size_t tbytes = (size_t)(h->crc_blocks * ECC_BLOCK);
	if (ecc_header_encode(blk, h) != 0)
		return say(f, ISOKIT_E_NOTBUILT, "%s", digest_error());
	int e = ecc_pwrite(out, blk, ECC_BLOCK, area);
	if (!e)
		e = ecc_pwrite(out, blk, ECC_BLOCK, area + ecc_header2_at(h) * ECC_BLOCK);
	if (!e)
		e = ecc_pwrite(out, f->crc_raw, tbytes, area + ecc_crc1_at(h) * ECC_BLOCK);
	if (!e)
		e = ecc_pwrite(out, f->crc_raw, tbytes, area + ecc_crc2_at(h) * ECC_BLOCK);
	return e ? say(f, ISOKIT_E_IO, "writing the repaired image: %s", strerror(e)) : 0;
}

static void fixer_free(struct fixer *f)
{
	free(f->crc);
	free(f->crc_raw);
	free(f->crc_known);
	free(f->bad);
	free(f->a);
	free(f->enc);
	dec_cache_free(f->dc);
	if (f->afd >= 0 && f->afd != f->fd)
		close(f->afd);
	if (f->fd >= 0)
		close(f->fd);
}

static int run(struct fixer *f, const char *path, const struct isokit_repair_options *o,
	       struct isokit_repair_result *r)
{
	struct stat st;
	if (fstat(f->fd, &st) != 0 || !S_ISREG(st.st_mode))
		return say(f, ISOKIT_E_INVAL, "not a regular file");
	f->size = (uint64_t)st.st_size;
	int rc = ecc_locate(f->fd, f->size, path, o->sidecar_path, true, &f->h, &f->afd, &f->area,
			    f->msg, f->msglen);
	if (rc)
		return rc;
	const struct ecc_header *h = &f->h;
	ecc_info_of(h, f->area, &r->ecc);
	if ((rc = load_crcs(f, &r->unchecked_blocks)) != 0)
		return rc;
	uint64_t nent = ecc_crc_entries(h);
	f->bad = calloc((size_t)nent, 1);
	f->a = malloc((size_t)ECC_MAX_CODE * ECC_MAX_CODE);
	f->enc = malloc((size_t)32 * h->k * h->m);
	f->dc = calloc(1, sizeof(*f->dc));
	uint8_t *buf = malloc(SCAN_BUF);
	if (!f->bad || !f->a || !f->enc || !f->dc || !buf) {
		free(buf);
		return ISOKIT_E_NOMEM;
	}
	ecc_matrix(f->l, h->k, h->m, f->a);
	f->l->ec_init_tables((int)h->k, (int)h->m, f->a + (size_t)h->k * h->k, f->enc);
	/* find the damage: the image, then the repair layers */
	uint64_t done = 0, total = (h->data_blocks + (uint64_t)h->m * h->groups) * ECC_BLOCK;
	rc = scan_range(f, f->fd, 0, 0, h->data_blocks, 0, buf, &done, total, o);
	if (!rc)
		rc = scan_range(f, f->afd, f->area, ecc_parity_at(h), (uint64_t)h->m * h->groups,
				h->data_blocks, buf, &done, total, o);
	free(buf);
	if (rc)
		return rc;
	/* blocks whose CRC is lost cannot be trusted: rebuilt like damage */
	for (uint64_t i = 0; i < nent; i++)
		if (!f->crc_known[i / ECC_CRCS_PER_BLOCK])
			f->bad[i] = 1;
	uint8_t hb[ECC_BLOCK];
	if (ecc_header_encode(hb, h) != 0)
		return say(f, ISOKIT_E_NOTBUILT, "%s", digest_error());
	check_meta(f, 0, hb, ECC_BLOCK);
	check_meta(f, ecc_header2_at(h), hb, ECC_BLOCK);
	for (uint64_t b = 0; b < h->data_blocks; b++)
		r->bad_blocks += f->bad[b] && f->crc_known[b / ECC_CRCS_PER_BLOCK];
	for (uint64_t b = h->data_blocks; b < nent; b++)
		r->bad_repair_blocks += f->bad[b];
	bool appended = !h->sidecar;
	uint64_t full = h->data_blocks * ECC_BLOCK + (appended ? h->area_blocks * ECC_BLOCK : 0);
	bool work = r->bad_blocks || (appended && (r->bad_repair_blocks || f->meta_bad)) ||
		    f->size != full;
	if (o->check_only || !work) {
		/* what could be rebuilt, without writing */
		uint8_t pos[ECC_MAX_CODE];
		for (uint64_t g = 0; g < h->groups; g++)
			if (erasures(f, g, pos) <= h->m)
				for (uint32_t j = 0; j < h->k; j++) {
					uint64_t b = (uint64_t)j * h->groups + g;
					if (b < h->data_blocks)
						f->bad[b] = 0;
				}
		return collect_left(f, r);
	}
	const char *target = o->output ? o->output : path;
	char tmp[4200];
	uint64_t keep = f->size < full ? f->size : full;
	int out = make_copy(f, target, tmp, sizeof(tmp), keep, full);
	if (out < 0)
		return out;
	int64_t out_area = appended ? (int64_t)f->area : -1;
	rc = rebuild(f, out, out_area, r, o);
	if (!rc && appended && fill_lost_crcs(f, out, f->area))
		rc = write_meta(f, out, f->area);
	if (!rc)
		rc = collect_left(f, r);
	if (!rc && fsync(out) != 0)
		rc = say(f, ISOKIT_E_IO, "writing the repaired image: %s", strerror(errno));
	close(out);
	if (!rc && rename(tmp, target) != 0)
		rc = say(f, ISOKIT_E_IO, "%s: %s", target, strerror(errno));
	if (rc) {
		unlink(tmp);
		return rc;
	}
	r->written = true;
	return 0;
}

int isokit_repair(const char *path, const struct isokit_repair_options *o,
		  struct isokit_repair_result *r, char *msg, size_t msglen)
{
	struct isokit_repair_options def = {0};
	if (!o)
		o = &def;
	memset(r, 0, sizeof(*r));
	if (msg && msglen)
		msg[0] = '\0';
	struct fixer f = {.fd = -1, .afd = -1, .msg = msg, .msglen = msglen};
	if (!(f.l = isal_get()))
		return say(&f, ISOKIT_E_NOTBUILT, "%s", isal_error());
	f.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f.fd < 0)
		return say(&f, errno == ENOENT ? ISOKIT_E_NOENT : ISOKIT_E_IO, "%s", strerror(errno));
	int rc = run(&f, path, o, r);
	fixer_free(&f);
	return rc;
}

void isokit_repair_result_free(struct isokit_repair_result *r)
{
	if (r) {
		free(r->left);
		r->left = NULL;
		r->nleft = 0;
	}
}

int isokit_ecc_find(const char *path, const char *sidecar_path, struct isokit_ecc_info *out,
		    char *msg, size_t msglen)
{
	memset(out, 0, sizeof(*out));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (msg && msglen)
			snprintf(msg, msglen, "%s", strerror(errno));
		return errno == ENOENT ? ISOKIT_E_NOENT : ISOKIT_E_IO;
	}
	struct stat st;
	struct ecc_header h;
	int afd = -1;
	uint64_t area = 0;
	int rc = fstat(fd, &st) != 0 ? ISOKIT_E_IO
				     : ecc_locate(fd, (uint64_t)st.st_size, path, sidecar_path, false, &h,
						  &afd, &area, msg, msglen);
	if (!rc)
		ecc_info_of(&h, area, out);
	if (afd >= 0 && afd != fd)
		close(afd);
	close(fd);
	return rc;
}
