// SPDX-License-Identifier: MIT
/*
 * Booting: El Torito entries, the boot catalog, boot images that are no
 * file of the tree, the patches written into copies of boot images, and
 * the system area (sysarea.c makes its partition tables).
 *
 * Boot images named by a path are ordinary files of the tree: their data
 * lies with the other files' and their SHA-256 is that of the bytes in the
 * image, patches included. A patched image is read whole into memory
 * before the layout (boot images are small; the cap keeps a mistaken
 * choice from eating memory) and written from there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/bytes.h"
#include "ecma119/vd.h"
#include "eltorito/catalog.h"
#include "write/internal.h"
#include "sysarea/parttab.h"
#include "write/sysarea.h"

/* Patched boot images are read into memory: BIOS images are a few KiB,
 * GRUB's core image well under 1 MiB. */
#define PATCHED_MAX ((uint64_t)32 << 20)

static void catalog_entries(const struct writer *w, struct eltorito_entry *ent);

/* Floppy sizes of El Torito media types 1-3. */
static const uint64_t floppy_bytes[4] = {0, 1228800, 1474560, 2949120};

static char *dup_or_null(const char *s, bool *fail)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*fail = true;
	return d;
}

int writer_add_boot(struct writer *w, const struct isokit_boot_image *b)
{
	if (w->kids)
		return w_error(w, ISOKIT_E_SEQUENCE, "boot entries must be added before writing");
	if (!b->image_path && !b->source)
		return w_error(w, ISOKIT_E_INVAL,
			       "a boot entry needs a file in the image or a source file");
	if (b->emulation != ISOKIT_EMUL_NONE && b->emulation != ISOKIT_EMUL_FLOPPY &&
	    b->emulation != ISOKIT_EMUL_HARD_DISK)
		return w_error(w, ISOKIT_E_INVAL, "boot entry: unknown emulation %u", b->emulation);
	if (w->nboots >= BOOT_MAX_ENTRIES)
		return w_error(w, ISOKIT_E_LIMIT, "more than %u boot entries", BOOT_MAX_ENTRIES);
	struct wboot *v = realloc(w->boots, (w->nboots + 1) * sizeof(*v));
	if (!v)
		return ISOKIT_E_NOMEM;
	w->boots = v;
	struct wboot *e = &v[w->nboots];
	memset(e, 0, sizeof(*e));
	e->spec = *b;
	e->spec.id[sizeof(e->spec.id) - 1] = '\0';
	bool fail = false;
	e->spec.image_path = e->path = dup_or_null(b->image_path, &fail);
	e->spec.source = e->source = dup_or_null(b->source, &fail);
	if (fail) {
		free(e->path);
		free(e->source);
		return ISOKIT_E_NOMEM;
	}
	w->nboots++;
	return 0;
}

void boot_free(struct writer *w)
{
	for (uint32_t i = 0; i < w->nboots; i++) {
		free(w->boots[i].path);
		free(w->boots[i].source);
		free(w->boots[i].bytes);
	}
	free(w->boots);
	free(w->catalog_path);
	free(w->sysarea);
}

static int read_source(struct writer *w, const char *path, uint64_t off, uint64_t n,
		       uint8_t **out);

/* A file of the sources that is an El Torito catalog: a validation entry
 * (its words summing to zero, 55 AA) at its start. */
static bool is_stale_catalog(struct writer *w, uint32_t node)
{
	const struct wnode *x = wnode_at(w, node);
	char path[8192];
	uint8_t *b;
	if (x->type != W_REG || x->size < 64 || x->size > 65536 ||
	    tree_source_path(w, node, path, sizeof(path)) || read_source(w, path, 0, 64, &b))
		return false;
	struct isokit_boot_entry e;
	size_t n;
	bool ok = eltorito_decode(b, 64, &e, 1, &n) == 0;
	free(b);
	return ok;
}

/* The catalog's name, when it has one: a file made up in the tree, or the
 * old catalog of the sources. */
int boot_name_catalog(struct writer *w)
{
	if (!w->catalog_path)
		return 0;
	if (!w->nboots)
		return w_error(w, ISOKIT_E_INVAL, "%s: a boot catalog needs a boot entry",
			       w->catalog_path);
	uint32_t parent;
	const char *last;
	size_t last_len;
	int rc = tree_make_parents(w, w->catalog_path, &parent, &last, &last_len);
	if (rc)
		return rc;
	if (last_len == 0 || last_len > 255)
		return w_error(w, ISOKIT_E_INVAL, "%s: not a file name for the boot catalog",
			       w->catalog_path);
	uint32_t old = tree_find_child(w, parent, last, last_len);
	if (old) {
		/* a catalog left from the image the sources were unpacked
		 * from (remastering) is replaced; anything else is not */
		if (wnode_at(w, old)->type == W_DIR) {
			int len = (int)strlen(w->catalog_path);
			while (len > 0 && w->catalog_path[len - 1] == '/')
				len--;
			return w_error(w, ISOKIT_E_INVAL,
				       "%s: a folder of the sources; the boot catalog needs a file "
				       "name (e.g. %.*s/boot.cat)", w->catalog_path, len,
				       w->catalog_path);
		}
		if (!is_stale_catalog(w, old))
			return w_error(w, ISOKIT_E_INVAL,
				       "%s: the sources have a file there already (not an old boot "
				       "catalog), where the boot catalog was asked to go",
				       w->catalog_path);
		wnode_at(w, old)->flags |= WF_BOOT_CATALOG;
		w->catalog_node = old;
		return 0;
	}
	char name[256];
	memcpy(name, last, last_len);
	name[last_len] = '\0';
	uint32_t idx;
	if ((rc = tree_new_synthetic_file(w, parent, name, &idx)) != 0)
		return rc;
	wnode_at(w, idx)->flags |= WF_BOOT_CATALOG;
	w->catalog_node = idx;
	return 0;
}

/* The node named @p path in the tree (before tree_finalize()), or 0. */
static uint32_t lookup(struct writer *w, const char *path)
{
	uint32_t cur = 0;
	const char *p = path;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return cur;
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (wnode_at(w, cur)->type != W_DIR)
			return 0;
		cur = tree_find_child(w, cur, p, len);
		if (!cur)
			return 0;
		p += len;
	}
}

/* Read @p n bytes at @p off of @p path into a new buffer. */
static int read_source(struct writer *w, const char *path, uint64_t off, uint64_t n,
		       uint8_t **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return w_error(w, errno == ENOENT ? ISOKIT_E_NOENT : ISOKIT_E_IO, "%s: %s", path,
			       strerror(errno));
	uint8_t *buf = malloc(n ? (size_t)n : 1);
	if (!buf) {
		close(fd);
		return ISOKIT_E_NOMEM;
	}
	uint64_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, buf + got, (size_t)(n - got), (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : 0;
			close(fd);
			free(buf);
			return w_error(w, ISOKIT_E_IO, "%s: %s", path,
				       e ? strerror(e) : "shorter than it was");
		}
		got += (uint64_t)r;
	}
	close(fd);
	*out = buf;
	return 0;
}

/* Media type, system type and sectors to load, from the image's size and
 * first bytes (@p head: its first 512 bytes, or NULL when shorter). */
static int settle_media(struct writer *w, struct wboot *e, const char *what,
			const uint8_t *head)
{
	e->media = 0;
	e->system_type = 0;
	if (e->spec.load_sectors && e->spec.emulation != ISOKIT_EMUL_NONE)
		return w_error(w, ISOKIT_E_INVAL,
			       "%s: a load size is for images without emulation (an emulated "
			       "disk loads its boot sector)", what);
	switch (e->spec.emulation) {
	case ISOKIT_EMUL_FLOPPY:
		for (uint8_t m = 1; m <= 3; m++)
			if (e->size == floppy_bytes[m])
				e->media = m;
		if (!e->media)
			return w_error(w, ISOKIT_E_INVAL,
				       "%s: a floppy boot image must be 1228800, 1474560 or 2949120 "
				       "bytes (1.2, 1.44 or 2.88 MB), not %llu", what,
				       (unsigned long long)e->size);
		e->sectors = 1;
		return 0;
	case ISOKIT_EMUL_HARD_DISK: {
		/* the BIOS needs the type of the disk's one partition */
		if (!head || head[510] != 0x55 || head[511] != 0xAA)
			return w_error(w, ISOKIT_E_INVAL,
				       "%s: a hard-disk boot image must start with an MBR", what);
		unsigned used = 0;
		for (int i = 0; i < 4; i++) {
			uint8_t t = head[446 + 16 * i + 4];
			if (t) {
				used++;
				e->system_type = t;
			}
		}
		if (used != 1)
			return w_error(w, ISOKIT_E_INVAL,
				       "%s: a hard-disk boot image must have exactly one partition, "
				       "not %u", what, used);
		e->media = 4;
		e->sectors = 1;
		return 0;
	}
	default:
		break;
	}
	if (e->spec.load_sectors) {
		e->sectors = e->spec.load_sectors;
	} else {
		/* the whole image, for BIOS rounded up to 4 sectors (one
		 * block) as mkisofs does; an image of 32 MiB or more cannot be said in
		 * 16 bits: 0, which UEFI firmware takes from the FAT itself */
		uint64_t s = e->spec.platform == ISOKIT_BOOT_EFI
				     ? (e->size + 511) / 512 /* as xorriso: the exact size */
				     : (e->size + ISO_BLOCK - 1) / ISO_BLOCK * 4;
		e->sectors = s > 0xFFFF ? (e->spec.platform == ISOKIT_BOOT_EFI ? 0 : 0xFFFF)
					: (uint16_t)s;
	}
	return 0;
}

static int prepare_one(struct writer *w, struct wboot *e)
{
	const char *what = e->spec.image_path ? e->spec.image_path : e->spec.source;
	uint8_t head[512];
	bool have_head = false;
	uint32_t found = e->spec.image_path ? lookup(w, e->spec.image_path) : 0;
	if (e->spec.image_path && (found || !e->spec.source)) {
		uint32_t n = found;
		const struct wnode *x = n ? wnode_at(w, n) : NULL;
		if (!x)
			return w_error(w, ISOKIT_E_NOENT,
				       "%s: no such file in the image, to boot from", what);
		if (x->type != W_REG || (x->flags & (WF_BOOT_CATALOG | WF_MANIFEST)))
			return w_error(w, ISOKIT_E_INVAL, "%s: a boot image must be a file", what);
		if (x->size == 0)
			return w_error(w, ISOKIT_E_INVAL, "%s: the boot image is empty", what);
		e->node = n;
		e->size = x->size;
	} else {
		struct stat st;
		what = e->spec.source;
		if (stat(e->spec.source, &st) < 0)
			return w_error(w, errno == ENOENT ? ISOKIT_E_NOENT : ISOKIT_E_IO, "%s: %s",
				       what, strerror(errno));
		if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
			return w_error(w, ISOKIT_E_INVAL, "%s: a boot image must be a file", what);
		uint64_t end = (uint64_t)st.st_size;
		if (e->spec.source_offset > end)
			return w_error(w, ISOKIT_E_INVAL, "%s: the boot image starts past its end",
				       what);
		e->size = e->spec.source_size ? e->spec.source_size : end - e->spec.source_offset;
		if (e->size == 0 || e->size > end - e->spec.source_offset)
			return w_error(w, ISOKIT_E_INVAL,
				       "%s: the boot image is empty or longer than the file", what);
	}
	if (e->spec.patch || e->spec.emulation == ISOKIT_EMUL_HARD_DISK ||
	    e->spec.platform == ISOKIT_BOOT_EFI) {
		if (e->spec.patch && e->size > PATCHED_MAX)
			return w_error(w, ISOKIT_E_LIMIT,
				       "%s: a boot image to patch must be under 32 MiB", what);
		if ((e->spec.patch & ISOKIT_BOOT_INFO_TABLE) && e->size < 64)
			return w_error(w, ISOKIT_E_INVAL,
				       "%s: too small for a boot-info-table (64 bytes)", what);
		if ((e->spec.patch & ISOKIT_BOOT_GRUB2_INFO) && e->size < ELTORITO_GRUB2_INFO_AT + 8)
			return w_error(w, ISOKIT_E_INVAL,
				       "%s: too small for GRUB 2 boot info (2556 bytes)", what);
		uint8_t *bytes;
		uint64_t n = e->spec.patch ? e->size : (e->size < 512 ? e->size : 512);
		char path[8192];
		int rc;
		if (e->node) {
			rc = tree_source_path(w, e->node, path, sizeof(path));
			if (!rc)
				rc = read_source(w, path, 0, n, &bytes);
		} else {
			rc = read_source(w, e->spec.source, e->spec.source_offset, n, &bytes);
		}
		if (rc)
			return rc;
		if (n >= 512) {
			memcpy(head, bytes, 512);
			have_head = true;
		}
		if (e->spec.patch)
			e->bytes = bytes;
		else
			free(bytes);
	}
	/* a FAT boot sector starts with a jump (EB or E9) */
	bool fat = have_head && (head[0] == 0xEB || head[0] == 0xE9) && fat_bytes(head);
	if (e->spec.platform == ISOKIT_BOOT_EFI && e->spec.emulation == ISOKIT_EMUL_NONE && !fat &&
	    w->opt.on_warning)
		w->opt.on_warning(w->opt.ctx, ISOKIT_WARN_BOOT_IMAGE, what,
				  "the EFI boot image is no FAT file system; UEFI firmware boots "
				  "only FAT images (make one with mformat and mcopy)");
	return settle_media(w, e, what, have_head ? head : NULL);
}

int boot_prepare(struct writer *w)
{
	for (uint32_t i = 0; i < w->nboots; i++) {
		int rc = prepare_one(w, &w->boots[i]);
		if (rc)
			return rc;
	}
	if (w->nboots) {
		struct eltorito_entry ent[BOOT_MAX_ENTRIES];
		catalog_entries(w, ent); /* the size depends on the platforms only */
		size_t bytes = eltorito_encoded_size(ent, w->nboots);
		w->catalog_blocks = (uint32_t)((bytes + ISO_BLOCK - 1) / ISO_BLOCK);
		if (w->catalog_node)
			wnode_at(w, w->catalog_node)->size = (uint64_t)w->catalog_blocks * ISO_BLOCK;
	}
	return sysarea_check(w);
}

/* The catalog's entries, as far as they are known (blocks after the
 * layout). */
static void catalog_entries(const struct writer *w, struct eltorito_entry *ent)
{
	for (uint32_t i = 0; i < w->nboots; i++) {
		const struct wboot *e = &w->boots[i];
		ent[i] = (struct eltorito_entry){
			.platform = e->spec.platform,
			.bootable = !e->spec.not_bootable,
			.media = e->media,
			.load_segment = e->spec.load_segment,
			.system_type = e->system_type,
			.sector_count = e->sectors,
			.load_rba = e->lba,
			.id = e->spec.id[0] ? e->spec.id : NULL,
		};
	}
}

/* The node whose data a boot entry's image is (hard links share one). */
static uint32_t data_owner(const struct writer *w, const struct wboot *e)
{
	const struct wnode *n = wnode_const(w, e->node);
	return (n->flags & WF_LINK_COPY) ? n->data : e->node;
}

bool boot_is_image(const struct writer *w, uint32_t node)
{
	for (uint32_t i = 0; i < w->nboots; i++)
		if (w->boots[i].node && data_owner(w, &w->boots[i]) == node)
			return true;
	return false;
}

const uint8_t *boot_patched_data(const struct writer *w, uint32_t node)
{
	for (uint32_t i = 0; i < w->nboots; i++)
		if (w->boots[i].node && w->boots[i].bytes && data_owner(w, &w->boots[i]) == node)
			return w->boots[i].bytes;
	return NULL;
}

/* After the layout: every image's block, then the patches that need them. */
int boot_patch(struct writer *w)
{
	for (uint32_t i = 0; i < w->nboots; i++) {
		struct wboot *e = &w->boots[i];
		if (e->node)
			e->lba = wnode_at(w, data_owner(w, e))->lba;
	}
	for (uint32_t i = 0; i < w->nboots; i++) {
		struct wboot *e = &w->boots[i];
		/* two entries for one file: only the copy that is written
		 * (the first) is patched */
		if (!e->bytes || (e->node && boot_patched_data(w, data_owner(w, e)) != e->bytes))
			continue;
		/* GRUB's info first: the table's sum covers it (as xorriso) */
		if (e->spec.patch & ISOKIT_BOOT_GRUB2_INFO)
			eltorito_patch_grub2_info(e->bytes, (size_t)e->size, e->lba);
		if (e->spec.patch & ISOKIT_BOOT_INFO_TABLE)
			eltorito_patch_info_table(e->bytes, (size_t)e->size, ISO_VD_FIRST, e->lba);
	}
	return 0;
}

int boot_write_record(struct writer *w, struct out *o)
{
	uint8_t blk[ISO_BLOCK];
	vd_encode_eltorito(blk, w->catalog_block);
	return out_write(o, blk, ISO_BLOCK);
}

int boot_write_catalog(struct writer *w, struct out *o)
{
	if (o->pos != (uint64_t)w->catalog_block * ISO_BLOCK)
		return w_error(w, ISOKIT_E_INVAL, "internal error: boot catalog out of place");
	struct eltorito_entry ent[BOOT_MAX_ENTRIES];
	catalog_entries(w, ent);
	size_t len = (size_t)w->catalog_blocks * ISO_BLOCK;
	uint8_t *cat = malloc(len);
	if (!cat)
		return ISOKIT_E_NOMEM;
	int rc = eltorito_encode(ent, w->nboots, cat, len)
			 ? out_write(o, cat, len)
			 : w_error(w, ISOKIT_E_INVAL, "internal error: boot catalog size");
	free(cat);
	return rc;
}

/* @p n bytes at @p off of @p path into the stream, a step at a time (an
 * EFI image can be large). */
static int write_source_range(struct writer *w, struct out *o, const char *path, uint64_t off,
			      uint64_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return w_error(w, errno == ENOENT ? ISOKIT_E_NOENT : ISOKIT_E_IO, "%s: %s", path,
			       strerror(errno));
	uint8_t buf[64 << 10];
	int rc = 0;
	for (uint64_t at = 0; at < n && !rc;) {
		size_t want = n - at < sizeof(buf) ? (size_t)(n - at) : sizeof(buf);
		ssize_t r = pread(fd, buf, want, (off_t)(off + at));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = w_error(w, ISOKIT_E_IO, "%s: %s", path,
				     r < 0 ? strerror(errno) : "shorter than it was");
			break;
		}
		rc = out_write(o, buf, (size_t)r);
		at += (uint64_t)r;
	}
	close(fd);
	return rc;
}

/* Images that are no file of the tree, one after the other after the
 * zero block. */
int boot_write_hidden(struct writer *w, struct out *o)
{
	for (uint32_t i = 0; i < w->nboots; i++) {
		struct wboot *e = &w->boots[i];
		if (e->node)
			continue;
		if (o->pos != (uint64_t)e->lba * ISO_BLOCK)
			return w_error(w, ISOKIT_E_INVAL, "internal error: boot image out of place");
		int rc = e->bytes ? out_write(o, e->bytes, (size_t)e->size)
				  : write_source_range(w, o, e->spec.source, e->spec.source_offset,
						       e->size);
		if (!rc)
			rc = out_pad_block(o);
		if (rc)
			return rc;
	}
	return 0;
}

/* Blocks for the hidden images from @p first; returns the next free. */
uint64_t boot_layout_hidden(struct writer *w, uint64_t first)
{
	for (uint32_t i = 0; i < w->nboots; i++) {
		struct wboot *e = &w->boots[i];
		if (e->node)
			continue;
		e->lba = (uint32_t)first;
		first += (e->size + ISO_BLOCK - 1) / ISO_BLOCK;
	}
	return first;
}
