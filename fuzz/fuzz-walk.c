/* SPDX-License-Identifier: MIT */
/*
 * fuzz-walk: the input is an image. Open it from memory in every namespace
 * in turn, walk the whole tree (sorted in every other namespace, image order
 * in the rest), open and read every
 * regular file (at most FUZZ_READ_CAP bytes per input in total), list the
 * root with the directory iterator and look up a few paths, including the
 * ones the walk met.
 */
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum isokit_namespace namespaces[] = {
		ISOKIT_NS_AUTO, ISOKIT_NS_JOLIET, ISOKIT_NS_ISO9660,
		ISOKIT_NS_ROCKRIDGE, ISOKIT_NS_ISO9660_1999, ISOKIT_NS_UDF,
	};
	uint64_t budget = FUZZ_READ_CAP;
	size_t i;

	for (i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++) {
		size_t findings = 0;
		struct isokit_image *img = fuzz_open(data, size, namespaces[i], &findings);

		if (!img)
			continue;
		fuzz_check_info(isokit_image_info(img));
		fuzz_walk(img, (i & 1) != 0, &budget);
		fuzz_list_root(img);
		fuzz_lookups(img);
		isokit_image_close(img);
	}
	return 0;
}
