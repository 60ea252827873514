// SPDX-License-Identifier: MIT
/*
 * The reader on variants of the in-memory test image (tests/harness/
 * memiso.c): plain ISO 9660 names, CD-ROM XA records and SUSP LEN_SKP,
 * continuation areas (and a CE loop), Rock Ridge directory relocation
 * (CL/PL/RE, hidden rr_moved), a Joliet tree, El Torito and the MBR,
 * zisofs and a directory wider than the read window (patched images are in
 * test-patched.c). Every image is opened from an exact-size heap buffer.
 */
#include <stdlib.h>
#include <sys/stat.h>

#include <isokit/isokit.h>

#include "config.h"

#include "harness/findings.h"
#include "harness/imgtest.h"
#include "harness/memiso.h"
#include "harness/tap.h"

/* ---------------------------------------------------------------- helpers */

static const char *const rr_tree[] = {
	"D ",		"E big.bin",	 "E empty",
	"E hello.txt",	"E link",	 "E sub",
	"D sub",	"E sub/inner.txt", "L sub",
	"L ",		NULL,
};

/* ---------------------------------------------------------------- tests */

static void test_plain_iso9660(void)
{
	tap_note("namespace ISO 9660 on a Rock Ridge image: plain names");
	struct miso_opts o = {0};
	uint8_t *b = miso_build(&o, MISO_SIZE);
	struct isokit_image *img;
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_ISO9660, NULL, &img), 0);
	if (img) {
		CHECK_EQ_I64(isokit_image_info(img)->ns, ISOKIT_NS_ISO9660);
		/* Rock Ridge is still detected, just not used. */
		CHECK(isokit_image_info(img)->has_rockridge);
		static const char *const want[] = {
			"D ",	     "E BIG.BIN",	"E EMPTY",
			"E HELLO.TXT", "E LINK",	"E SUB",
			"D SUB",     "E SUB/INNER.TXT", "L SUB",
			"L ",	     NULL,
		};
		CHECK_EQ_I64(walk_expect(img, want, __LINE__), 0);
		struct isokit_node *n = NULL;
		CHECK_EQ_I64(isokit_image_lookup(img, "/HELLO.TXT", &n), 0);
		if (n) {
			const struct isokit_stat *st = isokit_node_stat(n);
			CHECK_EQ_U64(st->mode, S_IFREG | 0644);
			CHECK_EQ_U64(st->nlink, 1);
			CHECK(!st->has_owner);
			CHECK_EQ_U64(st->size, 13);
			CHECK_EQ_I64(st->mtime.sec, T_RECORD);
			isokit_node_free(n);
		}
		n = NULL;
		CHECK_EQ_I64(isokit_image_lookup(img, "/hello.txt", &n), ISOKIT_E_NOENT);
		/* Without Rock Ridge the link is an empty file. */
		CHECK_EQ_I64(isokit_image_lookup(img, "/LINK", &n), 0);
		if (n) {
			CHECK(S_ISREG(isokit_node_stat(n)->mode));
			CHECK(isokit_node_link_target(n) == NULL);
			/* Two empty files both at extent 0 are still two
			 * files: the extent of an empty file is no identity. */
			struct isokit_node *e = NULL;
			CHECK_EQ_I64(isokit_image_lookup(img, "/EMPTY", &e), 0);
			CHECK(e && isokit_node_stat(e)->ino != isokit_node_stat(n)->ino);
			isokit_node_free(e);
			isokit_node_free(n);
		}
		n = NULL;
		CHECK_EQ_I64(isokit_image_lookup(img, "/SUB", &n), 0);
		if (n) {
			CHECK_EQ_U64(isokit_node_stat(n)->mode, S_IFDIR | 0755);
			isokit_node_free(n);
		}
		READ_EXPECT(img, "/SUB/INNER.TXT", MISO_INNER);
		isokit_image_close(img);
	}
	free(b);
}

static void check_rr_image(const struct miso_opts *o, uint32_t skip, int line)
{
	uint8_t *b = miso_build(o, MISO_SIZE);
	struct isokit_image *img;
	int rc = open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img);
	tap_eq_i64_(rc, 0, "open", "0", __FILE__, line);
	if (img) {
		const struct isokit_volume_info *info = isokit_image_info(img);
		tap_result_(info->has_rockridge, __FILE__, line, "has_rockridge");
		tap_str_(info->rockridge_er_id, "RRIP_1991A", "rockridge_er_id",
			 "RRIP_1991A", __FILE__, line);
		tap_eq_u64_(info->susp_skip, skip, "susp_skip", "skip", __FILE__,
			    line);
		tap_eq_i64_(walk_expect(img, rr_tree, line), 0, "walk", "0",
			    __FILE__, line);
		struct isokit_node *n = NULL;
		rc = isokit_image_lookup(img, "/hello.txt", &n);
		tap_eq_i64_(rc, 0, "lookup /hello.txt", "0", __FILE__, line);
		if (n) {
			const struct isokit_stat *st = isokit_node_stat(n);
			tap_eq_u64_(st->mode, 0100644, "mode", "0100644", __FILE__, line);
			tap_eq_u64_(st->uid, 1000, "uid", "1000", __FILE__, line);
			tap_eq_i64_(st->mtime.sec, T_HELLO_MTIME, "mtime",
				    "T_HELLO_MTIME", __FILE__, line);
			isokit_node_free(n);
		}
		n = NULL;
		rc = isokit_image_lookup(img, "/link", &n);
		tap_eq_i64_(rc, 0, "lookup /link", "0", __FILE__, line);
		if (n) {
			tap_str_(isokit_node_link_target(n), "/usr/bin", "target",
				 "/usr/bin", __FILE__, line);
			isokit_node_free(n);
		}
		read_expect(img, "/sub/inner.txt", MISO_INNER, line);
		isokit_image_close(img);
	}
	free(b);
}

static void test_susp_variants(void)
{
	tap_note("CD-ROM XA record before SP and in every record");
	struct miso_opts o = {.xa = true};
	check_rr_image(&o, 0, __LINE__);

	tap_note("SP LEN_SKP = 4: four bytes skipped in every other record");
	o = (struct miso_opts){.sp_skip = 4};
	check_rr_image(&o, 4, __LINE__);

	tap_note("XA and LEN_SKP together");
	o = (struct miso_opts){.xa = true, .sp_skip = 3};
	check_rr_image(&o, 3, __LINE__);

	tap_note("ER and the end of an NM in a continuation area");
	o = (struct miso_opts){.ce = true};
	check_rr_image(&o, 0, __LINE__);

	tap_note("continuation areas with XA and LEN_SKP");
	o = (struct miso_opts){.ce = true, .xa = true, .sp_skip = 2};
	check_rr_image(&o, 2, __LINE__);
}

static void test_ce_loop(void)
{
	tap_note("a continuation area that points at itself");
	struct miso_opts o = {.ce_loop = true};
	uint8_t *b = miso_build(&o, MISO_SIZE);
	struct isokit_image *img;
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (img) {
		struct isokit_node *n = NULL;
		CHECK_EQ_I64(isokit_image_lookup(img, "/hello.txt", &n),
			     ISOKIT_E_LOOP);
		CHECK(n == NULL);
		/* Entries before the damaged record are still found. */
		READ_EXPECT(img, "/sub/inner.txt", MISO_INNER);

		/* Streaming walk: the error is reported once, the rest of
		 * the root is left out, and the walk goes on with what it
		 * had met (sub). */
		static const char *const want[] = {
			"D ", "E sub", "D sub", "E sub/inner.txt", "L sub", "L ",
			NULL,
		};
		struct isokit_walk *w = NULL;
		CHECK_EQ_I64(isokit_walk_new(img, isokit_image_root(img), NULL, &w), 0);
		enum isokit_walk_event e;
		const struct isokit_node *node;
		const char *path;
		int rc, loops = 0, guard = 0;
		size_t i = 0;
		while (w && guard++ < 50 &&
		       (rc = isokit_walk_next(w, &e, &node, &path)) != 0) {
			if (rc == ISOKIT_E_LOOP) {
				loops++;
				continue;
			}
			char got[300];
			snprintf(got, sizeof(got), "%c %s",
				 e == ISOKIT_WALK_ENTRY ? 'E'
				 : e == ISOKIT_WALK_DIR_ENTER ? 'D' : 'L', path);
			CHECK_STR(got, want[i]);
			if (want[i])
				i++;
		}
		CHECK_EQ_I64(loops, 1);
		CHECK(want[i] == NULL);
		isokit_walk_free(w);

		/* Sorted walk: the root cannot be listed at all. */
		struct isokit_walk_options wo = {.sorted = true};
		w = NULL;
		CHECK_EQ_I64(isokit_walk_new(img, isokit_image_root(img), &wo, &w), 0);
		if (w) {
			CHECK_EQ_I64(isokit_walk_next(w, &e, &node, &path), ISOKIT_E_LOOP);
			CHECK_EQ_I64(isokit_walk_next(w, &e, &node, &path), 0);
			isokit_walk_free(w);
		}
		isokit_image_close(img);
	}
	free(b);

	tap_note("a continuation area past the end of the image");
	o = (struct miso_opts){.ce = true};
	b = miso_build(&o, MISO_SIZE);
	size_t r = find_record(b, B_ROOT, "HELLO.TXT;1");
	/* The CE entry is the last one of the record; patch its block. */
	const uint8_t *rec = b + r;
	size_t su = r + 33 + 11;
	size_t end = r + rec[0];
	size_t ce = 0;
	for (size_t p = su; p + 4 <= end && b[p]; p += b[p + 2])
		if (b[p] == 'C' && b[p + 1] == 'E')
			ce = p;
	CHECK(ce != 0);
	if (ce) {
		/* block 5000: 88 13 00 00 | 00 00 13 88 */
		static const uint8_t blk[8] = {0x88, 0x13, 0, 0, 0, 0, 0x13, 0x88};
		memcpy(b + ce + 4, blk, 8);
		CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
		if (img) {
			struct isokit_node *n = NULL;
			CHECK_EQ_I64(isokit_image_lookup(img, "/hello.txt", &n),
				     ISOKIT_E_RANGE);
			isokit_image_close(img);
		}
	}
	free(b);
}

static void test_relocation(void)
{
	tap_note("relocated directory: CL stand-in, RE in rr_moved, PL");
	struct miso_opts o = {.relocate = true};
	uint8_t *b = miso_build(&o, MISO_SIZE);
	struct isokit_image *img;
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (!img) {
		free(b);
		return;
	}
	/* rr_moved holds only RE entries, so it is hidden. */
	static const char *const want[] = {
		"D ",	      "E big.bin",	   "E empty",
		"E hello.txt", "E link",	   "E sub",
		"D sub",      "E sub/deep",	   "E sub/inner.txt",
		"D sub/deep", "E sub/deep/file.txt", "L sub/deep",
		"L sub",      "L ",		   NULL,
	};
	CHECK_EQ_I64(walk_expect(img, want, __LINE__), 0);
	struct isokit_node *n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/rr_moved", &n), ISOKIT_E_NOENT);
	CHECK_EQ_I64(isokit_image_lookup(img, "/sub/deep", &n), 0);
	if (n) {
		const struct isokit_stat *st = isokit_node_stat(n);
		CHECK(isokit_node_is_dir(n));
		CHECK(st->relocated);
		/* Attributes come from the relocated directory's '.'. */
		CHECK_EQ_U64(st->mode, 040711);
		CHECK_EQ_U64(st->lba, B_DEEP);
		CHECK_EQ_U64(st->size, MISO_BLK);
		isokit_node_free(n);
	}
	READ_EXPECT(img, "/sub/deep/file.txt", MISO_INNER);
	isokit_image_close(img);

	tap_note("rr_moved with another entry: shown, its RE entry is not");
	free(b);
	o.moved_extra = true;
	b = miso_build(&o, MISO_SIZE);
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (img) {
		static const char *const want2[] = {
			"D ",	      "E big.bin",	   "E empty",
			"E hello.txt", "E link",	   "E rr_moved",
			"E sub",      "D rr_moved",	   "E rr_moved/keep.txt",
			"L rr_moved", "D sub",		   "E sub/deep",
			"E sub/inner.txt", "D sub/deep",    "E sub/deep/file.txt",
			"L sub/deep", "L sub",		   "L ",
			NULL,
		};
		CHECK_EQ_I64(walk_expect(img, want2, __LINE__), 0);
		isokit_image_close(img);
	}

	tap_note("the same image as plain ISO 9660: rr_moved is a directory");
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_ISO9660, NULL, &img), 0);
	if (img) {
		READ_EXPECT(img, "/RR_MOVED/DEEP/FILE.TXT", MISO_INNER);
		n = NULL;
		CHECK_EQ_I64(isokit_image_lookup(img, "/SUB/DEEP", &n), 0);
		if (n) {
			CHECK(!isokit_node_is_dir(n));
			CHECK_EQ_U64(isokit_node_stat(n)->size, 0);
			isokit_node_free(n);
		}
		isokit_image_close(img);
	}
	free(b);
}

static void test_joliet(void)
{
	tap_note("Joliet: detection, label, namespace choice");
	struct miso_opts o = {.joliet = true};
	uint8_t *b = miso_build(&o, MISO_SIZE);
	struct isokit_image *img;
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (img) {
		const struct isokit_volume_info *info = isokit_image_info(img);
		CHECK(info->has_joliet);
		CHECK_EQ_I64(info->joliet_level, 3);
		CHECK_EQ_U64(info->vd_count, 3);
		CHECK_STR(info->volume_id, "ISOKIT_TEST");
		CHECK_STR(info->volume_label, "J\xC3\xB6liet Vol");
		/* Rock Ridge wins when both are there. */
		CHECK_EQ_I64(info->ns, ISOKIT_NS_ROCKRIDGE);
		CHECK_EQ_I64(walk_expect(img, rr_tree, __LINE__), 0);
		isokit_image_close(img);
	}

	tap_note("Joliet tree");
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_JOLIET, NULL, &img), 0);
	if (img) {
		CHECK_EQ_I64(isokit_image_info(img)->ns, ISOKIT_NS_JOLIET);
		CHECK_EQ_U64(isokit_node_stat(isokit_image_root(img))->lba, B_JROOT);
		static const char *const want[] = {
			"D ",
			"E big.bin",
			"E hello.txt",
			"E sub",
			"E \xC3\x9Cn\xC3\xAF" "code \xE6\x97\xA5\xE6\x9C\xAC.txt",
			"D sub",
			"E sub/inner.txt",
			"L sub",
			"L ",
			NULL,
		};
		CHECK_EQ_I64(walk_expect(img, want, __LINE__), 0);
		READ_EXPECT(img, "/hello.txt", MISO_HELLO);
		READ_EXPECT(img, "/sub/inner.txt", MISO_INNER);
		READ_EXPECT(img, "/\xC3\x9Cn\xC3\xAF" "code \xE6\x97\xA5\xE6\x9C\xAC.txt",
			    MISO_INNER);
		struct isokit_node *n = NULL;
		CHECK_EQ_I64(isokit_image_lookup(img, "/hello.txt;1", &n),
			     ISOKIT_E_NOENT);
		CHECK_EQ_I64(isokit_image_lookup(img, "/big.bin", &n), 0);
		if (n) {
			CHECK_EQ_U64(isokit_node_stat(n)->size, MISO_BIG_SIZE);
			CHECK_EQ_U64(isokit_node_stat(n)->extents, 2);
			CHECK_EQ_U64(isokit_node_stat(n)->mode, S_IFREG | 0644);
			struct isokit_file *f = NULL;
			CHECK_EQ_I64(isokit_file_open(img, n, &f), 0);
			if (f) {
				uint8_t buf[8], want8[8];
				for (size_t i = 0; i < 8; i++)
					want8[i] = miso_big_byte(2044 + i);
				CHECK_EQ_I64(isokit_file_pread(f, buf, 8, 2044), 8);
				CHECK_MEM(buf, want8, 8);
				isokit_file_close(f);
			}
			isokit_node_free(n);
		}
		isokit_image_close(img);
	}
	free(b);

	tap_note("asking for a tree the image does not have");
	o = (struct miso_opts){0};
	b = miso_build(&o, MISO_SIZE);
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_JOLIET, NULL, &img),
		     ISOKIT_E_UNSUPPORTED);
	CHECK(img == NULL);
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_ISO9660_1999, NULL, &img),
		     ISOKIT_E_UNSUPPORTED);
	free(b);
	o = (struct miso_opts){.joliet = true};
	b = miso_build(&o, MISO_SIZE);
	/* Remove Rock Ridge: SP's check bytes no longer match. */
	size_t dot = (size_t)B_ROOT * MISO_BLK;
	CHECK_EQ_U64(b[dot + 34], 'S');
	b[dot + 34 + 4] = 0;
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_ROCKRIDGE, NULL, &img),
		     ISOKIT_E_UNSUPPORTED);
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (img) {
		CHECK(!isokit_image_info(img)->has_rockridge);
		CHECK_EQ_I64(isokit_image_info(img)->ns, ISOKIT_NS_JOLIET);
		isokit_image_close(img);
	}
	free(b);
}

static void test_boot(void)
{
	tap_note("El Torito and MBR");
	struct miso_opts o = {.eltorito = true, .joliet = true};
	uint8_t *b = miso_build(&o, MISO_SIZE);
	struct isokit_image *img;
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (img) {
		const struct isokit_volume_info *info = isokit_image_info(img);
		CHECK(info->has_eltorito);
		CHECK_EQ_U64(info->boot_catalog_lba, B_CATALOG);
		CHECK(info->has_joliet);
		CHECK_EQ_U64(info->vd_count, 4);
		CHECK(info->has_mbr);
		CHECK(!info->has_gpt);
		struct isokit_boot_entry e[4];
		size_t n = 0;
		CHECK_EQ_I64(isokit_image_boot_entries(img, e, 4, &n), 0);
		CHECK_EQ_U64(n, 2);
		CHECK(e[0].bootable);
		CHECK_EQ_U64(e[0].section, 0);
		CHECK_EQ_U64(e[0].platform, 0);
		CHECK_EQ_U64(e[0].media, 0);
		CHECK_EQ_U64(e[0].sector_count, 4);
		CHECK_EQ_U64(e[0].load_rba, B_BOOTIMG);
		CHECK_EQ_U64(e[1].section, 1);
		CHECK_EQ_U64(e[1].platform, 0xEF);
		CHECK_EQ_U64(e[1].load_rba, B_BOOTIMG);
		struct isokit_partition p[4];
		CHECK_EQ_I64(isokit_image_partitions(img, p, 4, &n), 0);
		CHECK_EQ_U64(n, 2);
		CHECK_EQ_U64(p[0].index, 1);
		CHECK(p[0].bootable);
		CHECK_EQ_U64(p[0].type, 0x17);
		CHECK_EQ_U64(p[0].start, 0);
		CHECK_EQ_U64(p[0].sectors, MISO_BLOCKS * 4);
		CHECK_EQ_U64(p[1].index, 3);
		CHECK(!p[1].bootable);
		CHECK_EQ_U64(p[1].type, 0xEF);
		CHECK_EQ_U64(p[1].start, B_BOOTIMG * 4);
		CHECK_EQ_U64(p[1].sectors, 4);
		/* cap 1: the count still says 2 */
		memset(p, 0xA5, sizeof(p));
		CHECK_EQ_I64(isokit_image_partitions(img, p, 1, &n), 0);
		CHECK_EQ_U64(n, 2);
		CHECK_EQ_U64(p[1].index, 0xA5A5A5A5u);
		CHECK_EQ_I64(walk_expect(img, rr_tree, __LINE__), 0);
		isokit_image_close(img);
	}

	tap_note("damaged validation entry");
	b[(size_t)B_CATALOG * MISO_BLK + 28] ^= 0x01;
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (img) {
		struct isokit_boot_entry e[4];
		size_t n = 9;
		CHECK_EQ_I64(isokit_image_boot_entries(img, e, 4, &n),
			     ISOKIT_E_CORRUPT);
		CHECK_EQ_U64(n, 0);
		isokit_image_close(img);
	}
	free(b);

	tap_note("no boot record, no MBR");
	o = (struct miso_opts){0};
	b = miso_build(&o, MISO_SIZE);
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (img) {
		size_t n = 9;
		CHECK(!isokit_image_info(img)->has_eltorito);
		CHECK_EQ_I64(isokit_image_boot_entries(img, NULL, 0, &n), 0);
		CHECK_EQ_U64(n, 0);
		n = 9;
		CHECK_EQ_I64(isokit_image_partitions(img, NULL, 0, &n), 0);
		CHECK_EQ_U64(n, 0);
		isokit_image_close(img);
	}
	free(b);
}

static void test_zisofs(void)
{
#if HAVE_ZLIB
	tap_note("zisofs file: ZF entry, two 32 KiB blocks, the second empty");
	struct miso_opts o = {.zisofs = true};
	uint8_t *b = miso_build(&o, MISO_SIZE);
	struct isokit_image *img;
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (!img) {
		free(b);
		return;
	}
	struct isokit_node *n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/z.bin", &n), 0);
	CHECK(isokit_image_info(img)->has_zisofs);
	if (n) {
		const struct isokit_stat *st = isokit_node_stat(n);
		CHECK(st->zisofs);
		CHECK_EQ_U64(st->size, MISO_Z_SIZE);
		CHECK_EQ_U64(st->lba, B_ZISO);
		struct isokit_file *f = NULL;
		CHECK_EQ_I64(isokit_file_open(img, n, &f), 0);
		if (f) {
			uint8_t *buf = malloc(MISO_Z_SIZE + 100);
			uint8_t *want = calloc(1, MISO_Z_SIZE);
			if (!buf || !want)
				abort();
			for (size_t i = 0; i < 32768; i++)
				want[i] = miso_big_byte(i);
			CHECK_EQ_I64(isokit_file_pread(f, buf, MISO_Z_SIZE + 100, 0),
				     MISO_Z_SIZE);
			CHECK_MEM(buf, want, MISO_Z_SIZE);
			/* Across the block boundary, and inside the empty block. */
			CHECK_EQ_I64(isokit_file_pread(f, buf, 16, 32760), 16);
			CHECK_MEM(buf, want + 32760, 16);
			CHECK_EQ_I64(isokit_file_pread(f, buf, 10, MISO_Z_SIZE - 5), 5);
			CHECK_MEM(buf, want + MISO_Z_SIZE - 5, 5);
			CHECK_EQ_I64(isokit_file_pread(f, buf, 1, 100), 1);
			CHECK_EQ_U64(buf[0], miso_big_byte(100));
			/* Compressed data has no plain runs. */
			CHECK_EQ_I64(isokit_file_runs(f, NULL, NULL, 0),
				     ISOKIT_E_UNSUPPORTED);
			free(buf);
			free(want);
			isokit_file_close(f);
		}
		isokit_node_free(n);
	}
	isokit_image_close(img);

	tap_note("zisofs: ZF claims a huge size");
	size_t r = find_record(b, B_ROOT, "Z.BIN;1");
	size_t zf = 0;
	for (size_t p = r + 33 + 7; p + 4 <= r + b[r] && b[p]; p += b[p + 2])
		if (b[p] == 'Z' && b[p + 1] == 'F')
			zf = p;
	CHECK(zf != 0);
	if (zf) {
		static const uint8_t huge[8] = {0xFF, 0xFF, 0xFF, 0xFF,
						0xFF, 0xFF, 0xFF, 0xFF};
		memcpy(b + zf + 8, huge, 8);
		CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
		if (img) {
			n = NULL;
			CHECK_EQ_I64(isokit_image_lookup(img, "/z.bin", &n), 0);
			if (n) {
				struct isokit_file *f = NULL;
				CHECK_EQ_I64(isokit_file_open(img, n, &f),
					     ISOKIT_E_CORRUPT);
				isokit_node_free(n);
			}
			isokit_image_close(img);
		}
	}

	tap_note("zisofs: bad magic");
	memset(b + zf + 8, 0, 8);
	b[zf + 8] = 0x40; /* 40000 = 0x9C40 */
	b[zf + 9] = 0x9C;
	b[zf + 14] = 0x9C;
	b[zf + 15] = 0x40;
	b[(size_t)B_ZISO * MISO_BLK] ^= 0xFF;
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (img) {
		n = NULL;
		CHECK_EQ_I64(isokit_image_lookup(img, "/z.bin", &n), 0);
		if (n) {
			CHECK_EQ_U64(isokit_node_stat(n)->size, MISO_Z_SIZE);
			struct isokit_file *f = NULL;
			CHECK_EQ_I64(isokit_file_open(img, n, &f), ISOKIT_E_CORRUPT);
			isokit_node_free(n);
		}
		isokit_image_close(img);
	}
	free(b);
#else
	tap_note("zisofs: skipped, built without zlib");
#endif
}

static void test_many(void)
{
	tap_note("a directory larger than the read-ahead window");
	struct miso_opts o = {.many = true};
	uint8_t *b = miso_build(&o, MISO_SIZE);
	CHECK(miso_many_blocks() > 32);
	struct isokit_image *img;
	CHECK_EQ_I64(open_buf(b, MISO_SIZE, ISOKIT_NS_AUTO, NULL, &img), 0);
	if (!img) {
		free(b);
		return;
	}
	struct isokit_node *n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/many/F1599", &n), 0);
	isokit_node_free(n);
	n = NULL;
	CHECK_EQ_I64(isokit_image_lookup(img, "/many/F0000", &n), 0);
	isokit_node_free(n);
	READ_EXPECT(img, "/many/F0777", MISO_INNER);

	/* Identity: names sharing a data extent share an inode number (as
	 * hard links do); empty files and different data do not. */
	struct isokit_node *a = NULL, *c = NULL;
	isokit_image_lookup(img, "/many/F0001", &a);
	isokit_image_lookup(img, "/sub/inner.txt", &c);
	CHECK(a && c && isokit_node_stat(a)->ino == isokit_node_stat(c)->ino);
	isokit_node_free(c);
	c = NULL;
	isokit_image_lookup(img, "/hello.txt", &c);
	CHECK(a && c && isokit_node_stat(a)->ino != isokit_node_stat(c)->ino);
	isokit_node_free(a);
	isokit_node_free(c);
	a = c = NULL;
	isokit_image_lookup(img, "/empty", &a);
	isokit_image_lookup(img, "/link", &c);
	CHECK(a && c && isokit_node_stat(a)->ino != isokit_node_stat(c)->ino);
	isokit_node_free(a);
	isokit_node_free(c);
	CHECK_EQ_I64(isokit_image_lookup(img, "/many/F1600", &n), ISOKIT_E_NOENT);

	/* Every entry once, in order, in both walk modes. */
	for (int sorted = 0; sorted < 2; sorted++) {
		struct isokit_walk_options wo = {.sorted = sorted};
		struct isokit_walk *w = NULL;
		CHECK_EQ_I64(isokit_walk_new(img, isokit_image_root(img), &wo, &w), 0);
		enum isokit_walk_event e;
		const struct isokit_node *node;
		const char *path;
		unsigned next = 0, bad = 0;
		int rc = -1, guard = 0;
		while (w && (rc = isokit_walk_next(w, &e, &node, &path)) > 0 &&
		       guard++ < 5000) {
			if (e != ISOKIT_WALK_ENTRY || strncmp(path, "many/", 5))
				continue;
			char want[16];
			snprintf(want, sizeof(want), "many/F%04u", next++);
			if (strcmp(path, want) != 0 && bad++ < 3)
				printf("#   got %s, expected %s\n", path, want);
		}
		CHECK_EQ_I64(rc, 0);
		CHECK_EQ_U64(next, MISO_MANY_FILES);
		CHECK_EQ_U64(bad, 0);
		isokit_walk_free(w);
	}
	isokit_image_close(img);
	free(b);
}

int main(void)
{
	test_plain_iso9660();
	test_susp_variants();
	test_ce_loop();
	test_relocation();
	test_joliet();
	test_boot();
	test_zisofs();
	test_many();
	return tap_done();
}
