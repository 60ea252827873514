// SPDX-License-Identifier: MIT
/*
 * The read-back check of isokit burn (burn-verify.h). Both sides are read
 * in the same 1 MiB steps and compared with memcmp, which is several times
 * faster than hashing them; a step that differs is then looked at sector
 * by sector, so that the report names the sectors. A failed target read
 * is retried sector by sector too, so one bad sector does not hide a MiB.
 */
#include "burn-verify.h"

#include <stdlib.h>
#include <string.h>

#include "fdio.h"
#include "interrupt.h"

#define STEP (1u << 20)
#define SECTOR 2048u

static void add_range(struct compare *c, uint64_t sector, bool unreadable)
{
	if (unreadable)
		c->unreadable++;
	else
		c->differ++;
	if (c->nranges) {
		struct compare_range *r = &c->ranges[c->nranges - 1];
		if (r->unreadable == unreadable && r->first + r->count == sector) {
			r->count++;
			return;
		}
	}
	if (c->nranges == COMPARE_RANGES_MAX) {
		c->more_ranges = true;
		return;
	}
	c->ranges[c->nranges++] = (struct compare_range){sector, 1, unreadable};
}

/* How many bytes of the target at @p off could be read into @p buf. Reads
 * are rounded up to 4 KiB, as O_DIRECT wants; the buffer has room. */
static size_t read_target(const struct isokit_rip_input *t, uint64_t off, char *buf, size_t len)
{
	size_t want = (len + 4095) & ~(size_t)4095;
	int64_t r = t->read_at(t->ctx, off, buf, want);
	return r < 0 ? 0 : (size_t)r < len ? (size_t)r : len;
}

/* One sector of the target into @p out: read alone into an aligned buffer
 * (O_DIRECT), or, on a device of 4 KiB blocks, as the block around it.
 * True when it could be read. */
static bool read_sector(const struct isokit_rip_input *t, uint64_t off, char *scratch,
			char *out, size_t n)
{
	if (n == SECTOR && t->read_at(t->ctx, off, scratch, n) == (int64_t)n) {
		memcpy(out, scratch, n);
		return true;
	}
	uint64_t base = off & ~(uint64_t)4095;
	size_t skip = (size_t)(off - base);
	if (read_target(t, base, scratch, skip + n) != skip + n)
		return false;
	memcpy(out, scratch + skip, n);
	return true;
}

int compare_target(const char *image, int image_fd, uint64_t size,
		   const struct isokit_rip_input *target, bool quiet, struct compare *c)
{
	memset(c, 0, sizeof(*c));
	char *img = NULL, *tgt = NULL, *scratch = NULL;
	if (posix_memalign((void **)&img, 4096, STEP) || posix_memalign((void **)&tgt, 4096, STEP) ||
	    posix_memalign((void **)&scratch, 4096, 4096)) {
		free(img);
		free(tgt);
		msg_error(image, "out of memory");
		return EXIT_FAIL;
	}
	struct progress p;
	progress_init(&p, "verifying", size, quiet);
	int rc = 0;
	for (uint64_t off = 0; off < size; off += STEP) {
		if (interrupted()) {
			rc = EXIT_FAIL;
			break;
		}
		size_t len = size - off < STEP ? (size_t)(size - off) : STEP;
		int64_t r = fd_read_at(image_fd, off, img, len);
		if (r != (int64_t)len) {
			msg_error(image, "cannot read the image again to compare (byte %llu): %s",
				  (unsigned long long)off,
				  r < 0 ? strerror((int)-r) : "it is shorter than it was");
			rc = EXIT_FAIL;
			break;
		}
		size_t got = read_target(target, off, tgt, len);
		if (got == len && memcmp(img, tgt, len) == 0) {
			c->bytes += len;
			progress_update(&p, len, 0);
			continue;
		}
		/* sector by sector: a read error gets its own reads */
		bool whole_read = got == len;
		for (size_t s = 0; s < len; s += SECTOR) {
			size_t n = len - s < SECTOR ? len - s : SECTOR;
			uint64_t sector = (off + s) / SECTOR;
			if (!whole_read && s + n > got &&
			    !read_sector(target, off + s, scratch, tgt + s, n)) {
				add_range(c, sector, true);
				continue;
			}
			if (memcmp(img + s, tgt + s, n) != 0)
				add_range(c, sector, false);
		}
		c->bytes += len;
		progress_update(&p, len, 0);
	}
	progress_end(&p);
	free(img);
	free(tgt);
	free(scratch);
	return rc;
}
