// SPDX-License-Identifier: MIT
/*
 * Finding the UDF volume: the volume recognition sequence (ECMA-167 2/8.3,
 * scanned as Linux does: CD001, BEA01, BOOT2 and CDW02 skipped, NSR02 or
 * NSR03 found, anything else ends it), an anchor at block 256 or near the
 * end (3/8.4.2.1), the main volume descriptor sequence or else the reserve
 * one (3/8.4.2), the partitions of the logical volume's maps, the metadata
 * file of UDF 2.50 (UDF 2.2.13), and the file set descriptor (4/8.3.1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/checked.h"
#include "read/udf.h"

#define VRS_MAX 64u /* recognition descriptors looked at */

/* The recognition sequence, one descriptor each @p step bytes (2048, or
 * the sector size on media with larger sectors): 1 when it holds NSR02
 * or NSR03. */
static int find_nsr_step(struct isokit_image *img, uint32_t step, bool *nsr03)
{
	uint8_t d[8];
	bool in_extended = false;
	for (uint32_t i = 0; i < VRS_MAX; i++) {
		uint64_t off = UDF_VRS_FIRST + (uint64_t)i * step;
		if (!range_inside(off, sizeof(d), img->size))
			return 0;
		int rc = img_read(img, off, d, sizeof(d), NULL);
		if (rc)
			return rc;
		const char *id = (const char *)d + 1;
		if (memcmp(id, "CD001", 5) == 0 || memcmp(id, "BOOT2", 5) == 0 ||
		    memcmp(id, "CDW02", 5) == 0)
			continue;
		if (memcmp(id, "BEA01", 5) == 0) {
			in_extended = true;
			continue;
		}
		if (memcmp(id, "NSR02", 5) == 0 || memcmp(id, "NSR03", 5) == 0) {
			*nsr03 = id[4] == '3';
			return 1;
		}
		return 0; /* TEA01, zeros, anything else */
	}
	(void)in_extended;
	return 0;
}

static int find_nsr(struct isokit_image *img, bool *nsr03)
{
	int rc = find_nsr_step(img, 2048, nsr03);
	return rc ? rc : find_nsr_step(img, 4096, nsr03);
}

/* Read block @p block (absolute) and check its tag is @p want, good and at
 * @p block. 1: good; 0: not such a descriptor (*why says why); <0 error. */
static int read_abs_tagged(struct isokit_image *img, uint32_t bs, uint64_t block,
			   uint16_t want, uint8_t *buf, const char **why)
{
	uint64_t off = block * bs;
	*why = "outside the image";
	if (!range_inside(off, bs, img->size))
		return 0;
	int rc = img_read(img, off, buf, bs, NULL);
	if (rc)
		return rc;
	struct udf_tag t;
	int e = udf_tag_decode(buf, bs, &t);
	*why = udf_tag_strerror(e);
	if (e)
		return 0;
	*why = "another descriptor";
	if (t.ident != want)
		return 0;
	*why = "a tag location that is not its own";
	if (t.location != (uint32_t)block)
		return 0;
	return 1;
}

/* An anchor: at 256, else at the last block or 256 before it (where
 * writers put the others), for each block size UDF allows. */
static int find_anchor(struct isokit_image *img, struct udf_volume *v, uint8_t *buf,
		       struct udf_avdp *a)
{
	static const uint32_t sizes[] = {2048, 512, 1024, 4096};
	const char *why = "";
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint32_t bs = sizes[s];
		uint64_t last = img->size / bs;
		if (last == 0)
			continue;
		last--;
		uint64_t tries[] = {UDF_ANCHOR_BLOCK, last, last >= 256 ? last - 256 : 0};
		for (size_t i = 0; i < 3; i++) {
			if (tries[i] < UDF_ANCHOR_BLOCK || tries[i] > UINT32_MAX)
				continue;
			int rc = read_abs_tagged(img, bs, tries[i], UDF_TAG_AVDP, buf, &why);
			if (rc < 0)
				return rc;
			if (rc) {
				v->bs = bs;
				v->anchor = (uint32_t)tries[i];
				udf_avdp_decode(buf, a);
				return 0;
			}
		}
	}
	return img_error(img, ISOKIT_E_CORRUPT, UDF_ANCHOR_BLOCK, NULL,
			 "UDF: no anchor volume descriptor pointer at block 256 or at the end "
			 "(block 256: %s)", why);
}

/* What a descriptor sequence gave. */
struct vds {
	bool have_pvd, have_lvd;
	struct udf_pvd pvd;
	struct udf_lvd lvd;
	uint32_t n_pd;
	struct udf_pd pd[UDF_MAX_MAPS];
};

static void take_pd(struct vds *s, const struct udf_pd *d)
{
	/* the highest sequence number of each partition number wins */
	for (uint32_t i = 0; i < s->n_pd; i++)
		if (s->pd[i].number == d->number) {
			if (d->vdsn >= s->pd[i].vdsn)
				s->pd[i] = *d;
			return;
		}
	if (s->n_pd < UDF_MAX_MAPS)
		s->pd[s->n_pd++] = *d;
}

/* Read one descriptor sequence; 1 when it gave a logical volume and a
 * partition, 0 when it is damaged (*why), <0 on an I/O error. */
static int read_vds(struct isokit_image *img, uint32_t bs, struct udf_extent_ad ext,
		    uint8_t *buf, struct vds *s, char *why, size_t why_len)
{
	memset(s, 0, sizeof(*s));
	uint32_t blocks = ext.length / bs, hops = 0, seen = 0;
	uint64_t block = ext.location;
	for (uint32_t i = 0; i < blocks; i++, block++) {
		if (++seen > UDF_MAX_VDS_BLOCKS) {
			snprintf(why, why_len, "longer than %u blocks", UDF_MAX_VDS_BLOCKS);
			return 0;
		}
		const char *bad;
		uint64_t off = block * bs;
		if (!range_inside(off, bs, img->size)) {
			snprintf(why, why_len, "block %llu is outside the image",
				 (unsigned long long)block);
			return 0;
		}
		int rc = img_read(img, off, buf, bs, NULL);
		if (rc)
			return rc;
		struct udf_tag t;
		int e = udf_tag_decode(buf, bs, &t);
		if (e == 0 && t.location != (uint32_t)block)
			bad = "a tag location that is not its own";
		else
			bad = e ? udf_tag_strerror(e) : NULL;
		if (bad) {
			/* an unrecorded block also ends a sequence (3/8.4.2) */
			bool blank = buf[0] == 0 && buf[1] == 0 && buf[4] == 0;
			if (blank)
				break;
			snprintf(why, why_len, "block %llu: %s", (unsigned long long)block, bad);
			return 0;
		}
		if (t.ident == UDF_TAG_TD)
			break;
		switch (t.ident) {
		case UDF_TAG_PVD: {
			struct udf_pvd p;
			udf_pvd_decode(buf, &p);
			if (!s->have_pvd || p.vdsn >= s->pvd.vdsn)
				s->pvd = p;
			s->have_pvd = true;
			break;
		}
		case UDF_TAG_PD: {
			struct udf_pd d;
			udf_pd_decode(buf, &d);
			take_pd(s, &d);
			break;
		}
		case UDF_TAG_LVD: {
			struct udf_lvd l;
			if (udf_lvd_decode(buf, bs, &l) != 0) {
				snprintf(why, why_len, "block %llu: damaged partition maps",
					 (unsigned long long)block);
				return 0;
			}
			if (!s->have_lvd || l.vdsn >= s->lvd.vdsn)
				s->lvd = l;
			s->have_lvd = true;
			break;
		}
		case UDF_TAG_VDP: {
			/* the sequence goes on elsewhere (3/10.3) */
			if (++hops > UDF_MAX_VDP_HOPS) {
				snprintf(why, why_len, "more than %u descriptor pointers",
					 UDF_MAX_VDP_HOPS);
				return 0;
			}
			struct udf_extent_ad next = {get_731(buf + 20), get_731(buf + 24)};
			blocks = next.length / bs;
			block = (uint64_t)next.location - 1;
			i = (uint32_t)-1;
			break;
		}
		default:
			break; /* implementation use, unallocated space */
		}
	}
	if (!s->have_lvd || s->n_pd == 0) {
		snprintf(why, why_len, "no %s descriptor",
			 s->have_lvd ? "partition" : "logical volume");
		return 0;
	}
	return 1;
}

/* The metadata file of a metadata partition (UDF 2.2.13): its short
 * allocation descriptors map the partition's blocks onto the physical
 * partition. */
static int load_metadata(struct isokit_image *img, struct udf_volume *v, struct udf_part *p,
			 uint32_t fe_block, uint8_t *buf)
{
	uint64_t off = ((uint64_t)p->start + fe_block) * v->bs;
	if (fe_block >= p->length || !range_inside(off, v->bs, img->size))
		return img_error(img, ISOKIT_E_RANGE, (int64_t)(off / v->bs), NULL,
				 "UDF: the metadata file lies outside its partition");
	int rc = img_read(img, off, buf, v->bs, NULL);
	if (rc)
		return rc;
	struct udf_tag t;
	int e = udf_tag_decode(buf, v->bs, &t);
	struct udf_fe fe;
	if (e || (t.ident != UDF_TAG_FE && t.ident != UDF_TAG_EFE) || t.location != fe_block ||
	    udf_fe_decode(buf, v->bs, &fe) != 0 ||
	    (fe.file_type != UDF_FT_META_FILE && fe.file_type != UDF_FT_META_MIRROR))
		return img_error(img, ISOKIT_E_CORRUPT, (int64_t)(off / v->bs), NULL,
				 "UDF: damaged metadata file entry (%s)",
				 e ? udf_tag_strerror(e) : "not a metadata file");
	unsigned form = fe.icb_flags & 7;
	size_t adsz = udf_ad_size(form);
	if (form != UDF_AD_SHORT && form != UDF_AD_LONG)
		return img_error(img, ISOKIT_E_UNSUPPORTED, (int64_t)(off / v->bs), NULL,
				 "UDF: metadata file with allocation form %u", form);
	uint32_t cap = fe.ad_len / (uint32_t)adsz;
	p->runs = calloc(cap ? cap : 1, sizeof(*p->runs));
	if (!p->runs)
		return ISOKIT_E_NOMEM;
	uint32_t next = 0;
	for (uint32_t i = 0; i < cap; i++) {
		struct udf_ad ad;
		udf_ad_decode(buf + fe.ad_offset + i * adsz, form, 0, &ad);
		if (ad.length == 0)
			break;
		if (ad.type != UDF_EXT_RECORDED)
			return img_error(img, ISOKIT_E_UNSUPPORTED, (int64_t)(off / v->bs), NULL,
					 "UDF: metadata file continued in an allocation extent");
		uint32_t count = (ad.length + v->bs - 1) / v->bs;
		if (ad.block >= p->length || count > p->length - ad.block)
			return img_error(img, ISOKIT_E_RANGE, (int64_t)(off / v->bs), NULL,
					 "UDF: the metadata file's extent lies outside its partition");
		p->runs[p->n_runs++] = (struct udf_run){next, count, ad.block};
		next += count;
	}
	return 0;
}

static int take_partitions(struct isokit_image *img, struct udf_volume *v, const struct vds *s,
			   uint8_t *buf)
{
	if (s->lvd.n_maps == 0)
		return img_error(img, ISOKIT_E_CORRUPT, -1, NULL,
				 "UDF: the logical volume has no partition maps");
	v->n_parts = s->lvd.n_maps;
	for (uint32_t i = 0; i < v->n_parts; i++) {
		const struct udf_map *m = &s->lvd.maps[i];
		struct udf_part *p = &v->parts[i];
		p->kind = m->kind;
		if (m->kind == UDF_MAP_UNKNOWN)
			continue; /* an error only when something lives there */
		const struct udf_pd *pd = NULL;
		for (uint32_t k = 0; k < s->n_pd; k++)
			if (s->pd[k].number == m->part_num)
				pd = &s->pd[k];
		if (!pd)
			return img_error(img, ISOKIT_E_CORRUPT, -1, NULL,
					 "UDF: no partition descriptor numbered %u", m->part_num);
		p->start = pd->start;
		p->length = pd->length;
		p->number = pd->number;
		if (m->kind == UDF_MAP_VIRTUAL)
			continue; /* refused when used: see udf_block_offset */
		if (m->kind == UDF_MAP_METADATA) {
			int rc = load_metadata(img, v, p, m->meta_file, buf);
			if (rc && m->meta_mirror != m->meta_file) {
				free(p->runs);
				p->runs = NULL;
				p->n_runs = 0;
				img_finding(img, ISOKIT_SEV_ERROR, "udf-metadata", -1, NULL,
					    "%s; reading its mirror", img->errmsg);
				rc = load_metadata(img, v, p, m->meta_mirror, buf);
			}
			if (rc)
				return rc;
		}
	}
	return 0;
}

int udf_block_offset(struct isokit_image *img, uint16_t part, uint32_t block, uint64_t *off,
		     const char *path)
{
	struct udf_volume *v = img->udf;
	if (part >= v->n_parts)
		return img_error(img, ISOKIT_E_CORRUPT, -1, path,
				 "UDF: partition reference %u, but the volume has %u", part,
				 v->n_parts);
	const struct udf_part *p = &v->parts[part];
	switch (p->kind) {
	case UDF_MAP_PHYSICAL:
	case UDF_MAP_SPARABLE:
		break;
	case UDF_MAP_METADATA:
		/* runs are few and in order: a binary search */
		for (uint32_t lo = 0, hi = p->n_runs; lo < hi;) {
			uint32_t mid = lo + (hi - lo) / 2;
			const struct udf_run *r = &p->runs[mid];
			if (block < r->first) {
				hi = mid;
			} else if (block - r->first >= r->count) {
				lo = mid + 1;
			} else {
				*off = ((uint64_t)p->start + r->phys + (block - r->first)) * v->bs;
				return 0;
			}
		}
		return img_error(img, ISOKIT_E_RANGE, -1, path,
				 "UDF: block %u is outside the metadata partition", block);
	case UDF_MAP_VIRTUAL:
		return img_error(img, ISOKIT_E_UNSUPPORTED, -1, path,
				 "UDF: virtual partitions (a VAT, written on CD-R by packet writing) "
				 "are not supported");
	default:
		return img_error(img, ISOKIT_E_UNSUPPORTED, -1, path,
				 "UDF: partition map %u is of an unknown kind", part);
	}
	if (block >= p->length)
		return img_error(img, ISOKIT_E_RANGE, (int64_t)p->start + block, path,
				 "UDF: block %u is past the end of partition %u (%u blocks)",
				 block, part, p->length);
	*off = ((uint64_t)p->start + block) * v->bs;
	return 0;
}

int udf_read_tagged(struct isokit_image *img, uint16_t part, uint32_t block, uint16_t want,
		    uint8_t *buf, uint64_t *off_out, const char *path)
{
	uint32_t bs = img->udf->bs;
	uint64_t off;
	int rc = udf_block_offset(img, part, block, &off, path);
	if (rc)
		return rc;
	int64_t sector = (int64_t)(off / bs);
	if (!range_inside(off, bs, img->size))
		return img_error(img, ISOKIT_E_RANGE, sector, path,
				 "UDF: descriptor lies past the end of the image");
	rc = img_read(img, off, buf, bs, path);
	if (rc)
		return rc;
	struct udf_tag t;
	int e = udf_tag_decode(buf, bs, &t);
	if (e)
		return img_error(img, ISOKIT_E_CORRUPT, sector, path, "UDF: %s",
				 udf_tag_strerror(e));
	bool fe = want == UDF_TAG_FE && (t.ident == UDF_TAG_EFE || t.ident == UDF_TAG_IE);
	if (t.ident != want && !fe)
		return img_error(img, ISOKIT_E_CORRUPT, sector, path,
				 "UDF: descriptor %u where %u was expected", t.ident, want);
	if (t.location != block)
		return img_error(img, ISOKIT_E_CORRUPT, sector, path,
				 "UDF: descriptor says it is at block %u, it was read at %u",
				 t.location, block);
	if (off_out)
		*off_out = off;
	return 0;
}

static void fill_info(struct isokit_image *img, const struct udf_volume *v)
{
	struct isokit_volume_info *in = &img->info;
	in->has_udf = true;
	snprintf(in->udf_revision, sizeof(in->udf_revision), "%x.%02x", v->revision >> 8,
		 v->revision & 0xFF);
	snprintf(in->udf_volume_id, sizeof(in->udf_volume_id), "%s",
		 v->lvd.volume_id[0] ? v->lvd.volume_id : v->pvd.volume_id);
	snprintf(in->udf_volume_set_id, sizeof(in->udf_volume_set_id), "%s",
		 v->pvd.volume_set_id);
	snprintf(in->udf_fileset_id, sizeof(in->udf_fileset_id), "%s", v->fsd.fileset_id);
	snprintf(in->udf_impl_id, sizeof(in->udf_impl_id), "%s", v->pvd.impl_id);
	in->udf_block_size = v->bs;
	in->udf_anchor = v->anchor;
	in->udf_partitions = v->n_parts;
	for (uint32_t i = 0; i < v->n_parts; i++) {
		if (v->parts[i].kind == UDF_MAP_METADATA)
			in->udf_metadata = true;
		else if (!in->udf_partition_blocks) {
			in->udf_partition_start = v->parts[i].start;
			in->udf_partition_blocks = v->parts[i].length;
		}
	}
	in->udf_recorded = v->fsd.recorded.valid ? v->fsd.recorded : v->pvd.recorded;
}

void udf_unmount(struct udf_volume *v)
{
	if (!v)
		return;
	for (uint32_t i = 0; i < v->n_parts; i++)
		free(v->parts[i].runs);
	free(v);
}

int udf_mount(struct isokit_image *img)
{
	img->udf = NULL;
	bool nsr03 = false;
	int rc = find_nsr(img, &nsr03);
	if (rc <= 0)
		return rc;
	struct udf_volume *v = calloc(1, sizeof(*v));
	uint8_t *buf = malloc(4096);
	if (!v || !buf) {
		free(v);
		free(buf);
		return ISOKIT_E_NOMEM;
	}
	v->nsr03 = nsr03;
	img->udf = v;
	struct udf_avdp a;
	struct vds *s = malloc(sizeof(*s));
	if (!s) {
		rc = ISOKIT_E_NOMEM;
		goto out;
	}
	rc = find_anchor(img, v, buf, &a);
	if (rc)
		goto out;
	char why_main[160], why_res[160];
	rc = read_vds(img, v->bs, a.main, buf, s, why_main, sizeof(why_main));
	if (rc == 0) {
		rc = read_vds(img, v->bs, a.reserve, buf, s, why_res, sizeof(why_res));
		if (rc == 0) {
			rc = img_error(img, ISOKIT_E_CORRUPT, a.main.location, NULL,
				       "UDF: damaged volume descriptor sequences (main: %s; "
				       "reserve: %s)", why_main, why_res);
			goto out;
		}
		if (rc > 0)
			img_finding(img, ISOKIT_SEV_ERROR, "udf-vds", a.main.location, NULL,
				    "UDF: main volume descriptor sequence damaged (%s); the reserve "
				    "copy was used", why_main);
	}
	if (rc < 0)
		goto out;
	v->pvd = s->pvd;
	v->lvd = s->lvd;
	v->revision = s->lvd.udf_revision;
	if (s->lvd.block_size != v->bs) {
		rc = img_error(img, ISOKIT_E_CORRUPT, a.main.location, NULL,
			       "UDF: logical block size %u, but the anchor was found with %u",
			       s->lvd.block_size, v->bs);
		goto out;
	}
	rc = take_partitions(img, v, s, buf);
	if (rc)
		goto out;
	rc = udf_read_tagged(img, s->lvd.fsd.part, s->lvd.fsd.block, UDF_TAG_FSD, buf, NULL,
			     NULL);
	if (rc) {
		img_error_at(img, rc, NULL);
		goto out;
	}
	udf_fsd_decode(buf, &v->fsd);
	v->root = v->fsd.root;
	if (!v->revision)
		v->revision = v->fsd.udf_revision;
	fill_info(img, v);
out:
	free(s);
	free(buf);
	if (rc) {
		udf_unmount(v);
		img->udf = NULL;
	}
	return rc;
}
