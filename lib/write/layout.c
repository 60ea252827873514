// SPDX-License-Identifier: MIT
/*
 * The layout: which block every structure gets. In order:
 *
 *   0-15    system area (zeros, or an MBR and GPT: sysarea.c)
 *   16      primary volume descriptor
 *   next    El Torito boot record (when there are boot entries)
 *   next    Joliet supplementary volume descriptor (unless --no-joliet)
 *   next    volume descriptor set terminator
 *           with UDF (udf.c): its descriptors up to the anchor at 256,
 *           then from 257 its metadata (--udf-only: the same, without the
 *           ISO 9660 descriptors, path tables and folders)
 *           the El Torito boot catalog
 *           path tables: ISO type L, type M, then Joliet L, M
 *           ISO 9660 folders in path-table order, each followed by the
 *           blocks of its Rock Ridge continuation areas
 *           Joliet folders in path-table order
 *           one zero block: the extent of empty files, links and devices
 *           boot images that are no file of the tree
 *           file data, in the order of the tree (folders breadth-first,
 *           names sorted by bytes), each file on a block boundary
 *           with UDF: its reserve descriptor sequence
 *           with checksums: the per-file SHA-256 table, its trailer and
 *           15 zero blocks (docs/format/file-sums.md), whose last ones
 *           hold the backup GPT of a hybrid image
 *           without checksums, a hybrid image ends in its backup GPT
 *           with UDF the end anchor is the last block before the backup
 *           GPT, or the last block (a block of its own without checksums)
 *
 * Everything is measured by the same code that later writes it.
 */
#include <stdlib.h>
#include <string.h>

#include "ecma119/dirrec.h"
#include "ecma119/vd.h"
#include "write/internal.h"
#include "write/sysarea.h"

static uint32_t blocks_of(uint64_t bytes)
{
	return (uint32_t)((bytes + ISO_BLOCK - 1) / ISO_BLOCK);
}

/* Path-table order for one tree, with every folder's identifier; the
 * measure pass of each folder runs here too. */
static int order_tree(struct writer *w, bool joliet, uint32_t *order, uint32_t *count,
		      uint32_t *pt_size)
{
	struct dirgen g = {.w = w, .joliet = joliet};
	uint32_t n = 0;
	order[n++] = 0;
	struct wdir *root = &w->dirs[0];
	if (joliet) {
		root->jpt_num = 1;
		root->jol_len = 0;
	} else {
		root->pt_num = 1;
		root->iso_len = 0;
	}
	uint64_t pts = pathrec_size(1);
	int rc = 0;
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		g.dir = order[i];
		rc = dirgen_run(&g); /* measures, and leaves the sorted names */
		for (uint32_t k = 0; k < g.names.n && rc == 0; k++) {
			const struct name_slot *s = &g.names.slots[k];
			const struct wnode *c = wnode_at(w, s->node);
			if (c->type != W_DIR)
				continue;
			/* a moved folder is listed under the relocation folder */
			if (!joliet && (c->flags & WF_RELOCATED) && order[i] != w->reloc_dir)
				continue;
			struct wdir *d = &w->dirs[c->data];
			const uint8_t *id = g.names.pool + s->off;
			if (joliet) {
				d->jpt_num = n + 1;
				d->jol_len = (uint8_t)s->len;
				uint8_t *jn = realloc(w->jol_names, w->jol_names_len + s->len);
				if (!jn) {
					rc = ISOKIT_E_NOMEM;
					break;
				}
				w->jol_names = jn;
				memcpy(jn + w->jol_names_len, id, s->len);
				d->jol_off = (uint32_t)w->jol_names_len;
				w->jol_names_len += s->len;
			} else {
				d->pt_num = n + 1;
				d->iso_len = (uint8_t)s->len;
				memcpy(d->iso_id, id, s->len);
			}
			pts += pathrec_size(s->len);
			order[n++] = c->data;
		}
	}
	names_list_free(&g.names);
	if (rc)
		return rc;
	if (pts > UINT32_MAX)
		return w_error(w, ISOKIT_E_LIMIT, "path table larger than 4 GiB");
	*pt_size = (uint32_t)pts;
	*count = n;
	return 0;
}

/*
 * The order of the ISO 9660 folders on the disc. Path-table order, except
 * with relocated folders: libarchive reads folders in the order of their
 * extents and joins a stand-in (CL) with its moved folder (RE) when it
 * meets the stand-in; a stand-in inside a moved folder must be joined
 * before the stand-in of that folder. So the root and the relocation
 * folder come first, then the moved folders and everything below them,
 * the most deeply nested relocations first, then the rest of the tree.
 * Within each part, path-table order keeps parents before children.
 */
static int extent_order(struct writer *w)
{
	w->ext_order = malloc((size_t)w->niso * sizeof(uint32_t));
	if (!w->ext_order)
		return ISOKIT_E_NOMEM;
	uint32_t n = 0;
	w->ext_order[n++] = 0;
	if (w->reloc_dir)
		w->ext_order[n++] = w->reloc_dir;
	for (uint32_t nest = w->max_nest + 1; nest-- > 0;)
		for (uint32_t i = 0; i < w->niso; i++) {
			uint32_t d = w->iso_order[i];
			if (d != 0 && d != w->reloc_dir && w->dirs[d].nest == nest)
				w->ext_order[n++] = d;
		}
	return n == w->niso ? 0 : w_error(w, ISOKIT_E_INVAL, "internal error: folder order");
}

/* The ISO 9660 and Joliet folders in path-table order, measured. */
static int order_trees(struct writer *w)
{
	w->iso_order = malloc((size_t)w->ndirs * sizeof(uint32_t));
	w->jol_order = w->joliet ? malloc((size_t)w->ndirs * sizeof(uint32_t)) : NULL;
	if (!w->iso_order || (w->joliet && !w->jol_order))
		return ISOKIT_E_NOMEM;
	int rc = order_tree(w, false, w->iso_order, &w->niso, &w->pt_size);
	if (!rc && w->joliet)
		rc = order_tree(w, true, w->jol_order, &w->njol, &w->jpt_size);
	return rc ? rc : extent_order(w);
}

/* Path tables and folders of the ISO 9660 and Joliet trees from @p next. */
static uint64_t layout_iso_dirs(struct writer *w, uint64_t next)
{
	w->pt_l = (uint32_t)next;
	next += blocks_of(w->pt_size);
	w->pt_m = (uint32_t)next;
	next += blocks_of(w->pt_size);
	if (w->joliet) {
		w->jpt_l = (uint32_t)next;
		next += blocks_of(w->jpt_size);
		w->jpt_m = (uint32_t)next;
		next += blocks_of(w->jpt_size);
	}
	for (uint32_t i = 0; i < w->niso; i++) {
		struct wdir *d = &w->dirs[w->ext_order[i]];
		d->lba = (uint32_t)next;
		next += d->size / ISO_BLOCK;
		d->ce_lba = (uint32_t)next;
		next += d->ce_blocks;
	}
	for (uint32_t i = 0; w->joliet && i < w->njol; i++) {
		struct wdir *d = &w->dirs[w->jol_order[i]];
		d->jlba = (uint32_t)next;
		next += d->jsize / ISO_BLOCK;
	}
	return next;
}

int layout_run(struct writer *w)
{
	int rc = w->udf_only ? 0 : order_trees(w);
	if (rc)
		return rc;
	uint64_t next = ISO_VD_FIRST;
	if (!w->udf_only)
		next += 1 + (w->nboots ? 1 : 0) + (w->joliet ? 1 : 0) + 1;
	if (w->udf && ((rc = udf_layout_head(w, &next)) != 0 ||
		       (rc = udf_layout_meta(w, &next)) != 0))
		return rc;
	w->catalog_block = (uint32_t)next;
	next += w->catalog_blocks;
	if (w->catalog_node)
		wnode_at(w, w->catalog_node)->lba = w->catalog_block;
	if (!w->udf_only)
		next = layout_iso_dirs(w, next);
	/* the extent of empty files, links and devices in ISO 9660 */
	w->zero_block = (uint32_t)next++;
	next = boot_layout_hidden(w, next);
	for (uint32_t k = 0; k < w->nkids; k++) {
		struct wnode *c = wnode_at(w, w->kids[k]);
		if (!has_own_data(c))
			continue;
		if (c->size > SECTION_MAX_BYTES && w->iso_level < 3) {
			char p[4096];
			tree_image_path(w, w->kids[k], p, sizeof(p));
			return w_error(w, ISOKIT_E_INVAL,
				       "%s: files of 4 GiB and more need ISO level 3", p);
		}
		c->lba = (uint32_t)next;
		next += blocks_of(c->size);
		w->nsums++;
		if (next > UINT32_MAX)
			break;
	}
	if (w->manifest && wnode_at(w, w->manifest)->size) {
		/* its bytes are known once every other file is hashed */
		struct wnode *m = wnode_at(w, w->manifest);
		if (m->size > SECTION_MAX_BYTES && w->iso_level < 3)
			return w_error(w, ISOKIT_E_INVAL, "the manifest needs ISO level 3");
		m->lba = (uint32_t)next;
		next += blocks_of(m->size);
		w->nsums++;
	}
	if (next > UINT32_MAX)
		return w_error(w, ISOKIT_E_LIMIT, "image larger than 8 TiB (2^32 blocks)");
	if (w->udf)
		udf_layout_reserve(w, &next);
	if (w->checksums) {
		/* checkisomd5 fails an image whose 21 fragments are shorter
		 * than its 32 KiB reads: small images are padded with zeros */
		uint64_t end = next + blocks_of((uint64_t)w->nsums * FILESUMS_ENTRY) + FILESUMS_TAIL;
		uint64_t least = (uint64_t)(ISOMD5_FRAGMENTS + 1) * ISOMD5_CHUNK / ISO_BLOCK +
				 ISOMD5_SKIP_SECTORS;
		w->pad_blocks = end < least ? (uint32_t)(least - end) : 0;
		next += w->pad_blocks;
		w->sums_block = (uint32_t)next;
		w->sums_blocks = blocks_of((uint64_t)w->nsums * FILESUMS_ENTRY);
		next += w->sums_blocks;
		w->trailer_block = (uint32_t)next;
		next += FILESUMS_TAIL;
	}
	if (w->udf && !w->checksums)
		w->udf_end_anchor = (uint32_t)next++;
	next = sysarea_layout_end(w, next);
	if (w->udf && w->checksums)
		w->udf_end_anchor = (uint32_t)(next - 1 - w->gpt_blocks); /* the last zero block */
	if (next > UINT32_MAX)
		return w_error(w, ISOKIT_E_LIMIT, "image larger than 8 TiB (2^32 blocks)");
	w->total_blocks = (uint32_t)next;
	return boot_patch(w);
}
