// SPDX-License-Identifier: MIT
/* isokit repair: rebuild an image's damaged blocks from its repair data
 * (isokit ecc add, create --ecc). Exit 0 when the image is whole (it was,
 * or is now), 4 when damage remains (named by block and file), 1 when it
 * could not be checked. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "damaged.h"
#include "interrupt.h"

const struct cmd_def cmd_repair_def = {
	"repair", "[-o OUT] [--check] [--json] IMAGE",
	"Find the damaged, unreadable or missing blocks of an image by the CRC32C\n"
	"of its repair data and rebuild them. The result goes to a copy, which\n"
	"replaces IMAGE (or becomes OUT) once every rebuilt block has checked out;\n"
	"blocks that cannot be rebuilt stay as they were, and the files they belong\n"
	"to are named. Exit status: 0 whole, 4 damage remains, 1 could not check.",
	cmd_repair, true, true,
};

enum { OPT_OUT = 1, OPT_CHECK, OPT_SIDECAR_FILE };

static const struct opt_def repair_opts[] = {
	{OPT_OUT, 'o', "output", "OUT", "write the repaired image to OUT; IMAGE is left alone"},
	{OPT_CHECK, 0, "check", NULL, "only find the damage and say what could be rebuilt"},
	{OPT_SIDECAR_FILE, 0, "sidecar-file", "FILE", "the repair data is in FILE (default: after the image, or IMAGE.ecc)"},
	{OPT_JSON, 0, "json", NULL, "print a JSON report"},
	{0, 0, NULL, NULL, NULL},
};

static int repair_opt(int id, const char *arg, void *vctx)
{
	struct isokit_repair_options *o = vctx;
	if (id == OPT_OUT)
		o->output = arg;
	else if (id == OPT_CHECK)
		o->check_only = true;
	else if (id == OPT_SIDECAR_FILE)
		o->sidecar_path = arg;
	return -1;
}

static void print_json(const char *image, const struct isokit_repair_result *r,
		       const struct damaged_files *nm, bool check)
{
	fputs("{\"image\": ", stdout);
	json_string(stdout, image);
	printf(", \"status\": \"%s\", \"bad_blocks\": %llu, \"bad_repair_blocks\": %llu, "
	       "\"repaired_blocks\": %llu, \"unrepairable_blocks\": %llu, "
	       "\"unchecked_blocks\": %llu, \"written\": %s, "
	       "\"check_only\": %s, \"damaged_ranges\": [",
	       r->unrepairable_blocks		? "damaged"
	       : (r->bad_blocks && check) ? "repairable"
	       : r->unchecked_blocks	? "unchecked"
					: "intact",
	       (unsigned long long)r->bad_blocks, (unsigned long long)r->bad_repair_blocks,
	       (unsigned long long)r->repaired_blocks, (unsigned long long)r->unrepairable_blocks,
	       (unsigned long long)r->unchecked_blocks, r->written ? "true" : "false",
	       check ? "true" : "false");
	for (size_t i = 0; i < r->nleft; i++)
		printf("%s[%llu, %llu]", i ? ", " : "", (unsigned long long)r->left[i].first,
		       (unsigned long long)(r->left[i].first + r->left[i].count - 1));
	fputs("], \"damaged_files\": ", stdout);
	damaged_files_json(stdout, nm);
	fputs("}\n", stdout);
}

static void print_human(const char *image, const struct isokit_repair_result *r,
			const struct damaged_files *nm, bool check, const char *out)
{
	if (!r->bad_blocks && !r->bad_repair_blocks && !r->written) {
		printf("%s: intact (%llu blocks and %llu repair blocks checked)\n", image,
		       (unsigned long long)r->ecc.data_blocks,
		       (unsigned long long)(r->ecc.area_blocks));
		return;
	}
	printf("%s: %llu damaged block%s", image, (unsigned long long)r->bad_blocks,
	       r->bad_blocks == 1 ? "" : "s");
	if (r->bad_repair_blocks)
		printf(", and %llu in the repair data", (unsigned long long)r->bad_repair_blocks);
	putchar('\n');
	if (check) {
		printf("  %s\n", r->unrepairable_blocks
				      ? "more damage than the repair data covers in places:"
				      : "all of it can be rebuilt: run isokit repair without --check");
	} else if (!r->unrepairable_blocks) {
		printf("  rebuilt %llu block%s: %s is whole again\n",
		       (unsigned long long)r->repaired_blocks, r->repaired_blocks == 1 ? "" : "s",
		       out ? out : "the image");
	} else {
		printf("  rebuilt %llu block%s; %llu could not be (more damage than the repair data "
		       "covers)%s\n",
		       (unsigned long long)r->repaired_blocks, r->repaired_blocks == 1 ? "" : "s",
		       (unsigned long long)r->unrepairable_blocks,
		       r->written ? "" : "; nothing was written");
	}
	for (size_t i = 0; i < r->nleft && i < 20; i++)
		printf("  still damaged: blocks %llu-%llu\n", (unsigned long long)r->left[i].first,
		       (unsigned long long)(r->left[i].first + r->left[i].count - 1));
	if (r->nleft > 20)
		printf("  ... %zu ranges in all\n", r->nleft);
	damaged_files_print(nm);
}

int cmd_repair(int argc, char **argv)
{
	struct common_opts c = {0};
	struct isokit_repair_options o = {0};
	int first;
	int rv = opt_parse(&cmd_repair_def, repair_opts, argc, argv, &c, repair_opt, &o, &first);
	if (rv >= 0)
		return rv;
	if (argc - first != 1)
		return usage_error(&cmd_repair_def, "expected one IMAGE");
	const char *image = argv[first];
	interrupt_install();
	struct progress p;
	progress_init(&p, "repair", 0, c.quiet || c.json);
	o.progress = interrupt_progress;
	o.ud = &p;
	struct isokit_repair_result r;
	char msg[1024];
	int rc = isokit_repair(image, &o, &r, msg, sizeof(msg));
	progress_end(&p);
	if (rc) {
		if (rc == ISOKIT_E_CANCELED)
			msg_error(image, "interrupted: nothing was changed");
		else
			msg_error(image, "%s", msg[0] ? msg : isokit_strerror(rc));
		isokit_repair_result_free(&r);
		return rc == ISOKIT_E_CORRUPT ? EXIT_DAMAGE : EXIT_FAIL;
	}
	struct damaged_files nm = {0};
	damaged_files_find(r.written && o.output ? o.output : image, r.left, r.nleft, &nm);
	if (c.json)
		print_json(image, &r, &nm, o.check_only);
	else if (!c.quiet)
		print_human(image, &r, &nm, o.check_only, o.output);
	if (r.unchecked_blocks && !c.json)
		msg_warn(image, "%llu blocks could not be checked: the repair data lost their CRCs "
			 "in both copies of its table, and they could not be rebuilt",
			 (unsigned long long)r.unchecked_blocks);
	int status = r.unrepairable_blocks || (o.check_only && r.bad_blocks) ? EXIT_DAMAGE
		     : r.unchecked_blocks					 ? EXIT_FAIL
											 : EXIT_OK;
	damaged_files_free(&nm);
	isokit_repair_result_free(&r);
	return status;
}
