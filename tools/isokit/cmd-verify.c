// SPDX-License-Identifier: MIT
/* isokit verify: is the image intact? Reads the whole directory structure
 * (every directory, every record, as extract would), then checks every
 * embedded checksum it finds: in one read of the image, the isomd5sum MD5
 * that implantisomd5 writes (as checkisomd5 checks it) and the SHA-256 of
 * each file that isokit create writes; then xorriso's MD5 tags. Damaged
 * files are named by their paths. Exit 0 intact, 4 damage found, 1 could
 * not check. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const struct cmd_def cmd_verify_def = {
	"verify", "IMAGE",
	"Check that an image is intact: read its whole directory structure and\n"
	"check its embedded checksums (the SHA-256 of each file that isokit create\n"
	"writes, the isomd5sum MD5 that implantisomd5 and checkisomd5 use,\n"
	"xorriso's MD5 tags), naming each damaged file.\n"
	"Exit status: 0 intact, 4 damage found, 1 could not check.",
	cmd_verify, false, true,
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

/* A file whose data is damaged, or (without file sums) that lies where
 * the isomd5sum fragment sums place the first damage. */
struct named {
	char *path;
	uint64_t first, blocks; /* its damaged range */
};

struct report {
	const char *image;
	int open_rc;           /* the image could not be opened: why */
	uint64_t entries;      /* entries read by the structure walk */
	unsigned errors;       /* structure errors (walk and findings) */
	struct isokit_data_check data;
	int data_rc;           /* the data pass stopped: why */
	struct isokit_block_range *bad; /* files whose SHA-256 differs */
	size_t nbad, bad_cap;
	struct named *files;   /* their paths (several for hard links) */
	size_t nfiles, files_cap;
	bool suspects;         /* files[] are those in the isomd5sum's bad range */
	bool has_ecc;          /* repair data found (isokit ecc add) */
	struct isokit_ecc_info ecc;
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

static void on_bad_data(void *ud, uint32_t block, uint64_t size)
{
	struct report *r = ud;
	if (r->nbad == r->bad_cap) {
		size_t nc = r->bad_cap ? 2 * r->bad_cap : 64;
		struct isokit_block_range *t = realloc(r->bad, nc * sizeof(*t));
		if (!t)
			return; /* counted in files_bad all the same */
		r->bad = t;
		r->bad_cap = nc;
	}
	r->bad[r->nbad++] = (struct isokit_block_range){block, (size + 2047) / 2048};
}

static int on_named(void *ud, const char *path, size_t range)
{
	struct report *r = ud;
	const struct isokit_block_range *br = r->suspects ? NULL : &r->bad[range];
	if (r->nfiles == r->files_cap) {
		size_t nc = r->files_cap ? 2 * r->files_cap : 64;
		struct named *t = realloc(r->files, nc * sizeof(*t));
		if (!t)
			return ISOKIT_E_NOMEM;
		r->files = t;
		r->files_cap = nc;
	}
	char *p = strdup(path);
	if (!p)
		return ISOKIT_E_NOMEM;
	r->files[r->nfiles++] = (struct named){p, br ? br->first : 0, br ? br->count : 0};
	return 0;
}

/* The isomd5sum MD5 and every file's SHA-256, in one read; then the
 * damaged files' paths. */
static void check_data(struct isokit_image *img, struct report *r, bool quiet)
{
	struct progress p;
	progress_init(&p, "checking data", isokit_image_info(img)->volume_blocks * 2048, quiet);
	int rc = isokit_check_data(img, on_progress, &p, on_bad_data, r, &r->data);
	progress_end(&p);
	r->data_rc = rc;
	if (rc) {
		cli_image_error(r->image, img, rc);
		r->unable = true;
		return;
	}
	const struct isokit_data_check *d = &r->data;
	if (d->has_isomd5 && d->isomd5_rc && !is_damage(d->isomd5_rc))
		r->unable = true;
	if (d->has_file_sums && d->file_sums_rc && !is_damage(d->file_sums_rc))
		r->unable = true;
	struct isokit_block_range suspect;
	if (r->nbad) {
		rc = isokit_files_in_blocks(img, r->bad, r->nbad, on_named, r);
	} else if (!d->has_file_sums && d->has_isomd5 && !d->isomd5_rc && !d->md5.intact &&
		   d->md5.bad_to > d->md5.bad_from) {
		/* without file sums only the first bad fragment is known */
		suspect.first = d->md5.bad_from / 2048;
		suspect.count = (d->md5.bad_to - 1) / 2048 + 1 - suspect.first;
		r->suspects = true;
		rc = isokit_files_in_blocks(img, &suspect, 1, on_named, r);
	}
	if (rc)
		cli_image_error(r->image, img, rc);
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
	const struct isokit_data_check *d = &r->data;
	if (r->open_rc || r->errors || d->unreadable_blocks)
		return true;
	if (!r->data_rc && d->has_isomd5 &&
	    (d->isomd5_rc ? is_damage(d->isomd5_rc) : !d->md5.intact))
		return true;
	if (!r->data_rc && d->has_file_sums &&
	    (d->file_sums_rc ? is_damage(d->file_sums_rc) : d->files_bad > 0))
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
	const struct isokit_data_check *d = &r->data;
	if (r->data_rc)
		printf("  data        could not be checked: %s\n", isokit_strerror(r->data_rc));
	if (r->data_rc) {
	} else if (d->has_file_sums && d->file_sums_rc) {
		printf("  file sums   could not be used: %s\n", isokit_strerror(d->file_sums_rc));
	} else if (d->has_file_sums && !d->files_bad) {
		printf("  file sums   SHA-256 of all %llu files with data matches\n",
		       (unsigned long long)d->files_checked);
	} else if (d->has_file_sums) {
		printf("  file sums   %llu of %llu files DAMAGED (SHA-256 differs):\n",
		       (unsigned long long)d->files_bad, (unsigned long long)d->files_checked);
		for (size_t i = 0; i < r->nfiles && i < 50; i++)
			printf("                %s (blocks %llu-%llu)\n", r->files[i].path,
			       (unsigned long long)r->files[i].first,
			       (unsigned long long)(r->files[i].first + r->files[i].blocks - 1));
		if (r->nfiles > 50)
			printf("                ... and %zu more (see --json)\n", r->nfiles - 50);
	} else {
		printf("  file sums   none\n");
	}
	if (r->data_rc) {
	} else if (d->has_isomd5 && !d->isomd5_rc) {
		const struct isokit_isomd5_result *m = &d->md5;
		if (m->intact)
			printf("  isomd5sum   MD5 %s matches (%llu bytes, %u blocks at the end not covered)\n",
			       m->computed, (unsigned long long)d->isomd5.covered_bytes,
			       d->isomd5.skip_sectors);
		else if (m->read_bytes < d->isomd5.covered_bytes)
			printf("  isomd5sum   MISMATCH: the image ends at byte %llu, the MD5 covers %llu\n",
			       (unsigned long long)m->read_bytes,
			       (unsigned long long)d->isomd5.covered_bytes);
		else
			printf("  isomd5sum   MISMATCH: recorded %s, computed %s\n", d->isomd5.md5,
			       m->computed);
		if (m->bad_fragment)
			printf("  isomd5sum   first damage in fragment %u: blocks %llu-%llu\n",
			       m->bad_fragment, (unsigned long long)(m->bad_from / 2048),
			       (unsigned long long)((m->bad_to - 1) / 2048));
		if (r->suspects) {
			printf("  isomd5sum   files there (the image has no per-file sums to tell which):\n");
			for (size_t i = 0; i < r->nfiles && i < 50; i++)
				printf("                %s\n", r->files[i].path);
			if (r->nfiles > 50)
				printf("                ... and %zu more (see --json)\n", r->nfiles - 50);
		}
	} else if (d->has_isomd5) {
		printf("  isomd5sum   could not be checked: %s\n", isokit_strerror(d->isomd5_rc));
	} else {
		printf("  isomd5sum   none\n");
	}
	if (d->unreadable_blocks)
		printf("  unreadable  %llu blocks could not be read\n",
		       (unsigned long long)d->unreadable_blocks);
	if (r->has_ecc)
		printf("  repair data %s, %u repair blocks per %u%s\n",
		       r->ecc.sidecar ? "in a sidecar file" : "after the image", r->ecc.m, r->ecc.k,
		       damaged(r) ? ": 'isokit repair' can rebuild what it covers" : "");
	else
		printf("  repair data none\n");
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
	if (!strcmp(st, "intact") && !d->has_isomd5 && !d->has_file_sums && !r->ntags)
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
	const struct isokit_data_check *d = &r->data;
	fputs("  \"file_sums\": ", f);
	if (!d->has_file_sums || r->data_rc) {
		fputs("null", f);
	} else {
		fprintf(f, "{\"checked\": %s, \"table_intact\": %s, \"files_checked\": %llu, "
			   "\"files_bad\": %llu, \"damaged\": [",
			d->file_sums_rc ? "false" : "true", d->table_intact ? "true" : "false",
			(unsigned long long)d->files_checked, (unsigned long long)d->files_bad);
		for (size_t i = 0; !r->suspects && i < r->nfiles; i++) {
			fputs(i ? ", {\"path\": " : "{\"path\": ", f);
			json_string(f, r->files[i].path);
			fprintf(f, ", \"first_block\": %llu, \"blocks\": %llu}",
				(unsigned long long)r->files[i].first,
				(unsigned long long)r->files[i].blocks);
		}
		fputs("]}", f);
	}
	fputs(",\n  \"isomd5sum\": ", f);
	if (!d->has_isomd5 || r->data_rc) {
		fputs("null", f);
	} else {
		const struct isokit_isomd5_result *m = &d->md5;
		fprintf(f, "{\"checked\": %s, \"recorded\": \"%s\", \"computed\": ",
			d->isomd5_rc ? "false" : "true", d->isomd5.md5);
		if (d->isomd5_rc)
			fputs("null", f);
		else
			fprintf(f, "\"%s\"", m->computed);
		fprintf(f, ", \"intact\": %s, \"covered_bytes\": %llu, \"read_bytes\": %llu, "
			   "\"skip_sectors\": %u, \"fragment_count\": %u, \"bad_blocks\": ",
			!d->isomd5_rc && m->intact ? "true" : "false",
			(unsigned long long)d->isomd5.covered_bytes, (unsigned long long)m->read_bytes,
			d->isomd5.skip_sectors, d->isomd5.fragment_count);
		if (m->bad_fragment)
			fprintf(f, "[%llu, %llu]", (unsigned long long)(m->bad_from / 2048),
				(unsigned long long)((m->bad_to - 1) / 2048));
		else
			fputs("null", f);
		fputs(", \"files_in_bad_blocks\": ", f);
		if (!r->suspects) {
			fputs("null}", f);
		} else {
			fputc('[', f);
			for (size_t i = 0; i < r->nfiles; i++) {
				if (i)
					fputs(", ", f);
				json_string(f, r->files[i].path);
			}
			fputs("]}", f);
		}
	}
	fprintf(f, ",\n  \"unreadable_blocks\": %llu", (unsigned long long)d->unreadable_blocks);
	if (r->has_ecc)
		fprintf(f, ",\n  \"repair_data\": {\"where\": \"%s\", \"k\": %u, \"m\": %u, "
			   "\"data_blocks\": %llu}",
			r->ecc.sidecar ? "sidecar" : "appended", r->ecc.k, r->ecc.m,
			(unsigned long long)r->ecc.data_blocks);
	else
		fputs(",\n  \"repair_data\": null", f);
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
		check_data(img, r, c.quiet || c.json);
		r->has_ecc = isokit_ecc_find(r->image, NULL, &r->ecc, NULL, 0) == 0;
		check_tags(img, r, c.quiet || c.json);
		r->errors += ctx.errors;
	}
	if (c.json)
		print_json(r);
	else if (!c.quiet)
		print_human(r);
	int status = damaged(r) ? EXIT_DAMAGE : r->unable ? EXIT_FAIL : EXIT_OK;
	isokit_image_close(img);
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i].path);
	free(r->files);
	free(r->bad);
	free(r);
	return status;
}
