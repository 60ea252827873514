/* SPDX-License-Identifier: MIT */
/*
 * fuzz-probe: the input is an image. Open it from memory, read the volume
 * summary and the El Torito boot entries (the work of `isokit info`).
 */
#include "fuzz-common.h"

static void probe(const uint8_t *data, size_t size, enum isokit_namespace ns)
{
	struct isokit_boot_entry entries[64];
	size_t findings = 0, count = 0, count2 = 0, i;
	struct isokit_image *img = fuzz_open(data, size, ns, &findings);

	if (!img)
		return;
	fuzz_check_info(isokit_image_info(img));
	FUZZ_CHECK(isokit_image_source(img) != NULL);
	/* count only, then fetch: the same catalog gives the same count */
	int r1 = isokit_image_boot_entries(img, NULL, 0, &count);
	int r2 = isokit_image_boot_entries(img, entries, 64, &count2);
	if (r2 != 0)
		fuzz_touch_str(isokit_image_errmsg(img));
	FUZZ_CHECK(r1 != r2 || count == count2);
	for (i = 0; i < count2 && i < 64; i++) {
		FUZZ_CHECK_ARRAY(entries[i].id);
		fuzz_sink += entries[i].load_rba + entries[i].sector_count;
	}
	/* the info must still be sane after the catalog was read */
	fuzz_check_info(isokit_image_info(img));
	fuzz_touch_str(isokit_image_errmsg(img));
	isokit_image_close(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	probe(data, size, ISOKIT_NS_AUTO);
	probe(data, size, ISOKIT_NS_ISO9660);
	return 0;
}
