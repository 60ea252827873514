// SPDX-License-Identifier: MIT
#include "interrupt.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t flag;

static void on_signal(int sig)
{
	(void)sig;
	flag = 1;
}

void interrupt_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

bool interrupted(void)
{
	return flag != 0;
}

bool interrupt_progress(void *ud, uint64_t done, uint64_t total)
{
	struct progress *p = ud;
	if (p && !p->total)
		p->total = total;
	if (p && done > p->done)
		progress_update(p, done - p->done, 0);
	return !flag;
}
