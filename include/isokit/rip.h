/* SPDX-License-Identifier: MIT */
/**
 * @file rip.h
 * Reading a disc, stick or image file into an image while surviving bad
 * sectors, the way GNU ddrescue does: large reads while the medium reads
 * well; around an error, the damaged area is first skipped, then trimmed
 * from both ends sector by sector, then scraped sector by sector, then
 * retried. What was read and what was not is kept in a rescue map in
 * ddrescue's mapfile format, so that a later run (on this drive or
 * another, by isokit or by ddrescue) goes on where this one stopped.
 */
#ifndef ISOKIT_RIP_H
#define ISOKIT_RIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The state of a byte range, with ddrescue's characters. */
enum isokit_rip_status {
	ISOKIT_RIP_UNTRIED = '?',   /**< not read yet */
	ISOKIT_RIP_UNTRIMMED = '*', /**< a large read failed: not read sector by sector yet */
	ISOKIT_RIP_UNSCRAPED = '/', /**< trimmed; its sectors still to be read one by one */
	ISOKIT_RIP_BAD = '-',       /**< sectors that could not be read */
	ISOKIT_RIP_DONE = '+',      /**< read and written */
};

/** A rescue map: the medium's bytes [0, size) as ranges of one status. */
struct isokit_rip_map;

/** A map of @p size bytes, all untried. */
ISOKIT_API int isokit_rip_map_new(uint64_t size, struct isokit_rip_map **out);

/**
 * Read a mapfile (ddrescue's format: comment lines starting with '#', a
 * status line "current_pos current_status [current_pass]", then lines
 * "pos size status", positions and sizes in C notation, e.g. 0x800)
 * from @p text for a medium of @p size bytes. Ranges not in the file are
 * untried; ranges past @p size are dropped and counted in *dropped (may be
 * NULL). @return 0, or ISOKIT_E_CORRUPT with the line's number and what is
 * wrong in @p msg.
 */
ISOKIT_API int isokit_rip_map_parse(const char *text, size_t len, uint64_t size,
				    struct isokit_rip_map **out, uint64_t *dropped, char *msg,
				    size_t msglen);

/**
 * The map as mapfile text (NUL-terminated, malloc'd: free() it), headed
 * by @p comment lines (may be NULL; each line gets a "# "). NULL when out
 * of memory.
 */
ISOKIT_API char *isokit_rip_map_format(const struct isokit_rip_map *m, const char *comment);

/** The medium's size, as given when the map was made. */
ISOKIT_API uint64_t isokit_rip_map_size(const struct isokit_rip_map *m);

/** Number of ranges; range @p i's first byte, length and status. */
ISOKIT_API size_t isokit_rip_map_count(const struct isokit_rip_map *m);
ISOKIT_API void isokit_rip_map_range(const struct isokit_rip_map *m, size_t i, uint64_t *pos,
				     uint64_t *len, enum isokit_rip_status *status);

/** Bytes with @p status. */
ISOKIT_API uint64_t isokit_rip_map_bytes(const struct isokit_rip_map *m,
					 enum isokit_rip_status status);

/** Give [@p pos, @p pos + @p len) the @p status (clipped to the size). */
ISOKIT_API int isokit_rip_map_set(struct isokit_rip_map *m, uint64_t pos, uint64_t len,
				  enum isokit_rip_status status);

ISOKIT_API void isokit_rip_map_free(struct isokit_rip_map *m);

/**
 * Where the bytes come from. read_at() reads up to @p len bytes at
 * @p offset: it returns how many it read (fewer when the medium ends
 * there, or when a multi-sector read stopped at an error), or a negative
 * isokit_err when the read failed (ISOKIT_E_IO: a bad sector somewhere in
 * the range).
 */
struct isokit_rip_input {
	int64_t (*read_at)(void *ctx, uint64_t offset, void *buf, size_t len);
	void *ctx;
};

/** Where a rip is, for progress displays. */
struct isokit_rip_progress {
	uint64_t size;     /**< bytes to rescue in all */
	uint64_t done;     /**< read and written */
	uint64_t bad;      /**< in ranges that failed (untrimmed, unscraped, bad) */
	uint64_t pos;      /**< where the last read was */
	uint64_t read_errors; /**< failed reads in this run */
	char phase;        /**< '?' copying, '*' trimming, '/' scraping, '-' retrying */
	unsigned pass;     /**< 1, 2... within the phase */
};

/** Options of isokit_rip_run(); zero-initialise. */
struct isokit_rip_options {
	uint32_t sector_size; /**< the smallest read, a power of 2; 0: 2048 */
	uint32_t read_size;   /**< bytes per read while the medium reads well,
			           a multiple of sector_size; 0: 64 KiB */
	unsigned retries;     /**< passes over the bad sectors at the end */
	bool no_skip;         /**< read on through a damaged area instead of skipping it first */
	/** Called after each read; returning false stops the rip (Ctrl-C). */
	bool (*progress)(void *ud, const struct isokit_rip_progress *p);
	/** Called with the map when everything it says is on the output
	 *  (flushed): save it now. A non-zero return stops the rip with it. */
	int (*checkpoint)(void *ud, const struct isokit_rip_map *m);
	unsigned checkpoint_seconds; /**< 0: 30 */
	void *ud;
};

/**
 * Read every range of @p map that is not done from @p in and write it at
 * the same offset of @p out_fd, updating @p map; unreadable sectors end
 * up ISOKIT_RIP_BAD and are not written (the caller gives the file the
 * map's size at the end: what was never written reads as zeros).
 * @return 0 when every phase ran (bad sectors may remain: see the map),
 * ISOKIT_E_CANCELED when the progress callback stopped it, ISOKIT_E_IO
 * when writing the output failed, or the checkpoint's error. The map is
 * handed to the checkpoint before returning, in every case.
 */
ISOKIT_API int isokit_rip_run(const struct isokit_rip_input *in, int out_fd,
			      struct isokit_rip_map *map, const struct isokit_rip_options *o);

/** Where the medium's size came from (isokit_rip_medium_size()). */
struct isokit_rip_extent {
	uint64_t size;           /**< bytes to rescue */
	uint64_t volume_bytes;   /**< the ISO 9660 volume's size (0: none found) */
	uint64_t repair_bytes;   /**< isokit repair data appended after the volume */
	uint64_t gpt_bytes;      /**< a hybrid image's partition table past the volume */
	int vd_sector;           /**< the volume descriptor that gave the size */
};

/**
 * How many bytes of @p in are the image: the ISO 9660 volume's size
 * (from the primary volume descriptor, or another descriptor when that
 * one cannot be read), extended over isokit repair data appended after it
 * and over a hybrid image's backup GPT; never what a device reports,
 * which is often more (padding, run-out blocks) or less (a disc cut short:
 * the missing sectors are then bad). @return 0, or ISOKIT_E_NOTISO with
 * the reason in @p msg.
 */
ISOKIT_API int isokit_rip_medium_size(const struct isokit_rip_input *in,
				      struct isokit_rip_extent *out, char *msg, size_t msglen);

#ifdef __cplusplus
}
#endif
#endif
