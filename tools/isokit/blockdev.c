// SPDX-License-Identifier: MIT
/*
 * Block devices from sysfs (blockdev.h). A mount, a swap area or a
 * device-mapper volume may sit on a partition, on a volume over a
 * partition, or on a RAID over several disks; every one of them is traced
 * down to the whole disks under it (a dm or md device's "slaves"), so that
 * "is this disk in use, does the system run from it" looks through them.
 */
#include "blockdev.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* ---- small sysfs readers ---- */

/* Copy a string that may be cut short (names and paths from sysfs). */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* DIR/FILE into @p out (PATH_MAX): false when it does not fit. */
static bool join(char *out, const char *dir, const char *file)
{
	size_t a = strlen(dir), b = strlen(file);
	if (a + 1 + b >= PATH_MAX)
		return false;
	memcpy(out, dir, a);
	out[a] = '/';
	memcpy(out + a + 1, file, b + 1);
	return true;
}

/* The first line of DIR/FILE without trailing blanks: 0, or -1. */
static int read_line(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	if (!join(path, dir, file))
		return -1;
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	fclose(f);
	size_t n = strlen(buf);
	while (n && isspace((unsigned char)buf[n - 1]))
		buf[--n] = 0;
	return 0;
}

static bool read_u64(const char *dir, const char *file, uint64_t *v)
{
	char buf[64];
	if (read_line(dir, file, buf, sizeof(buf)) != 0)
		return false;
	char *end;
	*v = strtoull(buf, &end, 10);
	return end != buf;
}

static bool parse_devnum(const char *s, dev_t *dev)
{
	unsigned ma, mi;
	if (sscanf(s, "%u:%u", &ma, &mi) != 2)
		return false;
	*dev = makedev(ma, mi);
	return true;
}

static bool read_devnum(const char *dir, dev_t *dev)
{
	char buf[32];
	return read_line(dir, "dev", buf, sizeof(buf)) == 0 && parse_devnum(buf, dev);
}

static bool exists(const char *dir, const char *file)
{
	char path[PATH_MAX];
	struct stat st;
	if (!join(path, dir, file))
		return false;
	return stat(path, &st) == 0;
}

/* The real sysfs directory of device number @p dev: 0 or -1. */
static int sys_dir_of(dev_t dev, char real[PATH_MAX])
{
	char link[64];
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(dev), minor(dev));
	return realpath(link, real) ? 0 : -1;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* ---- what sits on which disk ---- */

struct disk_set {
	char names[16][64];
	unsigned n;
};

static void set_add(struct disk_set *s, const char *name)
{
	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return;
	if (s->n < 16)
		snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", name);
}

static bool set_has(const struct disk_set *s, const char *name)
{
	for (unsigned i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return true;
	return false;
}

/* The whole disks under device @p dev: its own disk, or through a
 * dm/md device's slaves the disks under those. */
static void disks_under(dev_t dev, struct disk_set *out, int depth)
{
	char real[PATH_MAX];
	if (depth > 8 || sys_dir_of(dev, real) != 0)
		return;
	if (exists(real, "partition")) {
		char *slash = strrchr(real, '/');
		*slash = 0;
		set_add(out, base_name(real));
		return;
	}
	char slaves[PATH_MAX];
	DIR *d = join(slaves, real, "slaves") ? opendir(slaves) : NULL;
	bool any = false;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char sdir[PATH_MAX];
			dev_t sdev;
			if (join(sdir, "/sys/class/block", e->d_name) && read_devnum(sdir, &sdev)) {
				disks_under(sdev, out, depth + 1);
				any = true;
			}
		}
		closedir(d);
	}
	if (!any)
		set_add(out, base_name(real));
}

struct mount_entry {
	char point[256];
	struct disk_set disks;
};

struct usage {
	struct mount_entry *mounts;
	size_t nmounts;
	struct { char name[64]; struct disk_set disks; } swaps[8];
	unsigned nswaps;
};

/* mountinfo escapes blanks and backslashes as \ooo. */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = 0;
}

static dev_t node_rdev(const char *path)
{
	struct stat st;
	if (strncmp(path, "/dev/", 5) == 0 && stat(path, &st) == 0 && S_ISBLK(st.st_mode))
		return st.st_rdev;
	return 0;
}

static int load_usage(struct usage *u)
{
	memset(u, 0, sizeof(*u));
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	while (getline(&line, &cap, f) > 0) {
		/* ID PARENT MAJ:MIN ROOT POINT OPTIONS [TAGS...] - TYPE SOURCE ... */
		char devnum[32], point[256];
		if (sscanf(line, "%*s %*s %31s %*s %255s", devnum, point) != 2)
			continue;
		dev_t dev;
		if (!parse_devnum(devnum, &dev))
			continue;
		/* btrfs and others show an anonymous 0:N; the source names the device */
		if (major(dev) == 0) {
			char *dash = strstr(line, " - ");
			char type[64], source[256];
			if (!dash || sscanf(dash + 3, "%63s %255s", type, source) != 2)
				continue;
			unescape(source);
			dev = node_rdev(source);
			if (!dev)
				continue;
		}
		if (u->nmounts == alloc) {
			size_t na = alloc ? alloc * 2 : 32;
			struct mount_entry *m = realloc(u->mounts, na * sizeof(*m));
			if (!m) {
				free(line);
				fclose(f);
				return -ENOMEM;
			}
			u->mounts = m;
			alloc = na;
		}
		struct mount_entry *m = &u->mounts[u->nmounts++];
		memset(m, 0, sizeof(*m));
		unescape(point);
		copy_str(m->point, sizeof(m->point), point);
		disks_under(dev, &m->disks, 0);
	}
	free(line);
	fclose(f);

	f = fopen("/proc/swaps", "re");
	if (f) {
		char buf[512];
		while (fgets(buf, sizeof(buf), f) && u->nswaps < 8) {
			char path[256];
			if (sscanf(buf, "%255s", path) != 1)
				continue;
			unescape(path);
			dev_t dev = node_rdev(path);
			if (!dev)
				continue;
			copy_str(u->swaps[u->nswaps].name, sizeof(u->swaps[0].name), base_name(path));
			disks_under(dev, &u->swaps[u->nswaps].disks, 0);
			u->nswaps++;
		}
		fclose(f);
	}
	return 0;
}

static void free_usage(struct usage *u)
{
	free(u->mounts);
	u->mounts = NULL;
}

static bool is_system_point(const char *p)
{
	return strcmp(p, "/") == 0 || strcmp(p, "/boot") == 0 || strcmp(p, "/boot/efi") == 0 ||
	       strcmp(p, "/usr") == 0;
}

/* The first holder of DIR (the disk or one of its partitions). */
static void find_holder(const char *dir, char out[64])
{
	char hdir[PATH_MAX];
	DIR *d = join(hdir, dir, "holders") ? opendir(hdir) : NULL;
	if (!d)
		return;
	struct dirent *e;
	while (!out[0] && (e = readdir(d)))
		if (e->d_name[0] != '.')
			copy_str(out, 64, e->d_name);
	closedir(d);
}

/* ---- one disk ---- */

/* The bus, from the device's path in sysfs: the first match wins (a USB
 * card reader's path has both /usb and /host). */
static void fill_transport(struct blockdev *b, const char *real)
{
	static const struct { const char *in_path, *name; } buses[] = {
		{"/usb", "usb"}, {"/mmc", "mmc"}, {"/nvme", "nvme"}, {"/ata", "ata"},
		{"/virtio", "virtio"}, {"/devices/virtual/", "virtual"}, {"/host", "scsi"},
	};
	const char *t = "";
	if (strncmp(b->name, "loop", 4) == 0)
		t = "loop";
	for (size_t i = 0; !t[0] && i < sizeof(buses) / sizeof(buses[0]); i++)
		if (strstr(real, buses[i].in_path))
			t = buses[i].name;
	copy_str(b->transport, sizeof(b->transport), t);
}

static void fill_model(struct blockdev *b, const char *sys)
{
	char vendor[64] = "", model[64] = "";
	char dev[PATH_MAX];
	if (!join(dev, sys, "device"))
		return;
	read_line(dev, "vendor", vendor, sizeof(vendor));
	if (read_line(dev, "model", model, sizeof(model)) != 0)
		read_line(dev, "name", model, sizeof(model)); /* SD cards */
	/* vendor ids like 0x1af4 (virtio) say nothing to a user */
	if (strncmp(vendor, "0x", 2) == 0)
		vendor[0] = 0;
	snprintf(b->model, sizeof(b->model), "%s%s%s", vendor, vendor[0] && model[0] ? " " : "",
		 model);
}

static void fill_usage(struct blockdev *b, const struct usage *u)
{
	for (size_t i = 0; i < u->nmounts; i++) {
		const struct mount_entry *m = &u->mounts[i];
		if (!set_has(&m->disks, b->name))
			continue;
		if (is_system_point(m->point) && !b->system) {
			b->system = true;
			copy_str(b->system_why, sizeof(b->system_why), m->point);
		}
		bool dup = false;
		for (unsigned k = 0; k < b->nmounts; k++)
			dup |= strcmp(b->mounts[k], m->point) == 0;
		if (!dup && b->nmounts < BLOCKDEV_MOUNTS_MAX)
			copy_str(b->mounts[b->nmounts++], sizeof(b->mounts[0]), m->point);
	}
	for (unsigned i = 0; i < u->nswaps; i++)
		if (!b->swap[0] && set_has(&u->swaps[i].disks, b->name))
			copy_str(b->swap, sizeof(b->swap), u->swaps[i].name);
}

static int fill_disk(struct blockdev *b, const char *name, const struct usage *u)
{
	memset(b, 0, sizeof(*b));
	copy_str(b->name, sizeof(b->name), name);
	snprintf(b->path, sizeof(b->path), "/dev/%s", b->name);
	char sys[PATH_MAX], real[PATH_MAX];
	dev_t dev; /* a disk has a device number */
	if (!join(sys, "/sys/block", name) || !realpath(sys, real) || !read_devnum(sys, &dev))
		return -ENOENT;
	uint64_t v = 0;
	if (read_u64(sys, "size", &v))
		b->size = v * 512; /* sysfs counts 512-byte sectors whatever the device's */
	b->removable = read_u64(sys, "removable", &v) && v;
	b->readonly = read_u64(sys, "ro", &v) && v;
	char type[16] = "";
	read_line(sys, "device/type", type, sizeof(type));
	b->optical = strncmp(name, "sr", 2) == 0 || strcmp(type, "5") == 0;
	fill_transport(b, real);
	fill_model(b, sys);
	read_line(sys, "loop/backing_file", b->backing, sizeof(b->backing));

	find_holder(sys, b->holder);
	DIR *d = opendir(sys);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			char part[PATH_MAX];
			if (e->d_name[0] == '.' || strncmp(e->d_name, name, strlen(name)) != 0 ||
			    !join(part, sys, e->d_name) || !exists(part, "partition"))
				continue;
			b->partitions++;
			find_holder(part, b->holder);
		}
		closedir(d);
	}
	fill_usage(b, u);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct blockdev *x = a, *y = b;
	/* optical drives first; then sr2 before sr10, sdz before sdaa */
	if (x->optical != y->optical)
		return x->optical ? -1 : 1;
	size_t lx = strlen(x->name), ly = strlen(y->name);
	if (lx != ly && strncmp(x->name, y->name, 2) == 0 && !isdigit((unsigned char)x->name[lx - 1]))
		return lx < ly ? -1 : 1;
	return strverscmp(x->name, y->name);
}

int blockdev_list(struct blockdev **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct usage u;
	int rc = load_usage(&u);
	if (rc)
		return rc;
	DIR *d = opendir("/sys/block");
	if (!d) {
		rc = -errno;
		free_usage(&u);
		return rc;
	}
	struct blockdev *list = NULL;
	size_t count = 0, alloc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *nm = e->d_name;
		if (nm[0] == '.' || strncmp(nm, "ram", 3) == 0)
			continue;
		if (count == alloc) {
			size_t na = alloc ? alloc * 2 : 16;
			struct blockdev *l = realloc(list, na * sizeof(*l));
			if (!l) {
				rc = -ENOMEM;
				break;
			}
			list = l;
			alloc = na;
		}
		if (fill_disk(&list[count], nm, &u) != 0)
			continue;
		/* an unattached loop device is no device to anyone */
		if (strcmp(list[count].transport, "loop") == 0 && !list[count].backing[0])
			continue;
		count++;
	}
	closedir(d);
	free_usage(&u);
	if (rc) {
		free(list);
		return rc;
	}
	qsort(list, count, sizeof(*list), by_name);
	*out = list;
	*n = count;
	return 0;
}

int blockdev_lookup(const char *path, struct blockdev *out, char partition[64])
{
	partition[0] = 0;
	struct stat st;
	if (stat(path, &st) != 0)
		return -errno;
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	char real[PATH_MAX];
	if (sys_dir_of(st.st_rdev, real) != 0)
		return -ENODEV;
	if (exists(real, "partition")) {
		copy_str(partition, 64, base_name(real));
		*strrchr(real, '/') = 0;
	}
	struct usage u;
	int rc = load_usage(&u);
	if (rc)
		return rc;
	rc = fill_disk(out, base_name(real), &u);
	free_usage(&u);
	return rc;
}
