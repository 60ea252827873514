// SPDX-License-Identifier: MIT
/*
 * isokit mount and isokit umount: the image as a read-only folder, served
 * through FUSE (mount-fs.c).
 *
 * The FUSE side lives in a helper program, isokit-mount, which `isokit
 * mount` runs in its place: only the helper links libfuse3, so that the
 * other commands neither need it installed nor pay for loading it (0.7 ms
 * of start-up on a cold cache and 236 KiB of resident memory measured for
 * `isokit ls`). This file is built into both: the command (options, the
 * image check, serving) in the helper (ISOKIT_MOUNT_HELPER), the hand-over
 * in isokit; umount needs no FUSE and stays in isokit.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mount.h"

enum { OPT_FOREGROUND = 1, OPT_OPTIONS, OPT_DEBUG, OPT_LOG, OPT_THREADS, OPT_LAZY };

const struct cmd_def cmd_mount_def = {
	"mount", "IMAGE MOUNTPOINT",
	"Show the image as a read-only folder at MOUNTPOINT (FUSE). Returns\n"
	"once the folder can be used and serves it in the background until\n"
	"'isokit umount MOUNTPOINT'.",
	cmd_mount, false, false,
};

const struct cmd_def cmd_umount_def = {
	"umount", "MOUNTPOINT",
	"Unmount a folder mounted by isokit mount.",
	cmd_umount, true, false,
};

static const struct opt_def mount_opts_def[] = {
	{OPT_FOREGROUND, 'f', "foreground", NULL, "serve in the foreground (messages on standard error)"},
	{OPT_OPTIONS, 'o', "options", "OPTS",
	 "comma-separated mount options: uid=N, gid=N, umask=OCTAL (shown instead of "
	 "the image's), and FUSE's own: allow_other, allow_root, auto_unmount, "
	 "fsname=NAME, max_read=N and others"},
	{OPT_LOG, 0, "log", "FILE", "append messages to FILE (default: syslog in the background)"},
	{OPT_THREADS, 0, "threads", "N", "most threads serving requests (default 8)"},
	{OPT_DEBUG, 'd', "debug", NULL, "print every FUSE request (implies -f)"},
	{0, 0, NULL, NULL, NULL},
};

static const struct opt_def umount_opts_def[] = {
	{OPT_LAZY, 'z', "lazy", NULL, "detach now, finish when the folder is no longer busy"},
	{0, 0, NULL, NULL, NULL},
};

#if defined(ISOKIT_MOUNT_HELPER)

struct mount_args {
	struct mount_opts o;
	const char *log_path;
	size_t fuse_len;
	const char *err; /* a usage error to report */
	char errbuf[160];
};

static bool parse_number(const char *s, int base, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, base);
	if (errno || end == s || *end || v > max || *s == '-')
		return false;
	*out = v;
	return true;
}

/* Split one -o list into ours (uid, gid, umask, ro) and FUSE's. */
static int take_options(struct mount_args *a, const char *list)
{
	char *copy = strdup(list);
	if (!copy)
		return -1;
	char *save = NULL;
	for (char *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		unsigned long v;
		if (strncmp(opt, "uid=", 4) == 0) {
			if (!parse_number(opt + 4, 10, (uid_t)-2, &v))
				goto bad;
			a->o.set_uid = true;
			a->o.uid = (uid_t)v;
		} else if (strncmp(opt, "gid=", 4) == 0) {
			if (!parse_number(opt + 4, 10, (gid_t)-2, &v))
				goto bad;
			a->o.set_gid = true;
			a->o.gid = (gid_t)v;
		} else if (strncmp(opt, "umask=", 6) == 0) {
			if (!parse_number(opt + 6, 8, 07777, &v))
				goto bad;
			a->o.set_umask = true;
			a->o.umask = (mode_t)v;
		} else if (strcmp(opt, "ro") == 0) {
			continue; /* always */
		} else if (strcmp(opt, "rw") == 0) {
			snprintf(a->errbuf, sizeof(a->errbuf), "images are mounted read-only ('rw' given)");
			a->err = a->errbuf;
		} else {
			size_t n = strlen(opt);
			char *grown = realloc(a->o.fuse_opts, a->fuse_len + n + 2);
			if (!grown) {
				free(copy);
				return -1;
			}
			a->o.fuse_opts = grown;
			if (a->fuse_len)
				grown[a->fuse_len++] = ',';
			memcpy(grown + a->fuse_len, opt, n + 1);
			a->fuse_len += n;
		}
		continue;
bad:
		snprintf(a->errbuf, sizeof(a->errbuf), "bad value in mount option '%.100s'", opt);
		a->err = a->errbuf;
	}
	free(copy);
	return 0;
}

static int handle_mount_opt(int id, const char *arg, void *ctx)
{
	struct mount_args *a = ctx;
	unsigned long v;
	switch (id) {
	case OPT_FOREGROUND:
		a->o.foreground = true;
		break;
	case OPT_DEBUG:
		a->o.debug = a->o.foreground = true;
		break;
	case OPT_OPTIONS:
		if (take_options(a, arg) != 0)
			return usage_error(&cmd_mount_def, "out of memory");
		if (a->err)
			return usage_error(&cmd_mount_def, "%s", a->err);
		break;
	case OPT_LOG:
		a->log_path = arg;
		break;
	case OPT_THREADS:
		if (!parse_number(arg, 10, 64, &v) || v == 0)
			return usage_error(&cmd_mount_def, "--threads takes 1 to 64");
		a->o.threads = (int)v;
		break;
	}
	return -1;
}

int cmd_mount(int argc, char **argv)
{
	struct common_opts c = {0};
	struct mount_args a;
	memset(&a, 0, sizeof(a));
	a.o.threads = 8;
	int first;
	int r = opt_parse(&cmd_mount_def, mount_opts_def, argc, argv, &c, handle_mount_opt,
			  &a, &first);
	if (r >= 0) {
		free(a.o.fuse_opts);
		return r;
	}
	if (argc - first != 2) {
		free(a.o.fuse_opts);
		return usage_error(&cmd_mount_def, "expected IMAGE and MOUNTPOINT");
	}
	a.o.image = argv[first];
	a.o.mountpoint = argv[first + 1];
	struct stat st;
	int st_rc = stat(a.o.mountpoint, &st);
	if (st_rc != 0 || !S_ISDIR(st.st_mode)) {
		msg_error(NULL, "%s: %s", a.o.mountpoint,
			  st_rc != 0 ? strerror(errno) : "not a folder");
		free(a.o.fuse_opts);
		return EXIT_FAIL;
	}
	if (a.log_path) {
		a.o.log = fopen(a.log_path, "ae");
		if (!a.o.log) {
			msg_error(NULL, "%s: %s", a.log_path, strerror(errno));
			free(a.o.fuse_opts);
			return EXIT_FAIL;
		}
	}
	/* An image that cannot be read is refused here, before anything is
	 * mounted. */
	struct open_ctx ctx;
	struct isokit_image *img = cli_open(a.o.image, &c, &ctx);
	int status = EXIT_FAIL;
	if (img)
		status = mount_serve(img, &a.o);
	if (a.o.log)
		fclose(a.o.log);
	free(a.o.fuse_opts);
	return status;
}

#elif defined(ISOKIT_HAVE_FUSE)

/* The helper next to this program first (a build tree, or an install
 * moved as a whole), then where it was installed. */
static int exec_helper(char **argv)
{
	char dirs[2][PATH_MAX];
	int ndirs = 0;
	ssize_t n = readlink("/proc/self/exe", dirs[0], sizeof(dirs[0]) - 1);
	if (n > 0) {
		dirs[0][n] = '\0';
		char *slash = strrchr(dirs[0], '/');
		if (slash) {
			*slash = '\0';
			ndirs++;
		}
	}
	snprintf(dirs[ndirs++], sizeof(dirs[0]), "%s", ISOKIT_HELPER_DIR);
	int err = ENOENT;
	for (int i = 0; i < ndirs; i++) {
		char path[PATH_MAX];
		if (snprintf(path, sizeof(path), "%s/isokit-mount", dirs[i]) >= (int)sizeof(path))
			continue;
		argv[0] = path;
		execv(path, argv);
		if (errno != ENOENT)
			err = errno;
	}
	msg_error(NULL, "mount: cannot run the FUSE helper isokit-mount (looked in %s%s%s): %s",
		  ndirs > 1 ? dirs[0] : "", ndirs > 1 ? " and " : "", dirs[ndirs - 1],
		  strerror(err));
	return EXIT_FAIL;
}

int cmd_mount(int argc, char **argv)
{
	/* isokit-mount mount ARGS...: argv[0] is "mount" */
	char **av = calloc((size_t)argc + 2, sizeof(*av));
	if (!av) {
		msg_error(NULL, "out of memory");
		return EXIT_FAIL;
	}
	for (int i = 0; i < argc; i++)
		av[i + 1] = argv[i];
	(void)mount_opts_def;
	int status = exec_helper(av);
	free(av);
	return status;
}

#else /* no FUSE */

int cmd_mount(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	(void)mount_opts_def;
	fprintf(stderr, "%s mount: this isokit was built without FUSE support (libfuse3); "
			"install libfuse3-dev and rebuild\n", progname);
	return EXIT_USAGE;
}

#endif

/* ---- umount ---- */

struct umount_args {
	bool lazy;
};

static int handle_umount_opt(int id, const char *arg, void *ctx)
{
	struct umount_args *a = ctx;
	(void)arg;
	if (id == OPT_LAZY)
		a->lazy = true;
	return -1;
}

static int unmount(const char *mp, bool lazy);

int cmd_umount(int argc, char **argv)
{
	struct common_opts c = {0};
	struct umount_args a = {false};
	int first;
	int r = opt_parse(&cmd_umount_def, umount_opts_def, argc, argv, &c, handle_umount_opt,
			  &a, &first);
	if (r >= 0)
		return r;
	if (argc - first != 1)
		return usage_error(&cmd_umount_def, "expected MOUNTPOINT");
	const char *mp = argv[first];
	char dev[32];
	char *real = realpath(mp, NULL);
	int is = real ? mount_table_find(real, dev, sizeof(dev)) : -1;
	free(real);
	if (is <= 0) {
		msg_error(NULL, "%s: %s", mp,
			  is < 0 ? strerror(errno) : "not a folder mounted by isokit");
		return EXIT_FAIL;
	}
	/* The daemon is waited for (not after -z: it serves until the folder
	 * is no longer busy), so that the image is closed on return. */
	pid_t daemon = a.lazy ? -1 : mount_daemon_pid(dev);
	int hold = mount_daemon_hold(daemon);
	int status = unmount(mp, a.lazy);
	if (status == EXIT_OK && daemon > 0 && !mount_daemon_wait(hold, daemon, 10000))
		msg_warn(NULL, "%s: unmounted, but the serving process (%ld) has not "
			       "exited after 10 s", mp, (long)daemon);
	if (hold >= 0)
		close(hold);
	return status;
}

/* Root unmounts directly; anyone else through FUSE's setuid helper, which
 * checks that the mount is theirs. */
static int unmount(const char *mp, bool lazy)
{
	if (geteuid() == 0) {
		if (umount2(mp, lazy ? MNT_DETACH : 0) == 0)
			return EXIT_OK;
		if (errno != EPERM) {
			msg_error(NULL, "%s: cannot unmount: %s", mp, strerror(errno));
			return EXIT_FAIL;
		}
	}
	pid_t pid = fork();
	if (pid < 0) {
		msg_error(NULL, "cannot start fusermount3: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (pid == 0) {
		if (lazy)
			execlp("fusermount3", "fusermount3", "-u", "-z", "--", mp, (char *)NULL);
		else
			execlp("fusermount3", "fusermount3", "-u", "--", mp, (char *)NULL);
		fprintf(stderr, "%s umount: cannot run fusermount3: %s\n", progname,
			strerror(errno));
		_exit(127);
	}
	int ws;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(ws) && WEXITSTATUS(ws) == 0 ? EXIT_OK : EXIT_FAIL;
}
