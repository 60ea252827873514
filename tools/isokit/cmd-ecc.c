// SPDX-License-Identifier: MIT
/* isokit ecc add|info: repair data for an image (include/isokit/repair.h). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "interrupt.h"

const struct cmd_def cmd_ecc_def = {
	"ecc", "add [--percent N] [--sidecar] [--replace] IMAGE | info [--json] IMAGE",
	"Add repair data to an image (from any tool), or describe it.\n"
	"add: Reed-Solomon erasure codes (ISA-L) over interleaved groups of blocks\n"
	"and a CRC32C of every block, appended after the image (readers ignore it;\n"
	"the volume size is unchanged) or with --sidecar in IMAGE.ecc. 'isokit\n"
	"repair' rebuilds damaged blocks from it. info: where it is, what it covers.",
	cmd_ecc, true, false,
};

enum { OPT_PERCENT = 1, OPT_SIDECAR, OPT_REPLACE, OPT_SIDECAR_FILE };

static const struct opt_def ecc_opts[] = {
	{OPT_PERCENT, 0, "percent", "N", "repair blocks per 100 blocks of the image (1-100; default 5)"},
	{OPT_SIDECAR, 0, "sidecar", NULL, "write IMAGE.ecc instead of appending to the image"},
	{OPT_SIDECAR_FILE, 0, "sidecar-file", "FILE", "the sidecar's name (implies --sidecar for add)"},
	{OPT_REPLACE, 0, "replace", NULL, "replace repair data the image has already"},
	{OPT_JSON, 0, "json", NULL, "info: print JSON"},
	{0, 0, NULL, NULL, NULL},
};

static int ecc_opt(int id, const char *arg, void *vctx)
{
	struct isokit_ecc_options *o = vctx;
	char *end;
	long v;
	switch (id) {
	case OPT_PERCENT:
		v = strtol(arg, &end, 10);
		if (*end || v < 1 || v > 100)
			return usage_error(&cmd_ecc_def, "--percent takes 1 to 100, not '%s'", arg);
		o->percent = (unsigned)v;
		break;
	case OPT_SIDECAR: o->sidecar = true; break;
	case OPT_SIDECAR_FILE: o->sidecar_path = arg; break;
	case OPT_REPLACE: o->replace = true; break;
	default: break;
	}
	return -1;
}

/* Print one image's repair data: human or JSON. */
static void print_info(const char *image, const struct isokit_ecc_info *e, bool json)
{
	double pct = 100.0 * e->m / e->k;
	if (json) {
		fputs("{\"image\": ", stdout);
		json_string(stdout, image);
		printf(", \"where\": \"%s\", \"offset\": %llu, \"data_blocks\": %llu, "
		       "\"volume_blocks\": %llu, \"k\": %u, \"m\": %u, \"groups\": %llu, "
		       "\"repair_blocks\": %llu, \"percent\": %.2f}\n",
		       e->sidecar ? "sidecar" : "appended", (unsigned long long)e->area_offset,
		       (unsigned long long)e->data_blocks, (unsigned long long)e->volume_blocks, e->k,
		       e->m, (unsigned long long)e->groups, (unsigned long long)e->area_blocks, pct);
		return;
	}
	printf("%s: repair data %s (%llu blocks, %.1f%%)\n", image,
	       e->sidecar ? "in a sidecar file" : "after the image", (unsigned long long)e->area_blocks,
	       100.0 * (double)e->area_blocks / (double)e->data_blocks);
	printf("  protects   blocks 0-%llu (the volume has %llu)\n",
	       (unsigned long long)e->data_blocks - 1, (unsigned long long)e->volume_blocks);
	printf("  groups     %llu of %u data + %u repair blocks (%.1f%%): any %u lost blocks of a "
	       "group can be rebuilt\n",
	       (unsigned long long)e->groups, e->k, e->m, pct, e->m);
	printf("  a run of up to %llu consecutive bad blocks costs each group at most 2\n",
	       (unsigned long long)e->groups);
}

int cmd_ecc(int argc, char **argv)
{
	struct common_opts c = {0};
	struct isokit_ecc_options o = {0};
	int first;
	int rv = opt_parse(&cmd_ecc_def, ecc_opts, argc, argv, &c, ecc_opt, &o, &first);
	if (rv >= 0)
		return rv;
	if (argc - first != 2 || (strcmp(argv[first], "add") && strcmp(argv[first], "info")))
		return usage_error(&cmd_ecc_def, "expected 'add IMAGE' or 'info IMAGE'");
	const char *image = argv[first + 1];
	char msg[1024];
	struct isokit_ecc_info info;
	if (!strcmp(argv[first], "info")) {
		int rc = isokit_ecc_find(image, o.sidecar_path, &info, msg, sizeof(msg));
		if (rc) {
			msg_error(image, "%s", msg[0] ? msg : isokit_strerror(rc));
			return EXIT_FAIL;
		}
		if (!c.quiet || c.json)
			print_info(image, &info, c.json);
		return EXIT_OK;
	}
	if (o.sidecar_path)
		o.sidecar = true;
	interrupt_install();
	struct progress p;
	progress_init(&p, "repair data", 0, c.quiet);
	o.progress = interrupt_progress;
	o.ud = &p;
	int rc = isokit_ecc_add(image, &o, &info, msg, sizeof(msg));
	progress_end(&p);
	if (rc == ISOKIT_E_CANCELED) {
		msg_error(image, "interrupted: the image is as it was");
		return EXIT_FAIL;
	}
	if (rc) {
		msg_error(image, "%s%s", msg[0] ? msg : isokit_strerror(rc),
			  rc == ISOKIT_E_EXISTS ? " (--replace to make it again)" : "");
		return EXIT_FAIL;
	}
	if (!c.quiet)
		print_info(image, &info, false);
	return EXIT_OK;
}
