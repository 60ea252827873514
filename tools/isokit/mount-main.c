// SPDX-License-Identifier: MIT
/* isokit-mount: the FUSE helper that `isokit mount` runs in its place (see
 * cmd-mount.c), so that only this program links libfuse3. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "mount") != 0) {
		fprintf(stderr, "isokit-mount: the helper of 'isokit mount'; "
				"run 'isokit mount IMAGE MOUNTPOINT'\n");
		return EXIT_USAGE;
	}
	return cmd_mount(argc - 1, argv + 1);
}
