// SPDX-License-Identifier: MIT
/* isokit verify: is the image intact? Reads the whole directory structure
 * (every directory, every record, as extract would), then checks every
 * embedded checksum it finds: the isomd5sum MD5 that implantisomd5 writes
 * (as checkisomd5 checks it) and xorriso's MD5 tags. Exit 0 intact, 4
 * damage found, 1 could not check. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const struct cmd_def cmd_verify_def = {
	"verify", "IMAGE",
	"Check that an image is intact: read its whole directory structure and\n"
	"check its embedded checksums (the isomd5sum MD5 that implantisomd5 and\n"
	"checkisomd5 use, xorriso's MD5 tags).\n"
	"Exit status: 0 intact, 4 damage found, 1 could not check.",
	cmd_verify, false,
};

static const struct opt_def verify_opts[] = {
	{OPT_JSON, 0, "json", NULL, "print a JSON report (schema in isokit-verify(1))"},
	{0, 0, NULL, NULL, NULL},
};

#define MAX_TAGS 8

struct tag_check {
	struct isokit_md5_tag tag;
	bool intact;
	char computed[33];
	int rc;
};

struct report {
	const char *image;
	int open_rc;           /* the image could not be opened: why */
	uint64_t entries;      /* entries read by the structure walk */
	unsigned errors;       /* structure errors (walk and findings) */
	bool has_isomd5;
	struct isokit_isomd5 isomd5;
	struct isokit_isomd5_result md5;
	int md5_rc;
	struct tag_check tags[MAX_TAGS];
	size_t ntags;
	bool unable;           /* a check could not run (not damage) */
};

static bool on_progress(void *ud, uint64_t done, uint64_t total)
{
	struct progress *p = ud;
	(void)total;
	progress_update(p, done - p->done, 0);
	return true;
}

/* The whole tree, the path tables, overlapping files. Each problem is a
 * finding: printed and counted (ctx.errors) as it is found. */
static void check_structure(struct isokit_image *img, struct report *r)
{
	struct isokit_structure_check sc;
	int rc = isokit_check_structure(img, &sc);
	r->entries = sc.entries;
	if (rc) {
		cli_image_error(r->image, img, rc);
		r->errors++;
	}
}

static bool is_damage(int rc)
{
	return rc == ISOKIT_E_CORRUPT || rc == ISOKIT_E_TRUNCATED || rc == ISOKIT_E_RANGE ||
	       rc == ISOKIT_E_LOOP || rc == ISOKIT_E_LIMIT;
}

static void check_isomd5(struct isokit_image *img, struct report *r, bool quiet)
{
	int rc = isokit_isomd5_get(img, &r->isomd5);
	if (rc == ISOKIT_E_NOENT)
		return;
	r->has_isomd5 = true;
	if (rc) {
		cli_image_error(r->image, img, rc);
		r->md5_rc = rc;
		return;
	}
	struct progress p;
	progress_init(&p, "isomd5sum", r->isomd5.covered_bytes, quiet);
	rc = isokit_isomd5_check(img, on_progress, &p, &r->md5);
	progress_end(&p);
	r->md5_rc = rc;
	if (rc) {
		cli_image_error(r->image, img, rc);
		r->unable = true;
	}
}

static void check_tags(struct isokit_image *img, struct report *r, bool quiet)
{
	struct isokit_md5_tag tags[MAX_TAGS];
	size_t n = 0;
	int rc = isokit_image_md5_tags(img, tags, MAX_TAGS, &n);
	if (rc) {
		cli_image_error(r->image, img, rc);
		r->errors++;
	}
	if (n > MAX_TAGS)
		n = MAX_TAGS;
	for (size_t i = 0; i < n; i++) {
		struct tag_check *t = &r->tags[r->ntags++];
		t->tag = tags[i];
		struct progress p;
		char what[40];
		snprintf(what, sizeof(what), "%.23s tag", tags[i].kind);
		progress_init(&p, what, (uint64_t)tags[i].range_size * 2048, quiet);
		t->rc = isokit_md5_tag_check(img, &tags[i], on_progress, &p, &t->intact,
					     t->computed);
		progress_end(&p);
		if (t->rc) {
			cli_image_error(r->image, img, t->rc);
			if (!is_damage(t->rc))
				r->unable = true;
		}
	}
}

static bool damaged(const struct report *r)
{
	if (r->open_rc || r->errors)
		return true;
	if (r->has_isomd5 && (r->md5_rc ? is_damage(r->md5_rc) : !r->md5.intact))
		return true;
	for (size_t i = 0; i < r->ntags; i++)
		if (r->tags[i].rc ? is_damage(r->tags[i].rc) : !r->tags[i].intact)
			return true;
	return false;
}

static const char *status_of(const struct report *r)
{
	if (damaged(r))
		return "damaged";
	if (r->unable)
		return "unchecked";
	return "intact";
}

static void print_human(const struct report *r)
{
	printf("%s:\n", r->image);
	if (r->open_rc)
		printf("  structure   cannot be read: %s\n", isokit_strerror(r->open_rc));
	else
		printf("  structure   %llu entries read, %u error%s\n",
		       (unsigned long long)r->entries, r->errors, r->errors == 1 ? "" : "s");
	if (r->has_isomd5 && !r->md5_rc) {
		const struct isokit_isomd5_result *m = &r->md5;
		if (m->intact)
			printf("  isomd5sum   MD5 %s matches (%llu bytes, %u blocks at the end not covered)\n",
			       m->computed, (unsigned long long)r->isomd5.covered_bytes,
			       r->isomd5.skip_sectors);
		else if (m->read_bytes < r->isomd5.covered_bytes)
			printf("  isomd5sum   MISMATCH: the image ends at byte %llu, the MD5 covers %llu\n",
			       (unsigned long long)m->read_bytes,
			       (unsigned long long)r->isomd5.covered_bytes);
		else
			printf("  isomd5sum   MISMATCH: recorded %s, computed %s\n", r->isomd5.md5,
			       m->computed);
		if (m->bad_fragment)
			printf("  isomd5sum   first damage in fragment %u: blocks %llu-%llu\n",
			       m->bad_fragment, (unsigned long long)(m->bad_from / 2048),
			       (unsigned long long)((m->bad_to - 1) / 2048));
	} else if (r->has_isomd5) {
		printf("  isomd5sum   could not be checked: %s\n", isokit_strerror(r->md5_rc));
	} else {
		printf("  isomd5sum   none\n");
	}
	for (size_t i = 0; i < r->ntags; i++) {
		const struct tag_check *t = &r->tags[i];
		printf("  xorriso     %s tag, blocks %u-%llu: ", t->tag.kind, t->tag.range_start,
		       (unsigned long long)t->tag.range_start + t->tag.range_size - 1);
		if (t->rc)
			printf("could not be checked: %s\n", isokit_strerror(t->rc));
		else if (t->intact)
			printf("MD5 %s matches\n", t->computed);
		else
			printf("MISMATCH: recorded %s, computed %s\n", t->tag.md5, t->computed);
	}
	const char *st = status_of(r);
	if (!strcmp(st, "intact") && !r->has_isomd5 && !r->ntags)
		printf("result: structure intact; the image carries no checksums, so its file data "
		       "was not checked\n");
	else
		printf("result: %s\n", st);
}

static void print_json(const struct report *r)
{
	FILE *f = stdout;
	fputs("{\n  \"image\": ", f);
	json_string(f, r->image);
	fprintf(f, ",\n  \"status\": \"%s\",\n", status_of(r));
	fprintf(f, "  \"structure\": {\"readable\": %s, \"entries\": %llu, \"errors\": %u},\n",
		r->open_rc ? "false" : "true", (unsigned long long)r->entries, r->errors);
	fputs("  \"isomd5sum\": ", f);
	if (!r->has_isomd5) {
		fputs("null", f);
	} else {
		const struct isokit_isomd5_result *m = &r->md5;
		fprintf(f, "{\"checked\": %s, \"recorded\": \"%s\", \"computed\": ",
			r->md5_rc ? "false" : "true", r->isomd5.md5);
		if (r->md5_rc)
			fputs("null", f);
		else
			fprintf(f, "\"%s\"", m->computed);
		fprintf(f, ", \"intact\": %s, \"covered_bytes\": %llu, \"read_bytes\": %llu, "
			   "\"skip_sectors\": %u, \"fragment_count\": %u, \"bad_blocks\": ",
			!r->md5_rc && m->intact ? "true" : "false",
			(unsigned long long)r->isomd5.covered_bytes, (unsigned long long)m->read_bytes,
			r->isomd5.skip_sectors, r->isomd5.fragment_count);
		if (m->bad_fragment)
			fprintf(f, "[%llu, %llu]}", (unsigned long long)(m->bad_from / 2048),
				(unsigned long long)((m->bad_to - 1) / 2048));
		else
			fputs("null}", f);
	}
	fputs(",\n  \"md5_tags\": [", f);
	for (size_t i = 0; i < r->ntags; i++) {
		const struct tag_check *t = &r->tags[i];
		fprintf(f, "%s\n    {\"kind\": \"%s\", \"range_start\": %u, \"range_blocks\": %u, "
			   "\"recorded\": \"%s\", \"checked\": %s, \"computed\": ",
			i ? "," : "", t->tag.kind, t->tag.range_start, t->tag.range_size,
			t->tag.md5, t->rc ? "false" : "true");
		if (t->rc)
			fputs("null", f);
		else
			fprintf(f, "\"%s\"", t->computed);
		fprintf(f, ", \"intact\": %s}", !t->rc && t->intact ? "true" : "false");
	}
	fputs(r->ntags ? "\n  ]\n}\n" : "]\n}\n", f);
}

int cmd_verify(int argc, char **argv)
{
	struct common_opts c = {0};
	int first;
	int rv = opt_parse(&cmd_verify_def, verify_opts, argc, argv, &c, NULL, NULL, &first);
	if (rv >= 0)
		return rv;
	if (argc - first != 1)
		return usage_error(&cmd_verify_def, "expected one IMAGE");
	struct report *r = calloc(1, sizeof(*r));
	if (!r) {
		msg_error(argv[first], "out of memory");
		return EXIT_FAIL;
	}
	r->image = argv[first];
	struct open_ctx ctx;
	struct isokit_image *img = cli_open_rc(r->image, &c, &ctx, true, &r->open_rc);
	if (!img && !is_damage(r->open_rc)) {
		free(r); /* not an image, or not readable: nothing was checked */
		return EXIT_FAIL;
	}
	if (img) {
		check_structure(img, r);
		check_isomd5(img, r, c.quiet || c.json);
		check_tags(img, r, c.quiet || c.json);
		r->errors += ctx.errors;
	}
	if (c.json)
		print_json(r);
	else if (!c.quiet)
		print_human(r);
	int status = damaged(r) ? EXIT_DAMAGE : r->unable ? EXIT_FAIL : EXIT_OK;
	isokit_image_close(img);
	free(r);
	return status;
}
