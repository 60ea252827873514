/* SPDX-License-Identifier: MIT */
/*
 * The writer's private state. One node per entry, kept small (the target is
 * under 200 bytes per file, names included): nodes live in fixed-size
 * chunks (no doubling realloc), names and symlink targets in an append-only
 * arena, and the ISO 9660 and Joliet names are derived again whenever a
 * directory is measured or written instead of being stored.
 */
#ifndef ISOKIT_WRITE_INTERNAL_H
#define ISOKIT_WRITE_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <isokit/error.h>
#include <isokit/writer.h>

#include "integrity/filesums.h"
#include "integrity/isomd5.h"

enum wtype { W_REG, W_DIR, W_LNK, W_CHR, W_BLK, W_FIFO };

enum wflags {
	WF_SRC_ROOT = 0x01, /* `src` names the source path of this node */
	WF_SYNTH = 0x02,    /* folder made up on the way to a --map target */
	WF_LINK_COPY = 0x04, /* hard link: data stored with node `data` */
	WF_ISO_ONLY = 0x08,  /* the relocation folder: in the ISO tree only */
	WF_RELOCATED = 0x10, /* folder moved into the relocation folder */
	WF_DEDUP_COPY = 0x20, /* --dedup: same content as node `data`, stored there */
	WF_MANIFEST = 0x40,   /* --manifest: SHA256SUMS, made while writing */
	WF_BOOT_CATALOG = 0x80, /* the El Torito catalog's name: its block is
				 * among the metadata, not in the file data */
};

/* The file's data is stored with another node (`data`), not written again. */
#define WF_DATA_ELSEWHERE (WF_LINK_COPY | WF_DEDUP_COPY)

/* Rock Ridge relocation (RRIP 4.1.5): ECMA-119 allows 8 levels of folders
 * (the root is level 1); deeper ones move into this folder in the root, as
 * genisoimage does. The dot hides it in Linux listings; libarchive and
 * isokit hide it entirely. */
#define RELOC_NAME ".rr_moved"
#define ISO_MAX_DEPTH 8

struct wnode {
	uint32_t parent;
	uint32_t next;  /* next sibling while building (0: none) */
	uint32_t first; /* DIR: first child while building; after sorting,
			 * offset of its children in writer.kids */
	uint32_t count; /* DIR: number of children */
	uint32_t name;  /* arena offset */
	uint16_t name_len;
	uint8_t type;
	uint8_t flags;
	uint32_t mode, uid, gid;
	uint32_t nlink; /* in the image */
	uint32_t serial; /* PX file serial number */
	uint32_t src;    /* WF_SRC_ROOT: index into writer.sources */
	uint32_t data;   /* REG: node whose data this is (itself, or the
			  * first name of a hard-link family); DIR: dir index */
	uint32_t lba;    /* REG: first block of the data */
	uint64_t size;   /* REG: bytes; LNK: target length */
	uint64_t aux;    /* LNK: arena offset of the target; CHR/BLK: rdev */
	int64_t mtime, atime, ctime, btime; /* seconds; btime < 0 unknown */
};

/* Per folder, filled by the layout. */
struct wdir {
	uint32_t node;
	uint32_t depth;     /* root = 1 */
	uint32_t iso_parent; /* dir index of the parent in the ISO tree */
	uint32_t nest;       /* relocated folders among itself and its ancestors */
	uint32_t lba, size; /* ISO 9660 extent and bytes (whole blocks) */
	uint32_t ce_lba, ce_blocks;
	uint32_t jlba, jsize; /* Joliet */
	uint32_t pt_num, jpt_num; /* path table numbers (1-based) */
	uint8_t iso_len, jol_len;  /* its identifiers, for the path tables */
	uint8_t iso_id[31];
	uint32_t jol_off;          /* in writer.jol_names */
	uint32_t udf_size;         /* bytes of its UDF identifiers */
};

/* bytes per extent of a multi-extent file: block-aligned, < 4 GiB */
#define SECTION_MAX_BYTES 0xFFFFF800u

/* One El Torito entry (boot.c). */
#define BOOT_MAX_ENTRIES 64u
struct wboot {
	struct isokit_boot_image spec; /* image_path and source point at: */
	char *path, *source;           /* our copies */
	uint32_t node;   /* the file in the tree holding the data, or 0: hidden */
	uint32_t lba;    /* first block of the image */
	uint64_t size;   /* bytes */
	uint8_t *bytes;  /* the patched copy (spec.patch != 0), else NULL */
	uint8_t media, system_type;
	uint16_t sectors;
};

#define SYSTEM_AREA_BYTES (16u * 2048u)

#define NODE_CHUNK_BITS 12
#define NODE_CHUNK (1u << NODE_CHUNK_BITS)
#define ARENA_CHUNK (1u << 20)

struct writer {
	struct isokit_writer_options opt;
	char **exclude; /* our copy of opt.exclude */
	int iso_level;
	bool rock, joliet;
	int64_t now; /* volume dates, synthetic folders */

	struct wnode **chunks;
	uint32_t nchunks, nnodes;

	uint8_t **arena;
	uint32_t narena, arena_used; /* bytes used in the last chunk */

	char **sources;
	uint32_t nsources;

	/* hard links: (dev, ino) -> node, only for files with st_nlink > 1 */
	struct link_slot *links;
	size_t links_cap, links_used;

	/* after finalize */
	uint32_t *kids; /* children of every folder, sorted by name bytes */
	uint32_t nkids;
	struct wdir *dirs;
	uint32_t ndirs;
	uint32_t reloc_dir;   /* dir index of RELOC_NAME, 0 when there is none */
	uint32_t *moved;      /* nodes of the relocated folders */
	uint32_t nmoved;
	uint32_t *iso_order, *jol_order; /* dir indices in path-table order */
	uint32_t niso, njol;             /* their lengths (Joliet has no relocation folder) */
	uint32_t *ext_order;             /* ISO folders in the order of their extents */
	uint8_t *jol_names;
	size_t jol_names_len;
	uint64_t data_bytes;
	uint32_t next_serial;

	/* layout */
	uint32_t pt_size, jpt_size;
	uint32_t pt_l, pt_m, jpt_l, jpt_m;
	uint32_t zero_block, total_blocks;
	uint32_t max_nest; /* deepest nesting of relocated folders */

	/* checksums (unless ISOKIT_WRITE_NO_CHECKSUMS): the SHA-256 table of
	 * docs/format/file-sums.md after the file data, its trailer, then
	 * FILESUMS_TAIL - 1 zero blocks */
	bool checksums;
	uint32_t nsums;          /* files with data of their own */
	uint32_t pad_blocks;     /* zeros before the table (small images) */
	uint32_t sums_block, sums_blocks, trailer_block;
	/* filled as the files are written, in the order of their data (36
	 * bytes a file: the size is the node's) */
	uint8_t (*sum_sha)[32];
	uint32_t *sum_lba;
	char isomd5[33];         /* the MD5 written into the record, or "" */
	uint32_t manifest;       /* --manifest: its node, else 0 */

	/* booting (boot.c): El Torito entries, the catalog (after the
	 * descriptors), hidden boot images (after the zero block), the
	 * system area and its partition tables */
	struct wboot *boots;
	uint32_t nboots;
	char *catalog_path;      /* NULL: no name in the tree */
	uint32_t catalog_node;
	uint32_t catalog_block, catalog_blocks;
	uint8_t *sysarea;        /* SYSTEM_AREA_BYTES, or NULL: zeros */
	unsigned sa_flags;       /* enum isokit_system_area_flags */
	uint32_t gpt_blocks;     /* hybrid: blocks at the volume's end for the backup GPT */
	bool written;

	/* UDF (udf.c): absolute blocks unless said otherwise */
	bool udf, udf_only;
	uint16_t udf_rev;
	uint16_t udf_mref;        /* partition of the entries: 0, or 1 (2.50's metadata partition) */
	uint32_t *udf_fe;         /* by serial: block of the entry in partition udf_mref */
	uint32_t udf_mbase;       /* where block 0 of partition udf_mref is */
	uint32_t udf_vrs, udf_main, udf_reserve, udf_lvid;
	uint32_t udf_part_start, udf_part_len;
	uint32_t udf_meta_fe;     /* 2.50: the metadata file's entry, then its mirror's */
	uint32_t udf_meta, udf_meta_blocks; /* FSD, entries and folders */
	uint32_t udf_end_anchor;  /* 0: none */
	uint64_t udf_files, udf_dirs;

	volatile sig_atomic_t cancel;
	char msg[512 + 4096];
};

static inline struct wnode *wnode_at(struct writer *w, uint32_t i)
{
	return &w->chunks[i >> NODE_CHUNK_BITS][i & (NODE_CHUNK - 1)];
}

static inline const struct wnode *wnode_const(const struct writer *w, uint32_t i)
{
	return &w->chunks[i >> NODE_CHUNK_BITS][i & (NODE_CHUNK - 1)];
}

/* The volume label: the one asked for, else "CDROM". */
static inline const char *writer_label(const struct writer *w)
{
	return w->opt.volume_id ? w->opt.volume_id : "CDROM";
}

/* A file whose data is stored in the tree's order of data (not a link to
 * or a copy of another's, not empty, not the manifest, which comes last). */
static inline bool has_own_data(const struct wnode *c)
{
	return c->type == W_REG &&
	       !(c->flags & (WF_DATA_ELSEWHERE | WF_MANIFEST | WF_BOOT_CATALOG)) && c->size > 0;
}

static inline const uint8_t *arena_at(const struct writer *w, uint64_t off)
{
	return w->arena[off >> 20] + (off & (ARENA_CHUNK - 1));
}

/* tree.c */
int tree_init(struct writer *w);
void tree_free(struct writer *w);
int tree_add(struct writer *w, const char *image_path, const char *source);
int tree_finalize(struct writer *w);
/* Path of a node's source on the local filesystem; 0 or an error when
 * it does not fit @p cap. */
int tree_source_path(struct writer *w, uint32_t node, char *buf, size_t cap);
/* The same without touching the error message (safe from another thread). */
int tree_source_path_quiet(struct writer *w, uint32_t node, char *buf, size_t cap);
/* Open a regular file's source for reading (@p path gets its path) and
 * check that it is still a file of the size the scan saw: the descriptor,
 * or a negative error with the message set. */
int tree_source_open(struct writer *w, uint32_t node, char *path, size_t cap);
/* tree.c helpers shared with order.c: a zeroed node, bytes in the name
 * arena, a folder without a source */
int tree_new_node(struct writer *w, uint32_t *out);
int tree_arena_put(struct writer *w, const void *p, size_t len, uint64_t *off);
void tree_synthetic_dir(const struct writer *w, struct wnode *n);
/* A regular file with no source in folder @p parent (its data is made by
 * the writer): mode 0444, owner 0, the volume's time. */
int tree_new_synthetic_file(struct writer *w, uint32_t parent, const char *name,
			    uint32_t *out);
/* Walk @p image_path from the root, making missing folders: *parent is
 * the folder of its last name (*last, *last_len). Before tree_finalize(). */
int tree_make_parents(struct writer *w, const char *image_path, uint32_t *parent,
		      const char **last, size_t *last_len);
/* The child of folder @p parent called @p name, or 0. Before tree_finalize(). */
uint32_t tree_find_child(struct writer *w, uint32_t parent, const char *name, size_t len);
/* Path of a node in the image ("/a/b"), for messages. */
void tree_image_path(struct writer *w, uint32_t node, char *buf, size_t cap);

/* names.c: the names of one folder's children in one tree. Identifiers
 * live in a byte pool; slots come out in the tree's sort order. */
struct name_slot {
	uint32_t node;
	uint32_t off;
	uint16_t len;
};
struct name_list {
	struct name_slot *slots;
	uint32_t n;
	uint8_t *pool;
	size_t pool_used, pool_cap;
	uint32_t *hash; /* open addressing over slots, for uniqueness */
	size_t hash_cap;
};
void names_list_free(struct name_list *l);
/* ISO 9660 identifiers (d-characters, NAME.EXT;1), unique in the folder,
 * sorted as ECMA-119 9.3 orders them. */
int names_iso(struct writer *w, uint32_t dir_node, struct name_list *l);
/* Joliet identifiers (UCS-2BE), unique, sorted; @p warn reports names
 * that had to be shortened. */
int names_joliet(struct writer *w, uint32_t dir_node, struct name_list *l,
		 bool warn);
/* UDF identifiers (OSTA CS0, at most 254 bytes), unique, in the order of
 * the original names; @p warn reports names that had to be shortened. */
int names_udf(struct writer *w, uint32_t dir_node, struct name_list *l, bool warn);
/* ISO 9660 form of a label: d-characters, at most 32 bytes. */
size_t names_volume_id(const char *utf8, uint8_t out[32]);
/* 1 when a label is longer than the 32 characters of the ISO 9660 field,
 * 2 when it fits there but not in Joliet's 16 UTF-16 units, else 0. */
int names_label_cut(const char *label);
/* a-characters for the other PVD text fields, at most @p max bytes. */
size_t names_achars(const char *utf8, uint8_t *out, size_t max);
/* Joliet form of a UTF-8 text: UCS-2BE, at most @p max_bytes. */
size_t names_ucs2(const char *utf8, size_t len, uint8_t *out, size_t max_bytes);

/* out.c: the output stream, written strictly in order */
struct out {
	int fd;
	uint8_t *buf;
	size_t len, cap;
	uint64_t pos; /* bytes handed to the stream so far */
	int err;      /* errno of a failed write */
	struct out_tap *tap; /* NULL, or where each written buffer goes next */
};

/* tap.c: the isomd5sum MD5 of the stream and its writing, on two threads */
#define TAP_BUFS 8
struct out_tap {
	pthread_t md5_thread, write_thread;
	int fd;
	uint64_t written; /* buffers written */
	int werr;         /* errno of a failed write */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint8_t *bufs[TAP_BUFS];
	size_t lens[TAP_BUFS];
	uint64_t produced, consumed; /* buffers handed over and hashed */
	bool stop, running, failed;
	uint8_t *spare;              /* the stream's own buffer, given back at the end */
	struct isomd5_stream md5;
};
/* Hash the first @p md5_bytes of everything @p o writes from now on (from
 * offset 0: start before the first byte). 0, or -1 (no memory, thread or
 * libcrypto): then the stream goes on without it. */
int tap_start(struct out_tap *t, struct out *o, uint64_t md5_bytes, uint32_t fragments);
/* Hand over the buffer just filled (@p len bytes) to be hashed and written;
 * returns the next one to fill, waiting until both threads are done with
 * it. *werr: errno of a write that failed so far, or 0. */
uint8_t *tap_pass(struct out_tap *t, size_t len, int *werr);
/* Stop the threads once everything handed over is hashed and written
 * (after the last out_flush()) and give @p o its buffer back; *werr as
 * above. With @p md5_hex: the MD5 when every byte was hashed (0), else -1. */
int tap_finish(struct out_tap *t, struct out *o, char md5_hex[33], int *werr);
int out_write(struct out *o, const void *p, size_t n);
int out_zero(struct out *o, size_t n);
int out_flush(struct out *o);
/* Zeros up to the next block boundary. */
int out_pad_block(struct out *o);

/* dirgen.c: one folder's records in one tree, measured or written */
struct dirgen {
	struct writer *w;
	bool joliet;
	struct out *o;     /* NULL: only measure */
	uint32_t dir;      /* index in writer.dirs */
	uint32_t pos;      /* bytes of the extent used so far */
	uint8_t block[2048];
	uint8_t *ce;       /* continuation area bytes (write pass) */
	uint32_t ce_pos, ce_cap;
	struct name_list names;
};
/* Measure (o == NULL) or write one folder; sizes land in writer.dirs. */
int dirgen_run(struct dirgen *g);

/* manifest.c: --manifest (SHA256SUMS at the root). Add the file before
 * tree_finalize(), measure it after dedup_run(), write it after the other
 * files' data (their sums are in writer.sum_sha), hashing it into @p sha. */
int manifest_add(struct writer *w);
int manifest_measure(struct writer *w);
struct digest;
int manifest_write(struct writer *w, struct out *o, struct digest *sha);

/* dedup.c: --dedup, between tree_finalize() and the layout */
int dedup_run(struct writer *w);

/* boot.c: El Torito and the system area. boot_prepare() after
 * tree_finalize() (finds the images, names the catalog: before that,
 * boot_name_catalog() before tree_finalize()); boot_is_image() keeps dedup
 * off them; boot_layout() sets their blocks (called by layout_run());
 * boot_patch() after the layout; the writers emit in order. */
int writer_add_boot(struct writer *w, const struct isokit_boot_image *b);
int boot_name_catalog(struct writer *w);
uint64_t boot_layout_hidden(struct writer *w, uint64_t first);
int boot_prepare(struct writer *w);
bool boot_is_image(const struct writer *w, uint32_t node);
int boot_patch(struct writer *w);
int boot_write_system_area(struct writer *w, struct out *o);
int boot_write_record(struct writer *w, struct out *o);
int boot_write_catalog(struct writer *w, struct out *o);
int boot_write_hidden(struct writer *w, struct out *o);
/* The patched copy of @p node's data when it is a patched boot image. */
const uint8_t *boot_patched_data(const struct writer *w, uint32_t node);
void boot_free(struct writer *w);

/* udf.c: the UDF descriptors after the ISO 9660 ones (udf_layout_head),
 * the UDF metadata after the ISO 9660 folders (udf_layout_meta), the
 * reserve sequence after the file data (udf_layout_reserve, which ends
 * the partition); layout.c places the end anchor. Each is written in its
 * place by the emitter. */
int udf_layout_head(struct writer *w, uint64_t *next);
int udf_layout_meta(struct writer *w, uint64_t *next);
void udf_layout_reserve(struct writer *w, uint64_t *next);
int udf_write_head(struct writer *w, struct out *o);
int udf_write_meta(struct writer *w, struct out *o);
int udf_write_reserve(struct writer *w, struct out *o);
int udf_write_end_anchor(struct writer *w, struct out *o);

/* layout.c and emit.c */
int layout_run(struct writer *w);
int emit_image(struct writer *w, int fd);

int w_error(struct writer *w, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
