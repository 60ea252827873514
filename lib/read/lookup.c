// SPDX-License-Identifier: MIT
/* Path lookup: one directory read per component, nothing else. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "read/dir.h"
#include "read/internal.h"

int isokit_image_lookup(struct isokit_image *img, const char *path,
			struct isokit_node **out)
{
	*out = NULL;
	struct isokit_node *cur = NULL;
	int rc = isokit_node_dup(&img->root, &cur);
	if (rc)
		return rc;
	size_t plen = strlen(path);
	char *walked = malloc(plen + 2);
	if (!walked) {
		isokit_node_free(cur);
		return ISOKIT_E_NOMEM;
	}
	walked[0] = '\0';
	size_t wlen = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 1 && p[0] == '.') {
			p += len;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			rc = img_error(img, ISOKIT_E_INVAL, -1, path,
				       "'..' is not allowed in a path inside the image");
			break;
		}
		if (!S_ISDIR(cur->st.mode)) {
			rc = img_error(img, ISOKIT_E_NOTDIR, -1, walked,
				       "not a directory");
			break;
		}
		/* messages about the folder's entries name the folder being
		 * read, not the path being looked up */
		struct isokit_dir *d;
		rc = dir_open_path(img, cur, walked, &d);
		if (rc)
			break;
		walked[wlen++] = '/';
		memcpy(walked + wlen, p, len);
		wlen += len;
		walked[wlen] = '\0';
		const struct isokit_node *n;
		struct isokit_node *found = NULL;
		while ((rc = isokit_dir_next(d, &n)) > 0) {
			if (!n->st.unsafe_name && n->name_len == len &&
			    memcmp(n->name, p, len) == 0) {
				rc = isokit_node_dup(n, &found);
				break;
			}
		}
		isokit_dir_close(d);
		if (rc < 0)
			break;
		if (!found) {
			rc = img_error(img, ISOKIT_E_NOENT, -1, walked,
				       "no such file or directory in the image");
			break;
		}
		isokit_node_free(cur);
		cur = found;
		rc = 0;
		p += len;
	}
	free(walked);
	if (rc < 0) {
		isokit_node_free(cur);
		return rc;
	}
	*out = cur;
	return 0;
}
