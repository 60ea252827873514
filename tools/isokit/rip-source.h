/* SPDX-License-Identifier: MIT */
/* isokit rip: the medium it reads (rip-source.c). */
#ifndef ISOKIT_TOOL_RIP_SOURCE_H
#define ISOKIT_TOOL_RIP_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

struct rip_source {
	int fd;
	bool is_block; /* a block device, read with O_DIRECT where it can be */
	bool optical; /* 2048-byte sectors: a CD, DVD or BD drive */
	uint64_t device_size; /* what the device or file says; 0 unknown */
	struct isokit_rip_input in;
};

/* Open @p path (a file, or a block device, then with O_DIRECT when it
 * can): 0, or EXIT_FAIL with the error printed. */
int rip_source_open(struct rip_source *s, const char *path);
void rip_source_close(struct rip_source *s);

#endif
