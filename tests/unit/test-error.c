// SPDX-License-Identifier: MIT
/* The error table: every code of ISOKIT_ERROR_LIST has its message and its
 * symbolic name, codes are negative and distinct, and unknown codes get a
 * fallback rather than NULL. */
#include <isokit/error.h>
#include <isokit/isokit.h>

#include "harness/tap.h"

struct row {
	int code;
	const char *name, *msg;
};

static const struct row rows[] = {
#define ROW(name, value, msg) {value, "ISOKIT_E_" #name, msg},
	ISOKIT_ERROR_LIST(ROW)
#undef ROW
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static void test_table(void)
{
	tap_note("every listed code");
	CHECK_EQ_U64(NROWS, 20);
	for (size_t i = 0; i < NROWS; i++) {
		CHECK_STR(isokit_strerror(rows[i].code), rows[i].msg);
		CHECK_STR(isokit_errname(rows[i].code), rows[i].name);
		CHECK(rows[i].code < 0);
		for (size_t j = 0; j < i; j++)
			if (rows[j].code == rows[i].code)
				CHECK(!"duplicate error code");
	}

	tap_note("stable values (spot checks against the header's numbers)");
	CHECK_EQ_I64(ISOKIT_E_NOMEM, -1);
	CHECK_EQ_I64(ISOKIT_E_CORRUPT, -3);
	CHECK_EQ_I64(ISOKIT_E_LOOP, -11);
	CHECK_EQ_I64(ISOKIT_E_NOTISO, -18);
	CHECK_EQ_I64(ISOKIT_E_TRUNCATED, -19);
	CHECK_EQ_I64(ISOKIT_E_EXISTS, -20);
	CHECK_STR(isokit_errname(-3), "ISOKIT_E_CORRUPT");
	CHECK_STR(isokit_strerror(-11), "directory loop");

	tap_note("success");
	CHECK_STR(isokit_strerror(ISOKIT_OK), "success");
	CHECK_STR(isokit_errname(ISOKIT_OK), "ISOKIT_OK");

	tap_note("unknown codes");
	static const int unknown[] = {-21, -999, 1, 42, -2147483647 - 1};
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		CHECK_STR(isokit_strerror(unknown[i]), "unknown error");
		const char *n = isokit_errname(unknown[i]);
		CHECK(n != NULL && n[0] != '\0');
		bool clash = false;
		for (size_t j = 0; n && j < NROWS; j++)
			clash = clash || strcmp(n, rows[j].name) == 0;
		CHECK(!clash);
	}
}

int main(void)
{
	test_table();
	/* The version string agrees with the header's numbers. */
	char v[32];
	snprintf(v, sizeof(v), "%d.%d.%d", ISOKIT_VERSION_MAJOR,
		 ISOKIT_VERSION_MINOR, ISOKIT_VERSION_PATCH);
	CHECK_STR(isokit_version(), v);
	return tap_done();
}
