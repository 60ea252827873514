// SPDX-License-Identifier: MIT
/* Decoding of volume descriptors (ECMA-119 8.1-8.5, Joliet escape
 * sequences, El Torito boot record). Pure: bytes in, host values out. */
#include "ecma119/vd.h"

#include <string.h>

#include <isokit/error.h>

#include "base/bytes.h"
#include "base/charset.h"
#include "base/isotime.h"
#include "ecma119/dirrec.h"

bool vd_is_iso(const uint8_t *blk)
{
	return memcmp(blk + VD_ID, "CD001", 5) == 0;
}

int vd_joliet_level(const uint8_t *blk)
{
	/* The spec prints a backslash, but the bytes are '%' '/' then
	 * '@', 'C' or 'E' for UCS-2 levels 1, 2 and 3. Like Linux and
	 * libarchive we look at these three bytes only. */
	const uint8_t *e = blk + VD_ESCAPES;
	if (e[0] != 0x25 || e[1] != 0x2F)
		return 0;
	switch (e[2]) {
	case 0x40:
		return 1;
	case 0x43:
		return 2;
	case 0x45:
		return 3;
	default:
		return 0;
	}
}

int vd_decode(const uint8_t *blk, struct vd_decoded *out)
{
	bool mm = false;
	memset(out, 0, sizeof(*out));
	out->type = blk[VD_TYPE];
	out->version = blk[VD_VERSION];
	out->fs_version = blk[VD_FS_VERSION];
	out->space_size = get_733(blk + VD_SPACE_SIZE, &mm);
	out->block_size = get_723(blk + VD_BLOCK_SIZE, &mm);
	out->pt_size = get_733(blk + VD_PT_SIZE, &mm);
	out->pt_l = get_731(blk + VD_PT_L);
	out->pt_m = get_732(blk + VD_PT_M);
	(void)get_723(blk + VD_SET_SIZE, &mm);
	(void)get_723(blk + VD_SEQ_NUMBER, &mm);
	if (out->type == VD_TYPE_SUPPLEMENTARY)
		out->joliet_level = vd_joliet_level(blk);

	struct dirrec root;
	const uint8_t *r = blk + VD_ROOT;
	/* The root record is nominally 34 bytes; libarchive accepts up to
	 * 68 and so do we, but it must lie inside the descriptor. */
	out->root_len = r[0];
	if (r[0] < 34 || r[0] > 68)
		return ISOKIT_E_CORRUPT;
	if (dirrec_decode(r, (size_t)r[0], &root) != 0)
		return ISOKIT_E_CORRUPT;
	out->root_lba = root.extent;
	out->root_size = root.size;
	out->both_endian_mismatch = mm || root.mismatch;
	return 0;
}

static void text_field(const uint8_t *blk, size_t off, size_t len, bool ucs2,
		       char *out)
{
	if (!ucs2) {
		field_trim(blk + off, len, out);
		return;
	}
	/* Joliet text fields are UCS-2BE padded with 0x00 0x20. */
	size_t n = len & ~(size_t)1;
	while (n >= 2 && ((blk[off + n - 2] == 0 && blk[off + n - 1] == ' ') ||
			  (blk[off + n - 2] == 0 && blk[off + n - 1] == 0)))
		n -= 2;
	/* out has len + 1 bytes, the UTF-8 may need up to 3 per unit:
	 * convert into a scratch buffer and cut at a character boundary. */
	char tmp[3 * 64 + 1];
	if (n > 128)
		n = 128;
	size_t w = ucs2be_to_utf8(blk + off, n, tmp);
	utf8_copy_cut(out, len + 1, tmp, w);
}

void vd_fill_info(const uint8_t *blk, bool ucs2, struct isokit_volume_info *info)
{
	text_field(blk, VD_SYSTEM_ID, 32, ucs2, info->system_id);
	text_field(blk, VD_VOLUME_ID, 32, ucs2, info->volume_id);
	text_field(blk, VD_SET_ID, 128, ucs2, info->volume_set_id);
	text_field(blk, VD_PUBLISHER, 128, ucs2, info->publisher_id);
	text_field(blk, VD_PREPARER, 128, ucs2, info->preparer_id);
	text_field(blk, VD_APPLICATION, 128, ucs2, info->application_id);
	text_field(blk, VD_COPYRIGHT, 37, ucs2, info->copyright_file);
	text_field(blk, VD_ABSTRACT, 37, ucs2, info->abstract_file);
	text_field(blk, VD_BIBLIO, 37, ucs2, info->bibliographic_file);
	info->created = isotime_decode17(blk + VD_CREATED);
	info->modified = isotime_decode17(blk + VD_MODIFIED);
	info->expires = isotime_decode17(blk + VD_EXPIRES);
	info->effective = isotime_decode17(blk + VD_EFFECTIVE);
}

bool vd_is_eltorito(const uint8_t *blk, uint32_t *catalog)
{
	static const char id[] = "EL TORITO SPECIFICATION";
	if (blk[VD_TYPE] != VD_TYPE_BOOT || !vd_is_iso(blk))
		return false;
	if (memcmp(blk + BR_SYSTEM_ID, id, sizeof(id) - 1) != 0)
		return false;
	*catalog = get_731(blk + BR_CATALOG);
	return true;
}

/* Text fields are padded with spaces: one byte each in the PVD, UCS-2BE
 * U+0020 in a Joliet SVD. */
static void put_text(uint8_t *blk, size_t off, size_t width,
		     const struct vd_text *t, bool ucs2)
{
	size_t n = t->len < width ? t->len : width;
	if (ucs2)
		n &= ~(size_t)1;
	if (n)
		memcpy(blk + off, t->bytes, n);
	for (size_t i = n; i < width; i++)
		blk[off + i] = (ucs2 && ((i - n) % 2 == 0)) ? 0x00 : 0x20;
}

void vd_encode(uint8_t *blk, const struct vd_fields *f)
{
	bool ucs2 = f->joliet_level > 0;
	memset(blk, 0, VD_SIZE);
	blk[VD_TYPE] = f->type;
	memcpy(blk + VD_ID, "CD001", 5);
	blk[VD_VERSION] = 1;
	put_text(blk, VD_SYSTEM_ID, 32, &f->system_id, ucs2);
	put_text(blk, VD_VOLUME_ID, 32, &f->volume_id, ucs2);
	put_733(blk + VD_SPACE_SIZE, f->space_size);
	if (ucs2) {
		static const uint8_t esc[3] = {0x40, 0x43, 0x45};
		blk[VD_ESCAPES] = 0x25;
		blk[VD_ESCAPES + 1] = 0x2F;
		blk[VD_ESCAPES + 2] = esc[f->joliet_level - 1];
	}
	put_723(blk + VD_SET_SIZE, 1);
	put_723(blk + VD_SEQ_NUMBER, 1);
	put_723(blk + VD_BLOCK_SIZE, ISO_BLOCK);
	put_733(blk + VD_PT_SIZE, f->pt_size);
	put_731(blk + VD_PT_L, f->pt_l);
	put_732(blk + VD_PT_M, f->pt_m);
	static const uint8_t root_name = 0;
	struct dirrec_fields root = {
		.extent = f->root_lba, .size = f->root_size, .date = f->root_date,
		.flags = DR_FLAG_DIR, .name = &root_name, .name_len = 1,
	};
	dirrec_encode(blk + VD_ROOT, &root);
	put_text(blk, VD_SET_ID, 128, &f->set_id, ucs2);
	put_text(blk, VD_PUBLISHER, 128, &f->publisher, ucs2);
	put_text(blk, VD_PREPARER, 128, &f->preparer, ucs2);
	put_text(blk, VD_APPLICATION, 128, &f->application, ucs2);
	static const struct vd_text none = {NULL, 0};
	put_text(blk, VD_COPYRIGHT, 37, &none, ucs2);
	put_text(blk, VD_ABSTRACT, 37, &none, ucs2);
	put_text(blk, VD_BIBLIO, 37, &none, ucs2);
	isotime_encode17(f->created, 0, blk + VD_CREATED);
	isotime_encode17(f->created, 0, blk + VD_MODIFIED);
	isotime_unspecified17(blk + VD_EXPIRES);
	isotime_unspecified17(blk + VD_EFFECTIVE);
	blk[VD_FS_VERSION] = 1;
}

void vd_encode_terminator(uint8_t *blk)
{
	memset(blk, 0, VD_SIZE);
	blk[VD_TYPE] = VD_TYPE_TERMINATOR;
	memcpy(blk + VD_ID, "CD001", 5);
	blk[VD_VERSION] = 1;
}

void vd_encode_eltorito(uint8_t *blk, uint32_t catalog)
{
	static const char id[] = "EL TORITO SPECIFICATION";
	memset(blk, 0, VD_SIZE);
	blk[VD_TYPE] = VD_TYPE_BOOT;
	memcpy(blk + VD_ID, "CD001", 5);
	blk[VD_VERSION] = 1;
	/* the boot system identifier is padded with zeros, not spaces */
	memcpy(blk + BR_SYSTEM_ID, id, sizeof(id) - 1);
	put_731(blk + BR_CATALOG, catalog);
}
