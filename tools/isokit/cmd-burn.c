// SPDX-License-Identifier: MIT
/*
 * isokit burn IMAGE TARGET: an image onto a USB stick, SD card, optical
 * disc or file, then read back and compared (burn-verify.c).
 *
 * A block device is written in large O_DIRECT writes (the page cache would
 * only add a copy, and fsync would wait for it anyway) after the refusals
 * of burn-target.c and a confirmation. A file is written under FILE.part
 * and renamed once it is whole and verified, so a failed burn never leaves
 * half an image under the user's name. Optical drives go through libburn
 * (optical.c).
 *
 * Exit: 0 written (and read back equal), 4 the read-back differs, 1 failed,
 * 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <linux/fs.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "burn-target.h"
#include "burn-verify.h"
#include "fdio.h"
#include "interrupt.h"
#include "optical.h"
#include "rip-source.h"

const struct cmd_def cmd_burn_def = {
	"burn", "IMAGE DEVICE|FILE [--yes]",
	"Write an image onto a USB stick, SD card, CD/DVD/BD or file, then read it\n"
	"back and compare. Refuses a device that is mounted or in use and the disk\n"
	"the system runs from, and asks before it overwrites anything (--yes does\n"
	"not ask). Optical drives go through libburn; stdio:FILE writes FILE as\n"
	"libburn's emulated drive.\n"
	"Exit status: 0 written and read back equal, 4 the read-back differs, 1 failed.",
	cmd_burn, true, true,
};

enum { OPT_YES = 1, OPT_NO_VERIFY, OPT_DRY_RUN, OPT_BLANK, OPT_BLANK_FULL, OPT_SPEED,
       OPT_DUMMY, OPT_MULTI };

static const struct opt_def burn_opts[] = {
	{OPT_YES, 'y', "yes", NULL, "do not ask before overwriting the target"},
	{OPT_NO_VERIFY, 0, "no-verify", NULL, "do not read the target back afterwards"},
	{OPT_DRY_RUN, 'n', "dry-run", NULL, "check the target and say what would be written; write nothing"},
	{OPT_BLANK, 0, "blank", NULL, "optical: blank a rewritable disc (CD-RW, DVD-RW) first, the fast way"},
	{OPT_BLANK_FULL, 0, "blank-full", NULL, "optical: blank every sector first (slow)"},
	{OPT_SPEED, 0, "speed", "N|Nx", "optical: write speed in kB/s, or a multiple of the media's 1x (default: the drive's best)"},
	{OPT_DUMMY, 0, "dummy", NULL, "optical: simulate the write where the drive can (the laser stays off)"},
	{OPT_MULTI, 0, "multi", NULL, "optical: leave the disc open for more sessions"},
	{OPT_JSON, 0, "json", NULL, "print a JSON report"},
	{0, 0, NULL, NULL, NULL},
};

struct burn_args {
	bool yes, no_verify, dry_run, blank, blank_full, dummy, multi;
	const char *speed; /* as given, for messages */
	double speed_value;
	bool speed_times; /* a multiple of the media's 1x */
};

static int burn_opt(int id, const char *arg, void *vctx)
{
	struct burn_args *a = vctx;
	switch (id) {
	case OPT_YES:
		a->yes = true;
		break;
	case OPT_NO_VERIFY:
		a->no_verify = true;
		break;
	case OPT_DRY_RUN:
		a->dry_run = true;
		break;
	case OPT_BLANK:
		a->blank = true;
		break;
	case OPT_BLANK_FULL:
		a->blank = a->blank_full = true;
		break;
	case OPT_SPEED: {
		char *end;
		errno = 0;
		double v = strtod(arg, &end);
		if (errno || end == arg || v <= 0 || v > 1e6 || (*end && strcmp(end, "x") != 0))
			return usage_error(&cmd_burn_def, "--speed takes kB/s (1385) or a "
					   "multiple of 1x (8x), not '%s'", arg);
		a->speed = arg;
		a->speed_value = v;
		a->speed_times = *end == 'x';
		break;
	}
	case OPT_DUMMY:
		a->dummy = true;
		break;
	case OPT_MULTI:
		a->multi = true;
		break;
	}
	return -1;
}

/* ---- writing a file or block device ---- */

/* Writes of 4 MiB with O_DIRECT to a device: straight to it, the larger the
 * better for a stick's controller. Writes of 1 MiB through the page cache
 * to a file the kernel cannot copy for us (copy_in_kernel): 4 MiB ones
 * through the cache cost more (bench/burn.py, bench/README.md). */
#define WRITE_STEP_DIRECT (4u << 20)
#define WRITE_STEP_CACHED (1u << 20)

/*
 * The image is read by a thread of its own into two buffers while the
 * other one is written: with O_DIRECT on both sides (no page cache, so
 * nothing to overlap reads and writes for us) a read and a write of 4 MiB
 * then take the time of the slower, not of both. The thread runs with the
 * signals blocked, so that Ctrl-C reaches the writer, which stops.
 */
struct reader {
	int fd;         /* the image, with O_DIRECT when it could be opened so */
	bool direct;
	uint64_t size;
	size_t step;
	char *buf[2];
	size_t len[2];
	int err[2];
	sem_t filled[2], empty[2];
	volatile bool stop;
};

static void *read_ahead(void *arg)
{
	struct reader *r = arg;
	unsigned k = 0;
	for (uint64_t off = 0; off < r->size; off += r->step, k ^= 1) {
		sem_wait(&r->empty[k]);
		if (r->stop)
			break;
		size_t n = r->size - off < r->step ? (size_t)(r->size - off) : r->step;
		/* O_DIRECT reads whole 4 KiB blocks; the last may go past the end */
		size_t want = r->direct ? (n + 4095) & ~(size_t)4095 : n;
		int64_t got = fd_read_at(r->fd, off, r->buf[k], want);
		int e = got >= (int64_t)n ? 0 : got < 0 ? (int)got : -EIO;
		r->len[k] = n;
		r->err[k] = e;
		sem_post(&r->filled[k]);
		if (e)
			break;
	}
	return NULL;
}

/* Copy the image to @p out; @p direct: @p out has O_DIRECT, which the
 * last write, if it is not a whole number of 4 KiB blocks, goes without. */
static int copy_image(const char *image, int in, const char *target, int out, uint64_t size,
		      bool direct, struct progress *p)
{
	struct reader r = {.size = size, .step = direct ? WRITE_STEP_DIRECT : WRITE_STEP_CACHED};
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", in);
	r.fd = direct ? open(path, O_RDONLY | O_CLOEXEC | O_DIRECT) : -1;
	r.direct = r.fd >= 0;
	if (!r.direct)
		r.fd = in;
	int rc = 0;
	if (posix_memalign((void **)&r.buf[0], 4096, r.step) ||
	    posix_memalign((void **)&r.buf[1], 4096, r.step)) {
		msg_error(image, "out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		sem_init(&r.filled[i], 0, 0);
		sem_init(&r.empty[i], 0, 1);
	}
	pthread_t th;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int started = pthread_create(&th, NULL, read_ahead, &r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (started != 0) {
		msg_error(image, "cannot start a thread");
		rc = EXIT_FAIL;
		goto out;
	}
	unsigned k = 0;
	for (uint64_t done = 0; done < size; k ^= 1) {
		/* Ctrl-C wakes the wait (a signal, not a filled buffer) */
		while (sem_wait(&r.filled[k]) != 0 && !interrupted())
			;
		if (interrupted()) {
			rc = EXIT_FAIL;
			break;
		}
		size_t n = r.len[k];
		if (r.err[k]) {
			msg_error(image, "read failed at byte %" PRIu64 ": %s", done,
				  r.err[k] == -EIO ? "the image is shorter than it was"
						   : strerror(-r.err[k]));
			rc = EXIT_FAIL;
			break;
		}
		if (direct && n % 4096) {
			fcntl(out, F_SETFL, fcntl(out, F_GETFL) & ~O_DIRECT);
			direct = false;
		}
		int e = fd_write_all(out, r.buf[k], n);
		if (e) {
			msg_error(target, "write failed at byte %" PRIu64 ": %s", done, strerror(-e));
			rc = EXIT_FAIL;
			break;
		}
		sem_post(&r.empty[k]);
		done += n;
		progress_update(p, n, 0);
	}
	/* let the reader out of its wait, whichever buffer it waits for */
	r.stop = true;
	sem_post(&r.empty[0]);
	sem_post(&r.empty[1]);
	pthread_join(th, NULL);
out:
	free(r.buf[0]);
	free(r.buf[1]);
	if (r.direct)
		close(r.fd);
	return rc;
}

/* ---- the run ---- */

struct outcome {
	const char *image;
	const struct target *t;
	uint64_t size;
	bool written, verified, dummy;
	double write_secs, verify_secs;
	struct compare cmp;
	struct optical_media media;
	bool have_media;
};

static bool good(const struct outcome *o)
{
	return !o->verified || (o->cmp.differ == 0 && o->cmp.unreadable == 0);
}

/*
 * A file target is copied by the kernel first (copy_file_range): page cache
 * to page cache, with no trip through our buffers, or a reflink or
 * server-side copy where the filesystem has one. On the development VM it
 * wrote 2 GiB in 1.5 s where the read/write loop took 3.3 s (bench/burn.py).
 * Returns COPY_UNSUPPORTED, having written nothing, where the kernel cannot
 * copy between these two files (across file system types, a block device
 * as the image, a seccomp filter, a file that reads as empty to it).
 */
#define COPY_UNSUPPORTED (-1)
#define COPY_STEP (16u << 20) /* per call: progress and Ctrl-C stay prompt */

static int copy_in_kernel(const char *image, int in, const char *target, int out,
			  uint64_t size, struct progress *p)
{
	for (uint64_t done = 0; done < size;) {
		if (interrupted())
			return EXIT_FAIL;
		size_t n = size - done < COPY_STEP ? (size_t)(size - done) : COPY_STEP;
		loff_t off_in = (loff_t)done, off_out = (loff_t)done;
		ssize_t got = copy_file_range(in, &off_in, out, &off_out, n, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (done == 0 &&
		    (got == 0 || (got < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
					     errno == EOPNOTSUPP || errno == EBADF ||
					     errno == ETXTBSY || errno == EPERM))))
			return COPY_UNSUPPORTED;
		if (got == 0) {
			msg_error(image, "read failed at byte %" PRIu64
				  ": the image is shorter than it was", done);
			return EXIT_FAIL;
		}
		if (got < 0) {
			msg_error(target, "copy failed at byte %" PRIu64 ": %s", done,
				  strerror(errno));
			return EXIT_FAIL;
		}
		done += (uint64_t)got;
		progress_update(p, (uint64_t)got, 0);
	}
	return 0;
}

/* Write the image into @p out (the kernel's copy first where @p in_kernel),
 * with a progress bar, flushed; the time it took goes to the outcome. */
static int write_target(struct outcome *o, int in, const char *target, int out, bool direct,
			bool in_kernel, bool quiet)
{
	struct progress p;
	progress_init(&p, "writing", o->size, quiet);
	uint64_t t0 = now_ns();
	int rc = in_kernel ? copy_in_kernel(o->image, in, target, out, o->size, &p)
			   : COPY_UNSUPPORTED;
	if (rc == COPY_UNSUPPORTED)
		rc = copy_image(o->image, in, target, out, o->size, direct, &p);
	progress_end(&p);
	if (rc == 0 && fsync(out) != 0) {
		msg_error(target, "flushing the writes failed: %s", strerror(errno));
		rc = EXIT_FAIL;
	}
	o->write_secs = (double)(now_ns() - t0) / 1e9;
	return rc;
}

static void print_json(const struct outcome *o)
{
	static const char *kinds[] = {"file", "block", "optical"};
	printf("{\"image\": ");
	json_string(stdout, o->image);
	printf(", \"target\": ");
	json_string(stdout, o->t->arg);
	printf(", \"kind\": \"%s\", \"bytes\": %" PRIu64 ", \"written\": %s, \"simulated\": %s",
	       kinds[o->t->kind], o->size, o->written ? "true" : "false",
	       o->dummy ? "true" : "false");
	if (o->t->is_block) {
		printf(", \"device\": {\"path\": ");
		json_string(stdout, o->t->dev.path);
		printf(", \"model\": ");
		json_string(stdout, o->t->dev.model);
		printf(", \"size\": %" PRIu64 ", \"transport\": \"%s\"}", o->t->dev.size,
		       o->t->dev.transport);
	}
	if (o->have_media) {
		printf(", \"media\": {\"drive\": ");
		json_string(stdout, o->media.drive);
		printf(", \"profile\": ");
		json_string(stdout, o->media.profile);
		printf(", \"status\": \"%s\"}", o->media.status);
	}
	printf(", \"write_seconds\": %.3f", o->write_secs);
	if (!o->verified) {
		printf(", \"verified\": false, \"good\": null}\n");
		return;
	}
	printf(", \"verified\": true, \"verify_seconds\": %.3f, \"good\": %s, "
	       "\"differing_sectors\": %" PRIu64 ", \"unreadable_sectors\": %" PRIu64
	       ", \"ranges\": [",
	       o->verify_secs, good(o) ? "true" : "false", o->cmp.differ, o->cmp.unreadable);
	for (size_t i = 0; i < o->cmp.nranges; i++)
		printf("%s{\"first\": %" PRIu64 ", \"count\": %" PRIu64 ", \"problem\": \"%s\"}",
		       i ? ", " : "", o->cmp.ranges[i].first, o->cmp.ranges[i].count,
		       o->cmp.ranges[i].unreadable ? "unreadable" : "differs");
	printf("], \"more_ranges\": %s}\n", o->cmp.more_ranges ? "true" : "false");
}

static void print_human(const struct outcome *o)
{
	char size[32], rate[32];
	human_size(o->size, size, sizeof(size));
	human_size(o->write_secs > 0 ? (uint64_t)((double)o->size / o->write_secs) : 0, rate,
		   sizeof(rate));
	if (o->dummy) {
		printf("%s: simulated writing %s (%.1f s); the disc was not written\n", o->t->arg,
		       size, o->write_secs);
		return;
	}
	printf("%s: wrote %s in %.1f s (%s/s)\n", o->t->arg, size, o->write_secs, rate);
	if (!o->verified) {
		printf("  not read back (--no-verify)\n");
		return;
	}
	if (good(o)) {
		printf("  read back in %.1f s: the copy is good, every byte equals %s\n",
		       o->verify_secs, o->image);
		return;
	}
	printf("  read back: THE COPY IS BAD: %" PRIu64 " sector%s differ%s from %s, %" PRIu64
	       " unreadable\n",
	       o->cmp.differ, o->cmp.differ == 1 ? "" : "s", o->cmp.differ == 1 ? "s" : "",
	       o->image, o->cmp.unreadable);
	for (size_t i = 0; i < o->cmp.nranges; i++)
		printf("  %s: sectors %" PRIu64 "-%" PRIu64 "\n",
		       o->cmp.ranges[i].unreadable ? "unreadable" : "differs",
		       o->cmp.ranges[i].first, o->cmp.ranges[i].first + o->cmp.ranges[i].count - 1);
	if (o->cmp.more_ranges)
		printf("  ... and more\n");
}

static int verify(struct outcome *o, int image_fd, const struct isokit_rip_input *in, bool quiet)
{
	uint64_t t0 = now_ns();
	int rc = compare_target(o->image, image_fd, o->size, in, quiet, &o->cmp);
	o->verify_secs = (double)(now_ns() - t0) / 1e9;
	if (rc)
		return rc;
	o->verified = true;
	return 0;
}

/* Read back the file or device at @p path as rip reads a medium (a device
 * with O_DIRECT), a file with its cached pages dropped first (they are
 * clean after the fsync), so that what is compared comes from the disk. */
static int verify_path(struct outcome *o, int image_fd, const char *path, bool quiet)
{
	struct rip_source src;
	if (rip_source_open(&src, path))
		return EXIT_FAIL;
	if (!src.is_block)
		posix_fadvise(src.fd, 0, 0, POSIX_FADV_DONTNEED);
	int rc = verify(o, image_fd, &src.in, quiet);
	rip_source_close(&src);
	return rc;
}

static int burn_file(struct outcome *o, int image_fd, const struct burn_args *a, bool quiet)
{
	const struct target *t = o->t;
	char part[4200];
	snprintf(part, sizeof(part), "%s.part", t->path);
	/* room first: running out at 90% helps nobody */
	char copy[sizeof(t->path)];
	snprintf(copy, sizeof(copy), "%s", t->path);
	const char *dir = dirname(copy);
	struct statvfs vfs;
	if (statvfs(dir, &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize < o->size) {
		char need[32], have[32];
		human_size(o->size, need, sizeof(need));
		human_size((uint64_t)vfs.f_bavail * vfs.f_frsize, have, sizeof(have));
		msg_error(t->arg, "not enough room: the image needs %s, %s has %s free", need, dir,
			  have);
		return EXIT_FAIL;
	}
	int out = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (out < 0) {
		msg_error(part, "%s", strerror(errno));
		return EXIT_FAIL;
	}
	int rc = write_target(o, image_fd, part, out, false, true, quiet);
	if (close(out) != 0 && rc == 0) {
		msg_error(part, "%s", strerror(errno));
		rc = EXIT_FAIL;
	}
	if (rc == 0) {
		o->written = true;
		if (!a->no_verify)
			rc = verify_path(o, image_fd, part, quiet);
	}
	if (rc == 0 && good(o)) {
		if (rename(part, t->path) != 0) {
			msg_error(t->arg, "cannot rename %s to it: %s", part, strerror(errno));
			rc = EXIT_FAIL;
		} else {
			int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (d >= 0) {
				fsync(d);
				close(d);
			}
			return 0;
		}
	}
	/* failed, interrupted or bad: the user's file stays as it was */
	unlink(part);
	if (rc == 0)
		o->written = false;
	return rc;
}

static int burn_block(struct outcome *o, int image_fd, const struct burn_args *a, bool quiet)
{
	const struct target *t = o->t;
	/* O_EXCL: the kernel refuses while anything has the device mounted or claimed */
	int out = open(t->path, O_WRONLY | O_EXCL | O_CLOEXEC | O_DIRECT);
	if (out < 0 && errno == EINVAL)
		out = open(t->path, O_WRONLY | O_EXCL | O_CLOEXEC);
	if (out < 0) {
		msg_error(t->arg, "%s", errno == EBUSY ? "the device is busy (mounted or in use)"
						       : strerror(errno));
		return EXIT_FAIL;
	}
	bool direct = fcntl(out, F_GETFL) & O_DIRECT;
	int rc = write_target(o, image_fd, t->arg, out, direct, false, quiet);
	o->written = rc == 0;
	if (rc == 0 && !a->no_verify)
		rc = verify_path(o, image_fd, t->path, quiet);
	/* the kernel rereads the partition table the image brought (hybrid images) */
	if (o->written)
		ioctl(out, BLKRRPART, 0);
	close(out);
	return rc;
}

static int burn_optical(struct outcome *o, int image_fd, const struct burn_args *a, bool quiet)
{
	const struct target *t = o->t;
	struct optical *opt;
	if (optical_open(t->arg, &opt, &o->media, false))
		return EXIT_FAIL;
	o->have_media = true;
	int rc = 0;
	if (a->blank)
		rc = optical_blank(opt, a->blank_full, quiet);
	struct optical_write_opts w = {.dummy = a->dummy, .multi = a->multi, .quiet = quiet};
	if (rc == 0 && a->speed) {
		double v = a->speed_value;
		w.speed_kbs = a->speed_times ? (int)(v * optical_speed_1x(&o->media)) : (int)v;
	}
	uint64_t t0 = now_ns();
	if (rc == 0)
		rc = optical_write(opt, image_fd, o->size, &w);
	o->write_secs = (double)(now_ns() - t0) / 1e9;
	o->dummy = a->dummy;
	if (rc == 0) {
		o->written = !a->dummy;
		/* a simulated write leaves nothing to compare */
		if (!a->no_verify && !a->dummy) {
			struct isokit_rip_input src = {optical_read_at, opt};
			rc = verify(o, image_fd, &src, quiet);
		}
	}
	optical_close(opt);
	return rc;
}

/* The image: its size, and a note when it will not boot from a stick. */
static int open_image(const char *path, uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		msg_error(path, "%s", strerror(errno));
		return -1;
	}
	bool is_block;
	int e = fd_size(fd, size, &is_block);
	if (e) {
		msg_error(path, "%s", e == -ENODEV ? "not a file or block device" : strerror(-e));
		close(fd);
		return -1;
	}
	if (*size == 0) {
		msg_error(path, "the image is empty");
		close(fd);
		return -1;
	}
	return fd;
}

/* A bootable CD image (El Torito) without an MBR boots from a disc but
 * not from a stick. Images that are no ISO 9660 are written as they are. */
static void note_unbootable(const char *image, const struct target *t, bool quiet)
{
	struct isokit_image *img;
	if (quiet || t->kind != TARGET_BLOCK || isokit_image_open(image, NULL, &img) != 0)
		return;
	const struct isokit_volume_info *v = isokit_image_info(img);
	if (v->has_eltorito && !v->has_mbr)
		msg_warn(image, "a bootable CD image without a partition table (not a hybrid "
				"image): the stick will hold its files, but computers will not "
				"boot from it (isokit create --hybrid makes one that does)");
	isokit_image_close(img);
}

int cmd_burn(int argc, char **argv)
{
	struct common_opts c = {0};
	struct burn_args a = {0};
	int first;
	int rc = opt_parse(&cmd_burn_def, burn_opts, argc, argv, &c, burn_opt, &a, &first);
	if (rc >= 0)
		return rc;
	if (argc - first != 2)
		return usage_error(&cmd_burn_def, "expected an image and a target");
	const char *image = argv[first], *target_arg = argv[first + 1];
	bool quiet = c.quiet || c.json;

	uint64_t size;
	int image_fd = open_image(image, &size);
	if (image_fd < 0)
		return EXIT_FAIL;
	struct target *t = malloc(sizeof(*t));
	if (!t) {
		close(image_fd);
		msg_error(image, "out of memory");
		return EXIT_FAIL;
	}
	rc = target_check(target_arg, image, size, t);
	if (rc == 0 && t->kind != TARGET_OPTICAL &&
	    (a.blank || a.dummy || a.multi || a.speed)) {
		rc = usage_error(&cmd_burn_def, "--blank, --speed, --dummy and --multi are for "
				 "optical drives, and %s is not one", target_arg);
	}
	if (rc == 0 && t->kind == TARGET_OPTICAL && !optical_built())
		rc = optical_missing(target_arg);
	if (rc) {
		free(t);
		close(image_fd);
		return rc;
	}
	note_unbootable(image, t, quiet);

	if (a.dry_run) {
		char desc[512], sz[32];
		target_describe(t, desc, sizeof(desc));
		human_size(size, sz, sizeof(sz));
		printf("would write %s (%s) to %s%s; nothing written (--dry-run)\n", image, sz, desc,
		       t->kind == TARGET_FILE && !t->exists ? ", a new file" : "");
		free(t);
		close(image_fd);
		return EXIT_OK;
	}
	bool ask = t->kind != TARGET_FILE || t->exists;
	if (ask && !a.yes && !target_confirm(t, image, size)) {
		free(t);
		close(image_fd);
		return EXIT_FAIL;
	}

	interrupt_install();
	struct outcome o = {.image = image, .t = t, .size = size};
	switch (t->kind) {
	case TARGET_FILE:
		rc = burn_file(&o, image_fd, &a, quiet);
		break;
	case TARGET_BLOCK:
		rc = burn_block(&o, image_fd, &a, quiet);
		break;
	case TARGET_OPTICAL:
		rc = burn_optical(&o, image_fd, &a, quiet);
		break;
	}
	if (rc == 0) {
		if (c.json)
			print_json(&o);
		else if (!c.quiet)
			print_human(&o);
		if (!good(&o)) {
			msg_error(target_arg, "the copy differs from %s: do not rely on it%s", image,
				  t->kind == TARGET_FILE ? " (it was not kept)" : "");
			rc = EXIT_DAMAGE;
		}
	} else if (interrupted() && (t->kind != TARGET_OPTICAL || o.written)) {
		/* (optical.c says what an interrupted open, blanking or burn left) */
		msg_error(target_arg, "interrupted: %s",
			  t->kind == TARGET_FILE ? "nothing written under that name"
			  : o.written ? "the image was written but not read back"
				      : "the device holds part of the image");
	}
	free(t);
	close(image_fd);
	return rc;
}
