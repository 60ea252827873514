/* SPDX-License-Identifier: MIT */
/* Volume descriptors (ECMA-119 8): decoding of the primary, supplementary
 * (Joliet), enhanced (ISO 9660:1999), boot record and terminator. */
#ifndef ISOKIT_ECMA119_VD_H
#define ISOKIT_ECMA119_VD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <isokit/image.h>

#define ISO_BLOCK 2048u
#define ISO_VD_FIRST 16u

/* Field offsets, 0-based; comments give the spec's 1-based byte positions. */
enum vd_offsets {
	VD_TYPE = 0,             /* BP 1 */
	VD_ID = 1,               /* BP 2-6 "CD001" */
	VD_VERSION = 6,          /* BP 7 */
	VD_FLAGS = 7,            /* BP 8 (SVD volume flags) */
	VD_SYSTEM_ID = 8,        /* BP 9-40 */
	VD_VOLUME_ID = 40,       /* BP 41-72 */
	VD_SPACE_SIZE = 80,      /* BP 81-88, 7.3.3 */
	VD_ESCAPES = 88,         /* BP 89-120 (SVD) */
	VD_SET_SIZE = 120,       /* BP 121-124, 7.2.3 */
	VD_SEQ_NUMBER = 124,     /* BP 125-128, 7.2.3 */
	VD_BLOCK_SIZE = 128,     /* BP 129-132, 7.2.3 */
	VD_PT_SIZE = 132,        /* BP 133-140, 7.3.3 */
	VD_PT_L = 140,           /* BP 141-144, 7.3.1 */
	VD_PT_L_OPT = 144,       /* BP 145-148 */
	VD_PT_M = 148,           /* BP 149-152, 7.3.2 */
	VD_PT_M_OPT = 152,       /* BP 153-156 */
	VD_ROOT = 156,           /* BP 157-190, 34 bytes */
	VD_SET_ID = 190,         /* BP 191-318 */
	VD_PUBLISHER = 318,      /* BP 319-446 */
	VD_PREPARER = 446,       /* BP 447-574 */
	VD_APPLICATION = 574,    /* BP 575-702 */
	VD_COPYRIGHT = 702,      /* BP 703-739 */
	VD_ABSTRACT = 739,       /* BP 740-776 */
	VD_BIBLIO = 776,         /* BP 777-813 */
	VD_CREATED = 813,        /* BP 814-830 */
	VD_MODIFIED = 830,       /* BP 831-847 */
	VD_EXPIRES = 847,        /* BP 848-864 */
	VD_EFFECTIVE = 864,      /* BP 865-881 */
	VD_FS_VERSION = 881,     /* BP 882 */
	VD_APP_USE = 883,        /* BP 884-1395 */
	VD_APP_USE_LEN = 512,
	BR_SYSTEM_ID = 7,        /* boot record: BP 8-39 */
	BR_CATALOG = 71,         /* El Torito: catalog LBA, 7.3.1 */
	VD_SIZE = 2048,
};
_Static_assert(VD_APP_USE + VD_APP_USE_LEN <= VD_SIZE, "VD layout");

enum vd_type {
	VD_TYPE_BOOT = 0,
	VD_TYPE_PRIMARY = 1,
	VD_TYPE_SUPPLEMENTARY = 2,
	VD_TYPE_PARTITION = 3,
	VD_TYPE_TERMINATOR = 255,
};

/* What a PVD/SVD/EVD says, decoded to host values. */
struct vd_decoded {
	uint8_t type, version, fs_version;
	uint64_t space_size;
	uint16_t block_size;
	uint32_t pt_size, pt_l, pt_m;
	uint32_t root_lba, root_size;
	uint8_t root_len;
	int joliet_level; /* SVD: 1..3 from escape sequences, else 0 */
	bool both_endian_mismatch;
};

/* True when the block carries the standard identifier "CD001". */
bool vd_is_iso(const uint8_t *blk);

/* Decode the numeric fields of a PVD, SVD or EVD. */
int vd_decode(const uint8_t *blk, struct vd_decoded *out);

/* Fill the text and date fields of @p info from a PVD (or, with @p ucs2,
 * from a Joliet SVD, decoding UCS-2BE). */
void vd_fill_info(const uint8_t *blk, bool ucs2, struct isokit_volume_info *info);

/* Joliet level from the escape sequences (0 when not Joliet). */
int vd_joliet_level(const uint8_t *blk);

/* El Torito boot record: true and *catalog set when @p blk is one. */
bool vd_is_eltorito(const uint8_t *blk, uint32_t *catalog);

/* A text field as the writer has already encoded it (d/a-characters for
 * the PVD, UCS-2BE for Joliet); vd_encode pads it. */
struct vd_text {
	const uint8_t *bytes;
	size_t len;
};

struct vd_fields {
	uint8_t type;     /* VD_TYPE_PRIMARY or VD_TYPE_SUPPLEMENTARY */
	int joliet_level; /* SVD: 1..3 (escape sequence), 0 for the PVD */
	struct vd_text system_id, volume_id, set_id, publisher, preparer,
		application;
	uint32_t space_size, pt_size, pt_l, pt_m;
	uint32_t root_lba, root_size;
	const uint8_t *root_date; /* 7 bytes */
	int64_t created;          /* creation and modification date, UTC */
};

/* Encode a PVD or Joliet SVD into a zeroed 2048-byte block (every reserved
 * byte zero, both-endian halves equal, as strict readers demand). */
void vd_encode(uint8_t *blk, const struct vd_fields *f);
void vd_encode_terminator(uint8_t *blk);
/* El Torito boot record volume descriptor pointing at the catalog. */
void vd_encode_eltorito(uint8_t *blk, uint32_t catalog);

#endif
