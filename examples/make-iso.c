// SPDX-License-Identifier: MIT
/*
 * make-iso: the smallest complete use of the isokit writer API.
 *
 *   make-iso OUT.iso LABEL FOLDER
 *
 * writes FOLDER as an ISO 9660 image with Rock Ridge and Joliet. A real
 * program would write to a temporary file and rename it, as `isokit create`
 * does; this one keeps to the API.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <isokit/isokit.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: make-iso OUT.iso LABEL FOLDER\n");
		return 2;
	}
	struct isokit_writer_options opt = {
		.volume_id = argv[2],
	};
	struct isokit_writer *w = isokit_writer_new(&opt);
	if (!w) {
		fprintf(stderr, "make-iso: out of memory\n");
		return 1;
	}
	/* the folder's contents become the root of the image */
	int rc = isokit_writer_add(w, "/", argv[3]);
	int fd = -1;
	if (rc == 0) {
		fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd < 0) {
			perror(argv[1]);
			isokit_writer_free(w);
			return 1;
		}
		rc = isokit_writer_write_fd(w, fd);
	}
	if (rc < 0)
		fprintf(stderr, "make-iso: %s (%s)\n", isokit_writer_errmsg(w), isokit_strerror(rc));
	struct isokit_writer_stats st;
	isokit_writer_stats(w, &st);
	if (rc == 0)
		printf("%s: %llu files, %llu folders, %llu bytes\n", argv[1],
		       (unsigned long long)st.files, (unsigned long long)st.dirs,
		       (unsigned long long)st.image_bytes);
	if (fd >= 0 && close(fd) < 0 && rc == 0) {
		perror(argv[1]);
		rc = -1;
	}
	isokit_writer_free(w);
	return rc < 0 ? 1 : 0;
}
