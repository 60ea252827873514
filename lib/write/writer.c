// SPDX-License-Identifier: MIT
/* The public face of the writer (include/isokit/writer.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "write/internal.h"

struct isokit_writer {
	struct writer w;
};

ISOKIT_API struct isokit_writer *isokit_writer_new(const struct isokit_writer_options *opts)
{
	struct isokit_writer_options def = {0};
	if (!opts)
		opts = &def;
	int level = opts->iso_level ? opts->iso_level : 3;
	if (level < 1 || level > 3)
		return NULL;
	unsigned rev = opts->udf_revision ? opts->udf_revision : 0x0102;
	if (rev != 0x0102 && rev != 0x0201 && rev != 0x0250)
		return NULL;
	struct isokit_writer *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	struct writer *w = &h->w;
	w->opt = *opts;
	w->opt.exclude = NULL; /* copied below */
	if (opts->exclude) {
		size_t n = 0;
		while (opts->exclude[n])
			n++;
		char **ex = calloc(n + 1, sizeof(*ex));
		if (!ex) {
			free(h);
			return NULL;
		}
		for (size_t i = 0; i < n; i++)
			if (!(ex[i] = strdup(opts->exclude[i]))) {
				for (size_t j = 0; j < i; j++)
					free(ex[j]);
				free(ex);
				free(h);
				return NULL;
			}
		w->exclude = ex;
		w->opt.exclude = (const char *const *)ex;
	}
	w->iso_level = level;
	w->rock = !(opts->flags & ISOKIT_WRITE_NO_ROCK);
	w->joliet = !(opts->flags & ISOKIT_WRITE_NO_JOLIET);
	w->checksums = !(opts->flags & ISOKIT_WRITE_NO_CHECKSUMS);
	w->udf_only = opts->flags & ISOKIT_WRITE_UDF_ONLY;
	w->udf = w->udf_only || (opts->flags & ISOKIT_WRITE_UDF);
	w->udf_rev = (uint16_t)rev;
	w->udf_mref = rev >= 0x0250 ? 1 : 0;
	if (w->udf_only)
		w->rock = w->joliet = false;
	w->now = opts->use_source_date_epoch ? opts->source_date_epoch : (int64_t)time(NULL);
	if (tree_init(w) != 0) {
		isokit_writer_free(h);
		return NULL;
	}
	return h;
}

ISOKIT_API int isokit_writer_add(struct isokit_writer *h, const char *image_path,
				 const char *source)
{
	if (!h || !source)
		return ISOKIT_E_INVAL;
	h->w.msg[0] = '\0';
	return tree_add(&h->w, image_path ? image_path : "", source);
}

ISOKIT_API void isokit_writer_stats(const struct isokit_writer *h,
				    struct isokit_writer_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!h)
		return;
	const struct writer *w = &h->w;
	uint64_t files = 0, dirs = 0, links = 0, specials = 0;
	for (uint32_t i = 0; i < w->nnodes; i++) {
		const struct wnode *n = wnode_const(w, i);
		if (n->flags & WF_ISO_ONLY)
			continue; /* the relocation folder is not the user's */
		switch (n->type) {
		case W_REG: files++; break;
		case W_DIR: dirs++; break;
		case W_LNK: links++; break;
		default: specials++; break;
		}
	}
	out->files = files;
	out->dirs = dirs;
	out->symlinks = links;
	out->specials = specials;
	out->data_bytes = w->data_bytes;
	out->image_bytes = (uint64_t)w->total_blocks * 2048u;
}

ISOKIT_API int isokit_writer_write_fd(struct isokit_writer *h, int fd)
{
	if (!h || fd < 0)
		return ISOKIT_E_INVAL;
	struct writer *w = &h->w;
	if (w->written)
		return w_error(w, ISOKIT_E_SEQUENCE, "the image was already written");
	w->written = true;
	w->msg[0] = '\0';
	int rc = 0;
	if (w->opt.flags & ISOKIT_WRITE_MANIFEST)
		rc = w->checksums ? manifest_add(w)
				  : w_error(w, ISOKIT_E_INVAL, "a manifest needs the checksums");
	if (!rc && w->udf_only && (w->nboots || w->sysarea))
		rc = w_error(w, ISOKIT_E_INVAL,
			     "a UDF-only image cannot boot: El Torito and the hybrid "
			     "partition tables need the ISO 9660 descriptors (use --udf)");
	if (!rc)
		rc = boot_name_catalog(w);
	if (!rc)
		rc = boot_prepare(w);
	if (!rc)
		rc = tree_finalize(w);
	if (!rc && (w->opt.flags & ISOKIT_WRITE_DEDUP))
		rc = dedup_run(w);
	if (!rc && w->manifest)
		rc = manifest_measure(w);
	if (!rc)
		rc = layout_run(w);
	if (!rc)
		rc = emit_image(w, fd);
	return rc;
}

ISOKIT_API int isokit_writer_add_boot(struct isokit_writer *h,
				      const struct isokit_boot_image *b)
{
	if (!h || !b)
		return ISOKIT_E_INVAL;
	h->w.msg[0] = '\0';
	return writer_add_boot(&h->w, b);
}

ISOKIT_API int isokit_writer_set_boot_catalog(struct isokit_writer *h, const char *image_path)
{
	if (!h)
		return ISOKIT_E_INVAL;
	char *p = NULL;
	if (image_path && !(p = strdup(image_path)))
		return ISOKIT_E_NOMEM;
	free(h->w.catalog_path);
	h->w.catalog_path = p;
	return 0;
}

ISOKIT_API int isokit_writer_set_system_area(struct isokit_writer *h, const void *bytes,
					     size_t len, unsigned flags)
{
	if (!h)
		return ISOKIT_E_INVAL;
	if (len > SYSTEM_AREA_BYTES || (len && !bytes))
		return w_error(&h->w, ISOKIT_E_INVAL, "a system area is at most %u bytes",
			       SYSTEM_AREA_BYTES);
	if (flags & ~(unsigned)(ISOKIT_SA_HYBRID | ISOKIT_SA_GRUB2_MBR | ISOKIT_SA_ISOHYBRID_MBR |
				ISOKIT_SA_MBR_ONLY))
		return w_error(&h->w, ISOKIT_E_INVAL, "system area: unknown flags 0x%x", flags);
	if (flags & ISOKIT_SA_GRUB2_MBR && flags & ISOKIT_SA_ISOHYBRID_MBR)
		return w_error(&h->w, ISOKIT_E_INVAL,
			       "the MBR code is either GRUB 2's or isolinux's, not both");
	uint8_t *sa = calloc(1, SYSTEM_AREA_BYTES);
	if (!sa)
		return ISOKIT_E_NOMEM;
	if (len)
		memcpy(sa, bytes, len);
	free(h->w.sysarea);
	h->w.sysarea = sa;
	h->w.sa_flags = flags;
	return 0;
}

ISOKIT_API const char *isokit_writer_isomd5(const struct isokit_writer *h)
{
	return h ? h->w.isomd5 : "";
}

ISOKIT_API const char *isokit_writer_errmsg(const struct isokit_writer *h)
{
	return h ? h->w.msg : "";
}

ISOKIT_API void isokit_writer_cancel(struct isokit_writer *h)
{
	if (h)
		h->w.cancel = 1;
}

ISOKIT_API void isokit_writer_free(struct isokit_writer *h)
{
	if (!h)
		return;
	tree_free(&h->w);
	if (h->w.exclude) {
		for (char **p = h->w.exclude; *p; p++)
			free(*p);
		free(h->w.exclude);
	}
	boot_free(&h->w);
	free(h->w.jol_names);
	free(h->w.udf_fe);
	free(h->w.sum_sha);
	free(h->w.sum_lba);
	free(h);
}
