// SPDX-License-Identifier: MIT
/* The life of the isokit mount daemon as a process: into the background
 * once mounted, findable by isokit umount (mount-table.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "mount.h"

/* Let isokit umount find this process (mount-table.c); -1 if it cannot. */
static int announce_daemon(const char *mp_real)
{
	char dev[32];
	if (!mp_real || mount_table_find(mp_real, dev, sizeof(dev)) != 1)
		return -1;
	return mount_announce(dev);
}

/*
 * In the background, fork: the parent (the command the user ran) exits 0
 * once the child is ready to be found and to serve; the child leaves the
 * terminal's session. (fuse_daemonize does the same, but gives no chance
 * to announce the serving process before the parent returns.)
 */
int mount_daemonize(bool foreground, const char *mp_real, int *announce)
{
	if (foreground) {
		*announce = announce_daemon(mp_real);
		return chdir("/") == 0 ? 0 : -1;
	}
	int waiter[2];
	if (pipe2(waiter, O_CLOEXEC) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(waiter[0]);
		close(waiter[1]);
		return -1;
	}
	if (pid > 0) {
		char ready = 0;
		close(waiter[1]);
		while (read(waiter[0], &ready, 1) < 0 && errno == EINTR)
			;
		_exit(ready == 1 ? EXIT_OK : EXIT_FAIL);
	}
	close(waiter[0]);
	(void)setsid();
	if (chdir("/") != 0) {
		close(waiter[1]);
		return -1;
	}
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		(void)dup2(null, STDIN_FILENO);
		(void)dup2(null, STDOUT_FILENO);
		(void)dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	*announce = announce_daemon(mp_real);
	char ready = 1;
	(void)!write(waiter[1], &ready, 1);
	close(waiter[1]);
	return 0;
}
