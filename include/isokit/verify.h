/* SPDX-License-Identifier: MIT */
/* Checking an image's embedded checksums. */
#ifndef ISOKIT_VERIFY_H
#define ISOKIT_VERIFY_H

#include <stdbool.h>
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

/** What isokit_check_structure() found. */
struct isokit_structure_check {
	uint64_t entries; /**< entries read */
	unsigned errors;  /**< damaged directories, path-table problems, overlaps */
};

/**
 * Read the whole tree of the chosen namespace once, with the checks
 * extract makes (a damaged directory is reported and left out), then check
 * the path tables (isokit_check_path_tables()) and that no two files' data
 * overlap, other than files sharing the very same extent (hard links,
 * deduplicated content). Every problem is reported as a finding (severity
 * error; code "structure", "path-table" or "overlap", an overlap naming
 * both files) and counted in @p out->errors. Memory: 24 bytes per file
 * extent. @return 0, or an error that stopped the check.
 */
ISOKIT_API int isokit_check_structure(struct isokit_image *img,
				      struct isokit_structure_check *out);

#ifdef __cplusplus
}
#endif

#endif
