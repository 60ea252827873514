// SPDX-License-Identifier: MIT
/*
 * UDF directories and file entries: a directory's file identifier
 * descriptors (ECMA-167 4/14.4) are read from its data through a window,
 * and each one's file entry (4/14.9, 4/14.17) gives the node: type,
 * permissions and owner, times, size, and its data as extents of the
 * image (allocation descriptors followed through allocation extents,
 * 4/14.5; data embedded in the entry; unrecorded extents as holes).
 *
 * Damage met on one entry (its file entry, its data's place, its symlink)
 * is a finding naming it; the entry is left out or listed without data,
 * and its neighbours are still read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/bytes.h"
#include "base/checked.h"
#include "read/udf.h"

/* The window over a directory's data holds the largest identifier: 38
 * bytes, 65535 of implementation use, 255 of name, padding. */
#define UDF_FID_MAX (38u + 65535u + 255u + 3u)
#define UDF_DIR_WINDOW (256u * 1024)
_Static_assert(UDF_DIR_WINDOW >= UDF_FID_MAX, "a window holds any identifier");

/* Errors that are the image's damage (a finding), not the reader's failure. */
static bool is_damage(int rc)
{
	return rc == ISOKIT_E_CORRUPT || rc == ISOKIT_E_RANGE || rc == ISOKIT_E_LOOP ||
	       rc == ISOKIT_E_LIMIT || rc == ISOKIT_E_UNSUPPORTED;
}

static int ext_add(struct isokit_image *img, struct udf_extents *l, uint64_t off, uint64_t len,
		   const char *path)
{
	/* a recorded extent right after the previous one extends it */
	if (l->n && off != EXTENT_HOLE && l->ext[l->n - 1].offset != EXTENT_HOLE &&
	    l->ext[l->n - 1].offset + l->ext[l->n - 1].length == off) {
		l->ext[l->n - 1].length += len;
		return 0;
	}
	if (l->n >= READ_MAX_EXTENTS)
		return img_error(img, ISOKIT_E_LIMIT, -1, path,
				 "UDF: more than %u extents in one file", READ_MAX_EXTENTS);
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 8;
		struct extent *e = realloc(l->ext, cap * sizeof(*e));
		if (!e)
			return ISOKIT_E_NOMEM;
		l->ext = e;
		l->cap = cap;
	}
	l->ext[l->n++] = (struct extent){off, len};
	return 0;
}

/* One recorded extent of a partition as image extents (a metadata
 * partition's extent may cross several runs of the metadata file). */
static int map_extent(struct isokit_image *img, const struct udf_ad *ad, struct udf_extents *l,
		      const char *path)
{
	uint32_t bs = img->udf->bs;
	uint64_t block = ad->block;
	uint64_t left = ad->length;
	while (left > 0) {
		uint64_t off, contig;
		int rc = block > UINT32_MAX
				 ? img_error(img, ISOKIT_E_RANGE, -1, path,
					     "UDF: extent runs past block 2^32 of its partition")
				 : udf_block_offset(img, ad->part, (uint32_t)block, &off, &contig, path);
		if (rc)
			return rc;
		uint64_t n = contig * bs < left ? contig * bs : left;
		rc = ext_add(img, l, off, n, path);
		if (rc)
			return rc;
		left -= n;
		block += contig;
	}
	return 0;
}

int udf_file_extents(struct isokit_image *img, const uint8_t *fe_buf, uint64_t fe_off,
		     const struct udf_fe *fe, uint16_t part, struct udf_extents *l,
		     const char *path)
{
	uint32_t bs = img->udf->bs;
	unsigned form = fe->icb_flags & 7;
	l->n = 0;
	if (form == UDF_AD_IN_ICB)
		return fe->ad_len ? ext_add(img, l, fe_off + fe->ad_offset, fe->ad_len, path) : 0;
	size_t adsz = udf_ad_size(form);
	if (!adsz)
		return img_error(img, ISOKIT_E_CORRUPT, (int64_t)(fe_off / bs), path,
				 "UDF: unknown allocation descriptor form %u", form);
	uint8_t *aed = NULL;
	const uint8_t *ads = fe_buf + fe->ad_offset;
	size_t len = fe->ad_len;
	uint64_t where = fe_off;
	uint32_t hops = 0, taken = 0;
	int rc = 0;
	for (size_t i = 0; i + adsz <= len;) {
		struct udf_ad ad;
		udf_ad_decode(ads + i, form, part, &ad);
		if (ad.length == 0)
			break;
		if (ad.type == UDF_EXT_NEXT) {
			/* the rest is in an allocation extent descriptor; each
			 * one must bring a descriptor, and those are bounded */
			if (++hops > taken + 1) {
				rc = img_error(img, ISOKIT_E_LOOP, (int64_t)(where / bs), path,
					       "UDF: allocation extents that bring no extent (a loop?)");
				break;
			}
			if (!aed && !(aed = malloc(bs))) {
				rc = ISOKIT_E_NOMEM;
				break;
			}
			rc = udf_read_tagged(img, ad.part, ad.block, UDF_TAG_AED, aed, &where, path);
			if (rc)
				break;
			uint32_t n = udf_aed_length(aed);
			uint32_t room = ad.length < bs ? ad.length : bs;
			if (room < UDF_AED_HEADER || n > room - UDF_AED_HEADER) {
				rc = img_error(img, ISOKIT_E_CORRUPT, (int64_t)(where / bs), path,
					       "UDF: allocation extent longer than its block");
				break;
			}
			ads = aed + UDF_AED_HEADER;
			len = n;
			i = 0;
			continue;
		}
		if (++taken > READ_MAX_EXTENTS) {
			rc = img_error(img, ISOKIT_E_LIMIT, (int64_t)(where / bs), path,
				       "UDF: more than %u allocation descriptors in one file",
				       READ_MAX_EXTENTS);
			break;
		}
		if (ad.type == UDF_EXT_RECORDED)
			rc = map_extent(img, &ad, l, path);
		else
			rc = ext_add(img, l, EXTENT_HOLE, ad.length, path);
		if (rc)
			break;
		i += adsz;
	}
	free(aed);
	return rc;
}

/* Everything a node needs that lives outside it. */
struct node_bufs {
	struct udf_extents ext;
	char *target; /* a symlink's path, then its raw components */
	size_t target_cap;
	uint8_t *block;
};

static int symlink_target(struct isokit_image *img, struct isokit_node *n, struct node_bufs *b,
			  const char *path)
{
	if (n->st.size > UDF_MAX_SYMLINK)
		return img_error(img, ISOKIT_E_LIMIT, -1, path,
				 "UDF: symbolic link of %llu bytes",
				 (unsigned long long)n->st.size);
	size_t len = (size_t)n->st.size;
	size_t out_cap = 2 * len + 2; /* udf_symlink_decode's bound */
	if (out_cap + len > b->target_cap) {
		char *t = realloc(b->target, out_cap + len);
		if (!t)
			return ISOKIT_E_NOMEM;
		b->target = t;
		b->target_cap = out_cap + len;
	}
	uint8_t *raw = (uint8_t *)b->target + out_cap;
	int rc = extents_read(img, b->ext.ext, b->ext.n, 0, raw, len, path);
	if (rc)
		return rc;
	int k = udf_symlink_decode(raw, len, b->target, out_cap);
	if (k < 0)
		return img_error(img, ISOKIT_E_CORRUPT, -1, path,
				 "UDF: damaged symbolic link path");
	n->target = b->target;
	n->st.size = (uint64_t)k;
	return 0;
}

static uint32_t type_bits(uint8_t t)
{
	switch (t) {
	case UDF_FT_DIR:
		return S_IFDIR;
	case UDF_FT_FILE:
		return S_IFREG;
	case UDF_FT_SYMLINK:
		return S_IFLNK;
	case UDF_FT_BLOCK:
		return S_IFBLK;
	case UDF_FT_CHAR:
		return S_IFCHR;
	case UDF_FT_FIFO:
		return S_IFIFO;
	case UDF_FT_SOCKET:
		return S_IFSOCK;
	}
	return 0;
}

/* The file entry of @p icb, indirect entries followed: its byte offset. */
static int read_entry(struct isokit_image *img, struct udf_ad icb, uint8_t *buf,
		      struct udf_fe *fe, uint16_t *part, uint64_t *off, const char *path)
{
	for (unsigned hops = 0; hops <= UDF_MAX_INDIRECT; hops++) {
		int rc = udf_read_tagged(img, icb.part, icb.block, UDF_TAG_FE, buf, off, path);
		if (rc)
			return rc;
		if (get_721(buf) == UDF_TAG_IE) {
			udf_long_ad_decode(buf + 36, &icb);
			continue;
		}
		if (udf_fe_decode(buf, img->udf->bs, fe) != 0)
			return img_error(img, ISOKIT_E_CORRUPT, (int64_t)(*off / img->udf->bs), path,
					 "UDF: file entry longer than its block");
		*part = icb.part;
		return 0;
	}
	return img_error(img, ISOKIT_E_LOOP, -1, path, "UDF: more than %u indirect entries",
			 UDF_MAX_INDIRECT);
}

/*
 * Fill @p n from the file entry at @p icb: metadata, extents, a symlink's
 * target. 1 when done, 0 when the entry is of a kind that has no place in
 * the tree (a stream directory...). Data that cannot be located leaves the
 * node without extents, with a finding: reading it fails, listing goes on.
 */
static int udf_node_load(struct isokit_image *img, struct udf_ad icb, struct isokit_node *n,
			 struct node_bufs *b, const char *path)
{
	uint32_t bs = img->udf->bs;
	uint64_t off = 0;
	uint16_t part = 0;
	struct udf_fe fe;
	int rc = read_entry(img, icb, b->block, &fe, &part, &off, path);
	if (rc)
		return rc;
	uint32_t type = type_bits(fe.file_type);
	if (!type)
		return 0;
	struct isokit_stat *st = &n->st;
	memset(st, 0, sizeof(*st));
	st->mode = type | udf_mode_bits(fe.permissions, fe.icb_flags);
	/* -1 means not recorded (UDF 3.3.3.1) */
	st->has_owner = fe.uid != UINT32_MAX || fe.gid != UINT32_MAX;
	st->uid = fe.uid == UINT32_MAX ? 0 : fe.uid;
	st->gid = fe.gid == UINT32_MAX ? 0 : fe.gid;
	st->nlink = fe.link_count ? fe.link_count : 1;
	st->size = fe.info_length;
	/* hard links share the entry: its place is the identity */
	st->ino = off;
	st->mtime = fe.mtime;
	st->atime = fe.atime;
	st->ctime = fe.attr_time;
	st->btime = fe.created;
	rc = udf_file_extents(img, b->block, off, &fe, part, &b->ext, path);
	if (is_damage(rc)) {
		img_finding(img, ISOKIT_SEV_ERROR, "udf-extents", img->err_sector, path, "%s",
			    img->err_what);
		b->ext.n = 0;
		rc = 0;
	}
	if (rc)
		return rc;
	n->ext = b->ext.ext;
	n->n_ext = b->ext.n;
	st->extents = b->ext.n;
	for (uint32_t i = 0; i < b->ext.n; i++)
		if (b->ext.ext[i].offset != EXTENT_HOLE) {
			st->lba = b->ext.ext[i].offset / ISO_BLOCK;
			break;
		}
	n->target = NULL;
	if (S_ISDIR(type)) {
		/* for loop detection: the entry's block (in the volume's blocks) */
		n->dir_lba = (uint32_t)(off / bs);
		n->dir_size = fe.info_length > UINT32_MAX ? UINT32_MAX : (uint32_t)fe.info_length;
	} else if (S_ISLNK(type)) {
		rc = symlink_target(img, n, b, path);
		if (rc)
			return rc;
	} else if (!S_ISREG(type)) {
		st->size = 0;
	}
	return 1;
}

int udf_root_init(struct isokit_image *img)
{
	struct isokit_node *n = &img->root;
	memset(n, 0, sizeof(*n));
	n->name = img->root_name;
	img->root_name[0] = '\0';
	struct node_bufs b = {0};
	b.block = malloc(img->udf->bs);
	if (!b.block)
		return ISOKIT_E_NOMEM;
	int rc = udf_node_load(img, img->udf->root, n, &b, "/");
	free(b.block);
	free(b.target);
	if (rc == 0 || (rc > 0 && !S_ISDIR(n->st.mode)))
		rc = img_error(img, ISOKIT_E_CORRUPT, -1, "/", "UDF: the root is not a directory");
	if (rc < 0) {
		free(b.ext.ext);
		memset(n, 0, sizeof(*n));
		n->name = img->root_name;
		return rc;
	}
	/* the root keeps its extents: image.c frees img->root.ext */
	return 0;
}

struct udf_dir {
	struct isokit_image *img;
	struct extent *ext; /* the directory's data */
	uint32_t n_ext;
	uint64_t size, pos;
	uint8_t *win;
	uint64_t win_off;
	size_t win_len, win_cap;
	char *path;
	struct isokit_node node;
	struct node_bufs b;
	char name[2 * 255 + 1];
	char child[2 * 255 + 1 + 1024]; /* the entry's path, for messages */
};

int udf_dir_open(struct isokit_image *img, const struct isokit_node *dir, const char *path,
		 struct udf_dir **out)
{
	*out = NULL;
	struct udf_dir *d = calloc(1, sizeof(*d));
	if (!d)
		return ISOKIT_E_NOMEM;
	d->img = img;
	d->size = dir->st.size;
	d->win_cap = d->size < UDF_DIR_WINDOW ? (size_t)d->size : UDF_DIR_WINDOW;
	d->win = malloc(d->win_cap ? d->win_cap : 1);
	d->path = strdup(path ? path : "");
	d->b.block = malloc(img->udf->bs);
	d->ext = malloc((dir->n_ext ? dir->n_ext : 1) * sizeof(struct extent));
	if (!d->win || !d->path || !d->b.block || !d->ext) {
		udf_dir_close(d);
		return ISOKIT_E_NOMEM;
	}
	memcpy(d->ext, dir->ext, dir->n_ext * sizeof(struct extent));
	d->n_ext = dir->n_ext;
	*out = d;
	return 0;
}

void udf_dir_close(struct udf_dir *d)
{
	if (!d)
		return;
	free(d->ext);
	free(d->win);
	free(d->path);
	free(d->b.ext.ext);
	free(d->b.target);
	free(d->b.block);
	free(d);
}

/* Bytes [pos, pos+len) of the directory's data, from the window. */
static int dir_bytes(struct udf_dir *d, size_t len, const uint8_t **p)
{
	if (d->pos < d->win_off || d->pos + len > d->win_off + d->win_len) {
		size_t n = d->size - d->pos < d->win_cap ? (size_t)(d->size - d->pos) : d->win_cap;
		int rc = extents_read(d->img, d->ext, d->n_ext, d->pos, d->win, n, d->path);
		if (rc)
			return rc;
		d->win_off = d->pos;
		d->win_len = n;
	}
	*p = d->win + (d->pos - d->win_off);
	return 0;
}

/* The sector of the directory's byte @p pos, for messages. */
static int64_t dir_sector(const struct udf_dir *d, uint64_t pos)
{
	for (uint32_t i = 0; i < d->n_ext; i++) {
		if (pos < d->ext[i].length)
			return d->ext[i].offset == EXTENT_HOLE
				       ? -1
				       : (int64_t)((d->ext[i].offset + pos) / ISO_BLOCK);
		pos -= d->ext[i].length;
	}
	return -1;
}

int udf_dir_next(struct udf_dir *d, const struct isokit_node **out)
{
	struct isokit_image *img = d->img;
	while (d->pos < d->size) {
		uint64_t left = d->size - d->pos;
		const uint8_t *p;
		size_t head = left < 38 ? (size_t)left : 38;
		int rc = dir_bytes(d, head, &p);
		if (rc)
			return rc;
		/* zeros to the end: some writers pad the last block */
		if (head < 38 || (p[0] == 0 && p[1] == 0 && p[4] == 0))
			return 0;
		size_t want = udf_fid_size(p);
		if (want > left)
			want = (size_t)left;
		if ((rc = dir_bytes(d, want, &p)) != 0)
			return rc;
		struct udf_tag t;
		int e = udf_tag_decode(p, want, &t);
		if (e || t.ident != UDF_TAG_FID)
			return img_error(img, ISOKIT_E_CORRUPT, dir_sector(d, d->pos), d->path,
					 "UDF: damaged file identifier at byte %llu of the directory (%s)",
					 (unsigned long long)d->pos,
					 e ? udf_tag_strerror(e) : "another descriptor");
		struct udf_fid fid;
		if (udf_fid_decode(p, want, &fid) != 0)
			return img_error(img, ISOKIT_E_CORRUPT, dir_sector(d, d->pos), d->path,
					 "UDF: file identifier cut short");
		uint64_t at = d->pos;
		d->pos += fid.size;
		if (fid.characteristics & (UDF_FID_PARENT | UDF_FID_DELETED))
			continue;
		if (fid.icb.length == 0)
			continue; /* a deleted entry whose place is kept */
		int k = udf_cs0_to_utf8(fid.name, fid.name_len, d->name);
		struct isokit_node *n = &d->node;
		memset(n, 0, sizeof(*n));
		n->name = d->name;
		bool unsafe = k < 0;
		n->name_len = unsafe ? 0 : (size_t)k;
		if (unsafe)
			d->name[0] = '\0';
		snprintf(d->child, sizeof(d->child), "%s%s%s", d->path,
			 d->path[0] && d->path[strlen(d->path) - 1] == '/' ? "" : "/", d->name);
		rc = udf_node_load(img, fid.icb, n, &d->b, d->child);
		if (is_damage(rc)) {
			/* this entry is lost, not its neighbours */
			img_finding(img, ISOKIT_SEV_ERROR, "udf-entry", img->err_sector, d->child,
				    "%s", img->err_what);
			continue;
		}
		if (rc < 0)
			return rc;
		if (rc == 0) {
			img_finding(img, ISOKIT_SEV_WARNING, "udf-file-type", dir_sector(d, at),
				    d->child,
				    "UDF: an entry of a kind without a place in the tree is left out");
			continue;
		}
		n->st.hidden = (fid.characteristics & UDF_FID_HIDDEN) != 0;
		if (((fid.characteristics & UDF_FID_DIR) != 0) != S_ISDIR(n->st.mode))
			img_finding(img, ISOKIT_SEV_WARNING, "udf-dir-flag", dir_sector(d, at),
				    d->child,
				    "UDF: the identifier's directory bit and the file entry disagree");
		if (unsafe || !name_is_safe(n->name, n->name_len)) {
			n->st.unsafe_name = true;
			img_finding(img, ISOKIT_SEV_ERROR, "unsafe-name", dir_sector(d, at), d->path,
				    "a name in this directory is empty, '.', '..', or holds '/' or NUL");
		}
		*out = n;
		return 1;
	}
	return 0;
}
