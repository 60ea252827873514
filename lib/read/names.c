// SPDX-License-Identifier: MIT
/* Names as each namespace spells them: plain ISO 9660 identifiers (7.5),
 * Joliet UCS-2BE identifiers, and the check that a name is a safe path
 * component. */
#include <string.h>

#include "base/charset.h"
#include "read/internal.h"

size_t iso_name(const uint8_t *id, size_t len, bool is_dir, char *out)
{
	size_t n = len;
	if (!is_dir) {
		/* "NAME.EXT;1": drop the version, then a dot left bare
		 * ("LINK.;1" is a file without extension). */
		for (size_t i = n; i > 0; i--) {
			if (id[i - 1] == ';') {
				n = i - 1;
				break;
			}
		}
		if (n > 0 && id[n - 1] == '.')
			n--;
	}
	memcpy(out, id, n);
	out[n] = '\0';
	return n;
}

size_t joliet_name(const uint8_t *id, size_t len, char *out)
{
	size_t n = ucs2be_to_utf8(id, len & ~(size_t)1, out);
	/* Some writers add ";1" to Joliet file names, some do not. */
	size_t i = n;
	while (i > 0 && out[i - 1] >= '0' && out[i - 1] <= '9')
		i--;
	if (i > 0 && i < n && out[i - 1] == ';') {
		n = i - 1;
		out[n] = '\0';
	}
	return n;
}

bool name_is_safe(const char *name, size_t len)
{
	if (len == 0)
		return false;
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return false;
	return memchr(name, '/', len) == NULL && memchr(name, '\0', len) == NULL;
}
