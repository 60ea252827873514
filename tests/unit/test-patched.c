// SPDX-License-Identifier: MIT
/*
 * The reader on the in-memory test image (tests/harness/memiso.c) with
 * bytes patched into it: record flags (hidden, associated, both-endian
 * mismatch, XA length), damaged or unusual volume descriptors, and names
 * that are not safe path components. Every image is opened from an
 * exact-size heap buffer.
 */
#include <stdlib.h>
#include <sys/stat.h>

#include <isokit/isokit.h>

#include "config.h"

#include "harness/findings.h"
#include "harness/imgtest.h"
#include "harness/memiso.h"
#include "harness/tap.h"

static void test_patched_flags(void)
{
	struct miso_opts o = {0};
	struct isokit_image *img;
	struct isokit_node *n;

	tap_note("existence (hidden) bit: shown, flagged");
	uint8_t *b = miso_build(&o, MISO_SIZE);
	size_t r = find_record(b, B_ROOT, "HELLO.TXT;1");
	b[r + 25] |= 0x01;
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (img) {
		n = NULL;
		CHECK_EQ_I64(isokit_image_lookup(img, "/hello.txt", &n), 0);
		if (n) {
			CHECK(isokit_node_stat(n)->hidden);
			isokit_node_free(n);
		}
		isokit_image_close(img);
	}

	tap_note("associated-file bit: not listed");
	b[r + 25] = 0x04;
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (img) {
		n = NULL;
		CHECK_EQ_I64(isokit_image_lookup(img, "/hello.txt", &n),
			     ISOKIT_E_NOENT);
		static const char *const want[] = {
			"D ",	  "E big.bin", "E empty", "E link", "E sub",
			"D sub", "E sub/inner.txt", "L sub", "L ", NULL,
		};
		CHECK_EQ_I64(walk_expect(img, want, __LINE__), 0);
		isokit_image_close(img);
	}
	free(b);

	tap_note("extended attribute record: data starts XA-length blocks in");
	b = miso_build(&o, MISO_SIZE);
	r = find_record(b, B_ROOT, "HELLO.TXT;1");
	b[r + 1] = 1; /* one block of extended attribute record */
	static const uint8_t before[8] = {B_HELLO - 1, 0, 0, 0,
					  0, 0, 0, B_HELLO - 1};
	memcpy(b + r + 2, before, 8);
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (img) {
		READ_EXPECT(img, "/hello.txt", MISO_HELLO);
		isokit_image_close(img);
	}
	free(b);

	tap_note("size halves disagree: LE used, finding reported");
	b = miso_build(&o, MISO_SIZE);
	r = find_record(b, B_ROOT, "HELLO.TXT;1");
	b[r + 17] = 0xFF; /* last byte of the BE half of the size */
	struct findings fs = {.n = 0};
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, &fs, &img), 0);
	if (img) {
		n = NULL;
		CHECK_EQ_I64(isokit_image_lookup(img, "/hello.txt", &n), 0);
		if (n) {
			CHECK_EQ_U64(isokit_node_stat(n)->size, 13);
			isokit_node_free(n);
		}
		CHECK(has_finding(&fs, "both-endian"));
		isokit_image_close(img);
	}
	free(b);
}

static void test_descriptors(void)
{
	struct miso_opts o = {0};
	struct isokit_image *img;
	const size_t pvd = (size_t)B_PVD * MISO_BLK;
	uint8_t *b = miso_build(&o, MISO_SIZE);

	tap_note("no terminator: a finding, the image still opens");
	struct findings fs = {.n = 0};
	memset(b + pvd + MISO_BLK, 0, MISO_BLK);
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, &fs, &img), 0);
	CHECK(has_finding(&fs, "vd-set"));
	if (img) {
		CHECK_EQ_U64(isokit_image_info(img)->vd_count, 1);
		READ_EXPECT(img, "/sub/inner.txt", MISO_INNER);
		isokit_image_close(img);
	}
	free(b);

	tap_note("volume space size smaller than the data (Office XP)");
	b = miso_build(&o, MISO_SIZE);
	/* 20 = 0x14, both-endian */
	static const uint8_t twenty[8] = {0x14, 0, 0, 0, 0, 0, 0, 0x14};
	memcpy(b + pvd + 80, twenty, 8);
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (img) {
		CHECK_EQ_U64(isokit_image_info(img)->volume_blocks, 20);
		READ_EXPECT(img, "/sub/inner.txt", MISO_INNER);
		isokit_image_close(img);
	}
	free(b);

	tap_note("isomd5sum tag in the application use field; GPT signature");
	b = miso_build(&o, MISO_SIZE);
	static const char tag[] = "ISO MD5SUM = 0123456789abcdef0123456789ABCDEF;"
				  "SKIPSECTORS = 15;RHLISOSTATUS=0;";
	memcpy(b + pvd + 883, tag, sizeof(tag) - 1);
	memcpy(b + 512, "EFI PART", 8);
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (img) {
		CHECK(isokit_image_info(img)->has_isomd5sum);
		CHECK_STR(isokit_image_info(img)->isomd5sum,
			  "0123456789abcdef0123456789ABCDEF");
		CHECK(isokit_image_info(img)->has_gpt);
		CHECK(!isokit_image_info(img)->has_mbr);
		isokit_image_close(img);
	}
	b[pvd + 883 + 13 + 31] = 'g'; /* not hex */
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (img) {
		CHECK(!isokit_image_info(img)->has_isomd5sum);
		isokit_image_close(img);
	}
	free(b);

	tap_note("logical block size 512: not supported");
	b = miso_build(&o, MISO_SIZE);
	static const uint8_t b512[4] = {0x00, 0x02, 0x02, 0x00};
	memcpy(b + pvd + 128, b512, 4);
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img),
		     ISOKIT_E_UNSUPPORTED);
	free(b);

	tap_note("PVD root record of length 0");
	b = miso_build(&o, MISO_SIZE);
	b[pvd + 156] = 0;
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img),
		     ISOKIT_E_CORRUPT);
	free(b);

	tap_note("High Sierra signature instead of CD001");
	b = miso_build(&o, MISO_SIZE);
	memset(b + pvd, 0, MISO_BLK);
	b[pvd + 8] = 1;
	memcpy(b + pvd + 9, "CDROM", 5);
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img),
		     ISOKIT_E_UNSUPPORTED);
	free(b);

	tap_note("root extent outside the image");
	b = miso_build(&o, MISO_SIZE);
	static const uint8_t far[8] = {0x10, 0x27, 0, 0, 0, 0, 0x27, 0x10};
	memcpy(b + pvd + 156 + 2, far, 8); /* 10000 */
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img),
		     ISOKIT_E_RANGE);
	free(b);
}

static void test_unsafe_names(void)
{
	tap_note("Rock Ridge name \"../\": flagged, listed as an entry, not descended");
	struct miso_opts o = {0};
	uint8_t *b = miso_build(&o, MISO_SIZE);
	size_t r = find_record(b, B_ROOT, "SUB");
	/* NM at the start of the record's System Use: N M 8 1 0 s u b */
	size_t nm = r + 33 + 3;
	CHECK_MEM(b + nm, "NM\x08\x01\x00sub", 8);
	memcpy(b + nm + 5, "../", 3);
	struct isokit_image *img;
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (img) {
		static const char *const want[] = {
			"D ", "E ../", "E big.bin", "E empty", "E hello.txt",
			"E link", "L ", NULL,
		};
		CHECK_EQ_I64(walk_expect(img, want, __LINE__), 0);
		struct isokit_dir *d = NULL;
		CHECK_EQ_I64(isokit_dir_open(img, isokit_image_root(img), &d), 0);
		const struct isokit_node *node;
		bool flagged = false;
		while (d && isokit_dir_next(d, &node) > 0)
			if (strcmp(isokit_node_name(node), "../") == 0)
				flagged = isokit_node_stat(node)->unsafe_name;
		isokit_dir_close(d);
		CHECK(flagged);
		isokit_image_close(img);
	}

	tap_note("Rock Ridge name with an embedded NUL");
	memcpy(b + nm + 5, "..\0", 3);
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (img) {
		struct isokit_dir *d = NULL;
		CHECK_EQ_I64(isokit_dir_open(img, isokit_image_root(img), &d), 0);
		const struct isokit_node *node;
		int unsafe = 0;
		while (d && isokit_dir_next(d, &node) > 0)
			unsafe += isokit_node_stat(node)->unsafe_name;
		isokit_dir_close(d);
		CHECK_EQ_I64(unsafe, 1);
		isokit_image_close(img);
	}
	free(b);
}

int main(void)
{
	test_patched_flags();
	test_descriptors();
	test_unsafe_names();
	return tap_done();
}
