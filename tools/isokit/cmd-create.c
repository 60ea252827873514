// SPDX-License-Identifier: MIT
/*
 * isokit create: an image from folders and files. The image is written
 * under a temporary name beside the target and renamed only when complete;
 * a failure or Ctrl-C removes the temporary file, so the target name only
 * ever holds a whole image (or whatever was there before).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "create-boot.h"
#include "interrupt.h"
#include "partial.h"

const struct cmd_def cmd_create_def = {
	"create", "-o OUT.iso [options] SOURCE...",
	"Make an ISO 9660 image with Rock Ridge and Joliet (and, with --udf, UDF)\n"
	"from folders and files.\n"
	"One folder SOURCE becomes the root of the image; several SOURCEs are\n"
	"placed in the root by their names. Owners, permissions and times are kept.\n"
	"The image carries checksums that isokit verify and checkisomd5 check:\n"
	"an isomd5sum MD5 of the whole image and a SHA-256 of every file.",
	cmd_create, true, false,
};

enum {
	OPT_OUTPUT = 1,
	OPT_VOLID,
	OPT_MAP,
	OPT_EXCLUDE,
	OPT_FOLLOW,
	OPT_NO_ROCK,
	OPT_NO_JOLIET,
	OPT_JOLIET_LONG,
	OPT_ISO_LEVEL,
	OPT_ANON,
	OPT_PUBLISHER,
	OPT_PREPARER,
	OPT_APPLICATION,
	OPT_SYSTEM,
	OPT_DEDUP,
	OPT_NO_CHECKSUMS,
	OPT_MANIFEST,
	OPT_ECC,
	OPT_SIDECAR,
	OPT_UDF,
	OPT_UDF_ONLY,
	OPT_UDF_REVISION,
};

static const struct opt_def create_opts[] = {
	{OPT_OUTPUT, 'o', "output", "FILE", "the image to write ('-': standard output)"},
	{OPT_VOLID, 'V', "volume-id", "LABEL", "volume label (ISO 9660: 32 d-characters; Joliet: 16 characters)"},
	{OPT_MAP, 0, "map", "PATH=SOURCE", "put SOURCE (file or folder) at PATH in the image; repeatable"},
	{OPT_EXCLUDE, 0, "exclude", "GLOB", "leave out entries whose name (or, with a '/', relative path) matches; repeatable"},
	{OPT_FOLLOW, 0, "follow-links", NULL, "store what symlinks point to instead of the links"},
	{OPT_NO_ROCK, 0, "no-rock", NULL, "no Rock Ridge (names, owners, modes, links are lost)"},
	{OPT_NO_JOLIET, 0, "no-joliet", NULL, "no Joliet tree (Windows then shows short upper-case names)"},
	{OPT_JOLIET_LONG, 0, "joliet-long", NULL, "Joliet names up to 103 characters instead of 64"},
	{OPT_UDF, 0, "udf", NULL, "also UDF (a bridge image, as Windows install media are): the same file data, full Unicode names, any file size"},
	{OPT_UDF_REVISION, 0, "udf-revision", "REV", "with --udf: 1.02 (default, read everywhere), 2.01, or 2.50 (metadata partition, as on Blu-ray)"},
	{OPT_UDF_ONLY, 0, "udf-only", NULL, "UDF alone: no ISO 9660, Rock Ridge or Joliet tree (cannot boot; no isomd5sum record)"},
	{OPT_ISO_LEVEL, 0, "iso-level", "N", "ISO 9660 level 1 (8.3 names), 2 (30 characters) or 3 (default; files of 4 GiB and more)"},
	{OPT_DEDUP, 0, "dedup", NULL, "store files with identical content once (readers still see separate files)"},
	{OPT_NO_CHECKSUMS, 0, "no-checksums", NULL, "write no isomd5sum record and no SHA-256 of each file (isokit verify then checks the structure only)"},
	{OPT_MANIFEST, 0, "manifest", NULL, "also put SHA256SUMS at the root, for sha256sum -c in a mount or an extracted copy"},
	{OPT_ECC, 0, "ecc", "PERCENT", "add repair data (Reed-Solomon, see isokit ecc) of PERCENT (1-100) of the image, after it"},
	{OPT_SIDECAR, 0, "sidecar", NULL, "with --ecc: put the repair data in OUT.iso.ecc instead"},
	{OPT_BOOT, 0, "boot", "FILE", "BIOS boot image: FILE in the image (e.g. /isolinux/isolinux.bin), loaded without emulation; starts a boot entry"},
	{OPT_BOOT_LOAD_SIZE, 0, "boot-load-size", "N", "512-byte sectors the BIOS loads (isolinux: 4; default: the whole image)"},
	{OPT_BOOT_INFO_TABLE, 0, "boot-info-table", NULL, "patch the boot-info-table into the entry's image (the copy in the image, not FILE)"},
	{OPT_GRUB2_BOOT_INFO, 0, "grub2-boot-info", NULL, "patch GRUB 2's boot info (its address at byte 2548) into the entry's image"},
	{OPT_BOOT_EMUL, 0, "boot-emul", "MODE", "none (default), floppy (1.2/1.44/2.88 MB image) or hard-disk (an MBR with one partition)"},
	{OPT_EFI, 0, "efi", "FILE", "UEFI boot image: FILE in the image, a FAT file system with /EFI/BOOT/BOOTX64.EFI; starts a boot entry"},
	{OPT_BOOT_CATALOG, 0, "boot-catalog", "PATH", "also show the boot catalog as PATH in the image (default: hidden)"},
	{OPT_BOOT_LIKE, 0, "boot-like", "ORIGINAL.iso", "boot as ORIGINAL.iso does (remaster): its boot entries, images, patches and MBR code, for the new tree"},
	{OPT_HYBRID, 0, "hybrid", NULL, "MBR and GPT so that the image boots from a USB stick too (BIOS needs --system-area or --grub2-mbr)"},
	{OPT_PARTITION_TABLE, 0, "partition-table", "KIND", "with --hybrid: gpt (the default: protective MBR and GPT) or mbr (an MBR alone, as isohybrid without -u)"},
	{OPT_SYSTEM_AREA, 0, "system-area", "FILE", "the first bytes of the image (at most 32 KiB) from FILE: an MBR with boot code, e.g. isohdpfx.bin"},
	{OPT_GRUB2_MBR, 0, "grub2-mbr", "FILE", "as --system-area, for GRUB 2's boot_hybrid.img (patched as GRUB expects)"},
	{OPT_ANON, 0, "anonymous", NULL, "owners 0, files readable by all, no write bits (like mkisofs -r)"},
	{OPT_PUBLISHER, 0, "publisher", "TEXT", "publisher field"},
	{OPT_PREPARER, 0, "preparer", "TEXT", "data preparer field"},
	{OPT_APPLICATION, 0, "application", "TEXT", "application field (default: ISOKIT and its version)"},
	{OPT_SYSTEM, 0, "system", "TEXT", "system identifier (default: LINUX)"},
	{0, 0, NULL, NULL, NULL},
};

struct create_args {
	const char *output;
	struct isokit_writer_options o;
	const char **maps;
	size_t nmaps;
	const char **excludes;
	size_t nexcludes;
	struct boot_args boot;
	unsigned ecc;  /* --ecc PERCENT, 0: none */
	bool sidecar;  /* --sidecar: the repair data in OUT.ecc */
};

static int push(const char ***v, size_t *n, const char *s)
{
	const char **t = realloc(*v, (*n + 2) * sizeof(**v));
	if (!t)
		return -1;
	t[(*n)++] = s;
	t[*n] = NULL;
	*v = t;
	return 0;
}

static int handle(int id, const char *arg, void *ctx)
{
	struct create_args *a = ctx;
	switch (id) {
	case OPT_OUTPUT: a->output = arg; break;
	case OPT_VOLID: a->o.volume_id = arg; break;
	case OPT_PUBLISHER: a->o.publisher = arg; break;
	case OPT_PREPARER: a->o.preparer = arg; break;
	case OPT_APPLICATION: a->o.application = arg; break;
	case OPT_SYSTEM: a->o.system_id = arg; break;
	case OPT_FOLLOW: a->o.flags |= ISOKIT_WRITE_FOLLOW_LINKS; break;
	case OPT_NO_ROCK: a->o.flags |= ISOKIT_WRITE_NO_ROCK; break;
	case OPT_NO_JOLIET: a->o.flags |= ISOKIT_WRITE_NO_JOLIET; break;
	case OPT_JOLIET_LONG: a->o.flags |= ISOKIT_WRITE_JOLIET_LONG; break;
	case OPT_ANON: a->o.flags |= ISOKIT_WRITE_ANONYMOUS; break;
	case OPT_DEDUP: a->o.flags |= ISOKIT_WRITE_DEDUP; break;
	case OPT_NO_CHECKSUMS: a->o.flags |= ISOKIT_WRITE_NO_CHECKSUMS; break;
	case OPT_MANIFEST: a->o.flags |= ISOKIT_WRITE_MANIFEST; break;
	case OPT_SIDECAR: a->sidecar = true; break;
	case OPT_UDF: a->o.flags |= ISOKIT_WRITE_UDF; break;
	case OPT_UDF_ONLY: a->o.flags |= ISOKIT_WRITE_UDF_ONLY; break;
	case OPT_UDF_REVISION:
		if (!strcmp(arg, "1.02"))
			a->o.udf_revision = 0x0102;
		else if (!strcmp(arg, "2.01"))
			a->o.udf_revision = 0x0201;
		else if (!strcmp(arg, "2.50"))
			a->o.udf_revision = 0x0250;
		else
			return usage_error(&cmd_create_def,
					   "--udf-revision must be 1.02, 2.01 or 2.50, not '%s'", arg);
		a->o.flags |= ISOKIT_WRITE_UDF;
		break;
	case OPT_ECC: {
		char *end;
		long v = strtol(arg, &end, 10);
		if (*end || v < 1 || v > 100)
			return usage_error(&cmd_create_def, "--ecc takes a percentage from 1 to 100, not '%s'", arg);
		a->ecc = (unsigned)v;
		break;
	}
	case OPT_ISO_LEVEL:
		if (strcmp(arg, "1") && strcmp(arg, "2") && strcmp(arg, "3"))
			return usage_error(&cmd_create_def, "--iso-level must be 1, 2 or 3");
		a->o.iso_level = arg[0] - '0';
		break;
	case OPT_MAP:
		if (!strchr(arg, '=') || arg[0] == '=')
			return usage_error(&cmd_create_def, "--map needs PATH=SOURCE, not '%s'", arg);
		if (push(&a->maps, &a->nmaps, arg))
			return EXIT_FAIL;
		break;
	case OPT_EXCLUDE:
		if (push(&a->excludes, &a->nexcludes, arg))
			return EXIT_FAIL;
		break;
	default: {
		int r = boot_option(&cmd_create_def, &a->boot, id, arg);
		if (r)
			return r;
		break;
	}
	}
	return -1;
}

/* ---- the temporary output ---- */

/* Create the temporary file beside @p target; its name goes to @p tmp. */
static int open_temp(const char *target, char tmp[PATH_MAX])
{
	char copy[PATH_MAX];
	if (strlen(target) >= sizeof(copy))
		return -1;
	strcpy(copy, target);
	const char *dir = dirname(copy);
	char copy2[PATH_MAX];
	strcpy(copy2, target);
	const char *base = basename(copy2);
	if ((size_t)snprintf(tmp, PATH_MAX, "%s/.%s.isokit-XXXXXX", dir, base) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	/* mkstemp makes 0600; an image is an ordinary file: 0666 & ~umask */
	mode_t um = umask(0);
	umask(um);
	(void)fchmod(fd, 0666 & ~um);
	return fd;
}

/* --ecc: repair data for the complete image under its temporary name */
static int add_ecc(const struct create_args *a, const char *tmp, bool quiet)
{
	char side[PATH_MAX];
	struct isokit_ecc_options eo = {.percent = a->ecc, .sidecar = a->sidecar};
	if (a->sidecar) {
		if ((size_t)snprintf(side, sizeof(side), "%s.ecc", a->output) >= sizeof(side)) {
			msg_error(NULL, "%s.ecc: path too long", a->output);
			return ISOKIT_E_INVAL;
		}
		eo.sidecar_path = side;
	}
	struct progress p;
	progress_init(&p, "repair data", 0, quiet);
	eo.progress = interrupt_progress;
	eo.ud = &p;
	char msg[1024];
	int rc = isokit_ecc_add(tmp, &eo, NULL, msg, sizeof(msg));
	progress_end(&p);
	if (rc)
		msg_error(NULL, "%s: repair data: %s", a->output, msg[0] ? msg : isokit_strerror(rc));
	return rc;
}

/* ---- warnings: Joliet shortenings are listed once, at the end ---- */

struct warn_ctx {
	bool quiet;
	char **shortened;
	size_t nshort;
	struct progress *progress;
	uint64_t last;
};

static void on_warning(void *ctx, enum isokit_writer_warning kind, const char *path,
		       const char *detail)
{
	struct warn_ctx *c = ctx;
	if (c->quiet)
		return;
	if (kind == ISOKIT_WARN_JOLIET_RENAMED) {
		char line[PATH_MAX + 300];
		snprintf(line, sizeof(line), "%s -> %s", path, detail);
		char **t = realloc(c->shortened, (c->nshort + 1) * sizeof(*t));
		if (t) {
			c->shortened = t;
			if ((t[c->nshort] = strdup(line)) != NULL)
				c->nshort++;
		}
		return;
	}
	if (kind == ISOKIT_WARN_UDF_RENAMED)
		msg_warn(NULL, "%s: named '%s' in UDF (a UDF name holds 254 bytes of OSTA "
			 "compressed Unicode)", path, detail);
	else if (kind == ISOKIT_WARN_LABEL_CUT || kind == ISOKIT_WARN_NO_ISOMD5)
		msg_warn(NULL, "%s", detail);
	else
		msg_warn(NULL, "%s: %s", path, detail);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct warn_ctx *c = ctx;
	(void)total;
	if (c->progress && done > c->last) {
		progress_update(c->progress, done - c->last, 0);
		c->last = done;
	}
}

static void list_shortened(struct warn_ctx *c)
{
	if (!c->nshort)
		return;
	msg_warn(NULL, "%zu name%s changed for Joliet (Windows): too long, or the same as another "
		 "once shortened or mapped:", c->nshort, c->nshort == 1 ? "" : "s");
	for (size_t i = 0; i < c->nshort; i++) {
		if (i < 20)
			fprintf(stderr, "  %s\n", c->shortened[i]);
		free(c->shortened[i]);
	}
	if (c->nshort > 20)
		fprintf(stderr, "  ... and %zu more (--joliet-long allows 103 characters)\n",
			c->nshort - 20);
	free(c->shortened);
}

static int add_sources(struct isokit_writer *w, struct create_args *a, char **src, int nsrc)
{
	struct stat st;
	if (nsrc == 1 && stat(src[0], &st) == 0 && S_ISDIR(st.st_mode)) {
		if (isokit_writer_add(w, "/", src[0]) < 0)
			goto fail;
	} else {
		for (int i = 0; i < nsrc; i++) {
			char copy[PATH_MAX];
			snprintf(copy, sizeof(copy), "%s", src[i]);
			/* "dir/" and "dir" both give "dir" */
			size_t n = strlen(copy);
			while (n > 1 && copy[n - 1] == '/')
				copy[--n] = '\0';
			const char *name = basename(copy);
			if (!strcmp(name, "/") || !strcmp(name, ".") || !strcmp(name, "..")) {
				msg_error(NULL, "%s: has no name to place it by; use --map NAME=%s",
					  src[i], src[i]);
				return EXIT_FAIL;
			}
			if (isokit_writer_add(w, name, src[i]) < 0)
				goto fail;
		}
	}
	for (size_t i = 0; i < a->nmaps; i++) {
		/* PATH=SOURCE; the option parser made sure of the '=' */
		const char *eq = strchr(a->maps[i], '=');
		char *path = strndup(a->maps[i], (size_t)(eq - a->maps[i]));
		if (!path) {
			msg_error(NULL, "out of memory");
			return EXIT_FAIL;
		}
		int rc = isokit_writer_add(w, path, eq + 1);
		free(path);
		if (rc < 0)
			goto fail;
	}
	return 0;
fail:
	msg_error(NULL, "%s", isokit_writer_errmsg(w));
	return EXIT_FAIL;
}

int cmd_create(int argc, char **argv)
{
	struct common_opts c = {0};
	struct create_args a = {0};
	int first;
	int r = opt_parse(&cmd_create_def, create_opts, argc, argv, &c, handle, &a, &first);
	if (r >= 0)
		goto out_args;
	r = EXIT_USAGE;
	if (!a.output) {
		usage_error(&cmd_create_def, "-o OUT.iso is required");
		goto out_args;
	}
	if (first >= argc && a.nmaps == 0) {
		usage_error(&cmd_create_def, "no SOURCE given");
		goto out_args;
	}
	if ((a.o.flags & ISOKIT_WRITE_MANIFEST) && (a.o.flags & ISOKIT_WRITE_NO_CHECKSUMS)) {
		usage_error(&cmd_create_def, "--manifest lists the checksums that --no-checksums leaves out");
		goto out_args;
	}
	if (boot_options_check(&cmd_create_def, &a.boot))
		goto out_args;
	if ((a.o.flags & ISOKIT_WRITE_UDF_ONLY) &&
	    (a.boot.n || a.boot.like || a.boot.system_area || a.boot.sa_flags || a.boot.catalog)) {
		usage_error(&cmd_create_def, "--udf-only images cannot boot: El Torito and --hybrid need "
			    "the ISO 9660 descriptors (use --udf for a bootable bridge image)");
		goto out_args;
	}
	if ((a.o.flags & ISOKIT_WRITE_UDF_ONLY) &&
	    (a.o.flags & (ISOKIT_WRITE_NO_ROCK | ISOKIT_WRITE_NO_JOLIET | ISOKIT_WRITE_JOLIET_LONG) ||
	     a.o.iso_level)) {
		usage_error(&cmd_create_def, "--udf-only writes no ISO 9660 tree: --no-rock, --no-joliet, "
			    "--joliet-long and --iso-level do not apply");
		goto out_args;
	}
	if (a.boot.like && boot_like_load(&a.boot)) {
		r = EXIT_FAIL;
		goto out_args;
	}
	bool to_stdout = strcmp(a.output, "-") == 0;
	if (a.sidecar && !a.ecc) {
		usage_error(&cmd_create_def, "--sidecar goes with --ecc PERCENT");
		goto out_args;
	}
	if (to_stdout && a.ecc) {
		usage_error(&cmd_create_def, "--ecc needs an output file (the repair data is computed from the written image)");
		goto out_args;
	}
	if (to_stdout && isatty(STDOUT_FILENO)) {
		usage_error(&cmd_create_def, "refusing to write an image to a terminal");
		goto out_args;
	}
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end;
		errno = 0;
		long long v = strtoll(sde, &end, 10);
		if (errno || *end || v < 0) {
			usage_error(&cmd_create_def, "SOURCE_DATE_EPOCH is not a number of seconds: '%s'", sde);
			goto out_args;
		}
		a.o.use_source_date_epoch = true;
		a.o.source_date_epoch = v;
	}
	struct warn_ctx wc = {.quiet = c.quiet};
	struct stat target_st;
	if (!to_stdout && stat(a.output, &target_st) == 0 && S_ISREG(target_st.st_mode)) {
		/* an image replaced in place may lie inside a source folder */
		a.o.skip_file = true;
		a.o.skip_dev = target_st.st_dev;
		a.o.skip_ino = target_st.st_ino;
	}
	a.o.exclude = a.excludes;
	a.o.on_warning = on_warning;
	a.o.on_progress = on_progress;
	a.o.ctx = &wc;
	r = EXIT_FAIL;
	struct isokit_writer *w = isokit_writer_new(&a.o);
	if (!w) {
		msg_error(NULL, "out of memory");
		goto out_args;
	}
	if (add_sources(w, &a, argv + first, argc - first) || boot_apply(w, &a.boot))
		goto out_writer;

	int fd = STDOUT_FILENO, partial = -1;
	char tmp[PATH_MAX];
	if (!to_stdout) {
		partial_install_handlers();
		fd = open_temp(a.output, tmp);
		if (fd < 0) {
			msg_error(NULL, "%s: cannot create: %s", a.output, strerror(errno));
			goto out_writer;
		}
		partial = partial_add(AT_FDCWD, tmp);
	}
	struct isokit_writer_stats st;
	isokit_writer_stats(w, &st);
	struct progress prog;
	progress_init(&prog, "writing", st.data_bytes, c.quiet);
	wc.progress = &prog;
	int rc = isokit_writer_write_fd(w, fd);
	progress_end(&prog);
	list_shortened(&wc);
	if (rc < 0) {
		msg_error(NULL, "%s: %s", a.output, isokit_writer_errmsg(w));
	} else if (!to_stdout && close(fd) < 0) {
		fd = -1;
		msg_error(NULL, "%s: %s", a.output, strerror(errno));
		rc = ISOKIT_E_IO;
	} else if (!to_stdout && a.ecc && (rc = add_ecc(&a, tmp, c.quiet)) < 0) {
		fd = -1;
	} else if (!to_stdout) {
		fd = -1;
		if (rename(tmp, a.output) < 0) {
			msg_error(NULL, "%s: cannot rename into place: %s", a.output, strerror(errno));
			rc = ISOKIT_E_IO;
		}
	}
	if (!to_stdout) {
		if (fd >= 0)
			close(fd);
		if (rc < 0)
			unlink(tmp);
		partial_remove(partial);
	}
	if (rc >= 0) {
		r = EXIT_OK;
		if (c.verbose) {
			char size[32];
			isokit_writer_stats(w, &st);
			human_size(st.image_bytes, size, sizeof(size));
			fprintf(stderr, "%s: %s: %llu files, %llu folders, %llu links, %s\n", progname,
				a.output, (unsigned long long)st.files, (unsigned long long)st.dirs,
				(unsigned long long)st.symlinks, size);
		}
	}
out_writer:
	isokit_writer_free(w);
out_args:
	free(a.maps);
	free(a.excludes);
	return r;
}
