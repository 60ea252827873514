/* SPDX-License-Identifier: MIT */
/** @file isokit.h Umbrella header of libisokit. */
#ifndef ISOKIT_H
#define ISOKIT_H

#include "export.h"
#include "error.h"
#include "io.h"
#include "image.h"
#include "writer.h"
#include "verify.h"
#include "repair.h"
#include "rip.h"

#define ISOKIT_VERSION_MAJOR 0
#define ISOKIT_VERSION_MINOR 1
#define ISOKIT_VERSION_PATCH 0

#ifdef __cplusplus
extern "C" {
#endif

/** The library's version, "MAJOR.MINOR.PATCH". */
ISOKIT_API const char *isokit_version(void);

#ifdef __cplusplus
}
#endif
#endif
