// SPDX-License-Identifier: MIT
/*
 * faultfs: a FUSE file system with one file, /disc, whose bytes are those
 * of BACKING, except that reads meeting a bad range fail with EIO, as a
 * scratched disc's do. The bad ranges are read from FAULTS on every read
 * (lines "first_sector count" in 2048-byte sectors; '#' comments), so a
 * test can take the scratches away without unmounting. Reads go straight
 * to us (direct_io): the kernel's page cache would otherwise widen a bad
 * sector to its page and readahead window.
 *
 *   faultfs BACKING FAULTS MOUNTPOINT [-f]
 *
 * Every read is logged to FAULTS.reads and every failed one to FAULTS.log
 * ("offset length" lines), so that a test can check which reads a rip
 * made. A line "slow USEC" in FAULTS makes each read take that long.
 *
 * /disc can be written too, for isokit burn's tests: "flip first count"
 * makes reads of those sectors return every byte inverted (a stick that
 * loses what was written to it), "wfail first count" makes writes that
 * meet them fail with EIO.
 */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *backing, *faults;
static int backing_fd = -1;

static void log_read(const char *suffix, off_t off, size_t len)
{
	char log[4096];
	snprintf(log, sizeof(log), "%s.%s", faults, suffix);
	FILE *l = fopen(log, "a");
	if (l) {
		fprintf(l, "%lld %zu\n", (long long)off, len);
		fclose(l);
	}
}

enum fault { READ_FAIL, FLIP, WRITE_FAIL };

/* Does [off, off+len) meet a range of kind @p kind? "slow" lines sleep on
 * reads. With @p flip_buf, the bytes of flip ranges in it are inverted. */
static bool hits_fault(off_t off, size_t len, enum fault kind, char *flip_buf)
{
	if (kind == READ_FAIL)
		log_read("reads", off, len);
	FILE *f = fopen(faults, "r");
	if (!f)
		return false;
	char line[256];
	bool hit = false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long first, count, usec;
		if (sscanf(line, "slow %llu", &usec) == 1) {
			if (kind == READ_FAIL)
				usleep((useconds_t)usec);
			continue;
		}
		enum fault k = READ_FAIL;
		if (sscanf(line, "flip %llu %llu", &first, &count) == 2)
			k = FLIP;
		else if (sscanf(line, "wfail %llu %llu", &first, &count) == 2)
			k = WRITE_FAIL;
		else if (line[0] == '#' || sscanf(line, "%llu %llu", &first, &count) != 2)
			continue;
		if (k != kind)
			continue;
		unsigned long long a = first * 2048, b = (first + count) * 2048;
		unsigned long long lo = (unsigned long long)off, hi = lo + len;
		if (lo >= b || hi <= a)
			continue;
		hit = true;
		if (flip_buf)
			for (unsigned long long i = lo > a ? lo : a; i < (hi < b ? hi : b); i++)
				flip_buf[i - lo] = (char)~flip_buf[i - lo];
	}
	fclose(f);
	if (hit && kind == READ_FAIL)
		log_read("log", off, len);
	return hit;
}

static int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	(void)fi;
	memset(st, 0, sizeof(*st));
	if (!strcmp(path, "/")) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	if (strcmp(path, "/disc"))
		return -ENOENT;
	struct stat b;
	if (fstat(backing_fd, &b) != 0)
		return -errno;
	st->st_mode = S_IFREG | 0644;
	st->st_nlink = 1;
	st->st_size = b.st_size;
	return 0;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	(void)off;
	(void)fi;
	(void)flags;
	if (strcmp(path, "/"))
		return -ENOENT;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	fill(buf, "disc", NULL, 0, 0);
	return 0;
}

static int fs_open(const char *path, struct fuse_file_info *fi)
{
	if (strcmp(path, "/disc"))
		return -ENOENT;
	fi->direct_io = 1;
	return 0;
}

static int fs_read(const char *path, char *buf, size_t len, off_t off, struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	if (hits_fault(off, len, READ_FAIL, NULL))
		return -EIO;
	ssize_t r = pread(backing_fd, buf, len, off);
	if (r > 0)
		hits_fault(off, (size_t)r, FLIP, buf);
	return r < 0 ? -errno : (int)r;
}

static int fs_write(const char *path, const char *buf, size_t len, off_t off,
		    struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	if (hits_fault(off, len, WRITE_FAIL, NULL))
		return -EIO;
	ssize_t r = pwrite(backing_fd, buf, len, off);
	return r < 0 ? -errno : (int)r;
}

static int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	(void)fi;
	if (strcmp(path, "/disc"))
		return -ENOENT;
	return ftruncate(backing_fd, size) ? -errno : 0;
}

static int fs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	return (datasync ? fdatasync(backing_fd) : fsync(backing_fd)) ? -errno : 0;
}

static const struct fuse_operations ops = {
	.getattr = fs_getattr,
	.readdir = fs_readdir,
	.open = fs_open,
	.read = fs_read,
	.write = fs_write,
	.truncate = fs_truncate,
	.fsync = fs_fsync,
};

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: faultfs BACKING FAULTS MOUNTPOINT [fuse options]\n");
		return 2;
	}
	backing = realpath(argv[1], NULL);
	faults = realpath(argv[2], NULL);
	if (!backing || !faults) {
		perror("faultfs");
		return 1;
	}
	backing_fd = open(backing, O_RDWR | O_CLOEXEC);
	if (backing_fd < 0)
		backing_fd = open(backing, O_RDONLY | O_CLOEXEC);
	if (backing_fd < 0) {
		perror(backing);
		return 1;
	}
	/* argv for FUSE: program, mountpoint, the rest */
	char *fargv[16];
	int fargc = 0;
	fargv[fargc++] = argv[0];
	for (int i = 3; i < argc && fargc < 14; i++)
		fargv[fargc++] = argv[i];
	fargv[fargc] = NULL;
	return fuse_main(fargc, fargv, &ops, NULL);
}
