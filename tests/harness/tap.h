/* SPDX-License-Identifier: MIT */
/*
 * A small TAP (Test Anything Protocol) harness for the unit tests. Every
 * CHECK prints one "ok N" or "not ok N" line; a failing check also prints
 * where it is (file:line), both expressions and both values as TAP
 * diagnostics ("# ..."), and the test goes on with the next check. The test's
 * main() ends with `return tap_done();`, which prints the plan "1..N" and
 * returns non-zero when any check failed. Header-only: one test program is
 * one translation unit.
 */
#ifndef ISOKIT_TEST_TAP_H
#define ISOKIT_TEST_TAP_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned tap_count_;
static unsigned tap_failed_;

/* Record one result; returns ok so a test can stop a dependent block. */
static inline bool tap_result_(bool ok, const char *file, int line,
			       const char *what)
{
	tap_count_++;
	if (!ok)
		tap_failed_++;
	printf("%sok %u - %s:%d: %s\n", ok ? "" : "not ", tap_count_, file,
	       line, what);
	if (!ok)
		printf("#   failed at %s:%d\n", file, line);
	fflush(stdout);
	return ok;
}

/* A TAP comment, for naming a group of checks. */
static inline void tap_note(const char *s)
{
	printf("# %s\n", s);
}

static inline bool tap_eq_u64_(uint64_t a, uint64_t b, const char *ea,
			       const char *eb, const char *file, int line)
{
	bool ok = tap_result_(a == b, file, line, ea);
	if (!ok)
		printf("#   %s == %s\n#   got:      %" PRIu64 " (0x%" PRIx64
		       ")\n#   expected: %" PRIu64 " (0x%" PRIx64 ")\n",
		       ea, eb, a, a, b, b);
	return ok;
}

static inline bool tap_eq_i64_(int64_t a, int64_t b, const char *ea,
			       const char *eb, const char *file, int line)
{
	bool ok = tap_result_(a == b, file, line, ea);
	if (!ok)
		printf("#   %s == %s\n#   got:      %" PRId64
		       "\n#   expected: %" PRId64 "\n",
		       ea, eb, a, b);
	return ok;
}

static inline bool tap_str_(const char *a, const char *b, const char *ea,
			    const char *eb, const char *file, int line)
{
	bool ok = (a == NULL && b == NULL) ||
		  (a != NULL && b != NULL && strcmp(a, b) == 0);
	tap_result_(ok, file, line, ea);
	if (!ok) {
		printf("#   %s == %s\n", ea, eb);
		printf("#   got:      %s%s%s\n", a ? "\"" : "", a ? a : "NULL",
		       a ? "\"" : "");
		printf("#   expected: %s%s%s\n", b ? "\"" : "", b ? b : "NULL",
		       b ? "\"" : "");
	}
	return ok;
}

static inline void tap_hex_(const char *label, const uint8_t *p, size_t from,
			    size_t to)
{
	printf("#   %s [%zu..%zu):", label, from, to);
	for (size_t i = from; i < to; i++)
		printf(" %02x", p[i]);
	printf("\n");
}

static inline bool tap_mem_(const void *va, const void *vb, size_t n,
			    const char *ea, const char *eb, const char *file,
			    int line)
{
	const uint8_t *a = va, *b = vb;
	size_t i = 0;
	bool ok = a && b;
	if (ok)
		while (i < n && a[i] == b[i])
			i++;
	ok = ok && i == n;
	tap_result_(ok, file, line, ea);
	if (!ok && a && b) {
		size_t from = i >= 8 ? i - 8 : 0;
		size_t to = i + 8 < n ? i + 8 : n;
		printf("#   %s == %s (%zu bytes): first difference at byte %zu\n",
		       ea, eb, n, i);
		tap_hex_("got     ", a, from, to);
		tap_hex_("expected", b, from, to);
	} else if (!ok) {
		printf("#   %s == %s: NULL pointer\n", ea, eb);
	}
	return ok;
}

/* Each macro evaluates its arguments once and yields true on success. */
#define CHECK(cond) tap_result_((cond) ? true : false, __FILE__, __LINE__, #cond)

#define CHECK_EQ_U64(a, b)                                                     \
	tap_eq_u64_((uint64_t)(a), (uint64_t)(b), #a, #b, __FILE__, __LINE__)

#define CHECK_EQ_U32(a, b) CHECK_EQ_U64(a, b)

#define CHECK_EQ_I64(a, b)                                                     \
	tap_eq_i64_((int64_t)(a), (int64_t)(b), #a, #b, __FILE__, __LINE__)

#define CHECK_STR(a, b) tap_str_((a), (b), #a, #b, __FILE__, __LINE__)

#define CHECK_MEM(a, b, n) tap_mem_((a), (b), (n), #a, #b, __FILE__, __LINE__)

/* Print the plan and give main()'s exit status. */
static inline int tap_done(void)
{
	printf("1..%u\n", tap_count_);
	if (tap_failed_)
		printf("# %u of %u checks failed\n", tap_failed_, tap_count_);
	fflush(stdout);
	return tap_failed_ ? 1 : 0;
}

#endif
