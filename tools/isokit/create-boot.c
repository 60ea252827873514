// SPDX-License-Identifier: MIT
/* isokit create: the boot options (create-boot.h). Options that shape an
 * entry (--boot-load-size, --boot-info-table...) apply to the entry made
 * by the --boot or --efi before them, as in mkisofs. */
#include "create-boot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct isokit_boot_image *last_entry(const struct cmd_def *cmd, struct boot_args *b,
					    const char *opt)
{
	if (b->n == 0) {
		usage_error(cmd, "%s applies to a boot entry: give --boot FILE or --efi FILE first",
			    opt);
		return NULL;
	}
	return &b->e[b->n - 1];
}

static int new_entry(const struct cmd_def *cmd, struct boot_args *b, const char *path,
		     uint8_t platform)
{
	if (b->n == MAX_BOOT_ENTRIES)
		return usage_error(cmd, "at most %d boot entries", MAX_BOOT_ENTRIES);
	b->e[b->n++] = (struct isokit_boot_image){.image_path = path, .platform = platform};
	return 0;
}

int boot_option(const struct cmd_def *cmd, struct boot_args *b, int id, const char *arg)
{
	struct isokit_boot_image *e;
	switch (id) {
	case OPT_BOOT:
		return new_entry(cmd, b, arg, ISOKIT_BOOT_BIOS);
	case OPT_EFI:
		return new_entry(cmd, b, arg, ISOKIT_BOOT_EFI);
	case OPT_BOOT_LOAD_SIZE: {
		if (!(e = last_entry(cmd, b, "--boot-load-size")))
			return EXIT_USAGE;
		char *end;
		errno = 0;
		long v = strtol(arg, &end, 10);
		if (errno || *end || v < 1 || v > 65535)
			return usage_error(cmd, "--boot-load-size takes 512-byte sectors from 1 to 65535, not '%s'", arg);
		e->load_sectors = (uint16_t)v;
		return 0;
	}
	case OPT_BOOT_INFO_TABLE:
		if (!(e = last_entry(cmd, b, "--boot-info-table")))
			return EXIT_USAGE;
		e->patch |= ISOKIT_BOOT_INFO_TABLE;
		return 0;
	case OPT_GRUB2_BOOT_INFO:
		if (!(e = last_entry(cmd, b, "--grub2-boot-info")))
			return EXIT_USAGE;
		e->patch |= ISOKIT_BOOT_GRUB2_INFO;
		return 0;
	case OPT_BOOT_EMUL:
		if (!(e = last_entry(cmd, b, "--boot-emul")))
			return EXIT_USAGE;
		if (!strcmp(arg, "none"))
			e->emulation = ISOKIT_EMUL_NONE;
		else if (!strcmp(arg, "floppy"))
			e->emulation = ISOKIT_EMUL_FLOPPY;
		else if (!strcmp(arg, "hard-disk"))
			e->emulation = ISOKIT_EMUL_HARD_DISK;
		else
			return usage_error(cmd, "--boot-emul takes none, floppy or hard-disk, not '%s'", arg);
		return 0;
	case OPT_BOOT_CATALOG:
		b->catalog = arg;
		return 0;
	case OPT_HYBRID:
		b->sa_flags |= ISOKIT_SA_HYBRID;
		return 0;
	case OPT_PARTITION_TABLE:
		if (!strcmp(arg, "mbr"))
			b->sa_flags |= ISOKIT_SA_MBR_ONLY;
		else if (!strcmp(arg, "gpt"))
			b->sa_flags &= ~(unsigned)ISOKIT_SA_MBR_ONLY;
		else
			return usage_error(cmd, "--partition-table takes gpt or mbr, not '%s'", arg);
		b->partition_table = arg;
		return 0;
	case OPT_BOOT_LIKE:
		b->like = arg;
		return 0;
	case OPT_SYSTEM_AREA:
	case OPT_GRUB2_MBR:
		if (b->system_area)
			return usage_error(cmd, "give one of --system-area and --grub2-mbr, once");
		b->system_area = arg;
		if (id == OPT_GRUB2_MBR)
			b->sa_flags |= ISOKIT_SA_GRUB2_MBR;
		return 0;
	default:
		return -1;
	}
}

int boot_options_check(const struct cmd_def *cmd, const struct boot_args *b)
{
	if (b->like && (b->n || b->system_area || b->sa_flags || b->catalog || b->partition_table))
		return usage_error(cmd, "--boot-like takes the whole boot setup from the original: "
				   "give no other boot options with it");
	if (b->catalog && b->n == 0)
		return usage_error(cmd, "--boot-catalog needs --boot or --efi");
	if (b->partition_table && !(b->sa_flags & ISOKIT_SA_HYBRID))
		return usage_error(cmd, "--partition-table shapes the tables of --hybrid: give --hybrid too");
	if ((b->sa_flags & ISOKIT_SA_HYBRID) && b->n == 0)
		return usage_error(cmd, "--hybrid needs --boot or --efi: there is nothing to boot");
	if (b->sa_flags & ISOKIT_SA_HYBRID) {
		bool bios = false;
		for (size_t i = 0; i < b->n; i++)
			bios |= b->e[i].platform == ISOKIT_BOOT_BIOS;
		if (bios && !b->system_area)
			return usage_error(cmd,
					   "--hybrid with --boot needs the boot loader's MBR code to boot "
					   "BIOS machines from a stick: --system-area FILE (isolinux: "
					   "/usr/lib/ISOLINUX/isohdpfx.bin) or --grub2-mbr FILE (GRUB: "
					   "/usr/lib/grub/i386-pc/boot_hybrid.img)");
	}
	return 0;
}

/* Reads the system-area template (at most 32 KiB). */
static int read_template(const char *path, unsigned char *buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		msg_error(NULL, "%s: %s", path, strerror(errno));
		return EXIT_FAIL;
	}
	size_t n = fread(buf, 1, 32768, f);
	int extra = fgetc(f);
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		msg_error(NULL, "%s: read error", path);
		return EXIT_FAIL;
	}
	if (extra != EOF) {
		msg_error(NULL, "%s: a system area is at most 32768 bytes", path);
		return EXIT_FAIL;
	}
	if (n < 432) {
		msg_error(NULL, "%s: too short for MBR boot code (%zu bytes; isohdpfx.bin has 432)",
			  path, n);
		return EXIT_FAIL;
	}
	*len = n;
	return 0;
}

int boot_apply(struct isokit_writer *w, const struct boot_args *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (isokit_writer_add_boot(w, &b->e[i]) < 0)
			goto fail;
	if (b->catalog && isokit_writer_set_boot_catalog(w, b->catalog) < 0)
		goto fail;
	if (b->like_has_sa) {
		if (isokit_writer_set_system_area(w, b->like_sa, sizeof(b->like_sa), b->sa_flags) < 0)
			goto fail;
	} else if (b->system_area || b->sa_flags) {
		static unsigned char sa[32768];
		size_t len = 0;
		if (b->system_area && read_template(b->system_area, sa, &len))
			return EXIT_FAIL;
		unsigned flags = b->sa_flags;
		/* a hybrid's MBR code is isolinux's unless --grub2-mbr said GRUB */
		if (b->system_area && (flags & ISOKIT_SA_HYBRID) && !(flags & ISOKIT_SA_GRUB2_MBR))
			flags |= ISOKIT_SA_ISOHYBRID_MBR;
		if (isokit_writer_set_system_area(w, len ? sa : NULL, len, flags) < 0)
			goto fail;
	}
	return 0;
fail:
	msg_error(NULL, "%s", isokit_writer_errmsg(w));
	return EXIT_FAIL;
}
