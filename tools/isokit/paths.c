// SPDX-License-Identifier: MIT
/* Safe extraction paths (see paths.h). Every open uses O_NOFOLLOW relative
 * to a descriptor we hold, so a symlink planted by the image (or already in
 * the destination) can never redirect a write outside it. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

bool path_component_ok(const char *name)
{
	if (!name[0] || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	return strchr(name, '/') == NULL;
}

int open_dir_beneath(int rootfd, const char *rel, bool create)
{
	int fd = dup(rootfd);
	if (fd < 0)
		return -1;
	char *copy = strdup(rel);
	if (!copy) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!path_component_ok(c)) {
			close(fd);
			free(copy);
			errno = EINVAL;
			return -1;
		}
		if (create && mkdirat(fd, c, 0755) < 0 && errno != EEXIST) {
			int e = errno;
			close(fd);
			free(copy);
			errno = e;
			return -1;
		}
		int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		close(fd);
		if (next < 0) {
			free(copy);
			errno = e;
			return -1;
		}
		fd = next;
	}
	free(copy);
	return fd;
}

const char *path_split(const char *rel, char *parent, size_t cap)
{
	const char *slash = strrchr(rel, '/');
	if (!slash) {
		if (cap)
			parent[0] = '\0';
		return rel;
	}
	size_t n = (size_t)(slash - rel);
	if (n >= cap)
		n = cap - 1;
	memcpy(parent, rel, n);
	parent[n] = '\0';
	return slash + 1;
}
