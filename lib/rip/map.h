/* SPDX-License-Identifier: MIT */
/* The rescue map's insides, shared by the mapfile codec and the rip. */
#ifndef ISOKIT_RIP_MAP_H
#define ISOKIT_RIP_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <isokit/rip.h>

struct rip_range {
	uint64_t pos, len;
	char status; /* enum isokit_rip_status */
};

struct isokit_rip_map {
	uint64_t size;
	struct rip_range *r; /* sorted, touching, covering [0, size) */
	size_t n, cap;
	/* ddrescue's status line: where the rip was, in which phase and pass */
	uint64_t cur_pos;
	char cur_status;
	unsigned cur_pass;
};

/* The index of the range holding byte @p pos (< size). */
size_t rip_map_find(const struct isokit_rip_map *m, uint64_t pos);

#endif
