// SPDX-License-Identifier: MIT
/* The library's version string. */
#include <isokit/isokit.h>

#include "config.h"

const char *isokit_version(void)
{
	return ISOKIT_VERSION_STRING;
}
