// SPDX-License-Identifier: MIT
/*
 * File data: plain files spread over one or more extents (multi-extent
 * files of any size), and zisofs files decompressed block by block through
 * zlib (format: libisofs doc/zisofs_format.txt; the header and block size
 * are taken from the ZF entry, as Linux does).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"

#if HAVE_ZLIB
#include <zlib.h>
#endif

#include "base/bytes.h"
#include "base/checked.h"
#include "read/internal.h"

static const uint8_t zisofs_magic[8] = {0x37, 0xE4, 0x53, 0x96,
					0xC9, 0xDB, 0xD6, 0x07};

struct isokit_file {
	struct isokit_image *img;
	uint32_t n_ext;
	struct extent *ext;
	uint64_t stored; /* bytes in the image */
	uint64_t size;   /* bytes of content */
	char *name;
	/* zisofs */
	bool zisofs;
	uint32_t block_size;
	uint64_t nblocks;
	uint32_t *ptrs; /* nblocks + 1 offsets into the stored data */
	uint8_t *cbuf, *ubuf;
	uint64_t cached; /* block held in ubuf, or UINT64_MAX */
};

int extents_read(struct isokit_image *img, const struct extent *ext, uint32_t n, uint64_t pos,
		 void *vbuf, size_t len, const char *path)
{
	uint8_t *buf = vbuf;
	for (uint32_t i = 0; i < n && len > 0; i++) {
		const struct extent *e = &ext[i];
		if (pos >= e->length) {
			pos -= e->length;
			continue;
		}
		size_t k = e->length - pos < len ? (size_t)(e->length - pos) : len;
		if (e->offset == EXTENT_HOLE) {
			memset(buf, 0, k);
		} else {
			int rc = img_read(img, e->offset + pos, buf, k, path);
			if (rc)
				return rc;
		}
		buf += k;
		len -= k;
		pos = 0;
	}
	return len ? img_error(img, ISOKIT_E_CORRUPT, -1, path, "data shorter than its recorded size")
		   : 0;
}

/* Read stored bytes [off, off+len) across the extents. */
static int read_stored(struct isokit_file *f, uint64_t off, uint8_t *buf, size_t len)
{
	return extents_read(f->img, f->ext, f->n_ext, off, buf, len, f->name);
}

static int zisofs_open(struct isokit_file *f, const struct isokit_node *n)
{
	struct isokit_image *img = f->img;
	int64_t sector = f->n_ext ? (int64_t)(f->ext[0].offset / ISO_BLOCK) : -1;
#if !HAVE_ZLIB
	(void)n;
	return img_error(img, ISOKIT_E_NOTBUILT, sector, f->name,
			 "zisofs file, but isokit was built without zlib");
#else
	uint32_t hsize = (uint32_t)n->zf_header_div4 * 4;
	uint8_t shift = n->zf_block_log2;
	if (shift < 15 || shift > 17 || hsize < 16)
		return img_error(img, ISOKIT_E_CORRUPT, sector, f->name,
				 "zisofs: bad block size 2^%u or header size %u",
				 shift, hsize);
	uint8_t head[16];
	if (f->stored < 16)
		return img_error(img, ISOKIT_E_CORRUPT, sector, f->name,
				 "zisofs: file too short for its header");
	int rc = read_stored(f, 0, head, sizeof(head));
	if (rc)
		return rc;
	if (memcmp(head, zisofs_magic, 8) != 0)
		return img_error(img, ISOKIT_E_CORRUPT, sector, f->name,
				 "zisofs: bad magic number");
	f->block_size = 1u << shift;
	f->nblocks = (f->size + f->block_size - 1) >> shift;
	/* The pointer table must lie inside the stored data, so its size is
	 * bounded by the image, never by the claimed file size. */
	uint64_t tbytes = (f->nblocks + 1) * 4;
	if (!range_inside(hsize, tbytes, f->stored))
		return img_error(img, ISOKIT_E_CORRUPT, sector, f->name,
				 "zisofs: block table larger than the stored file");
	f->ptrs = malloc((size_t)tbytes);
	f->cbuf = malloc(2 * (size_t)f->block_size);
	f->ubuf = malloc(f->block_size);
	if (!f->ptrs || !f->cbuf || !f->ubuf)
		return ISOKIT_E_NOMEM;
	rc = read_stored(f, hsize, (uint8_t *)f->ptrs, (size_t)tbytes);
	if (rc)
		return rc;
	for (uint64_t i = 0; i <= f->nblocks; i++) {
		f->ptrs[i] = get_731((const uint8_t *)&f->ptrs[i]);
		if (f->ptrs[i] > f->stored || (i && f->ptrs[i] < f->ptrs[i - 1]))
			return img_error(img, ISOKIT_E_CORRUPT, sector, f->name,
					 "zisofs: bad block pointer %llu",
					 (unsigned long long)i);
	}
	f->zisofs = true;
	f->cached = UINT64_MAX;
	return 0;
#endif
}

int isokit_file_open(struct isokit_image *img, const struct isokit_node *n,
		     struct isokit_file **out)
{
	*out = NULL;
	if (S_ISDIR(n->st.mode))
		return img_error(img, ISOKIT_E_ISDIR, -1, n->name, "is a directory");
	struct isokit_file *f = calloc(1, sizeof(*f));
	if (!f)
		return ISOKIT_E_NOMEM;
	f->img = img;
	f->name = strdup(n->name);
	f->size = S_ISREG(n->st.mode) ? n->st.size : 0;
	f->n_ext = S_ISREG(n->st.mode) ? n->n_ext : 0;
	f->ext = malloc((f->n_ext ? f->n_ext : 1) * sizeof(*f->ext));
	if (!f->name || !f->ext) {
		isokit_file_close(f);
		return ISOKIT_E_NOMEM;
	}
	int rc = 0;
	for (uint32_t i = 0; i < f->n_ext; i++) {
		f->ext[i] = n->ext[i];
		if (f->ext[i].length && f->ext[i].offset != EXTENT_HOLE &&
		    !range_inside(f->ext[i].offset, f->ext[i].length, img->size)) {
			rc = img_error(img, ISOKIT_E_RANGE,
				       (int64_t)(f->ext[i].offset / ISO_BLOCK), n->name,
				       "file data lies outside the image");
			break;
		}
		f->stored += f->ext[i].length;
	}
	if (!rc && n->st.zisofs && f->size > 0)
		rc = zisofs_open(f, n);
	else if (!rc && f->stored < f->size)
		rc = img_error(img, ISOKIT_E_CORRUPT, -1, n->name,
			       "file is shorter than its size");
	if (rc) {
		isokit_file_close(f);
		return rc;
	}
	*out = f;
	return 0;
}

#if HAVE_ZLIB
static int zisofs_block(struct isokit_file *f, uint64_t b)
{
	if (f->cached == b)
		return 0;
	uint32_t start = f->ptrs[b], end = f->ptrs[b + 1];
	uint64_t want = f->size - b * f->block_size;
	if (want > f->block_size)
		want = f->block_size;
	int64_t sector = (int64_t)(f->ext[0].offset / ISO_BLOCK);
	f->cached = UINT64_MAX;
	if (start == end) {
		/* An empty block stands for a block of zeros. */
		memset(f->ubuf, 0, f->block_size);
	} else {
		uint32_t clen = end - start;
		if (clen > 2 * f->block_size)
			return img_error(f->img, ISOKIT_E_CORRUPT, sector, f->name,
					 "zisofs: compressed block %llu too large",
					 (unsigned long long)b);
		int rc = read_stored(f, start, f->cbuf, clen);
		if (rc)
			return rc;
		uLongf got = f->block_size;
		if (uncompress(f->ubuf, &got, f->cbuf, clen) != Z_OK ||
		    got < want)
			return img_error(f->img, ISOKIT_E_CORRUPT, sector, f->name,
					 "zisofs: block %llu does not decompress",
					 (unsigned long long)b);
	}
	f->cached = b;
	return 0;
}
#endif

int64_t isokit_file_pread(struct isokit_file *f, void *buf, size_t len,
			  uint64_t offset)
{
	if (offset >= f->size || len == 0)
		return 0;
	if (len > f->size - offset)
		len = (size_t)(f->size - offset);
	if (len > INT64_MAX)
		len = INT64_MAX;
	if (!f->zisofs) {
		int rc = read_stored(f, offset, buf, len);
		return rc ? rc : (int64_t)len;
	}
#if HAVE_ZLIB
	uint8_t *p = buf;
	size_t done = 0;
	while (done < len) {
		uint64_t pos = offset + done;
		uint64_t b = pos / f->block_size;
		int rc = zisofs_block(f, b);
		if (rc)
			return rc;
		size_t in = (size_t)(pos % f->block_size);
		size_t n = f->block_size - in;
		if (n > len - done)
			n = len - done;
		memcpy(p + done, f->ubuf + in, n);
		done += n;
	}
	return (int64_t)done;
#else
	return ISOKIT_E_NOTBUILT;
#endif
}

int64_t isokit_file_runs(const struct isokit_file *f, uint64_t *offsets,
			 uint64_t *lengths, size_t cap)
{
	if (f->zisofs)
		return ISOKIT_E_UNSUPPORTED;
	/* a hole has no place in the image: such a file is read, not mapped */
	for (uint32_t i = 0; i < f->n_ext; i++)
		if (f->ext[i].offset == EXTENT_HOLE && f->ext[i].length)
			return ISOKIT_E_UNSUPPORTED;
	uint64_t left = f->size;
	size_t n = 0;
	for (uint32_t i = 0; i < f->n_ext && left > 0; i++) {
		uint64_t l = f->ext[i].length < left ? f->ext[i].length : left;
		if (l == 0)
			continue;
		if (n < cap) {
			offsets[n] = f->ext[i].offset;
			lengths[n] = l;
		}
		n++;
		left -= l;
	}
	return (int64_t)n;
}

void isokit_file_close(struct isokit_file *f)
{
	if (!f)
		return;
	free(f->ext);
	free(f->name);
	free(f->ptrs);
	free(f->cbuf);
	free(f->ubuf);
	free(f);
}
