// SPDX-License-Identifier: MIT
/*
 * --dedup: files with identical content are stored once; every name keeps
 * its own directory record, inode number and attributes, so readers still
 * see separate files (unlike hard links).
 *
 * Only files whose size occurs more than once are read. They are grouped by
 * a fast 64-bit hash of their content, and a file is only ever stored with
 * another after the two have been compared byte for byte, so no hash
 * collision can merge different files (and no cryptographic library has to
 * be loaded by every command for it). The copy kept is the first in the
 * order of the tree, so the image does not depend on the order the
 * filesystem lists things in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "write/internal.h"

#define DEDUP_BUF (1u << 20)

struct cand {
	uint64_t size;
	uint64_t sum;
	uint32_t node;
	uint32_t pos; /* place in the tree order */
};

static int by_size_pos(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

static int by_sum_pos(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->sum != y->sum)
		return x->sum < y->sum ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Read exactly @p n bytes (the file must not have become shorter). */
static int read_full(struct writer *w, int fd, uint8_t *buf, size_t n, const char *path)
{
	while (n > 0) {
		if (w->cancel)
			return ISOKIT_E_CANCELED;
		ssize_t got = read(fd, buf, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return w_error(w, ISOKIT_E_IO, "%s: %s", path, strerror(errno));
		if (got == 0)
			return w_error(w, ISOKIT_E_IO, "%s: file changed size while being read", path);
		buf += got;
		n -= (size_t)got;
	}
	return 0;
}

/* 64-bit multiply-xorshift over 8-byte words: fast, and only a grouping
 * key (equality is decided by comparing bytes). */
static uint64_t mix_block(uint64_t h, const uint8_t *p, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v;
		memcpy(&v, p + i, 8);
		h = (h ^ v) * 0x9E3779B97F4A7C15ull;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001B3ull;
	return h;
}

static int hash_file(struct writer *w, struct cand *c, uint8_t *buf)
{
	char path[8192];
	int fd = tree_source_open(w, c->node, path, sizeof(path));
	if (fd < 0)
		return fd;
	uint64_t h = 0xCBF29CE484222325ull ^ c->size, left = c->size;
	int rc = 0;
	while (left > 0 && rc == 0) {
		size_t n = left < DEDUP_BUF ? (size_t)left : DEDUP_BUF;
		rc = read_full(w, fd, buf, n, path);
		h = mix_block(h, buf, n);
		left -= n;
	}
	close(fd);
	c->sum = h;
	return rc;
}

/* 1 when the two files hold the same bytes, 0 when not, or an error. */
static int same_content(struct writer *w, const struct cand *a, const struct cand *b,
			uint8_t *ba, uint8_t *bb)
{
	char pa[8192], pb[8192];
	int fa = tree_source_open(w, a->node, pa, sizeof(pa));
	if (fa < 0)
		return fa;
	int fb = tree_source_open(w, b->node, pb, sizeof(pb));
	if (fb < 0) {
		close(fa);
		return fb;
	}
	uint64_t left = a->size;
	int rc = 1;
	while (left > 0 && rc == 1) {
		size_t n = left < DEDUP_BUF ? (size_t)left : DEDUP_BUF;
		int e = read_full(w, fa, ba, n, pa);
		if (!e)
			e = read_full(w, fb, bb, n, pb);
		if (e)
			rc = e;
		else if (memcmp(ba, bb, n) != 0)
			rc = 0;
		left -= n;
	}
	close(fa);
	close(fb);
	return rc;
}

static void mark_copy(struct writer *w, const struct cand *copy, const struct cand *kept)
{
	struct wnode *n = wnode_at(w, copy->node);
	n->flags |= WF_DEDUP_COPY;
	n->data = kept->node;
	w->data_bytes -= n->size;
}

/* Files of one size and one hash: each is stored with the first earlier
 * file it equals, byte for byte. */
static int settle_group(struct writer *w, struct cand *v, size_t n, uint8_t *ba, uint8_t *bb)
{
	for (size_t k = 1; k < n; k++) {
		for (size_t j = 0; j < k; j++) {
			if (wnode_at(w, v[j].node)->flags & WF_DEDUP_COPY)
				continue; /* compare with kept files only */
			int same = same_content(w, &v[j], &v[k], ba, bb);
			if (same < 0)
				return same;
			if (same) {
				mark_copy(w, &v[k], &v[j]);
				break;
			}
		}
	}
	return 0;
}

/* Files that may share their data with others: not the boot catalog, not
 * boot images (whose copy in the image may be patched). */
static bool candidate(const struct writer *w, uint32_t node)
{
	const struct wnode *c = wnode_const(w, node);
	return c->type == W_REG && !(c->flags & (WF_LINK_COPY | WF_BOOT_CATALOG)) && c->size > 0 &&
	       !boot_is_image(w, node);
}

int dedup_run(struct writer *w)
{
	size_t n = 0;
	for (uint32_t k = 0; k < w->nkids; k++)
		n += candidate(w, w->kids[k]);
	if (n < 2)
		return 0;
	struct cand *v = malloc(n * sizeof(*v));
	uint8_t *ba = malloc(DEDUP_BUF), *bb = malloc(DEDUP_BUF);
	int rc = 0;
	if (!v || !ba || !bb) {
		rc = ISOKIT_E_NOMEM;
		goto out;
	}
	size_t m = 0;
	for (uint32_t k = 0; k < w->nkids; k++) {
		const struct wnode *c = wnode_at(w, w->kids[k]);
		if (candidate(w, w->kids[k]))
			v[m++] = (struct cand){.size = c->size, .node = w->kids[k], .pos = k};
	}
	qsort(v, n, sizeof(*v), by_size_pos);
	for (size_t i = 0; i < n && rc == 0;) {
		size_t j = i + 1;
		while (j < n && v[j].size == v[i].size)
			j++;
		if (j - i > 1) {
			for (size_t k = i; k < j && rc == 0; k++)
				rc = hash_file(w, &v[k], ba);
			if (rc)
				break;
			qsort(v + i, j - i, sizeof(*v), by_sum_pos);
			for (size_t a = i; a < j && rc == 0;) {
				size_t b = a + 1;
				while (b < j && v[b].sum == v[a].sum)
					b++;
				if (b - a > 1)
					rc = settle_group(w, v + a, b - a, ba, bb);
				a = b;
			}
		}
		i = j;
	}
	if (rc)
		goto out;
	/* hard links to a copy now take their data from the kept file */
	for (uint32_t k = 0; k < w->nkids; k++) {
		struct wnode *c = wnode_at(w, w->kids[k]);
		if (c->type != W_REG || !(c->flags & WF_LINK_COPY))
			continue;
		const struct wnode *owner = wnode_at(w, c->data);
		if (owner->flags & WF_DEDUP_COPY)
			c->data = owner->data;
	}
out:
	free(ba);
	free(bb);
	free(v);
	return rc;
}
