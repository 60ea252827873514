// SPDX-License-Identifier: MIT
/*
 * One folder's directory records, in the ISO 9660 tree (with Rock Ridge)
 * or in the Joliet tree. The same code measures a folder during the layout
 * and writes it afterwards, so the two can never disagree.
 *
 * Records never straddle a block (PITFALLS 9). Rock Ridge entries go into
 * the record while they fit in LEN_DR <= 254; the rest goes to a
 * continuation area in the blocks right after the folder's extent, each
 * area inside one block (chained with further CE entries when one block is
 * not enough), as Linux and libarchive require (PITFALLS 28).
 */
#include <string.h>

#include "base/isotime.h"
#include "ecma119/dirrec.h"
#include "ecma119/vd.h"
#include "susp/encode.h"
#include "write/internal.h"

#define REC_MAX 254
#define SU_TEMP 8192

/* The Rock Ridge entries of one record, built in order, then placed. */
struct su_set {
	uint8_t buf[SU_TEMP];
	size_t len;
	uint16_t off[96], elen[96];
	unsigned n;
};

static void su_add(struct su_set *s, size_t len)
{
	/* the caller wrote len bytes at s->buf + s->len */
	s->off[s->n] = (uint16_t)s->len;
	s->elen[s->n] = (uint16_t)len;
	s->n++;
	s->len += len;
}

static uint8_t *su_room(struct su_set *s)
{
	return s->buf + s->len;
}

static void add_nm(struct su_set *s, const char *name, size_t len)
{
	do {
		size_t part = len > 250 ? 250 : len;
		su_add(s, rrip_put_nm(su_room(s), len > part ? NM_CONTINUE : 0, name, part));
		name += part;
		len -= part;
	} while (len > 0);
}

/* The next component of a symlink target at @p *i: its bytes and flags. */
static size_t sl_next(const char *t, size_t len, size_t *i, bool first, uint8_t *flags,
		      const char **c)
{
	*flags = 0;
	*c = t + *i;
	size_t n = 0;
	if (first && len > 0 && t[0] == '/') {
		*flags = SL_ROOT;
		while (*i < len && t[*i] == '/')
			(*i)++;
		return 0;
	}
	while (*i + n < len && t[*i + n] != '/')
		n++;
	*i += n;
	while (*i < len && t[*i] == '/')
		(*i)++;
	if (n == 1 && (*c)[0] == '.')
		*flags = SL_CURRENT, n = 0;
	else if (n == 2 && (*c)[0] == '.' && (*c)[1] == '.')
		*flags = SL_PARENT, n = 0;
	return n;
}

/*
 * Symlink target -> component records -> SL entries of <= 255 bytes. When
 * the target needs several entries, an entry ends in the middle of a
 * component (flag CONTINUE) rather than between two: libarchive 3.6 loses
 * the '/' between components that meet at an entry boundary.
 */
static void add_sl(struct su_set *s, const char *t, size_t len)
{
	enum { ROOM = SUSP_ENTRY_MAX - 5 };
	uint8_t comps[ROOM];
	size_t cl = 0, i = 0;
	bool first = true;
	do {
		uint8_t flags;
		const char *c;
		size_t n = sl_next(t, len, &i, first, &flags, &c);
		bool last = i >= len;
		first = false;
		for (;;) {
			size_t room = ROOM - cl;
			/* whole, if it fits and leaves room for a piece of the
			 * next component (or there is none) */
			if (2 + n <= room && (last || room - (2 + n) >= 3 || n == 0)) {
				comps[cl] = flags;
				comps[cl + 1] = (uint8_t)n;
				memcpy(comps + cl + 2, c, n);
				cl += 2 + n;
				break;
			}
			if (n > 0 && room >= 3) {
				size_t part = room - 2 < n ? room - 2 : n - 1;
				comps[cl] = (uint8_t)(flags | SL_CONTINUE);
				comps[cl + 1] = (uint8_t)part;
				memcpy(comps + cl + 2, c, part);
				cl += 2 + part;
				c += part;
				n -= part;
			}
			su_add(s, rrip_put_sl(su_room(s), SL_CONTINUE, comps, cl));
			cl = 0;
		}
	} while (i < len);
	su_add(s, rrip_put_sl(su_room(s), 0, comps, cl));
}

static void add_tf(struct su_set *s, const struct wnode *n)
{
	int64_t st[4];
	unsigned k = 0;
	uint8_t flags = TF_MODIFY | TF_ACCESS | TF_ATTRIBUTES;
	if (n->btime >= 0) {
		flags |= TF_CREATE;
		st[k++] = n->btime;
	}
	st[k++] = n->mtime;
	st[k++] = n->atime;
	st[k++] = n->ctime;
	su_add(s, rrip_put_tf(su_room(s), flags, st));
}

/* Relocation entries of one record (0: none). */
struct su_extra {
	uint32_t cl, pl;
	bool re;
};

/* The entries for @p n; NM only @p with_name ('.' and '..' have none). */
static void build_su(struct dirgen *g, struct su_set *s, const struct wnode *n,
		     bool with_name, bool root_dot, const struct su_extra *x)
{
	struct writer *w = g->w;
	s->len = s->n = 0;
	if (root_dot)
		su_add(s, susp_put_sp(su_room(s)));
	uint32_t mode = n->mode;
	su_add(s, rrip_put_px(su_room(s), mode, n->nlink ? n->nlink : 1, n->uid, n->gid,
			      n->serial));
	/* The small fixed entries come first, so that they always sit in the
	 * record itself: libarchive decides about CL and RE when it parses
	 * the record and reads continuation areas only later. */
	if (x && x->cl)
		su_add(s, rrip_put_cl(su_room(s), x->cl));
	if (x && x->pl)
		su_add(s, rrip_put_pl(su_room(s), x->pl));
	if (x && x->re)
		su_add(s, rrip_put_re(su_room(s)));
	if (n->type == W_CHR || n->type == W_BLK) {
		uint64_t dev = n->aux;
		/* Linux reads high 0 + low as the device; 64-bit values keep
		 * the top half in "high" (libarchive's reading) */
		su_add(s, rrip_put_pn(su_room(s), dev >> 32, dev & 0xFFFFFFFFu));
	}
	add_tf(s, n);
	if (n->type == W_LNK && with_name)
		add_sl(s, (const char *)arena_at(w, n->aux), (size_t)n->size);
	if (with_name)
		add_nm(s, (const char *)arena_at(w, n->name), n->name_len);
	if (root_dot)
		su_add(s, susp_put_er(su_room(s), RRIP_112_ID, RRIP_112_DESC, RRIP_112_SRC));
}

/* Continuation area: reserve @p len bytes that must sit in one block. */
static uint32_t ce_take(struct dirgen *g, size_t len)
{
	uint32_t in_block = g->ce_pos % ISO_BLOCK;
	if (in_block && in_block + len > ISO_BLOCK)
		g->ce_pos += ISO_BLOCK - in_block;
	uint32_t at = g->ce_pos;
	g->ce_pos += (uint32_t)len;
	return at;
}

static void ce_copy(struct dirgen *g, uint32_t at, const void *p, size_t len)
{
	if (g->o && g->ce && at + len <= g->ce_cap)
		memcpy(g->ce + at, p, len);
}

/*
 * Place entries [from, s->n) in continuation areas; the first area's
 * address and length are returned for the record's CE entry.
 */
static void place_ce(struct dirgen *g, const struct su_set *s, unsigned from,
		     uint32_t *area_at, uint32_t *area_len)
{
	const struct wdir *d = &g->w->dirs[g->dir];
	size_t rest = 0;
	for (unsigned i = from; i < s->n; i++)
		rest += s->elen[i];
	bool first = true;
	unsigned i = from;
	uint32_t prev_ce = 0; /* where the previous area's CE entry goes */
	while (i < s->n) {
		size_t take = 0;
		unsigned j = i;
		if (rest <= ISO_BLOCK) {
			take = rest;
			j = s->n;
		} else {
			while (j < s->n && take + s->elen[j] + SUSP_CE_LEN <= ISO_BLOCK)
				take += s->elen[j++];
		}
		bool more = j < s->n;
		uint32_t at = ce_take(g, take + (more ? SUSP_CE_LEN : 0));
		uint32_t len = (uint32_t)(take + (more ? SUSP_CE_LEN : 0));
		if (first) {
			*area_at = at;
			*area_len = len;
			first = false;
		} else {
			uint8_t ce[SUSP_CE_LEN];
			susp_put_ce(ce, d->ce_lba + at / ISO_BLOCK, at % ISO_BLOCK, len);
			ce_copy(g, prev_ce, ce, sizeof(ce));
		}
		uint32_t p = at;
		for (unsigned k = i; k < j; k++) {
			ce_copy(g, p, s->buf + s->off[k], s->elen[k]);
			p += s->elen[k];
		}
		prev_ce = p;
		rest -= take;
		i = j;
	}
}

static int put_record(struct dirgen *g, const uint8_t *rec, size_t len)
{
	uint32_t in_block = g->pos % ISO_BLOCK;
	if (in_block + len > ISO_BLOCK) {
		if (g->o) {
			memset(g->block + in_block, 0, ISO_BLOCK - in_block);
			int rc = out_write(g->o, g->block, ISO_BLOCK);
			if (rc)
				return rc;
		}
		g->pos += ISO_BLOCK - in_block;
		in_block = 0;
	}
	if (g->o) {
		memcpy(g->block + in_block, rec, len);
		if (in_block + len == ISO_BLOCK) {
			int rc = out_write(g->o, g->block, ISO_BLOCK);
			if (rc)
				return rc;
		}
	}
	g->pos += (uint32_t)len;
	return 0;
}

/* One record: identifier, extent, size, flags and (ISO tree) Rock Ridge. */
static int record(struct dirgen *g, const struct wnode *n, const uint8_t *id, size_t id_len,
		  uint32_t extent, uint32_t size, uint8_t flags, bool with_name, bool root_dot,
		  const struct su_extra *x)
{
	struct su_set set;
	struct su_set *s = &set;
	uint8_t su[REC_MAX];
	size_t su_len = 0;
	if (!g->joliet && g->w->rock) {
		build_su(g, s, n, with_name, root_dot, x);
		size_t budget = REC_MAX - dirrec_size(id_len, 0);
		unsigned i = 0;
		if (s->len <= budget) {
			i = s->n;
			su_len = s->len;
		} else {
			while (i < s->n && su_len + s->elen[i] + SUSP_CE_LEN <= budget)
				su_len += s->elen[i++];
		}
		memcpy(su, s->buf, su_len);
		if (i < s->n) {
			uint32_t at = 0, len = 0;
			place_ce(g, s, i, &at, &len);
			const struct wdir *d = &g->w->dirs[g->dir];
			susp_put_ce(su + su_len, d->ce_lba + at / ISO_BLOCK, at % ISO_BLOCK, len);
			su_len += SUSP_CE_LEN;
		}
		if (su_len & 1)
			su[su_len++] = 0; /* LEN_DR must be even */
	}
	uint8_t date[7];
	isotime_encode7(n->mtime, date);
	uint8_t rec[256];
	struct dirrec_fields f = {
		.extent = extent, .size = size, .date = date, .flags = flags,
		.name = id, .name_len = id_len, .su = su, .su_len = su_len,
	};
	size_t len = dirrec_encode(rec, &f);
	return put_record(g, rec, len);
}

static uint32_t dir_extent(const struct dirgen *g, uint32_t dir)
{
	const struct wdir *d = &g->w->dirs[dir];
	return g->joliet ? d->jlba : d->lba;
}

static uint32_t dir_size(const struct dirgen *g, uint32_t dir)
{
	const struct wdir *d = &g->w->dirs[dir];
	return g->joliet ? d->jsize : d->size;
}

static int child_records(struct dirgen *g, const struct name_slot *slot)
{
	struct writer *w = g->w;
	const struct wnode *c = wnode_at(w, slot->node);
	const uint8_t *id = g->names.pool + slot->off;
	switch (c->type) {
	case W_DIR: {
		struct su_extra x = {0};
		bool in_reloc = !g->joliet && w->reloc_dir && g->dir == w->reloc_dir;
		if (!g->joliet && (c->flags & WF_RELOCATED) && !in_reloc) {
			/* the stand-in at the folder's true place: a file whose
			 * CL leads to the moved folder (RRIP 4.1.5.1) */
			x.cl = w->dirs[c->data].lba;
			return record(g, c, id, slot->len, w->zero_block, 0, 0, true, false, &x);
		}
		x.re = in_reloc;
		return record(g, c, id, slot->len, dir_extent(g, c->data), dir_size(g, c->data),
			      DR_FLAG_DIR, true, false, &x);
	}
	case W_REG: {
		const struct wnode *owner = wnode_at(w, c->data);
		uint64_t left = c->size;
		uint32_t lba = c->size ? owner->lba : w->zero_block;
		/* sections of a multi-extent file: contiguous, block-aligned,
		 * every one with the full Rock Ridge set */
		do {
			uint32_t part = left > SECTION_MAX_BYTES ? SECTION_MAX_BYTES : (uint32_t)left;
			left -= part;
			int rc = record(g, c, id, slot->len, lba, part,
					left ? DR_FLAG_MULTI_EXTENT : 0, true, false, NULL);
			if (rc)
				return rc;
			lba += part / ISO_BLOCK;
		} while (left > 0);
		return 0;
	}
	default:
		return record(g, c, id, slot->len, w->zero_block, 0, 0, true, false, NULL);
	}
}

int dirgen_run(struct dirgen *g)
{
	struct writer *w = g->w;
	struct wdir *d = &w->dirs[g->dir];
	const struct wnode *self = wnode_at(w, d->node);
	/* '..' is the parent in this tree: for a moved folder in the ISO
	 * tree that is the relocation folder, with PL naming the true one */
	uint32_t true_parent = d->node == 0 ? 0 : wnode_at(w, self->parent)->data;
	uint32_t parent_dir = g->joliet ? true_parent : d->iso_parent;
	const struct wnode *parent = wnode_at(w, w->dirs[parent_dir].node);
	struct su_extra dotdot_x = {0};
	if (!g->joliet && (self->flags & WF_RELOCATED))
		dotdot_x.pl = w->dirs[true_parent].lba;
	g->pos = 0;
	g->ce_pos = 0;
	int rc = g->joliet ? names_joliet(w, d->node, &g->names, g->o == NULL)
			   : names_iso(w, d->node, &g->names);
	if (rc)
		return rc;
	static const uint8_t dot = 0, dotdot = 1;
	rc = record(g, self, &dot, 1, dir_extent(g, g->dir), dir_size(g, g->dir), DR_FLAG_DIR,
		    false, d->node == 0, NULL);
	if (!rc)
		rc = record(g, parent, &dotdot, 1, dir_extent(g, parent_dir),
			    dir_size(g, parent_dir), DR_FLAG_DIR, false, false, &dotdot_x);
	for (uint32_t k = 0; k < g->names.n && !rc; k++)
		rc = child_records(g, &g->names.slots[k]);
	if (rc)
		return rc;
	/* finish the last block */
	uint32_t in_block = g->pos % ISO_BLOCK;
	if (in_block) {
		if (g->o) {
			memset(g->block + in_block, 0, ISO_BLOCK - in_block);
			rc = out_write(g->o, g->block, ISO_BLOCK);
			if (rc)
				return rc;
		}
		g->pos += ISO_BLOCK - in_block;
	}
	if (!g->o) {
		uint32_t blocks_ce = (g->ce_pos + ISO_BLOCK - 1) / ISO_BLOCK;
		if (g->joliet) {
			d->jsize = g->pos;
		} else {
			d->size = g->pos;
			d->ce_blocks = blocks_ce;
		}
	}
	return 0;
}
