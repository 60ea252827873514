/* SPDX-License-Identifier: MIT */
/* ECMA-119 dates: the 7-byte binary form of directory records and Rock Ridge
 * TF (9.1.5) and the 17-byte digit form of volume descriptors (8.4.26.1). */
#ifndef ISOKIT_BASE_ISOTIME_H
#define ISOKIT_BASE_ISOTIME_H

#include <stdint.h>

#include <isokit/image.h>

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

/* UTC seconds as a proleptic Gregorian date and time of day. */
struct isotime_parts {
	int64_t year;
	unsigned mon, day, hour, min, sec;
};
struct isotime_parts isotime_split(int64_t sec);

/* Decode a 7-byte date; an all-zero field gives valid = false. */
struct isokit_time isotime_decode7(const uint8_t p[7]);

/* Decode a 17-byte date; "not specified" or unparsable gives valid = false. */
struct isokit_time isotime_decode17(const uint8_t p[17]);

/* Encode UTC seconds as a 7-byte date (zone 0); times before 1900 or after
 * 2155 are clamped to the range the form can hold. */
void isotime_encode7(int64_t sec, uint8_t p[7]);

/* Encode as a 17-byte date with hundredths (zone 0), clamped to years
 * 1..9999; isotime_unspecified17 writes the "not specified" value. */
void isotime_encode17(int64_t sec, int32_t nsec, uint8_t p[17]);
void isotime_unspecified17(uint8_t p[17]);

#endif
