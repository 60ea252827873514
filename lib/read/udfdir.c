// SPDX-License-Identifier: MIT
/*
 * UDF directories and file entries: a directory's file identifier
 * descriptors (ECMA-167 4/14.4) are read from its data through a window,
 * and each one's file entry (4/14.9, 4/14.17) gives the node: type,
 * permissions and owner, times, size, and its data as extents of the
 * image (allocation descriptors followed through allocation extents,
 * 4/14.5; data embedded in the entry; unrecorded extents as holes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/bytes.h"
#include "base/checked.h"
#include "read/udf.h"

#define UDF_DIR_WINDOW (256u * 1024)
/* the largest identifier descriptor: 38 bytes, 65535 of implementation
 * use, 255 of name, padding */
#define UDF_FID_MAX (38u + 65535u + 255u + 3u)

/* The extents of one node, grown as descriptors are read. */
struct ext_list {
	struct extent *ext;
	uint32_t n, cap;
};

static int ext_add(struct isokit_image *img, struct ext_list *l, uint64_t off, uint64_t len,
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
static int map_extent(struct isokit_image *img, const struct udf_ad *ad, struct ext_list *l,
		      const char *path)
{
	uint32_t bs = img->udf->bs;
	uint32_t block = ad->block;
	uint64_t left = ad->length;
	while (left > 0) {
		uint64_t off;
		int rc = udf_block_offset(img, ad->part, block, &off, path);
		if (rc)
			return rc;
		/* as far as the blocks stay contiguous in the image */
		uint64_t n = bs;
		while (n < left) {
			uint64_t next;
			if (udf_block_offset(img, ad->part, block + (uint32_t)(n / bs), &next, NULL))
				break;
			if (next != off + n)
				break;
			n += bs;
		}
		if (n > left)
			n = left;
		rc = ext_add(img, l, off, n, path);
		if (rc)
			return rc;
		left -= n;
		block += (uint32_t)(n / bs);
	}
	return 0;
}

/*
 * The extents of the file whose entry is in @p fe_buf (at byte @p fe_off
 * of the image): allocation descriptors, continued in allocation extent
 * descriptors, or the data itself inside the entry.
 */
static int file_extents(struct isokit_image *img, const uint8_t *fe_buf, uint64_t fe_off,
			const struct udf_fe *fe, uint16_t icb_part, struct ext_list *l,
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
	uint32_t hops = 0;
	int rc = 0;
	for (size_t i = 0; i + adsz <= len;) {
		struct udf_ad ad;
		udf_ad_decode(ads + i, form, icb_part, &ad);
		if (ad.length == 0)
			break;
		if (ad.type == UDF_EXT_NEXT) {
			/* the rest is in an allocation extent descriptor */
			if (++hops > READ_MAX_EXTENTS) {
				rc = img_error(img, ISOKIT_E_LOOP, (int64_t)(where / bs), path,
					       "UDF: allocation extents run in a loop");
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
	struct ext_list ext;
	char *target; /* UDF_MAX_SYMLINK * 2 + 2 bytes, made when needed */
	uint8_t *block;
};

/* Bytes [pos, pos+len) of the data in extents @p l (holes read as zeros). */
static int read_extents(struct isokit_image *img, const struct ext_list *l, uint64_t pos,
			uint8_t *buf, size_t len, const char *path)
{
	for (uint32_t i = 0; i < l->n && len; i++) {
		const struct extent *e = &l->ext[i];
		if (pos >= e->length) {
			pos -= e->length;
			continue;
		}
		size_t n = e->length - pos < len ? (size_t)(e->length - pos) : len;
		if (e->offset == EXTENT_HOLE) {
			memset(buf, 0, n);
		} else {
			if (!range_inside(e->offset + pos, n, img->size))
				return img_error(img, ISOKIT_E_RANGE, -1, path,
						 "UDF: data lies past the end of the image");
			int rc = img_read(img, e->offset + pos, buf, n, path);
			if (rc)
				return rc;
		}
		buf += n;
		len -= n;
		pos = 0;
	}
	return len ? img_error(img, ISOKIT_E_CORRUPT, -1, path,
			       "UDF: file shorter than its recorded size")
		   : 0;
}

static int symlink_target(struct isokit_image *img, struct isokit_node *n, struct node_bufs *b,
			  const char *path)
{
	if (n->st.size > UDF_MAX_SYMLINK)
		return img_error(img, ISOKIT_E_LIMIT, -1, path,
				 "UDF: symbolic link of %llu bytes",
				 (unsigned long long)n->st.size);
	size_t len = (size_t)n->st.size;
	size_t cap = 2 * UDF_MAX_SYMLINK + 2;
	if (!b->target && !(b->target = malloc(cap + UDF_MAX_SYMLINK)))
		return ISOKIT_E_NOMEM;
	uint8_t *raw = (uint8_t *)b->target + cap;
	int rc = read_extents(img, &b->ext, 0, raw, len, path);
	if (rc)
		return rc;
	int k = udf_symlink_decode(raw, len, b->target, cap);
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

/*
 * Fill @p n from the file entry at @p icb (following indirect entries):
 * metadata, extents, a symlink's target. 1 when done, 0 when the entry is
 * of a kind that has no place in the tree (a stream directory...).
 */
static int udf_node_load(struct isokit_image *img, struct udf_ad icb, struct isokit_node *n,
			 struct node_bufs *b, const char *path)
{
	uint32_t bs = img->udf->bs;
	uint64_t off = 0;
	struct udf_fe fe;
	for (unsigned hops = 0;; hops++) {
		if (hops > UDF_MAX_INDIRECT)
			return img_error(img, ISOKIT_E_LOOP, -1, path,
					 "UDF: more than %u indirect entries", UDF_MAX_INDIRECT);
		int rc = udf_read_tagged(img, icb.part, icb.block, UDF_TAG_FE, b->block, &off, path);
		if (rc)
			return rc;
		if (get_721(b->block) == UDF_TAG_IE) {
			udf_long_ad_decode(b->block + 36, &icb);
			continue;
		}
		if (udf_fe_decode(b->block, bs, &fe) != 0)
			return img_error(img, ISOKIT_E_CORRUPT, (int64_t)(off / bs), path,
					 "UDF: file entry longer than its block");
		break;
	}
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
	int rc = file_extents(img, b->block, off, &fe, icb.part, &b->ext, path);
	if (rc == ISOKIT_E_CORRUPT || rc == ISOKIT_E_RANGE || rc == ISOKIT_E_LOOP ||
	    rc == ISOKIT_E_LIMIT || rc == ISOKIT_E_UNSUPPORTED) {
		/* a file whose data cannot be found stays listed, without data:
		 * reading it fails, its neighbours are not lost */
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
		/* for loop detection: the entry's block */
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
	if (rc == 0 || (rc > 0 && !S_ISDIR(n->st.mode)))
		rc = img_error(img, ISOKIT_E_CORRUPT, -1, "/", "UDF: the root is not a directory");
	if (rc < 0) {
		free(b.ext.ext);
		n->ext = NULL;
		n->n_ext = 0;
		return rc;
	}
	/* the root keeps its extents: image.c frees img->root.ext */
	free(b.target);
	return 0;
}

struct udf_dir {
	struct isokit_image *img;
	struct ext_list ext; /* the directory's data */
	uint64_t size, pos;
	uint8_t *win;
	uint64_t win_off;
	size_t win_len, win_cap;
	char *path;
	struct isokit_node node;
	struct node_bufs b;
	char name[2 * 255 + 1];
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
	d->ext.ext = malloc((dir->n_ext ? dir->n_ext : 1) * sizeof(struct extent));
	if (!d->win || !d->path || !d->b.block || !d->ext.ext) {
		udf_dir_close(d);
		return ISOKIT_E_NOMEM;
	}
	memcpy(d->ext.ext, dir->ext, dir->n_ext * sizeof(struct extent));
	d->ext.n = d->ext.cap = dir->n_ext;
	*out = d;
	return 0;
}

void udf_dir_close(struct udf_dir *d)
{
	if (!d)
		return;
	free(d->ext.ext);
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
		int rc = read_extents(d->img, &d->ext, d->pos, d->win, n, d->path);
		if (rc)
			return rc;
		d->win_off = d->pos;
		d->win_len = n;
	}
	if (d->pos + len > d->win_off + d->win_len)
		return img_error(d->img, ISOKIT_E_CORRUPT, -1, d->path,
				 "UDF: file identifier cut short at byte %llu of the directory",
				 (unsigned long long)d->pos);
	*p = d->win + (d->pos - d->win_off);
	return 0;
}

/* The sector of the directory's byte @p pos, for messages. */
static int64_t dir_sector(const struct udf_dir *d, uint64_t pos)
{
	for (uint32_t i = 0; i < d->ext.n; i++) {
		if (pos < d->ext.ext[i].length)
			return d->ext.ext[i].offset == EXTENT_HOLE
				       ? -1
				       : (int64_t)((d->ext.ext[i].offset + pos) / ISO_BLOCK);
		pos -= d->ext.ext[i].length;
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
		size_t iu = (size_t)p[36] | (size_t)p[37] << 8;
		size_t want = (38 + iu + p[19] + 3) & ~(size_t)3;
		if (want > left)
			want = (size_t)left;
		if ((rc = dir_bytes(d, want, &p)) != 0)
			return rc;
		int64_t sector = dir_sector(d, d->pos);
		struct udf_tag t;
		int e = udf_tag_decode(p, want, &t);
		if (e || t.ident != UDF_TAG_FID)
			return img_error(img, ISOKIT_E_CORRUPT, sector, d->path,
					 "UDF: damaged file identifier at byte %llu of the directory (%s)",
					 (unsigned long long)d->pos,
					 e ? udf_tag_strerror(e) : "another descriptor");
		struct udf_fid fid;
		if (udf_fid_decode(p, want, &fid) != 0)
			return img_error(img, ISOKIT_E_CORRUPT, sector, d->path,
					 "UDF: file identifier cut short");
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
		char child[sizeof(d->name) + 600];
		snprintf(child, sizeof(child), "%s%s%s", d->path,
			 d->path[0] && d->path[strlen(d->path) - 1] == '/' ? "" : "/", d->name);
		rc = udf_node_load(img, fid.icb, n, &d->b, child);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			img_finding(img, ISOKIT_SEV_WARNING, "udf-file-type", sector, child,
				    "UDF: an entry of a kind without a place in the tree is left out");
			continue;
		}
		n->st.hidden = (fid.characteristics & UDF_FID_HIDDEN) != 0;
		if (((fid.characteristics & UDF_FID_DIR) != 0) != S_ISDIR(n->st.mode))
			img_finding(img, ISOKIT_SEV_WARNING, "udf-dir-flag", sector, child,
				    "UDF: the identifier's directory bit and the file entry disagree");
		if (unsafe || !name_is_safe(n->name, n->name_len)) {
			n->st.unsafe_name = true;
			img_finding(img, ISOKIT_SEV_ERROR, "unsafe-name", sector, d->path,
				    "a name in this directory is empty, '.', '..', or holds '/' or NUL");
		}
		*out = n;
		return 1;
	}
	return 0;
}
