// SPDX-License-Identifier: MIT
/* UDF volume structures: anchor (ECMA-167 3/10.2), primary volume (3/10.1),
 * partition (3/10.5) and logical volume descriptors (3/10.6) with their
 * partition maps (3/10.7, UDF 2.2.8-2.2.10), file set descriptor (4/14.1). */
#include <string.h>

#include "base/bytes.h"
#include "udf/udf.h"

static void extent_ad(const uint8_t *p, struct udf_extent_ad *e)
{
	e->length = get_731(p);
	e->location = get_731(p + 4);
}

void udf_avdp_decode(const uint8_t *p, struct udf_avdp *a)
{
	extent_ad(p + 16, &a->main);
	extent_ad(p + 24, &a->reserve);
}

void udf_pvd_decode(const uint8_t *p, struct udf_pvd *v)
{
	memset(v, 0, sizeof(*v));
	v->vdsn = get_731(p + 16);
	udf_dstring(p + 24, 32, v->volume_id);
	udf_dstring(p + 72, 128, v->volume_set_id);
	v->recorded = udf_time_decode(p + 376);
	udf_regid_ident(p + 388, v->impl_id);
}

void udf_pd_decode(const uint8_t *p, struct udf_pd *d)
{
	memset(d, 0, sizeof(*d));
	d->vdsn = get_731(p + 16);
	d->number = get_721(p + 22);
	d->start = get_731(p + 188);
	d->length = get_731(p + 192);
}

/* A domain or partition-type entity identifier's suffix: the UDF revision. */
static uint16_t regid_revision(const uint8_t *p)
{
	return get_721(p + 24);
}

static void type2_map(const uint8_t *m, struct udf_map *map)
{
	char id[24];
	udf_regid_ident(m + 4, id);
	map->part_num = get_721(m + 38);
	if (strcmp(id, "*UDF Virtual Partition") == 0) {
		map->kind = UDF_MAP_VIRTUAL;
	} else if (strcmp(id, "*UDF Sparable Partition") == 0) {
		map->kind = UDF_MAP_SPARABLE;
	} else if (strcmp(id, "*UDF Metadata Partition") == 0) {
		map->kind = UDF_MAP_METADATA;
		map->meta_file = get_731(m + 40);
		map->meta_mirror = get_731(m + 44);
	} else {
		map->kind = UDF_MAP_UNKNOWN;
	}
}

int udf_lvd_decode(const uint8_t *p, size_t len, struct udf_lvd *l)
{
	memset(l, 0, sizeof(*l));
	if (len < 440)
		return -1;
	l->vdsn = get_731(p + 16);
	udf_dstring(p + 84, 128, l->volume_id);
	l->block_size = get_731(p + 212);
	l->udf_revision = regid_revision(p + 216);
	udf_long_ad_decode(p + 248, &l->fsd);
	uint32_t table_len = get_731(p + 264);
	uint32_t n_maps = get_731(p + 268);
	if (table_len > len - 440 || n_maps > UDF_MAX_MAPS)
		return -1;
	const uint8_t *m = p + 440, *end = m + table_len;
	for (uint32_t i = 0; i < n_maps; i++) {
		if (end - m < 2 || m[1] < 2 || m[1] > end - m)
			return -1;
		struct udf_map *map = &l->maps[i];
		if (m[0] == 1 && m[1] == 6) {
			map->kind = UDF_MAP_PHYSICAL;
			map->part_num = get_721(m + 4);
		} else if (m[0] == 2 && m[1] == 64) {
			type2_map(m, map);
		} else {
			map->kind = UDF_MAP_UNKNOWN;
		}
		m += m[1];
	}
	l->n_maps = n_maps;
	return 0;
}

void udf_fsd_decode(const uint8_t *p, struct udf_fsd *f)
{
	memset(f, 0, sizeof(*f));
	f->recorded = udf_time_decode(p + 16);
	udf_dstring(p + 304, 32, f->fileset_id);
	udf_long_ad_decode(p + 400, &f->root);
	f->udf_revision = regid_revision(p + 416);
}
