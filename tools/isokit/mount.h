/* SPDX-License-Identifier: MIT */
/* isokit mount: the command (cmd-mount.c) and the FUSE file system it
 * serves (mount-fs.c). */
#ifndef ISOKIT_MOUNT_H
#define ISOKIT_MOUNT_H

#include <stdbool.h>
#include <stddef.h>
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

/* In the background (unless @p foreground), fork: the parent, the command
 * the user ran, exits 0 once the child is findable by isokit umount and
 * serves; the child leaves the terminal's session and returns 0 with the
 * descriptor to keep open in *announce (-1 if it cannot be found).
 * (mount-daemon.c) */
int mount_daemonize(bool foreground, const char *mp_real, int *announce);

/* ---- which daemon serves a mount (mount-table.c) ---- */

/* Is the folder @p real (a resolved path) an isokit mount? 1 with its
 * device number ("major:minor") in @p dev, 0 if not, -1 with errno. */
int mount_table_find(const char *real, char *dev, size_t devlen);
/* The daemon: be findable as the server of device @p dev. Returns a
 * descriptor to keep open while serving, or -1 (then umount cannot wait). */
int mount_announce(const char *dev);
/* The pid of the daemon serving @p dev, if it is ours to wait for; -1. */
pid_t mount_daemon_pid(const char *dev);
/* A handle on process @p pid that stays valid after it exits (a pidfd), or
 * -1; take it before unmounting, so that the pid cannot be reused. */
int mount_daemon_hold(pid_t pid);
/* Wait up to @p timeout_ms for the daemon to exit; true once it has. */
bool mount_daemon_wait(int pidfd, pid_t pid, int timeout_ms);

#endif
