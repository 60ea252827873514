// SPDX-License-Identifier: MIT
/* A one-line progress bar on stderr, shown only on a terminal. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void progress_init(struct progress *p, const char *what, uint64_t total, bool quiet)
{
	pthread_mutex_init(&p->mu, NULL);
	p->on = !quiet && isatty(STDERR_FILENO);
	p->what = what;
	p->total = total;
	p->done = p->files = 0;
	p->note[0] = '\0';
	p->start_ns = p->last_ns = now_ns();
}

static void draw(struct progress *p, uint64_t t)
{
	double secs = (double)(t - p->start_ns) / 1e9;
	double rate = secs > 0 ? (double)p->done / secs : 0;
	char done[32], total[32], r[32];
	human_size(p->done, done, sizeof(done));
	human_size(p->total, total, sizeof(total));
	human_size((uint64_t)rate, r, sizeof(r));
	int pct = p->total ? (int)(100.0 * (double)p->done / (double)p->total) : 0;
	if (pct > 100)
		pct = 100;
	char bar[21];
	for (int i = 0; i < 20; i++)
		bar[i] = i < pct / 5 ? '#' : '.';
	bar[20] = '\0';
	char eta[32] = "";
	if (rate > 0 && p->total > p->done) {
		unsigned left = (unsigned)((double)(p->total - p->done) / rate);
		snprintf(eta, sizeof(eta), ", %u:%02u left", left / 60, left % 60);
	}
	char files[40] = "";
	if (p->files)
		snprintf(files, sizeof(files), ", %llu files", (unsigned long long)p->files);
	fprintf(stderr, "\r%s [%s] %3d%% %s of ~%s%s, %s/s%s%s\033[K", p->what, bar, pct, done,
		total, files, r, p->note, eta);
}

void progress_update(struct progress *p, uint64_t add_bytes, uint64_t add_files)
{
	pthread_mutex_lock(&p->mu);
	p->done += add_bytes;
	p->files += add_files;
	if (p->on) {
		uint64_t t = now_ns();
		if (t - p->last_ns >= 200000000u) {
			p->last_ns = t;
			draw(p, t);
		}
	}
	pthread_mutex_unlock(&p->mu);
}

void progress_end(struct progress *p)
{
	if (!p->on)
		return;
	/* The total was an estimate (the volume size); the work is done. */
	p->total = p->done;
	draw(p, now_ns());
	fputc('\n', stderr);
}

void progress_note(struct progress *p, const char *note)
{
	pthread_mutex_lock(&p->mu);
	snprintf(p->note, sizeof(p->note), "%s%s", note[0] ? ", " : "", note);
	pthread_mutex_unlock(&p->mu);
}
