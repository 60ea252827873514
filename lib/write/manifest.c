// SPDX-License-Identifier: MIT
/*
 * --manifest: a visible SHA256SUMS at the root of the image, in the form
 * `sha256sum -c` reads ("<64 hex>  <path>\n", paths relative to the root,
 * with GNU's escaping: a line whose name holds '\\', '\n' or '\r' starts
 * with '\\' and has them as "\\\\", "\\n", "\\r"). Its size is measured
 * before the layout; its bytes are known only when every other file has
 * been hashed, so its data is the last file data in the image.
 */
#include <stdlib.h>
#include <string.h>

#include "integrity/digest.h"
#include "write/internal.h"

#define MANIFEST_NAME "SHA256SUMS"

/* SHA-256 of no bytes: the line of an empty file */
static const char empty_sha256[] =
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static bool is_listed(const struct wnode *n)
{
	return n->type == W_REG && !(n->flags & (WF_MANIFEST | WF_BOOT_CATALOG));
}

/* The node's path from the root, without the leading '/', in *buf. */
static int path_of(struct writer *w, uint32_t node, char **buf, size_t *cap, size_t *len)
{
	size_t n = 0; /* of "/a/b" */
	for (uint32_t x = node; x != 0; x = wnode_at(w, x)->parent)
		n += wnode_at(w, x)->name_len + 1u;
	if (n + 1 > *cap) {
		char *p = realloc(*buf, n + 1);
		if (!p)
			return ISOKIT_E_NOMEM;
		*buf = p;
		*cap = n + 1;
	}
	size_t at = n;
	(*buf)[at] = '\0';
	for (uint32_t x = node; x != 0; x = wnode_at(w, x)->parent) {
		const struct wnode *c = wnode_at(w, x);
		at -= c->name_len;
		memcpy(*buf + at, arena_at(w, c->name), c->name_len);
		(*buf)[--at] = '/';
	}
	*len = n ? n - 1 : 0;
	memmove(*buf, *buf + (n ? 1 : 0), *len + 1);
	return 0;
}

static bool needs_escape(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] == '\\' || p[i] == '\n' || p[i] == '\r')
			return true;
	return false;
}

/* Bytes of the line for a path of @p len bytes at @p p. */
static uint64_t line_size(const char *p, size_t len)
{
	uint64_t n = 64 + 2 + len + 1;
	if (!needs_escape(p, len))
		return n;
	n++; /* the leading backslash */
	for (size_t i = 0; i < len; i++)
		n += p[i] == '\\' || p[i] == '\n' || p[i] == '\r';
	return n;
}

int manifest_add(struct writer *w)
{
	size_t nl = strlen(MANIFEST_NAME);
	for (uint32_t c = wnode_at(w, 0)->first; c; c = wnode_at(w, c)->next) {
		const struct wnode *x = wnode_at(w, c);
		if (x->name_len == nl && memcmp(arena_at(w, x->name), MANIFEST_NAME, nl) == 0)
			return w_error(w, ISOKIT_E_INVAL,
				       "/%s: the sources have a file of this name already, where "
				       "--manifest puts its own", MANIFEST_NAME);
	}
	uint32_t idx;
	int rc = tree_new_synthetic_file(w, 0, MANIFEST_NAME, &idx);
	if (rc)
		return rc;
	wnode_at(w, idx)->flags |= WF_MANIFEST;
	w->manifest = idx;
	return 0;
}

int manifest_measure(struct writer *w)
{
	char *buf = NULL;
	size_t cap = 0, len;
	uint64_t total = 0;
	int rc = 0;
	for (uint32_t k = 0; k < w->nkids && rc == 0; k++) {
		uint32_t ci = w->kids[k];
		if (!is_listed(wnode_at(w, ci)))
			continue;
		rc = path_of(w, ci, &buf, &cap, &len);
		if (!rc)
			total += line_size(buf, len);
	}
	free(buf);
	if (rc)
		return rc;
	struct wnode *m = wnode_at(w, w->manifest);
	m->size = total;
	w->data_bytes += total;
	return 0;
}

/* The SHA-256 of node @p ci's data, or NULL. */
static const uint8_t *sum_of(struct writer *w, uint32_t ci)
{
	const struct wnode *c = wnode_at(w, ci);
	for (int hops = 0; (c->flags & WF_DATA_ELSEWHERE) && hops < 4; hops++)
		c = wnode_at(w, c->data);
	size_t lo = 0, hi = w->nsums;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->sum_lba[mid] < c->lba)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->nsums && w->sum_lba[lo] == c->lba ? w->sum_sha[lo] : NULL;
}

int manifest_write(struct writer *w, struct out *o, struct digest *sha)
{
	char *buf = NULL, *line = NULL;
	size_t cap = 0, line_cap = 0, len;
	uint64_t written = 0;
	int rc = 0;
	for (uint32_t k = 0; k < w->nkids && rc == 0; k++) {
		uint32_t ci = w->kids[k];
		const struct wnode *c = wnode_at(w, ci);
		if (!is_listed(c))
			continue;
		if ((rc = path_of(w, ci, &buf, &cap, &len)) != 0)
			break;
		uint64_t ls = line_size(buf, len);
		if (ls > line_cap) {
			char *p = realloc(line, ls);
			if (!p) {
				rc = ISOKIT_E_NOMEM;
				break;
			}
			line = p;
			line_cap = ls;
		}
		size_t at = 0;
		bool esc = needs_escape(buf, len);
		if (esc)
			line[at++] = '\\';
		if (c->size == 0) {
			memcpy(line + at, empty_sha256, 64);
		} else {
			const uint8_t *e = sum_of(w, ci);
			if (!e) {
				rc = w_error(w, ISOKIT_E_INVAL, "internal error: no sum for a file");
				break;
			}
			char hex[65];
			digest_hex(e, 32, hex);
			memcpy(line + at, hex, 64);
		}
		at += 64;
		line[at++] = ' ';
		line[at++] = ' ';
		for (size_t i = 0; i < len; i++) {
			char ch = buf[i];
			if (esc && (ch == '\\' || ch == '\n' || ch == '\r')) {
				line[at++] = '\\';
				ch = ch == '\\' ? '\\' : ch == '\n' ? 'n' : 'r';
			}
			line[at++] = ch;
		}
		line[at++] = '\n';
		if (digest_update(sha, line, at) != 0)
			rc = ISOKIT_E_NOMEM;
		else
			rc = out_write(o, line, at);
		written += at;
	}
	free(buf);
	free(line);
	if (!rc && written != wnode_at(w, w->manifest)->size)
		rc = w_error(w, ISOKIT_E_INVAL, "internal error: the manifest changed size");
	return rc;
}
