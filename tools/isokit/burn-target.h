/* SPDX-License-Identifier: MIT */
/*
 * isokit burn: what the target is and whether it may be written
 * (burn-target.c). Every refusal is decided here, before anything is
 * opened for writing.
 */
#ifndef ISOKIT_TOOL_BURN_TARGET_H
#define ISOKIT_TOOL_BURN_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "blockdev.h"
#include "cli.h"

enum target_kind {
	TARGET_FILE,    /* a regular file, new or replaced */
	TARGET_BLOCK,   /* a USB stick, SD card or other disk */
	TARGET_OPTICAL, /* a CD/DVD/BD drive, or a libburn stdio: pseudo-drive */
};

struct target {
	const char *arg;        /* as the user gave it; libburn's address of an optical target */
	enum target_kind kind;
	char path[4096];        /* the file or device node (without stdio:) */
	bool exists;            /* a file target that is there already */
	bool is_block;          /* path is a block device (also under stdio:) */
	struct blockdev dev;    /* when is_block */
};

/*
 * Classify @p arg and run the safety checks against an image of
 * @p image_size bytes whose file is @p image_path: 0, or EXIT_FAIL /
 * EXIT_USAGE with the refusal printed (mounted, system disk, partition,
 * read-only, too small, the image itself).
 */
int target_check(const char *arg, const char *image_path, uint64_t image_size,
		 struct target *t);

/* One line for the confirmation and the report: "/dev/sdb (SanDisk
 * Cruzer, 16.0 GB, usb)". */
void target_describe(const struct target *t, char *out, size_t len);

/*
 * Ask on the terminal whether to overwrite the target: true if the user
 * types "yes". Refuses (false, with a message) when stdin is no terminal,
 * so that a script without --yes never writes.
 */
bool target_confirm(const struct target *t, const char *image, uint64_t image_size);

#endif
