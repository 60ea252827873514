// SPDX-License-Identifier: MIT
/* Declarative option parsing: one table per command gives getopt_long its
 * options and --help its text, so the two cannot drift apart. */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct opt_def common_defs[] = {
	{OPT_NAMESPACE, 0, "namespace", "NS",
	 "name tree to read: auto (Rock Ridge, else UDF, else Joliet, else ISO 9660:1999, else ISO 9660), rockridge, udf, joliet, iso9660, iso9660-1999"},
	{OPT_QUIET, 'q', "quiet", NULL, "no progress and no warnings"},
	{OPT_VERBOSE, 'v', "verbose", NULL, "say more"},
	{OPT_HELP, 'h', "help", NULL, "show this help"},
	{0, 0, NULL, NULL, NULL},
};

/* Commands that make images rather than read them have no --namespace
 * (the first common option). */
static const struct opt_def *common_for(const struct cmd_def *cmd)
{
	return cmd->no_namespace ? common_defs + 1 : common_defs;
}

static size_t count(const struct opt_def *d)
{
	size_t n = 0;
	while (d && d[n].id)
		n++;
	return n;
}

static void print_defs(FILE *out, const struct opt_def *d)
{
	for (; d && d->id; d++) {
		char left[64];
		if (d->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", d->short_name,
				 d->long_name, d->arg ? " " : "", d->arg ? d->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", d->long_name,
				 d->arg ? " " : "", d->arg ? d->arg : "");
		fprintf(out, "  %-24s %s\n", left, d->help);
	}
}

void opt_help(FILE *out, const struct cmd_def *cmd, const struct opt_def *defs)
{
	fprintf(out, "usage: isokit %s [options] %s\n\n%s\n\noptions:\n",
		cmd->name, cmd->usage, cmd->summary);
	print_defs(out, defs);
	print_defs(out, common_for(cmd));
	if (!cmd->own_exit_status)
		fprintf(out, "\nExit status: 0 success, 1 failure, 2 usage error.\n");
	else
		fprintf(out, "\nExit status 2: usage error.\n");
	fprintf(out, "See isokit-%s(1).\n", cmd->name);
}

int usage_error(const struct cmd_def *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s %s: ", progname, cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: isokit %s [options] %s\n"
			"Try 'isokit %s --help' for more.\n",
		cmd->usage ? cmd->name : "", cmd->usage, cmd->name);
	return EXIT_USAGE;
}

static int parse_ns(const char *s, enum isokit_namespace *ns)
{
	static const struct {
		const char *name;
		enum isokit_namespace ns;
	} map[] = {
		{"auto", ISOKIT_NS_AUTO},
		{"rockridge", ISOKIT_NS_ROCKRIDGE},
		{"rr", ISOKIT_NS_ROCKRIDGE},
		{"joliet", ISOKIT_NS_JOLIET},
		{"iso9660", ISOKIT_NS_ISO9660},
		{"iso", ISOKIT_NS_ISO9660},
		{"iso9660-1999", ISOKIT_NS_ISO9660_1999},
		{"udf", ISOKIT_NS_UDF},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(s, map[i].name) == 0) {
			*ns = map[i].ns;
			return 0;
		}
	}
	return -1;
}

int opt_parse(const struct cmd_def *cmd, const struct opt_def *defs,
	      int argc, char **argv, struct common_opts *common,
	      int (*handle)(int id, const char *arg, void *ctx), void *ctx,
	      int *first)
{
	size_t n = count(defs), nc = count(common_for(cmd));
	struct option *lo = calloc(n + nc + 1, sizeof(*lo));
	char *so = calloc(3 * (n + nc) + 3, 1);
	if (!lo || !so) {
		free(lo);
		free(so);
		fprintf(stderr, "%s: out of memory\n", progname);
		return EXIT_FAIL;
	}
	/* GNU order: options may follow operands; "--" ends options. A
	 * leading ':' makes getopt tell a missing argument apart. */
	size_t k = 0, s = 0;
	so[s++] = ':';
	const struct opt_def *all[2] = {defs, common_for(cmd)};
	for (int t = 0; t < 2; t++) {
		for (const struct opt_def *d = all[t]; d && d->id; d++) {
			lo[k].name = d->long_name;
			lo[k].has_arg = d->arg ? required_argument : no_argument;
			lo[k].val = d->id;
			k++;
			if (d->short_name) {
				so[s++] = d->short_name;
				if (d->arg)
					so[s++] = ':';
			}
		}
	}
	so[s] = '\0';
	int rc = -1;
	optind = 1;
	opterr = 0;
	for (;;) {
		int longidx = -1;
		int c = getopt_long(argc, argv, so, lo, &longidx);
		if (c == -1)
			break;
		if (c == '?' || c == ':') {
			if (optopt && optopt < 256)
				rc = usage_error(cmd, "%s option '-%c'",
						 c == ':' ? "missing argument for" : "unknown",
						 optopt);
			else
				rc = usage_error(cmd, "%s option '%s'",
						 c == ':' ? "missing argument for" : "unknown",
						 argv[optind - 1]);
			break;
		}
		int id = c;
		/* a short option: back to its id (a long one returns its id,
		 * whatever its value; a letter's code is no exception) */
		for (int t = 0; t < 2 && longidx < 0; t++)
			for (const struct opt_def *d = all[t]; d && d->id; d++)
				if (d->short_name == c)
					id = d->id;
		if (id == OPT_HELP) {
			opt_help(stdout, cmd, defs);
			rc = EXIT_OK;
			break;
		} else if (id == OPT_QUIET) {
			common->quiet = true;
		} else if (id == OPT_VERBOSE) {
			common->verbose = true;
		} else if (id == OPT_JSON) {
			common->json = true;
		} else if (id == OPT_NAMESPACE) {
			if (parse_ns(optarg, &common->ns)) {
				rc = usage_error(cmd, "unknown namespace '%s'", optarg);
				break;
			}
		} else if (handle) {
			int r = handle(id, optarg, ctx);
			if (r >= 0) {
				rc = r;
				break;
			}
		}
	}
	free(lo);
	free(so);
	*first = optind;
	return rc;
}
