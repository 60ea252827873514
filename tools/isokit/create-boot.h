/* SPDX-License-Identifier: MIT */
/* isokit create: the boot options (El Torito entries, catalog, system
 * area), gathered in the order given and handed to the writer. */
#ifndef ISOKIT_TOOL_CREATE_BOOT_H
#define ISOKIT_TOOL_CREATE_BOOT_H

#include <stdbool.h>
#include <stddef.h>

#include <isokit/isokit.h>

#include "cli.h"

enum {
	OPT_BOOT = 100, /* after cmd-create.c's own */
	OPT_EFI,
	OPT_BOOT_LOAD_SIZE,
	OPT_BOOT_INFO_TABLE,
	OPT_GRUB2_BOOT_INFO,
	OPT_BOOT_EMUL,
	OPT_BOOT_CATALOG,
	OPT_HYBRID,
	OPT_SYSTEM_AREA,
	OPT_GRUB2_MBR,
	OPT_BOOT_LIKE,
	OPT_PARTITION_TABLE,
};

#define MAX_BOOT_ENTRIES 32

struct boot_args {
	struct isokit_boot_image e[MAX_BOOT_ENTRIES];
	size_t n;
	const char *catalog;
	const char *system_area; /* --system-area / --grub2-mbr FILE */
	unsigned sa_flags;
	const char *partition_table; /* --partition-table gpt|mbr */
	const char *like;        /* --boot-like ORIGINAL.iso */
	/* what --boot-like found: the original's system area, and the
	 * strings the entries point at */
	unsigned char like_sa[512];
	bool like_has_sa;
	char like_paths[MAX_BOOT_ENTRIES][1024];
	char like_catalog[1024];
};

/* Handles one boot option: 0, or an exit status (usage error; -1: not a
 * boot option, never returned for the ids above). */
int boot_option(const struct cmd_def *cmd, struct boot_args *b, int id, const char *arg);
/* Checks the options together, before any work: 0 or EXIT_USAGE. */
int boot_options_check(const struct cmd_def *cmd, const struct boot_args *b);
/* --boot-like: read the original's boot setup into @p b (entries, catalog
 * path, system area and its flags). 0, or EXIT_FAIL with the error printed. */
int boot_like_load(struct boot_args *b);
/* Hands them to @p w: 0, or EXIT_FAIL with the error printed. */
int boot_apply(struct isokit_writer *w, const struct boot_args *b);

#endif
