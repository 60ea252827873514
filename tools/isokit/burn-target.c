// SPDX-License-Identifier: MIT
/*
 * The target of isokit burn and its refusals (burn-target.h). The checks
 * name the reason and what to do about it; the kernel's own check comes
 * later, when the device is opened with O_EXCL (which fails while anything
 * has it mounted or claimed), so a mount made after these checks still
 * stops the write.
 */
#include "burn-target.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int check_block(struct target *t, uint64_t image_size)
{
	const struct blockdev *d = &t->dev;
	if (d->system) {
		msg_error(t->arg, "refusing to write the disk the system runs from (%s is on it)",
			  d->system_why);
		return EXIT_FAIL;
	}
	if (d->nmounts) {
		char list[1024] = "";
		for (unsigned i = 0; i < d->nmounts; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", d->mounts[i]);
		msg_error(t->arg, "refusing to write a disk that is mounted (on %s); unmount it first",
			  list);
		return EXIT_FAIL;
	}
	if (d->swap[0]) {
		msg_error(t->arg, "refusing to write a disk in use as swap (%s)", d->swap);
		return EXIT_FAIL;
	}
	if (d->holder[0]) {
		msg_error(t->arg, "refusing to write a disk in use by %s (device-mapper, RAID or "
				  "LVM)", d->holder);
		return EXIT_FAIL;
	}
	if (d->optical)
		return 0; /* the media, not the drive, says how much fits: libburn checks */
	if (d->readonly) {
		msg_error(t->arg, "%s is read-only (a write-protect switch?)", d->path);
		return EXIT_FAIL;
	}
	if (d->size < image_size) {
		char need[32], have[32];
		human_size(image_size, need, sizeof(need));
		human_size(d->size, have, sizeof(have));
		msg_error(t->arg, "the image (%s) does not fit on %s (%s)", need, d->path, have);
		return EXIT_FAIL;
	}
	return 0;
}

int target_check(const char *arg, const char *image_path, uint64_t image_size, struct target *t)
{
	memset(t, 0, sizeof(*t));
	t->arg = arg;
	bool stdio = strncmp(arg, "stdio:", 6) == 0;
	const char *path = stdio ? arg + 6 : arg;
	if (!path[0]) {
		msg_error(arg, "stdio: wants a file name after it");
		return EXIT_USAGE;
	}
	snprintf(t->path, sizeof(t->path), "%s", path);
	t->kind = stdio ? TARGET_OPTICAL : TARGET_FILE;

	struct stat st, ist;
	if (stat(path, &st) != 0) {
		if (errno != ENOENT) {
			msg_error(arg, "%s", strerror(errno));
			return EXIT_FAIL;
		}
		return 0; /* a new file */
	}
	if (stat(image_path, &ist) == 0 && st.st_dev == ist.st_dev && st.st_ino == ist.st_ino) {
		msg_error(arg, "that is the image itself");
		return EXIT_USAGE;
	}
	if (S_ISREG(st.st_mode)) {
		t->exists = true;
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		msg_error(arg, "is a folder; give a file name or a device");
		return EXIT_USAGE;
	}
	if (!S_ISBLK(st.st_mode)) {
		msg_error(arg, "not a file or block device");
		return EXIT_USAGE;
	}
	t->is_block = true;
	char partition[64];
	int rc = blockdev_lookup(path, &t->dev, partition);
	if (rc) {
		msg_error(arg, "cannot find the device in /sys/block: %s", strerror(-rc));
		return EXIT_FAIL;
	}
	if (partition[0]) {
		msg_error(arg, "is a partition (%s) of %s: an image goes onto the whole device, "
			       "as its partition table is part of the image; give %s",
			  partition, t->dev.path, t->dev.path);
		return EXIT_USAGE;
	}
	if (!stdio)
		t->kind = t->dev.optical ? TARGET_OPTICAL : TARGET_BLOCK;
	return check_block(t, image_size);
}

void target_describe(const struct target *t, char *out, size_t len)
{
	if (!t->is_block) {
		snprintf(out, len, "%s", t->arg);
		return;
	}
	const struct blockdev *d = &t->dev;
	char size[32];
	human_size(d->size, size, sizeof(size));
	char parts[32] = "";
	if (d->partitions)
		snprintf(parts, sizeof(parts), ", %u partition%s", d->partitions,
			 d->partitions == 1 ? "" : "s");
	snprintf(out, len, "%s (%s%s%s%s%s%s)", t->arg, d->model, d->model[0] ? ", " : "",
		 d->optical ? "optical drive" : size, d->transport[0] ? ", " : "", d->transport,
		 parts);
}

bool target_confirm(const struct target *t, const char *image, uint64_t image_size)
{
	char desc[512], size[32];
	target_describe(t, desc, sizeof(desc));
	human_size(image_size, size, sizeof(size));
	if (!isatty(STDIN_FILENO)) {
		msg_error(t->arg, "not written: add --yes to write without being asked (there is "
				  "no terminal to ask on)");
		return false;
	}
	fprintf(stderr, "%s (%s) is about to be written to %s.\n", image, size, desc);
	if (t->kind == TARGET_FILE)
		fprintf(stderr, "The file %s will be replaced.", t->path);
	else
		fprintf(stderr, "Everything on %s will be lost.", t->path);
	fprintf(stderr, " Type yes to go on: ");
	fflush(stderr);
	char answer[16] = "";
	if (!fgets(answer, sizeof(answer), stdin))
		answer[0] = 0;
	answer[strcspn(answer, "\r\n")] = 0;
	if (strcmp(answer, "yes") != 0) {
		msg_error(t->arg, "not written");
		return false;
	}
	return true;
}
