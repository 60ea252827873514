/* SPDX-License-Identifier: MIT */
/** @file export.h Symbol visibility for the public API. */
#ifndef ISOKIT_EXPORT_H
#define ISOKIT_EXPORT_H

#if defined(ISOKIT_BUILDING) && defined(__GNUC__)
#define ISOKIT_API __attribute__((visibility("default")))
#else
#define ISOKIT_API
#endif

#endif
