// SPDX-License-Identifier: MIT
/*
 * The stream's buffers, once filled, go to two threads: one computes the
 * isomd5sum MD5 of the image, the other writes them out. MD5 cannot be
 * split (each block depends on the last) and is the slowest step of create
 * (about 900 MB/s); writing into the page cache costs the kernel about as
 * much as reading the files and hashing them with SHA-256 costs the main
 * thread. On two processors the three overlap: the main thread fills
 * buffer k while the others work on earlier ones, and waits only when all
 * TAP_BUFS buffers are still to be hashed or written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "write/internal.h"

static void *md5_main(void *arg)
{
	struct out_tap *t = arg;
	pthread_mutex_lock(&t->mu);
	for (;;) {
		while (t->consumed == t->produced && !t->stop)
			pthread_cond_wait(&t->cv, &t->mu);
		if (t->consumed == t->produced)
			break; /* stopped, and nothing left */
		unsigned slot = (unsigned)(t->consumed % TAP_BUFS);
		size_t len = t->lens[slot];
		pthread_mutex_unlock(&t->mu);
		int rc = t->failed ? 0 : isomd5_stream_feed(&t->md5, t->bufs[slot], len);
		pthread_mutex_lock(&t->mu);
		if (rc)
			t->failed = true;
		t->consumed++;
		pthread_cond_broadcast(&t->cv);
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void *write_main(void *arg)
{
	struct out_tap *t = arg;
	pthread_mutex_lock(&t->mu);
	for (;;) {
		while (t->written == t->produced && !t->stop)
			pthread_cond_wait(&t->cv, &t->mu);
		if (t->written == t->produced)
			break;
		unsigned slot = (unsigned)(t->written % TAP_BUFS);
		size_t len = t->lens[slot];
		int failed = t->werr;
		pthread_mutex_unlock(&t->mu);
		int e = failed ? 0 : write_all(t->fd, t->bufs[slot], len);
		pthread_mutex_lock(&t->mu);
		if (e && !t->werr)
			t->werr = e;
		t->written++;
		pthread_cond_broadcast(&t->cv);
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

static void free_bufs(struct out_tap *t)
{
	for (unsigned i = 0; i < TAP_BUFS; i++)
		free(t->bufs[i]);
	memset(t->bufs, 0, sizeof(t->bufs));
}

int tap_start(struct out_tap *t, struct out *o, uint64_t md5_bytes, uint32_t fragments)
{
	memset(t, 0, sizeof(*t));
	t->fd = o->fd;
	for (unsigned i = 0; i < TAP_BUFS; i++)
		if (!(t->bufs[i] = malloc(o->cap))) {
			free_bufs(t);
			return -1;
		}
	if (isomd5_stream_init(&t->md5, md5_bytes, fragments) != 0) {
		free_bufs(t);
		return -1;
	}
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	if (pthread_create(&t->md5_thread, NULL, md5_main, t) != 0)
		goto fail;
	if (pthread_create(&t->write_thread, NULL, write_main, t) != 0) {
		pthread_mutex_lock(&t->mu);
		t->stop = true;
		pthread_cond_broadcast(&t->cv);
		pthread_mutex_unlock(&t->mu);
		pthread_join(t->md5_thread, NULL);
		goto fail;
	}
	t->running = true;
	/* the stream now fills the tap's buffers in turn */
	t->spare = o->buf;
	o->buf = t->bufs[0];
	o->tap = t;
	return 0;
fail:
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
	isomd5_stream_free(&t->md5);
	free_bufs(t);
	return -1;
}

uint8_t *tap_pass(struct out_tap *t, size_t len, int *werr)
{
	pthread_mutex_lock(&t->mu);
	t->lens[t->produced % TAP_BUFS] = len;
	t->produced++;
	pthread_cond_broadcast(&t->cv);
	while (t->produced - t->consumed >= TAP_BUFS || t->produced - t->written >= TAP_BUFS)
		pthread_cond_wait(&t->cv, &t->mu);
	uint8_t *next = t->bufs[t->produced % TAP_BUFS];
	*werr = t->werr;
	pthread_mutex_unlock(&t->mu);
	return next;
}

int tap_finish(struct out_tap *t, struct out *o, char md5_hex[33], int *werr)
{
	*werr = 0;
	if (!t->running)
		return -1;
	pthread_mutex_lock(&t->mu);
	t->stop = true;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->md5_thread, NULL);
	pthread_join(t->write_thread, NULL);
	t->running = false;
	*werr = t->werr;
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
	int rc = -1;
	if (md5_hex && !t->failed && t->md5.pos == t->md5.total)
		rc = isomd5_stream_final(&t->md5, md5_hex);
	isomd5_stream_free(&t->md5);
	o->buf = t->spare;
	o->tap = NULL;
	free_bufs(t);
	return rc;
}
