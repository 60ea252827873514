/* SPDX-License-Identifier: MIT */
/* State shared by isokit extract (cmd-extract.c) and its worker threads
 * (extract-pool.c). */
#ifndef ISOKIT_EXTRACT_H
#define ISOKIT_EXTRACT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "copy.h"
#include "partial.h"

#define MAX_WORKERS 8
#define XQUEUE 16               /* files waiting for a worker */
#define PARALLEL_MIN (1u << 20) /* files from 1 MiB go to the workers */
/* Files up to this size are read by the main thread and handed to a worker
 * with their bytes, which then writes them, sets their metadata and closes
 * them: creating files in a folder is serialized by the kernel, the rest
 * is not. At most XQUEUE + MAX_WORKERS such buffers exist at a time. */
#define HANDOFF_MAX (64u << 10)

/* Every file being written is registered for removal on a signal from
 * its creation: one being filled per worker, the queued ones, and one in
 * the main thread. */
_Static_assert(MAX_WORKERS + XQUEUE + 1 <= PARTIAL_SLOTS, "partial slots");

struct xpool;

struct xdir {
	int fd;
	bool sgid;  /* new files inherit the folder's group */
	bool apply; /* set mode and times when leaving */
	uint32_t mode, uid, gid;
	bool has_owner;
	struct isokit_time atime, mtime;
};

struct link_slot {
	uint64_t ino;
	char *path; /* relative to the destination */
};

/* What writes file data: an image handle and its buffers. */
struct xwriter {
	struct isokit_image *img;
	struct copier cp;
	struct xpool *pool; /* workers only */
};

struct xstate {
	struct isokit_image *img;
	const char *image;
	const char *dest;
	bool dest_given;      /* -C was given */
	const char *boot_dir; /* --boot-images DIR, or NULL */
	int rootfd;
	bool overwrite, restore_owner, is_root, quiet, verbose, verify;
	uid_t euid;
	gid_t egid;
	bool parent_sgid; /* the folder being filled has its set-group-ID bit */
	struct xwriter main_w; /* the main thread's writer (its read-ahead window lives on) */
	struct progress prog;
	unsigned failures;
	struct xdir *stack;
	size_t depth, cap;
	struct link_slot *links;
	size_t links_cap, links_n;
	bool link_all; /* no Rock Ridge: shared extents are the only link hint */
	uint64_t tmp_counter;
	int jobs;
	struct xpool *pool; /* NULL: everything in the main thread */
	struct isokit_sums *sums; /* --verify: the image's file sums */
	unsigned unverified;      /* files with data but no recorded sum (atomic) */
	unsigned mismatched;      /* files whose SHA-256 differs (atomic) */
};

/* One regular file being written: created by the main thread, then filled
 * and finished there or, for large files, by a worker. */
struct xfile {
	int fd, dirfd;
	char *target; /* name being written (a temporary one with --overwrite) */
	char *name;   /* final name */
	char *rel;    /* path for messages */
	struct isokit_stat st;
	const struct isokit_node *node; /* NULL when data holds the content */
	struct isokit_node *owned; /* a copy, when handed to a worker */
	unsigned char *data;       /* the content, read by the main thread */
	bool chown;   /* decided when created: the folder may change later */
	int partial;  /* its slot in the registry of partial files */
};

/* Report a failure for @p path and count it (thread-safe). */
void xfail(struct xstate *x, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Count a failure already reported (thread-safe). */
void xcount_failure(struct xstate *x);

/* Fill and finish a created file; on any failure remove it.
 * @return 0 when the file is complete. */
int xfile_write(struct xstate *x, struct xwriter *w, struct xfile *f);
void xfile_free(struct xfile *f);

/* Worker threads (extract-pool.c). NULL pool: no workers. */
struct xpool *pool_start(struct xstate *x, int workers, enum isokit_namespace ns);
void pool_submit(struct xpool *pool, struct xfile *f);
/* Wait until every file handed to the workers is finished. */
void pool_drain(struct xpool *pool);
void pool_stop(struct xpool *pool);

/* extract-boot.c: --boot-images DIR. An exit status. */
int extract_boot_images(const char *image, struct isokit_image *img, const char *dir,
			bool overwrite, bool quiet);

#endif
