// SPDX-License-Identifier: MIT
/* The files that damaged blocks fall in (damaged.h). */
#include "damaged.h"

#include <stdlib.h>
#include <string.h>

/* isokit_files_in_blocks() reports an entry once per range it meets, one
 * after the other: comparing with the last path keeps each once. */
static int on_file(void *ud, const char *path, size_t range)
{
	struct damaged_files *d = ud;
	(void)range;
	if (d->n && !strcmp(d->paths[d->n - 1], path))
		return 0;
	if (d->n == d->cap) {
		size_t nc = d->cap ? 2 * d->cap : 32;
		char **t = realloc(d->paths, nc * sizeof(*t));
		if (!t)
			return ISOKIT_E_NOMEM;
		d->paths = t;
		d->cap = nc;
	}
	if (!(d->paths[d->n] = strdup(path)))
		return ISOKIT_E_NOMEM;
	d->n++;
	return 0;
}

void damaged_files_find(const char *image, const struct isokit_block_range *ranges, size_t n,
			struct damaged_files *d)
{
	struct isokit_image *img;
	struct isokit_open_options oo = {.allow_truncated = true};
	if (!n || isokit_image_open(image, &oo, &img) != 0)
		return;
	(void)isokit_files_in_blocks(img, ranges, n, on_file, d);
	isokit_image_close(img);
}

void damaged_files_print(const struct damaged_files *d)
{
	for (size_t i = 0; i < d->n && i < 50; i++)
		printf("  damaged file: %s\n", d->paths[i]);
	if (d->n > 50)
		printf("  ... %zu files in all (see --json)\n", d->n);
}

void damaged_files_json(FILE *f, const struct damaged_files *d)
{
	fputc('[', f);
	for (size_t i = 0; i < d->n; i++) {
		if (i)
			fputs(", ", f);
		json_string(f, d->paths[i]);
	}
	fputc(']', f);
}

void damaged_files_free(struct damaged_files *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->paths[i]);
	free(d->paths);
	*d = (struct damaged_files){0};
}
