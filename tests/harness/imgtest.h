/* SPDX-License-Identifier: MIT */
/* Helpers of the unit tests that open whole images built by memiso.c:
 * open from memory, compare a walk with expected events, find a record,
 * read a file and compare it. */
#ifndef ISOKIT_TEST_IMGTEST_H
#define ISOKIT_TEST_IMGTEST_H

#include <stddef.h>
#include <stdint.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <isokit/isokit.h>

#include "harness/findings.h"
#include "harness/memiso.h"
#include "harness/tap.h"

/* Functions in a header, not a .c file: tap.h keeps its counters per
 * translation unit, and checks made here must count in the test's. */

/* Open an image held in memory with @p opt (NULL: defaults). */
static inline int open_image(const uint8_t *buf, size_t size,
			     const struct isokit_open_options *opt, struct isokit_image **img)
{
	struct isokit_source *src = NULL;
	*img = NULL;
	int rc = isokit_source_from_memory(buf, size, &src);
	if (rc)
		return rc;
	return isokit_image_open_source(src, opt, img);
}

/* The same with a namespace and, when @p fs is not NULL, findings counted. */
static inline int open_buf(const uint8_t *buf, size_t size, enum isokit_namespace ns,
			   struct findings *fs, struct isokit_image **img)
{
	struct isokit_open_options opt = {.ns = ns};
	if (fs) {
		opt.on_finding = on_finding;
		opt.finding_ctx = fs;
	}
	return open_image(buf, size, &opt, img);
}

/* Walk (sorted) and compare "E path" / "D path" / "L path" lines with
 * @p want, NULL-terminated. Returns the walk's error, if any. */
static inline int walk_expect(struct isokit_image *img, const char *const *want,
		       int line)
{
	struct isokit_walk_options wo = {.sorted = true};
	struct isokit_walk *w = NULL;
	int rc = isokit_walk_new(img, isokit_image_root(img), &wo, &w);
	if (rc)
		return rc;
	enum isokit_walk_event e;
	const struct isokit_node *node;
	const char *path;
	size_t i = 0, guard = 0;
	char got[600];
	int err = 0;
	while (guard++ < 100 && (rc = isokit_walk_next(w, &e, &node, &path)) != 0) {
		if (rc < 0) {
			err = rc;
			continue;
		}
		snprintf(got, sizeof(got), "%c %s",
			 e == ISOKIT_WALK_ENTRY ? 'E'
			 : e == ISOKIT_WALK_DIR_ENTER ? 'D' : 'L',
			 path);
		tap_str_(got, want[i], "walk event", "expected", __FILE__, line);
		if (want[i])
			i++;
	}
	tap_result_(want[i] == NULL, __FILE__, line, "walk has no events left out");
	isokit_walk_free(w);
	return err;
}

/* Offset in the image of the directory record named @p id in block @p blk. */
static inline size_t find_record(const uint8_t *img, unsigned blk, const char *id)
{
	const uint8_t *d = img + (size_t)blk * MISO_BLK;
	size_t pos = 0;
	while (pos < MISO_BLK && d[pos]) {
		if (d[pos + 32] == strlen(id) && memcmp(d + pos + 33, id, strlen(id)) == 0)
			return (size_t)blk * MISO_BLK + pos;
		pos += d[pos];
	}
	abort();
}

static inline void read_expect(struct isokit_image *img, const char *path,
			const char *content, int line)
{
	struct isokit_node *n = NULL;
	int rc = isokit_image_lookup(img, path, &n);
	tap_eq_i64_(rc, 0, path, "0", __FILE__, line);
	if (!n)
		return;
	struct isokit_file *f = NULL;
	rc = isokit_file_open(img, n, &f);
	tap_eq_i64_(rc, 0, "isokit_file_open", "0", __FILE__, line);
	if (f) {
		char buf[64] = {0};
		int64_t got = isokit_file_pread(f, buf, sizeof(buf) - 1, 0);
		tap_eq_i64_(got, (int64_t)strlen(content), "pread", "strlen", __FILE__,
			    line);
		tap_str_(buf, content, "content", "expected", __FILE__, line);
		isokit_file_close(f);
	}
	isokit_node_free(n);
}

#define READ_EXPECT(img, path, content) read_expect((img), (path), (content), __LINE__)

#endif
