// SPDX-License-Identifier: MIT
/* The system area and partition tables of a bootable image (sysarea.h). */
#include "write/sysarea.h"

#include <string.h>

#include "base/bytes.h"
#include "ecma119/vd.h"
#include "sysarea/parttab.h"

/* blocks of the backup GPT: 32 sectors of entries and the header */
#define GPT_TAIL_BLOCKS ((GPT_ARRAY_SECTORS + 1 + 3) / 4)
#define FIRST_USABLE 64 /* the ISO's system area belongs to no partition */

/* The first entry for @p platform without emulation, or NULL: for BIOS
 * the one the MBR code loads, for EFI the one the GPT makes a partition. */
static const struct wboot *first_entry(const struct writer *w, uint8_t platform)
{
	for (uint32_t i = 0; i < w->nboots; i++)
		if (w->boots[i].spec.platform == platform &&
		    w->boots[i].spec.emulation == ISOKIT_EMUL_NONE)
			return &w->boots[i];
	return NULL;
}

static const struct wboot *bios_entry(const struct writer *w)
{
	return first_entry(w, ISOKIT_BOOT_BIOS);
}

static bool has_code(const uint8_t *sa)
{
	for (size_t i = 0; i < MBR_BOOT_LBA; i++)
		if (sa[i])
			return true;
	return false;
}

/* The EFI boot image's sectors, inclusive; false when there is none. */
static bool efi_sectors(const struct writer *w, uint64_t *first, uint64_t *last)
{
	const struct wboot *efi = first_entry(w, ISOKIT_BOOT_EFI);
	if (!efi)
		return false;
	*first = (uint64_t)efi->lba * 4;
	*last = *first + (efi->size + SECTOR - 1) / SECTOR - 1;
	return true;
}

static uint32_t mbr_sectors(uint64_t n)
{
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

int sysarea_check(struct writer *w)
{
	if (!w->sysarea)
		return 0;
	bool code = has_code(w->sysarea);
	if ((w->sa_flags & (ISOKIT_SA_GRUB2_MBR | ISOKIT_SA_ISOHYBRID_MBR)) && !bios_entry(w))
		return w_error(w, ISOKIT_E_INVAL,
			       "the MBR boot code needs a BIOS boot entry without emulation to load");
	if ((w->sa_flags & ISOKIT_SA_MBR_ONLY) && !(w->sa_flags & ISOKIT_SA_HYBRID))
		return w_error(w, ISOKIT_E_INVAL, "an MBR-only partition table is one of a hybrid image");
	if ((w->sa_flags & ISOKIT_SA_HYBRID) && !code && bios_entry(w))
		return w_error(w, ISOKIT_E_INVAL,
			       "a hybrid image that boots BIOS from a stick needs the boot "
			       "loader's MBR code (e.g. isolinux's isohdpfx.bin)");
	return 0;
}

uint64_t sysarea_layout_end(struct writer *w, uint64_t next)
{
	w->gpt_blocks = 0;
	if (!w->sysarea || !(w->sa_flags & ISOKIT_SA_HYBRID) || (w->sa_flags & ISOKIT_SA_MBR_ONLY))
		return next;
	w->gpt_blocks = GPT_TAIL_BLOCKS;
	_Static_assert(GPT_TAIL_BLOCKS <= FILESUMS_TAIL - 1, "backup GPT in the sums' tail");
	return w->checksums ? next : next + GPT_TAIL_BLOCKS;
}

/* A GUID that depends only on what the image is (reproducible builds):
 * splitmix64 over the volume's time, size and a salt, as a version-4
 * GUID. */
static void make_guid(const struct writer *w, uint64_t salt, uint8_t g[16])
{
	uint64_t x = (uint64_t)w->now * 0x9E3779B97F4A7C15ull ^ w->total_blocks ^ (salt << 56);
	for (int half = 0; half < 2; half++) {
		x += 0x9E3779B97F4A7C15ull;
		uint64_t z = x;
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
		z ^= z >> 31;
		put_le64(g + 8 * half, z);
	}
	g[7] = (uint8_t)((g[7] & 0x0F) | 0x40); /* version 4 */
	g[8] = (uint8_t)((g[8] & 0x3F) | 0x80); /* RFC 4122 variant */
}

/* The partitions of a hybrid image (see sysarea.h). */
static size_t gpt_parts(const struct writer *w, const struct gpt_disk *d, struct gpt_part *p)
{
	size_t n = 0;
	uint64_t at = FIRST_USABLE;
	uint64_t efi_first, efi_last;
	if (efi_sectors(w, &efi_first, &efi_last) && efi_first >= at && efi_last <= d->last_usable) {
		if (efi_first > at)
			p[n++] = (struct gpt_part){.first = at, .last = efi_first - 1, .name = "ISO9660"};
		p[n++] = (struct gpt_part){.first = efi_first, .last = efi_last,
					   .name = "EFI boot partition"};
		memcpy(p[n - 1].type, GPT_TYPE_EFI_SYSTEM, 16);
		at = efi_last + 1;
	}
	if (at <= d->last_usable)
		p[n++] = (struct gpt_part){.first = at, .last = d->last_usable, .name = "ISO9660"};
	for (size_t i = 0; i < n; i++) {
		if (p[i].name[0] == 'I') {
			memcpy(p[i].type, GPT_TYPE_BASIC_DATA, 16);
			/* read-only (bit 60), hidden from automounters is left off */
			p[i].attrs = 1ull << 60;
		}
		make_guid(w, i + 1, p[i].guid);
	}
	return n;
}

static void gpt_disk_of(const struct writer *w, struct gpt_disk *d)
{
	d->sectors = (uint64_t)w->total_blocks * 4;
	d->first_usable = FIRST_USABLE;
	d->last_usable = d->sectors - GPT_ARRAY_SECTORS - 2;
	make_guid(w, 0, d->guid);
}

/* The MBR-only layout (ISOKIT_SA_MBR_ONLY): the template's first entry
 * stretched over the image, and the EFI boot image as partition 2. UEFI
 * firmware rejects an MBR whose partitions overlap (EDK2's
 * PartitionValidMbr) but skips entries of type 0x00; so, as xorriso does,
 * partition 1 has type 0x00 when partition 2 lies inside it, and an EFI
 * partition is made only then. A template's own type is kept: with 0x17
 * or 0xCD there is no partition 2 (UEFI then boots through El Torito).
 * A partition starting past sector 1 would not hold the ISO file system
 * at its start, so such a template start becomes 0. */
static void mbr_only_table(const struct writer *w, uint8_t *sa)
{
	uint64_t sectors = (uint64_t)w->total_blocks * 4;
	uint64_t first, last;
	bool efi = efi_sectors(w, &first, &last) && last < sectors;
	struct mbr_part p1;
	mbr_get(sa, 0, &p1);
	if (!p1.type && !p1.sectors && !p1.start && !p1.active)
		p1 = (struct mbr_part){.active = true, .type = efi ? 0x00 : 0x17};
	if (p1.start > 1)
		p1.start = 0;
	p1.sectors = mbr_sectors(sectors - p1.start);
	mbr_put(sa, 0, &p1);
	int i = 1;
	if (efi && p1.type == 0x00)
		mbr_put(sa, i++, &(struct mbr_part){.type = 0xEF, .start = mbr_sectors(first),
						    .sectors = mbr_sectors(last - first + 1)});
	for (; i < 4; i++)
		mbr_put(sa, i, &(struct mbr_part){0});
}

int sysarea_write(struct writer *w, struct out *o)
{
	if (!w->sysarea)
		return out_zero(o, SYSTEM_AREA_BYTES);
	uint8_t *sa = w->sysarea;
	const struct wboot *bios = bios_entry(w);
	if (bios && (w->sa_flags & ISOKIT_SA_GRUB2_MBR))
		put_le64(sa + MBR_BOOT_LBA, (uint64_t)bios->lba * 4 + 4);
	else if (bios && (w->sa_flags & ISOKIT_SA_ISOHYBRID_MBR))
		put_731(sa + MBR_BOOT_LBA, bios->lba * 4);
	if (!(w->sa_flags & ISOKIT_SA_HYBRID))
		return out_write(o, sa, SYSTEM_AREA_BYTES);
	if (get_731(sa + MBR_DISK_ID) == 0) {
		/* Windows wants a disk signature: the disk GUID's last bytes */
		uint8_t g[16];
		make_guid(w, 0, g);
		memcpy(sa + MBR_DISK_ID, g + 12, 4);
	}
	if (w->sa_flags & ISOKIT_SA_MBR_ONLY) {
		mbr_only_table(w, sa);
	} else {
		struct gpt_disk d;
		gpt_disk_of(w, &d);
		struct mbr_part pm = {.type = 0xEE, .start = 1, .sectors = mbr_sectors(d.sectors - 1)};
		mbr_put(sa, 0, &pm);
		for (int i = 1; i < 4; i++)
			mbr_put(sa, i, &(struct mbr_part){0});
		struct gpt_part parts[4];
		size_t n = gpt_parts(w, &d, parts);
		uint8_t *array = sa + 2 * SECTOR;
		gpt_put_entries(array, parts, n);
		gpt_put_header(sa + SECTOR, &d, array, false);
	}
	return out_write(o, sa, SYSTEM_AREA_BYTES);
}

int sysarea_write_end(struct writer *w, struct out *o)
{
	if (!w->gpt_blocks)
		return 0;
	uint8_t tail[GPT_TAIL_BLOCKS * ISO_BLOCK];
	memset(tail, 0, sizeof(tail));
	struct gpt_disk d;
	gpt_disk_of(w, &d);
	struct gpt_part parts[4];
	size_t n = gpt_parts(w, &d, parts);
	uint8_t *header = tail + sizeof(tail) - SECTOR;
	uint8_t *array = header - GPT_ARRAY_SECTORS * SECTOR;
	gpt_put_entries(array, parts, n);
	gpt_put_header(header, &d, array, true);
	if (o->pos + sizeof(tail) != (uint64_t)w->total_blocks * ISO_BLOCK)
		return w_error(w, ISOKIT_E_INVAL, "internal error: backup GPT out of place");
	return out_write(o, tail, sizeof(tail));
}
