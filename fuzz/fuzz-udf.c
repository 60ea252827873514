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

	fuzz_each_namespace(data, size, namespaces, sizeof namespaces / sizeof namespaces[0], 1u);
	return 0;
}
