// SPDX-License-Identifier: MIT
/* UDF files: file entries (ECMA-167 4/14.9) and extended file entries
 * (4/14.17), file identifier descriptors (4/14.4), allocation descriptors
 * (4/14.14) and allocation extents (4/14.5), symlink path components
 * (4/14.16). */
#include <string.h>
#include <sys/stat.h>

#include "base/bytes.h"
#include "udf/udf.h"

size_t udf_ad_size(unsigned form)
{
	switch (form) {
	case UDF_AD_SHORT:
		return 8;
	case UDF_AD_LONG:
		return 16;
	case UDF_AD_EXT:
		return 20;
	}
	return 0;
}

static void ad_length(uint32_t raw, struct udf_ad *ad)
{
	ad->length = raw & 0x3FFFFFFFu;
	ad->type = (uint8_t)(raw >> 30);
}

void udf_long_ad_decode(const uint8_t *p, struct udf_ad *ad)
{
	ad_length(get_731(p), ad);
	ad->block = get_731(p + 4);
	ad->part = get_721(p + 8);
}

void udf_ad_decode(const uint8_t *p, unsigned form, uint16_t part, struct udf_ad *ad)
{
	memset(ad, 0, sizeof(*ad));
	switch (form) {
	case UDF_AD_SHORT:
		ad_length(get_731(p), ad);
		ad->block = get_731(p + 4);
		ad->part = part;
		break;
	case UDF_AD_LONG:
		udf_long_ad_decode(p, ad);
		break;
	case UDF_AD_EXT:
		/* extent length (with the type), recorded length, information
		 * length, lb_addr */
		ad_length(get_731(p), ad);
		ad->block = get_731(p + 12);
		ad->part = get_721(p + 16);
		break;
	}
}

/* Where the fields after the permissions lie in a file entry (4/14.9) and
 * in an extended one (4/14.17), which adds object size, creation time, a
 * reserved word and the stream directory ICB. */
static const struct fe_layout {
	uint16_t head, atime, mtime, created, attr_time, ea_len;
} fe_layouts[2] = {
	{176, 72, 84, 0, 96, 168},
	{216, 80, 92, 104, 116, 208},
};

int udf_fe_decode(const uint8_t *p, size_t len, struct udf_fe *fe)
{
	memset(fe, 0, sizeof(*fe));
	bool extended = get_721(p) == UDF_TAG_EFE;
	const struct fe_layout *l = &fe_layouts[extended];
	if (len < l->head)
		return -1;
	/* ICB tag at 16 (4/14.6) */
	fe->file_type = p[27];
	fe->icb_flags = get_721(p + 34);
	fe->uid = get_731(p + 36);
	fe->gid = get_731(p + 40);
	fe->permissions = get_731(p + 44);
	fe->link_count = get_721(p + 48);
	fe->info_length = get_le64(p + 56);
	fe->atime = udf_time_decode(p + l->atime);
	fe->mtime = udf_time_decode(p + l->mtime);
	if (extended)
		fe->created = udf_time_decode(p + l->created);
	fe->attr_time = udf_time_decode(p + l->attr_time);
	fe->ea_len = get_731(p + l->ea_len);
	fe->ad_len = get_731(p + l->ea_len + 4);
	if (fe->ea_len > len - l->head || fe->ad_len > len - l->head - fe->ea_len)
		return -1;
	fe->ad_offset = l->head + fe->ea_len;
	return 0;
}

uint32_t udf_mode_bits(uint32_t perm, uint16_t icb_flags)
{
	/* each class holds exec, write, read, chattr, delete from bit 0:
	 * the low three are POSIX's x, w, r */
	uint32_t mode = (perm & 7) | ((perm >> 5) & 7) << 3 | ((perm >> 10) & 7) << 6;
	if (icb_flags & UDF_ICB_SETUID)
		mode |= S_ISUID;
	if (icb_flags & UDF_ICB_SETGID)
		mode |= S_ISGID;
	if (icb_flags & UDF_ICB_STICKY)
		mode |= S_ISVTX;
	return mode;
}

size_t udf_fid_size(const uint8_t *p)
{
	return (38 + (size_t)get_721(p + 36) + p[19] + 3) & ~(size_t)3;
}

int udf_fid_decode(const uint8_t *p, size_t avail, struct udf_fid *f)
{
	memset(f, 0, sizeof(*f));
	if (avail < 38)
		return -1;
	f->characteristics = p[18];
	f->name_len = p[19];
	udf_long_ad_decode(p + 20, &f->icb);
	size_t iu = get_721(p + 36);
	size_t size = udf_fid_size(p);
	if (38 + iu + f->name_len > avail)
		return -1;
	f->name = p + 38 + iu;
	/* the padding of the last FID may be cut by the directory's end */
	f->size = size <= avail ? size : avail;
	return 0;
}

uint32_t udf_aed_length(const uint8_t *p)
{
	return get_731(p + 20);
}

/* Append @p s (@p n bytes) to out, if it fits. */
static bool put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
	if (n >= cap - *o)
		return false;
	memcpy(out + *o, s, n);
	*o += n;
	out[*o] = '\0';
	return true;
}

int udf_symlink_decode(const uint8_t *p, size_t len, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = '\0';
	char name[2 * 255 + 1];
	for (size_t i = 0; i < len;) {
		if (len - i < 4 || p[i + 1] > len - i - 4)
			return -1;
		uint8_t type = p[i], n = p[i + 1];
		const uint8_t *id = p + i + 4;
		bool ok = true;
		switch (type) {
		case 1: /* a root agreed between writer and reader; with no name: "/" */
		case 2:
			if (type == 1 && n)
				return -1;
			o = 0;
			ok = put(out, cap, &o, "/", 1);
			break;
		case 3:
			ok = put(out, cap, &o, "../", 3);
			break;
		case 4:
			ok = put(out, cap, &o, "./", 2);
			break;
		case 5: {
			int k = udf_cs0_to_utf8(id, n, name);
			if (k <= 0 || memchr(name, '/', (size_t)k))
				return -1;
			ok = put(out, cap, &o, name, (size_t)k) && put(out, cap, &o, "/", 1);
			break;
		}
		default:
			return -1;
		}
		if (!ok)
			return -1;
		i += 4 + (size_t)n;
	}
	/* the trailing '/' of the last component, unless it is the root */
	if (o > 1 && out[o - 1] == '/')
		out[--o] = '\0';
	return (int)o;
}
