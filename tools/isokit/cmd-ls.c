// SPDX-License-Identifier: MIT
/*
 * isokit ls: list a directory (or one file) like ls(1); -R lists every path
 * below it, one relative path per line; -l adds mode, links, owner, size,
 * date and link targets; --json gives the same as one JSON document.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cli.h"

enum { OPT_LONG = 1, OPT_RECURSIVE, OPT_SORT };

const struct cmd_def cmd_ls_def = {
	"ls", "IMAGE [PATH]",
	"List the files in IMAGE (below PATH, default the root), in the order\n"
	"the image records them (--sort: by name). With -R, every path below\n"
	"PATH, relative to it, one per line; a folder's entries come before\n"
	"the contents of its subfolders.",
	cmd_ls, false, false,
};

static const struct opt_def ls_opts[] = {
	{OPT_LONG, 'l', "long", NULL, "long format: mode, links, owner, group, size, date, name -> target"},
	{OPT_RECURSIVE, 'R', "recursive", NULL, "list subdirectories recursively"},
	{OPT_SORT, 0, "sort", NULL, "sort each folder's entries by name (bytewise); costs memory in proportion to the widest folder"},
	{OPT_JSON, 0, "json", NULL, "print JSON (schema in isokit-ls(1))"},
	{0, 0, NULL, NULL, NULL},
};

struct ls_state {
	bool lng, recursive, json, sort;
	bool first_json;
	FILE *out;
};

static int ls_opt(int id, const char *arg, void *vctx)
{
	struct ls_state *s = vctx;
	(void)arg;
	if (id == OPT_LONG)
		s->lng = true;
	else if (id == OPT_RECURSIVE)
		s->recursive = true;
	else if (id == OPT_SORT)
		s->sort = true;
	return -1;
}

static void print_entry(struct ls_state *s, const struct isokit_node *n,
			const char *path)
{
	const struct isokit_stat *st = isokit_node_stat(n);
	const char *target = isokit_node_link_target(n);
	FILE *f = s->out;
	if (s->json) {
		char t[64];
		fputs(s->first_json ? "\n    {" : ",\n    {", f);
		s->first_json = false;
		fputs("\"path\": ", f);
		json_string(f, path);
		fputs(", \"name\": ", f);
		json_string(f, isokit_node_name(n));
		fprintf(f, ", \"type\": \"%s\", \"mode\": \"%04o\", \"nlink\": %u, "
			   "\"uid\": %u, \"gid\": %u, \"size\": %llu, \"ino\": %llu",
			type_name(st->mode), st->mode & 07777, st->nlink, st->uid,
			st->gid, (unsigned long long)st->size,
			(unsigned long long)st->ino);
		format_time_iso(&st->mtime, t, sizeof(t));
		fputs(", \"mtime\": ", f);
		if (st->mtime.valid) {
			json_string(f, t);
			fprintf(f, ", \"mtime_epoch\": %lld", (long long)st->mtime.sec);
		} else {
			fputs("null, \"mtime_epoch\": null", f);
		}
		if (S_ISCHR(st->mode) || S_ISBLK(st->mode))
			fprintf(f, ", \"rdev\": %llu", (unsigned long long)st->rdev);
		if (S_ISREG(st->mode) && st->extents)
			fprintf(f, ", \"lba\": %llu, \"extents\": %u",
				(unsigned long long)st->lba, st->extents);
		if (target) {
			fputs(", \"target\": ", f);
			json_string(f, target);
		}
		if (st->zisofs)
			fputs(", \"zisofs\": true", f);
		if (st->hidden)
			fputs(", \"hidden\": true", f);
		if (st->unsafe_name)
			fputs(", \"unsafe_name\": true", f);
		fputs("}", f);
		return;
	}
	if (s->lng) {
		char m[11], t[40];
		mode_string(st->mode, m);
		format_time(&st->mtime, t, sizeof(t));
		if (S_ISCHR(st->mode) || S_ISBLK(st->mode))
			fprintf(f, "%s %3u %5u %5u %7u, %5u %s ", m, st->nlink,
				st->uid, st->gid, major((dev_t)st->rdev),
				minor((dev_t)st->rdev), t);
		else
			fprintf(f, "%s %3u %5u %5u %14llu %s ", m, st->nlink, st->uid,
				st->gid, (unsigned long long)st->size, t);
	}
	print_escaped(f, path);
	if (s->lng && target) {
		fputs(" -> ", f);
		print_escaped(f, target);
	}
	fputc('\n', f);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(isokit_node_name(*(struct isokit_node *const *)a),
		      isokit_node_name(*(struct isokit_node *const *)b));
}

/* One directory, in image order or sorted by name (bytewise, as LC_ALL=C
 * ls does). */
static int list_dir(struct ls_state *s, struct isokit_image *img,
		    const struct isokit_node *dir, const char *image)
{
	struct isokit_dir *d;
	int rc = isokit_dir_open(img, dir, &d);
	if (rc) {
		cli_image_error(image, img, rc);
		return rc;
	}
	if (!s->sort) {
		const struct isokit_node *e;
		while ((rc = isokit_dir_next(d, &e)) > 0)
			print_entry(s, e, isokit_node_name(e));
		if (rc < 0)
			cli_image_error(image, img, rc);
		isokit_dir_close(d);
		return rc < 0 ? rc : 0;
	}
	struct isokit_node **v = NULL;
	size_t n = 0, cap = 0;
	const struct isokit_node *e;
	while ((rc = isokit_dir_next(d, &e)) > 0) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			struct isokit_node **nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				rc = ISOKIT_E_NOMEM;
				break;
			}
			v = nv;
		}
		if ((rc = isokit_node_dup(e, &v[n])) != 0)
			break;
		n++;
	}
	if (rc < 0)
		cli_image_error(image, img, rc);
	isokit_dir_close(d);
	qsort(v, n, sizeof(*v), cmp_names);
	for (size_t i = 0; i < n; i++) {
		print_entry(s, v[i], isokit_node_name(v[i]));
		isokit_node_free(v[i]);
	}
	free(v);
	return rc < 0 ? rc : 0;
}

/* Every path below @p dir, through the walker (loop-safe). Unsorted, it
 * holds only the subfolders of the folders on the current path. */
static int list_tree(struct ls_state *s, struct isokit_image *img,
		     const struct isokit_node *dir, const char *image,
		     const char *start)
{
	struct isokit_walk_options wo = {.sorted = s->sort, .start_path = start};
	struct isokit_walk *w;
	int rc = isokit_walk_new(img, dir, &wo, &w);
	if (rc) {
		cli_image_error(image, img, rc);
		return rc;
	}
	enum isokit_walk_event ev;
	const struct isokit_node *n;
	const char *path;
	int failed = 0;
	while ((rc = isokit_walk_next(w, &ev, &n, &path)) != 0) {
		if (rc < 0) {
			/* The walker leaves out the damaged directory and
			 * goes on with the rest. */
			cli_image_error(image, img, rc);
			failed = rc;
			continue;
		}
		if (ev == ISOKIT_WALK_ENTRY)
			print_entry(s, n, path);
	}
	isokit_walk_free(w);
	return failed;
}

int cmd_ls(int argc, char **argv)
{
	struct common_opts c = {0};
	struct ls_state s = {0};
	s.out = stdout;
	s.first_json = true;
	int first;
	int r = opt_parse(&cmd_ls_def, ls_opts, argc, argv, &c, ls_opt, &s, &first);
	if (r >= 0)
		return r;
	s.json = c.json;
	if (argc - first < 1 || argc - first > 2)
		return usage_error(&cmd_ls_def, "expected IMAGE and at most one PATH");
	const char *image = argv[first];
	const char *path = argc - first == 2 ? argv[first + 1] : "/";
	struct open_ctx ctx;
	struct isokit_image *img = cli_open(image, &c, &ctx);
	if (!img)
		return EXIT_FAIL;
	unsigned failures = 0;
	struct isokit_node *node = NULL;
	int rc = isokit_image_lookup(img, path, &node);
	if (rc) {
		cli_image_error(image, img, rc);
		isokit_image_close(img);
		return EXIT_FAIL;
	}
	if (s.json) {
		fputs("{\n  \"image\": ", stdout);
		json_string(stdout, image);
		fputs(",\n  \"path\": ", stdout);
		json_string(stdout, path);
		fprintf(stdout, ",\n  \"namespace\": \"%s\",\n  \"entries\": [",
			ns_name(isokit_image_info(img)->ns));
	}
	if (isokit_node_is_dir(node))
		failures += (s.recursive ? list_tree(&s, img, node, image, path)
					 : list_dir(&s, img, node, image)) != 0;
	else
		print_entry(&s, node, isokit_node_name(node));
	if (s.json)
		fputs(s.first_json ? "]\n}\n" : "\n  ]\n}\n", stdout);
	isokit_node_free(node);
	isokit_image_close(img);
	if (fflush(stdout) != 0) {
		msg_error(NULL, "cannot write the listing");
		return EXIT_FAIL;
	}
	return (failures || ctx.errors) ? EXIT_FAIL : EXIT_OK;
}
