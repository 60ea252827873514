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

static bool hits_fault(off_t off, size_t len)
{
	log_read("reads", off, len);
	FILE *f = fopen(faults, "r");
	if (!f)
		return false;
	char line[256];
	bool hit = false;
	while (!hit && fgets(line, sizeof(line), f)) {
		unsigned long long first, count, usec;
		if (sscanf(line, "slow %llu", &usec) == 1) {
			usleep((useconds_t)usec);
			continue;
		}
		if (line[0] == '#' || sscanf(line, "%llu %llu", &first, &count) != 2)
			continue;
		unsigned long long a = first * 2048, b = (first + count) * 2048;
		hit = (unsigned long long)off < b && (unsigned long long)off + len > a;
	}
	fclose(f);
	if (hit)
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
	st->st_mode = S_IFREG | 0444;
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
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	fi->direct_io = 1;
	return 0;
}

static int fs_read(const char *path, char *buf, size_t len, off_t off, struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	if (hits_fault(off, len))
		return -EIO;
	ssize_t r = pread(backing_fd, buf, len, off);
	return r < 0 ? -errno : (int)r;
}

static const struct fuse_operations ops = {
	.getattr = fs_getattr,
	.readdir = fs_readdir,
	.open = fs_open,
	.read = fs_read,
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
