/* SPDX-License-Identifier: MIT */
/*
 * CD, DVD and BD drives through libburn (optical.c), for `isokit burn` and
 * `isokit devices`. Addresses are libburn's: a drive's device file
 * (/dev/sr0), or "stdio:PATH", a file that libburn treats as a drive
 * (what the tests burn to). Built without libburn, optical_open() says so
 * and everything else is unreachable.
 */
#ifndef ISOKIT_TOOL_OPTICAL_H
#define ISOKIT_TOOL_OPTICAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

struct optical_media {
	char drive[128];    /* vendor and product */
	char profile[80];   /* "DVD+RW", "CD-R", "stdio file"; "" without media */
	char status[24];    /* blank, appendable, closed, no disc, unsuitable */
	uint64_t data_bytes; /* readable data on it */
	uint64_t free_bytes; /* what a write may fill */
	bool erasable;      /* CD-RW, DVD-RW: can be blanked */
};

struct optical;

/* Built with libburn? */
bool optical_built(void);

/* Grab the drive at @p adr and look at its media: 0, or EXIT_FAIL with
 * the error printed, by us and by libburn, unless @p quiet (no libburn,
 * no such drive, busy). */
int optical_open(const char *adr, struct optical **out, struct optical_media *m, bool quiet);

/* Say that @p adr cannot be written for want of libburn: EXIT_FAIL. */
int optical_missing(const char *adr);
void optical_close(struct optical *o);

/* Blank rewritable media (fast unless @p full): 0 or EXIT_FAIL. */
int optical_blank(struct optical *o, bool full, bool quiet);

struct optical_write_opts {
	bool dummy;    /* simulate: the drive goes through the motions, writes nothing */
	bool multi;    /* leave the disc open for more sessions */
	int speed_kbs; /* 0: the drive's best */
	bool quiet;
};

/* Write @p size bytes from @p fd as one data track, with a progress line
 * showing the drive's buffer: 0, or EXIT_FAIL (Ctrl-C cancels). */
int optical_write(struct optical *o, int fd, uint64_t size, const struct optical_write_opts *w);

/* Read back what was written (the read_at contract of isokit/rip.h). */
int64_t optical_read_at(void *o, uint64_t off, void *buf, size_t len);

/* The base rate of "1x" for the media in kB/s (CD 176, DVD 1385, BD 4496). */
int optical_speed_1x(const struct optical_media *m);

#endif
