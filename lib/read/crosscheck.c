// SPDX-License-Identifier: MIT
/*
 * Do the primary tree (with Rock Ridge, when present) and the Joliet tree
 * name the same files? Names may differ on purpose (Joliet is cut to 64
 * characters, some characters are replaced) and only Rock Ridge knows
 * symbolic links and devices, so files are matched by their data: every
 * stretch of file data one tree points to, the other must point to as
 * often. A file only one tree has is a finding (code "namespaces"), named
 * by a second walk. Memory: 16 bytes per file with data, per tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_REPORTS 20

struct data_key {
	uint64_t offset, length; /* first byte, bytes stored */
};

struct key_set {
	struct data_key *v;
	size_t n, cap;
};

static bool key_of(const struct isokit_node *node, struct data_key *k)
{
	if ((node->st.mode & 0170000) != 0100000 || node->n_ext == 0 ||
	    node->ext[0].offset == EXTENT_HOLE)
		return false;
	k->offset = node->ext[0].offset;
	k->length = 0;
	for (uint32_t e = 0; e < node->n_ext; e++)
		k->length += node->ext[e].length;
	return k->length > 0;
}

static int cmp_key(const void *a, const void *b)
{
	const struct data_key *x = a, *y = b;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return x->length < y->length ? -1 : x->length > y->length;
}

static int collect_one(void *ud, const struct isokit_node *node, const char *path)
{
	struct key_set *s = ud;
	struct data_key k;
	(void)path;
	if (!key_of(node, &k))
		return 0;
	if (s->n == s->cap) {
		size_t nc = s->cap ? 2 * s->cap : 1024;
		struct data_key *t = realloc(s->v, nc * sizeof(*t));
		if (!t)
			return ISOKIT_E_NOMEM;
		s->v = t;
		s->cap = nc;
	}
	s->v[s->n++] = k;
	return 0;
}

static int collect(struct isokit_image *img, struct key_set *s)
{
	int rc = img_each_entry(img, collect_one, s);
	if (rc)
		return rc;
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp_key);
	return 0;
}

/* Keys of @p a that @p b has fewer of, into @p out (at most MAX_REPORTS);
 * returns how many in all. */
static unsigned missing(const struct key_set *a, const struct key_set *b,
			struct data_key *out, size_t *nout)
{
	unsigned n = 0;
	size_t j = 0;
	for (size_t i = 0; i < a->n; i++) {
		while (j < b->n && cmp_key(&b->v[j], &a->v[i]) < 0)
			j++;
		if (j < b->n && cmp_key(&b->v[j], &a->v[i]) == 0) {
			j++; /* matched once */
			continue;
		}
		if (*nout < MAX_REPORTS)
			out[(*nout)++] = a->v[i];
		n++;
	}
	return n;
}

struct naming {
	struct isokit_image *img; /* where the findings go */
	const struct data_key *keys;
	size_t n;
	bool *done;
	const char *tree, *other;
};

static int name_one(void *ud, const struct isokit_node *node, const char *path)
{
	struct naming *m = ud;
	struct data_key k;
	if (!key_of(node, &k))
		return 0;
	for (size_t i = 0; i < m->n; i++)
		if (!m->done[i] && cmp_key(&m->keys[i], &k) == 0) {
			m->done[i] = true;
			char p[4100];
			snprintf(p, sizeof(p), "/%s", path);
			img_finding(m->img, ISOKIT_SEV_ERROR, "namespaces",
				    (int64_t)(k.offset / ISO_BLOCK), p,
				    "a file of the %s tree that the %s tree does not have", m->tree,
				    m->other);
			break;
		}
	return 0;
}

/* Report the files of @p view whose keys are in @p keys, as findings of
 * @p img. */
static void name_files(struct isokit_image *img, struct isokit_image *view,
		       const struct data_key *keys, size_t n, const char *tree, const char *other)
{
	struct naming m = {img, keys, n, NULL, tree, other};
	if (n == 0 || !(m.done = calloc(n, sizeof(*m.done))))
		return;
	(void)img_each_entry(view, name_one, &m);
	free(m.done);
}

int isokit_check_namespaces(struct isokit_image *img, unsigned *problems)
{
	*problems = 0;
	if (!img->joliet.present || !img->pvd.present)
		return 0;
	struct isokit_image *prim, *jol;
	enum isokit_namespace pns = img->info.has_rockridge ? ISOKIT_NS_ROCKRIDGE
							    : ISOKIT_NS_ISO9660;
	int rc = img_view(img, pns, &prim);
	if (rc)
		return rc;
	rc = img_view(img, ISOKIT_NS_JOLIET, &jol);
	if (rc) {
		isokit_image_close(prim);
		return rc;
	}
	/* the structure walk has reported what the reader finds on the way */
	prim->opts.on_finding = jol->opts.on_finding = NULL;
	struct key_set a = {0}, b = {0};
	rc = collect(prim, &a);
	if (!rc)
		rc = collect(jol, &b);
	if (!rc) {
		struct data_key only_a[MAX_REPORTS], only_b[MAX_REPORTS];
		size_t na = 0, nb = 0;
		const char *pname = pns == ISOKIT_NS_ROCKRIDGE ? "Rock Ridge" : "ISO 9660";
		*problems += missing(&a, &b, only_a, &na);
		*problems += missing(&b, &a, only_b, &nb);
		name_files(img, prim, only_a, na, pname, "Joliet");
		name_files(img, jol, only_b, nb, "Joliet", pname);
		if (*problems > na + nb)
			img_finding(img, ISOKIT_SEV_ERROR, "namespaces", -1, NULL,
				    "%u files in all are in one of the %s and Joliet trees only",
				    *problems, pname);
	}
	free(a.v);
	free(b.v);
	isokit_image_close(jol);
	isokit_image_close(prim);
	return rc;
}
