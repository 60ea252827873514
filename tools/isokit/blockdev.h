/* SPDX-License-Identifier: MIT */
/*
 * Block devices as Linux shows them in /sys/block and /proc/self/mountinfo:
 * what `isokit devices` lists and what `isokit burn` checks before it
 * writes (blockdev.c). Nothing here writes.
 */
#ifndef ISOKIT_TOOL_BLOCKDEV_H
#define ISOKIT_TOOL_BLOCKDEV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define BLOCKDEV_MOUNTS_MAX 8

struct blockdev {
	char name[64];        /* sda, sr0, mmcblk0 */
	char path[80];        /* /dev/sda */
	char model[128];      /* vendor and model; "" when the device has none */
	char transport[16];   /* usb, mmc, nvme, ata, scsi, virtio, loop, virtual, "" */
	char backing[256];    /* a loop device's file */
	uint64_t size;        /* bytes; 0 for an empty drive */
	bool removable, readonly, optical;
	bool system;          /* holds /, /boot, /boot/efi or /usr */
	char system_why[64];  /* which of those */
	unsigned partitions;
	/* in use: mounted (the device or a partition), swap, or held by
	 * device-mapper, RAID and the like */
	unsigned nmounts;
	char mounts[BLOCKDEV_MOUNTS_MAX][256]; /* mount points */
	char swap[64];        /* "sda2" when a swap area is on it */
	char holder[64];      /* "dm-0" when something holds it */
};

/* Every whole disk in /sys/block but unused loop and ram devices, in name
 * order. @return 0, or -errno. */
int blockdev_list(struct blockdev **out, size_t *n);

/*
 * The whole disk behind the device node @p path; when @p path is one of
 * its partitions, the partition's name goes to @p partition (else "").
 * @return 0, -ENOTBLK for a path that is not a block device, or -errno.
 */
int blockdev_lookup(const char *path, struct blockdev *out, char partition[64]);

#endif
