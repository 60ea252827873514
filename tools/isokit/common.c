// SPDX-License-Identifier: MIT
/* Opening an image for a command: options, findings printed as warnings,
 * errors printed as "isokit: IMAGE: message (sector N, path P)". */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void on_finding(void *vctx, const struct isokit_finding *f)
{
	struct open_ctx *ctx = vctx;
	if (f->severity >= ISOKIT_SEV_ERROR)
		ctx->errors++;
	else
		ctx->warnings++;
	if (ctx->quiet && f->severity < ISOKIT_SEV_ERROR)
		return;
	char where[512] = "";
	if (f->sector >= 0 && f->path)
		snprintf(where, sizeof(where), " (sector %lld, path %s)",
			 (long long)f->sector, f->path);
	else if (f->sector >= 0)
		snprintf(where, sizeof(where), " (sector %lld)", (long long)f->sector);
	else if (f->path)
		snprintf(where, sizeof(where), " (path %s)", f->path);
	if (f->severity >= ISOKIT_SEV_ERROR)
		msg_error(ctx->image, "%s%s", f->message, where);
	else
		msg_warn(ctx->image, "%s%s", f->message, where);
}

void cli_image_error(const char *image, struct isokit_image *img, int rc)
{
	const char *m = isokit_image_errmsg(img);
	msg_error(image, "%s", m && m[0] ? m : isokit_strerror(rc));
}

struct isokit_image *cli_open(const char *path, const struct common_opts *c,
			      struct open_ctx *ctx)
{
	int rc;
	return cli_open_rc(path, c, ctx, false, &rc);
}

struct isokit_image *cli_open_rc(const char *path, const struct common_opts *c,
				 struct open_ctx *ctx, bool allow_truncated, int *rcp)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->image = path;
	ctx->quiet = c->quiet;
	struct isokit_open_options o;
	memset(&o, 0, sizeof(o));
	o.ns = c->ns;
	o.on_finding = on_finding;
	o.finding_ctx = ctx;
	o.allow_truncated = allow_truncated;
	struct isokit_image *img = NULL;
	int rc = isokit_image_open_ex(path, &o, &img);
	*rcp = rc;
	if (rc) {
		cli_image_error(path, img, rc);
		isokit_image_close(img);
		return NULL;
	}
	return img;
}
