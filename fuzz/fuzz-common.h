/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the libFuzzer targets: open an image from memory, walk it,
 * read its files under a byte budget, look paths up, and check the few
 * invariants the public API promises (NUL-terminated strings, read sizes).
 * A broken invariant calls abort() so that libFuzzer records the input.
 */
#ifndef ISOKIT_FUZZ_COMMON_H
#define ISOKIT_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <isokit/isokit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_READ_CAP (16u << 20)   /* file bytes read per input */
#define FUZZ_MAX_EVENTS 100000u     /* walk events per namespace */
#define FUZZ_SAVED_PATHS 8

#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

static size_t fuzz_sink; /* keeps reads from being optimised away */

static inline void fuzz_touch_str(const char *s)
{
	if (s)
		fuzz_sink += strlen(s);
}

/* A fixed char array must hold a NUL within its size. */
#define FUZZ_CHECK_ARRAY(arr) FUZZ_CHECK(memchr((arr), 0, sizeof(arr)) != NULL)

static inline void fuzz_on_finding(void *ctx, const struct isokit_finding *f)
{
	size_t *n = ctx;
	(*n)++;
	FUZZ_CHECK(f != NULL);
	fuzz_touch_str(f->code);
	fuzz_touch_str(f->message);
	fuzz_touch_str(f->path);
}

/* Open @p data with namespace @p ns; NULL when the library refuses it. */
static inline struct isokit_image *fuzz_open(const uint8_t *data, size_t size,
					     enum isokit_namespace ns,
					     size_t *findings)
{
	struct isokit_source *src = NULL;
	struct isokit_image *img = NULL;
	struct isokit_open_options opts;

	if (isokit_source_from_memory(data, size, &src) != 0)
		return NULL;
	FUZZ_CHECK(isokit_source_size(src) == size);
	memset(&opts, 0, sizeof opts);
	opts.ns = ns;
	opts.on_finding = fuzz_on_finding;
	opts.finding_ctx = findings;
	if (isokit_image_open_source(src, &opts, &img) != 0) {
		FUZZ_CHECK(img == NULL);
		return NULL;
	}
	FUZZ_CHECK(img != NULL);
	return img;
}

static inline void fuzz_check_info(const struct isokit_volume_info *vi)
{
	FUZZ_CHECK(vi != NULL);
	FUZZ_CHECK_ARRAY(vi->system_id);
	FUZZ_CHECK_ARRAY(vi->volume_id);
	FUZZ_CHECK_ARRAY(vi->volume_set_id);
	FUZZ_CHECK_ARRAY(vi->publisher_id);
	FUZZ_CHECK_ARRAY(vi->preparer_id);
	FUZZ_CHECK_ARRAY(vi->application_id);
	FUZZ_CHECK_ARRAY(vi->copyright_file);
	FUZZ_CHECK_ARRAY(vi->abstract_file);
	FUZZ_CHECK_ARRAY(vi->bibliographic_file);
	FUZZ_CHECK_ARRAY(vi->volume_label);
	FUZZ_CHECK_ARRAY(vi->rockridge_version);
	FUZZ_CHECK_ARRAY(vi->rockridge_er_id);
	FUZZ_CHECK_ARRAY(vi->isomd5sum);
	FUZZ_CHECK_ARRAY(vi->udf_revision);
	FUZZ_CHECK_ARRAY(vi->udf_volume_id);
	FUZZ_CHECK_ARRAY(vi->udf_volume_set_id);
	FUZZ_CHECK_ARRAY(vi->udf_fileset_id);
	FUZZ_CHECK_ARRAY(vi->udf_impl_id);
	fuzz_sink += (size_t)vi->volume_blocks + vi->root_lba + vi->susp_skip;
}

static inline void fuzz_check_node(const struct isokit_node *n)
{
	const struct isokit_stat *st;

	FUZZ_CHECK(n != NULL);
	fuzz_touch_str(isokit_node_name(n));
	fuzz_touch_str(isokit_node_link_target(n));
	st = isokit_node_stat(n);
	FUZZ_CHECK(st != NULL);
	fuzz_sink += (size_t)st->size + st->mode + st->extents;
	(void)isokit_node_is_dir(n);
}

static inline bool fuzz_is_regular(const struct isokit_node *n)
{
	return !isokit_node_is_dir(n) &&
	       (isokit_node_stat(n)->mode & 0170000u) == 0100000u;
}

/* Read the whole file (within *budget), then probe a few odd offsets. */
static inline void fuzz_read_file(struct isokit_image *img,
				  const struct isokit_node *n, uint64_t *budget)
{
	static unsigned char buf[65536];
	uint64_t offs[3], lengths[3];
	struct isokit_file *f = NULL;
	uint64_t off = 0, size;
	int64_t r;

	if (isokit_file_open(img, n, &f) != 0) {
		fuzz_touch_str(isokit_image_errmsg(img));
		return;
	}
	size = isokit_node_stat(n)->size;
	r = isokit_file_runs(f, offs, lengths, 3);
	if (r > 0) {
		int64_t k;
		for (k = 0; k < r && k < 3; k++)
			fuzz_sink += (size_t)(offs[k] + lengths[k]);
	}
	while (*budget > 0) {
		size_t want = sizeof buf;
		if (want > *budget)
			want = (size_t)*budget;
		r = isokit_file_pread(f, buf, want, off);
		if (r < 0) {
			fuzz_touch_str(isokit_image_errmsg(img));
			break;
		}
		FUZZ_CHECK((uint64_t)r <= want);
		if (r == 0)
			break;
		off += (uint64_t)r;
		*budget -= (uint64_t)r;
		FUZZ_CHECK(off <= size);
	}
	/* at and beyond the end: nothing (or an error), never data */
	r = isokit_file_pread(f, buf, 16, size);
	FUZZ_CHECK(r <= 0);
	r = isokit_file_pread(f, buf, 16, UINT64_MAX - 8);
	FUZZ_CHECK(r <= 0);
	if (size > 1 && *budget > 0) {
		/* an unaligned read in the middle (zisofs block seams) */
		r = isokit_file_pread(f, buf, 100, size / 2 - 1);
		FUZZ_CHECK(r <= 100);
		if (r > 0)
			*budget -= (uint64_t)r < *budget ? (uint64_t)r : *budget;
	}
	r = isokit_file_pread(f, buf, 0, 0);
	FUZZ_CHECK(r <= 0);
	isokit_file_close(f);
}

static inline void fuzz_lookup(struct isokit_image *img, const char *path)
{
	struct isokit_node *n = NULL;

	if (isokit_image_lookup(img, path, &n) == 0) {
		fuzz_check_node(n);
		isokit_node_free(n);
	} else {
		fuzz_touch_str(isokit_image_errmsg(img));
	}
}

/* List the root directly with the dir iterator. */
static inline void fuzz_list_root(struct isokit_image *img)
{
	const struct isokit_node *root = isokit_image_root(img);
	const struct isokit_node *n;
	struct isokit_dir *d = NULL;
	unsigned count = 0;
	int r;

	if (!root || isokit_dir_open(img, root, &d) != 0)
		return;
	while ((r = isokit_dir_next(d, &n)) == 1 && count++ < FUZZ_MAX_EVENTS) {
		struct isokit_node *copy = NULL;
		fuzz_check_node(n);
		if (isokit_node_dup(n, &copy) == 0) {
			FUZZ_CHECK(strcmp(isokit_node_name(copy), isokit_node_name(n)) == 0);
			isokit_node_free(copy);
		}
	}
	isokit_dir_close(d);
}

/* Walk everything below the root, read regular files, look up what was seen. */
static inline void fuzz_walk(struct isokit_image *img, bool sorted,
			     uint64_t *budget)
{
	const struct isokit_node *root = isokit_image_root(img);
	struct isokit_walk_options wo;
	struct isokit_walk *w = NULL;
	enum isokit_walk_event ev;
	const struct isokit_node *n;
	const char *path;
	char *saved[FUZZ_SAVED_PATHS];
	unsigned nsaved = 0, events = 0, i;
	int r;

	if (!root)
		return;
	memset(&wo, 0, sizeof wo);
	wo.sorted = sorted;
	if (isokit_walk_new(img, root, &wo, &w) != 0)
		return;
	while ((r = isokit_walk_next(w, &ev, &n, &path)) == 1) {
		if (++events > FUZZ_MAX_EVENTS)
			break;
		FUZZ_CHECK(path != NULL);
		fuzz_touch_str(path);
		fuzz_check_node(n);
		if (ev != ISOKIT_WALK_ENTRY)
			continue;
		if (fuzz_is_regular(n))
			fuzz_read_file(img, n, budget);
		if (nsaved < FUZZ_SAVED_PATHS) {
			saved[nsaved] = strdup(path);
			if (saved[nsaved])
				nsaved++;
		}
	}
	if (r < 0)
		fuzz_touch_str(isokit_image_errmsg(img));
	isokit_walk_free(w);
	for (i = 0; i < nsaved; i++) {
		fuzz_lookup(img, saved[i]);
		free(saved[i]);
	}
}

static inline void fuzz_lookups(struct isokit_image *img)
{
	static const char *const paths[] = {
		"/", "", "a", "/hello.txt", "/sub/inner.txt", "//sub//./inner.txt/",
		"sub/../hello.txt", "..", "/../..", "/FILE", "/FILE.;1", "file",
		"/boot.cat", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z",
	};
	size_t i;

	for (i = 0; i < sizeof paths / sizeof paths[0]; i++)
		fuzz_lookup(img, paths[i]);
}

/* Open @p data in each of @p n namespaces and exercise each opened image:
 * its volume information, the whole tree (walked sorted when bit i of
 * @p sorted_mask is set, else in image order; file reads share one budget),
 * the root's listing and a few lookups. */
static inline void fuzz_each_namespace(const uint8_t *data, size_t size,
				       const enum isokit_namespace *ns, size_t n,
				       unsigned sorted_mask)
{
	uint64_t budget = FUZZ_READ_CAP;
	size_t i;

	for (i = 0; i < n; i++) {
		size_t findings = 0;
		struct isokit_image *img = fuzz_open(data, size, ns[i], &findings);

		if (!img)
			continue;
		fuzz_check_info(isokit_image_info(img));
		fuzz_walk(img, (sorted_mask >> i) & 1, &budget);
		fuzz_list_root(img);
		fuzz_lookups(img);
		isokit_image_close(img);
	}
}

#endif
