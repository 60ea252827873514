// SPDX-License-Identifier: MIT
/* isokit: the command table and dispatch (git style: isokit CMD ...). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cmd_def *const commands[] = {
	&cmd_create_def,
	&cmd_info_def,
	&cmd_ls_def,
	&cmd_cat_def,
	&cmd_extract_def,
	&cmd_verify_def,
	&cmd_ecc_def,
	&cmd_repair_def,
	&cmd_rip_def,
	&cmd_burn_def,
	&cmd_devices_def,
	&cmd_mount_def,
	&cmd_umount_def,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: isokit COMMAND [options] [operands]\n\n"
		     "Make, read, verify, repair, burn and rip ISO 9660 disc images (Rock Ridge,\n"
		     "Joliet, zisofs, El Torito).\n\n"
		     "commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const char *s = commands[i]->summary;
		int len = (int)strcspn(s, "\n");
		fprintf(out, "  %-9s %.*s\n", commands[i]->name, len, s);
	}
	fprintf(out, "\n'isokit COMMAND --help' describes a command; "
		     "'isokit --version' prints the version.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 ||
	    strcmp(name, "help") == 0) {
		if (argc > 2 && strcmp(name, "help") == 0) {
			for (size_t i = 0; i < NCOMMANDS; i++)
				if (strcmp(argv[2], commands[i]->name) == 0) {
					char *av[] = {argv[2], "--help", NULL};
					return commands[i]->run(2, av);
				}
		}
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		printf("isokit %s\n", isokit_version());
		return EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(name, commands[i]->name) == 0)
			return commands[i]->run(argc - 1, argv + 1);
	fprintf(stderr, "%s: '%s' is not an isokit command\n", progname, name);
	usage(stderr);
	return EXIT_USAGE;
}
