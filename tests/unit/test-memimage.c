// SPDX-License-Identifier: MIT
/*
 * A whole (tiny) Rock Ridge image built byte by byte in memory by the test
 * builder (tests/harness/memiso.c, which shares no code with the library),
 * opened through the public API from an exact-size heap buffer, so ASan
 * reports any read past its end. Checks volume info, lookup, stat, symlink
 * targets, multi-extent reads across the section boundary, walk order,
 * which blocks a lookup reads, and the errors for a directory loop, an
 * extent past the end, a truncated image and a block 16 without "CD001".
 */
#include <stdlib.h>
#include <sys/stat.h>

#include <isokit/isokit.h>

#include "harness/findings.h"
#include "harness/imgtest.h"
#include "harness/memiso.h"
#include "harness/tap.h"

#define BLK MISO_BLK
#define NBLOCKS MISO_BLOCKS
#define IMG_SIZE MISO_SIZE

static const char hello_data[] = MISO_HELLO;

/* ---------------------------------------------------------------- tests */

static void test_info_and_lookup(struct isokit_image *img)
{
	tap_note("volume info");
	const struct isokit_volume_info *info = isokit_image_info(img);
	CHECK(info->has_rockridge);
	CHECK_STR(info->volume_id, "ISOKIT_TEST");
	CHECK_STR(info->system_id, "LINUX");
	CHECK_STR(info->volume_label, "ISOKIT_TEST");
	CHECK_STR(info->rockridge_er_id, "RRIP_1991A");
	CHECK_EQ_U64(info->susp_skip, 0);
	CHECK_EQ_U64(info->block_size, BLK);
	CHECK_EQ_U64(info->volume_blocks, NBLOCKS);
	CHECK_EQ_U64(info->image_bytes, IMG_SIZE);
	CHECK_EQ_U64(info->root_lba, B_ROOT);
	CHECK_EQ_U64(info->vd_count, 2);
	CHECK(!info->has_joliet);
	CHECK(!info->has_eltorito);
	CHECK(!info->has_mbr);
	CHECK_EQ_I64(info->ns, ISOKIT_NS_ROCKRIDGE);
	CHECK(info->created.valid);
	CHECK_EQ_I64(info->created.sec, 1704164645LL); /* 2024-01-02 03:04:05 */
	CHECK(!info->expires.valid);

	tap_note("root");
	const struct isokit_node *root = isokit_image_root(img);
	CHECK(isokit_node_is_dir(root));
	CHECK_STR(isokit_node_name(root), "");
	CHECK_EQ_U64(isokit_node_stat(root)->mode, 040755);
	CHECK_EQ_U64(isokit_node_stat(root)->nlink, 3);
	CHECK_EQ_I64(isokit_node_stat(root)->mtime.sec, T_RECORD);

	tap_note("lookup /hello.txt: PX, TF, data");
	struct isokit_node *n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/hello.txt", &n), 0);
	if (n) {
		const struct isokit_stat *st = isokit_node_stat(n);
		CHECK_STR(isokit_node_name(n), "hello.txt");
		CHECK(!isokit_node_is_dir(n));
		CHECK_EQ_U64(st->mode, 0100644);
		CHECK_EQ_U64(st->nlink, 2);
		CHECK_EQ_U64(st->uid, 1000);
		CHECK_EQ_U64(st->gid, 1001);
		CHECK(st->has_owner);
		CHECK_EQ_U64(st->size, 13);
		CHECK(st->mtime.valid);
		CHECK_EQ_I64(st->mtime.sec, T_HELLO_MTIME);
		CHECK_EQ_I64(st->atime.sec, T_HELLO_ATIME);
		CHECK_EQ_I64(st->ctime.sec, T_HELLO_CTIME);
		CHECK(!st->btime.valid);
		CHECK_EQ_U64(st->extents, 1);
		CHECK_EQ_U64(st->lba, B_HELLO);
		CHECK(!st->unsafe_name);
		CHECK(isokit_node_link_target(n) == NULL);
		struct isokit_file *f = NULL;
		CHECK_EQ_I64(isokit_file_open(img, n, &f), 0);
		if (f) {
			char buf[64];
			memset(buf, 0, sizeof(buf));
			CHECK_EQ_I64(isokit_file_pread(f, buf, sizeof(buf), 0), 13);
			CHECK_MEM(buf, hello_data, 13);
			CHECK_EQ_I64(isokit_file_pread(f, buf, 5, 7), 5);
			CHECK_MEM(buf, "world", 5);
			CHECK_EQ_I64(isokit_file_pread(f, buf, 5, 13), 0);
			CHECK_EQ_I64(isokit_file_pread(f, buf, 5, 1000), 0);
			isokit_file_close(f);
		}
		isokit_node_free(n);
	}
	n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "hello.txt", &n), 0);
	isokit_node_free(n);
	n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "//sub/./inner.txt", &n), 0);
	isokit_node_free(n);

	tap_note("lookup failures");
	n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/HELLO.TXT", &n), ISOKIT_E_NOENT);
	CHECK(n == NULL);
	CHECK_EQ_I64(isokit_image_lookup(img, "/nope", &n), ISOKIT_E_NOENT);
	CHECK_EQ_I64(isokit_image_lookup(img, "/hello", &n), ISOKIT_E_NOENT);
	CHECK_EQ_I64(isokit_image_lookup(img, "/su", &n), ISOKIT_E_NOENT);
	CHECK_EQ_I64(isokit_image_lookup(img, "/hello.txt/x", &n),
		     ISOKIT_E_NOTDIR);
	CHECK_EQ_I64(isokit_image_lookup(img, "/sub/../hello.txt", &n),
		     ISOKIT_E_INVAL);
	CHECK(n == NULL);

	tap_note("lookup /");
	n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/", &n), 0);
	if (n) {
		CHECK(isokit_node_is_dir(n));
		CHECK_EQ_U64(isokit_node_stat(n)->lba, B_ROOT);
		isokit_node_free(n);
	}

	tap_note("lookup /sub and /sub/inner.txt");
	n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/sub", &n), 0);
	if (n) {
		CHECK(isokit_node_is_dir(n));
		CHECK_EQ_U64(isokit_node_stat(n)->mode, 040750);
		CHECK_EQ_U64(isokit_node_stat(n)->nlink, 2);
		CHECK_EQ_I64(isokit_node_stat(n)->mtime.sec, T_RECORD);
		struct isokit_file *f = NULL;
		CHECK_EQ_I64(isokit_file_open(img, n, &f), ISOKIT_E_ISDIR);
		CHECK(f == NULL);
		isokit_node_free(n);
	}
	n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/sub/inner.txt", &n), 0);
	if (n) {
		CHECK_EQ_U64(isokit_node_stat(n)->mode, 0100444);
		CHECK_EQ_U64(isokit_node_stat(n)->size, 5);
		CHECK_EQ_U64(isokit_node_stat(n)->lba, B_INNER);
		struct isokit_file *f = NULL;
		CHECK_EQ_I64(isokit_file_open(img, n, &f), 0);
		char buf[8] = {0};
		if (f) {
			CHECK_EQ_I64(isokit_file_pread(f, buf, sizeof(buf), 0), 5);
			CHECK_MEM(buf, "inner", 5);
			isokit_file_close(f);
		}
		isokit_node_free(n);
	}

	tap_note("symlink");
	n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/link", &n), 0);
	if (n) {
		CHECK_EQ_U64(isokit_node_stat(n)->mode, 0120777);
		CHECK_STR(isokit_node_link_target(n), "/usr/bin");
		/* lstat(2) convention: the size of a link is its target's. */
		CHECK_EQ_U64(isokit_node_stat(n)->size, 8);
		CHECK_EQ_U64(isokit_node_stat(n)->uid, 1000);
		isokit_node_free(n);
	}

	tap_note("zero-length file");
	n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/empty", &n), 0);
	if (n) {
		CHECK_EQ_U64(isokit_node_stat(n)->mode, 0100644);
		CHECK_EQ_U64(isokit_node_stat(n)->size, 0);
		struct isokit_file *f = NULL;
		CHECK_EQ_I64(isokit_file_open(img, n, &f), 0);
		if (f) {
			char c = 'x';
			CHECK_EQ_I64(isokit_file_pread(f, &c, 1, 0), 0);
			CHECK_EQ_I64(isokit_file_runs(f, NULL, NULL, 0), 0);
			isokit_file_close(f);
		}
		isokit_node_free(n);
	}
}

static void test_multi_extent(struct isokit_image *img)
{
	tap_note("multi-extent file: 2048 + 100 bytes in two records");
	struct isokit_node *n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/big.bin", &n), 0);
	if (!n)
		return;
	const struct isokit_stat *st = isokit_node_stat(n);
	CHECK_EQ_U64(st->size, 2148);
	CHECK_EQ_U64(st->extents, 2);
	CHECK_EQ_U64(st->lba, B_BIG);
	CHECK_EQ_U64(st->mode, 0100600);
	uint8_t expect[2148];
	for (size_t i = 0; i < sizeof(expect); i++)
		expect[i] = miso_big_byte(i);
	struct isokit_file *f = NULL;
	CHECK_EQ_I64(isokit_file_open(img, n, &f), 0);
	if (f) {
		uint8_t *buf = malloc(4096);
		if (!buf)
			abort();
		CHECK_EQ_I64(isokit_file_pread(f, buf, 4096, 0), 2148);
		CHECK_MEM(buf, expect, 2148);
		/* Across the section boundary. */
		CHECK_EQ_I64(isokit_file_pread(f, buf, 20, 2040), 20);
		CHECK_MEM(buf, expect + 2040, 20);
		/* Starting in the second section; short at the end. */
		CHECK_EQ_I64(isokit_file_pread(f, buf, 100, 2100), 48);
		CHECK_MEM(buf, expect + 2100, 48);
		CHECK_EQ_I64(isokit_file_pread(f, buf, 1, 2147), 1);
		CHECK_EQ_U64(buf[0], expect[2147]);
		CHECK_EQ_I64(isokit_file_pread(f, buf, 1, 2148), 0);
		uint64_t off[4] = {0}, len[4] = {0};
		CHECK_EQ_I64(isokit_file_runs(f, off, len, 4), 2);
		CHECK_EQ_U64(off[0], B_BIG * BLK);
		CHECK_EQ_U64(len[0], 2048);
		CHECK_EQ_U64(off[1], (B_BIG + 1) * BLK);
		CHECK_EQ_U64(len[1], 100);
		free(buf);
		isokit_file_close(f);
	}
	isokit_node_free(n);
}

struct ev {
	enum isokit_walk_event e;
	const char *path;
};

static void test_walk(struct isokit_image *img)
{
	tap_note("walk, sorted");
	static const struct ev want[] = {
		{ISOKIT_WALK_DIR_ENTER, ""},
		{ISOKIT_WALK_ENTRY, "big.bin"},
		{ISOKIT_WALK_ENTRY, "empty"},
		{ISOKIT_WALK_ENTRY, "hello.txt"},
		{ISOKIT_WALK_ENTRY, "link"},
		{ISOKIT_WALK_ENTRY, "sub"},
		{ISOKIT_WALK_DIR_ENTER, "sub"},
		{ISOKIT_WALK_ENTRY, "sub/inner.txt"},
		{ISOKIT_WALK_DIR_LEAVE, "sub"},
		{ISOKIT_WALK_DIR_LEAVE, ""},
	};
	const size_t nwant = sizeof(want) / sizeof(want[0]);
	struct isokit_walk_options wo = {.sorted = true};
	struct isokit_walk *w = NULL;
	CHECK_EQ_I64(isokit_walk_new(img, isokit_image_root(img), &wo, &w), 0);
	if (!w)
		return;
	size_t i = 0;
	int rc;
	enum isokit_walk_event e;
	const struct isokit_node *node;
	const char *path;
	while ((rc = isokit_walk_next(w, &e, &node, &path)) > 0 && i < 32) {
		if (i < nwant) {
			CHECK_EQ_I64(e, want[i].e);
			CHECK_STR(path, want[i].path);
		}
		if (e == ISOKIT_WALK_ENTRY && strcmp(path, "big.bin") == 0)
			CHECK_EQ_U64(isokit_node_stat(node)->size, 2148);
		if (e == ISOKIT_WALK_ENTRY && strcmp(path, "link") == 0)
			CHECK_STR(isokit_node_link_target(node), "/usr/bin");
		i++;
	}
	CHECK_EQ_I64(rc, 0);
	CHECK_EQ_U64(i, nwant);
	isokit_walk_free(w);

	tap_note("walk, streaming: entries in on-disc order");
	static const struct ev want_disc[] = {
		{ISOKIT_WALK_DIR_ENTER, ""},
		{ISOKIT_WALK_ENTRY, "sub"},
		{ISOKIT_WALK_ENTRY, "hello.txt"},
		{ISOKIT_WALK_ENTRY, "link"},
		{ISOKIT_WALK_ENTRY, "big.bin"},
		{ISOKIT_WALK_ENTRY, "empty"},
		{ISOKIT_WALK_DIR_ENTER, "sub"},
		{ISOKIT_WALK_ENTRY, "sub/inner.txt"},
		{ISOKIT_WALK_DIR_LEAVE, "sub"},
		{ISOKIT_WALK_DIR_LEAVE, ""},
	};
	w = NULL;
	CHECK_EQ_I64(isokit_walk_new(img, isokit_image_root(img), NULL, &w), 0);
	i = 0;
	while (w && (rc = isokit_walk_next(w, &e, &node, &path)) > 0 && i < 32) {
		if (i < nwant) {
			CHECK_EQ_I64(e, want_disc[i].e);
			CHECK_STR(path, want_disc[i].path);
		}
		i++;
	}
	CHECK_EQ_I64(rc, 0);
	CHECK_EQ_U64(i, nwant);
	isokit_walk_free(w);

	tap_note("isokit_dir_next: on-disc order, '.' and '..' skipped");
	static const char *const disc[] = {"sub", "hello.txt", "link",
					   "big.bin", "empty"};
	struct isokit_dir *d = NULL;
	CHECK_EQ_I64(isokit_dir_open(img, isokit_image_root(img), &d), 0);
	if (d) {
		size_t k = 0;
		while ((rc = isokit_dir_next(d, &node)) > 0 && k < 16) {
			if (k < 5)
				CHECK_STR(isokit_node_name(node), disc[k]);
			k++;
		}
		CHECK_EQ_I64(rc, 0);
		CHECK_EQ_U64(k, 5);
		isokit_dir_close(d);
	}
	tap_note("walk from a subdirectory: paths relative to it");
	struct isokit_node *sub = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/sub", &sub), 0);
	if (sub) {
		static const struct ev want_sub[] = {
			{ISOKIT_WALK_DIR_ENTER, ""},
			{ISOKIT_WALK_ENTRY, "inner.txt"},
			{ISOKIT_WALK_DIR_LEAVE, ""},
		};
		for (int sorted = 0; sorted < 2; sorted++) {
			struct isokit_walk_options so = {.sorted = sorted};
			w = NULL;
			CHECK_EQ_I64(isokit_walk_new(img, sub, &so, &w), 0);
			i = 0;
			while (w && (rc = isokit_walk_next(w, &e, &node, &path)) > 0 &&
			       i < 8) {
				if (i < 3) {
					CHECK_EQ_I64(e, want_sub[i].e);
					CHECK_STR(path, want_sub[i].path);
				}
				i++;
			}
			CHECK_EQ_I64(rc, 0);
			CHECK_EQ_U64(i, 3);
			isokit_walk_free(w);
		}
		isokit_node_free(sub);
	}

	tap_note("a walk freed halfway (no leak, no double free under ASan)");
	for (int sorted = 0; sorted < 2; sorted++) {
		for (int stop = 1; stop <= 8; stop++) {
			struct isokit_walk_options so = {.sorted = sorted};
			w = NULL;
			CHECK_EQ_I64(isokit_walk_new(img, isokit_image_root(img), &so, &w), 0);
			for (int k = 0; w && k < stop; k++)
				if (isokit_walk_next(w, &e, &node, &path) <= 0)
					break;
			isokit_walk_free(w);
		}
	}

	tap_note("walk from a file");
	struct isokit_node *n = NULL;
	isokit_image_lookup(img, "/hello.txt", &n);
	if (n) {
		w = NULL;
		CHECK_EQ_I64(isokit_walk_new(img, n, NULL, &w), ISOKIT_E_NOTDIR);
		isokit_walk_free(w);
		isokit_node_free(n);
	}
}

/* ---- a counting source: which blocks does the library read? ---- */

struct counter {
	const uint8_t *data;
	uint64_t size;
	unsigned touched[NBLOCKS];
	unsigned calls;
	unsigned past_end; /* requests outside the size (a contract breach) */
};

static int count_read(void *vctx, uint64_t offset, void *buf, size_t len)
{
	struct counter *c = vctx;
	c->calls++;
	if (offset > c->size || len > c->size - offset) {
		c->past_end++;
		return ISOKIT_E_IO;
	}
	for (uint64_t b = offset / BLK; len && b <= (offset + len - 1) / BLK; b++)
		c->touched[b]++;
	memcpy(buf, c->data + offset, len);
	return 0;
}

static void counter_reset(struct counter *c)
{
	memset(c->touched, 0, sizeof(c->touched));
	c->calls = 0;
}

/* True when exactly the blocks in @p want (terminated by -1) were read. */
static bool touched_exactly(const struct counter *c, const int *want)
{
	bool expect[NBLOCKS] = {false};
	for (; *want >= 0; want++)
		expect[*want] = true;
	bool ok = true;
	for (unsigned b = 0; b < NBLOCKS; b++) {
		if ((c->touched[b] != 0) != expect[b]) {
			printf("#   block %u: read %u times, expected %s\n", b,
			       c->touched[b], expect[b] ? "some" : "none");
			ok = false;
		}
	}
	return ok;
}

static void test_counting(const uint8_t *image)
{
	tap_note("counting source: blocks read by open and lookup");
	struct counter *c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	c->data = image;
	c->size = IMG_SIZE;
	static const struct isokit_source_ops ops = {count_read, NULL};
	struct isokit_source *src = NULL;
	CHECK_EQ_I64(isokit_source_new(&ops, c, IMG_SIZE, &src), 0);
	struct isokit_image *img = NULL;
	CHECK_EQ_I64(isokit_image_open_source(src, NULL, &img), 0);
	if (!img) {
		free(c);
		return;
	}
	/* Open: the descriptors and the root, and at most the system area
	 * besides, and the block after the terminator (where a UDF
	 * recognition sequence would go on); no other directory, no file
	 * data. */
	CHECK(c->touched[B_PVD] && c->touched[B_PVD + 1] && c->touched[B_ROOT]);
	bool other = false;
	for (unsigned b = 1; b < NBLOCKS; b++)
		if (b != B_PVD && b != B_PVD + 1 && b != B_PVD + 2 && b != B_ROOT)
			other = other || c->touched[b];
	CHECK(!other);

	counter_reset(c);
	uint64_t before = isokit_source_read_count(src);
	struct isokit_node *n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/sub/inner.txt", &n), 0);
	static const int path_blocks[] = {B_ROOT, B_SUB, -1};
	CHECK(touched_exactly(c, path_blocks));
	CHECK_EQ_U64(c->calls, 2);
	CHECK_EQ_U64(isokit_source_read_count(src) - before, 2);

	/* Reading the file touches its block and nothing else. */
	counter_reset(c);
	struct isokit_file *f = NULL;
	if (n && isokit_file_open(img, n, &f) == 0) {
		char buf[5];
		CHECK_EQ_I64(isokit_file_pread(f, buf, 5, 0), 5);
		static const int data_blocks[] = {B_INNER, -1};
		CHECK(touched_exactly(c, data_blocks));
		isokit_file_close(f);
	}
	isokit_node_free(n);

	counter_reset(c);
	n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/hello.txt", &n), 0);
	static const int root_only[] = {B_ROOT, -1};
	CHECK(touched_exactly(c, root_only));
	isokit_node_free(n);

	counter_reset(c);
	n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/big.bin", &n), 0);
	CHECK(touched_exactly(c, root_only));
	if (n && isokit_file_open(img, n, &f) == 0) {
		counter_reset(c);
		uint8_t buf[16];
		CHECK_EQ_I64(isokit_file_pread(f, buf, 16, 2040), 16);
		static const int both_sections[] = {B_BIG, B_BIG + 1, -1};
		CHECK(touched_exactly(c, both_sections));
		isokit_file_close(f);
	}
	isokit_node_free(n);

	/* A full walk still reads only directories. */
	counter_reset(c);
	struct isokit_walk *w = NULL;
	CHECK_EQ_I64(isokit_walk_new(img, isokit_image_root(img), NULL, &w), 0);
	enum isokit_walk_event e;
	const struct isokit_node *node;
	const char *path;
	int rc, guard = 0;
	while (w && (rc = isokit_walk_next(w, &e, &node, &path)) > 0 &&
	       guard++ < 64)
		;
	isokit_walk_free(w);
	static const int dirs[] = {B_ROOT, B_SUB, -1};
	CHECK(touched_exactly(c, dirs));

	CHECK_EQ_U64(c->past_end, 0);
	isokit_image_close(img);
	free(c);
}

/* ---------------------------------------------------------------- damage */

static void walk_loop(bool sorted)
{
	struct miso_opts o = {.self_loop = true};
	uint8_t *b = miso_build(&o, IMG_SIZE);
	struct isokit_image *img = NULL;
	CHECK_EQ_I64(open_image(b, IMG_SIZE, NULL, &img), 0);
	if (!img) {
		free(b);
		return;
	}
	/* Lookup is bounded by the path, so it simply follows the loop. */
	struct isokit_node *n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/sub/loop/loop/inner.txt", &n), 0);
	isokit_node_free(n);

	struct isokit_walk_options wo = {.sorted = sorted};
	struct isokit_walk *w = NULL;
	CHECK_EQ_I64(isokit_walk_new(img, isokit_image_root(img), &wo, &w), 0);
	int loops = 0, other_errors = 0, events = 0, rc;
	bool saw_loop_entry = false, left_sub = false, left_root = false;
	bool msg_ok = false;
	enum isokit_walk_event e;
	const struct isokit_node *node;
	const char *path;
	while (w && events < 200) {
		rc = isokit_walk_next(w, &e, &node, &path);
		if (rc == 0)
			break;
		events++;
		if (rc == ISOKIT_E_LOOP) {
			loops++;
			/* The message names the directory's block. */
			char want[32];
			snprintf(want, sizeof(want), "sector %d", B_SUB);
			msg_ok = strstr(isokit_image_errmsg(img), want) != NULL;
			if (!msg_ok)
				printf("#   errmsg: %s\n", isokit_image_errmsg(img));
			continue;
		}
		if (rc < 0) {
			other_errors++;
			continue;
		}
		if (e == ISOKIT_WALK_ENTRY && strcmp(path, "sub/loop") == 0)
			saw_loop_entry = true;
		if (e == ISOKIT_WALK_DIR_LEAVE && strcmp(path, "sub") == 0)
			left_sub = true;
		if (e == ISOKIT_WALK_DIR_LEAVE && strcmp(path, "") == 0)
			left_root = true;
	}
	CHECK_EQ_I64(loops, 1);
	/* Regression: push_frame() once freed `owned` (which is `dir` for a
	 * child) and then read dir->dir_lba for the error's sector, a heap
	 * use-after-free that ASan caught; the message must name sector 21. */
	CHECK(msg_ok);
	CHECK_EQ_I64(other_errors, 0);
	CHECK(events < 200);
	CHECK(saw_loop_entry);
	CHECK(left_sub);
	CHECK(left_root);
	isokit_walk_free(w);
	isokit_image_close(img);
	free(b);
}

static void test_depth_limit(void)
{
	tap_note("max_depth 1: the root is listed, sub is not entered");
	struct miso_opts o = {0};
	uint8_t *b = miso_build(&o, IMG_SIZE);
	struct isokit_image *img = NULL;
	CHECK_EQ_I64(open_image(b, IMG_SIZE, NULL, &img), 0);
	for (int sorted = 0; img && sorted < 2; sorted++) {
		struct isokit_walk_options wo = {.sorted = sorted, .max_depth = 1};
		struct isokit_walk *w = NULL;
		CHECK_EQ_I64(isokit_walk_new(img, isokit_image_root(img), &wo, &w), 0);
		int limits = 0, entries = 0, enters = 0, leaves = 0, rc, guard = 0;
		enum isokit_walk_event e;
		const struct isokit_node *node;
		const char *path;
		while (w && guard++ < 100 &&
		       (rc = isokit_walk_next(w, &e, &node, &path)) != 0) {
			if (rc == ISOKIT_E_LIMIT)
				limits++;
			else if (rc > 0 && e == ISOKIT_WALK_ENTRY)
				entries++;
			else if (rc > 0 && e == ISOKIT_WALK_DIR_ENTER)
				enters++;
			else if (rc > 0 && e == ISOKIT_WALK_DIR_LEAVE)
				leaves++;
		}
		/* Regression: the ISOKIT_E_LIMIT branch had the same
		 * use-after-free. */
		CHECK_EQ_I64(limits, 1);
		CHECK_EQ_I64(entries, 5);
		CHECK_EQ_I64(enters, 1);
		CHECK_EQ_I64(leaves, 1);
		isokit_walk_free(w);
	}
	isokit_image_close(img);
	free(b);
}

static void test_loop(void)
{
	tap_note("directory pointing to itself: sorted walk reports ISOKIT_E_LOOP");
	walk_loop(true);
	tap_note("directory pointing to itself: streaming walk reports ISOKIT_E_LOOP");
	walk_loop(false);
}

static void test_extent_past_end(void)
{
	tap_note("file extent past the end of the image");
	struct miso_opts o = {.hello_lba = 1000};
	uint8_t *b = miso_build(&o, IMG_SIZE);
	struct findings fs = {.n = 0};
	struct isokit_open_options opt = {.on_finding = on_finding,
					  .finding_ctx = &fs};
	struct isokit_image *img = NULL;
	CHECK_EQ_I64(open_image(b, IMG_SIZE, &opt, &img), 0);
	if (!img) {
		free(b);
		return;
	}
	struct isokit_node *n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/hello.txt", &n), 0);
	CHECK(has_finding(&fs, "extent-range"));
	if (n) {
		CHECK_EQ_U64(isokit_node_stat(n)->lba, 1000);
		struct isokit_file *f = NULL;
		CHECK_EQ_I64(isokit_file_open(img, n, &f), ISOKIT_E_RANGE);
		CHECK(f == NULL);
		CHECK(strlen(isokit_image_errmsg(img)) > 0);
		isokit_node_free(n);
	}
	/* The rest of the image is unaffected. */
	n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/sub/inner.txt", &n), 0);
	isokit_node_free(n);
	isokit_image_close(img);
	free(b);
}

static void test_broken_multi(void)
{
	tap_note("multi-extent file whose next section is missing");
	struct miso_opts o = {.broken_multi = true};
	uint8_t *b = miso_build(&o, IMG_SIZE);
	struct isokit_image *img = NULL;
	CHECK_EQ_I64(open_image(b, IMG_SIZE, NULL, &img), 0);
	if (img) {
		struct isokit_node *n = NULL;
		CHECK_EQ_I64(isokit_image_lookup(img, "/big.bin", &n),
			     ISOKIT_E_CORRUPT);
		CHECK(n == NULL);
		isokit_image_close(img);
	}
	free(b);
}

static void test_er_only(void)
{
	tap_note("Rock Ridge announced by ER alone (no entry on the root)");
	struct miso_opts o = {.er_only = true};
	uint8_t *b = miso_build(&o, IMG_SIZE);
	struct isokit_image *img = NULL;
	CHECK_EQ_I64(open_image(b, IMG_SIZE, NULL, &img), 0);
	if (img) {
		CHECK(isokit_image_info(img)->has_rockridge);
		CHECK_STR(isokit_image_info(img)->rockridge_er_id, "RRIP_1991A");
		struct isokit_node *n = NULL;
		CHECK_EQ_I64(isokit_image_lookup(img, "/hello.txt", &n), 0);
		isokit_node_free(n);
		/* No PX on '.': the root gets the default directory mode. */
		CHECK_EQ_U64(isokit_node_stat(isokit_image_root(img))->mode,
			     040755);
		isokit_image_close(img);
	}
	free(b);
}

static void test_truncated(void)
{
	struct miso_opts o = {0};
	struct isokit_image *img = NULL;

	tap_note("one block short of the volume size");
	uint8_t *b = miso_build(&o, IMG_SIZE - BLK);
	CHECK_EQ_I64(open_image(b, IMG_SIZE - BLK, NULL, &img), ISOKIT_E_TRUNCATED);
	CHECK(img == NULL);
	free(b);

	tap_note("one byte short");
	b = miso_build(&o, IMG_SIZE - 1);
	CHECK_EQ_I64(open_image(b, IMG_SIZE - 1, NULL, &img), ISOKIT_E_TRUNCATED);
	free(b);

	tap_note("cut right after the PVD (no terminator, no root)");
	b = miso_build(&o, 17 * BLK);
	CHECK_EQ_I64(open_image(b, 17 * BLK, NULL, &img), ISOKIT_E_TRUNCATED);
	free(b);

	/* Opened anyway on request, cut before inner.txt's data: the
	 * missing block is reported when a file needs it. */
	tap_note("cut before a file's data, allow_truncated");
	const size_t cut = (size_t)B_INNER * BLK;
	b = miso_build(&o, cut);
	CHECK_EQ_I64(open_image(b, cut, NULL, &img), ISOKIT_E_TRUNCATED);
	struct findings fs = {.n = 0};
	struct isokit_open_options opt = {.on_finding = on_finding,
					  .finding_ctx = &fs,
					  .allow_truncated = true};
	CHECK_EQ_I64(open_image(b, cut, &opt, &img), 0);
	CHECK(has_finding(&fs, "truncated"));
	if (img) {
		CHECK_EQ_U64(isokit_image_info(img)->image_bytes, cut);
		struct isokit_node *n = NULL;
		CHECK_EQ_I64(isokit_image_lookup(img, "/sub/inner.txt", &n), 0);
		if (n) {
			struct isokit_file *f = NULL;
			CHECK_EQ_I64(isokit_file_open(img, n, &f), ISOKIT_E_RANGE);
			CHECK(f == NULL);
			isokit_node_free(n);
		}
		n = NULL;
		CHECK_EQ_I64(isokit_image_lookup(img, "/hello.txt", &n), 0);
		if (n) {
			struct isokit_file *f = NULL;
			CHECK_EQ_I64(isokit_file_open(img, n, &f), 0);
			char buf[13];
			if (f)
				CHECK_EQ_I64(isokit_file_pread(f, buf, 13, 0), 13);
			isokit_file_close(f);
			isokit_node_free(n);
		}
		isokit_image_close(img);
	}
	free(b);
}

static void test_not_iso(void)
{
	struct miso_opts o = {0};
	struct isokit_image *img = NULL;
	tap_note("no CD001 at block 16");
	uint8_t *b = miso_build(&o, IMG_SIZE);
	b[B_PVD * BLK + 1] = 'X';
	CHECK_EQ_I64(open_image(b, IMG_SIZE, NULL, &img), ISOKIT_E_NOTISO);
	CHECK(img == NULL);
	/* All zero. */
	memset(b, 0, IMG_SIZE);
	CHECK_EQ_I64(open_image(b, IMG_SIZE, NULL, &img), ISOKIT_E_NOTISO);
	free(b);

	tap_note("far too small");
	b = malloc(100);
	if (!b)
		abort();
	memset(b, 0, 100);
	CHECK_EQ_I64(open_image(b, 100, NULL, &img), ISOKIT_E_NOTISO);
	CHECK_EQ_I64(open_image(b, 0, NULL, &img), ISOKIT_E_NOTISO);
	free(b);
}

int main(void)
{
	struct miso_opts o = {0};
	uint8_t *image = miso_build(&o, IMG_SIZE);
	struct isokit_image *img = NULL;
	tap_note("open the good image");
	CHECK_EQ_I64(open_image(image, IMG_SIZE, NULL, &img), 0);
	if (img) {
		test_info_and_lookup(img);
		test_multi_extent(img);
		test_walk(img);
		isokit_image_close(img);
	}
	test_counting(image);
	free(image);

	test_extent_past_end();
	test_broken_multi();
	test_er_only();
	test_truncated();
	test_not_iso();
	test_loop();
	test_depth_limit();
	return tap_done();
}
