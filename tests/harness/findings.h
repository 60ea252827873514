/* SPDX-License-Identifier: MIT */
/* Collecting the library's findings in tests: the codes reported, in order. */
#ifndef ISOKIT_TEST_FINDINGS_H
#define ISOKIT_TEST_FINDINGS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <isokit/image.h>

struct findings {
	char codes[32][32];
	int n;
};

/* An isokit_finding_fn: pass a struct findings as the context. */
static inline void on_finding(void *ctx, const struct isokit_finding *f)
{
	struct findings *fs = ctx;
	if (fs->n < 32)
		snprintf(fs->codes[fs->n++], 32, "%s", f->code ? f->code : "");
}

static inline bool has_finding(const struct findings *fs, const char *code)
{
	for (int i = 0; i < fs->n; i++)
		if (strcmp(fs->codes[i], code) == 0)
			return true;
	return false;
}

#endif
