// SPDX-License-Identifier: MIT
/*
 * Lazy directory iteration (ECMA-119 6.8, 9.1): a window of blocks is read
 * at a time, records are decoded in place, multi-extent files are joined
 * (9.1.6 bit 7), Rock Ridge is applied (NM, PX, TF, SL, PN, ZF) and
 * relocated directories are shown at their true place (CL) while their
 * stand-ins in rr_moved are hidden (RE).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/checked.h"
#include "read/dir.h"
#include "read/udf.h"

struct isokit_dir {
	struct isokit_image *img;
	struct udf_dir *udf;   /* the UDF tree's directories are read there */
	uint32_t lba, size;
	uint64_t pos;          /* byte offset of the next record */
	uint8_t *win;          /* window of whole blocks */
	uint64_t win_off;      /* window start, bytes from the directory */
	size_t win_len;
	bool is_root;
	struct isokit_node node;
	struct extent *ext;
	uint32_t ext_cap;
	char *path;            /* for messages */
	char entry_path[512];
	char name_buf[3 * 128 + 8]; /* Joliet/ISO names, <= 255 id bytes */
	struct rr_info rr, rr2;
};

static const char *entry_path(struct isokit_dir *d, const char *name)
{
	const char *dir = d->path ? d->path : "";
	size_t n = strlen(dir);
	snprintf(d->entry_path, sizeof(d->entry_path), "%s%s%s", dir,
		 n && dir[n - 1] == '/' ? "" : "/", name);
	return d->entry_path;
}

int dir_open_path(struct isokit_image *img, const struct isokit_node *dir,
		  const char *path, struct isokit_dir **out)
{
	*out = NULL;
	if (!S_ISDIR(dir->st.mode))
		return img_error(img, ISOKIT_E_NOTDIR, -1, path, "not a directory");
	if (img->ns == ISOKIT_NS_UDF) {
		struct isokit_dir *d = calloc(1, sizeof(*d));
		if (!d)
			return ISOKIT_E_NOMEM;
		d->img = img;
		int rc = udf_dir_open(img, dir, path, &d->udf);
		if (rc) {
			free(d);
			return rc;
		}
		*out = d;
		return 0;
	}
	uint64_t off = (uint64_t)dir->dir_lba * ISO_BLOCK;
	uint64_t span = ((uint64_t)dir->dir_size + ISO_BLOCK - 1) & ~(uint64_t)(ISO_BLOCK - 1);
	if (!range_inside(off, span, img->size))
		return img_error(img, ISOKIT_E_RANGE, dir->dir_lba, path,
				 "directory lies outside the image (%u bytes at block %u)",
				 dir->dir_size, dir->dir_lba);
	/* Not calloc: the Rock Ridge buffers are large and need no zeroing
	 * (their lengths say what is valid); only the head is cleared. */
	struct isokit_dir *d = malloc(sizeof(*d));
	if (!d)
		return ISOKIT_E_NOMEM;
	memset(d, 0, offsetof(struct isokit_dir, rr));
	rr_info_reset(&d->rr);
	rr_info_reset(&d->rr2);
	d->img = img;
	d->lba = dir->dir_lba;
	d->size = dir->dir_size;
	d->is_root = dir == &img->root ||
		     (dir->dir_lba == img->root.dir_lba && dir->name_len == 0);
	size_t wl = span < READ_DIR_WINDOW ? (size_t)span : READ_DIR_WINDOW;
	d->win = malloc(wl ? wl : 1);
	d->path = strdup(path ? path : "");
	if (!d->win || !d->path) {
		isokit_dir_close(d);
		return ISOKIT_E_NOMEM;
	}
	*out = d;
	return 0;
}

int isokit_dir_open(struct isokit_image *img, const struct isokit_node *dir,
		    struct isokit_dir **out)
{
	return dir_open_path(img, dir, dir->name, out);
}

void isokit_dir_close(struct isokit_dir *d)
{
	if (!d)
		return;
	udf_dir_close(d->udf);
	free(d->win);
	free(d->ext);
	free(d->path);
	free(d);
}

/* Next record; 1 with *r set, 0 at the end, or an error. */
static int next_record(struct isokit_dir *d, struct dirrec *r, uint64_t *addr)
{
	for (;;) {
		if (d->pos >= d->size)
			return 0;
		uint64_t blk = d->pos & ~(uint64_t)(ISO_BLOCK - 1);
		size_t in_blk = (size_t)(d->pos - blk);
		if (blk < d->win_off || blk + ISO_BLOCK > d->win_off + d->win_len) {
			uint64_t span = ((uint64_t)d->size + ISO_BLOCK - 1) &
					~(uint64_t)(ISO_BLOCK - 1);
			size_t len = (size_t)(span - blk);
			if (len > READ_DIR_WINDOW)
				len = READ_DIR_WINDOW;
			int rc = img_read(d->img,
					  (uint64_t)d->lba * ISO_BLOCK + blk,
					  d->win, len, d->path);
			if (rc)
				return rc;
			d->win_off = blk;
			d->win_len = len;
		}
		const uint8_t *b = d->win + (blk - d->win_off);
		/* A zero length byte: the rest of the block is padding. */
		if (b[in_blk] == 0) {
			d->pos = blk + ISO_BLOCK;
			continue;
		}
		size_t avail = ISO_BLOCK - in_blk;
		if (avail > d->size - d->pos)
			avail = (size_t)(d->size - d->pos);
		if (dirrec_decode(b + in_blk, avail, r) != 0)
			return img_error(d->img, ISOKIT_E_CORRUPT,
					 (int64_t)(d->lba + blk / ISO_BLOCK), d->path,
					 "damaged directory record at byte %zu", in_blk);
		if (r->mismatch)
			img_finding(d->img, ISOKIT_SEV_WARNING, "both-endian",
				    (int64_t)(d->lba + blk / ISO_BLOCK), d->path,
				    "directory record: both-endian fields disagree");
		*addr = (uint64_t)d->lba * ISO_BLOCK + d->pos;
		d->pos += r->len;
		return 1;
	}
}

static int add_extent(struct isokit_dir *d, const struct dirrec *r, const char *name)
{
	if (d->node.n_ext >= READ_MAX_EXTENTS)
		return img_error(d->img, ISOKIT_E_LIMIT, r->extent,
				 entry_path(d, name), "too many file sections");
	if (d->node.n_ext == d->ext_cap) {
		uint32_t cap = d->ext_cap ? d->ext_cap * 2 : 4;
		struct extent *e = realloc(d->ext, cap * sizeof(*e));
		if (!e)
			return ISOKIT_E_NOMEM;
		d->ext = e;
		d->ext_cap = cap;
	}
	struct extent *e = &d->ext[d->node.n_ext++];
	e->offset = ((uint64_t)r->extent + r->xa_len) * ISO_BLOCK;
	e->length = r->size;
	if (r->size && !range_inside(e->offset, e->length, d->img->size))
		img_finding(d->img, ISOKIT_SEV_ERROR, "extent-range",
			    (int64_t)r->extent, entry_path(d, name),
			    "file data lies outside the image (%u bytes at block %u)",
			    r->size, r->extent);
	if (r->unit_size || r->gap)
		img_finding(d->img, ISOKIT_SEV_WARNING, "interleaved",
			    (int64_t)r->extent, entry_path(d, name),
			    "interleaved file (unit size %u, gap %u) read as contiguous",
			    r->unit_size, r->gap);
	return 0;
}

/* The records' own name in the chosen namespace. */
static size_t record_name(struct isokit_dir *d, const struct dirrec *r)
{
	bool is_dir = (r->flags & DR_FLAG_DIR) != 0;
	if (d->img->ns == ISOKIT_NS_JOLIET)
		return joliet_name(r->name, r->name_len, d->name_buf);
	if (d->img->ns == ISOKIT_NS_ISO9660_1999)
		return iso_name(r->name, r->name_len, true, d->name_buf);
	return iso_name(r->name, r->name_len, is_dir, d->name_buf);
}

/* A Rock Ridge stand-in (CL): take the relocated directory's own '.'
 * record for its extent and attributes, keep the stand-in's name. */
static int resolve_relocated(struct isokit_dir *d, const char *name,
			     uint64_t rec_addr)
{
	struct isokit_image *img = d->img;
	uint8_t blk[ISO_BLOCK];
	uint32_t lba = d->rr.cl_lba;
	const char *p = entry_path(d, name);
	if (!range_inside((uint64_t)lba * ISO_BLOCK, ISO_BLOCK, img->size))
		return img_error(img, ISOKIT_E_RANGE, lba, p,
				 "relocated directory lies outside the image");
	int rc = img_read(img, (uint64_t)lba * ISO_BLOCK, blk, ISO_BLOCK, p);
	if (rc)
		return rc;
	struct dirrec dot;
	if (dirrec_decode(blk, ISO_BLOCK, &dot) != 0 || !dirrec_is_dot(&dot) ||
	    !(dot.flags & DR_FLAG_DIR))
		return img_error(img, ISOKIT_E_CORRUPT, lba, p,
				 "relocated directory has no '.' record");
	rr_info_reset(&d->rr2);
	rc = img_parse_su(img, dot.su, dot.su_len, img->su_skip, &d->rr2, lba, p);
	if (rc)
		return rc;
	node_fill_stat(img, &d->node, &dot, &d->rr2, rec_addr);
	d->node.dir_lba = dot.extent;
	d->node.dir_size = dot.size;
	d->node.st.size = dot.size;
	d->node.st.lba = dot.extent;
	d->node.st.relocated = true;
	return 0;
}

static int only_relocated_entries(struct isokit_image *img,
				  const struct isokit_node *dir, bool *result);

int isokit_dir_next(struct isokit_dir *d, const struct isokit_node **out)
{
	if (d->udf)
		return udf_dir_next(d->udf, out);
	struct isokit_image *img = d->img;
	struct dirrec r;
	uint64_t addr;
	int rc;
	for (;;) {
		rc = next_record(d, &r, &addr);
		if (rc <= 0)
			return rc;
		if (dirrec_is_dot(&r) || dirrec_is_dotdot(&r))
			continue;
		bool is_dir = (r.flags & DR_FLAG_DIR) != 0;
		struct isokit_node *n = &d->node;
		memset(n, 0, sizeof(*n));
		n->ext = d->ext;
		size_t nlen = record_name(d, &r);
		n->name = d->name_buf;
		n->name_len = nlen;

		struct rr_info *rr = NULL;
		if (img->use_rr) {
			rr = &d->rr;
			rr_info_reset(rr);
			int64_t sector = (int64_t)(addr / ISO_BLOCK);
			rc = img_parse_su(img, r.su, r.su_len, img->su_skip, rr,
					  sector, d->path);
			if (rc)
				return img_error_at(img, rc, entry_path(d, n->name));
			if (rr->malformed)
				img_finding(img, ISOKIT_SEV_WARNING, "rock-ridge", sector,
					    entry_path(d, n->name),
					    "malformed Rock Ridge entry ignored");
			if (rr->has_nm) {
				n->name = rr->name;
				n->name_len = rr->name_len;
			}
		}
		/* Associated files (resource forks) share the name of the
		 * file they belong to; like Linux, we do not show them. */
		bool skip = (r.flags & DR_FLAG_ASSOCIATED) || (rr && rr->has_re);

		node_fill_stat(img, n, &r, rr, addr);
		if (rr && rr->has_cl) {
			rc = resolve_relocated(d, n->name, addr);
			if (rc)
				return rc;
		} else if (is_dir) {
			n->dir_lba = r.extent;
			n->dir_size = r.size;
			n->st.size = r.size;
			n->st.lba = r.extent;
			if (r.flags & DR_FLAG_MULTI_EXTENT)
				return img_error(img, ISOKIT_E_CORRUPT,
						 (int64_t)(addr / ISO_BLOCK),
						 entry_path(d, n->name),
						 "directory recorded as multi-extent");
		} else {
			rc = add_extent(d, &r, n->name);
			if (rc)
				return rc;
			/* Multi-extent: the following records with the same
			 * identifier carry the next sections, in order. */
			uint8_t id[256];
			size_t id_len = r.name_len;
			memcpy(id, r.name, id_len);
			bool more = (r.flags & DR_FLAG_MULTI_EXTENT) != 0;
			while (more) {
				rc = next_record(d, &r, &addr);
				if (rc < 0)
					return rc;
				if (rc == 0 || r.name_len != id_len ||
				    memcmp(r.name, id, id_len) != 0)
					return img_error(img, ISOKIT_E_CORRUPT,
							 (int64_t)(addr / ISO_BLOCK),
							 entry_path(d, n->name),
							 "multi-extent file has a missing section");
				rc = add_extent(d, &r, n->name);
				if (rc)
					return rc;
				more = (r.flags & DR_FLAG_MULTI_EXTENT) != 0;
			}
			n->ext = d->ext;
			uint64_t total = 0;
			for (uint32_t i = 0; i < n->n_ext; i++)
				total += n->ext[i].length;
			n->st.extents = n->n_ext;
			n->st.lba = n->n_ext ? n->ext[0].offset / ISO_BLOCK : 0;
			if (S_ISLNK(n->st.mode)) {
				n->target = rr ? rr->target : NULL;
				n->st.size = rr ? rr->target_len : 0;
				if (rr && rr->sl_overflow)
					n->st.unsafe_name = true;
			} else if (S_ISREG(n->st.mode)) {
				n->st.size = total;
				if (rr && rr->has_zf && rr->zf_alg[0] == 'p' &&
				    rr->zf_alg[1] == 'z') {
					n->st.zisofs = true;
					n->st.size = rr->zf_size;
					n->zf_header_div4 = rr->zf_header_div4;
					n->zf_block_log2 = rr->zf_block_log2;
					img->info.has_zisofs = true;
				}
			} else {
				n->st.size = 0;
			}
		}
		if (skip)
			continue;
		if (!name_is_safe(n->name, n->name_len) || (rr && rr->nm_overflow)) {
			n->st.unsafe_name = true;
			img_finding(img, ISOKIT_SEV_ERROR, "unsafe-name",
				    (int64_t)(addr / ISO_BLOCK), d->path,
				    "a name in this directory is empty, '.', '..', too long, or holds '/' or NUL");
		}
		if (d->is_root && img->use_rr && S_ISDIR(n->st.mode) &&
		    (strcmp(n->name, "rr_moved") == 0 ||
		     strcmp(n->name, ".rr_moved") == 0 ||
		     strcmp(n->name, "RR_MOVED") == 0)) {
			bool hide = false;
			rc = only_relocated_entries(img, n, &hide);
			if (rc)
				return rc;
			if (hide)
				continue;
		}
		*out = n;
		return 1;
	}
}

/* Writers put relocated directories into "rr_moved"; like libarchive we
 * hide it when every entry in it is such a stand-in (RE). */
static int only_relocated_entries(struct isokit_image *img,
				  const struct isokit_node *dir, bool *result)
{
	struct isokit_dir *sub;
	*result = false;
	int rc = dir_open_path(img, dir, dir->name, &sub);
	if (rc)
		return rc;
	struct dirrec r;
	uint64_t addr;
	size_t moved = 0, other = 0;
	while ((rc = next_record(sub, &r, &addr)) > 0) {
		if (dirrec_is_dot(&r) || dirrec_is_dotdot(&r))
			continue;
		rr_info_reset(&sub->rr);
		rc = img_parse_su(img, r.su, r.su_len, img->su_skip, &sub->rr,
				  (int64_t)(addr / ISO_BLOCK), dir->name);
		if (rc)
			break;
		if (sub->rr.has_re)
			moved++;
		else
			other++;
	}
	isokit_dir_close(sub);
	if (rc < 0)
		return rc;
	*result = moved > 0 && other == 0;
	return 0;
}

int img_root_init(struct isokit_image *img, const struct tree_root *t)
{
	struct isokit_node *n = &img->root;
	uint8_t blk[ISO_BLOCK];
	memset(n, 0, sizeof(*n));
	n->name = img->root_name;
	img->root_name[0] = '\0';
	uint64_t off = (uint64_t)t->lba * ISO_BLOCK;
	if (!range_inside(off, ISO_BLOCK, img->size))
		return img_error(img, ISOKIT_E_RANGE, t->lba, "/",
				 "root directory lies outside the image");
	int rc = img_read(img, off, blk, ISO_BLOCK, "/");
	if (rc)
		return rc;
	struct dirrec dot;
	if (dirrec_decode(blk, ISO_BLOCK, &dot) != 0 || !dirrec_is_dot(&dot))
		return img_error(img, ISOKIT_E_CORRUPT, t->lba, "/",
				 "damaged root directory: no '.' record");
	struct rr_info *rr = NULL;
	if (img->use_rr) {
		rr = malloc(sizeof(*rr));
		if (!rr)
			return ISOKIT_E_NOMEM;
		rr_info_reset(rr);
		/* The root's '.' starts with SP: no skip applies to it. */
		rc = img_parse_su(img, dot.su, dot.su_len,
				  img->su_skip - img->info.susp_skip, rr,
				  t->lba, "/");
		if (rc) {
			free(rr);
			return rc;
		}
	}
	/* The descriptor's copy of the root record is authoritative for the
	 * extent; '.' supplies the Rock Ridge attributes. */
	node_fill_stat(img, n, &dot, rr, off);
	free(rr);
	n->st.mode = (n->st.mode & 07777) | S_IFDIR;
	n->dir_lba = t->lba;
	n->dir_size = t->size;
	n->st.size = t->size;
	n->st.lba = t->lba;
	return 0;
}
