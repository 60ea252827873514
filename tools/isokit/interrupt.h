/* SPDX-License-Identifier: MIT */
/* Ctrl-C for long commands that clean up after themselves (ecc add, repair):
 * the first SIGINT or SIGTERM sets a flag their progress callback returns,
 * so the library stops, undoes its work and returns ISOKIT_E_CANCELED. */
#ifndef ISOKIT_INTERRUPT_H
#define ISOKIT_INTERRUPT_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

void interrupt_install(void);
bool interrupted(void);

/* An isokit_progress_fn over a struct progress that stops on Ctrl-C. */
bool interrupt_progress(void *ud, uint64_t done, uint64_t total);

#endif
