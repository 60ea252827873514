/* SPDX-License-Identifier: MIT */
/*
 * UDF (ECMA-167 3rd edition, OSTA UDF 1.02-2.60) on-disk structures:
 * descriptor tags, the volume descriptors, partition maps, the file set
 * descriptor, file entries, file identifiers and allocation descriptors,
 * decoded into host structs. Pure decoding: no I/O. Section numbers are
 * ECMA-167's (part/section); offsets are 0-based.
 */
#ifndef ISOKIT_UDF_UDF_H
#define ISOKIT_UDF_UDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <isokit/image.h>

/* Tag identifiers (3/7.2.1, 4/7.2.1). */
enum udf_tag_id {
	UDF_TAG_PVD = 1,
	UDF_TAG_AVDP = 2,
	UDF_TAG_VDP = 3,
	UDF_TAG_IUVD = 4,
	UDF_TAG_PD = 5,
	UDF_TAG_LVD = 6,
	UDF_TAG_USD = 7,
	UDF_TAG_TD = 8,
	UDF_TAG_LVID = 9,
	UDF_TAG_FSD = 256,
	UDF_TAG_FID = 257,
	UDF_TAG_AED = 258,
	UDF_TAG_IE = 259,
	UDF_TAG_TE = 260,
	UDF_TAG_FE = 261,
	UDF_TAG_EAHD = 262,
	UDF_TAG_USE = 263,
	UDF_TAG_SBD = 264,
	UDF_TAG_PIE = 265,
	UDF_TAG_EFE = 266,
};

#define UDF_TAG_SIZE 16u

/* Why a tag was refused. */
enum udf_tag_err {
	UDF_TAG_OK = 0,
	UDF_TAG_SHORT = -1,    /* fewer than 16 bytes, or the CRC runs past them */
	UDF_TAG_CHECKSUM = -2, /* byte 4 is not the sum of the others */
	UDF_TAG_CRC = -3,      /* the body's CRC differs */
	UDF_TAG_VERSION = -4,  /* descriptor version other than 2 or 3 */
};

struct udf_tag {
	uint16_t ident;
	uint16_t version;
	uint16_t serial;
	uint16_t crc, crc_len;
	uint32_t location; /* where the descriptor says it is */
};

/* CRC-ITU-T (x^16 + x^12 + x^5 + 1, initial 0) of 3/7.2.6. */
uint16_t udf_crc16(const uint8_t *p, size_t len);

/*
 * Decode and check the tag at @p p (@p avail bytes there): checksum,
 * version, and the CRC over the crc_len bytes that follow the tag.
 * Returns UDF_TAG_OK or an enum udf_tag_err; *t is filled in either case
 * when at least 16 bytes are there.
 */
int udf_tag_decode(const uint8_t *p, size_t avail, struct udf_tag *t);

/* A sentence for an enum udf_tag_err. */
const char *udf_tag_strerror(int err);

/* ---- addresses and extents ---- */

/* extent_ad (3/7.1): bytes at an absolute block. */
struct udf_extent_ad {
	uint32_t length, location;
};

/* Extent types, the top two bits of an allocation descriptor's length
 * (4/14.14.1.1). */
enum udf_ext_type {
	UDF_EXT_RECORDED = 0,
	UDF_EXT_ALLOCATED = 1,   /* allocated, not recorded: reads as zeros */
	UDF_EXT_UNALLOCATED = 2, /* a hole: zeros */
	UDF_EXT_NEXT = 3,        /* the next allocation descriptors are there */
};

/* Any of short_ad, long_ad and ext_ad (4/14.14), as a long_ad. */
struct udf_ad {
	uint32_t length; /* bytes (30 bits) */
	uint8_t type;    /* enum udf_ext_type */
	uint32_t block;  /* logical block in the partition */
	uint16_t part;   /* partition reference number */
};

/* Allocation descriptor forms, the low three bits of the ICB flags. */
enum udf_ad_form {
	UDF_AD_SHORT = 0,
	UDF_AD_LONG = 1,
	UDF_AD_EXT = 2,
	UDF_AD_IN_ICB = 3,
};

/* Size of one descriptor of @p form (0 for UDF_AD_IN_ICB and unknown). */
size_t udf_ad_size(unsigned form);

/* Decode one descriptor; a short_ad takes @p part as its partition. An
 * ext_ad (which UDF does not use) is read by its extent length. */
void udf_ad_decode(const uint8_t *p, unsigned form, uint16_t part, struct udf_ad *ad);

/* long_ad on its own (FSD, FID, LVD contents use). */
void udf_long_ad_decode(const uint8_t *p, struct udf_ad *ad);

/* ---- characters and times ---- */

/*
 * OSTA Compressed Unicode (UDF 2.1.1) to UTF-8: the first byte says 8 (one
 * byte per character, U+0000-U+00FF) or 16 (UTF-16BE; surrogate pairs
 * decoded); 254 and 255 are read as 8 and 16. @p out must hold 2 * len + 1
 * bytes. Returns the bytes written without the NUL appended, or -1 for an
 * unknown compression id.
 */
int udf_cs0_to_utf8(const uint8_t *p, size_t len, char *out);

/* A dstring field of @p field bytes (its last byte is the length used) to
 * UTF-8; an unusable one gives "". @p out holds 2 * field bytes. */
void udf_dstring(const uint8_t *p, size_t field, char *out);

/* timestamp (1/7.3): 12 bytes. A zero year or a field out of range gives
 * valid = false. */
struct isokit_time udf_time_decode(const uint8_t *p);

/* An entity identifier's (1/7.4) identifier, NULs dropped. out: 24 bytes. */
void udf_regid_ident(const uint8_t *p, char *out);

/* ---- volume structures ---- */

enum {
	UDF_VRS_FIRST = 32768u, /* the volume recognition sequence starts here */
	UDF_ANCHOR_BLOCK = 256u,
	UDF_MAX_MAPS = 8u,
};

/* AVDP (3/10.2). */
struct udf_avdp {
	struct udf_extent_ad main, reserve;
};
void udf_avdp_decode(const uint8_t *p, struct udf_avdp *a);

/* Primary volume descriptor (3/10.1), what is shown of it. */
struct udf_pvd {
	uint32_t vdsn;
	char volume_id[64];
	char volume_set_id[256];
	struct isokit_time recorded;
	char impl_id[24];
};
void udf_pvd_decode(const uint8_t *p, struct udf_pvd *v);

/* Partition descriptor (3/10.5), what reading needs. */
struct udf_pd {
	uint32_t vdsn;
	uint16_t number;
	uint32_t start, length; /* absolute blocks */
};
void udf_pd_decode(const uint8_t *p, struct udf_pd *d);

enum udf_map_kind {
	UDF_MAP_PHYSICAL, /* type 1 */
	UDF_MAP_VIRTUAL,  /* "*UDF Virtual Partition" (VAT, write-once media) */
	UDF_MAP_SPARABLE, /* "*UDF Sparable Partition" */
	UDF_MAP_METADATA, /* "*UDF Metadata Partition" (UDF 2.50+) */
	UDF_MAP_UNKNOWN,
};

/* Partition map (3/10.7, UDF 2.2.8-2.2.10). Sparable partitions are read
 * without their sparing tables (images hold no remapped packets). */
struct udf_map {
	enum udf_map_kind kind;
	uint16_t part_num;
	/* metadata: blocks of the metadata file and its mirror, in the
	 * physical partition */
	uint32_t meta_file, meta_mirror;
};

/* Logical volume descriptor (3/10.6). */
struct udf_lvd {
	uint32_t vdsn;
	char volume_id[256];
	uint32_t block_size;
	uint16_t udf_revision; /* 0x0102, 0x0150, 0x0201, 0x0250, 0x0260 */
	struct udf_ad fsd;     /* where the file set descriptor is */
	uint32_t n_maps;       /* maps decoded, at most UDF_MAX_MAPS */
	struct udf_map maps[UDF_MAX_MAPS];
};

/* Decode an LVD of @p len bytes; returns -1 when its map table runs past
 * them or holds more than UDF_MAX_MAPS maps. */
int udf_lvd_decode(const uint8_t *p, size_t len, struct udf_lvd *l);

/* File set descriptor (4/14.1), what reading needs. */
struct udf_fsd {
	struct isokit_time recorded;
	char fileset_id[64];
	struct udf_ad root;
	uint16_t udf_revision;
};
void udf_fsd_decode(const uint8_t *p, struct udf_fsd *f);

/* ---- files ---- */

/* File types (4/14.6.6). */
enum udf_file_type {
	UDF_FT_INDIRECT = 3,
	UDF_FT_DIR = 4,
	UDF_FT_FILE = 5,
	UDF_FT_BLOCK = 6,
	UDF_FT_CHAR = 7,
	UDF_FT_FIFO = 9,
	UDF_FT_SOCKET = 10,
	UDF_FT_TERMINAL = 11,
	UDF_FT_SYMLINK = 12,
	UDF_FT_STREAMDIR = 13,
	UDF_FT_META_FILE = 250,
	UDF_FT_META_MIRROR = 251,
	UDF_FT_META_BITMAP = 252,
};

/* ICB flags (4/14.6.8) beyond the allocation form. */
enum {
	UDF_ICB_SETUID = 0x40,
	UDF_ICB_SETGID = 0x80,
	UDF_ICB_STICKY = 0x100,
};

/* File entry (4/14.9) or extended file entry (4/14.17). */
struct udf_fe {
	uint8_t file_type;
	uint16_t icb_flags;
	uint32_t uid, gid, permissions;
	uint16_t link_count;
	uint64_t info_length;
	struct isokit_time atime, mtime, attr_time, created; /* created: EFE only */
	uint32_t ea_len, ad_len;
	size_t ad_offset; /* where the allocation descriptors (or the data) start */
};

/* Decode the FE or EFE in @p p (@p len bytes: one block); returns -1 when
 * its extended attributes and descriptors do not fit in them. */
int udf_fe_decode(const uint8_t *p, size_t len, struct udf_fe *fe);

/* POSIX mode bits of ECMA-167 permissions (4/14.9.5) and ICB flags. */
uint32_t udf_mode_bits(uint32_t permissions, uint16_t icb_flags);

/* File identifier descriptor characteristics (4/14.4.3). */
enum {
	UDF_FID_HIDDEN = 1,
	UDF_FID_DIR = 2,
	UDF_FID_DELETED = 4,
	UDF_FID_PARENT = 8,
};

/* File identifier descriptor (4/14.4). */
struct udf_fid {
	uint8_t characteristics;
	struct udf_ad icb;
	const uint8_t *name; /* OSTA compressed Unicode, name_len bytes */
	uint8_t name_len;
	size_t size; /* the whole descriptor, padded to 4 bytes */
};

/* The size of the FID at @p p (38 bytes at least there), padded to 4. */
size_t udf_fid_size(const uint8_t *p);

/* Decode the FID at @p p, @p avail bytes there (tag already checked);
 * returns -1 when it runs past them. */
int udf_fid_decode(const uint8_t *p, size_t avail, struct udf_fid *f);

/* Allocation extent descriptor (4/14.5): where its descriptors start
 * (24) and how many bytes they take. */
#define UDF_AED_HEADER 24u
uint32_t udf_aed_length(const uint8_t *p);

/* Symlink path components (4/14.16) to a POSIX path; @p out holds
 * 2 * len + 2 bytes. Returns the bytes written, or -1 when damaged. */
int udf_symlink_decode(const uint8_t *p, size_t len, char *out, size_t cap);

/* ---- encoding (encode.c), for the writer ---- */

/* Fill the tag at @p p: the CRC covers the @p body_len bytes after it. */
void udf_tag_encode(uint8_t *p, uint16_t ident, uint16_t version, uint32_t location,
		    size_t body_len);

/* An entity identifier (1/7.4): flags 0, @p ident (at most 23 bytes), and
 * the 8-byte suffix (NULL: zeros). */
void udf_regid_encode(uint8_t *p, const char *ident, const uint8_t suffix[8]);

/* The charspec of CS0, "OSTA Compressed Unicode" (64 bytes). */
void udf_charspec_encode(uint8_t *p);

/* A timestamp (1/7.3) of UTC seconds, clamped to years 1..9999. */
void udf_time_encode(uint8_t *p, int64_t sec);

/* UTF-8 to UTF-16 units, at most @p max, never splitting a character;
 * *wide: some unit is above 0xFF (the 16-bit form is needed). */
size_t udf_cs0_units(const char *utf8, size_t len, uint16_t *units, size_t max, bool *wide);

/* Units as OSTA compressed Unicode: the compression id (8 or 16), then one
 * or two bytes (big-endian) per unit. Returns the bytes written. */
size_t udf_cs0_pack(const uint16_t *units, size_t n, bool wide, uint8_t *out);

/* UTF-8 as OSTA compressed Unicode in at most @p max bytes (the 8-bit
 * form when every character allows it); whole characters only. */
size_t udf_cs0_encode(const char *utf8, size_t len, uint8_t *out, size_t max);

/* A dstring field of @p field bytes (cut to fit; NULL or "" gives zeros). */
void udf_dstring_encode(uint8_t *p, size_t field, const char *utf8);

/* short_ad (4/14.14.1) and long_ad (4/14.14.2; its implementation use
 * carries the UDF unique ID of the entry it points to). */
void udf_short_ad_encode(uint8_t *p, uint32_t length, uint8_t type, uint32_t block);
void udf_long_ad_encode(uint8_t *p, uint32_t length, uint8_t type, uint32_t block,
			uint16_t part, uint32_t unique_id);

/* A POSIX symlink target as path components (4/14.16.1); bytes written, or
 * -1 when they do not fit @p cap or a name is longer than a component holds. */
int udf_symlink_encode(const char *target, size_t len, uint8_t *out, size_t cap);

#endif
