// SPDX-License-Identifier: MIT
/* isokit cat: one file's bytes to standard output. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "copy.h"

const struct cmd_def cmd_cat_def = {
	"cat", "IMAGE PATH",
	"Write the content of the file PATH in IMAGE to standard output.",
	cmd_cat, false, false,
};

static const struct opt_def cat_opts[] = {
	{0, 0, NULL, NULL, NULL},
};

int cmd_cat(int argc, char **argv)
{
	struct common_opts c = {0};
	int first;
	int r = opt_parse(&cmd_cat_def, cat_opts, argc, argv, &c, NULL, NULL, &first);
	if (r >= 0)
		return r;
	if (argc - first != 2)
		return usage_error(&cmd_cat_def, "expected IMAGE and PATH");
	const char *image = argv[first], *path = argv[first + 1];
	struct open_ctx ctx;
	struct isokit_image *img = cli_open(image, &c, &ctx);
	if (!img)
		return EXIT_FAIL;
	struct isokit_node *node;
	int rc = isokit_image_lookup(img, path, &node);
	if (rc) {
		cli_image_error(image, img, rc);
		isokit_image_close(img);
		return EXIT_FAIL;
	}
	int status = EXIT_OK;
	const struct isokit_stat *st = isokit_node_stat(node);
	if (S_ISDIR(st->mode)) {
		msg_error(image, "%s: is a directory", path);
		status = EXIT_FAIL;
	} else if (!S_ISREG(st->mode)) {
		msg_error(image, "%s: not a regular file (%s)", path, type_name(st->mode));
		status = EXIT_FAIL;
	} else {
		struct copier cp;
		if (copier_init(&cp)) {
			msg_error(NULL, "out of memory");
			status = EXIT_FAIL;
		} else {
			rc = copy_node_data(&cp, img, node, STDOUT_FILENO, NULL);
			if (rc && cp.out_errno) {
				if (cp.out_errno != EPIPE)
					msg_error(NULL, "standard output: %s",
						  strerror(cp.out_errno));
				status = EXIT_FAIL;
			} else if (rc) {
				cli_image_error(image, img, rc);
				status = EXIT_FAIL;
			}
			copier_release(&cp);
		}
	}
	isokit_node_free(node);
	isokit_image_close(img);
	return status;
}
