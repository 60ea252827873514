/* SPDX-License-Identifier: MIT */
/**
 * @file error.h
 * Error codes of libisokit. Every fallible function returns 0 on success or
 * one of these negative codes. The numeric values are stable.
 */
#ifndef ISOKIT_ERROR_H
#define ISOKIT_ERROR_H

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, value, message) */
#define ISOKIT_ERROR_LIST(X)                                                   \
	X(NOMEM, -1, "out of memory")                                          \
	X(IO, -2, "input/output error")                                        \
	X(CORRUPT, -3, "image is damaged")                                     \
	X(UNSUPPORTED, -4, "unsupported feature")                              \
	X(INVAL, -5, "invalid argument")                                       \
	X(OVERFLOW, -6, "value too large")                                     \
	X(RANGE, -7, "location outside the image")                             \
	X(NOENT, -8, "no such file or directory")                              \
	X(NOTDIR, -9, "not a directory")                                       \
	X(ISDIR, -10, "is a directory")                                        \
	X(LOOP, -11, "directory loop")                                         \
	X(LIMIT, -12, "safety limit exceeded")                                 \
	X(SEQUENCE, -13, "call out of sequence")                               \
	X(NOSPACE, -14, "no space left")                                       \
	X(NOTBUILT, -15, "feature not built in")                               \
	X(DEVICE, -16, "device error")                                         \
	X(CANCELED, -17, "canceled")                                           \
	X(NOTISO, -18, "not an ISO 9660 image")                                \
	X(TRUNCATED, -19, "image is cut short")                                \
	X(EXISTS, -20, "already there")

enum isokit_err {
	ISOKIT_OK = 0,
#define ISOKIT_ERR_ENUM(name, value, msg) ISOKIT_E_##name = value,
	ISOKIT_ERROR_LIST(ISOKIT_ERR_ENUM)
#undef ISOKIT_ERR_ENUM
};

/** A constant English message for @p code ("unknown error" if unknown). */
ISOKIT_API const char *isokit_strerror(int code);

/** The symbolic name of @p code, e.g. "ISOKIT_E_CORRUPT". */
ISOKIT_API const char *isokit_errname(int code);

#ifdef __cplusplus
}
#endif
#endif
