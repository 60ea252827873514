/* SPDX-License-Identifier: MIT */
/* isokit mount: the command (cmd-mount.c) and the FUSE file system it
 * serves (mount-fs.c). */
#ifndef ISOKIT_MOUNT_H
#define ISOKIT_MOUNT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "cli.h"

struct mount_opts {
	const char *image;      /* as the user named it, for messages */
	const char *mountpoint;
	bool foreground;
	bool debug;
	/* owners and permissions shown instead of the recorded ones */
	bool set_uid, set_gid, set_umask;
	uid_t uid;
	gid_t gid;
	mode_t umask;
	/* -o options passed on to FUSE (allow_other, fsname=...), as one
	 * comma-separated list; may be empty */
	char *fuse_opts;
	FILE *log;              /* --log FILE, or NULL: stderr, then syslog */
	int threads;            /* most threads serving requests */
};

/*
 * Serve @p img (taken over) at the mount point until it is unmounted.
 * Returns once the mount is in place when not in the foreground (the
 * serving process goes on in the background). @return an exit status.
 */
int mount_serve(struct isokit_image *img, const struct mount_opts *o);

#endif
