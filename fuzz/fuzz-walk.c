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

	/* sorted in every other namespace */
	fuzz_each_namespace(data, size, namespaces, sizeof namespaces / sizeof namespaces[0],
			    0x2Au);
	return 0;
}
