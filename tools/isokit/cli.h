/* SPDX-License-Identifier: MIT */
/* Shared declarations of the isokit command-line tool. */
#ifndef ISOKIT_CLI_H
#define ISOKIT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>

#include <isokit/isokit.h>

/* EXIT_DAMAGE: verify found damage (documented in isokit-verify(1)). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_DAMAGE = 4 };

/* ---- options declared once: they drive parsing and --help ---- */

struct opt_def {
	int id;              /* returned to the handler; 0 ends the table */
	char short_name;     /* 0 if none */
	const char *long_name;
	const char *arg;     /* argument name, or NULL for a flag */
	const char *help;
};

struct cmd_def {
	const char *name;
	const char *usage;   /* operands, e.g. "IMAGE [PATH]" */
	const char *summary;
	int (*run)(int argc, char **argv);
	bool no_namespace; /* does not read an image: no --namespace */
	/* the summary gives the exit statuses (4: damage), not the usual ones */
	bool own_exit_status;
};

/* Common options every reading command takes. */
enum {
	OPT_HELP = 1000,
	OPT_QUIET,
	OPT_VERBOSE,
	OPT_NAMESPACE,
	OPT_JSON,
};

struct common_opts {
	bool quiet, verbose, json;
	enum isokit_namespace ns;
};

/*
 * Parse argv with the command's table plus the common options. Calls
 * @p handle for every command-specific option. Operands are left in
 * argv[*first..argc). @return -1 to go on, or an exit status (help shown,
 * usage error).
 */
int opt_parse(const struct cmd_def *cmd, const struct opt_def *defs,
	      int argc, char **argv, struct common_opts *common,
	      int (*handle)(int id, const char *arg, void *ctx), void *ctx,
	      int *first);
void opt_help(FILE *out, const struct cmd_def *cmd, const struct opt_def *defs);
int usage_error(const struct cmd_def *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- messages ---- */

extern const char *progname;
void msg_error(const char *image, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void msg_warn(const char *image, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Open an image with the common options; prints the error and returns NULL
 * on failure. Findings of severity error are counted in *errors. */
struct open_ctx {
	const char *image;
	bool quiet;
	unsigned errors, warnings;
};
struct isokit_image *cli_open(const char *path, const struct common_opts *c,
			      struct open_ctx *ctx);
/* The same, optionally accepting an image shorter than its volume, with
 * the library's result in *rc. */
struct isokit_image *cli_open_rc(const char *path, const struct common_opts *c,
				 struct open_ctx *ctx, bool allow_truncated, int *rc);
/* Print the image's last error: "isokit: IMAGE: message". */
void cli_image_error(const char *image, struct isokit_image *img, int rc);

/* ---- output helpers (out.c) ---- */

const char *type_name(uint32_t mode);
void mode_string(uint32_t mode, char out[11]);
void format_time(const struct isokit_time *t, char *out, size_t len);
void format_time_iso(const struct isokit_time *t, char *out, size_t len);
void json_string(FILE *f, const char *s);
void print_escaped(FILE *f, const char *s);
const char *ns_name(enum isokit_namespace ns);
void human_size(uint64_t bytes, char *out, size_t len);

/* ---- progress (progress.c) ---- */

struct progress {
	pthread_mutex_t mu; /* updates may come from extraction workers */
	bool on;
	const char *what;
	uint64_t total, done, files;
	uint64_t start_ns, last_ns;
	char note[64]; /* shown after the rate, e.g. a drive's buffer fill */
};
void progress_init(struct progress *p, const char *what, uint64_t total, bool quiet);
/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);
void progress_update(struct progress *p, uint64_t add_bytes, uint64_t add_files);
void progress_end(struct progress *p);
/* Text shown after the rate from the next update on ("" for none). */
void progress_note(struct progress *p, const char *note);

/* ---- commands ---- */

int cmd_info(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_mount(int argc, char **argv);
int cmd_umount(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_ecc(int argc, char **argv);
int cmd_repair(int argc, char **argv);
int cmd_rip(int argc, char **argv);
int cmd_burn(int argc, char **argv);
int cmd_devices(int argc, char **argv);

extern const struct cmd_def cmd_info_def, cmd_ls_def, cmd_cat_def, cmd_extract_def,
	cmd_create_def, cmd_mount_def, cmd_umount_def, cmd_verify_def, cmd_ecc_def,
	cmd_repair_def, cmd_rip_def, cmd_burn_def, cmd_devices_def;

#endif
