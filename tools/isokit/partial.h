/* SPDX-License-Identifier: MIT */
/*
 * Files being written under names the user will trust (an extracted file,
 * the temporary file of an image): registered here from the moment they
 * are created until they are complete, so that Ctrl-C, a kill or a hang-up
 * removes them instead of leaving half-written files behind.
 */
#ifndef ISOKIT_PARTIAL_H
#define ISOKIT_PARTIAL_H

#include <signal.h>
#include <stdbool.h>

/* Files registered at once: extraction has one per worker, one per queued
 * file and one for the main thread (see extract.h). */
#define PARTIAL_SLOTS 32

/* Remove the registered files on SIGINT, SIGTERM and SIGHUP, then die of
 * the signal as usual. Call from the main thread, which is the one that
 * creates files; other threads call partial_block_signals() first, so
 * the handler never runs while the main thread is creating another file. */
void partial_install_handlers(void);
/* Block those signals in this thread (threads created now inherit it);
 * the mask before goes to @p old. */
void partial_block_signals(sigset_t *old);

/* Bracket creating a file and registering it: a signal that arrives in
 * between is held back until the file is registered, then handled. */
void partial_creating(bool on);

/* Register @p name in @p dirfd (AT_FDCWD for a path); thread-safe. Returns
 * the slot, or -1 when the name is too long or every slot is taken (the
 * file is then not removed on a signal). */
int partial_add(int dirfd, const char *name);

/* The file is complete (or already removed): forget it. -1 is ignored. */
void partial_remove(int slot);

#endif
