/* SPDX-License-Identifier: MIT */
/* isokit burn: reading the target back and comparing it with the image
 * (burn-verify.c). */
#ifndef ISOKIT_TOOL_BURN_VERIFY_H
#define ISOKIT_TOOL_BURN_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

#define COMPARE_RANGES_MAX 32

struct compare_range {
	uint64_t first, count; /* 2048-byte sectors */
	bool unreadable;       /* else: read, but different */
};

struct compare {
	uint64_t bytes;               /* compared */
	uint64_t differ, unreadable;  /* sectors */
	struct compare_range ranges[COMPARE_RANGES_MAX];
	size_t nranges;
	bool more_ranges;             /* ranges beyond the ones kept */
};

/*
 * Compare the first @p size bytes of @p target with the image in @p image_fd,
 * sector by sector. A sector the target cannot give (read error, or the
 * target ends early) counts as unreadable. @return 0 (the findings are in
 * @p c), or EXIT_FAIL when the image itself cannot be read (the error
 * printed) or on Ctrl-C (the caller says so).
 */
int compare_target(const char *image, int image_fd, uint64_t size,
		   const struct isokit_rip_input *target, bool quiet, struct compare *c);

#endif
