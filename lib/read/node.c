// SPDX-License-Identifier: MIT
/* Nodes: metadata from directory records and Rock Ridge, accessors, and
 * owned copies. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/isotime.h"
#include "read/internal.h"

/* Identity without Rock Ridge serial numbers: the byte address of the
 * data (odd, so it never equals a record address) for files with data,
 * else the address of the directory record (even). Hard links made by
 * genisoimage and xorriso share the data extent. */
static uint64_t data_ino(uint64_t byte_offset) { return byte_offset | 1; }

void node_fill_stat(struct isokit_image *img, struct isokit_node *n,
		    const struct dirrec *r, const struct rr_info *rr,
		    uint64_t record_addr)
{
	struct isokit_stat *st = &n->st;
	bool is_dir = (r->flags & DR_FLAG_DIR) != 0;
	memset(st, 0, sizeof(*st));
	st->hidden = (r->flags & DR_FLAG_HIDDEN) != 0;
	st->associated = (r->flags & DR_FLAG_ASSOCIATED) != 0;

	if (rr && rr->has_px) {
		st->mode = rr->mode;
		st->nlink = rr->nlink;
		st->uid = rr->uid;
		st->gid = rr->gid;
		st->has_owner = true;
		uint32_t type = st->mode & S_IFMT;
		if (is_dir && type != S_IFDIR)
			st->mode = (st->mode & 07777) | S_IFDIR;
		else if (!is_dir && (type == S_IFDIR || type == 0))
			st->mode = (st->mode & 07777) | S_IFREG;
	} else {
		st->mode = is_dir ? (S_IFDIR | 0755) : (S_IFREG | 0644);
		st->nlink = is_dir ? 2 : 1;
	}
	if (st->nlink == 0)
		st->nlink = 1;

	if (rr && rr->has_tf && (rr->tf_modify.valid || rr->tf_access.valid ||
				 rr->tf_attr.valid || rr->tf_create.valid)) {
		st->mtime = rr->tf_modify;
		st->atime = rr->tf_access;
		st->ctime = rr->tf_attr;
		st->btime = rr->tf_create;
		if (!st->mtime.valid)
			st->mtime = isotime_decode7(r->date);
	} else {
		st->mtime = isotime_decode7(r->date);
	}

	if (rr && rr->has_pn && (S_ISCHR(st->mode) || S_ISBLK(st->mode))) {
		/* High word 0: the low word is a whole dev_t (what Linux and
		 * libisofs write); otherwise major/minor. */
		st->rdev = rr->dev_high == 0
				   ? (uint64_t)rr->dev_low
				   : (uint64_t)makedev(rr->dev_high, rr->dev_low);
	}

	if (rr && rr->px_has_ino && rr->ino != 0)
		st->ino = rr->ino;
	else if (!is_dir && S_ISREG(st->mode) && r->size > 0)
		st->ino = data_ino(((uint64_t)r->extent + r->xa_len) * ISO_BLOCK);
	else if (is_dir)
		st->ino = data_ino((uint64_t)r->extent * ISO_BLOCK);
	else
		st->ino = record_addr;
	(void)img;
}

const char *isokit_node_name(const struct isokit_node *node)
{
	return node->name;
}

const struct isokit_stat *isokit_node_stat(const struct isokit_node *node)
{
	return &node->st;
}

const char *isokit_node_link_target(const struct isokit_node *node)
{
	return S_ISLNK(node->st.mode) ? (node->target ? node->target : "") : NULL;
}

bool isokit_node_is_dir(const struct isokit_node *node)
{
	return S_ISDIR(node->st.mode);
}

int isokit_node_dup(const struct isokit_node *node, struct isokit_node **out)
{
	size_t tlen = node->target ? strlen(node->target) + 1 : 0;
	size_t esz = (size_t)node->n_ext * sizeof(struct extent);
	size_t total = sizeof(*node) + esz + node->name_len + 1 + tlen;
	struct isokit_node *n = malloc(total);
	*out = NULL;
	if (!n)
		return ISOKIT_E_NOMEM;
	*n = *node;
	uint8_t *p = (uint8_t *)(n + 1);
	n->ext = esz ? (struct extent *)p : NULL;
	if (esz)
		memcpy(p, node->ext, esz);
	p += esz;
	n->name = (char *)p;
	memcpy(n->name, node->name, node->name_len);
	n->name[node->name_len] = '\0';
	p += node->name_len + 1;
	n->target = NULL;
	if (tlen) {
		n->target = (char *)p;
		memcpy(n->target, node->target, tlen);
	}
	n->owned = true;
	*out = n;
	return 0;
}

void isokit_node_free(struct isokit_node *node)
{
	if (node && node->owned)
		free(node);
}
