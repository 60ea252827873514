// SPDX-License-Identifier: MIT
/* The rescue map (lib/rip/map.c): ranges split and merged as statuses are
 * set, against a byte-per-sector model; the mapfile text read and written
 * as GNU ddrescue does (a map copied from ddrescue 1.27's output), and
 * malformed maps refused with the line named. */
#include <stdlib.h>
#include <string.h>

#include "harness/tap.h"

#include <isokit/error.h>

#include "rip/map.h"

/* The map agrees with @p model (one status per 2048-byte sector), and
 * its ranges touch, cover the size and never repeat a status. */
static bool agrees(const struct isokit_rip_map *m, const char *model, size_t sectors)
{
	uint64_t at = 0;
	char prev = 0;
	for (size_t i = 0; i < isokit_rip_map_count(m); i++) {
		uint64_t pos, len;
		enum isokit_rip_status st;
		isokit_rip_map_range(m, i, &pos, &len, &st);
		if (pos != at || len == 0 || (char)st == prev)
			return false;
		for (uint64_t s = pos / 2048; s < (pos + len) / 2048; s++)
			if (model[s] != (char)st)
				return false;
		at = pos + len;
		prev = (char)st;
	}
	return at == sectors * 2048;
}

static void test_set_random(void)
{
	tap_note("1000 random sets against a model of 64 sectors");
	enum { N = 64 };
	struct isokit_rip_map *m;
	CHECK(isokit_rip_map_new(N * 2048, &m) == 0);
	char model[N];
	memset(model, '?', N);
	static const char st[] = "?*/-+";
	srand(7);
	bool all = true;
	for (int i = 0; i < 1000; i++) {
		size_t a = (size_t)rand() % N, n = 1 + (size_t)rand() % 8;
		char s = st[rand() % 5];
		if (isokit_rip_map_set(m, a * 2048, n * 2048, (enum isokit_rip_status)s) != 0)
			all = false;
		for (size_t k = a; k < a + n && k < N; k++)
			model[k] = s;
		if (!agrees(m, model, N))
			all = false;
	}
	CHECK(all);
	size_t done = 0;
	for (int k = 0; k < N; k++)
		done += model[k] == '+';
	CHECK_EQ_U64(isokit_rip_map_bytes(m, ISOKIT_RIP_DONE), done * 2048);
	CHECK(isokit_rip_map_set(m, 0, 2048, (enum isokit_rip_status)'x') == ISOKIT_E_INVAL);
	isokit_rip_map_free(m);
}

static void test_ddrescue_text(void)
{
	tap_note("ddrescue's mapfile read; ours written in the same form");
	static const char ddr[] =
		"# Mapfile. Created by GNU ddrescue version 1.27\n"
		"# Command line: ddrescue -b2048 m2/disc d1.iso d1.map\n"
		"# Finished\n"
		"# current_pos  current_status  current_pass\n"
		"0x001A8000     +               1\n"
		"#      pos        size  status\n"
		"0x00000000  0x0015E000  +\n"
		"0x0015E000  0x00001800  -\n"
		"0x0015F800  0x00048800  +\n";
	struct isokit_rip_map *m;
	uint64_t dropped = 1;
	char msg[128] = "";
	CHECK(isokit_rip_map_parse(ddr, sizeof(ddr) - 1, 0x1A8000, &m, &dropped, msg,
				   sizeof(msg)) == 0);
	CHECK_EQ_U64(dropped, 0);
	CHECK_EQ_U64(isokit_rip_map_count(m), 3);
	CHECK_EQ_U64(isokit_rip_map_bytes(m, ISOKIT_RIP_BAD), 0x1800);
	char *text = isokit_rip_map_format(m, "a comment\nsecond line");
	static const char want[] = "# a comment\n"
				   "# second line\n"
				   "# current_pos  current_status  current_pass\n"
				   "0x001A8000     +               1\n"
				   "#      pos        size  status\n"
				   "0x00000000  0x0015E000  +\n"
				   "0x0015E000  0x00001800  -\n"
				   "0x0015F800  0x00048800  +\n";
	CHECK_STR(text, want);
	free(text);
	isokit_rip_map_free(m);

	tap_note("a map longer than the medium: the rest dropped and counted");
	CHECK(isokit_rip_map_parse(ddr, sizeof(ddr) - 1, 0x160000, &m, &dropped, msg,
				   sizeof(msg)) == 0);
	CHECK_EQ_U64(dropped, 0x1A8000 - 0x160000);
	CHECK_EQ_U64(isokit_rip_map_bytes(m, ISOKIT_RIP_DONE), 0x160000 - 0x1800);
	isokit_rip_map_free(m);

	tap_note("a map shorter than the medium, decimal numbers: the rest untried");
	static const char shortmap[] = "0 ? 1\n0 4096 +\n";
	CHECK(isokit_rip_map_parse(shortmap, sizeof(shortmap) - 1, 8192, &m, NULL, msg,
				   sizeof(msg)) == 0);
	CHECK_EQ_U64(isokit_rip_map_bytes(m, ISOKIT_RIP_UNTRIED), 4096);
	isokit_rip_map_free(m);
}

static void test_bad_maps(void)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{"garbage\n", "line 1: expected 'current_pos"},
		{"0 + 1\n0 100 x\n", "line 2: 'x' is no block status"},
		{"0 + 1\n0x800 0x800 +\n0 0x800 +\n", "line 3: range at 0x0 overlaps"},
		{"0 + 1\n0 0 +\n", "line 2: a range of size 0"},
		{"0 + 1\n0 -5 +\n", "line 2: expected 'pos size status'"},
		{"0 + 1\n0xFFFFFFFFFFFFFFFF 2 +\n", "line 2: a range of size 0 or past 2^64"},
		{"# c\n\n0 + 1\n0 100 + extra\n", "line 4: expected 'pos size status'"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tap_note(bad[i].why);
		struct isokit_rip_map *m = (void *)1;
		char msg[128] = "";
		CHECK(isokit_rip_map_parse(bad[i].text, strlen(bad[i].text), 1 << 20, &m, NULL, msg,
					   sizeof(msg)) == ISOKIT_E_CORRUPT);
		CHECK(m == NULL);
		CHECK(strncmp(msg, bad[i].why, strlen(bad[i].why)) == 0);
	}
}

int main(void)
{
	test_set_random();
	test_ddrescue_text();
	test_bad_maps();
	return tap_done();
}
