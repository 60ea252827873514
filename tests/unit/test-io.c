// SPDX-License-Identifier: MIT
/* Byte sources (isokit/io.h): callbacks, memory and file backends, the
 * size contract, read counting, ownership on a failed open, and opening an
 * image by path. */
#include <stdlib.h>
#include <unistd.h>

#include <isokit/isokit.h>

#include "harness/memiso.h"
#include "harness/tap.h"

struct cb {
	const uint8_t *data;
	uint64_t size;
	int reads, closes, past_end;
	int fail_at; /* make the Nth read fail with ISOKIT_E_IO (0: never) */
};

static int cb_read(void *vctx, uint64_t off, void *buf, size_t len)
{
	struct cb *c = vctx;
	c->reads++;
	if (off > c->size || len > c->size - off) {
		c->past_end++;
		return ISOKIT_E_IO;
	}
	if (c->fail_at && c->reads == c->fail_at)
		return ISOKIT_E_IO;
	memcpy(buf, c->data + off, len);
	return 0;
}

static void cb_close(void *vctx)
{
	struct cb *c = vctx;
	c->closes++;
}

static void test_callbacks(void)
{
	tap_note("callback source");
	static const uint8_t data[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	struct cb c = {.data = data, .size = sizeof(data)};
	static const struct isokit_source_ops ops = {cb_read, cb_close};
	struct isokit_source *src = (struct isokit_source *)&c; /* not NULL */
	CHECK_EQ_I64(isokit_source_new(&ops, &c, sizeof(data), &src), 0);
	if (!src)
		return;
	CHECK_EQ_U64(isokit_source_size(src), 10);
	CHECK_EQ_I64(isokit_source_fd(src), -1);
	uint8_t buf[10];
	CHECK_EQ_I64(isokit_source_read(src, 2, buf, 3), 0);
	CHECK_MEM(buf, data + 2, 3);
	CHECK_EQ_I64(isokit_source_read(src, 0, buf, 10), 0);
	CHECK_EQ_U64(isokit_source_read_count(src), 2);
	/* Past the end: refused before the callback is asked. */
	CHECK_EQ_I64(isokit_source_read(src, 8, buf, 3), ISOKIT_E_TRUNCATED);
	CHECK_EQ_I64(isokit_source_read(src, 11, buf, 0), ISOKIT_E_TRUNCATED);
	CHECK_EQ_I64(isokit_source_read(src, UINT64_MAX, buf, 2),
		     ISOKIT_E_TRUNCATED);
	CHECK_EQ_I64(c.past_end, 0);
	CHECK_EQ_I64(c.reads, 2);
	/* Zero bytes at the very end is fine. */
	CHECK_EQ_I64(isokit_source_read(src, 10, buf, 0), 0);
	/* The callback's error comes through. */
	c.fail_at = c.reads + 1;
	CHECK_EQ_I64(isokit_source_read(src, 0, buf, 1), ISOKIT_E_IO);
	isokit_source_free(src);
	CHECK_EQ_I64(c.closes, 1);
	isokit_source_free(NULL);

	tap_note("callback source without read_at");
	static const struct isokit_source_ops bad = {NULL, NULL};
	src = (struct isokit_source *)&c;
	CHECK_EQ_I64(isokit_source_new(&bad, &c, 10, &src), ISOKIT_E_INVAL);
	CHECK(src == NULL);
	CHECK_EQ_I64(isokit_source_new(NULL, &c, 10, &src), ISOKIT_E_INVAL);
}

static void test_memory(void)
{
	tap_note("memory source");
	uint8_t *data = malloc(5);
	if (!data)
		abort();
	memcpy(data, "abcde", 5);
	struct isokit_source *src = NULL;
	CHECK_EQ_I64(isokit_source_from_memory(data, 5, &src), 0);
	if (src) {
		char buf[5];
		CHECK_EQ_I64(isokit_source_read(src, 1, buf, 4), 0);
		CHECK_MEM(buf, "bcde", 4);
		CHECK_EQ_I64(isokit_source_read(src, 1, buf, 5), ISOKIT_E_TRUNCATED);
		CHECK_EQ_I64(isokit_source_fd(src), -1);
		isokit_source_free(src);
	}
	free(data);
}

static void test_ownership(void)
{
	tap_note("isokit_image_open_source owns the source, also on failure");
	static const uint8_t zero[40000];
	struct cb c = {.data = zero, .size = sizeof(zero)};
	static const struct isokit_source_ops ops = {cb_read, cb_close};
	struct isokit_source *src = NULL;
	CHECK_EQ_I64(isokit_source_new(&ops, &c, sizeof(zero), &src), 0);
	struct isokit_image *img = (struct isokit_image *)&c;
	CHECK_EQ_I64(isokit_image_open_source(src, NULL, &img), ISOKIT_E_NOTISO);
	CHECK(img == NULL);
	CHECK_EQ_I64(c.closes, 1);
	CHECK_EQ_I64(c.past_end, 0);

	tap_note("a read error while opening");
	struct miso_opts o = {0};
	uint8_t *b = miso_build(&o, MISO_SIZE);
	for (int n = 1; n <= 6; n++) {
		struct cb f = {.data = b, .size = MISO_SIZE, .fail_at = n};
		src = NULL;
		CHECK_EQ_I64(isokit_source_new(&ops, &f, MISO_SIZE, &src), 0);
		img = NULL;
		int rc = isokit_image_open_source(src, NULL, &img);
		if (f.reads >= n) {
			/* The failing read was made: open must fail with it. */
			CHECK_EQ_I64(rc, ISOKIT_E_IO);
			CHECK(img == NULL);
		}
		isokit_image_close(img);
		CHECK_EQ_I64(f.closes, 1);
	}
	free(b);
}

static void test_file(void)
{
	tap_note("file source and isokit_image_open");
	struct isokit_source *src = NULL;
	CHECK_EQ_I64(isokit_source_open_file("/nonexistent/isokit-test.iso", &src),
		     ISOKIT_E_NOENT);
	CHECK(src == NULL);
	CHECK_EQ_I64(isokit_source_open_file("/", &src), ISOKIT_E_ISDIR);

	const char *dir = getenv("TMPDIR");
	char path[512];
	snprintf(path, sizeof(path), "%s/isokit-test-io-XXXXXX",
		 dir && dir[0] ? dir : "/tmp");
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	struct miso_opts o = {0};
	uint8_t *b = miso_build(&o, MISO_SIZE);
	CHECK_EQ_I64(write(fd, b, MISO_SIZE), (int64_t)MISO_SIZE);
	close(fd);

	CHECK_EQ_I64(isokit_source_open_file(path, &src), 0);
	if (src) {
		CHECK_EQ_U64(isokit_source_size(src), MISO_SIZE);
		CHECK(isokit_source_fd(src) >= 0);
		uint8_t pvd[6];
		CHECK_EQ_I64(isokit_source_read(src, (uint64_t)B_PVD * MISO_BLK,
						 pvd, 6), 0);
		CHECK_MEM(pvd, "\001CD001", 6);
		CHECK_EQ_I64(isokit_source_read(src, MISO_SIZE - 1, pvd, 2),
			     ISOKIT_E_TRUNCATED);
		isokit_source_free(src);
	}

	struct isokit_image *img = NULL;
	CHECK_EQ_I64(isokit_image_open(path, NULL, &img), 0);
	if (img) {
		CHECK_STR(isokit_image_info(img)->volume_id, "ISOKIT_TEST");
		struct isokit_node *n = NULL;
		CHECK_EQ_I64(isokit_image_lookup(img, "/sub/inner.txt", &n), 0);
		if (n) {
			struct isokit_file *f = NULL;
			CHECK_EQ_I64(isokit_file_open(img, n, &f), 0);
			char buf[8] = {0};
			if (f)
				CHECK_EQ_I64(isokit_file_pread(f, buf, 8, 0), 5);
			CHECK_STR(buf, MISO_INNER);
			isokit_file_close(f);
			isokit_node_free(n);
		}
		isokit_image_close(img);
	}
	unlink(path);
	free(b);

	tap_note("isokit_image_open_ex explains a missing file");
	img = NULL;
	CHECK_EQ_I64(isokit_image_open_ex(path, NULL, &img), ISOKIT_E_NOENT);
	CHECK(img != NULL);
	CHECK(strlen(isokit_image_errmsg(img)) > 0);
	isokit_image_close(img);
	img = (struct isokit_image *)&o;
	CHECK_EQ_I64(isokit_image_open(path, NULL, &img), ISOKIT_E_NOENT);
	CHECK(img == NULL);
	CHECK_STR(isokit_image_errmsg(NULL), "");
	isokit_image_close(NULL);
}

int main(void)
{
	test_callbacks();
	test_memory();
	test_ownership();
	test_file();
	return tap_done();
}
