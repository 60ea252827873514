/* SPDX-License-Identifier: MIT */
/*
 * The system area of a bootable image (blocks 0-15) and, for a hybrid
 * image, the backup GPT at its end. Layout of a hybrid image, in 512-byte
 * sectors (N sectors in all):
 *
 *   0          MBR: the template's boot code with the BIOS boot image's
 *              address patched in at byte 432, and one protective
 *              partition of type 0xEE over sectors 1 to N-1
 *   1          GPT header; 2-33 its 128 entries
 *   34-63      the rest of the template (zeros without one)
 *   64...      the ISO file system: a basic-data partition, interrupted by
 *              an EFI system partition over the EFI boot image when there
 *              is one (so UEFI firmware finds it on a stick)
 *   N-33..N-2  the backup entries, N-1 the backup header
 *
 * With ISOKIT_SA_MBR_ONLY the MBR holds the partitions instead (see
 * mbr_only_table()) and there is no GPT.
 *
 * With checksums the backup GPT lies inside the 15 blocks at the volume's
 * end that isomd5sum leaves out (docs/format/file-sums.md); without, it
 * adds 9 blocks to the volume.
 */
#ifndef ISOKIT_WRITE_SYSAREA_H
#define ISOKIT_WRITE_SYSAREA_H

#include "write/internal.h"

/* Options that cannot work together, before the layout. */
int sysarea_check(struct writer *w);
/* Blocks after @p next that the backup GPT needs; the volume's end. */
uint64_t sysarea_layout_end(struct writer *w, uint64_t next);
/* Blocks 0-15. */
int sysarea_write(struct writer *w, struct out *o);
/* The backup GPT: the last gpt_blocks blocks. */
int sysarea_write_end(struct writer *w, struct out *o);

#endif
