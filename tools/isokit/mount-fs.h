/* SPDX-License-Identifier: MIT */
/* Inside the FUSE file system of isokit mount: the state its operations
 * share. mount-fs.c has the metadata operations and the session,
 * mount-read.c the file data. */
#ifndef ISOKIT_MOUNT_FS_H
#define ISOKIT_MOUNT_FS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "mount-nodes.h"
#include "mount.h"

#define TTL 86400.0        /* the image is immutable: a day */
#define MAX_READ (1u << 20) /* largest read or listing answered */
/* zisofs files keep the reader's handle (its block buffers) between reads;
 * this many at most, the one opened longest ago closed first. */
#define ZISOFS_HANDLES 8

struct mfs {
	struct isokit_image *img;
	const struct mount_opts *o;
	int fd;               /* the image, for file data */
	struct stat img_st;   /* the image when mounted, to notice a change */
	uid_t uid;            /* owner of files the image gives none */
	gid_t gid;
	uint64_t blocks;
	pthread_mutex_t mu;
	struct node_table nodes;
	struct dir_cache dirs;
	struct mfile *zopen[ZISOFS_HANDLES]; /* holders of zisofs handles */
	unsigned zclock;                     /* next slot to give up */
	bool no_open;    /* the kernel can do without OPEN (and RELEASE) */
	bool no_opendir; /* ... and without OPENDIR (and RELEASEDIR) */
	bool changed_logged;
};

/* A file that was read: where its bytes are in the image, or, for zisofs,
 * that they go through the reader. Lives as long as its node. */
struct mfile {
	struct mfs *fs;
	uint64_t size;
	size_t nruns;
	uint64_t *off, *len; /* runs in file order */
	bool zisofs;
	struct isokit_file *zf; /* open reader handle, or NULL */
	uint64_t ra_until; /* file bytes the kernel was asked to read ahead */
	uint64_t next_off; /* where the last read ended */
	unsigned in_row;   /* reads in a row that went forward */
};

static inline struct mfs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* A message for the log: stderr in the foreground, else the log file or
 * syslog. */
void mlog(struct mfs *fs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The image file was cut or rewritten since it was mounted: what it holds
 * now is not what the kernel has been told, so nothing more is read. */
bool image_changed(struct mfs *fs);
/* Report a reader error for @p what and answer EIO (the caller unlocks). */
int reader_error(struct mfs *fs, const char *what, int rc);

/* ---- file data (mount-read.c) ---- */

/* The node table's destructor of a node's struct mfile. */
void mfile_free(void *data);
void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
	     struct fuse_file_info *fi);

#endif
