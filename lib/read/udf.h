/* SPDX-License-Identifier: MIT */
/*
 * The UDF side of the reader (lib/read/udf*.c): the volume found through
 * the recognition sequence, anchor and descriptor sequences, its
 * partitions (physical, sparable read as physical, metadata), and the
 * directories and file entries read through them.
 */
#ifndef ISOKIT_READ_UDF_H
#define ISOKIT_READ_UDF_H

#include "read/internal.h"
#include "udf/udf.h"

/* Safety caps of the UDF reader. */
#define UDF_MAX_VDS_BLOCKS 256u   /* blocks of one descriptor sequence, pointers included */
#define UDF_MAX_VDP_HOPS 16u      /* volume descriptor pointers followed */
#define UDF_MAX_INDIRECT 16u      /* indirect entries followed to a file entry */
#define UDF_MAX_SYMLINK 65536u    /* bytes of a symlink's path components */

/* A run of the metadata file: metadata blocks [first, first+count) are
 * the image's bytes from @p off on. */
struct udf_run {
	uint32_t first, count;
	uint64_t off;
};

/* A partition reference number (an index into the partition maps). */
struct udf_part {
	enum udf_map_kind kind;
	uint16_t number;        /* its partition descriptor's number */
	uint32_t start, length; /* the physical partition under it, absolute blocks */
	uint32_t n_runs;        /* metadata */
	struct udf_run *runs;
};

struct udf_volume {
	uint32_t bs;            /* logical block size */
	uint32_t anchor;        /* the block whose anchor was used */
	uint32_t n_parts;
	struct udf_part parts[UDF_MAX_MAPS];
	struct udf_ad root;     /* the root directory's ICB */
};

/* Look for UDF in the image (recognition sequence, then anchors and the
 * volume descriptors, partitions and file set). Returns 0 with img->udf
 * set, 0 with img->udf NULL when there is no UDF, or an error when UDF
 * is announced but damaged. */
int udf_mount(struct isokit_image *img);
void udf_unmount(struct udf_volume *v);

/* The byte offset in the image of block @p block of partition @p part,
 * and in *contig how many blocks from there on follow it in the image
 * (inside the partition or the run of the metadata file); an error naming
 * @p path when the block is outside the partition. */
int udf_block_offset(struct isokit_image *img, uint16_t part, uint32_t block, uint64_t *off,
		     uint64_t *contig, const char *path);

/* Read the descriptor at (part, block) into @p buf (one block) and check
 * its tag: @p want (for UDF_TAG_FE also an extended or indirect entry),
 * CRC, location. */
int udf_read_tagged(struct isokit_image *img, uint16_t part, uint32_t block,
		    uint16_t want, uint8_t *buf, uint64_t *off, const char *path);

/* The extents of one file, grown as descriptors are read. */
struct udf_extents {
	struct extent *ext;
	uint32_t n, cap;
};

/* The extents of the file whose entry @p fe is in @p fe_buf, at byte
 * @p fe_off of the image, in partition @p part: its allocation descriptors
 * followed through allocation extents, or its data inside the entry. */
int udf_file_extents(struct isokit_image *img, const uint8_t *fe_buf, uint64_t fe_off,
		     const struct udf_fe *fe, uint16_t part, struct udf_extents *l,
		     const char *path);

/* Build the root node from the file set's root ICB. */
int udf_root_init(struct isokit_image *img);

/* Directory iteration in the UDF tree (lib/read/udfdir.c). */
struct udf_dir;
int udf_dir_open(struct isokit_image *img, const struct isokit_node *dir,
		 const char *path, struct udf_dir **out);
int udf_dir_next(struct udf_dir *d, const struct isokit_node **out);
void udf_dir_close(struct udf_dir *d);

#endif
