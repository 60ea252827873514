/* SPDX-License-Identifier: MIT */
/**
 * @file image.h
 * Reading an ISO 9660 image: open it, look at its volume descriptors, walk
 * its directories lazily in the chosen namespace (Rock Ridge, Joliet or plain
 * ISO 9660), and read file data.
 *
 * Ownership: an isokit_image owns its source. Nodes handed out by
 * isokit_dir_next() and isokit_walk_next() are borrowed until the next call on
 * the same iterator; isokit_node_dup() makes an owned copy, freed with
 * isokit_node_free(). Nothing here prints; errors carry detail readable with
 * isokit_image_errmsg().
 */
#ifndef ISOKIT_IMAGE_H
#define ISOKIT_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "io.h"

#ifdef __cplusplus
extern "C" {
#endif

struct isokit_image;
struct isokit_node;
struct isokit_dir;
struct isokit_file;
struct isokit_walk;

/** Which name tree to read. */
enum isokit_namespace {
	ISOKIT_NS_AUTO = 0,  /**< Rock Ridge, else UDF, else Joliet, else ISO 9660 */
	ISOKIT_NS_ROCKRIDGE, /**< primary tree with Rock Ridge */
	ISOKIT_NS_JOLIET,    /**< the Joliet tree */
	ISOKIT_NS_ISO9660,   /**< primary tree, plain names, no Rock Ridge */
	ISOKIT_NS_ISO9660_1999, /**< the ISO 9660:1999 (enhanced) tree */
	ISOKIT_NS_UDF,       /**< the UDF file set (ECMA-167 / OSTA UDF) */
};

/** Severity of a finding: something odd that reading survived. */
enum isokit_severity {
	ISOKIT_SEV_INFO = 0,
	ISOKIT_SEV_WARNING = 1,
	ISOKIT_SEV_ERROR = 2,
};

/** A finding reported through the open options' callback. */
struct isokit_finding {
	enum isokit_severity severity;
	const char *code;    /**< short stable identifier, e.g. "both-endian" */
	const char *message; /**< English sentence, no trailing newline */
	int64_t sector;      /**< logical block concerned, or -1 */
	const char *path;    /**< path in the image, or NULL */
};

typedef void (*isokit_finding_fn)(void *ctx, const struct isokit_finding *f);

/** Options for isokit_image_open(); zero-initialise, then set what you need. */
struct isokit_open_options {
	enum isokit_namespace ns;
	isokit_finding_fn on_finding; /**< may be NULL */
	void *finding_ctx;
	/** Open an image shorter than its volume size (else ISOKIT_E_TRUNCATED). */
	bool allow_truncated;
};

/** A time stamp; valid is false when the image did not record it. */
struct isokit_time {
	int64_t sec; /**< seconds since 1970-01-01 UTC (may be negative) */
	int32_t nsec;
	bool valid;
};

/** The metadata of a node, as stat(2) would show it. */
struct isokit_stat {
	uint32_t mode;  /**< file type and permission bits (S_IFREG | 0644...) */
	uint32_t nlink;
	uint32_t uid, gid;
	bool has_owner;   /**< uid/gid/mode were recorded (Rock Ridge) */
	uint64_t size;    /**< bytes of content (uncompressed for zisofs) */
	uint64_t ino;     /**< stable identity; hard links share it */
	uint64_t rdev;    /**< device number for block/char devices */
	struct isokit_time mtime, atime, ctime, btime;
	bool hidden;      /**< ISO 9660 existence bit set */
	bool associated;  /**< ISO 9660 associated-file bit set */
	bool zisofs;      /**< content is zisofs-compressed in the image */
	bool relocated;   /**< a Rock Ridge relocated directory (CL) */
	bool unsafe_name; /**< name is empty, ".", "..", or holds '/' or NUL */
	uint32_t extents; /**< number of extents (sections) of the data */
	uint64_t lba;     /**< first block of the data, 0 if none */
};

/** Summary of a volume and the extensions present. */
struct isokit_volume_info {
	char system_id[33], volume_id[33], volume_set_id[129];
	char publisher_id[129], preparer_id[129], application_id[129];
	char copyright_file[38], abstract_file[38], bibliographic_file[38];
	char volume_label[129]; /**< best label: Joliet if present, else PVD */
	struct isokit_time created, modified, expires, effective;
	uint32_t block_size;
	uint64_t volume_blocks;  /**< volume space size in blocks */
	uint64_t image_bytes;    /**< size of the source */
	uint32_t vd_count;
	uint32_t root_lba;
	bool has_joliet;
	int joliet_level;        /**< 1..3, 0 if none */
	bool has_iso1999;
	bool has_rockridge;
	char rockridge_version[8]; /**< "1.09", "1.10", "1.12" or "" */
	char rockridge_er_id[33];  /**< ER identifier, e.g. "RRIP_1991A" */
	uint32_t susp_skip;
	bool has_eltorito;
	uint32_t boot_catalog_lba;
	bool has_zisofs;         /**< set once a zisofs file is met */
	bool has_mbr;            /**< 0x55AA at offset 510 of the system area */
	bool has_gpt;            /**< "EFI PART" at offset 512 */
	bool has_isomd5sum;      /**< implantisomd5 tag in application use */
	char isomd5sum[33];      /**< its MD5 in hex, if present */
	enum isokit_namespace ns; /**< namespace chosen for reading */
	bool has_iso9660;        /**< a primary volume descriptor (false: UDF only) */
	bool has_udf;            /**< a UDF volume was found and opened */
	char udf_revision[8];    /**< the domain's revision: "1.02", "2.01", "2.50", "2.60" */
	char udf_volume_id[256]; /**< the logical volume identifier, UTF-8 */
	char udf_volume_set_id[256]; /**< the primary volume descriptor's volume set */
	char udf_fileset_id[64]; /**< the file set identifier */
	char udf_impl_id[24];    /**< the implementation that recorded it */
	uint32_t udf_block_size;
	uint32_t udf_anchor;     /**< block of the anchor used (256 normally) */
	uint32_t udf_partitions; /**< partition maps */
	uint32_t udf_partition_start, udf_partition_blocks; /**< the first physical partition */
	bool udf_metadata;       /**< a metadata partition (UDF 2.50+) */
	struct isokit_time udf_recorded; /**< the file set's recording time */
};

/** One El Torito boot entry. */
struct isokit_boot_entry {
	uint32_t section;    /**< 0 = initial/default entry */
	uint8_t platform;    /**< 0 x86, 1 PowerPC, 2 Mac, 0xEF EFI */
	bool bootable;
	uint8_t media;       /**< 0 no emulation, 1..3 floppy, 4 hard disk */
	uint16_t load_segment;
	uint8_t system_type;
	uint16_t sector_count; /**< in 512-byte virtual sectors */
	uint32_t load_rba;     /**< image location in 2048-byte blocks */
	char id[29];           /**< section/validation id, printable */
};

/** One MBR partition entry of the system area. */
struct isokit_partition {
	uint32_t index;    /**< 1..4 */
	bool bootable;     /**< status byte 0x80 */
	uint8_t type;      /**< partition type, e.g. 0xEF EFI, 0xEE GPT */
	uint32_t start;    /**< first 512-byte sector */
	uint32_t sectors;  /**< length in 512-byte sectors */
};

/** What the image tells of one El Torito entry's boot image. */
struct isokit_boot_image_info {
	uint64_t bytes;        /**< its size, as well as it is known (see size_from) */
	/** where the size comes from: "file" (a file in the tree starts at
	 *  its block), "partition" (an MBR or GPT partition covers it),
	 *  "floppy", "disk" (the MBR inside a hard-disk image), "fat" (the
	 *  FAT boot sector of an EFI image), or "load size" (the catalog's
	 *  sector count: all a BIOS reads, perhaps not the whole image) */
	const char *size_from;
	char path[1024];       /**< that file's path, or "" when no file starts there */
	bool info_table;       /**< bytes 8-23 hold a boot-info-table that fits the image */
	bool grub2_info;       /**< bytes 2548-2555 hold GRUB 2's boot info for its block */
};

/**
 * Details of the @p n boot entries @p e (from isokit_image_boot_entries())
 * into @p out, and the catalog's path in the tree into @p catalog_path
 * ("" when it has none). Walks the tree once.
 */
ISOKIT_API int isokit_image_boot_images(struct isokit_image *img,
					const struct isokit_boot_entry *e, size_t n,
					struct isokit_boot_image_info *out,
					char *catalog_path, size_t cap);

/** The GUID partition table of the system area. */
struct isokit_gpt {
	bool present;          /**< "EFI PART" at sector 1 */
	bool header_ok, entries_ok; /**< the primary header's and array's CRCs */
	bool backup_ok;        /**< a backup header with good CRCs at the header's alternate sector */
	uint8_t disk_guid[16]; /**< as stored (first three fields little-endian) */
	uint64_t first_usable, last_usable, backup_lba;
	uint32_t entries;      /**< slots in the array */
};

/** One used GPT entry. */
struct isokit_gpt_partition {
	uint32_t index;        /**< 1-based slot */
	uint8_t type[16], guid[16]; /**< as stored */
	const char *type_name; /**< "EFI system", "basic data", "HFS+", ... or "unknown" */
	uint64_t first, last;  /**< 512-byte sectors, inclusive */
	uint64_t attributes;
	char name[109];        /**< UTF-8 */
};

/**
 * The GPT of the system area: fills @p gpt and up to @p cap used entries
 * (*count: how many there are). An image without one gives present =
 * false and 0. Damage is reported in the flags, not as an error.
 */
ISOKIT_API int isokit_image_gpt(struct isokit_image *img, struct isokit_gpt *gpt,
				struct isokit_gpt_partition *out, size_t cap, size_t *count);

/** A libisofs (xorriso) MD5 checksum tag found in the image. */
struct isokit_md5_tag {
	char kind[24];        /**< "superblock", "tree", "session" */
	uint32_t pos;         /**< block holding the tag */
	uint32_t range_start; /**< first block covered */
	uint32_t range_size;  /**< blocks covered */
	char md5[33];         /**< recorded MD5 of the range, hex */
};

/** Open @p path read-only. @p opts may be NULL. */
ISOKIT_API int isokit_image_open(const char *path,
				 const struct isokit_open_options *opts,
				 struct isokit_image **out);

/**
 * Open an image from a source. Takes ownership of @p src even on failure.
 * On failure *out is set to NULL.
 */
ISOKIT_API int isokit_image_open_source(struct isokit_source *src,
					const struct isokit_open_options *opts,
					struct isokit_image **out);

/**
 * Like isokit_image_open() but on failure still returns a handle in *out
 * (when not NULL) so that isokit_image_errmsg() can explain the failure.
 * The caller closes it.
 */
ISOKIT_API int isokit_image_open_ex(const char *path,
				    const struct isokit_open_options *opts,
				    struct isokit_image **out);

/** Close the image and its source. Accepts NULL. */
ISOKIT_API void isokit_image_close(struct isokit_image *img);

/** A sentence describing the last error (with sector and path), or "". */
ISOKIT_API const char *isokit_image_errmsg(const struct isokit_image *img);

/** Volume summary; borrowed, valid while the image is open. */
ISOKIT_API const struct isokit_volume_info *
isokit_image_info(const struct isokit_image *img);

/** The image's source; borrowed. */
ISOKIT_API struct isokit_source *isokit_image_source(struct isokit_image *img);

/**
 * El Torito boot entries. Fills up to @p cap entries of @p out and sets
 * *count to the number present. @return 0, or an error if the catalog is
 * damaged (the entries read before the damage are still returned).
 */
ISOKIT_API int isokit_image_boot_entries(struct isokit_image *img,
					 struct isokit_boot_entry *out,
					 size_t cap, size_t *count);

/**
 * MBR partitions in the system area: entries with a type or a size (a
 * type-0 entry with a size counts: xorriso writes one beside an EFI
 * partition). Fills up to @p cap and sets *count to the number present
 * (0 without an MBR).
 */
ISOKIT_API int isokit_image_partitions(struct isokit_image *img,
				       struct isokit_partition *out, size_t cap,
				       size_t *count);

/**
 * xorriso's MD5 checksum tags (superblock, tree, session), found by
 * looking after the volume descriptors and following the tags' chain. Fills
 * up to @p cap; *count is the number found (0 when there are none). The
 * tags are reported, not checked.
 */
ISOKIT_API int isokit_image_md5_tags(struct isokit_image *img,
				     struct isokit_md5_tag *out, size_t cap,
				     size_t *count);

/** The root directory of the chosen namespace; borrowed from the image. */
ISOKIT_API const struct isokit_node *
isokit_image_root(const struct isokit_image *img);

/**
 * Find @p path ("/a/b" or "a/b"; "/" is the root) in the chosen namespace,
 * reading only the directories on the way. The result is owned: free it with
 * isokit_node_free().
 */
ISOKIT_API int isokit_image_lookup(struct isokit_image *img, const char *path,
				   struct isokit_node **out);

/* ---- nodes ---- */

/** The node's name in UTF-8 ("" for the root). Borrowed. */
ISOKIT_API const char *isokit_node_name(const struct isokit_node *node);
/** The node's metadata. Borrowed. */
ISOKIT_API const struct isokit_stat *
isokit_node_stat(const struct isokit_node *node);
/** A symbolic link's target, or NULL for other node types. Borrowed. */
ISOKIT_API const char *isokit_node_link_target(const struct isokit_node *node);
ISOKIT_API bool isokit_node_is_dir(const struct isokit_node *node);
/** An owned copy of @p node. */
ISOKIT_API int isokit_node_dup(const struct isokit_node *node,
			       struct isokit_node **out);
ISOKIT_API void isokit_node_free(struct isokit_node *node);

/* ---- directories ---- */

/** Start reading the directory @p dir. */
ISOKIT_API int isokit_dir_open(struct isokit_image *img,
			       const struct isokit_node *dir,
			       struct isokit_dir **out);
/**
 * The next entry ('.' and '..' are skipped), borrowed until the next call.
 * @return 1 with *node set, 0 at the end, or a negative error.
 */
ISOKIT_API int isokit_dir_next(struct isokit_dir *dir,
			       const struct isokit_node **node);
ISOKIT_API void isokit_dir_close(struct isokit_dir *dir);

/* ---- file data ---- */

ISOKIT_API int isokit_file_open(struct isokit_image *img,
				const struct isokit_node *node,
				struct isokit_file **out);
/**
 * Read up to @p len bytes at @p offset. @return bytes read (0 at the end of
 * the file) or a negative error.
 */
ISOKIT_API int64_t isokit_file_pread(struct isokit_file *f, void *buf,
				     size_t len, uint64_t offset);
/**
 * Location of the plain (uncompressed) data behind the file: for each
 * contiguous run, its byte offset in the image and its length. @return the
 * number of runs (up to @p cap are stored), or ISOKIT_E_UNSUPPORTED when the
 * data is not stored plainly (zisofs).
 */
ISOKIT_API int64_t isokit_file_runs(const struct isokit_file *f,
				    uint64_t *offsets, uint64_t *lengths,
				    size_t cap);
ISOKIT_API void isokit_file_close(struct isokit_file *f);

/* ---- recursive walk ---- */

enum isokit_walk_event {
	ISOKIT_WALK_ENTRY = 1,     /**< a node inside the current directory */
	ISOKIT_WALK_DIR_ENTER = 2, /**< about to list a directory's entries */
	ISOKIT_WALK_DIR_LEAVE = 3, /**< done with a directory and its subtree */
};

/** Walk options; zero-initialise. */
struct isokit_walk_options {
	bool sorted;     /**< entries in byte order of names (like LC_ALL=C ls) */
	uint32_t max_depth; /**< 0 = default cap (1024) */
	/** Path of the start directory in the image ("/sub"), used only in
	 * error messages; NULL means the root. Borrowed for the walk's life. */
	const char *start_path;
};

/**
 * Depth-first walk below @p start (a directory). Each directory is announced
 * with DIR_ENTER, then all its entries (ENTRY), then the walk descends into
 * its subdirectories in order, then DIR_LEAVE. Loops and directories reached
 * twice are reported as ISOKIT_E_LOOP. Memory grows with the width of the
 * directories on the current path, not with the size of the tree.
 */
ISOKIT_API int isokit_walk_new(struct isokit_image *img,
			       const struct isokit_node *start,
			       const struct isokit_walk_options *opts,
			       struct isokit_walk **out);
/**
 * Next event. *node and *path (relative to the start, "" for the start
 * itself, no leading slash) are borrowed until the next call.
 * @return 1 with an event, 0 at the end, or a negative error. After an
 * error (a damaged directory, a loop) the walk leaves out the directory that
 * failed; calling isokit_walk_next() again goes on with the rest.
 */
ISOKIT_API int isokit_walk_next(struct isokit_walk *w,
				enum isokit_walk_event *event,
				const struct isokit_node **node,
				const char **path);
ISOKIT_API void isokit_walk_free(struct isokit_walk *w);

#ifdef __cplusplus
}
#endif
#endif
