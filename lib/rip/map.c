// SPDX-License-Identifier: MIT
/*
 * The rescue map (rip.h): the medium's bytes as a sorted array of ranges
 * that touch, neighbours always of different status; and its text form,
 * GNU ddrescue's mapfile, so that ddrescue and ddrescuelog read ours and
 * we read theirs.
 */
#include "rip/map.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <isokit/error.h>

static bool valid_status(int c)
{
	return c == '?' || c == '*' || c == '/' || c == '-' || c == '+';
}

int isokit_rip_map_new(uint64_t size, struct isokit_rip_map **out)
{
	*out = NULL;
	struct isokit_rip_map *m = calloc(1, sizeof(*m));
	if (!m)
		return ISOKIT_E_NOMEM;
	m->size = size;
	m->cur_status = '?';
	m->cur_pass = 1;
	if (size) {
		m->r = malloc(sizeof(*m->r) * 16);
		if (!m->r) {
			free(m);
			return ISOKIT_E_NOMEM;
		}
		m->cap = 16;
		m->r[0] = (struct rip_range){0, size, '?'};
		m->n = 1;
	}
	*out = m;
	return 0;
}

void isokit_rip_map_free(struct isokit_rip_map *m)
{
	if (!m)
		return;
	free(m->r);
	free(m);
}

uint64_t isokit_rip_map_size(const struct isokit_rip_map *m)
{
	return m->size;
}

size_t isokit_rip_map_count(const struct isokit_rip_map *m)
{
	return m->n;
}

void isokit_rip_map_range(const struct isokit_rip_map *m, size_t i, uint64_t *pos, uint64_t *len,
			  enum isokit_rip_status *status)
{
	*pos = m->r[i].pos;
	*len = m->r[i].len;
	*status = (enum isokit_rip_status)m->r[i].status;
}

uint64_t isokit_rip_map_bytes(const struct isokit_rip_map *m, enum isokit_rip_status status)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].status == (char)status)
			sum += m->r[i].len;
	return sum;
}

size_t rip_map_find(const struct isokit_rip_map *m, uint64_t pos)
{
	size_t lo = 0, hi = m->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->r[mid].pos <= pos)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int reserve(struct isokit_rip_map *m, size_t more)
{
	if (m->n + more <= m->cap)
		return 0;
	size_t cap = m->cap ? m->cap * 2 : 16;
	while (cap < m->n + more)
		cap *= 2;
	struct rip_range *r = realloc(m->r, cap * sizeof(*r));
	if (!r)
		return ISOKIT_E_NOMEM;
	m->r = r;
	m->cap = cap;
	return 0;
}

int isokit_rip_map_set(struct isokit_rip_map *m, uint64_t pos, uint64_t len,
		       enum isokit_rip_status status)
{
	if (!valid_status((int)status))
		return ISOKIT_E_INVAL;
	if (pos >= m->size || len == 0)
		return 0;
	if (len > m->size - pos)
		len = m->size - pos;
	uint64_t end = pos + len;
	/* at most two more ranges: the parts of the first and last range
	 * outside [pos, end) */
	int rc = reserve(m, 2);
	if (rc)
		return rc;
	size_t a = rip_map_find(m, pos), b = rip_map_find(m, end - 1);
	struct rip_range first = m->r[a], last = m->r[b];
	struct rip_range repl[3];
	size_t k = 0;
	if (first.pos < pos)
		repl[k++] = (struct rip_range){first.pos, pos - first.pos, first.status};
	repl[k++] = (struct rip_range){pos, len, (char)status};
	uint64_t last_end = last.pos + last.len;
	if (last_end > end)
		repl[k++] = (struct rip_range){end, last_end - end, last.status};
	/* replace ranges a..b with repl[0..k) */
	size_t old = b - a + 1;
	memmove(&m->r[a + k], &m->r[b + 1], (m->n - b - 1) * sizeof(*m->r));
	m->n = m->n - old + k;
	memcpy(&m->r[a], repl, k * sizeof(*repl));
	/* merge equal neighbours around what changed */
	size_t lo = a ? a - 1 : 0, hi = a + k < m->n ? a + k : m->n - 1;
	for (size_t i = hi; i > lo; i--) {
		if (m->r[i - 1].status == m->r[i].status) {
			m->r[i - 1].len += m->r[i].len;
			memmove(&m->r[i], &m->r[i + 1], (m->n - i - 1) * sizeof(*m->r));
			m->n--;
		}
	}
	return 0;
}

/* ---- the mapfile ---- */

static int bad_line(char *msg, size_t msglen, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int bad_line(char *msg, size_t msglen, size_t line, const char *fmt, ...)
{
	if (msg && msglen) {
		int n = snprintf(msg, msglen, "line %zu: ", line);
		if (n >= 0 && (size_t)n < msglen) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(msg + n, msglen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return ISOKIT_E_CORRUPT;
}

/* One number in C notation (decimal, 0x hex, 0 octal) from *p. */
static bool number(const char **p, const char *end, uint64_t *v)
{
	char buf[32];
	size_t n = 0;
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	while (*p < end && n < sizeof(buf) - 1 && **p != ' ' && **p != '\t')
		buf[n++] = *(*p)++;
	buf[n] = '\0';
	if (!n || buf[0] == '-' || buf[0] == '+')
		return false;
	char *stop;
	errno = 0;
	unsigned long long x = strtoull(buf, &stop, 0);
	if (errno || *stop)
		return false;
	*v = x;
	return true;
}

static bool status_char(const char **p, const char *end, char *c)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	if (*p >= end)
		return false;
	*c = *(*p)++;
	return *p >= end || **p == ' ' || **p == '\t';
}

static bool rest_blank(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p == end;
}

int isokit_rip_map_parse(const char *text, size_t len, uint64_t size, struct isokit_rip_map **out,
			 uint64_t *dropped, char *msg, size_t msglen)
{
	*out = NULL;
	if (dropped)
		*dropped = 0;
	struct isokit_rip_map *m;
	int rc = isokit_rip_map_new(size, &m);
	if (rc)
		return rc;
	bool have_status = false;
	uint64_t prev_end = 0;
	size_t line = 0;
	const char *p = text, *stop = text + len;
	while (p < stop) {
		const char *eol = memchr(p, '\n', (size_t)(stop - p));
		const char *end = eol ? eol : stop;
		line++;
		const char *q = p;
		p = eol ? eol + 1 : stop;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q == end || *q == '#' || (*q == '\r' && q + 1 == end))
			continue;
		if (memchr(q, '\0', (size_t)(end - q))) {
			rc = bad_line(msg, msglen, line, "a NUL byte: not a text mapfile");
			goto fail;
		}
		if (!have_status) {
			uint64_t pos, pass = 1;
			char st;
			if (!number(&q, end, &pos) || !status_char(&q, end, &st) ||
			    !strchr("?*/-FG+", st)) {
				rc = bad_line(msg, msglen, line,
					      "expected 'current_pos current_status [current_pass]'");
				goto fail;
			}
			if (!rest_blank(q, end) && (!number(&q, end, &pass) || !rest_blank(q, end))) {
				rc = bad_line(msg, msglen, line, "a bad current_pass");
				goto fail;
			}
			m->cur_pos = pos;
			m->cur_status = st;
			m->cur_pass = pass > 1000000 ? 1 : (unsigned)pass;
			have_status = true;
			continue;
		}
		uint64_t pos, n;
		char st;
		if (!number(&q, end, &pos) || !number(&q, end, &n) || !status_char(&q, end, &st) ||
		    !rest_blank(q, end)) {
			rc = bad_line(msg, msglen, line, "expected 'pos size status'");
			goto fail;
		}
		if (!valid_status(st)) {
			rc = bad_line(msg, msglen, line, "'%c' is no block status (one of ?*/-+)", st);
			goto fail;
		}
		if (n == 0 || pos + n < pos) {
			rc = bad_line(msg, msglen, line, "a range of size 0 or past 2^64");
			goto fail;
		}
		if (pos < prev_end) {
			rc = bad_line(msg, msglen, line,
				      "range at 0x%" PRIX64 " overlaps or comes before the one above",
				      pos);
			goto fail;
		}
		prev_end = pos + n;
		if (pos + n > size && dropped)
			*dropped += pos >= size ? n : pos + n - size;
		if ((rc = isokit_rip_map_set(m, pos, n, (enum isokit_rip_status)st)) != 0)
			goto fail;
	}
	*out = m;
	return 0;
fail:
	isokit_rip_map_free(m);
	return rc;
}

/* A growing string. */
struct sbuf {
	char *s;
	size_t n, cap;
	bool failed;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	if (b->failed)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int k = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if (k < 0) {
			b->failed = true;
			return;
		}
		if ((size_t)k < b->cap - b->n) {
			b->n += (size_t)k;
			return;
		}
		size_t cap = b->cap * 2 + (size_t)k;
		char *s = realloc(b->s, cap);
		if (!s) {
			b->failed = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

char *isokit_rip_map_format(const struct isokit_rip_map *m, const char *comment)
{
	struct sbuf b = {malloc(4096), 0, 4096, false};
	if (!b.s)
		return NULL;
	b.s[0] = '\0';
	for (const char *c = comment; c && *c;) {
		const char *nl = strchr(c, '\n');
		int k = nl ? (int)(nl - c) : (int)strlen(c);
		sb_printf(&b, "# %.*s\n", k, c);
		c += k + (nl ? 1 : 0);
	}
	sb_printf(&b, "# current_pos  current_status  current_pass\n");
	sb_printf(&b, "0x%08" PRIX64 "     %c               %u\n", m->cur_pos, m->cur_status,
		  m->cur_pass);
	sb_printf(&b, "#      pos        size  status\n");
	for (size_t i = 0; i < m->n; i++)
		sb_printf(&b, "0x%08" PRIX64 "  0x%08" PRIX64 "  %c\n", m->r[i].pos, m->r[i].len,
			  m->r[i].status);
	if (b.failed) {
		free(b.s);
		return NULL;
	}
	return b.s;
}
