/* SPDX-License-Identifier: MIT */
/*
 * fuzz-udf: the input is an image read as UDF: recognition sequence,
 * anchors, descriptor sequences, partition maps and the metadata file, the
 * file set, then the whole tree in UDF (walked in image order and sorted),
 * every regular file read (under the byte budget), the root listed and a
 * few paths looked up. The automatic choice (UDF over Joliet and plain
 * ISO 9660, UDF alone without a primary descriptor) is opened too.
 */
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum isokit_namespace namespaces[] = {ISOKIT_NS_UDF, ISOKIT_NS_AUTO};
	uint64_t budget = FUZZ_READ_CAP;

	for (size_t i = 0; i < sizeof namespaces / sizeof namespaces[0]; i++) {
		size_t findings = 0;
		struct isokit_image *img = fuzz_open(data, size, namespaces[i], &findings);

		if (!img)
			continue;
		fuzz_check_info(isokit_image_info(img));
		fuzz_walk(img, i == 0, &budget);
		fuzz_list_root(img);
		fuzz_lookups(img);
		isokit_image_close(img);
	}
	return 0;
}
