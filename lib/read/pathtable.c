// SPDX-License-Identifier: MIT
/* Checking the path tables (ECMA-119 9.4) of the primary and Joliet
 * descriptors. The reader never uses them (it reaches directories through
 * their records), but other readers do (isoinfo, some firmware and older
 * systems), so a table that disagrees with the directories is damage: the
 * little- and big-endian tables must hold the same records, every parent
 * number must name an earlier record, and every record must point to a
 * block that starts a directory (its "." record points to itself) whose
 * ".." record points where the table's parent record does. xorriso 1.5.4
 * writes Joliet ".." records that point to their own directory; such a
 * ".." says nothing about the parent and is not counted as damage. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "base/bytes.h"

#define PT_CAP ((uint32_t)64 << 20) /* 64 MiB: about four million folders */
#define PT_MAX_PROBLEMS 20          /* then the table is reported as a whole */

struct pt_check {
	struct isokit_image *img;
	const char *which; /* "primary" or "Joliet" */
	unsigned problems;
};

__attribute__((format(printf, 3, 4)))
static void problem(struct pt_check *c, int64_t sector, const char *fmt, ...)
{
	if (++c->problems > PT_MAX_PROBLEMS)
		return;
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	img_finding(c->img, ISOKIT_SEV_ERROR, "path-table", sector, NULL, "%s path table: %s",
		    c->which, msg);
}

/* Does block @p lba start a directory whose "." record points to it? Then
 * *parent is where its ".." record points. */
static bool starts_directory(struct isokit_image *img, uint32_t lba, uint32_t *parent)
{
	uint8_t blk[ISO_BLOCK];
	if ((uint64_t)lba * ISO_BLOCK + ISO_BLOCK > img->size)
		return false;
	if (isokit_source_read(img->src, (uint64_t)lba * ISO_BLOCK, blk, ISO_BLOCK) != 0)
		return false;
	const uint8_t *dot = blk, *dotdot = blk + blk[0];
	if (dot[0] < 34 || get_731(dot + 2) != lba || !(dot[25] & 2) || dot[32] != 1 ||
	    dot[33] != 0)
		return false;
	if (dotdot[0] < 34 || dotdot[32] != 1 || dotdot[33] != 1)
		return false;
	*parent = get_731(dotdot + 2);
	return true;
}

static int read_table(struct isokit_image *img, uint32_t lba, uint32_t size, uint8_t **out)
{
	*out = NULL;
	uint64_t at = (uint64_t)lba * ISO_BLOCK;
	if (at > img->size || size > img->size - at)
		return ISOKIT_E_RANGE;
	uint8_t *t = malloc(size);
	if (!t)
		return ISOKIT_E_NOMEM;
	if (isokit_source_read(img->src, at, t, size) != 0) {
		free(t);
		return ISOKIT_E_IO;
	}
	*out = t;
	return 0;
}

static void check_records(struct pt_check *c, const uint8_t *l, const uint8_t *m,
			  uint32_t size, uint32_t l_lba, uint32_t *extents)
{
	uint32_t pos = 0, index = 0;
	while (pos < size) {
		uint8_t len = l[pos];
		int64_t sector = (int64_t)(l_lba + pos / ISO_BLOCK);
		if (len == 0 || pos + 8u + len > size) {
			problem(c, sector, "record %u at byte %u is cut off or empty", index + 1, pos);
			return;
		}
		index++;
		uint32_t extent = get_731(l + pos + 2);
		uint16_t parent = get_721(l + pos + 6);
		if (m && (m[pos] != len || get_732(m + pos + 2) != extent ||
			  get_722(m + pos + 6) != parent ||
			  memcmp(m + pos + 8, l + pos + 8, len) != 0))
			problem(c, sector, "record %u differs between the little- and big-endian tables (byte %u)",
				index, pos);
		if (index == 1 && (len != 1 || l[pos + 8] != 0 || parent != 1))
			problem(c, sector, "the first record is not the root");
		extents[index - 1] = extent;
		uint32_t dotdot;
		if (parent == 0 || parent > index)
			problem(c, sector, "record %u names parent %u, which does not come before it",
				index, parent);
		else if (!starts_directory(c->img, extent, &dotdot))
			problem(c, sector, "record %u points to block %u, where no directory starts",
				index, extent);
		else if (dotdot != extents[parent - 1] && dotdot != extent)
			problem(c, sector, "record %u points to block %u, whose parent is at block %u, "
				"not at block %u (record %u)", index, extent, dotdot,
				extents[parent - 1], parent);
		pos += 8u + len + (len & 1u);
	}
}

static const char *why_unreadable(int rc)
{
	return rc == ISOKIT_E_RANGE ? "is outside the image" : "cannot be read";
}

static int check_one(struct isokit_image *img, const struct tree_root *t, const char *which,
		     unsigned *problems)
{
	const int64_t vd = t->vd_sector;
	struct pt_check c = {img, which, 0};
	if (t->pt_size == 0 || t->pt_size > PT_CAP) {
		problem(&c, vd, "its size, %u bytes, is %s", t->pt_size,
			t->pt_size ? "over the 64 MiB limit" : "nothing");
		*problems += c.problems;
		return 0;
	}
	uint8_t *l = NULL, *m = NULL;
	uint32_t *extents = NULL;
	int rc = 0;
	int rl = read_table(img, t->pt_l, t->pt_size, &l);
	int rm = t->pt_m ? read_table(img, t->pt_m, t->pt_size, &m) : 0;
	if (rl == ISOKIT_E_NOMEM || rm == ISOKIT_E_NOMEM) {
		rc = ISOKIT_E_NOMEM;
		goto out;
	}
	if (rl)
		problem(&c, vd, "the little-endian table at block %u (%u bytes) %s", t->pt_l,
			t->pt_size, why_unreadable(rl));
	if (rm)
		problem(&c, vd, "the big-endian table at block %u (%u bytes) %s", t->pt_m,
			t->pt_size, why_unreadable(rm));
	if (l) {
		/* one extent per record; a record takes at least 10 bytes */
		extents = malloc((t->pt_size / 10 + 1) * sizeof(*extents));
		if (!extents) {
			rc = ISOKIT_E_NOMEM;
			goto out;
		}
		check_records(&c, l, m, t->pt_size, t->pt_l, extents);
	}
	if (c.problems > PT_MAX_PROBLEMS)
		img_finding(img, ISOKIT_SEV_ERROR, "path-table", vd, NULL,
			    "%s path table: %u problems in all", which, c.problems);
	*problems += c.problems;
out:
	free(extents);
	free(l);
	free(m);
	return rc;
}

int isokit_check_path_tables(struct isokit_image *img, unsigned *problems)
{
	*problems = 0;
	int rc = 0;
	if (img->pvd.present)
		rc = check_one(img, &img->pvd, "primary", problems);
	if (rc == 0 && img->joliet.present)
		rc = check_one(img, &img->joliet, "Joliet", problems);
	return rc;
}
