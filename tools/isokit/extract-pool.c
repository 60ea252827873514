// SPDX-License-Identifier: MIT
/* Worker threads of isokit extract: files of PARALLEL_MIN bytes and more
 * are created by the main thread and filled here, each worker reading
 * through its own image handle, so that large copies overlap. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"


struct xpool {
	struct xstate *x;
	pthread_t th[MAX_WORKERS];
	struct xwriter w[MAX_WORKERS];
	int n;
	pthread_mutex_t mu;
	pthread_cond_t can_pop, can_push, idle;
	struct xfile *q[XQUEUE];
	int head, count, pending;
	bool stop;
};

static void *worker_main(void *arg)
{
	struct xwriter *w = arg;
	struct xpool *pool = w->pool;
	for (;;) {
		pthread_mutex_lock(&pool->mu);
		while (pool->count == 0 && !pool->stop)
			pthread_cond_wait(&pool->can_pop, &pool->mu);
		if (pool->count == 0) {
			pthread_mutex_unlock(&pool->mu);
			return NULL;
		}
		struct xfile *f = pool->q[pool->head];
		pool->head = (pool->head + 1) % XQUEUE;
		pool->count--;
		pthread_cond_signal(&pool->can_push);
		pthread_mutex_unlock(&pool->mu);

		(void)xfile_write(pool->x, w, f);
		xfile_free(f);

		pthread_mutex_lock(&pool->mu);
		if (--pool->pending == 0)
			pthread_cond_broadcast(&pool->idle);
		pthread_mutex_unlock(&pool->mu);
	}
}

/* Wait until every file handed to the workers is finished: before a folder
 * gets its final mode and times, and before its descriptor is closed. */
void pool_drain(struct xpool *pool)
{
	if (!pool)
		return;
	pthread_mutex_lock(&pool->mu);
	while (pool->pending > 0)
		pthread_cond_wait(&pool->idle, &pool->mu);
	pthread_mutex_unlock(&pool->mu);
}

void pool_submit(struct xpool *pool, struct xfile *f)
{
	pthread_mutex_lock(&pool->mu);
	while (pool->count == XQUEUE)
		pthread_cond_wait(&pool->can_push, &pool->mu);
	pool->q[(pool->head + pool->count) % XQUEUE] = f;
	pool->count++;
	pool->pending++;
	pthread_cond_signal(&pool->can_pop);
	pthread_mutex_unlock(&pool->mu);
}

struct xpool *pool_start(struct xstate *x, int workers, enum isokit_namespace ns)
{
	if (workers <= 0)
		return NULL;
	if (workers > MAX_WORKERS)
		workers = MAX_WORKERS;
	struct xpool *pool = calloc(1, sizeof(*pool));
	if (!pool)
		return NULL;
	pool->x = x;
	pthread_mutex_init(&pool->mu, NULL);
	pthread_cond_init(&pool->can_pop, NULL);
	pthread_cond_init(&pool->can_push, NULL);
	pthread_cond_init(&pool->idle, NULL);
	struct isokit_open_options o;
	memset(&o, 0, sizeof(o));
	o.ns = ns;
	/* Signals are the main thread's, which removes the partial files:
	 * the workers start with them blocked. */
	sigset_t old;
	partial_block_signals(&old);
	for (int i = 0; i < workers; i++) {
		/* Each worker reads through its own image handle, so that
		 * errors and caches are never shared between threads. */
		struct xwriter *w = &pool->w[i];
		w->pool = pool;
		if (isokit_image_open(x->image, &o, &w->img) != 0)
			break;
		if (copier_init(&w->cp) != 0) {
			isokit_image_close(w->img);
			break;
		}
		if (pthread_create(&pool->th[i], NULL, worker_main, w) != 0) {
			copier_release(&w->cp);
			isokit_image_close(w->img);
			break;
		}
		pool->n++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pool->n == 0) {
		free(pool);
		return NULL;
	}
	return pool;
}

void pool_stop(struct xpool *pool)
{
	if (!pool)
		return;
	pthread_mutex_lock(&pool->mu);
	pool->stop = true;
	pthread_cond_broadcast(&pool->can_pop);
	pthread_mutex_unlock(&pool->mu);
	for (int i = 0; i < pool->n; i++) {
		pthread_join(pool->th[i], NULL);
		copier_release(&pool->w[i].cp);
		isokit_image_close(pool->w[i].img);
	}
	free(pool);
}
