// SPDX-License-Identifier: MIT
/*
 * The isomd5sum MD5 of the image as it is written. MD5 cannot be split
 * (each block depends on the last) and runs at about 650 MB/s, slower than
 * everything else create does; so it runs on a thread of its own, behind
 * the writer, over the very buffers the writer hands to write(2). The
 * writer fills buffer k while the thread hashes buffer k - 1, ...; it waits
 * only when all TAP_BUFS are still to be hashed.
 */
#include <stdlib.h>
#include <string.h>

#include "write/internal.h"

static void *tap_main(void *arg)
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

int tap_start(struct out_tap *t, struct out *o, uint64_t md5_bytes, uint32_t fragments)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < TAP_BUFS; i++)
		if (!(t->bufs[i] = malloc(o->cap)))
			goto fail;
	if (isomd5_stream_init(&t->md5, md5_bytes, fragments) != 0)
		goto fail;
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	if (pthread_create(&t->thread, NULL, tap_main, t) != 0) {
		pthread_mutex_destroy(&t->mu);
		pthread_cond_destroy(&t->cv);
		isomd5_stream_free(&t->md5);
		goto fail;
	}
	t->running = true;
	/* the stream now fills the tap's buffers in turn */
	t->spare = o->buf;
	o->buf = t->bufs[0];
	o->tap = t;
	return 0;
fail:
	for (unsigned i = 0; i < TAP_BUFS; i++)
		free(t->bufs[i]);
	memset(t->bufs, 0, sizeof(t->bufs));
	return -1;
}

uint8_t *tap_pass(struct out_tap *t, size_t len)
{
	pthread_mutex_lock(&t->mu);
	t->lens[t->produced % TAP_BUFS] = len;
	t->produced++;
	pthread_cond_broadcast(&t->cv);
	while (t->produced - t->consumed >= TAP_BUFS)
		pthread_cond_wait(&t->cv, &t->mu);
	uint8_t *next = t->bufs[t->produced % TAP_BUFS];
	pthread_mutex_unlock(&t->mu);
	return next;
}

int tap_finish(struct out_tap *t, struct out *o, char md5_hex[33])
{
	if (!t->running)
		return -1;
	pthread_mutex_lock(&t->mu);
	t->stop = true;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->thread, NULL);
	t->running = false;
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
	int rc = -1;
	if (md5_hex && !t->failed && t->md5.pos == t->md5.total)
		rc = isomd5_stream_final(&t->md5, md5_hex);
	isomd5_stream_free(&t->md5);
	o->buf = t->spare;
	o->tap = NULL;
	for (unsigned i = 0; i < TAP_BUFS; i++)
		free(t->bufs[i]);
	memset(t->bufs, 0, sizeof(t->bufs));
	return rc;
}
