// SPDX-License-Identifier: MIT
/*
 * Names in the ISO 9660 and Joliet trees, derived from the file names.
 *
 * ISO 9660 (ECMA-119 7.5, 7.6): d-characters only (A-Z 0-9 _), everything
 * else becomes '_' (one per character, not per byte); files are NAME.EXT;1
 * with the extension after the last dot, folders have no dot. Level 1 allows
 * 8+3 and 8, levels 2 and 3 allow 30 for name plus extension (extension at
 * most 8 of them) and 31 for folders.
 *
 * Joliet: UCS-2BE (UTF-16 with surrogate pairs), no version, the characters
 * Joliet forbids (controls, * / : ; ? \) become '_', at most 64 units (103
 * with --joliet-long); a longer name keeps its extension (up to 16 units)
 * and loses the end of its stem.
 *
 * Clashes in one folder are resolved the same way in both trees: children
 * are taken in the order of their original names (bytes), the first keeps
 * the name, later ones get a number at the end of the stem ("NAME1.EXT",
 * "NAME2.EXT", ...). The result depends only on the names, never on the
 * order the filesystem listed them in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/charset.h"
#include "udf/udf.h"
#include "write/internal.h"

#define ISO_MAX_ID 40   /* 30 + '.' + ';1' with room */
#define JOLIET_EXT_MAX 16

void names_list_free(struct name_list *l)
{
	free(l->slots);
	free(l->pool);
	free(l->hash);
	memset(l, 0, sizeof(*l));
}

static int list_reserve(struct name_list *l, uint32_t n)
{
	struct name_slot *s = realloc(l->slots, (n ? n : 1) * sizeof(*s));
	if (!s)
		return ISOKIT_E_NOMEM;
	l->slots = s;
	l->n = 0;
	l->pool_used = 0;
	size_t hc = 16;
	while (hc < (size_t)n * 2)
		hc *= 2;
	if (hc > l->hash_cap) {
		uint32_t *h = realloc(l->hash, hc * sizeof(*h));
		if (!h)
			return ISOKIT_E_NOMEM;
		l->hash = h;
		l->hash_cap = hc;
	}
	return 0;
}

static uint32_t hash_bytes(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void hash_clear(struct name_list *l)
{
	memset(l->hash, 0xFF, l->hash_cap * sizeof(*l->hash));
}

static bool hash_has(const struct name_list *l, const uint8_t *id, size_t len)
{
	size_t mask = l->hash_cap - 1;
	for (size_t i = hash_bytes(id, len) & mask;; i = (i + 1) & mask) {
		uint32_t s = l->hash[i];
		if (s == UINT32_MAX)
			return false;
		if (l->slots[s].len == len && memcmp(l->pool + l->slots[s].off, id, len) == 0)
			return true;
	}
}

static void hash_put(struct name_list *l, uint32_t slot)
{
	size_t mask = l->hash_cap - 1;
	const struct name_slot *s = &l->slots[slot];
	size_t i = hash_bytes(l->pool + s->off, s->len) & mask;
	while (l->hash[i] != UINT32_MAX)
		i = (i + 1) & mask;
	l->hash[i] = slot;
}

/* ---- ISO 9660 ---- */

static uint8_t d_char(uint32_t cp)
{
	if (cp >= 'a' && cp <= 'z')
		return (uint8_t)(cp - 'a' + 'A');
	if ((cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '_')
		return (uint8_t)cp;
	return '_';
}

/* Map UTF-8 to d-characters, one per code point, at most @p max. */
static size_t to_dchars(const char *s, size_t len, uint8_t *out, size_t max)
{
	size_t n = 0;
	while (len > 0 && n < max) {
		uint32_t cp;
		size_t used = utf8_decode(s, len, &cp);
		out[n++] = d_char(cp);
		s += used;
		len -= used;
	}
	return n;
}

struct iso_parts {
	uint8_t base[32], ext[32];
	size_t base_len, ext_len;
	bool is_dir;
};

static void iso_split(const char *name, size_t len, bool is_dir, int level,
		      struct iso_parts *p)
{
	p->is_dir = is_dir;
	p->ext_len = 0;
	size_t base_max = level == 1 ? 8 : 31;
	if (is_dir) {
		p->base_len = to_dchars(name, len, p->base, base_max);
		return;
	}
	/* A leading dot is part of the stem ("_PROFILE"), not an extension. */
	const char *dot = NULL;
	for (size_t i = len; i-- > 1;)
		if (name[i] == '.') {
			dot = name + i;
			break;
		}
	size_t stem = dot ? (size_t)(dot - name) : len;
	size_t ext_max = level == 1 ? 3 : 8;
	if (dot)
		p->ext_len = to_dchars(dot + 1, len - stem - 1, p->ext, ext_max);
	base_max = level == 1 ? 8 : 30 - p->ext_len;
	p->base_len = to_dchars(name, stem, p->base, base_max);
	if (p->base_len == 0 && p->ext_len == 0)
		p->base[p->base_len++] = '_';
}

static size_t iso_compose(const struct iso_parts *p, uint8_t *out)
{
	size_t n = p->base_len;
	memcpy(out, p->base, n);
	if (!p->is_dir) {
		out[n++] = '.';
		memcpy(out + n, p->ext, p->ext_len);
		n += p->ext_len;
		out[n++] = ';';
		out[n++] = '1';
	}
	return n;
}

/* Put a number at the end of the stem, shortening it to stay in bounds. */
static void iso_number(struct iso_parts *p, const uint8_t *base, size_t base_len,
		       unsigned long num, size_t base_max)
{
	char digits[24];
	size_t nd = (size_t)snprintf(digits, sizeof(digits), "%lu", num);
	size_t keep = base_len;
	if (keep + nd > base_max)
		keep = base_max > nd ? base_max - nd : 0;
	memmove(p->base, base, keep);
	memcpy(p->base + keep, digits, nd);
	p->base_len = keep + nd;
}

/* ECMA-119 9.3: stem and extension compared separately, the shorter padded
 * with spaces; the version (always 1 here) decides nothing. */
static void iso_key(const uint8_t *id, size_t len, size_t *stem, size_t *ext_off,
		    size_t *ext_len)
{
	size_t semi = len;
	for (size_t i = 0; i < len; i++)
		if (id[i] == ';') {
			semi = i;
			break;
		}
	size_t dot = semi;
	for (size_t i = 0; i < semi; i++)
		if (id[i] == '.') {
			dot = i;
			break;
		}
	*stem = dot;
	*ext_off = dot < semi ? dot + 1 : semi;
	*ext_len = semi - *ext_off;
}

static int cmp_padded(const uint8_t *a, size_t al, const uint8_t *b, size_t bl,
		      uint8_t pad)
{
	size_t n = al > bl ? al : bl;
	for (size_t i = 0; i < n; i++) {
		uint8_t x = i < al ? a[i] : pad, y = i < bl ? b[i] : pad;
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/* qsort has no context argument; per thread, so handles in two threads
 * do not meet here. */
static _Thread_local const struct name_list *sort_list;

static int cmp_iso(const void *pa, const void *pb)
{
	const struct name_slot *a = pa, *b = pb;
	const uint8_t *ia = sort_list->pool + a->off, *ib = sort_list->pool + b->off;
	size_t as, aeo, ael, bs, beo, bel;
	iso_key(ia, a->len, &as, &aeo, &ael);
	iso_key(ib, b->len, &bs, &beo, &bel);
	int c = cmp_padded(ia, as, ib, bs, ' ');
	if (!c)
		c = cmp_padded(ia + aeo, ael, ib + beo, bel, ' ');
	return c;
}

static int cmp_joliet(const void *pa, const void *pb)
{
	const struct name_slot *a = pa, *b = pb;
	return cmp_padded(sort_list->pool + a->off, a->len, sort_list->pool + b->off,
			  b->len, 0);
}

static void sort_slots(struct name_list *l, int (*cmp)(const void *, const void *))
{
	sort_list = l;
	qsort(l->slots, l->n, sizeof(*l->slots), cmp);
	sort_list = NULL;
}

static int add_slot(struct name_list *l, uint32_t node, const uint8_t *id, size_t len)
{
	if (l->pool_used + len > l->pool_cap) {
		size_t cap = l->pool_cap ? l->pool_cap * 2 : 4096;
		while (cap < l->pool_used + len)
			cap *= 2;
		uint8_t *p = realloc(l->pool, cap);
		if (!p)
			return ISOKIT_E_NOMEM;
		l->pool = p;
		l->pool_cap = cap;
	}
	struct name_slot *s = &l->slots[l->n];
	s->node = node;
	s->off = (uint32_t)l->pool_used;
	s->len = (uint16_t)len;
	memcpy(l->pool + l->pool_used, id, len);
	l->pool_used += len;
	hash_put(l, l->n++);
	return 0;
}

/* The children of a folder in the ISO tree: its own, plus the relocation
 * folder in the root; the relocation folder holds the moved folders. */
static uint32_t iso_count(struct writer *w, uint32_t dir_node)
{
	const struct wnode *d = wnode_at(w, dir_node);
	if (w->reloc_dir && dir_node == w->dirs[w->reloc_dir].node)
		return w->nmoved;
	return d->count + (dir_node == 0 && w->reloc_dir ? 1 : 0);
}

static uint32_t iso_child(struct writer *w, uint32_t dir_node, uint32_t k)
{
	const struct wnode *d = wnode_at(w, dir_node);
	if (w->reloc_dir && dir_node == w->dirs[w->reloc_dir].node)
		return w->moved[k];
	if (k == d->count)
		return w->dirs[w->reloc_dir].node;
	return w->kids[d->first + k];
}

int names_iso(struct writer *w, uint32_t dir_node, struct name_list *l)
{
	uint32_t count = iso_count(w, dir_node);
	int rc = list_reserve(l, count);
	if (rc)
		return rc;
	hash_clear(l);
	for (uint32_t k = 0; k < count; k++) {
		uint32_t ci = iso_child(w, dir_node, k);
		struct wnode *c = wnode_at(w, ci);
		struct iso_parts p;
		iso_split((const char *)arena_at(w, c->name), c->name_len, c->type == W_DIR,
			  w->iso_level, &p);
		uint8_t id[ISO_MAX_ID];
		size_t len = iso_compose(&p, id);
		if (hash_has(l, id, len)) {
			uint8_t base[32];
			size_t base_len = p.base_len;
			memcpy(base, p.base, base_len);
			size_t base_max = w->iso_level == 1 ? 8 : (p.is_dir ? 31 : 30 - p.ext_len);
			for (unsigned long num = 1;; num++) {
				iso_number(&p, base, base_len, num, base_max);
				len = iso_compose(&p, id);
				if (!hash_has(l, id, len))
					break;
			}
		}
		if ((rc = add_slot(l, ci, id, len)) != 0)
			return rc;
	}
	sort_slots(l, cmp_iso);
	return 0;
}

/* ---- Joliet ---- */

static uint16_t joliet_unit(uint16_t u)
{
	if (u < 0x20 || u == '*' || u == '/' || u == ':' || u == ';' || u == '?' ||
	    u == '\\')
		return '_';
	return u;
}

/* UTF-8 to UTF-16 units (host order), at most @p max units, whole
 * characters only; with @p joliet_names, the characters Joliet forbids in
 * names become '_' (surrogates are never among them). */
static size_t to_units(const char *s, size_t len, uint16_t *out, size_t max,
		       bool joliet_names)
{
	size_t n = utf8_to_utf16(s, len, out, max);
	for (size_t i = 0; joliet_names && i < n; i++)
		out[i] = joliet_unit(out[i]);
	return n;
}

static size_t units_be(const uint16_t *u, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = (uint8_t)(u[i] >> 8);
		out[2 * i + 1] = (uint8_t)u[i];
	}
	return 2 * n;
}

/* Keep the stem short enough that stem + number + extension fit. */
static size_t joliet_fit(const uint16_t *all, size_t n, bool is_dir, size_t max,
			 const char *suffix, uint16_t *out)
{
	size_t ext = n; /* index of the last '.', or n */
	if (!is_dir)
		for (size_t i = n; i-- > 1;)
			if (all[i] == '.') {
				ext = i;
				break;
			}
	if (n - ext > JOLIET_EXT_MAX + 1)
		ext = n; /* a very long "extension" is part of the stem */
	size_t sl = strlen(suffix);
	size_t tail = n - ext;
	size_t stem = ext;
	if (stem + sl + tail > max)
		stem = max > sl + tail ? max - sl - tail : 0;
	/* do not cut a surrogate pair in half */
	if (stem > 0 && all[stem - 1] >= 0xD800 && all[stem - 1] <= 0xDBFF)
		stem--;
	memcpy(out, all, stem * sizeof(*out));
	size_t o = stem;
	for (size_t i = 0; i < sl; i++)
		out[o++] = (uint16_t)suffix[i];
	memcpy(out + o, all + ext, tail * sizeof(*out));
	return o + tail;
}

/* How a tree writes its identifiers: UCS-2BE (Joliet) or OSTA CS0 (UDF). */
enum id_form { FORM_UCS2BE, FORM_CS0_8, FORM_CS0_16 };

static size_t pack_units(enum id_form f, const uint16_t *u, size_t n, uint8_t *out)
{
	return f == FORM_UCS2BE ? units_be(u, n, out) : udf_cs0_pack(u, n, f == FORM_CS0_16, out);
}

/* Child @p ci's identifier from its name's units: cut to @p max units
 * (keeping the extension), numbered until unique in @p l, reported when
 * it is not the name, and added to @p l. */
static int add_unique(struct writer *w, struct name_list *l, uint32_t ci, const uint16_t *all,
		      size_t n, size_t max, enum id_form f, bool warn)
{
	bool is_dir = wnode_at(w, ci)->type == W_DIR;
	uint16_t u[256];
	uint8_t id[256];
	size_t un = joliet_fit(all, n, is_dir, max, "", u);
	size_t len = pack_units(f, u, un, id);
	bool changed = un < n; /* shortened, or numbered below */
	for (unsigned long num = 1; hash_has(l, id, len); num++) {
		char suffix[24];
		snprintf(suffix, sizeof(suffix), "%lu", num);
		un = joliet_fit(all, n, is_dir, max, suffix, u);
		len = pack_units(f, u, un, id);
		changed = true;
	}
	if (changed && warn && w->opt.on_warning) {
		char path[4096], now[4 * 256 + 1];
		tree_image_path(w, ci, path, sizeof(path));
		if (f == FORM_UCS2BE)
			ucs2be_to_utf8(id, len, now);
		else
			udf_cs0_to_utf8(id, len, now);
		w->opt.on_warning(w->opt.ctx,
				  f == FORM_UCS2BE ? ISOKIT_WARN_JOLIET_RENAMED : ISOKIT_WARN_UDF_RENAMED,
				  path, now);
	}
	return add_slot(l, ci, id, len);
}

int names_joliet(struct writer *w, uint32_t dir_node, struct name_list *l, bool warn)
{
	struct wnode *d = wnode_at(w, dir_node);
	size_t max = (w->opt.flags & ISOKIT_WRITE_JOLIET_LONG) ? 103 : 64;
	int rc = list_reserve(l, d->count);
	if (rc)
		return rc;
	hash_clear(l);
	uint16_t all[1024];
	for (uint32_t k = 0; k < d->count && rc == 0; k++) {
		uint32_t ci = w->kids[d->first + k];
		struct wnode *c = wnode_at(w, ci);
		size_t n = to_units((const char *)arena_at(w, c->name), c->name_len, all, 1024, true);
		rc = add_unique(w, l, ci, all, n, max, FORM_UCS2BE, warn);
	}
	if (!rc)
		sort_slots(l, cmp_joliet);
	return rc;
}

/* ---- UDF ---- */

/*
 * UDF file identifiers (OSTA CS0): the name as it is when it fits 254
 * bytes (8-bit form: 254 characters up to U+00FF; 16-bit form: 127 UTF-16
 * units), else cut like a Joliet name, keeping the extension. Only '/' and
 * NUL are forbidden, and file names hold neither. Slots stay in the order
 * of the original names.
 */
int names_udf(struct writer *w, uint32_t dir_node, struct name_list *l, bool warn)
{
	struct wnode *d = wnode_at(w, dir_node);
	int rc = list_reserve(l, d->count);
	if (rc)
		return rc;
	hash_clear(l);
	uint16_t all[1024];
	for (uint32_t k = 0; k < d->count && rc == 0; k++) {
		uint32_t ci = w->kids[d->first + k];
		struct wnode *c = wnode_at(w, ci);
		bool wide;
		size_t n = udf_cs0_units((const char *)arena_at(w, c->name), c->name_len, all, 1024,
					 &wide);
		rc = add_unique(w, l, ci, all, n, wide ? 127 : 254, wide ? FORM_CS0_16 : FORM_CS0_8,
				warn);
	}
	return rc;
}

/* ---- volume fields ---- */

size_t names_volume_id(const char *utf8, uint8_t out[32])
{
	return to_dchars(utf8, strlen(utf8), out, 32);
}

int names_label_cut(const char *label)
{
	uint8_t iso[33];
	uint16_t units[18];
	size_t len = strlen(label);
	if (to_dchars(label, len, iso, sizeof(iso)) > 32)
		return 1;
	return to_units(label, len, units, 18, false) > 16 ? 2 : 0;
}

size_t names_achars(const char *utf8, uint8_t *out, size_t max)
{
	/* a-characters (ECMA-119 7.4.1): d-characters, space and
	 * !"%&'()*+,-./:;<=>? */
	static const char extra[] = " !\"%&'()*+,-./:;<=>?";
	size_t n = 0, len = strlen(utf8);
	while (len > 0 && n < max) {
		uint32_t cp;
		size_t used = utf8_decode(utf8, len, &cp);
		out[n++] = (cp < 0x80 && cp && strchr(extra, (int)cp)) ? (uint8_t)cp : d_char(cp);
		utf8 += used;
		len -= used;
	}
	return n;
}

size_t names_ucs2(const char *utf8, size_t len, uint8_t *out, size_t max_bytes)
{
	uint16_t u[128];
	size_t max = max_bytes / 2 < 128 ? max_bytes / 2 : 128;
	return units_be(u, to_units(utf8, len, u, max, false), out);
}
