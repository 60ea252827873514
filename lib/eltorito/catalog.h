/* SPDX-License-Identifier: MIT */
/* El Torito boot catalog (El Torito 1.0, 2.x): validation entry, initial
 * entry, section headers and entries. */
#ifndef ISOKIT_ELTORITO_CATALOG_H
#define ISOKIT_ELTORITO_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include <isokit/image.h>

#define ELTORITO_ENTRY 32

enum eltorito_ids {
	ET_HEADER_VALIDATION = 0x01,
	ET_BOOTABLE = 0x88,
	ET_NOT_BOOTABLE = 0x00,
	ET_SECTION_MORE = 0x90,
	ET_SECTION_LAST = 0x91,
	ET_EXTENSION = 0x44,
};

/*
 * Decode the catalog in @p cat (@p len bytes, a multiple of 32). Stores up to
 * @p cap entries and sets *count to the number found. Tolerates what real
 * catalogs do (a last header marked 0x90, extension entries); stops at the
 * first entry that is neither. @return 0, or ISOKIT_E_CORRUPT if the
 * validation entry is wrong.
 */
int eltorito_decode(const uint8_t *cat, size_t len,
		    struct isokit_boot_entry *out, size_t cap, size_t *count);

#endif
