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
static int find_nsr_step(struct isokit_image *img, uint32_t step)
{
	uint8_t d[8];
	for (uint32_t i = 0; i < VRS_MAX; i++) {
		uint64_t off = UDF_VRS_FIRST + (uint64_t)i * step;
		if (!range_inside(off, sizeof(d), img->size))
			return 0;
		int rc = img_read(img, off, d, sizeof(d), NULL);
		if (rc)
			return rc;
		const char *id = (const char *)d + 1;
		if (memcmp(id, "CD001", 5) == 0 || memcmp(id, "BOOT2", 5) == 0 ||
		    memcmp(id, "CDW02", 5) == 0 || memcmp(id, "BEA01", 5) == 0)
			continue;
		return memcmp(id, "NSR02", 5) == 0 || memcmp(id, "NSR03", 5) == 0;
	}
	return 0;
}

static int find_nsr(struct isokit_image *img)
{
	int rc = find_nsr_step(img, 2048);
	return rc ? rc : find_nsr_step(img, 4096);
}

static const char outside_image[] = "outside the image";
static const char wrong_location[] = "a tag location that is not its own";

/*
 * Read the block of @p bs bytes at byte @p off into @p buf and check its
 * tag: good, and recorded as being at block @p loc. 1 with *t filled; 0
 * when it is not such a descriptor (*why says why; why == outside_image
 * when nothing was read); <0 when the read failed.
 */
static int read_tag_at(struct isokit_image *img, uint64_t off, uint32_t bs, uint32_t loc,
		       uint8_t *buf, struct udf_tag *t, const char **why)
{
	*why = outside_image;
	if (!range_inside(off, bs, img->size))
		return 0;
	int rc = img_read(img, off, buf, bs, NULL);
	if (rc)
		return rc;
	int e = udf_tag_decode(buf, bs, t);
	*why = udf_tag_strerror(e);
	if (e)
		return 0;
	*why = wrong_location;
	return t->location == loc;
}

/* An anchor: at 256, else at the last block or 256 before it (where
 * writers put the others), for each block size UDF allows. */
static int find_anchor(struct isokit_image *img, struct udf_volume *v, uint8_t *buf,
		       struct udf_avdp *a)
{
	static const uint32_t sizes[] = {2048, 512, 1024, 4096};
	const char *why_256 = NULL;
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
			const char *why;
			struct udf_tag t;
			int rc = read_tag_at(img, tries[i] * bs, bs, (uint32_t)tries[i], buf, &t, &why);
			if (rc < 0)
				return rc;
			if (rc && t.ident == UDF_TAG_AVDP) {
				v->bs = bs;
				v->anchor = (uint32_t)tries[i];
				udf_avdp_decode(buf, a);
				return 0;
			}
			if (!why_256)
				why_256 = rc ? "another descriptor" : why;
		}
	}
	return img_error(img, ISOKIT_E_CORRUPT, UDF_ANCHOR_BLOCK, NULL,
			 "UDF: no anchor volume descriptor pointer at block 256 or at the end "
			 "(block 256: %s)", why_256 ? why_256 : outside_image);
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

/* Take one descriptor of a sequence; 0, or -1 when it is damaged. */
static int take_descriptor(struct vds *s, uint16_t ident, const uint8_t *buf, uint32_t bs)
{
	switch (ident) {
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
		if (udf_lvd_decode(buf, bs, &l) != 0)
			return -1;
		if (!s->have_lvd || l.vdsn >= s->lvd.vdsn)
			s->lvd = l;
		s->have_lvd = true;
		break;
	}
	default:
		break; /* implementation use, unallocated space */
	}
	return 0;
}

/* Read one descriptor sequence; 1 when it gave a logical volume and a
 * partition, 0 when it is damaged (*why), <0 on an I/O error. */
static int read_vds(struct isokit_image *img, uint32_t bs, struct udf_extent_ad ext,
		    uint8_t *buf, struct vds *s, char *why, size_t why_len)
{
	memset(s, 0, sizeof(*s));
	uint64_t block = ext.location, end = block + ext.length / bs;
	for (uint32_t seen = 0, hops = 0; block < end; block++) {
		if (++seen > UDF_MAX_VDS_BLOCKS) {
			snprintf(why, why_len, "longer than %u blocks", UDF_MAX_VDS_BLOCKS);
			return 0;
		}
		const char *bad;
		struct udf_tag t;
		int rc = read_tag_at(img, block * bs, bs, (uint32_t)block, buf, &t, &bad);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			/* an unrecorded block also ends a sequence (3/8.4.2) */
			if (bad != outside_image && buf[0] == 0 && buf[1] == 0 && buf[4] == 0)
				break;
			snprintf(why, why_len, "block %llu: %s", (unsigned long long)block, bad);
			return 0;
		}
		if (t.ident == UDF_TAG_TD)
			break;
		if (t.ident == UDF_TAG_VDP) {
			/* the sequence goes on elsewhere (3/10.3) */
			if (++hops > UDF_MAX_VDP_HOPS) {
				snprintf(why, why_len, "more than %u descriptor pointers",
					 UDF_MAX_VDP_HOPS);
				return 0;
			}
			block = get_731(buf + 24);
			end = block + get_731(buf + 20) / bs;
			block--; /* the loop steps onto it */
			continue;
		}
		if (take_descriptor(s, t.ident, buf, bs) != 0) {
			snprintf(why, why_len, "block %llu: damaged partition maps",
				 (unsigned long long)block);
			return 0;
		}
	}
	if (!s->have_lvd || s->n_pd == 0) {
		snprintf(why, why_len, "no %s descriptor",
			 s->have_lvd ? "partition" : "logical volume");
		return 0;
	}
	return 1;
}

/*
 * The metadata file of the metadata partition @p ref (UDF 2.2.13), at
 * block @p fe_block of the physical partition @p phys: its extents, read
 * as any file's are, map the metadata partition's blocks into the image.
 */
static int load_metadata(struct isokit_image *img, struct udf_volume *v, uint32_t ref,
			 uint16_t phys, uint32_t fe_block, uint8_t *buf)
{
	struct udf_part *p = &v->parts[ref];
	uint64_t off;
	int rc = udf_read_tagged(img, phys, fe_block, UDF_TAG_FE, buf, &off, NULL);
	if (rc)
		return rc;
	struct udf_fe fe;
	if (get_721(buf) == UDF_TAG_IE || udf_fe_decode(buf, v->bs, &fe) != 0 ||
	    (fe.file_type != UDF_FT_META_FILE && fe.file_type != UDF_FT_META_MIRROR))
		return img_error(img, ISOKIT_E_CORRUPT, (int64_t)(off / v->bs), NULL,
				 "UDF: the metadata partition's file entry is not a metadata file");
	struct udf_extents l = {0};
	rc = udf_file_extents(img, buf, off, &fe, phys, &l, NULL);
	if (rc == 0 && !(p->runs = calloc(l.n ? l.n : 1, sizeof(*p->runs))))
		rc = ISOKIT_E_NOMEM;
	uint64_t next = 0;
	for (uint32_t i = 0; rc == 0 && i < l.n; i++) {
		uint64_t count = l.ext[i].length / v->bs;
		/* unrecorded extents hold no metadata: their blocks are skipped */
		if (l.ext[i].offset != EXTENT_HOLE && count)
			p->runs[p->n_runs++] = (struct udf_run){(uint32_t)next, (uint32_t)count,
								l.ext[i].offset};
		next += count;
		if (next > UINT32_MAX)
			rc = img_error(img, ISOKIT_E_CORRUPT, (int64_t)(off / v->bs), NULL,
				       "UDF: metadata file larger than a partition");
	}
	free(l.ext);
	return rc;
}

/* The map of the physical partition numbered @p number. */
static int physical_map(const struct udf_volume *v, uint16_t number)
{
	for (uint32_t i = 0; i < v->n_parts; i++)
		if ((v->parts[i].kind == UDF_MAP_PHYSICAL || v->parts[i].kind == UDF_MAP_SPARABLE) &&
		    v->parts[i].number == number)
			return (int)i;
	return -1;
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
		p->number = pd->number;
		p->start = pd->start;
		p->length = pd->length;
	}
	/* then the metadata files, read through the physical maps */
	for (uint32_t i = 0; i < v->n_parts; i++) {
		const struct udf_map *m = &s->lvd.maps[i];
		if (m->kind != UDF_MAP_METADATA)
			continue;
		int phys = physical_map(v, m->part_num);
		if (phys < 0)
			return img_error(img, ISOKIT_E_CORRUPT, -1, NULL,
					 "UDF: no physical partition map under the metadata partition");
		int rc = load_metadata(img, v, i, (uint16_t)phys, m->meta_file, buf);
		if (rc && rc != ISOKIT_E_IO && rc != ISOKIT_E_NOMEM &&
		    m->meta_mirror != m->meta_file) {
			free(v->parts[i].runs);
			v->parts[i].runs = NULL;
			v->parts[i].n_runs = 0;
			img_finding(img, ISOKIT_SEV_ERROR, "udf-metadata", -1, NULL,
				    "%s; reading its mirror", img->errmsg);
			rc = load_metadata(img, v, i, (uint16_t)phys, m->meta_mirror, buf);
		}
		if (rc)
			return rc;
	}
	return 0;
}

int udf_block_offset(struct isokit_image *img, uint16_t part, uint32_t block, uint64_t *off,
		     uint64_t *contig, const char *path)
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
		if (block >= p->length)
			return img_error(img, ISOKIT_E_RANGE, (int64_t)p->start + block, path,
					 "UDF: block %u is past the end of partition %u (%u blocks)",
					 block, part, p->length);
		*off = ((uint64_t)p->start + block) * v->bs;
		*contig = p->length - block;
		return 0;
	case UDF_MAP_METADATA:
		/* runs are in order: a binary search */
		for (uint32_t lo = 0, hi = p->n_runs; lo < hi;) {
			uint32_t mid = lo + (hi - lo) / 2;
			const struct udf_run *r = &p->runs[mid];
			if (block < r->first) {
				hi = mid;
			} else if (block - r->first >= r->count) {
				lo = mid + 1;
			} else {
				*off = r->off + (uint64_t)(block - r->first) * v->bs;
				*contig = r->count - (block - r->first);
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
}

int udf_read_tagged(struct isokit_image *img, uint16_t part, uint32_t block, uint16_t want,
		    uint8_t *buf, uint64_t *off_out, const char *path)
{
	uint32_t bs = img->udf->bs;
	uint64_t off, contig;
	int rc = udf_block_offset(img, part, block, &off, &contig, path);
	if (rc)
		return rc;
	int64_t sector = (int64_t)(off / bs);
	const char *why;
	struct udf_tag t;
	rc = read_tag_at(img, off, bs, block, buf, &t, &why);
	if (rc < 0)
		return rc;
	if (rc == 0 && why == outside_image)
		return img_error(img, ISOKIT_E_RANGE, sector, path,
				 "UDF: descriptor lies past the end of the image");
	if (rc == 0 && why == wrong_location)
		return img_error(img, ISOKIT_E_CORRUPT, sector, path,
				 "UDF: descriptor says it is at block %u, it was read at %u",
				 t.location, block);
	if (rc == 0)
		return img_error(img, ISOKIT_E_CORRUPT, sector, path, "UDF: %s", why);
	bool fe = want == UDF_TAG_FE && (t.ident == UDF_TAG_EFE || t.ident == UDF_TAG_IE);
	if (t.ident != want && !fe)
		return img_error(img, ISOKIT_E_CORRUPT, sector, path,
				 "UDF: descriptor %u where %u was expected", t.ident, want);
	if (off_out)
		*off_out = off;
	return 0;
}

static void fill_info(struct isokit_image *img, const struct udf_volume *v,
		      const struct vds *s, const struct udf_fsd *fsd)
{
	struct isokit_volume_info *in = &img->info;
	uint16_t rev = s->lvd.udf_revision ? s->lvd.udf_revision : fsd->udf_revision;
	in->has_udf = true;
	snprintf(in->udf_revision, sizeof(in->udf_revision), "%x.%02x", rev >> 8, rev & 0xFF);
	snprintf(in->udf_volume_id, sizeof(in->udf_volume_id), "%s",
		 s->lvd.volume_id[0] ? s->lvd.volume_id : s->pvd.volume_id);
	snprintf(in->udf_volume_set_id, sizeof(in->udf_volume_set_id), "%s",
		 s->pvd.volume_set_id);
	snprintf(in->udf_fileset_id, sizeof(in->udf_fileset_id), "%s", fsd->fileset_id);
	snprintf(in->udf_impl_id, sizeof(in->udf_impl_id), "%s", s->pvd.impl_id);
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
	in->udf_recorded = fsd->recorded.valid ? fsd->recorded : s->pvd.recorded;
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
	int rc = find_nsr(img);
	if (rc <= 0)
		return rc;
	struct udf_volume *v = calloc(1, sizeof(*v));
	uint8_t *buf = malloc(4096);
	struct vds *s = malloc(sizeof(*s));
	if (!v || !buf || !s) {
		free(v);
		free(buf);
		free(s);
		return ISOKIT_E_NOMEM;
	}
	img->udf = v;
	struct udf_avdp a;
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
	if (s->lvd.block_size != v->bs) {
		rc = img_error(img, ISOKIT_E_CORRUPT, a.main.location, NULL,
			       "UDF: logical block size %u, but the anchor was found with %u",
			       s->lvd.block_size, v->bs);
		goto out;
	}
	rc = take_partitions(img, v, s, buf);
	if (rc)
		goto out;
	rc = udf_read_tagged(img, s->lvd.fsd.part, s->lvd.fsd.block, UDF_TAG_FSD, buf, NULL, NULL);
	if (rc)
		goto out;
	struct udf_fsd fsd;
	udf_fsd_decode(buf, &fsd);
	v->root = fsd.root;
	fill_info(img, v, s, &fsd);
out:
	free(s);
	free(buf);
	if (rc) {
		udf_unmount(v);
		img->udf = NULL;
	}
	return rc;
}
