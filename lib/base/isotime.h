/* SPDX-License-Identifier: MIT */
/* ECMA-119 dates: the 7-byte binary form of directory records and Rock Ridge
 * TF (9.1.5) and the 17-byte digit form of volume descriptors (8.4.26.1). */
#ifndef ISOKIT_BASE_ISOTIME_H
#define ISOKIT_BASE_ISOTIME_H

#include <stdint.h>

#include <isokit/image.h>

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

/* Decode a 7-byte date; an all-zero field gives valid = false. */
struct isokit_time isotime_decode7(const uint8_t p[7]);

/* Decode a 17-byte date; "not specified" or unparsable gives valid = false. */
struct isokit_time isotime_decode17(const uint8_t p[17]);

#endif
