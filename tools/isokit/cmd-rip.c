// SPDX-License-Identifier: MIT
/*
 * isokit rip DEVICE -o OUT.iso: a disc, stick or image file read into an
 * image, surviving bad sectors (lib/rip, rip-source.h). The work goes to OUT.iso.part and
 * the rescue map (OUT.iso.map, or --map) is saved as it goes; the same
 * command run again goes on from the map. When every phase has run the
 * image gets its name, even with sectors missing (they are zeros, and the
 * map and the report name them); then, if it carries repair data, it is
 * repaired, and if it carries checksums, verified.
 *
 * Exit: 0 the image is whole (read, or repaired, and its checksums agree
 * when it has any), 4 sectors are missing or a checksum differs, 1 the
 * rip failed or was interrupted (the map keeps what was read), 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "damaged.h"
#include "fdio.h"
#include "interrupt.h"
#include "rip-source.h"

const struct cmd_def cmd_rip_def = {
	"rip", "DEVICE -o OUT.iso [--map FILE] [--retries N]",
	"Read a disc, USB stick or image file into an image, surviving bad sectors\n"
	"as GNU ddrescue does. The image's size comes from its file system, not\n"
	"from the device. Unreadable sectors are written as zeros and kept in a\n"
	"map file in ddrescue's format (OUT.iso.map unless --map): run the same\n"
	"command again, on this drive or another, to retry only what is missing.\n"
	"At the end the files hit by missing sectors are named; an image with\n"
	"repair data is repaired, one with checksums verified.\n"
	"Exit status: 0 whole, 4 sectors missing or checksums differ, 1 failed.",
	cmd_rip, true, true,
};

enum { OPT_OUT = 1, OPT_MAP, OPT_RETRIES, OPT_READ_SIZE, OPT_SIZE, OPT_NO_SKIP, OPT_NO_CHECK,
       OPT_OVERWRITE };

static const struct opt_def rip_opts[] = {
	{OPT_OUT, 'o', "output", "OUT.iso", "the image to write"},
	{OPT_MAP, 0, "map", "FILE", "the rescue map (ddrescue's mapfile format); default OUT.iso.map, removed when nothing is missing"},
	{OPT_RETRIES, 'r', "retries", "N", "read the bad sectors N more times at the end (default 1)"},
	{OPT_READ_SIZE, 0, "read-size", "BYTES", "bytes per read while the medium reads well (default 256 KiB; 64 KiB for optical drives); K and M suffixes"},
	{OPT_SIZE, 0, "size", "BYTES", "copy this many bytes instead of the file system's size (K, M, G suffixes)"},
	{OPT_NO_SKIP, 0, "no-skip", NULL, "read on through damage instead of jumping past it first"},
	{OPT_NO_CHECK, 0, "no-check", NULL, "do not repair or verify the image at the end"},
	{OPT_OVERWRITE, 0, "overwrite", NULL, "replace OUT.iso when it exists and there is no map to go on from"},
	{OPT_JSON, 0, "json", NULL, "print a JSON report"},
	{0, 0, NULL, NULL, NULL},
};

struct rip_args {
	const char *out, *map;
	unsigned retries;
	uint64_t read_size, size;
	bool no_skip, no_check, overwrite, map_given, bad_arg;
};

static bool parse_bytes(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return false;
	uint64_t mul = 1;
	if (*end == 'K' || *end == 'k')
		mul = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		mul = 1024 * 1024, end++;
	else if (*end == 'G' || *end == 'g')
		mul = 1024ull * 1024 * 1024, end++;
	if (*end || (x && mul > UINT64_MAX / x))
		return false;
	*v = x * mul;
	return true;
}

static int rip_opt(int id, const char *arg, void *vctx)
{
	struct rip_args *a = vctx;
	switch (id) {
	case OPT_OUT:
		a->out = arg;
		break;
	case OPT_MAP:
		a->map = arg;
		a->map_given = true;
		break;
	case OPT_RETRIES: {
		uint64_t v;
		if (!parse_bytes(arg, &v) || v > 1000)
			return usage_error(&cmd_rip_def, "--retries takes 0 to 1000, not '%s'", arg);
		a->retries = (unsigned)v;
		break;
	}
	case OPT_READ_SIZE:
		if (!parse_bytes(arg, &a->read_size) || a->read_size < 2048 ||
		    a->read_size % 2048 || a->read_size > (64u << 20))
			return usage_error(&cmd_rip_def, "--read-size takes a multiple of 2048 "
					   "bytes up to 64M, not '%s'", arg);
		break;
	case OPT_SIZE:
		if (!parse_bytes(arg, &a->size) || a->size == 0)
			return usage_error(&cmd_rip_def, "--size takes a number of bytes, not '%s'",
					   arg);
		break;
	case OPT_NO_SKIP:
		a->no_skip = true;
		break;
	case OPT_NO_CHECK:
		a->no_check = true;
		break;
	case OPT_OVERWRITE:
		a->overwrite = true;
		break;
	}
	return -1;
}

/* ---- the map file ---- */

struct saver {
	const char *path;
	const char *comment;
};

/* Written to a temporary file, flushed and renamed: a crash leaves the
 * old map or the new one, never half of one. */
static int save_map(void *ud, const struct isokit_rip_map *m)
{
	const struct saver *sv = ud;
	char *text = isokit_rip_map_format(m, sv->comment);
	if (!text)
		return ISOKIT_E_NOMEM;
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", sv->path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int err = fd < 0 ? errno : 0;
	if (fd >= 0) {
		err = -fd_write_all(fd, text, strlen(text));
		if (!err && fsync(fd) != 0)
			err = errno;
		if (close(fd) != 0 && !err)
			err = errno;
		if (!err && rename(tmp, sv->path) != 0)
			err = errno;
		if (err)
			unlink(tmp);
	}
	free(text);
	if (err) {
		msg_error(NULL, "%s: cannot save the rescue map: %s", sv->path, strerror(err));
		return ISOKIT_E_IO;
	}
	return 0;
}

/* A map of a few million ranges at most; more is not a map of ours. */
#define MAP_MAX_BYTES (256u << 20)

/* 0 with *m loaded, 1 when there is no map, -1 with the error printed. */
static int load_map(const char *path, uint64_t size, struct isokit_rip_map **m)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		msg_error(NULL, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	char *text = NULL;
	int rc = -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		msg_error(NULL, "%s: not a file", path);
	} else if ((uint64_t)st.st_size > MAP_MAX_BYTES) {
		msg_error(NULL, "%s: larger than 256 MiB: not a rescue map", path);
	} else if (!(text = malloc((size_t)st.st_size + 1))) {
		msg_error(NULL, "out of memory");
	} else {
		int64_t r = fd_read_at(fd, 0, text, (size_t)st.st_size);
		size_t n = r > 0 ? (size_t)r : 0;
		char msg[256] = "";
		uint64_t dropped = 0;
		int pr;
		if (r < 0)
			msg_error(NULL, "%s: %s", path, strerror((int)-r));
		else if ((pr = isokit_rip_map_parse(text, n, size, m, &dropped, msg, sizeof(msg))) != 0)
			msg_error(NULL, "%s: not a rescue map: %s", path,
				  msg[0] ? msg : isokit_strerror(pr));
		else
			rc = 0;
		if (!rc && dropped)
			msg_warn(NULL, "%s: %" PRIu64 " bytes of the map lie past the image's end "
				 "(%" PRIu64 " bytes) and are ignored", path, dropped, size);
	}
	free(text);
	close(fd);
	return rc;
}

/* ---- progress ---- */

struct rip_progress {
	struct progress bar;
	uint64_t shown;
	bool quiet;
};

/* What the rip's callbacks share. */
struct rip_cb {
	struct saver sv;
	struct rip_progress rp;
};

static int on_checkpoint(void *ud, const struct isokit_rip_map *m)
{
	return save_map(&((struct rip_cb *)ud)->sv, m);
}

static bool on_progress(void *ud, const struct isokit_rip_progress *p)
{
	struct rip_progress *rp = &((struct rip_cb *)ud)->rp;
	if (p->done > rp->shown) {
		progress_update(&rp->bar, p->done - rp->shown, 0);
		rp->shown = p->done;
	}
	return !interrupted();
}

/* ---- the report ---- */

/* The ranges of the map that are not done, in 2048-byte blocks. */
static size_t missing_blocks(const struct isokit_rip_map *m, struct isokit_block_range **out)
{
	size_t n = 0, k = isokit_rip_map_count(m);
	struct isokit_block_range *r = calloc(k ? k : 1, sizeof(*r));
	*out = r;
	if (!r)
		return 0;
	for (size_t i = 0; i < k; i++) {
		uint64_t pos, len;
		enum isokit_rip_status st;
		isokit_rip_map_range(m, i, &pos, &len, &st);
		if (st == ISOKIT_RIP_DONE)
			continue;
		r[n++] = (struct isokit_block_range){pos / 2048, (pos + len + 2047) / 2048 - pos / 2048};
	}
	return n;
}

struct outcome {
	uint64_t size, missing;
	struct isokit_block_range *bad;
	size_t nbad;
	struct damaged_files files;
	uint64_t repaired_blocks;
	bool md5_checked, md5_ok, sums_checked;
	uint64_t files_checked, files_bad;
	bool map_kept;
};

/* Repair data on the image: rebuild what is missing, and mark what was
 * rebuilt done in the map. */
static void try_repair(const char *image, struct isokit_rip_map *m, struct outcome *o,
		       bool quiet)
{
	struct isokit_ecc_info info;
	char msg[512];
	if (isokit_ecc_find(image, NULL, &info, msg, sizeof(msg)) != 0 || info.sidecar)
		return;
	struct progress bar;
	progress_init(&bar, "repair", 0, quiet);
	struct isokit_repair_options ro = {.progress = interrupt_progress, .ud = &bar};
	struct isokit_repair_result r;
	int rc = isokit_repair(image, &ro, &r, msg, sizeof(msg));
	progress_end(&bar);
	if (rc) {
		msg_warn(image, "repair: %s", msg[0] ? msg : isokit_strerror(rc));
		isokit_repair_result_free(&r);
		return;
	}
	o->repaired_blocks = r.repaired_blocks;
	if (r.written || !r.bad_blocks) {
		/* the protected blocks are whole but for r.left */
		uint64_t data_end = info.data_blocks * 2048;
		for (size_t i = 0; i < o->nbad; i++) {
			uint64_t a = o->bad[i].first * 2048, b = a + o->bad[i].count * 2048;
			if (b > data_end)
				b = data_end;
			if (a < b)
				(void)isokit_rip_map_set(m, a, b - a, ISOKIT_RIP_DONE);
		}
		for (size_t i = 0; i < r.nleft; i++)
			(void)isokit_rip_map_set(m, r.left[i].first * 2048, r.left[i].count * 2048,
						 ISOKIT_RIP_BAD);
	}
	isokit_repair_result_free(&r);
}

static void verify(const char *image, struct outcome *o, bool quiet)
{
	struct isokit_image *img;
	if (isokit_image_open(image, NULL, &img) != 0)
		return;
	struct progress bar;
	progress_init(&bar, "verify", o->size, quiet);
	struct isokit_data_check dc;
	int rc = isokit_check_data(img, interrupt_progress, &bar, NULL, NULL, &dc);
	progress_end(&bar);
	isokit_image_close(img);
	if (rc)
		return;
	o->md5_checked = dc.has_isomd5 && dc.isomd5_rc == 0;
	o->md5_ok = o->md5_checked && dc.md5.intact;
	o->sums_checked = dc.has_file_sums && dc.file_sums_rc == 0;
	o->files_checked = dc.files_checked;
	o->files_bad = dc.files_bad;
}

static bool whole(const struct outcome *o)
{
	return !o->missing && (!o->md5_checked || o->md5_ok) && !o->files_bad;
}

static void print_json(const char *dev, const char *out, const char *map, const struct outcome *o)
{
	fputs("{\"device\": ", stdout);
	json_string(stdout, dev);
	fputs(", \"image\": ", stdout);
	json_string(stdout, out);
	printf(", \"status\": \"%s\", \"bytes\": %" PRIu64 ", \"missing_bytes\": %" PRIu64
	       ", \"missing_ranges\": [",
	       whole(o) ? "whole" : o->missing ? "sectors missing" : "checksums differ", o->size,
	       o->missing);
	for (size_t i = 0; i < o->nbad; i++)
		printf("%s[%" PRIu64 ", %" PRIu64 "]", i ? ", " : "", o->bad[i].first,
		       o->bad[i].first + o->bad[i].count - 1);
	fputs("], \"damaged_files\": ", stdout);
	damaged_files_json(stdout, &o->files);
	fputs(", \"map\": ", stdout);
	if (o->map_kept)
		json_string(stdout, map);
	else
		fputs("null", stdout);
	printf(", \"repaired_blocks\": %" PRIu64 ", \"isomd5\": %s, \"files_checked\": %" PRIu64
	       ", \"files_bad\": %" PRIu64 "}\n",
	       o->repaired_blocks, !o->md5_checked ? "null" : o->md5_ok ? "\"intact\"" : "\"differs\"",
	       o->files_checked, o->files_bad);
}

static void print_human(const char *out, const char *map, const struct outcome *o)
{
	char sz[32], miss[32];
	human_size(o->size, sz, sizeof(sz));
	human_size(o->missing, miss, sizeof(miss));
	if (!o->missing)
		printf("%s: %s, every sector read%s\n", out, sz,
		       o->repaired_blocks ? " or rebuilt from its repair data" : "");
	else
		printf("%s: %s, %s missing in %zu range%s (written as zeros)\n", out, sz, miss,
		       o->nbad, o->nbad == 1 ? "" : "s");
	if (o->repaired_blocks)
		printf("  rebuilt %" PRIu64 " block%s from the image's repair data\n",
		       o->repaired_blocks, o->repaired_blocks == 1 ? "" : "s");
	for (size_t i = 0; i < o->nbad && i < 20; i++)
		printf("  missing: sectors %" PRIu64 "-%" PRIu64 "\n", o->bad[i].first,
		       o->bad[i].first + o->bad[i].count - 1);
	if (o->nbad > 20)
		printf("  ... %zu ranges in all (see the map, or --json)\n", o->nbad);
	damaged_files_print(&o->files);
	if (o->md5_checked)
		printf("  isomd5sum MD5: %s\n", o->md5_ok ? "intact" : "DIFFERS");
	if (o->sums_checked)
		printf("  SHA-256 of %" PRIu64 " files: %s\n", o->files_checked,
		       o->files_bad ? "some DIFFER" : "all agree");
	if (o->map_kept)
		printf("  the map %s says what is missing: run the same command again (with "
		       "--retries, or on another drive) to read it\n", map);
}

/* ---- the command ---- */

static int fail_cleanup(int status, struct isokit_rip_map *m, struct rip_source *src)
{
	isokit_rip_map_free(m);
	rip_source_close(src);
	return status;
}

int cmd_rip(int argc, char **argv)
{
	struct common_opts c = {0};
	struct rip_args a = {.retries = 1};
	int first;
	int rv = opt_parse(&cmd_rip_def, rip_opts, argc, argv, &c, rip_opt, &a, &first);
	if (rv >= 0)
		return rv;
	if (argc - first != 1)
		return usage_error(&cmd_rip_def, "expected one DEVICE");
	if (!a.out)
		return usage_error(&cmd_rip_def, "give the image to write with -o OUT.iso");
	const char *dev = argv[first];
	char map_path[4096], part[4096];
	if (!a.map) {
		snprintf(map_path, sizeof(map_path), "%s.map", a.out);
		a.map = map_path;
	}
	snprintf(part, sizeof(part), "%s.part", a.out);

	struct rip_source src;
	if (rip_source_open(&src, dev))
		return EXIT_FAIL;
	struct isokit_rip_extent ext = {0};
	if (a.size) {
		ext.size = a.size;
	} else {
		char why[256];
		if (isokit_rip_medium_size(&src.in, &ext, why, sizeof(why)) != 0) {
			msg_error(dev, "%s", why);
			return fail_cleanup(EXIT_FAIL, NULL, &src);
		}
	}
	if (src.device_size && src.device_size < ext.size)
		msg_warn(dev, "the medium (%" PRIu64 " bytes) is shorter than its image (%" PRIu64
			 " bytes): the sectors past its end will be missing", src.device_size,
			 ext.size);

	/* the map to go on from, and the file it describes */
	struct isokit_rip_map *m = NULL;
	int lr = load_map(a.map, ext.size, &m);
	if (lr < 0)
		return fail_cleanup(EXIT_FAIL, NULL, &src);
	struct stat st;
	bool have_part = stat(part, &st) == 0, have_out = stat(a.out, &st) == 0;
	const char *work = part;
	if (m) {
		bool any = isokit_rip_map_bytes(m, ISOKIT_RIP_DONE) > 0;
		if (have_part)
			work = part;
		else if (have_out)
			work = a.out; /* a finished rip with sectors missing: fill them in */
		else if (any) {
			msg_error(NULL, "%s says %" PRIu64 " bytes were read, but neither %s nor %s "
				  "is there: move the map away to start again", a.map,
				  isokit_rip_map_bytes(m, ISOKIT_RIP_DONE), part, a.out);
			return fail_cleanup(EXIT_FAIL, m, &src);
		}
	} else {
		if (have_out && !a.overwrite) {
			msg_error(NULL, "%s exists: --overwrite replaces it (or give the --map of the "
				  "rip that made it, to go on with it)", a.out);
			return fail_cleanup(EXIT_FAIL, NULL, &src);
		}
		if (isokit_rip_map_new(ext.size, &m) != 0) {
			msg_error(NULL, "out of memory");
			return fail_cleanup(EXIT_FAIL, NULL, &src);
		}
	}
	int out = open(work, O_RDWR | O_CREAT | O_CLOEXEC | (work == part && !have_part ? O_TRUNC : 0),
		       0644);
	if (out < 0) {
		msg_error(NULL, "%s: %s", work, strerror(errno));
		return fail_cleanup(EXIT_FAIL, m, &src);
	}

	char comment[4400];
	snprintf(comment, sizeof(comment),
		 "Mapfile. Created by isokit %s (GNU ddrescue's format)\nSource: %s",
		 isokit_version(), dev);
	struct rip_cb cb = {.sv = {a.map, comment}, .rp = {.quiet = c.quiet || c.json}};
	interrupt_install();
	uint64_t already = isokit_rip_map_bytes(m, ISOKIT_RIP_DONE);
	progress_init(&cb.rp.bar, "rip", ext.size, cb.rp.quiet);
	progress_update(&cb.rp.bar, already, 0);
	cb.rp.shown = already;
	struct isokit_rip_options ro = {
		.sector_size = 2048,
		.read_size = (uint32_t)(a.read_size ? a.read_size : src.optical ? 65536 : 256u << 10),
		.retries = a.retries,
		.no_skip = a.no_skip,
		.progress = on_progress,
		.checkpoint = on_checkpoint,
		.ud = &cb,
	};
	int rc = isokit_rip_run(&src.in, out, m, &ro);
	/* the image's size only now: writing into a file made long in
	 * advance (holes) is a third slower on ext4 than appending, and the
	 * sectors not read past the last one read are zeros either way */
	int out_errno = 0; /* a write's errno is gone by now: the library's code says it */
	if (!rc && ftruncate(out, (off_t)ext.size) != 0) {
		out_errno = errno;
		rc = ISOKIT_E_IO;
	}
	progress_end(&cb.rp.bar);
	if (close(out) != 0 && !rc)
		rc = ISOKIT_E_IO;
	rip_source_close(&src);
	if (rc) {
		uint64_t done = isokit_rip_map_bytes(m, ISOKIT_RIP_DONE);
		if (rc == ISOKIT_E_CANCELED)
			msg_error(dev, "interrupted with %" PRIu64 " of %" PRIu64 " bytes read: %s and "
				  "%s keep them; run the same command again to go on", done, ext.size,
				  work, a.map);
		else
			msg_error(NULL, "%s: cannot write the image: %s (%s keeps what was read "
				  "before)", work, out_errno ? strerror(out_errno) : isokit_strerror(rc),
				  a.map);
		isokit_rip_map_free(m);
		return EXIT_FAIL;
	}
	if (work == part && rename(part, a.out) != 0) {
		msg_error(NULL, "%s: cannot rename to %s: %s", part, a.out, strerror(errno));
		isokit_rip_map_free(m);
		return EXIT_FAIL;
	}

	struct outcome o = {.size = ext.size};
	bool quiet = c.quiet || c.json;
	if (!a.no_check && isokit_rip_map_bytes(m, ISOKIT_RIP_DONE) < ext.size) {
		o.nbad = missing_blocks(m, &o.bad);
		try_repair(a.out, m, &o, quiet);
		free(o.bad);
		o.bad = NULL;
	}
	o.missing = ext.size - isokit_rip_map_bytes(m, ISOKIT_RIP_DONE);
	o.nbad = missing_blocks(m, &o.bad);
	damaged_files_find(a.out, o.bad, o.nbad, &o.files);
	if (!a.no_check && !o.missing)
		verify(a.out, &o, quiet);
	/* the map stays while something is missing, or when it was asked for */
	if (o.missing || a.map_given) {
		o.map_kept = save_map(&cb.sv, m) == 0;
	} else {
		unlink(a.map);
	}
	if (c.json)
		print_json(dev, a.out, a.map, &o);
	else if (!c.quiet)
		print_human(a.out, a.map, &o);
	int status = whole(&o) ? EXIT_OK : EXIT_DAMAGE;
	damaged_files_free(&o.files);
	free(o.bad);
	isokit_rip_map_free(m);
	return status;
}
