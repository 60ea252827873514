// SPDX-License-Identifier: MIT
/*
 * The UDF side of an image (ECMA-167 3rd edition, OSTA UDF 1.02, 2.01 and
 * 2.50): a second set of names for the same file data. Blocks, in a bridge
 * image (writer.udf_only: the same without the ISO 9660 parts):
 *
 *   16...     the ISO 9660 descriptors (layout.c)
 *   next      the recognition sequence: BEA01, NSR02 (1.02) or NSR03, TEA01
 *   next      the main volume descriptor sequence (16 blocks): PVD, IUVD,
 *             PD, LVD, USD, TD
 *   next      the integrity sequence: LVID (closed), TD
 *   256       the anchor; zeros before it
 *   257       the partition starts (pycdlib looks for the FSD at its first
 *             block, so the UDF metadata comes first):
 *   2.50:       the metadata file's entry and its mirror's
 *               FSD, TD, then every folder (its entry followed by its
 *               identifiers) in breadth-first order, each followed by the
 *               entries of its other children: a hard-linked file has one
 *               entry, however many names it has; a symlink whose path
 *               components do not fit its entry has them in the blocks
 *               after it; a file of more extents than its entry holds
 *               continues in allocation extent descriptors after it
 *               the ISO 9660 parts (catalog, path tables, folders), file data
 *   next      the reserve volume descriptor sequence, whose extent runs up
 *             to the end anchor: 6 descriptors, zeros, and with checksums
 *             the SHA-256 table and its trailer (docs/format/file-sums.md).
 *             7-Zip takes the end of the last extent it knows as the end
 *             of the volume and fails the image as damaged when anything
 *             but zeros lies between there and the end anchor.
 *   last      the end anchor: the volume's last block, or the last before
 *             the backup GPT of a hybrid image (found by 7-Zip, which
 *             takes an anchor wherever its tag says it is; other readers
 *             use the one at 256)
 *
 * The partition is read-only (access type 1): no space bitmap. In 2.50 the
 * metadata lives in a metadata partition whose file is the one extent of
 * the UDF metadata; its mirror names the same extent (the duplicate flag
 * is off, as IMAPI does without redundancy), so a damaged copy is no
 * better than the other: the two volume descriptor sequences at both ends
 * and the two anchors are the redundancy kept.
 *
 * Everything is measured by udf_layout() with the same functions that later
 * write it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <isokit/isokit.h>

#include "base/bytes.h"
#include "ecma119/vd.h"
#include "udf/udf.h"
#include "write/internal.h"

#define BS ISO_BLOCK
#define VDS_BLOCKS 16u
#define LVID_BLOCKS 2u
/* the longest extent an allocation descriptor holds: 2^30 - 1 bytes, in
 * whole blocks */
#define EXT_MAX (0x3FFFFFFFu & ~(uint32_t)(BS - 1))
#define FE_HEAD 176u
#define EFE_HEAD 216u
#define AED_HEAD 24u
#define UDF_UNIQUE_FIRST 16u /* 0 is the root's; 1-15 are reserved */
/* path components of a target of up to 4096 bytes: at most 5 bytes per
 * 2 bytes of target ("a/a/...") */
#define SYMLINK_BYTES 16384u

/* OS class UNIX, identifier Linux (UDF 6.3) */
static const uint8_t impl_suffix[8] = {4, 5};

static uint16_t tag_version(const struct writer *w)
{
	return w->udf_rev >= 0x0200 ? 3 : 2;
}

static bool extended(const struct writer *w)
{
	return w->udf_rev >= 0x0250;
}

static size_t ad_size(const struct writer *w)
{
	return w->udf_mref ? 16 : 8; /* long_ad across two partitions */
}

static size_t fe_head(const struct writer *w)
{
	return extended(w) ? EFE_HEAD : FE_HEAD;
}

static void udf_suffix(const struct writer *w, uint8_t s[8])
{
	memset(s, 0, 8);
	put_721(s, w->udf_rev);
	s[2] = 4; /* OS class, identifier: as impl_suffix */
	s[3] = 5;
}

static void impl_regid(uint8_t *p)
{
	udf_regid_encode(p, "*isokit", impl_suffix);
}

static uint32_t unique_id(uint32_t serial)
{
	return serial == 1 ? 0 : UDF_UNIQUE_FIRST + serial;
}


static uint32_t blocks_of(uint64_t bytes)
{
	return (uint32_t)((bytes + BS - 1) / BS);
}

/* ---- measuring ---- */

/* Extents of @p size bytes of file data. */
static uint64_t data_extents(uint64_t size)
{
	return (size + EXT_MAX - 1) / EXT_MAX;
}

/* Blocks of a file entry holding @p n allocation descriptors: the entry,
 * then allocation extent descriptors, each but the last ending in a
 * descriptor that leads to the next. */
static uint32_t entry_blocks(const struct writer *w, uint64_t n)
{
	size_t ads = ad_size(w);
	uint64_t slots = (BS - fe_head(w)) / ads, per_aed = (BS - AED_HEAD) / ads;
	uint32_t blocks = 1;
	while (n > slots) {
		n -= slots - 1;
		slots = per_aed;
		blocks++;
	}
	return blocks;
}

/* Path components of a symlink's target, into @p buf (NULL: measure). */
static int symlink_bytes(struct writer *w, uint32_t node, uint8_t *buf, size_t cap)
{
	const struct wnode *c = wnode_at(w, node);
	uint8_t tmp[SYMLINK_BYTES];
	int n = udf_symlink_encode((const char *)arena_at(w, c->aux), (size_t)c->size,
				   buf ? buf : tmp, buf ? cap : sizeof(tmp));
	if (n < 0) {
		char p[4096];
		tree_image_path(w, node, p, sizeof(p));
		return w_error(w, ISOKIT_E_LIMIT,
			       "%s: the symlink's target has a name longer than UDF "
			       "holds (254 bytes of OSTA CS0) or is too long",
			       p);
	}
	return n;
}

/* Blocks of the entry of a node that is no folder. */
/* Blocks of a symlink whose path components take @p n bytes: its entry
 * alone when they fit in it, else the entry and the blocks after it. */
static uint32_t symlink_blocks(const struct writer *w, size_t n)
{
	return n > BS - fe_head(w) ? 1 + blocks_of(n) : 1;
}

static int other_blocks(struct writer *w, uint32_t node, uint32_t *blocks)
{
	const struct wnode *c = wnode_at(w, node);
	*blocks = 1;
	if (c->type == W_REG) {
		*blocks = entry_blocks(w, data_extents(c->size));
	} else if (c->type == W_LNK) {
		int n = symlink_bytes(w, node, NULL, 0);
		if (n < 0)
			return n;
		*blocks = symlink_blocks(w, (size_t)n);
	}
	return 0;
}

static size_t fid_size(size_t name_len)
{
	return (38 + name_len + 3) & ~(size_t)3;
}

/* The identifiers of one folder; with @p out, encoded at its block @p at. */
static int dir_fids(struct writer *w, uint32_t dir, struct name_list *names, uint8_t *out,
		    uint32_t at, uint64_t *size);

/* Whether a child has an entry of its own (a hard link's other names
 * share the first one's). */
static bool owns_entry(const struct writer *w, const struct wnode *c)
{
	return !(c->type == W_REG && (c->flags & WF_LINK_COPY));
}

int udf_layout_head(struct writer *w, uint64_t *next)
{
	w->udf_vrs = (uint32_t)*next;
	w->udf_main = w->udf_vrs + 3;
	w->udf_lvid = w->udf_main + VDS_BLOCKS;
	if (w->udf_lvid + LVID_BLOCKS > UDF_ANCHOR_BLOCK)
		return w_error(w, ISOKIT_E_INVAL, "internal error: UDF descriptors past block 256");
	w->udf_part_start = UDF_ANCHOR_BLOCK + 1;
	*next = w->udf_part_start;
	return 0;
}

int udf_layout_meta(struct writer *w, uint64_t *next)
{
	w->udf_fe = calloc(w->next_serial + 1, sizeof(*w->udf_fe));
	if (!w->udf_fe)
		return ISOKIT_E_NOMEM;
	if (w->udf_mref) {
		/* the metadata file's entry and its mirror's, then the
		 * metadata, which is the metadata partition's block 0 on */
		w->udf_meta_fe = (uint32_t)*next;
		*next += 2;
	}
	w->udf_meta = (uint32_t)*next;
	w->udf_mbase = w->udf_mref ? w->udf_meta : w->udf_part_start;
	uint64_t at = w->udf_meta - w->udf_mbase + 2; /* FSD, TD */
	struct name_list names = {0};
	int rc = 0;
	w->udf_files = w->udf_dirs = 0;
	for (uint32_t i = 0; i < w->ndirs && rc == 0; i++) {
		if (w->reloc_dir && i == w->reloc_dir)
			continue;
		struct wdir *d = &w->dirs[i];
		const struct wnode *dn = wnode_at(w, d->node);
		uint64_t size;
		if ((rc = dir_fids(w, i, &names, NULL, 0, &size)) != 0)
			break;
		if (size > EXT_MAX) {
			char p[4096];
			tree_image_path(w, d->node, p, sizeof(p));
			rc = w_error(w, ISOKIT_E_LIMIT, "%s: folder too large for UDF (1 GiB of names)", p);
			break;
		}
		d->udf_size = (uint32_t)size;
		w->udf_fe[dn->serial] = (uint32_t)at;
		at += 1 + blocks_of(size);
		w->udf_dirs++;
		for (uint32_t k = 0; k < dn->count; k++) {
			uint32_t ci = w->kids[dn->first + k];
			const struct wnode *c = wnode_at(w, ci);
			if (c->type == W_DIR || !owns_entry(w, c))
				continue;
			uint32_t blocks;
			if ((rc = other_blocks(w, ci, &blocks)) != 0)
				break;
			w->udf_fe[c->serial] = (uint32_t)at;
			at += blocks;
			w->udf_files++;
		}
		if (at > UINT32_MAX / 2) {
			rc = w_error(w, ISOKIT_E_LIMIT, "too many entries for UDF");
			break;
		}
	}
	names_list_free(&names);
	if (rc)
		return rc;
	w->udf_meta_blocks = (uint32_t)(at - (w->udf_meta - w->udf_mbase));
	*next = w->udf_meta + (uint64_t)w->udf_meta_blocks;
	return 0;
}

void udf_layout_reserve(struct writer *w, uint64_t *next)
{
	w->udf_reserve = (uint32_t)*next;
	w->udf_part_len = w->udf_reserve - w->udf_part_start;
	*next += VDS_BLOCKS;
}

/* ---- folders ---- */

static void fid_encode(struct writer *w, uint8_t *p, uint8_t chars, const uint8_t *name,
		       size_t name_len, uint32_t serial, uint32_t tag_block)
{
	size_t size = fid_size(name_len);
	memset(p, 0, size);
	put_721(p + 16, 1); /* file version number */
	p[18] = chars;
	p[19] = (uint8_t)name_len;
	udf_long_ad_encode(p + 20, BS, 0, w->udf_fe[serial], w->udf_mref, unique_id(serial));
	put_721(p + 36, 0); /* no implementation use */
	if (name_len)
		memcpy(p + 38, name, name_len);
	udf_tag_encode(p, UDF_TAG_FID, tag_version(w), tag_block, size - UDF_TAG_SIZE);
}

static int dir_fids(struct writer *w, uint32_t dir, struct name_list *names, uint8_t *out,
		    uint32_t at, uint64_t *size)
{
	const struct wdir *d = &w->dirs[dir];
	const struct wnode *self = wnode_at(w, d->node);
	int rc = names_udf(w, d->node, names, out != NULL);
	if (rc)
		return rc;
	uint64_t pos = fid_size(0);
	if (out) {
		const struct wnode *parent = wnode_at(w, d->node == 0 ? 0 : self->parent);
		fid_encode(w, out, UDF_FID_DIR | UDF_FID_PARENT, NULL, 0, parent->serial, at);
	}
	for (uint32_t k = 0; k < names->n; k++) {
		const struct name_slot *s = &names->slots[k];
		const struct wnode *c = wnode_at(w, s->node);
		if (out)
			fid_encode(w, out + pos, c->type == W_DIR ? UDF_FID_DIR : 0,
				   names->pool + s->off, s->len, c->serial,
				   at + (uint32_t)(pos / BS));
		pos += fid_size(s->len);
	}
	*size = pos;
	return 0;
}

/* ---- file entries ---- */

static uint32_t permissions(uint32_t mode)
{
	/* x, w, r from bit 0 in each class; change-attribute and delete go
	 * with write (UDF 3.3.3.3) */
	uint32_t p = 0;
	for (int cls = 0; cls < 3; cls++) {
		uint32_t m = (mode >> (3 * cls)) & 7;
		if (m & 2)
			m |= 0x18;
		p |= m << (5 * cls);
	}
	return p;
}

static uint8_t file_type(const struct wnode *c)
{
	switch (c->type) {
	case W_DIR: return UDF_FT_DIR;
	case W_LNK: return UDF_FT_SYMLINK;
	case W_CHR: return UDF_FT_CHAR;
	case W_BLK: return UDF_FT_BLOCK;
	case W_FIFO: return UDF_FT_FIFO;
	default: return UDF_FT_FILE;
	}
}

struct entry {
	uint8_t type;
	uint16_t icb_flags;
	uint32_t uid, gid, perm;
	uint16_t links;
	uint64_t length, blocks;
	int64_t atime, mtime, ctime, btime;
	uint64_t unique;
};

/* An FE or EFE with @p ad_len bytes of descriptors (or data) at @p ads. */
static void entry_encode(struct writer *w, uint8_t *p, const struct entry *e, const uint8_t *ads,
			 size_t ad_len, uint32_t block)
{
	memset(p, 0, BS);
	/* ICB tag (4/14.6): strategy 4, one entry */
	put_731(p + 16, 0);
	put_721(p + 20, 4);
	put_721(p + 24, 1);
	p[27] = e->type;
	put_721(p + 34, e->icb_flags);
	put_731(p + 36, e->uid);
	put_731(p + 40, e->gid);
	put_731(p + 44, e->perm);
	put_721(p + 48, e->links);
	put_le64(p + 56, e->length);
	size_t head;
	if (extended(w)) {
		put_le64(p + 64, e->length); /* object size: no streams */
		put_le64(p + 72, e->blocks);
		udf_time_encode(p + 80, e->atime);
		udf_time_encode(p + 92, e->mtime);
		udf_time_encode(p + 104, e->btime);
		udf_time_encode(p + 116, e->ctime);
		put_731(p + 128, 1); /* checkpoint */
		impl_regid(p + 168);
		put_le64(p + 200, e->unique);
		put_731(p + 208, 0);
		put_731(p + 212, (uint32_t)ad_len);
		head = EFE_HEAD;
	} else {
		put_le64(p + 64, e->blocks);
		udf_time_encode(p + 72, e->atime);
		udf_time_encode(p + 84, e->mtime);
		udf_time_encode(p + 96, e->ctime);
		put_731(p + 108, 1);
		impl_regid(p + 128);
		put_le64(p + 160, e->unique);
		put_731(p + 168, 0);
		put_731(p + 172, (uint32_t)ad_len);
		head = FE_HEAD;
	}
	if (ad_len)
		memcpy(p + head, ads, ad_len);
	udf_tag_encode(p, extended(w) ? UDF_TAG_EFE : UDF_TAG_FE, tag_version(w), block,
		       head + ad_len - UDF_TAG_SIZE);
}

static void entry_of(struct writer *w, const struct wnode *c, struct entry *e)
{
	memset(e, 0, sizeof(*e));
	e->type = file_type(c);
	e->uid = c->uid;
	e->gid = c->gid;
	e->perm = permissions(c->mode);
	e->icb_flags = (c->mode & 04000 ? UDF_ICB_SETUID : 0) | (c->mode & 02000 ? UDF_ICB_SETGID : 0) |
		       (c->mode & 01000 ? UDF_ICB_STICKY : 0);
	e->links = c->nlink > 0xFFFF ? 0xFFFF : (uint16_t)c->nlink;
	e->atime = c->atime;
	e->mtime = c->mtime;
	e->ctime = c->ctime;
	e->btime = c->btime >= 0 ? c->btime : c->mtime;
	e->unique = unique_id(c->serial);
	(void)w;
}

/* One descriptor for @p len bytes at block @p block of partition @p part. */
static size_t ad_put(const struct writer *w, uint8_t *p, uint32_t len, uint8_t type,
		     uint32_t block, uint16_t part)
{
	if (w->udf_mref) {
		udf_long_ad_encode(p, len, type, block, part, 0);
		return 16;
	}
	udf_short_ad_encode(p, len, type, block);
	return 8;
}

/* A file's entry and its allocation extent descriptors: @p blocks blocks
 * from @p block (relative to the metadata base), into @p out. */
static void file_entry(struct writer *w, const struct entry *e, uint64_t size, uint32_t data,
		       uint8_t *out, uint32_t block, uint32_t blocks)
{
	size_t ads = ad_size(w);
	uint64_t n = data_extents(size), done = 0;
	uint8_t area[BS];
	/* the entry always, then its allocation extent descriptors */
	uint32_t b = 0;
	do {
		size_t head = b == 0 ? fe_head(w) : AED_HEAD;
		size_t slots = (BS - head) / ads;
		bool more = b + 1 < blocks;
		size_t used = 0;
		for (size_t s = 0; s < slots - (more ? 1 : 0) && done < n; s++, done++) {
			uint64_t off = done * EXT_MAX;
			uint32_t len = size - off > EXT_MAX ? EXT_MAX : (uint32_t)(size - off);
			used += ad_put(w, area + used, len, UDF_EXT_RECORDED,
				       data + (uint32_t)(off / BS) - w->udf_part_start, 0);
		}
		if (more)
			used += ad_put(w, area + used, BS, UDF_EXT_NEXT, block + b + 1, w->udf_mref);
		uint8_t *p = out + (size_t)b * BS;
		if (b == 0) {
			entry_encode(w, p, e, area, used, block);
		} else {
			memset(p, 0, BS);
			put_731(p + 16, 0); /* previous allocation extent location */
			put_731(p + 20, (uint32_t)used);
			memcpy(p + AED_HEAD, area, used);
			udf_tag_encode(p, UDF_TAG_AED, tag_version(w), block + b,
				       AED_HEAD + used - UDF_TAG_SIZE);
		}
	} while (++b < blocks);
}

/* ---- writing ---- */

static int put_block(struct out *o, const uint8_t *p)
{
	return out_write(o, p, BS);
}

/* Tag the descriptor in @p b (@p len bytes) as @p ident at block *at,
 * write its block, and count it. */
static int put_desc(struct writer *w, struct out *o, uint8_t *b, uint16_t ident, size_t len,
		    uint32_t *at)
{
	udf_tag_encode(b, ident, tag_version(w), *at, len - UDF_TAG_SIZE);
	(*at)++;
	return put_block(o, b);
}

/* A terminating descriptor (3/10.9, 4/14.2) at block *at. */
static int put_terminator(struct writer *w, struct out *o, uint32_t *at)
{
	uint8_t b[BS];
	memset(b, 0, BS);
	return put_desc(w, o, b, UDF_TAG_TD, 512, at);
}

static int write_vds(struct writer *w, struct out *o, uint32_t first)
{
	uint8_t b[BS];
	uint8_t suffix[8];
	uint32_t at = first;
	int rc;

	/* PVD (3/10.1) */
	memset(b, 0, BS);
	put_731(b + 16, 0); /* volume descriptor sequence number */
	udf_dstring_encode(b + 24, 32, writer_label(w));
	put_721(b + 56, 1);
	put_721(b + 58, 1);
	put_721(b + 60, 2); /* interchange level: one volume */
	put_721(b + 62, 2);
	put_731(b + 64, 1); /* character sets: CS0 */
	put_731(b + 68, 1);
	/* volume set identifier: 16 characters meant to be unique first */
	char vset[160];
	uint32_t h = 2166136261u;
	for (const char *s = writer_label(w); *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	snprintf(vset, sizeof(vset), "%08X%08X%.120s", (uint32_t)w->now, h, writer_label(w));
	udf_dstring_encode(b + 72, 128, vset);
	udf_charspec_encode(b + 200);
	udf_charspec_encode(b + 264);
	char app[64];
	snprintf(app, sizeof(app), "*isokit %s", isokit_version());
	udf_regid_encode(b + 344, app, NULL);
	udf_time_encode(b + 376, w->now);
	impl_regid(b + 388);
	if ((rc = put_desc(w, o, b, UDF_TAG_PVD, 512, &at)) != 0)
		return rc;

	/* IUVD (3/10.4) with the "*UDF LV Info" of UDF 2.2.7 */
	memset(b, 0, BS);
	put_731(b + 16, 1);
	udf_suffix(w, suffix);
	udf_regid_encode(b + 20, "*UDF LV Info", suffix);
	udf_charspec_encode(b + 52);
	udf_dstring_encode(b + 116, 128, writer_label(w));
	impl_regid(b + 352);
	if ((rc = put_desc(w, o, b, UDF_TAG_IUVD, 512, &at)) != 0)
		return rc;

	/* PD (3/10.5): partition 0, read-only */
	memset(b, 0, BS);
	put_731(b + 16, 2);
	put_721(b + 20, 1); /* allocated */
	put_721(b + 22, 0);
	udf_regid_encode(b + 24, w->udf_rev >= 0x0200 ? "+NSR03" : "+NSR02", NULL);
	put_731(b + 184, 1); /* access type: read only */
	put_731(b + 188, w->udf_part_start);
	put_731(b + 192, w->udf_part_len);
	impl_regid(b + 196);
	if ((rc = put_desc(w, o, b, UDF_TAG_PD, 512, &at)) != 0)
		return rc;

	/* LVD (3/10.6) with its partition maps */
	memset(b, 0, BS);
	put_731(b + 16, 3);
	udf_charspec_encode(b + 20);
	udf_dstring_encode(b + 84, 128, writer_label(w));
	put_731(b + 212, BS);
	memset(suffix, 0, 8);
	put_721(suffix, w->udf_rev);
	udf_regid_encode(b + 216, "*OSTA UDF Compliant", suffix);
	/* where the FSD is */
	udf_long_ad_encode(b + 248, 2 * BS, 0, w->udf_meta - w->udf_mbase, w->udf_mref, 0);
	impl_regid(b + 272);
	put_731(b + 432, LVID_BLOCKS * BS);
	put_731(b + 436, w->udf_lvid);
	uint8_t *m = b + 440;
	m[0] = 1; /* type 1: partition 0 of this volume */
	m[1] = 6;
	put_721(m + 2, 1);
	put_721(m + 4, 0);
	size_t maps = 6;
	if (w->udf_mref) {
		m += 6;
		m[0] = 2;
		m[1] = 64;
		udf_suffix(w, suffix);
		udf_regid_encode(m + 4, "*UDF Metadata Partition", suffix);
		put_721(m + 36, 1);
		put_721(m + 38, 0);
		put_731(m + 40, w->udf_meta_fe - w->udf_part_start);
		put_731(m + 44, w->udf_meta_fe + 1 - w->udf_part_start);
		put_731(m + 48, 0xFFFFFFFFu); /* no bitmap: read-only */
		put_731(m + 52, 32);          /* allocation unit, blocks */
		put_721(m + 56, 1);           /* alignment unit */
		m[58] = 0;                    /* the mirror is no copy */
		maps += 64;
	}
	put_731(b + 264, (uint32_t)maps);
	put_731(b + 268, w->udf_mref ? 2 : 1);
	if ((rc = put_desc(w, o, b, UDF_TAG_LVD, 440 + maps, &at)) != 0)
		return rc;

	/* USD (3/10.8): no unallocated space */
	memset(b, 0, BS);
	put_731(b + 16, 4);
	put_731(b + 20, 0);
	if ((rc = put_desc(w, o, b, UDF_TAG_USD, 24, &at)) != 0 ||
	    (rc = put_terminator(w, o, &at)) != 0)
		return rc;
	return out_zero(o, (size_t)(VDS_BLOCKS - (at - first)) * BS);
}

static int write_lvid(struct writer *w, struct out *o)
{
	uint8_t b[BS];
	memset(b, 0, BS);
	udf_time_encode(b + 16, w->now);
	put_731(b + 28, 1); /* closed */
	/* logical volume header: the next unique ID */
	put_le64(b + 40, (uint64_t)UDF_UNIQUE_FIRST + w->next_serial + 1);
	uint32_t nparts = w->udf_mref ? 2 : 1;
	put_731(b + 72, nparts);
	put_731(b + 76, 46);
	uint8_t *t = b + 80;
	for (uint32_t i = 0; i < nparts; i++) {
		put_731(t + 4 * i, 0); /* free space */
		put_731(t + 4 * (nparts + i), i == 0 ? w->udf_part_len : w->udf_meta_blocks);
	}
	uint8_t *iu = t + 8 * nparts;
	impl_regid(iu);
	put_731(iu + 32, (uint32_t)w->udf_files);
	put_731(iu + 36, (uint32_t)w->udf_dirs);
	put_721(iu + 40, w->udf_rev); /* minimum UDF read revision */
	put_721(iu + 42, w->udf_rev); /* minimum write */
	put_721(iu + 44, w->udf_rev); /* maximum write */
	size_t len = (size_t)(iu + 46 - b);
	uint32_t at = w->udf_lvid;
	int rc = put_desc(w, o, b, UDF_TAG_LVID, len, &at);
	return rc ? rc : put_terminator(w, o, &at);
}

static void anchor_encode(struct writer *w, uint8_t *b, uint32_t at)
{
	memset(b, 0, BS);
	put_731(b + 16, VDS_BLOCKS * BS);
	put_731(b + 20, w->udf_main);
	/* the reserve sequence's extent runs up to the end anchor (see the
	 * top of this file) */
	put_731(b + 24, (w->udf_end_anchor - w->udf_reserve) * BS);
	put_731(b + 28, w->udf_reserve);
	udf_tag_encode(b, UDF_TAG_AVDP, tag_version(w), at, 512 - UDF_TAG_SIZE);
}

int udf_write_head(struct writer *w, struct out *o)
{
	if (o->pos != (uint64_t)w->udf_vrs * BS)
		return w_error(w, ISOKIT_E_INVAL, "internal error: UDF descriptors out of place");
	uint8_t b[BS];
	const char *ids[3] = {"BEA01", w->udf_rev >= 0x0200 ? "NSR03" : "NSR02", "TEA01"};
	int rc = 0;
	for (int i = 0; i < 3 && rc == 0; i++) {
		memset(b, 0, BS);
		memcpy(b + 1, ids[i], 5);
		b[6] = 1;
		rc = put_block(o, b);
	}
	if (!rc)
		rc = write_vds(w, o, w->udf_main);
	if (!rc)
		rc = write_lvid(w, o);
	if (!rc)
		rc = out_zero(o, (size_t)(UDF_ANCHOR_BLOCK - (w->udf_lvid + LVID_BLOCKS)) * BS);
	if (!rc) {
		anchor_encode(w, b, UDF_ANCHOR_BLOCK);
		rc = put_block(o, b);
	}
	return rc;
}

int udf_write_reserve(struct writer *w, struct out *o)
{
	if (o->pos != (uint64_t)w->udf_reserve * BS)
		return w_error(w, ISOKIT_E_INVAL, "internal error: UDF reserve sequence out of place");
	return write_vds(w, o, w->udf_reserve);
}

int udf_write_end_anchor(struct writer *w, struct out *o)
{
	if (o->pos != (uint64_t)w->udf_end_anchor * BS)
		return w_error(w, ISOKIT_E_INVAL, "internal error: UDF end anchor out of place");
	uint8_t b[BS];
	anchor_encode(w, b, w->udf_end_anchor);
	return put_block(o, b);
}

/* The metadata file's entry (type 250) and its mirror's (251): one extent,
 * the UDF metadata, in the physical partition. */
static int write_meta_files(struct writer *w, struct out *o)
{
	uint8_t b[BS], ad[8];
	struct entry e = {.type = UDF_FT_META_FILE, .links = 1,
			  .length = (uint64_t)w->udf_meta_blocks * BS,
			  .blocks = w->udf_meta_blocks, .atime = w->now, .mtime = w->now,
			  .ctime = w->now, .btime = w->now, .uid = 0xFFFFFFFFu, .gid = 0xFFFFFFFFu};
	udf_short_ad_encode(ad, w->udf_meta_blocks * BS, UDF_EXT_RECORDED,
			    w->udf_meta - w->udf_part_start);
	int rc = 0;
	for (int i = 0; i < 2 && rc == 0; i++) {
		e.type = i ? UDF_FT_META_MIRROR : UDF_FT_META_FILE;
		/* a short_ad: the entries and their extent are both in the
		 * physical partition */
		e.icb_flags = UDF_AD_SHORT;
		entry_encode(w, b, &e, ad, sizeof(ad), w->udf_meta_fe + i - w->udf_part_start);
		rc = put_block(o, b);
	}
	return rc;
}

static int write_fsd(struct writer *w, struct out *o)
{
	uint8_t b[BS];
	uint32_t at = w->udf_meta - w->udf_mbase;
	memset(b, 0, BS);
	udf_time_encode(b + 16, w->now);
	put_721(b + 28, 3); /* interchange level */
	put_721(b + 30, 3);
	put_731(b + 32, 1);
	put_731(b + 36, 1);
	put_731(b + 40, 0);
	put_731(b + 44, 0);
	udf_charspec_encode(b + 48);
	udf_dstring_encode(b + 112, 128, writer_label(w));
	udf_charspec_encode(b + 240);
	udf_dstring_encode(b + 304, 32, writer_label(w));
	udf_long_ad_encode(b + 400, BS, 0, w->udf_fe[wnode_at(w, 0)->serial], w->udf_mref, 0);
	uint8_t suffix[8] = {0};
	put_721(suffix, w->udf_rev);
	udf_regid_encode(b + 416, "*OSTA UDF Compliant", suffix);
	int rc = put_desc(w, o, b, UDF_TAG_FSD, 512, &at);
	return rc ? rc : put_terminator(w, o, &at);
}

static int write_dir(struct writer *w, struct out *o, uint32_t dir, struct name_list *names,
		     uint8_t **buf, size_t *cap)
{
	struct wdir *d = &w->dirs[dir];
	const struct wnode *dn = wnode_at(w, d->node);
	uint32_t at = w->udf_fe[dn->serial];
	size_t bytes = (size_t)blocks_of(d->udf_size) * BS;
	if (bytes > *cap) {
		uint8_t *nb = realloc(*buf, bytes);
		if (!nb)
			return ISOKIT_E_NOMEM;
		*buf = nb;
		*cap = bytes;
	}
	memset(*buf, 0, bytes);
	uint64_t size;
	int rc = dir_fids(w, dir, names, *buf, at + 1, &size);
	if (rc)
		return rc;
	if (size != d->udf_size)
		return w_error(w, ISOKIT_E_INVAL, "internal error: UDF folder size changed");
	struct entry e;
	entry_of(w, dn, &e);
	/* the identifiers naming it (4/14.9.6): its own in its parent and the
	 * parent entry of every subfolder, where POSIX's 2 + subfolders counts
	 * "." too */
	e.links = (uint16_t)(dn->nlink - 1 > 0xFFFF ? 0xFFFF : dn->nlink - 1);
	e.length = size;
	e.blocks = blocks_of(size);
	e.icb_flags |= w->udf_mref ? UDF_AD_LONG : UDF_AD_SHORT;
	uint8_t ad[16], fe[BS];
	size_t n = ad_put(w, ad, (uint32_t)size, UDF_EXT_RECORDED, at + 1, w->udf_mref);
	entry_encode(w, fe, &e, ad, n, at);
	rc = put_block(o, fe);
	if (!rc)
		rc = out_write(o, *buf, bytes);
	return rc;
}

static int write_other(struct writer *w, struct out *o, uint32_t node)
{
	const struct wnode *c = wnode_at(w, node);
	uint32_t at = w->udf_fe[c->serial];
	struct entry e;
	entry_of(w, c, &e);
	int rc;
	uint8_t one[BS];
	if (c->type == W_REG) {
		const struct wnode *owner = wnode_at(w, c->data);
		uint32_t blocks = entry_blocks(w, data_extents(c->size));
		e.length = c->size;
		e.blocks = blocks_of(c->size);
		e.icb_flags |= w->udf_mref ? UDF_AD_LONG : UDF_AD_SHORT;
		uint8_t *p = blocks == 1 ? one : malloc((size_t)blocks * BS);
		if (!p)
			return ISOKIT_E_NOMEM;
		file_entry(w, &e, c->size, owner->lba, p, at, blocks);
		rc = out_write(o, p, (size_t)blocks * BS);
		if (p != one)
			free(p);
		return rc;
	}
	if (c->type == W_LNK) {
		uint8_t pc[SYMLINK_BYTES];
		int n = symlink_bytes(w, node, pc, sizeof(pc));
		if (n < 0)
			return n;
		uint32_t blocks = symlink_blocks(w, (size_t)n);
		e.length = (uint64_t)n;
		if (blocks == 1) {
			e.icb_flags |= UDF_AD_IN_ICB;
			entry_encode(w, one, &e, pc, (size_t)n, at);
			return put_block(o, one);
		}
		/* the components in the blocks after the entry */
		e.blocks = blocks - 1;
		e.icb_flags |= w->udf_mref ? UDF_AD_LONG : UDF_AD_SHORT;
		uint8_t ad[16];
		size_t an = ad_put(w, ad, (uint32_t)n, UDF_EXT_RECORDED, at + 1, w->udf_mref);
		entry_encode(w, one, &e, ad, an, at);
		rc = put_block(o, one);
		if (!rc)
			rc = out_write(o, pc, (size_t)n);
		return rc ? rc : out_zero(o, (size_t)(blocks - 1) * BS - (size_t)n);
	}
	/* devices and FIFOs: no data */
	e.icb_flags |= UDF_AD_SHORT;
	entry_encode(w, one, &e, NULL, 0, at);
	return put_block(o, one);
}

int udf_write_meta(struct writer *w, struct out *o)
{
	int rc = 0;
	if (w->udf_mref) {
		if (o->pos != (uint64_t)w->udf_meta_fe * BS)
			return w_error(w, ISOKIT_E_INVAL, "internal error: UDF metadata file out of place");
		if ((rc = write_meta_files(w, o)) != 0)
			return rc;
	}
	if (o->pos != (uint64_t)w->udf_meta * BS)
		return w_error(w, ISOKIT_E_INVAL, "internal error: UDF metadata out of place");
	if ((rc = write_fsd(w, o)) != 0)
		return rc;
	struct name_list names = {0};
	uint8_t *buf = NULL;
	size_t cap = 0;
	for (uint32_t i = 0; i < w->ndirs && rc == 0; i++) {
		if (w->reloc_dir && i == w->reloc_dir)
			continue;
		if (w->cancel) {
			rc = ISOKIT_E_CANCELED;
			break;
		}
		rc = write_dir(w, o, i, &names, &buf, &cap);
		const struct wnode *dn = wnode_at(w, w->dirs[i].node);
		for (uint32_t k = 0; k < dn->count && rc == 0; k++) {
			uint32_t ci = w->kids[dn->first + k];
			const struct wnode *c = wnode_at(w, ci);
			if (c->type == W_DIR || !owns_entry(w, c))
				continue;
			if (o->pos != ((uint64_t)w->udf_mbase + w->udf_fe[c->serial]) * BS)
				rc = w_error(w, ISOKIT_E_INVAL, "internal error: UDF entry out of place");
			else
				rc = write_other(w, o, ci);
		}
	}
	names_list_free(&names);
	free(buf);
	if (!rc && o->pos != ((uint64_t)w->udf_meta + w->udf_meta_blocks) * BS)
		rc = w_error(w, ISOKIT_E_INVAL, "internal error: UDF metadata size changed");
	return rc;
}
