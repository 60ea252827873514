// SPDX-License-Identifier: MIT
/*
 * Which isokit daemon serves a mount point, for isokit umount to wait for
 * it: a daemon that is still closing the image when umount returns would
 * keep the disk that holds the image busy (a script that unmounts the
 * image and then the USB stick it lives on must not fail).
 *
 * The daemon listens on an abstract unix socket named after the mount's
 * device number and never accepts; a connection is enough for the kernel
 * to say which process listens (SO_PEERCRED). Abstract names need no file
 * and vanish with the process.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mount.h"

/* Undo mountinfo's octal escapes (space, tab, newline, backslash). */
static void unescape(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	for (; *s && n + 1 < cap; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
			out[n++] = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 3;
		} else {
			out[n++] = *s;
		}
	}
	out[n] = '\0';
}

int mount_table_find(const char *real, char *dev, size_t devlen)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -1;
	char line[8192];
	int found = 0;
	/* the last match wins: a later line is a mount over the earlier */
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL;
		char *fields[5];
		fields[0] = strtok_r(line, " ", &save);
		for (int i = 1; fields[i - 1] && i < 5; i++)
			fields[i] = strtok_r(NULL, " ", &save);
		if (!fields[0] || !fields[4])
			continue;
		char mp[4096];
		unescape(fields[4], mp, sizeof(mp));
		if (strcmp(mp, real) != 0)
			continue;
		char *rest = strtok_r(NULL, "\n", &save);
		char *dash = rest ? strstr(rest, " - ") : NULL;
		if (dash && strncmp(dash + 3, "fuse.isokit ", 12) == 0) {
			found = 1;
			snprintf(dev, devlen, "%s", fields[2]); /* major:minor */
		} else {
			found = 0; /* something else mounted over it */
		}
	}
	fclose(f);
	return found;
}

/* A unix stream socket and the abstract address of the daemon of @p dev;
 * -1 if no socket. */
static int daemon_socket(const char *dev, struct sockaddr_un *sa, socklen_t *len)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	/* sun_path[0] stays 0: an abstract name */
	int n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1, "isokit-mount:%s", dev);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
	return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

int mount_announce(const char *dev)
{
	struct sockaddr_un sa;
	socklen_t len;
	int fd = daemon_socket(dev, &sa, &len);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, len) != 0 || listen(fd, 16) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

pid_t mount_daemon_pid(const char *dev)
{
	struct sockaddr_un sa;
	socklen_t len;
	int fd = daemon_socket(dev, &sa, &len);
	if (fd < 0)
		return -1;
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	pid_t pid = -1;
	if (connect(fd, (struct sockaddr *)&sa, len) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) == 0 &&
	    (cr.uid == geteuid() || geteuid() == 0))
		pid = cr.pid; /* someone else's listener is not waited for */
	close(fd);
	return pid;
}

int mount_daemon_hold(pid_t pid)
{
#ifdef SYS_pidfd_open
	if (pid > 0)
		return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
#endif
	return -1;
}

bool mount_daemon_wait(int pidfd, pid_t pid, int timeout_ms)
{
	if (pidfd >= 0) {
		struct pollfd p = {.fd = pidfd, .events = POLLIN};
		int r;
		while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
			;
		return r > 0;
	}
	/* no pidfd (a kernel before 5.3): look every 10 ms */
	for (int waited = 0; waited < timeout_ms; waited += 10) {
		if (kill(pid, 0) != 0 && errno == ESRCH)
			return true;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	return false;
}
