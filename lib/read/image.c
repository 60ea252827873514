// SPDX-License-Identifier: MIT
/*
 * Opening an image: scan the volume descriptor set (ECMA-119 8), pick the
 * namespace (Rock Ridge, Joliet, ISO 9660:1999, plain), detect SUSP on the
 * root, and note what else is present (El Torito, system-area partition
 * tables, an isomd5sum tag). Also the image's error and finding plumbing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/charset.h"
#include "base/checked.h"
#include "read/internal.h"
#include "read/udf.h"
#include "integrity/isomd5.h"

#define VD_SCAN_MAX 128u /* descriptors looked at after block 16 */

int img_error(struct isokit_image *img, int code, int64_t sector,
	      const char *path, const char *fmt, ...)
{
	if (!img)
		return code;
	char *what = img->err_what;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(img->err_what), fmt, ap);
	va_end(ap);
	img->err_sector = sector;
	char where[300] = "";
	if (sector >= 0 && path)
		snprintf(where, sizeof(where), " (sector %lld, path %s)",
			 (long long)sector, path[0] ? path : "/");
	else if (sector >= 0)
		snprintf(where, sizeof(where), " (sector %lld)",
			 (long long)sector);
	else if (path)
		snprintf(where, sizeof(where), " (path %s)",
			 path[0] ? path : "/");
	snprintf(img->errmsg, sizeof(img->errmsg), "%s%s", what, where);
	return code;
}

int img_error_at(struct isokit_image *img, int code, const char *path)
{
	char what[sizeof(img->err_what)];
	memcpy(what, img->err_what, sizeof(what));
	return img_error(img, code, img->err_sector, path, "%s", what);
}

void img_finding(struct isokit_image *img, enum isokit_severity sev,
		 const char *code, int64_t sector, const char *path,
		 const char *fmt, ...)
{
	if (!img->opts.on_finding)
		return;
	if (img->findings >= READ_MAX_FINDINGS && sev < ISOKIT_SEV_ERROR)
		return;
	img->findings++;
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct isokit_finding f = {sev, code, msg, sector, path};
	img->opts.on_finding(img->opts.finding_ctx, &f);
}

int img_read(struct isokit_image *img, uint64_t offset, void *buf, size_t len,
	     const char *path)
{
	int rc = isokit_source_read(img->src, offset, buf, len);
	if (rc == 0)
		return 0;
	int64_t sector = (int64_t)(offset / ISO_BLOCK);
	if (rc == ISOKIT_E_TRUNCATED)
		return img_error(img, rc, sector, path,
				 "image is cut short: data lies past its end");
	return img_error(img, rc, sector, path, "cannot read: %s",
			 isokit_strerror(rc));
}

int img_parse_su(struct isokit_image *img, const uint8_t *su, size_t su_len,
		 uint32_t skip, struct rr_info *rr, int64_t sector,
		 const char *path)
{
	if (skip < su_len)
		susp_parse(su + skip, su_len - skip, rr);
	for (unsigned hops = 0; rr->has_ce && !rr->stop; hops++) {
		struct susp_ce ce = rr->ce;
		rr->has_ce = false;
		if (hops >= SUSP_MAX_CE)
			return img_error(img, ISOKIT_E_LOOP, sector, path,
					 "too many continuation areas (CE loop?)");
		/* Like Linux: an area must lie inside one block and inside
		 * the image. */
		uint64_t off = (uint64_t)ce.block * ISO_BLOCK;
		if (ce.offset >= ISO_BLOCK || ce.length > ISO_BLOCK - ce.offset ||
		    !range_inside(off, ISO_BLOCK, img->size))
			return img_error(img, ISOKIT_E_RANGE, (int64_t)ce.block,
					 path,
					 "continuation area outside the image or across a block");
		if (img->ce_block != (int64_t)ce.block) {
			img->ce_block = -1;
			int rc = img_read(img, off, img->ce_buf, ISO_BLOCK, path);
			if (rc)
				return rc;
			img->ce_block = ce.block;
		}
		susp_parse(img->ce_buf + ce.offset, ce.length, rr);
	}
	return 0;
}

/* ---- opening ---- */

static void note_system_area(struct isokit_image *img, const uint8_t *blk0)
{
	img->info.has_mbr = blk0[510] == 0x55 && blk0[511] == 0xAA;
	img->info.has_gpt = memcmp(blk0 + 512, "EFI PART", 8) == 0;
}

/* The isomd5sum record implantisomd5 writes into the application-use
 * field, decoded once here; verify checks it without reading the
 * descriptor again. */
static void note_isomd5sum(struct isokit_image *img, const uint8_t *pvd)
{
	img->isomd5_state = isomd5_parse(pvd + VD_APP_USE, &img->isomd5);
	if (img->isomd5_state != 1)
		return;
	img->info.has_isomd5sum = true;
	memcpy(img->info.isomd5sum, img->isomd5.md5, sizeof(img->info.isomd5sum));
}

static int take_tree(struct isokit_image *img, const uint8_t *blk,
		     uint64_t sector, struct tree_root *tree)
{
	struct vd_decoded d;
	if (vd_decode(blk, &d) != 0)
		return img_error(img, ISOKIT_E_CORRUPT, (int64_t)sector, NULL,
				 "damaged volume descriptor: bad root directory record");
	if (d.both_endian_mismatch)
		img_finding(img, ISOKIT_SEV_WARNING, "both-endian", (int64_t)sector,
			    NULL, "volume descriptor: both-endian fields disagree (little-endian half used)");
	tree->present = true;
	tree->lba = d.root_lba;
	tree->size = d.root_size;
	tree->vd_sector = (uint32_t)sector;
	tree->pt_size = d.pt_size;
	tree->pt_l = d.pt_l;
	tree->pt_m = d.pt_m;
	return 0;
}

static int scan_descriptors(struct isokit_image *img)
{
	uint8_t blk[ISO_BLOCK];
	bool have_pvd = false, terminated = false;
	for (uint32_t i = 0; i < VD_SCAN_MAX; i++) {
		uint64_t sector = ISO_VD_FIRST + i;
		uint64_t off = sector * ISO_BLOCK;
		if (!range_inside(off, ISO_BLOCK, img->size)) {
			if (i == 0)
				return img_error(img, ISOKIT_E_NOTISO, -1, NULL,
						 "not an ISO 9660 image: too small (%llu bytes)",
						 (unsigned long long)img->size);
			if (!have_pvd)
				return img_error(img, ISOKIT_E_TRUNCATED, (int64_t)sector,
						 NULL, "image is cut short inside the volume descriptors");
			break;
		}
		int rc = img_read(img, off, blk, ISO_BLOCK, NULL);
		if (rc)
			return rc;
		if (!vd_is_iso(blk)) {
			if (i == 0 && memcmp(blk + 9, "CDROM", 5) == 0)
				return img_error(img, ISOKIT_E_UNSUPPORTED, 16, NULL,
						 "High Sierra images are not supported");
			if (i == 0)
				return img_error(img, ISOKIT_E_NOTISO, 16, NULL,
						 "not an ISO 9660 image (no CD001 at sector 16)");
			img_finding(img, ISOKIT_SEV_WARNING, "vd-set", (int64_t)sector,
				    NULL, "volume descriptor set ends without a terminator");
			break;
		}
		img->info.vd_count++;
		uint8_t type = blk[VD_TYPE];
		uint32_t catalog;
		if (type == VD_TYPE_TERMINATOR) {
			terminated = true;
			break;
		} else if (type == VD_TYPE_PRIMARY && !have_pvd) {
			struct vd_decoded d;
			if (vd_decode(blk, &d) != 0)
				return img_error(img, ISOKIT_E_CORRUPT, (int64_t)sector, NULL,
						 "damaged primary volume descriptor");
			if (d.block_size != ISO_BLOCK)
				return img_error(img, ISOKIT_E_UNSUPPORTED, (int64_t)sector,
						 NULL, "logical block size %u is not supported",
						 d.block_size);
			rc = take_tree(img, blk, sector, &img->pvd);
			if (rc)
				return rc;
			have_pvd = true;
			img->info.block_size = d.block_size;
			img->info.volume_blocks = d.space_size;
			img->info.root_lba = d.root_lba;
			vd_fill_info(blk, false, &img->info);
			note_isomd5sum(img, blk);
		} else if (type == VD_TYPE_SUPPLEMENTARY) {
			int level = vd_joliet_level(blk);
			if (level && !img->joliet.present) {
				/* A damaged Joliet descriptor costs the Joliet
				 * tree, not the image. */
				if (take_tree(img, blk, sector, &img->joliet)) {
					img_finding(img, ISOKIT_SEV_ERROR, "joliet", (int64_t)sector,
						    NULL, "%s", img->errmsg);
					continue;
				}
				img->info.has_joliet = true;
				img->info.joliet_level = level;
				struct isokit_volume_info j;
				memset(&j, 0, sizeof(j));
				vd_fill_info(blk, true, &j);
				memcpy(img->info.volume_label, j.volume_id,
				       sizeof(j.volume_id));
			} else if (!level && blk[VD_VERSION] == 2 &&
				   blk[VD_FS_VERSION] == 2 && !img->evd.present) {
				if (take_tree(img, blk, sector, &img->evd)) {
					img_finding(img, ISOKIT_SEV_ERROR, "iso9660-1999",
						    (int64_t)sector, NULL, "%s", img->errmsg);
					continue;
				}
				img->info.has_iso1999 = true;
			}
		} else if (vd_is_eltorito(blk, &catalog)) {
			img->info.has_eltorito = true;
			img->info.boot_catalog_lba = catalog;
		}
	}
	if (!have_pvd)
		return img_error(img, ISOKIT_E_CORRUPT, -1, NULL,
				 "no primary volume descriptor");
	if (!terminated)
		img_finding(img, ISOKIT_SEV_WARNING, "vd-set", -1, NULL,
			    "no volume descriptor set terminator");
	if (!img->info.volume_label[0])
		memcpy(img->info.volume_label, img->info.volume_id,
		       sizeof(img->info.volume_id));
	return 0;
}

/* Read the root's '.' record and look for SUSP (SP, optionally behind a
 * 14-byte CD-ROM XA record) and Rock Ridge (ER identifiers, RR entries). */
static int detect_rock_ridge(struct isokit_image *img)
{
	uint8_t blk[ISO_BLOCK];
	uint64_t off = (uint64_t)img->pvd.lba * ISO_BLOCK;
	if (!range_inside(off, ISO_BLOCK, img->size))
		return img_error(img, ISOKIT_E_RANGE, img->pvd.lba, "/",
				 "root directory lies outside the image");
	int rc = img_read(img, off, blk, ISO_BLOCK, "/");
	if (rc)
		return rc;
	struct dirrec dot;
	if (dirrec_decode(blk, ISO_BLOCK, &dot) != 0 || !dirrec_is_dot(&dot))
		return img_error(img, ISOKIT_E_CORRUPT, img->pvd.lba, "/",
				 "damaged root directory: no '.' record");
	struct rr_info *rr = malloc(sizeof(*rr));
	if (!rr)
		return ISOKIT_E_NOMEM;
	uint32_t base = 0;
	rr_info_reset(rr);
	if (dot.su_len >= 7)
		susp_parse(dot.su, 7, rr);
	if (!rr->has_sp && dot.su_len >= 14 + 7 && dot.su[6] == 'X' &&
	    dot.su[7] == 'A') {
		base = 14;
		rr_info_reset(rr);
		susp_parse(dot.su + base, 7, rr);
	}
	if (rr->has_sp) {
		/* The root '.' carries SP itself, so LEN_SKP does not
		 * apply to it; it applies to every other record. */
		uint32_t skip = base;
		uint8_t sp_skip = rr->sp_skip;
		rr_info_reset(rr);
		rc = img_parse_su(img, dot.su, dot.su_len, skip, rr, img->pvd.lba, "/");
		if (rc == 0) {
			img->info.susp_skip = sp_skip;
			img->su_skip = base + sp_skip;
			if (rr->er_count || rr->any_rr) {
				img->info.has_rockridge = true;
				memcpy(img->info.rockridge_er_id, rr->er_id,
				       sizeof(rr->er_id));
				const char *v = "1.10";
				if (strncmp(rr->er_id, "IEEE_P1282", 10) == 0 ||
				    strncmp(rr->er_id, "IEEE_1282", 9) == 0)
					v = "1.12";
				else if (rr->has_rr_entry)
					v = "1.09";
				snprintf(img->info.rockridge_version,
					 sizeof(img->info.rockridge_version),
					 "%s", v);
			}
		}
	}
	free(rr);
	return rc;
}

static int choose_namespace(struct isokit_image *img)
{
	enum isokit_namespace ns = img->opts.ns;
	if (ns == ISOKIT_NS_AUTO) {
		if (img->info.has_rockridge)
			ns = ISOKIT_NS_ROCKRIDGE;
		else if (img->udf)
			ns = ISOKIT_NS_UDF;
		else if (img->joliet.present)
			ns = ISOKIT_NS_JOLIET;
		else if (img->evd.present)
			ns = ISOKIT_NS_ISO9660_1999;
		else
			ns = ISOKIT_NS_ISO9660;
	}
	struct tree_root *t = &img->pvd;
	if (ns == ISOKIT_NS_UDF) {
		if (!img->udf)
			return img_error(img, ISOKIT_E_UNSUPPORTED, -1, NULL,
					 "image has no UDF file system");
		img->ns = img->info.ns = ns;
		int rc = udf_root_init(img);
		if (rc == 0 || img->opts.ns != ISOKIT_NS_AUTO || !img->info.has_iso9660 ||
		    rc == ISOKIT_E_IO || rc == ISOKIT_E_NOMEM)
			return rc;
		/* chosen, not asked for: the ISO 9660 side can still be read */
		img_finding(img, ISOKIT_SEV_ERROR, "udf", -1, "/", "%s", img->errmsg);
		ns = img->joliet.present ? ISOKIT_NS_JOLIET
		     : img->evd.present  ? ISOKIT_NS_ISO9660_1999
					 : ISOKIT_NS_ISO9660;
	}
	if (!img->info.has_iso9660)
		return img_error(img, ISOKIT_E_UNSUPPORTED, -1, NULL,
				 "image has only a UDF file system, no ISO 9660 tree");
	switch (ns) {
	case ISOKIT_NS_ROCKRIDGE:
		if (!img->info.has_rockridge)
			return img_error(img, ISOKIT_E_UNSUPPORTED, -1, NULL,
					 "image has no Rock Ridge extensions");
		img->use_rr = true;
		break;
	case ISOKIT_NS_JOLIET:
		if (!img->joliet.present)
			return img_error(img, ISOKIT_E_UNSUPPORTED, -1, NULL,
					 "image has no Joliet tree");
		t = &img->joliet;
		break;
	case ISOKIT_NS_ISO9660_1999:
		if (!img->evd.present)
			return img_error(img, ISOKIT_E_UNSUPPORTED, -1, NULL,
					 "image has no ISO 9660:1999 tree");
		t = &img->evd;
		break;
	default:
		ns = ISOKIT_NS_ISO9660;
		break;
	}
	img->ns = ns;
	img->info.ns = ns;
	return img_root_init(img, t);
}

static void set_text(char *dst, size_t cap, const char *src)
{
	utf8_copy_cut(dst, cap, src, strlen(src));
}

/* An image with UDF and no ISO 9660 descriptors. */
static int open_udf_only(struct isokit_image *img)
{
	struct isokit_volume_info *in = &img->info;
	in->block_size = in->udf_block_size;
	in->volume_blocks = img->size / in->udf_block_size;
	set_text(in->volume_id, sizeof(in->volume_id), in->udf_volume_id);
	set_text(in->volume_label, sizeof(in->volume_label), in->udf_volume_id);
	set_text(in->volume_set_id, sizeof(in->volume_set_id), in->udf_volume_set_id);
	in->created = in->udf_recorded;
	img->errmsg[0] = '\0';
	return choose_namespace(img);
}

static int open_image(struct isokit_image *img)
{
	uint8_t blk0[ISO_BLOCK];
	int rc;
	img->size = isokit_source_size(img->src);
	img->ce_block = -1;
	img->info.image_bytes = img->size;
	if (img->size >= ISO_BLOCK) {
		rc = img_read(img, 0, blk0, ISO_BLOCK, NULL);
		if (rc)
			return rc;
		note_system_area(img, blk0);
	}
	rc = scan_descriptors(img);
	if (rc == ISOKIT_E_NOTISO) {
		/* perhaps UDF alone (mkudffs, some Blu-ray and Windows media) */
		char iso_err[sizeof(img->errmsg)];
		memcpy(iso_err, img->errmsg, sizeof(iso_err));
		int urc = udf_mount(img);
		if (urc == 0 && img->udf)
			return open_udf_only(img);
		if (urc < 0)
			return urc; /* announced as UDF, and damaged */
		memcpy(img->errmsg, iso_err, sizeof(iso_err));
		return rc;
	}
	if (rc)
		return rc;
	img->info.has_iso9660 = true;
	rc = udf_mount(img);
	if (rc) {
		/* a read that failed is the image's failure, not UDF's */
		if (img->opts.ns == ISOKIT_NS_UDF || rc == ISOKIT_E_IO || rc == ISOKIT_E_NOMEM)
			return rc;
		/* the ISO 9660 side can still be read; when another tree was
		 * asked for, UDF's damage is only noted */
		bool chosen = img->opts.ns == ISOKIT_NS_AUTO;
		img_finding(img, chosen ? ISOKIT_SEV_ERROR : ISOKIT_SEV_WARNING, "udf", -1, NULL,
			    "%s", img->errmsg);
	}
	uint64_t need;
	if (ckd_mul_u64(&need, img->info.volume_blocks, ISO_BLOCK) ||
	    need > img->size) {
		if (!img->opts.allow_truncated)
			return img_error(img, ISOKIT_E_TRUNCATED, -1, NULL,
					 "image is cut short: the volume has %llu blocks, the file only %llu",
					 (unsigned long long)img->info.volume_blocks,
					 (unsigned long long)(img->size / ISO_BLOCK));
		img_finding(img, ISOKIT_SEV_ERROR, "truncated", -1, NULL,
			    "image is cut short: the volume has %llu blocks, the file only %llu",
			    (unsigned long long)img->info.volume_blocks,
			    (unsigned long long)(img->size / ISO_BLOCK));
	}
	rc = detect_rock_ridge(img);
	if (rc && (img->opts.ns == ISOKIT_NS_AUTO ||
		   img->opts.ns == ISOKIT_NS_ROCKRIDGE))
		return rc;
	if (rc)
		img_finding(img, ISOKIT_SEV_WARNING, "rock-ridge", img->pvd.lba, "/",
			    "%s", img->errmsg);
	return choose_namespace(img);
}

int isokit_image_open_source(struct isokit_source *src,
			     const struct isokit_open_options *opts,
			     struct isokit_image **out)
{
	*out = NULL;
	struct isokit_image *img = calloc(1, sizeof(*img));
	if (!img) {
		isokit_source_free(src);
		return ISOKIT_E_NOMEM;
	}
	img->src = src;
	if (opts)
		img->opts = *opts;
	int rc = open_image(img);
	if (rc) {
		isokit_image_close(img);
		return rc;
	}
	*out = img;
	return 0;
}

int isokit_image_open_ex(const char *path, const struct isokit_open_options *opts,
			 struct isokit_image **out)
{
	*out = NULL;
	struct isokit_image *img = calloc(1, sizeof(*img));
	if (!img)
		return ISOKIT_E_NOMEM;
	if (opts)
		img->opts = *opts;
	int rc = isokit_source_open_file(path, &img->src);
	if (rc) {
		if (rc == ISOKIT_E_ISDIR)
			img_error(img, rc, -1, NULL, "is a directory, not an image");
		else
			img_error(img, rc, -1, NULL, "cannot open: %s",
				  rc == ISOKIT_E_NOENT ? "no such file"
						       : isokit_strerror(rc));
		*out = img;
		return rc;
	}
	rc = open_image(img);
	*out = img;
	return rc;
}

int isokit_image_open(const char *path, const struct isokit_open_options *opts,
		      struct isokit_image **out)
{
	int rc = isokit_image_open_ex(path, opts, out);
	if (rc) {
		isokit_image_close(*out);
		*out = NULL;
	}
	return rc;
}

void isokit_image_close(struct isokit_image *img)
{
	if (!img)
		return;
	if (!img->borrowed_src) {
		isokit_source_free(img->src);
		udf_unmount(img->udf);
	}
	free(img->root.ext);
	free(img);
}

int img_view(struct isokit_image *img, enum isokit_namespace ns, struct isokit_image **out)
{
	*out = NULL;
	struct isokit_image *v = malloc(sizeof(*v));
	if (!v)
		return ISOKIT_E_NOMEM;
	*v = *img;
	v->borrowed_src = true;
	v->root.ext = NULL;
	v->root.n_ext = 0;
	v->opts.ns = ns;
	v->use_rr = false;
	v->findings = 0;
	v->ce_block = -1;
	int rc = choose_namespace(v);
	if (rc) {
		snprintf(img->errmsg, sizeof(img->errmsg), "%s", v->errmsg);
		isokit_image_close(v);
		return rc;
	}
	*out = v;
	return 0;
}

const char *isokit_image_errmsg(const struct isokit_image *img)
{
	return img ? img->errmsg : "";
}

const struct isokit_volume_info *isokit_image_info(const struct isokit_image *img)
{
	return &img->info;
}

struct isokit_source *isokit_image_source(struct isokit_image *img)
{
	return img->src;
}

const struct isokit_node *isokit_image_root(const struct isokit_image *img)
{
	return &img->root;
}
