// SPDX-License-Identifier: MIT
/*
 * The rip (rip.h), in ddrescue's phases over the map:
 *
 *   copy    '?' ranges in large reads. A failed read marks its range '*'
 *           and, the first time over, jumps ahead by a growing step, so
 *           that a scratch costs a few failed reads before the rest of the
 *           disc is safe; a second copy pass then reads what was jumped.
 *   trim    each '*' range sector by sector from its start until a sector
 *           fails, then from its end backwards: the bad edges are '-', the
 *           untouched middle '/'.
 *   scrape  each sector of the '/' ranges.
 *   retry   the '-' sectors again, as many passes as asked.
 *
 * Data is written before the map says '+'; the map is handed out for
 * saving only after the output was flushed, so a saved map never claims
 * bytes that a crash could lose.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <isokit/error.h>

#include "rip/map.h"

struct rip {
	const struct isokit_rip_input *in;
	int out;
	struct isokit_rip_map *map;
	const struct isokit_rip_options *o;
	uint32_t sector, rsize;
	uint8_t *buf;
	struct isokit_rip_progress p;
	double last_checkpoint, last_count;
};

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int checkpoint(struct rip *r)
{
	r->last_checkpoint = now();
	if (fdatasync(r->out) != 0 && errno != EINVAL && errno != EROFS)
		return ISOKIT_E_IO;
	return r->o->checkpoint ? r->o->checkpoint(r->o->ud, r->map) : 0;
}

/* After each read: progress (which may stop the rip) and, now and then,
 * a checkpoint. */
static int tick(struct rip *r)
{
	double t = now();
	if (t - r->last_count >= 0.2) {
		r->p.done = isokit_rip_map_bytes(r->map, ISOKIT_RIP_DONE);
		r->p.bad = isokit_rip_map_bytes(r->map, ISOKIT_RIP_UNTRIMMED) +
			   isokit_rip_map_bytes(r->map, ISOKIT_RIP_UNSCRAPED) +
			   isokit_rip_map_bytes(r->map, ISOKIT_RIP_BAD);
		r->last_count = t;
	}
	if (r->o->progress && !r->o->progress(r->o->ud, &r->p))
		return ISOKIT_E_CANCELED;
	unsigned every = r->o->checkpoint_seconds ? r->o->checkpoint_seconds : 30;
	if (t - r->last_checkpoint >= every)
		return checkpoint(r);
	return 0;
}

static int put(struct rip *r, uint64_t pos, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t w = pwrite(r->out, r->buf + done, len - done, (off_t)(pos + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return errno == ENOSPC ? ISOKIT_E_NOSPACE : ISOKIT_E_IO;
		done += (size_t)w;
	}
	return 0;
}

/* Read [pos, pos + len) in one read, write what came, and mark it: '+'
 * for the sectors read, @p fail for the rest. *ok: all of it was read. */
static int chunk(struct rip *r, uint64_t pos, size_t len, char fail, bool *ok)
{
	r->p.pos = pos;
	r->map->cur_pos = pos;
	int64_t got = r->in->read_at(r->in->ctx, pos, r->buf, len);
	size_t good = 0;
	if (got > 0) {
		good = (size_t)got > len ? len : (size_t)got;
		/* whole sectors only, but for the medium's last, partial one */
		if (pos + good != r->map->size)
			good -= good % r->sector;
	}
	int rc;
	if (good) {
		if ((rc = put(r, pos, good)) != 0 ||
		    (rc = isokit_rip_map_set(r->map, pos, good, ISOKIT_RIP_DONE)) != 0)
			return rc;
	}
	*ok = good == len;
	if (!*ok) {
		r->p.read_errors++;
		if ((rc = isokit_rip_map_set(r->map, pos + good, len - good,
					     (enum isokit_rip_status)fail)) != 0)
			return rc;
	}
	return tick(r);
}

/* The first range of @p status at or after @p pos: its bounds, clipped
 * to start at @p pos; false when there is none. */
static bool next_range(const struct isokit_rip_map *m, uint64_t pos, char status, uint64_t *a,
		       uint64_t *b)
{
	if (pos >= m->size)
		return false;
	for (size_t i = rip_map_find(m, pos); i < m->n; i++) {
		if (m->r[i].status != status)
			continue;
		*a = m->r[i].pos > pos ? m->r[i].pos : pos;
		*b = m->r[i].pos + m->r[i].len;
		return true;
	}
	return false;
}

static void phase(struct rip *r, char status, unsigned pass)
{
	r->p.phase = status;
	r->p.pass = pass;
	r->map->cur_status = status;
	r->map->cur_pass = pass;
}

static int copy_pass(struct rip *r, bool skipping)
{
	uint64_t pos = 0, skip = 0, a, b;
	/* jumps grow to 1/1000 of the medium, at least 16 reads */
	uint64_t max_skip = r->map->size / 1000 / r->rsize * r->rsize;
	if (max_skip < 16ull * r->rsize)
		max_skip = 16ull * r->rsize;
	while (next_range(r->map, pos, '?', &a, &b)) {
		uint64_t end = (a / r->rsize + 1) * r->rsize;
		if (end > b)
			end = b;
		bool ok;
		int rc = chunk(r, a, (size_t)(end - a), '*', &ok);
		if (rc)
			return rc;
		pos = end;
		if (ok) {
			skip = 0;
		} else if (skipping) {
			skip = skip ? (skip * 2 > max_skip ? max_skip : skip * 2) : r->rsize;
			pos = end + skip;
		}
	}
	return 0;
}

/* The sector starting at @p s: its length (the medium's last may be short). */
static size_t sector_at(const struct rip *r, uint64_t s)
{
	uint64_t left = r->map->size - s;
	return left < r->sector ? (size_t)left : r->sector;
}

static int trim(struct rip *r)
{
	uint64_t pos = 0, a, b;
	while (next_range(r->map, pos, '*', &a, &b)) {
		bool ok = true;
		int rc;
		while (a < b && ok) {
			size_t n = sector_at(r, a);
			if ((rc = chunk(r, a, n, '-', &ok)) != 0)
				return rc;
			a += n;
		}
		ok = true;
		while (b > a && ok) {
			uint64_t s = (b - 1) / r->sector * r->sector;
			if (s < a)
				s = a;
			if ((rc = chunk(r, s, (size_t)(b - s), '-', &ok)) != 0)
				return rc;
			b = s;
		}
		if (a < b && (rc = isokit_rip_map_set(r->map, a, b - a, ISOKIT_RIP_UNSCRAPED)) != 0)
			return rc;
		pos = b;
	}
	return 0;
}

/* Every sector of the @p status ranges, once. */
static int sector_pass(struct rip *r, char status)
{
	uint64_t pos = 0, a, b;
	while (next_range(r->map, pos, status, &a, &b)) {
		while (a < b) {
			size_t n = sector_at(r, a);
			bool ok;
			int rc = chunk(r, a, n, '-', &ok);
			if (rc)
				return rc;
			a += n;
		}
		pos = b;
	}
	return 0;
}

static int run(struct rip *r)
{
	int rc;
	phase(r, '?', 1);
	if ((rc = copy_pass(r, !r->o->no_skip)) != 0)
		return rc;
	phase(r, '?', 2);
	if ((rc = copy_pass(r, false)) != 0)
		return rc;
	phase(r, '*', 1);
	if ((rc = trim(r)) != 0)
		return rc;
	phase(r, '/', 1);
	if ((rc = sector_pass(r, '/')) != 0)
		return rc;
	for (unsigned i = 1; i <= r->o->retries; i++) {
		if (isokit_rip_map_bytes(r->map, ISOKIT_RIP_BAD) == 0)
			break;
		phase(r, '-', i);
		if ((rc = sector_pass(r, '-')) != 0)
			return rc;
	}
	r->map->cur_status = '+';
	r->map->cur_pos = r->map->size;
	return 0;
}

int isokit_rip_run(const struct isokit_rip_input *in, int out_fd, struct isokit_rip_map *map,
		   const struct isokit_rip_options *o)
{
	static const struct isokit_rip_options defaults;
	if (!o)
		o = &defaults;
	uint32_t sector = o->sector_size ? o->sector_size : 2048;
	uint32_t rsize = o->read_size ? o->read_size : 65536;
	if (!in || !in->read_at || !map || (sector & (sector - 1)) || rsize % sector ||
	    rsize > (64u << 20))
		return ISOKIT_E_INVAL;
	struct rip r = {.in = in, .out = out_fd, .map = map, .o = o, .sector = sector,
			.rsize = rsize};
	/* aligned for devices opened with O_DIRECT */
	if (posix_memalign((void **)&r.buf, 4096, rsize) != 0)
		return ISOKIT_E_NOMEM;
	r.p.size = map->size;
	r.last_checkpoint = r.last_count = now();
	int rc = run(&r);
	r.p.done = isokit_rip_map_bytes(map, ISOKIT_RIP_DONE);
	int cp = checkpoint(&r);
	free(r.buf);
	return rc ? rc : cp;
}
