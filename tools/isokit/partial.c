// SPDX-License-Identifier: MIT
/* The registry of files being written; see partial.h. The signal handler
 * only reads slots whose `live` flag is set, and a slot's name and folder
 * are written before the flag, so it never sees half a registration. */
#include "partial.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static struct {
	volatile sig_atomic_t live;
	int taken; /* claimed by a thread (atomic compare-and-swap) */
	int dirfd;
	char name[PATH_MAX];
} slots[PARTIAL_SLOTS];

static volatile sig_atomic_t creating, held;

static void remove_all_and_die(int sig)
{
	for (int i = 0; i < PARTIAL_SLOTS; i++)
		if (slots[i].live)
			unlinkat(slots[i].dirfd, slots[i].name, 0);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_signal(int sig)
{
	if (creating)
		held = sig; /* the file being created is not registered yet */
	else
		remove_all_and_die(sig);
}

void partial_install_handlers(void)
{
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
}

void partial_block_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

void partial_creating(bool on)
{
	creating = on;
	if (!on && held)
		remove_all_and_die(held);
}

int partial_add(int dirfd, const char *name)
{
	size_t n = strlen(name);
	if (n >= PATH_MAX)
		return -1;
	for (int i = 0; i < PARTIAL_SLOTS; i++) {
		int free_slot = 0;
		if (!__atomic_compare_exchange_n(&slots[i].taken, &free_slot, 1, false,
						 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			continue;
		memcpy(slots[i].name, name, n + 1);
		slots[i].dirfd = dirfd;
		__atomic_store_n(&slots[i].live, 1, __ATOMIC_SEQ_CST);
		return i;
	}
	return -1;
}

void partial_remove(int slot)
{
	if (slot < 0 || slot >= PARTIAL_SLOTS)
		return;
	__atomic_store_n(&slots[slot].live, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&slots[slot].taken, 0, __ATOMIC_RELEASE);
}
