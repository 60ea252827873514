/* SPDX-License-Identifier: MIT */
/**
 * @file writer.h
 * Making an ISO 9660 image from files and folders: ISO 9660 (levels 1-3,
 * multi-extent files of any size) with Rock Ridge 1.12 and Joliet.
 *
 * Use: isokit_writer_new(), then isokit_writer_add() once per source (the
 * folders are scanned at that moment and only their metadata is kept, about
 * a hundred bytes per entry), then isokit_writer_write_fd() once. The
 * output is written strictly in order, without seeking, so a pipe works.
 * File data is read while writing; a file that cannot be read, or whose
 * size changed since it was scanned, stops the run with an error naming it.
 *
 * Nothing here prints. Errors are negative ISOKIT_E_* codes; the source path
 * and errno behind the last one are read with isokit_writer_errmsg().
 */
#ifndef ISOKIT_WRITER_H
#define ISOKIT_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

struct isokit_writer;

/** Option flags of struct isokit_writer_options. */
enum isokit_writer_flags {
	ISOKIT_WRITE_NO_ROCK = 1u << 0,      /**< no Rock Ridge entries */
	ISOKIT_WRITE_NO_JOLIET = 1u << 1,    /**< no Joliet tree */
	ISOKIT_WRITE_JOLIET_LONG = 1u << 2,  /**< Joliet names up to 103 units, not 64 */
	ISOKIT_WRITE_ANONYMOUS = 1u << 3,    /**< owners 0, modes a+r(x), like mkisofs -r */
	ISOKIT_WRITE_FOLLOW_LINKS = 1u << 4, /**< store what symlinks point to */
	ISOKIT_WRITE_DEDUP = 1u << 5,        /**< store files with identical content once (compared byte by byte) */
	/** write no checksums: by default the image carries an isomd5sum
	 *  record (as implantisomd5 writes it) and a SHA-256 of every file
	 *  (docs/format/file-sums.md) */
	ISOKIT_WRITE_NO_CHECKSUMS = 1u << 6,
	/** also put a file SHA256SUMS at the root, in the form `sha256sum -c`
	 *  checks (paths relative to the root, Rock Ridge names); needs the
	 *  checksums */
	ISOKIT_WRITE_MANIFEST = 1u << 7,
	/** also a UDF file system (a bridge image): the same file data,
	 *  named by UDF too (full Unicode names, any file size); revision
	 *  udf_revision */
	ISOKIT_WRITE_UDF = 1u << 8,
	/** UDF alone: no ISO 9660, Rock Ridge or Joliet tree, no El Torito,
	 *  no isomd5sum record (it lives in the ISO 9660 descriptor); the
	 *  per-file SHA-256 table is still written */
	ISOKIT_WRITE_UDF_ONLY = 1u << 9,
};

/** What a warning is about (see isokit_writer_warning_fn). */
enum isokit_writer_warning {
	ISOKIT_WARN_JOLIET_RENAMED = 1, /**< a Joliet name was shortened, or numbered to stay unique */
	ISOKIT_WARN_SKIPPED = 2,        /**< a socket, or the output image itself, was left out */
	ISOKIT_WARN_LABEL_CUT = 3,      /**< the volume label did not fit its field (path is "/") */
	ISOKIT_WARN_NO_ISOMD5 = 4,      /**< the output cannot seek back (a pipe): no isomd5sum record (path is "/") */
	ISOKIT_WARN_BOOT_IMAGE = 5,     /**< a boot image firmware is unlikely to boot, e.g. an EFI image that is no FAT (path: the image's path or source file) */
	ISOKIT_WARN_UDF_RENAMED = 6,    /**< a UDF name was shortened to fit 254 bytes of OSTA CS0 (detail: the new name) */
};

/**
 * Called for each warning. @p path is the path in the image (UTF-8, from
 * the root, starting with '/'); @p detail is the new name for
 * ISOKIT_WARN_JOLIET_RENAMED and ISOKIT_WARN_UDF_RENAMED, else a short English phrase.
 */
typedef void (*isokit_writer_warning_fn)(void *ctx, enum isokit_writer_warning kind,
					 const char *path, const char *detail);

/** Called as file data is written: bytes of file data done and in all. */
typedef void (*isokit_writer_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/** Options for isokit_writer_new(); zero-initialise, then set what you need. */
struct isokit_writer_options {
	unsigned flags;          /**< enum isokit_writer_flags */
	int iso_level;           /**< 1, 2 or 3; 0 means 3 (needed for files of 4 GiB and more) */
	const char *volume_id;   /**< label (UTF-8); mapped to d-characters in ISO 9660, whole in Joliet */
	const char *publisher;   /**< volume fields, UTF-8; NULL for none */
	const char *preparer;
	const char *application; /**< NULL: "ISOKIT <version>" */
	const char *system_id;   /**< NULL: "LINUX" */
	/** UDF revision with ISOKIT_WRITE_UDF: 0x0102 (0: the default, read
	 *  by every UDF reader), 0x0201, or 0x0250 (file entries and folders
	 *  in a metadata partition) */
	unsigned udf_revision;
	/** fnmatch(3) patterns; an entry is left out when one matches its
	 * name or, for a pattern containing '/', its path relative to the
	 * source given to isokit_writer_add(). NULL-terminated, or NULL. */
	const char *const *exclude;
	/** When true, volume dates are fixed to source_date_epoch and newer
	 * file times are clamped to it (reproducible builds). */
	bool use_source_date_epoch;
	int64_t source_date_epoch;
	/** When true, the file with this device and inode number is left out
	 * (with a warning): the image being replaced, when it lies inside a
	 * source folder. */
	bool skip_file;
	uint64_t skip_dev, skip_ino;
	isokit_writer_warning_fn on_warning;
	isokit_writer_progress_fn on_progress;
	void *ctx; /**< passed to the callbacks */
};

/** Counts of what has been added so far. */
struct isokit_writer_stats {
	uint64_t files, dirs, symlinks, specials; /**< entries in the tree */
	uint64_t data_bytes;  /**< bytes of file data to write (hard links once) */
	uint64_t image_bytes; /**< size of the image; known after the layout, else 0 */
};

/** A writer with these options (NULL: defaults). NULL when out of memory
 * or when an option is invalid (iso_level out of range). */
ISOKIT_API struct isokit_writer *isokit_writer_new(const struct isokit_writer_options *opts);

/**
 * Add @p source (a file, folder, symlink or device node on the local
 * filesystem) at @p image_path ("/" or "" is the root; missing folders on
 * the way are created). A folder is scanned recursively and its contents
 * go into image_path; folders added at the same place merge, other
 * clashes of names are an error (ISOKIT_E_INVAL).
 * @return 0, or a negative ISOKIT_E_* code (see isokit_writer_errmsg()).
 */
ISOKIT_API int isokit_writer_add(struct isokit_writer *w, const char *image_path,
				 const char *source);

/** El Torito platform of a boot entry (the catalog's platform ID). */
enum isokit_boot_platform {
	ISOKIT_BOOT_BIOS = 0x00, /**< x86 PC BIOS */
	ISOKIT_BOOT_PPC = 0x01,
	ISOKIT_BOOT_MAC = 0x02,
	ISOKIT_BOOT_EFI = 0xEF,  /**< UEFI: the image is a FAT file system (an EFI system partition) */
};

/** How the BIOS presents a boot image (El Torito media type). */
enum isokit_boot_emulation {
	ISOKIT_EMUL_NONE = 0,      /**< no emulation: loaded and run as it is */
	ISOKIT_EMUL_FLOPPY = 1,    /**< a floppy; 1.2 MB, 1.44 MB or 2.88 MB by the image's size */
	ISOKIT_EMUL_HARD_DISK = 4, /**< a hard disk: the image starts with an MBR of one partition */
};

/** Patches written into the copy of a boot image in the image (never into
 *  its source). */
enum isokit_boot_patch {
	/** El Torito boot-info-table at bytes 8-63 (isolinux, GRUB's eltorito.img) */
	ISOKIT_BOOT_INFO_TABLE = 1u << 0,
	/** GRUB 2: the image's 512-byte block address + 5 at byte 2548
	 *  (xorriso's grub2-boot-info) */
	ISOKIT_BOOT_GRUB2_INFO = 1u << 1,
};

/** One El Torito boot entry, for isokit_writer_add_boot(). */
struct isokit_boot_image {
	/** The boot image: a file in the image ("/isolinux/isolinux.bin")... */
	const char *image_path;
	/** ...or @p source_size bytes at @p source_offset of the local file
	 *  @p source (0: to its end), stored without a name in any folder:
	 *  when image_path is NULL, or names no file of the tree (remastering:
	 *  the boot image of the original, where the new tree lacks it) */
	const char *source;
	uint64_t source_offset, source_size;
	uint8_t platform;       /**< enum isokit_boot_platform */
	uint8_t emulation;      /**< enum isokit_boot_emulation */
	bool not_bootable;      /**< boot indicator 0x00 instead of 0x88 */
	uint16_t load_segment;  /**< 0: the default, 0x07C0 */
	/** 512-byte sectors the BIOS loads (no emulation); 0: the whole
	 *  image, rounded up to 4 sectors (as mkisofs), at most 65535 */
	uint16_t load_sectors;
	unsigned patch;         /**< enum isokit_boot_patch */
	char id[29];            /**< section ID (EFI and later entries), or "" */
};

/** System area (the first 32 KiB) of a bootable image, for
 *  isokit_writer_set_system_area(). */
enum isokit_system_area_flags {
	/** Partition tables so that the image, written raw to a USB stick,
	 *  boots: an MBR partition for the ISO file system (and for the EFI
	 *  boot image when there is one) and a GPT describing the same. */
	ISOKIT_SA_HYBRID = 1u << 0,
	/** The template's MBR code is GRUB 2's boot_hybrid.img: its
	 *  pointer at byte 432 gets the BIOS boot image's 512-byte block
	 *  address + 4, as 64 bits */
	ISOKIT_SA_GRUB2_MBR = 1u << 1,
	/** The template's MBR code is isolinux's (isohdpfx.bin): its pointer
	 *  at byte 432 gets the BIOS boot image's 512-byte block address, as
	 *  32 bits. Without either flag the template is written as it is. */
	ISOKIT_SA_ISOHYBRID_MBR = 1u << 2,
	/** With ISOKIT_SA_HYBRID: an MBR partition table alone, no GPT, as
	 *  isohybrid without -u and grub-mkrescue lay it out (some BIOSes and
	 *  boot loaders want no GPT). Partition 1 covers the image from
	 *  sector 0 or 1 to its end, with the status, type and start of the
	 *  template's first entry (when it has none: active, from sector 0,
	 *  type 0x17, or 0x00 with an EFI boot image); partition 2 (0xEF)
	 *  covers the EFI boot image when partition 1 has type 0x00 (UEFI
	 *  firmware skips such an entry, and rejects overlapping ones). */
	ISOKIT_SA_MBR_ONLY = 1u << 3,
};

/**
 * Add an El Torito boot entry. The first is the catalog's default entry;
 * the others follow in sections of one platform each, in the order added.
 * Checked when the image is written (the file must exist in the image,
 * a floppy image must have a floppy's size...). @return 0, or ISOKIT_E_INVAL
 * or ISOKIT_E_NOMEM.
 */
ISOKIT_API int isokit_writer_add_boot(struct isokit_writer *w,
				      const struct isokit_boot_image *b);

/**
 * Where the boot catalog appears in the image: @p image_path ("/boot.cat"),
 * or NULL (the default) for nowhere (it is then found through the El
 * Torito boot record only).
 */
ISOKIT_API int isokit_writer_set_boot_catalog(struct isokit_writer *w,
					      const char *image_path);

/**
 * The system area: @p len bytes (at most 32768; NULL/0 for zeros) of
 * @p bytes, e.g. an MBR with boot code such as syslinux's isohdpfx.bin,
 * then partition tables and patches as @p flags ask (enum
 * isokit_system_area_flags). The bytes are copied.
 */
ISOKIT_API int isokit_writer_set_system_area(struct isokit_writer *w, const void *bytes,
					     size_t len, unsigned flags);

/** Fill @p out with the counts; after isokit_writer_write_fd() has started,
 * image_bytes holds the image size. */
ISOKIT_API void isokit_writer_stats(const struct isokit_writer *w,
				    struct isokit_writer_stats *out);

/**
 * Lay out the image and write it to @p fd from its first byte to its last,
 * in order. May be called once.
 * @return 0, or a negative ISOKIT_E_* code; the output is then incomplete.
 */
ISOKIT_API int isokit_writer_write_fd(struct isokit_writer *w, int fd);

/** The MD5 written into the image's isomd5sum record (lowercase hex), or
 *  "" when none was written; valid after isokit_writer_write_fd(). */
ISOKIT_API const char *isokit_writer_isomd5(const struct isokit_writer *w);

/** The last error in words, naming the source path concerned (valid until
 * the next call on @p w). */
ISOKIT_API const char *isokit_writer_errmsg(const struct isokit_writer *w);

/** Ask a running isokit_writer_write_fd() to stop soon with
 * ISOKIT_E_CANCELED; safe from a signal handler or another thread. */
ISOKIT_API void isokit_writer_cancel(struct isokit_writer *w);

ISOKIT_API void isokit_writer_free(struct isokit_writer *w);

#ifdef __cplusplus
}
#endif

#endif
