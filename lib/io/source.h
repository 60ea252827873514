/* SPDX-License-Identifier: MIT */
/* Internal view of sources (the public API is in isokit/io.h). */
#ifndef ISOKIT_IO_SOURCE_H
#define ISOKIT_IO_SOURCE_H

#include <isokit/io.h>

#endif
