// SPDX-License-Identifier: MIT
/*
 * isokit extract --boot-images DIR: every El Torito boot image, whether a
 * file of the tree or not, as boot-N-PLATFORM.img, and the system area
 * (the first 32 KiB: MBR code, partition tables) as system-area.img when it
 * is not all zeros. Each file is written under a temporary name and renamed
 * when complete; an existing file is replaced only with --overwrite.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "extract.h"
#include "fdio.h"
#include "partial.h"

#define SYSTEM_AREA (32u * 1024u)

static int write_part(const char *image, struct isokit_image *img, int dirfd, const char *dir,
		      const char *name, uint64_t off, uint64_t len, bool overwrite)
{
	struct stat st;
	if (!overwrite && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		msg_error(NULL, "%s/%s: exists (--overwrite replaces it)", dir, name);
		return -1;
	}
	char tmp[300];
	snprintf(tmp, sizeof(tmp), ".%s.isokit-%ld", name, (long)getpid());
	partial_creating(true);
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int slot = fd >= 0 ? partial_add(dirfd, tmp) : -1;
	partial_creating(false);
	if (fd < 0) {
		msg_error(NULL, "%s/%s: %s", dir, tmp, strerror(errno));
		return -1;
	}
	struct isokit_source *src = isokit_image_source(img);
	static uint8_t buf[1 << 20];
	int rc = 0;
	for (uint64_t at = 0; at < len && !rc;) {
		size_t n = len - at < sizeof(buf) ? (size_t)(len - at) : sizeof(buf);
		if ((rc = isokit_source_read(src, off + at, buf, n)) != 0) {
			msg_error(image, "boot image %s, block %llu: %s", name,
				  (unsigned long long)((off + at) / 2048), isokit_strerror(rc));
			break;
		}
		int e = fd_write_all(fd, buf, n);
		if (e) {
			msg_error(NULL, "%s/%s: %s", dir, name, strerror(-e));
			rc = -1;
		}
		at += n;
	}
	if (close(fd) < 0 && !rc) {
		msg_error(NULL, "%s/%s: %s", dir, name, strerror(errno));
		rc = -1;
	}
	if (!rc && renameat(dirfd, tmp, dirfd, name) < 0) {
		msg_error(NULL, "%s/%s: %s", dir, name, strerror(errno));
		rc = -1;
	}
	if (rc)
		unlinkat(dirfd, tmp, 0);
	partial_remove(slot);
	return rc ? -1 : 0;
}

static const char *platform_word(uint8_t p)
{
	switch (p) {
	case 0x00: return "bios";
	case 0x01: return "ppc";
	case 0x02: return "mac";
	case 0xEF: return "uefi";
	default: return "other";
	}
}

int extract_boot_images(const char *image, struct isokit_image *img, const char *dir,
			bool overwrite, bool quiet)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		msg_error(NULL, "%s: cannot create: %s", dir, strerror(errno));
		return EXIT_FAIL;
	}
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		msg_error(NULL, "%s: %s", dir, strerror(errno));
		return EXIT_FAIL;
	}
	static struct isokit_boot_entry be[64];
	static struct isokit_boot_image_info bi[64];
	size_t n = 0;
	int failures = 0;
	int rc = isokit_image_boot_entries(img, be, 64, &n);
	if (rc) {
		cli_image_error(image, img, rc);
		failures++;
	}
	if (n > 64)
		n = 64;
	char cat[8];
	if (n && (rc = isokit_image_boot_images(img, be, n, bi, cat, 0)) != 0) {
		cli_image_error(image, img, rc);
		close(dirfd);
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof(name), "boot-%zu-%s.img", i + 1, platform_word(be[i].platform));
		if (!bi[i].bytes) {
			msg_error(image, "boot entry %zu: its image at block %u lies outside the image",
				  i + 1, be[i].load_rba);
			failures++;
			continue;
		}
		if (write_part(image, img, dirfd, dir, name, (uint64_t)be[i].load_rba * 2048,
			       bi[i].bytes, overwrite)) {
			failures++;
			continue;
		}
		if (!quiet)
			printf("%s/%s: %llu bytes from block %u (size from %s)\n", dir, name,
			       (unsigned long long)bi[i].bytes, be[i].load_rba, bi[i].size_from);
	}
	/* the system area, unless it is empty */
	static uint8_t sa[SYSTEM_AREA];
	struct isokit_source *src = isokit_image_source(img);
	if (isokit_source_size(src) >= SYSTEM_AREA &&
	    isokit_source_read(src, 0, sa, SYSTEM_AREA) == 0) {
		bool any = false;
		for (size_t i = 0; i < SYSTEM_AREA && !any; i++)
			any = sa[i] != 0;
		if (any) {
			if (write_part(image, img, dirfd, dir, "system-area.img", 0, SYSTEM_AREA,
				       overwrite))
				failures++;
			else if (!quiet)
				printf("%s/system-area.img: %u bytes (MBR, partition tables)\n", dir,
				       SYSTEM_AREA);
		}
	}
	if (!n && !quiet)
		msg_warn(image, "no El Torito boot entries");
	close(dirfd);
	return failures ? EXIT_FAIL : EXIT_OK;
}
