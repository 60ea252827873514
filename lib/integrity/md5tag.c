// SPDX-License-Identifier: MIT
/* Decoding of libisofs (xorriso) MD5 checksum tags. */
#include "integrity/md5tag.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *prefix;
	const char *kind;
} kinds[] = {
	{"libisofs_sb_checksum_tag_v1 ", "superblock"},
	{"libisofs_tree_checksum_tag_v1 ", "tree"},
	{"libisofs_checksum_tag_v1 ", "session"},
	{"libisofs_rlsb32_checksum_tag_v1 ", "relocated-superblock"},
};

/* Value of "key=" as a number within the line; false if absent. */
static bool number(const char *line, const char *key, uint32_t *out)
{
	const char *p = strstr(line, key);
	if (!p)
		return false;
	p += strlen(key);
	uint64_t v = 0;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (uint64_t)(*p++ - '0');
		if (v > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

bool md5tag_parse(const uint8_t *blk, size_t len, struct isokit_md5_tag *out,
		  uint32_t *next)
{
	char line[256];
	size_t n = 0;
	while (n < len && n < sizeof(line) - 1 && blk[n] && blk[n] != '\n')
		n++;
	memcpy(line, blk, n);
	line[n] = '\0';
	memset(out, 0, sizeof(*out));
	*next = 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strncmp(line, kinds[i].prefix, strlen(kinds[i].prefix)) != 0)
			continue;
		const char *md5 = strstr(line, " md5=");
		if (!number(line, " pos=", &out->pos) ||
		    !number(line, " range_start=", &out->range_start) ||
		    !number(line, " range_size=", &out->range_size) || !md5)
			return false;
		md5 += 5;
		for (int k = 0; k < 32; k++) {
			char c = md5[k];
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
				return false;
		}
		memcpy(out->md5, md5, 32);
		out->md5[32] = '\0';
		snprintf(out->kind, sizeof(out->kind), "%s", kinds[i].kind);
		(void)number(line, " next=", next);
		return true;
	}
	return false;
}
