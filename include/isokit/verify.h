/* SPDX-License-Identifier: MIT */
/* Checking an image's embedded checksums. */
#ifndef ISOKIT_VERIFY_H
#define ISOKIT_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "image.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The isomd5sum record that implantisomd5 writes into the primary volume
 *  descriptor's application-use field. */
struct isokit_isomd5 {
	char md5[33];             /**< recorded MD5, as written (hex) */
	uint32_t skip_sectors;    /**< blocks at the end left out of the sum */
	uint32_t fragment_count;  /**< 0 when the record has no fragment sums */
	char fragment_sums[61];   /**< "" when absent */
	uint64_t covered_bytes;   /**< bytes the sum covers, from offset 0 */
};

/** What checking it found. */
struct isokit_isomd5_result {
	bool intact;            /**< MD5 (and every fragment sum) agree */
	char computed[33];      /**< MD5 of what was read */
	uint64_t read_bytes;    /**< bytes hashed (< covered_bytes: image cut short) */
	uint32_t bad_fragment;  /**< first fragment (1-based) whose sum differs (one past
				     the last sum: after it), or 0 */
	uint64_t bad_from;      /**< the first damage is in [bad_from, bad_to) */
	uint64_t bad_to;        /**< (0, 0 when the fragment sums cannot tell) */
};

/** Progress: called with bytes done and total; return false to cancel. */
typedef bool (*isokit_progress_fn)(void *ud, uint64_t done, uint64_t total);

/**
 * The image's isomd5sum record. @return 0, ISOKIT_E_NOENT when there is
 * none, ISOKIT_E_CORRUPT when it is malformed (the message says how).
 */
ISOKIT_API int isokit_isomd5_get(struct isokit_image *img, struct isokit_isomd5 *out);

/**
 * Check the isomd5sum record as checkisomd5 does (same bytes, same fragment
 * sums), reading the whole covered range. Unlike checkisomd5 it reads on
 * after a bad fragment, so that the whole-image MD5 is always computed.
 * @return 0 when the check ran (see @p out->intact), ISOKIT_E_NOENT without
 * a record, ISOKIT_E_CANCELED, or an error (libcrypto missing: ISOKIT_E_NOTBUILT).
 */
ISOKIT_API int isokit_isomd5_check(struct isokit_image *img, isokit_progress_fn fn,
				   void *ud, struct isokit_isomd5_result *out);

/**
 * Check one of xorriso's MD5 tags (see isokit_image_md5_tags()): the MD5 of
 * its blocks [range_start, range_start + range_size). Sets *intact and
 * @p computed (hex). @return 0 when the check ran, or an error.
 */
ISOKIT_API int isokit_md5_tag_check(struct isokit_image *img,
				    const struct isokit_md5_tag *tag,
				    isokit_progress_fn fn, void *ud, bool *intact,
				    char computed[33]);

/**
 * Check the path tables of the primary and Joliet descriptors: both byte
 * orders hold the same records, parents come first, and every record points
 * to a block where a directory starts. Each problem is reported as a finding
 * (severity error, code "path-table") through the open options' callback
 * and counted in *problems. @return 0, or an error that stopped the check.
 */
ISOKIT_API int isokit_check_path_tables(struct isokit_image *img, unsigned *problems);

/** isokit's table of per-file SHA-256 sums (docs/format/file-sums.md). */
struct isokit_file_sums {
	uint32_t trailer_block; /**< the block that finds the table */
	uint32_t table_block;   /**< first block of the entries */
	uint32_t table_blocks;
	uint64_t entries;       /**< files with data of their own */
};

/**
 * Find the image's per-file SHA-256 table. @return 0; ISOKIT_E_NOENT when
 * there is none; ISOKIT_E_CORRUPT when its trailer is damaged or points
 * outside the volume; ISOKIT_E_UNSUPPORTED for a later version of the
 * format; ISOKIT_E_NOTBUILT without libcrypto.
 */
ISOKIT_API int isokit_file_sums_get(struct isokit_image *img, struct isokit_file_sums *out);

/** The table of per-file sums, loaded and checked (its own SHA-256, order,
 *  bounds), for looking files up while extracting. */
struct isokit_sums;

/**
 * Load the image's file sums. @return 0; ISOKIT_E_NOENT when the image has
 * none; ISOKIT_E_CORRUPT when the table or its trailer is damaged; another
 * error. Memory: 48 bytes per file with data, bounded by the image's size.
 */
ISOKIT_API int isokit_sums_load(struct isokit_image *img, struct isokit_sums **out);

/** The recorded SHA-256 of a file's data (@p st from isokit_node_stat()):
 *  true when the table has an entry for its first block and size. Safe
 *  from several threads at once. */
ISOKIT_API bool isokit_sums_find(const struct isokit_sums *s, const struct isokit_stat *st,
				 uint8_t sha256[32]);

ISOKIT_API void isokit_sums_free(struct isokit_sums *s);

/** A running SHA-256 (from libcrypto, loaded on first use). */
struct isokit_sha256;
/** NULL when libcrypto cannot be loaded or memory runs out. */
ISOKIT_API struct isokit_sha256 *isokit_sha256_new(void);
ISOKIT_API int isokit_sha256_update(struct isokit_sha256 *h, const void *p, size_t n);
/** The digest; @p h is freed. @return 0 or ISOKIT_E_NOMEM. */
ISOKIT_API int isokit_sha256_final(struct isokit_sha256 *h, uint8_t out[32]);
ISOKIT_API void isokit_sha256_free(struct isokit_sha256 *h);

/** A file whose data does not match its SHA-256: the data's first block and
 *  bytes, as recorded. */
typedef void (*isokit_bad_data_fn)(void *ud, uint32_t block, uint64_t size);

/** What isokit_check_data() found. */
struct isokit_data_check {
	bool has_isomd5;      /**< an isomd5sum record was checked */
	int isomd5_rc;        /**< 0, or why the record could not be used */
	struct isokit_isomd5 isomd5;
	struct isokit_isomd5_result md5;
	bool has_file_sums;   /**< a SHA-256 table was checked */
	int file_sums_rc;     /**< 0, or why the table could not be used */
	struct isokit_file_sums sums;
	bool table_intact;    /**< the table's own SHA-256 agrees */
	uint64_t files_checked, files_bad;
	uint64_t unreadable_blocks; /**< blocks the source failed to read (read as zeros) */
};

/**
 * Read the image once from its first block and check every data checksum
 * it carries on the way: the isomd5sum MD5 (as isokit_isomd5_check()) and
 * each file's SHA-256 (on a second thread, beside the MD5). @p bad is
 * called for each file whose data differs, in block order. Problems with
 * the records themselves are findings (code "isomd5sum", "file-sums").
 * @return 0 when the check ran (damage is in @p out), ISOKIT_E_CANCELED, or
 * an error that stopped it.
 */
ISOKIT_API int isokit_check_data(struct isokit_image *img, isokit_progress_fn fn, void *ud,
				 isokit_bad_data_fn bad, void *bad_ud,
				 struct isokit_data_check *out);

/** A run of blocks [first, first + count). */
struct isokit_block_range {
	uint64_t first, count;
};

/** Called for each file (any type with data: regular files, and the
 *  folders themselves) whose data meets a range; @p range is its index. */
typedef int (*isokit_range_file_fn)(void *ud, const char *path, size_t range);

/**
 * Walk the whole tree and report every entry whose data (or, for a folder,
 * its directory extent) meets one of @p n @p ranges, sorted by first block
 * and not overlapping. A callback returning non-zero stops the walk with
 * that value. @return 0, the callback's value, or an error.
 */
ISOKIT_API int isokit_files_in_blocks(struct isokit_image *img,
				      const struct isokit_block_range *ranges, size_t n,
				      isokit_range_file_fn fn, void *ud);

/**
 * Check that the primary tree (read with Rock Ridge when present) and the
 * Joliet tree hold the same files, matched by their data (names may be cut
 * or changed in Joliet on purpose, and links and devices are Rock Ridge's
 * only). Each file in one tree only is a finding (severity error, code
 * "namespaces") and counted in *problems. Images without Joliet pass.
 * @return 0, or an error that stopped the check.
 */
ISOKIT_API int isokit_check_namespaces(struct isokit_image *img, unsigned *problems);

/** What isokit_check_structure() found. */
struct isokit_structure_check {
	uint64_t entries; /**< entries read */
	unsigned errors;  /**< damaged directories, path-table problems, overlaps */
};

/**
 * Read the whole tree of the chosen namespace once, with the checks
 * extract makes (a damaged directory is reported and left out), then check
 * the path tables (isokit_check_path_tables()), that the Rock Ridge and
 * Joliet trees hold the same files (isokit_check_namespaces()), and that no
 * two files' data overlap, other than files sharing the very same extent
 * (hard links, deduplicated content). Every problem is reported as a
 * finding (severity error; code "structure", "path-table", "namespaces" or
 * "overlap", an overlap naming
 * both files) and counted in @p out->errors. Memory: 24 bytes per file
 * extent. @return 0, or an error that stopped the check.
 */
ISOKIT_API int isokit_check_structure(struct isokit_image *img,
				      struct isokit_structure_check *out);

#ifdef __cplusplus
}
#endif

#endif
