// SPDX-License-Identifier: MIT
/*
 * isokit devices: the optical drives and removable disks an image can be
 * burned to or ripped from (blockdev.c), with their media through libburn
 * when it is built in, else through the kernel's CD-ROM ioctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <linux/cdrom.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "blockdev.h"
#include "optical.h"

const struct cmd_def cmd_devices_def = {
	"devices", "[--all] [DEVICE...]",
	"List optical drives (with their media) and removable disks (USB sticks,\n"
	"SD cards): model, size, and whether they are mounted or in use. --all\n"
	"lists every disk; the disk the system runs from is marked.",
	cmd_devices, true, false,
};

enum { OPT_ALL = 1 };

static const struct opt_def devices_opts[] = {
	{OPT_ALL, 'a', "all", NULL, "list every disk, not only optical and removable ones"},
	{OPT_JSON, 0, "json", NULL, "print JSON"},
	{0, 0, NULL, NULL, NULL},
};

static int devices_opt(int id, const char *arg, void *ctx)
{
	(void)arg;
	if (id == OPT_ALL)
		*(bool *)ctx = true;
	return -1;
}

struct entry {
	struct blockdev d;
	const char *adr; /* a stdio: pseudo-drive's address, else NULL */
	bool have_media;
	struct optical_media m;
	char state[48]; /* of an optical drive: "disc", "no disc", "tray open" */
};

/* A USB or SD reader may say "not removable" while its card is; either
 * kind is what a user means by a stick. */
static bool wanted(const struct blockdev *d)
{
	return d->optical || d->removable || strcmp(d->transport, "usb") == 0 ||
	       strcmp(d->transport, "mmc") == 0;
}

/* The drive's state from the kernel alone (no grab, no libburn). */
static void drive_state(struct entry *e)
{
	int fd = open(e->d.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(e->state, sizeof(e->state), "cannot open");
		return;
	}
	const char *s = "unknown";
	switch (ioctl(fd, CDROM_DRIVE_STATUS, CDSL_CURRENT)) {
	case CDS_NO_DISC:
		s = "no disc";
		break;
	case CDS_TRAY_OPEN:
		s = "tray open";
		break;
	case CDS_DRIVE_NOT_READY:
		s = "not ready";
		break;
	case CDS_DISC_OK:
		switch (ioctl(fd, CDROM_DISC_STATUS, 0)) {
		case CDS_AUDIO:
			s = "audio disc";
			break;
		case CDS_MIXED:
			s = "mixed disc";
			break;
		case CDS_DATA_1:
		case CDS_DATA_2:
		case CDS_XA_2_1:
		case CDS_XA_2_2:
			s = "data disc";
			break;
		default:
			s = "disc";
		}
		break;
	}
	snprintf(e->state, sizeof(e->state), "%s", s);
	close(fd);
}

static void probe_media(struct entry *e, const char *adr)
{
	if (optical_built()) {
		struct optical *o;
		/* a busy or empty drive is a state to show, not an error */
		int rc = optical_open(adr, &o, &e->m, true);
		if (rc == 0) {
			e->have_media = true;
			optical_close(o);
			snprintf(e->state, sizeof(e->state), "%s", e->m.status);
			return;
		}
	}
	if (e->d.path[0])
		drive_state(e);
	else
		snprintf(e->state, sizeof(e->state), "cannot open");
}

static void print_mounts(FILE *f, const struct blockdev *d)
{
	for (unsigned i = 0; i < d->nmounts; i++) {
		fputs(i ? ", " : "", f);
		json_string(f, d->mounts[i]);
	}
}

static void print_json(const struct entry *e, size_t n)
{
	printf("{\"devices\": [");
	for (size_t i = 0; i < n; i++) {
		const struct blockdev *d = &e[i].d;
		printf("%s\n  {\"path\": ", i ? "," : "");
		json_string(stdout, e[i].adr ? e[i].adr : d->path);
		printf(", \"kind\": \"%s\", \"model\": ", d->optical ? "optical" : "disk");
		json_string(stdout, d->model);
		printf(", \"transport\": \"%s\", \"size\": %" PRIu64 ", \"removable\": %s, "
		       "\"readonly\": %s, \"partitions\": %u, \"mounts\": [",
		       d->transport, d->size, d->removable ? "true" : "false",
		       d->readonly ? "true" : "false", d->partitions);
		print_mounts(stdout, d);
		printf("], \"swap\": %s, \"held_by\": ", d->swap[0] ? "true" : "false");
		if (d->holder[0])
			json_string(stdout, d->holder);
		else
			printf("null");
		printf(", \"system\": %s", d->system ? "true" : "false");
		if (d->backing[0]) {
			printf(", \"backing_file\": ");
			json_string(stdout, d->backing);
		}
		if (d->optical || e[i].have_media) {
			printf(", \"state\": \"%s\"", e[i].state);
			if (e[i].have_media) {
				printf(", \"media\": {\"drive\": ");
				json_string(stdout, e[i].m.drive);
				printf(", \"profile\": ");
				json_string(stdout, e[i].m.profile);
				printf(", \"status\": \"%s\", \"data_bytes\": %" PRIu64
				       ", \"free_bytes\": %" PRIu64 ", \"erasable\": %s}",
				       e[i].m.status, e[i].m.data_bytes, e[i].m.free_bytes,
				       e[i].m.erasable ? "true" : "false");
			}
		}
		printf("}");
	}
	printf("%s]}\n", n ? "\n" : "");
}

/* Add a comma-separated item to the STATE column. */
__attribute__((format(printf, 3, 4)))
static void append(char *s, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(s);
	if (len && len + 2 < cap) {
		memcpy(s + len, ", ", 3);
		len += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s + len, cap - len, fmt, ap);
	va_end(ap);
}

static void print_table(const struct entry *e, size_t n)
{
	printf("%-12s %-9s %-8s %-28s %s\n", "DEVICE", "SIZE", "TYPE", "MODEL", "STATE");
	for (size_t i = 0; i < n; i++) {
		const struct blockdev *d = &e[i].d;
		char size[32] = "-", state[600] = "";
		if (e[i].have_media && e[i].m.profile[0]) {
			uint64_t b = e[i].m.data_bytes ? e[i].m.data_bytes : e[i].m.free_bytes;
			human_size(b, size, sizeof(size));
			snprintf(state, sizeof(state), "%s, %s", e[i].m.profile, e[i].m.status);
		} else if (d->size) {
			human_size(d->size, size, sizeof(size));
		}
		if (!state[0] && d->optical)
			append(state, sizeof(state), "%s", e[i].state);
		if (d->system)
			append(state, sizeof(state), "system disk");
		for (unsigned k = 0; k < d->nmounts; k++)
			append(state, sizeof(state), "%s%s", k ? "" : "mounted on ", d->mounts[k]);
		if (d->swap[0])
			append(state, sizeof(state), "swap");
		if (d->holder[0])
			append(state, sizeof(state), "used by %s", d->holder);
		if (d->readonly && !d->optical)
			append(state, sizeof(state), "read-only");
		if (!state[0])
			append(state, sizeof(state), "not in use");
		const char *type = d->optical ? "optical" : d->transport[0] ? d->transport : "disk";
		char model[200];
		snprintf(model, sizeof(model), "%s", d->backing[0] ? d->backing : d->model);
		if (!model[0] && e[i].have_media)
			snprintf(model, sizeof(model), "%s", e[i].m.drive);
		printf("%-12s %-9s %-8s %-28s %s\n", e[i].adr ? e[i].adr : d->path, size, type,
		       model[0] ? model : "-", state);
	}
}

int cmd_devices(int argc, char **argv)
{
	struct common_opts c = {0};
	bool all = false;
	int first;
	int rc = opt_parse(&cmd_devices_def, devices_opts, argc, argv, &c, devices_opt, &all,
			   &first);
	if (rc >= 0)
		return rc;

	struct entry *e = NULL;
	size_t n = 0;
	rc = EXIT_OK;
	if (first < argc) {
		/* the devices named: any block device, or a stdio: pseudo-drive */
		e = calloc((size_t)(argc - first), sizeof(*e));
		if (!e) {
			msg_error(NULL, "out of memory");
			return EXIT_FAIL;
		}
		for (int i = first; i < argc; i++) {
			struct entry *x = &e[n];
			/* a failed argument leaves its slot to the next one */
			memset(x, 0, sizeof(*x));
			if (strncmp(argv[i], "stdio:", 6) == 0) {
				x->adr = argv[i];
				x->d.optical = true;
				probe_media(x, argv[i]);
				if (!x->have_media) {
					msg_error(argv[i], "cannot open it as a drive%s",
						  optical_built() ? "" : " (built without libburn)");
					rc = EXIT_FAIL;
					continue;
				}
				n++;
				continue;
			}
			char part[64];
			int r = blockdev_lookup(argv[i], &x->d, part);
			if (r) {
				msg_error(argv[i], "%s", r == -ENOTBLK ? "not a block device"
								       : strerror(-r));
				rc = EXIT_FAIL;
				continue;
			}
			n++;
		}
	} else {
		struct blockdev *list;
		size_t count;
		int r = blockdev_list(&list, &count);
		if (r) {
			msg_error("/sys/block", "%s", strerror(-r));
			return EXIT_FAIL;
		}
		e = calloc(count ? count : 1, sizeof(*e));
		if (!e) {
			free(list);
			msg_error(NULL, "out of memory");
			return EXIT_FAIL;
		}
		for (size_t i = 0; i < count; i++)
			if (all || wanted(&list[i]))
				e[n++].d = list[i];
		free(list);
	}
	for (size_t i = 0; i < n; i++)
		if (e[i].d.optical && !e[i].have_media && !e[i].adr)
			probe_media(&e[i], e[i].d.path);

	if (c.json)
		print_json(e, n);
	else if (n)
		print_table(e, n);
	else if (!c.quiet && first == argc)
		printf("no optical drives or removable disks found (--all lists every disk)\n");
	free(e);
	return rc;
}
