/* SPDX-License-Identifier: MIT */
/* Internal structures of the reader, shared by the files of lib/read/. */
#ifndef ISOKIT_READ_INTERNAL_H
#define ISOKIT_READ_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <isokit/error.h>
#include <isokit/image.h>
#include <isokit/io.h>
#include <isokit/verify.h>

#include "ecma119/dirrec.h"
#include "ecma119/vd.h"
#include "susp/susp.h"

/* Safety caps: the reader never allocates or loops beyond these. */
#define READ_MAX_DEPTH_DEFAULT 1024u
#define READ_DIR_WINDOW (32u * ISO_BLOCK)   /* directory read-ahead */
#define READ_MAX_EXTENTS 65536u            /* sections of one file */
#define READ_MAX_CATALOG_BLOCKS 64u
#define READ_MAX_FINDINGS 50u              /* repeated findings, then quiet */

struct extent {
	uint64_t offset; /* byte offset in the image, or EXTENT_HOLE */
	uint64_t length; /* bytes */
};

/* An extent with no data in the image that reads as zeros (UDF's
 * unrecorded and unallocated extents). */
#define EXTENT_HOLE UINT64_MAX

struct isokit_node {
	struct isokit_stat st;
	char *name;
	size_t name_len;
	char *target; /* symlink target or NULL */
	uint32_t dir_lba, dir_size; /* directories */
	uint32_t n_ext;
	struct extent *ext;
	uint8_t zf_header_div4, zf_block_log2;
	bool owned; /* allocated by node_dup (one block) */
};

struct tree_root {
	bool present;
	uint32_t lba, size;       /* the root directory */
	uint32_t vd_sector;       /* the descriptor it came from */
	uint32_t pt_size, pt_l, pt_m; /* its path tables (never read by the reader) */
};

struct udf_volume;

struct isokit_image {
	struct isokit_source *src;
	struct isokit_open_options opts;
	struct isokit_volume_info info;
	uint64_t size; /* bytes available in the source */
	enum isokit_namespace ns;
	bool use_rr;    /* parse SUSP/Rock Ridge in records */
	uint32_t su_skip; /* bytes skipped at the start of System Use */
	struct tree_root pvd, joliet, evd;
	struct udf_volume *udf; /* NULL without UDF; views share their image's */
	struct isokit_isomd5 isomd5; /* covered_bytes left 0: see verify.c */
	int isomd5_state;            /* isomd5_parse(): 1 found, 0 none, -1 malformed */
	struct isokit_node root;
	char root_name[1];
	unsigned findings;
	bool borrowed_src; /* a view (img_view()): the source is another's */
	/* one cached block for CE areas, which writers share between records */
	int64_t ce_block;
	uint8_t ce_buf[ISO_BLOCK];
	char errmsg[768];
	char err_what[400];  /* errmsg without its "(sector, path)" part */
	int64_t err_sector;
};

/* Record an error's detail on the image and return @p code. sector < 0 and
 * path NULL mean "not known". */
int img_error(struct isokit_image *img, int code, int64_t sector,
	      const char *path, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Re-state the last error with a more precise path (the caller knows which
 * entry was being read). Returns @p code. */
int img_error_at(struct isokit_image *img, int code, const char *path);

/* Report a finding through the caller's callback (rate-limited). */
void img_finding(struct isokit_image *img, enum isokit_severity sev,
		 const char *code, int64_t sector, const char *path,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Every entry of the whole tree (walk order; @p path without the leading
 * '/'), the entries of damaged folders left out (reporting them is the
 * structure check's). A non-zero return of @p fn stops the walk and is
 * returned. */
typedef int (*img_entry_fn)(void *ud, const struct isokit_node *node, const char *path);
int img_each_entry(struct isokit_image *img, img_entry_fn fn, void *ud);

/* Bytes [pos, pos+len) of data laid out in @p n extents (holes read as
 * zeros); an error naming @p path when the extents end first. */
int extents_read(struct isokit_image *img, const struct extent *ext, uint32_t n, uint64_t pos,
		 void *buf, size_t len, const char *path);

/* Read whole bytes from the image, with an error naming the sector. */
int img_read(struct isokit_image *img, uint64_t offset, void *buf, size_t len,
	     const char *path);

/*
 * Parse the System Use area of a record, following CE continuation areas
 * (bounded, inside the image, each inside one block). @p skip bytes are
 * skipped at the start. Entries accumulate in @p rr (reset by the caller).
 */
int img_parse_su(struct isokit_image *img, const uint8_t *su, size_t su_len,
		 uint32_t skip, struct rr_info *rr, int64_t sector,
		 const char *path);

/* Fill a node's metadata from a decoded record and its Rock Ridge data.
 * Name, target and extents are set by the caller. */
void node_fill_stat(struct isokit_image *img, struct isokit_node *n,
		    const struct dirrec *r, const struct rr_info *rr,
		    uint64_t record_addr);

/* A second handle on the same image reading namespace @p ns (its source
 * and findings callback shared; close it before @p img). */
int img_view(struct isokit_image *img, enum isokit_namespace ns, struct isokit_image **out);

/* Build the root node of the chosen tree from its '.' record. */
int img_root_init(struct isokit_image *img, const struct tree_root *t);

/* Plain ISO 9660 name: drop ";version" and a trailing '.'. */
size_t iso_name(const uint8_t *id, size_t len, bool is_dir, char *out);
/* Joliet name: UCS-2BE to UTF-8, drop ";version". out >= 3*len/2+1. */
size_t joliet_name(const uint8_t *id, size_t len, char *out);
/* Decide whether a name may be used as a path component. */
bool name_is_safe(const char *name, size_t len);

#endif
