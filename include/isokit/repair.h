/* SPDX-License-Identifier: MIT */
/**
 * @file repair.h
 * Repair data: Reed-Solomon erasure codes (ISA-L) over interleaved groups
 * of blocks, and a CRC32C of every block to find the damaged ones
 * (docs/format/repair-data.md). Stored after the end of the image (readers
 * ignore it; the ISO volume size is unchanged) or in a separate file.
 *
 * These functions work on image files by path, not on open images: they
 * must also work when the image is too damaged to be opened.
 */
#ifndef ISOKIT_REPAIR_H
#define ISOKIT_REPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "verify.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Where the repair data of an image is and what it protects. */
struct isokit_ecc_info {
	uint64_t data_blocks;   /**< blocks protected, from block 0 of the image */
	uint64_t volume_blocks; /**< the ISO volume's size when the data was made */
	uint32_t k, m;          /**< data and repair blocks per group (k + m <= 255) */
	uint64_t groups;        /**< groups of k + m blocks */
	uint64_t area_blocks;   /**< blocks of repair data in all */
	uint64_t area_offset;   /**< where it starts, in bytes, in its file */
	bool sidecar;           /**< in a separate file, not after the image */
};

/** Options of isokit_ecc_add(); zero-initialise. */
struct isokit_ecc_options {
	unsigned percent;         /**< repair blocks per 100 data blocks, 1-100; 0: 5 */
	bool sidecar;             /**< write a separate file instead of appending */
	const char *sidecar_path; /**< NULL: the image's path + ".ecc" */
	bool replace;             /**< replace repair data already there */
	isokit_progress_fn progress;
	void *ud;
};

/**
 * Add repair data to the ISO image at @p path: appended after its last
 * block (the image grows by about @p percent), or in a sidecar file. On
 * failure or cancellation the image is truncated back to its old size and
 * no sidecar is left. @p msg (may be NULL) receives the reason.
 * @return 0, or ISOKIT_E_* (ISOKIT_E_EXISTS when repair data is there and
 * replace is not set, ISOKIT_E_NOTBUILT without ISA-L).
 */
ISOKIT_API int isokit_ecc_add(const char *path, const struct isokit_ecc_options *o,
			      struct isokit_ecc_info *out, char *msg, size_t msglen);

/**
 * Find the repair data of @p path (appended, or in @p sidecar_path, or
 * the image's path + ".ecc" when that file exists). @return 0,
 * ISOKIT_E_NOENT when there is none, or an error.
 */
ISOKIT_API int isokit_ecc_find(const char *path, const char *sidecar_path,
			       struct isokit_ecc_info *out, char *msg, size_t msglen);

/** Options of isokit_repair(); zero-initialise. */
struct isokit_repair_options {
	const char *output;       /**< NULL: replace the image (through a copy) */
	const char *sidecar_path; /**< NULL: appended, or the image's path + ".ecc" */
	bool check_only;          /**< find the damage, write nothing */
	isokit_progress_fn progress;
	void *ud;
};

/** What isokit_repair() found and did. */
struct isokit_repair_result {
	struct isokit_ecc_info ecc;
	uint64_t bad_blocks;        /**< damaged, unreadable or missing blocks of the image */
	uint64_t bad_repair_blocks; /**< damaged blocks of the repair data itself */
	uint64_t repaired_blocks;   /**< of the image's, rebuilt */
	uint64_t unrepairable_blocks;
	uint64_t unchecked_blocks;  /**< blocks of the image whose CRC is lost in both table
				         copies and that could not be rebuilt: not known to be damaged */
	struct isokit_block_range *left; /**< the image's blocks still damaged (sorted) */
	size_t nleft;
	bool written;               /**< the image (or the output) was written */
};

/**
 * Find every damaged block of the image (CRC32C mismatch, unreadable, or
 * missing at a cut-off end) and rebuild it from the repair data. The result
 * is written to a copy, which replaces the image (or becomes @p
 * o->output) only once every rebuilt block has checked against its CRC;
 * blocks that cannot be rebuilt are left as they were, so the result is
 * never worse than the image. @return 0 when the check (and repair) ran:
 * see @p r; free r->left with isokit_repair_result_free().
 */
ISOKIT_API int isokit_repair(const char *path, const struct isokit_repair_options *o,
			     struct isokit_repair_result *r, char *msg, size_t msglen);

ISOKIT_API void isokit_repair_result_free(struct isokit_repair_result *r);

#ifdef __cplusplus
}
#endif

#endif
