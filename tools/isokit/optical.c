// SPDX-License-Identifier: MIT
/*
 * Optical drives through libburn (optical.h). libburn runs a write or a
 * blank in a thread of its own; we poll its status for the progress line
 * and cancel it on Ctrl-C. Its messages of severity SORRY and up are
 * printed by libburn itself with our prefix, so the drive's own words
 * (sense codes, "media not writable") reach the user.
 */
#include "optical.h"

int optical_missing(const char *adr)
{
	msg_error(adr, "optical drives are written through libburn, and this isokit was built "
		       "without libburn (USB sticks, SD cards and files still work)");
	return EXIT_FAIL;
}

#ifdef ISOKIT_HAVE_LIBBURN

#include <libburn/libburn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "interrupt.h"

struct optical {
	char adr[BURN_DRIVE_ADR_LEN];
	struct burn_drive_info *info;
	struct burn_drive *drive;
	int profile;
};

static bool initialized;

bool optical_built(void)
{
	return true;
}

static int init(const char *adr)
{
	if (initialized)
		return 0;
	if (!burn_initialize()) {
		msg_error(adr, "libburn failed to start");
		return EXIT_FAIL;
	}
	initialized = true;
	return 0;
}

static const char *status_name(enum burn_disc_status s)
{
	switch (s) {
	case BURN_DISC_BLANK:
		return "blank";
	case BURN_DISC_APPENDABLE:
		return "appendable";
	case BURN_DISC_FULL:
		return "closed";
	case BURN_DISC_EMPTY:
		return "no disc";
	case BURN_DISC_UNSUITABLE:
		return "unsuitable";
	default:
		return "unknown";
	}
}

/* DVD-RAM, DVD+RW, DVD-RW restricted overwrite, BD-RE, and stdio files:
 * written in place at any address, never "closed". */
static bool profile_overwritable(int p)
{
	return p == 0x12 || p == 0x13 || p == 0x1a || p == 0x43 || p == 0xffff;
}

static void wait_idle(struct burn_drive *d)
{
	while (burn_drive_get_status(d, NULL) != BURN_DRIVE_IDLE && !interrupted())
		usleep(100000);
}

int optical_open(const char *adr, struct optical **out, struct optical_media *m, bool quiet)
{
	*out = NULL;
	memset(m, 0, sizeof(*m));
	if (init(adr))
		return EXIT_FAIL;
	burn_msgs_set_severities("NEVER", quiet ? "NEVER" : "SORRY", "isokit (libburn): ");
	struct optical *o = calloc(1, sizeof(*o));
	if (!o) {
		msg_error(adr, "out of memory");
		return EXIT_FAIL;
	}
	snprintf(o->adr, sizeof(o->adr), "%s", adr);
	/* load 0: a drive with its tray open is reported, not closed on the user's hand */
	if (burn_drive_scan_and_grab(&o->info, o->adr, 0) != 1) {
		if (!quiet)
			msg_error(adr, "cannot open the drive (no such drive, or busy: a mounted "
				       "disc, another program)");
		free(o);
		return EXIT_FAIL;
	}
	o->drive = o->info[0].drive;
	wait_idle(o->drive);
	enum burn_disc_status st;
	while ((st = burn_disc_get_status(o->drive)) == BURN_DISC_UNREADY && !interrupted())
		usleep(100000);
	if (interrupted()) {
		msg_error(adr, "interrupted while waiting for the drive");
		optical_close(o);
		return EXIT_FAIL;
	}

	snprintf(m->drive, sizeof(m->drive), "%.8s %.16s", o->info[0].vendor,
		 o->info[0].product);
	char name[80] = "";
	int pno = 0;
	if (burn_disc_get_profile(o->drive, &pno, name) == 1 && pno)
		snprintf(m->profile, sizeof(m->profile), "%s", name);
	o->profile = pno;
	snprintf(m->status, sizeof(m->status), "%s", status_name(st));
	m->erasable = burn_disc_erasable(o->drive) == 1;
	int sectors = 0;
	if ((st == BURN_DISC_FULL || st == BURN_DISC_APPENDABLE) &&
	    burn_get_read_capacity(o->drive, &sectors, 0) == 1 && sectors > 0)
		m->data_bytes = (uint64_t)sectors * 2048;
	if (st == BURN_DISC_BLANK || st == BURN_DISC_APPENDABLE) {
		off_t space = burn_disc_available_space(o->drive, NULL);
		m->free_bytes = space > 0 ? (uint64_t)space : 0;
	}
	*out = o;
	return 0;
}

void optical_close(struct optical *o)
{
	if (!o)
		return;
	burn_drive_release(o->drive, 0);
	burn_drive_info_free(o->info);
	free(o);
}

int optical_speed_1x(const struct optical_media *m)
{
	if (strncmp(m->profile, "BD", 2) == 0)
		return 4496;
	if (strncmp(m->profile, "DVD", 3) == 0)
		return 1385;
	return 176;
}

/* Poll a running blank or write until the drive is idle, drawing the
 * progress; Ctrl-C cancels it. */
static void follow(struct optical *o, const char *what, uint64_t total, bool writing, bool quiet)
{
	struct progress pr;
	progress_init(&pr, what, total, quiet);
	struct burn_progress p;
	uint64_t shown = 0;
	bool canceled = false;
	while (burn_drive_get_status(o->drive, &p) == BURN_DRIVE_SPAWNING && !interrupted())
		usleep(100000);
	while (burn_drive_get_status(o->drive, &p) != BURN_DRIVE_IDLE) {
		if (interrupted() && !canceled) {
			burn_drive_cancel(o->drive);
			canceled = true;
		}
		uint64_t done = writing ? (uint64_t)(p.sector > 0 ? p.sector : 0) * 2048
					: (p.sectors > 0 ? total * (uint64_t)p.sector / (uint64_t)p.sectors : 0);
		if (writing && p.buffer_capacity) {
			char note[48];
			unsigned fill = (unsigned)(100.0 * (p.buffer_capacity - p.buffer_available) /
						   p.buffer_capacity);
			snprintf(note, sizeof(note), "drive buffer %u%%", fill > 100 ? 100 : fill);
			progress_note(&pr, note);
		}
		if (done > shown) {
			progress_update(&pr, done - shown, 0);
			shown = done;
		}
		usleep(200000);
	}
	if (total > shown && !canceled && burn_drive_wrote_well(o->drive))
		progress_update(&pr, total - shown, 0);
	progress_end(&pr);
}

int optical_blank(struct optical *o, bool full, bool quiet)
{
	enum burn_disc_status st = burn_disc_get_status(o->drive);
	if (profile_overwritable(o->profile) || st == BURN_DISC_BLANK) {
		if (!quiet)
			fprintf(stderr, "%s: %s, no blanking needed\n", o->adr,
				st == BURN_DISC_BLANK ? "blank" : "written in place");
		return 0;
	}
	if (burn_disc_erasable(o->drive) != 1) {
		msg_error(o->adr, "the disc cannot be blanked (it is not rewritable)");
		return EXIT_FAIL;
	}
	burn_disc_erase(o->drive, full ? 0 : 1);
	usleep(500000);
	follow(o, "blanking", 100, false, quiet);
	if (interrupted()) {
		msg_error(o->adr, "blanking interrupted: the disc may need blanking again");
		return EXIT_FAIL;
	}
	while ((st = burn_disc_get_status(o->drive)) == BURN_DISC_UNREADY && !interrupted())
		usleep(100000);
	if (st != BURN_DISC_BLANK) {
		msg_error(o->adr, "blanking failed: the disc is %s", status_name(st));
		return EXIT_FAIL;
	}
	return 0;
}

int optical_write(struct optical *o, int fd, uint64_t size, const struct optical_write_opts *w)
{
	enum burn_disc_status st = burn_disc_get_status(o->drive);
	if (st == BURN_DISC_EMPTY) {
		msg_error(o->adr, "no disc in the drive");
		return EXIT_FAIL;
	}
	if (!profile_overwritable(o->profile) && st != BURN_DISC_BLANK) {
		msg_error(o->adr, "the disc is %s, not blank%s", status_name(st),
			  burn_disc_erasable(o->drive) == 1 ? ": --blank blanks it first" : "");
		return EXIT_FAIL;
	}
	off_t space = burn_disc_available_space(o->drive, NULL);
	if (space > 0 && (uint64_t)space < size) {
		char need[32], have[32];
		human_size(size, need, sizeof(need));
		human_size((uint64_t)space, have, sizeof(have));
		msg_error(o->adr, "the image (%s) does not fit on the disc (%s free)", need, have);
		return EXIT_FAIL;
	}

	int rc = EXIT_FAIL;
	/* the source closes its descriptor when freed; the caller reads ours after */
	int own = dup(fd);
	struct burn_source *src = own >= 0 ? burn_fd_source_new(own, -1, (off_t)size) : NULL;
	if (!src && own >= 0)
		close(own);
	/* The fifo between our file and the drive keeps its buffer fed. Its
	 * threads wait in sleeps of some 30 ms when it is full or empty, which
	 * caps the rate at about its size per 30 ms: 4 MiB gave a stdio: file
	 * 100 MB/s; 32 MiB is above any drive and near a disk's speed. */
	struct burn_source *fifo = src ? burn_fifo_source_new(src, 2048, 16384, 0) : NULL;
	struct burn_disc *disc = burn_disc_create();
	struct burn_session *session = burn_session_create();
	struct burn_track *track = burn_track_create();
	struct burn_write_opts *opts = burn_write_opts_new(o->drive);
	if (!fifo || !disc || !session || !track || !opts) {
		msg_error(o->adr, "libburn could not set up the write");
		goto out;
	}
	burn_disc_add_session(disc, session, BURN_POS_END);
	burn_track_define_data(track, 0, 0, 1, BURN_MODE1);
	if (burn_track_set_source(track, fifo) != BURN_SOURCE_OK) {
		msg_error(o->adr, "libburn refused the image as a track");
		goto out;
	}
	burn_session_add_track(session, track, BURN_POS_END);

	burn_write_opts_set_perform_opc(opts, 0);
	burn_write_opts_set_multi(opts, w->multi);
	burn_write_opts_set_simulate(opts, w->dummy);
	burn_write_opts_set_underrun_proof(opts, 1);
	/* a stdio: file is flushed once at the end, as isokit burn flushes
	 * files (libburn's default, every 16 MB, made it 10x slower than dd) */
	burn_write_opts_set_stdio_fsync(opts, 1);
	burn_write_opts_set_dvd_obs(opts, 64 * 1024);
	burn_drive_set_speed(o->drive, 0, w->speed_kbs);
	char reasons[BURN_REASONS_LEN];
	if (burn_write_opts_auto_write_type(opts, disc, reasons, 0) == BURN_WRITE_NONE) {
		msg_error(o->adr, "the drive cannot write this disc so: %s", reasons);
		goto out;
	}
	burn_disc_write(opts, disc);
	follow(o, w->dummy ? "simulating" : "burning", size, true, w->quiet);
	if (interrupted()) {
		msg_error(o->adr, "burning interrupted: the disc holds part of the image");
		goto out;
	}
	if (!burn_drive_wrote_well(o->drive)) {
		msg_error(o->adr, "the drive reported a failed write");
		goto out;
	}
	rc = 0;
out:
	if (opts)
		burn_write_opts_free(opts);
	if (track)
		burn_track_free(track);
	if (session)
		burn_session_free(session);
	if (disc)
		burn_disc_free(disc);
	if (fifo)
		burn_source_free(fifo);
	if (src)
		burn_source_free(src);
	return rc;
}

int64_t optical_read_at(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct optical *o = ctx;
	off_t count = 0;
	/* bit1: a bad sector is our report's business, not libburn's message */
	int r = burn_read_data(o->drive, (off_t)off, buf, (off_t)len, &count, 2);
	if (r <= 0)
		return count > 0 ? (int64_t)count : ISOKIT_E_IO;
	return (int64_t)count;
}

#else /* !ISOKIT_HAVE_LIBBURN */

bool optical_built(void)
{
	return false;
}

int optical_open(const char *adr, struct optical **out, struct optical_media *m, bool quiet)
{
	*out = NULL;
	(void)m;
	return quiet ? EXIT_FAIL : optical_missing(adr);
}

void optical_close(struct optical *o)
{
	(void)o;
}

int optical_blank(struct optical *o, bool full, bool quiet)
{
	(void)o, (void)full, (void)quiet;
	return EXIT_FAIL;
}

int optical_write(struct optical *o, int fd, uint64_t size, const struct optical_write_opts *w)
{
	(void)o, (void)fd, (void)size, (void)w;
	return EXIT_FAIL;
}

int64_t optical_read_at(void *o, uint64_t off, void *buf, size_t len)
{
	(void)o, (void)off, (void)buf, (void)len;
	return ISOKIT_E_IO;
}

int optical_speed_1x(const struct optical_media *m)
{
	(void)m;
	return 176;
}

#endif
