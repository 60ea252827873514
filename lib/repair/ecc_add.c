// SPDX-License-Identifier: MIT
/*
 * ecc add: compute the repair data of an image (see ecc.h). The groups are
 * processed in stripes of STRIPE consecutive groups: a stripe needs STRIPE
 * consecutive blocks of each of the k layers (k reads) and yields STRIPE
 * consecutive blocks of each of the m repair layers. Stripes are shared out
 * among threads; each thread has its own buffers (k + m) * STRIPE blocks.
 */
#include <errno.h>
#include <stdarg.h>
#include <time.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <isokit/error.h>
#include <isokit/repair.h>

#include "base/bytes.h"
#include "integrity/digest.h"
#include "integrity/isal.h"
#include "repair/ecc.h"

#define STRIPE 64u     /* groups per stripe: reads of 128 KiB */
#define MAX_THREADS 8u

struct encoder {
	const struct isal *l;
	const struct ecc_header *h;
	int in_fd, out_fd;
	uint64_t area; /* byte offset of the area in out_fd */
	uint8_t *tables;
	uint32_t *crc;
	uint64_t stripes;
	uint64_t next;  /* next stripe to take (atomic) */
	uint64_t done;  /* stripes finished (atomic) */
	int err;        /* errno of the first failure (atomic) */
	int cancel;     /* set when the caller cancels (atomic) */
};

/* One stripe: groups [g0, g0 + n). */
static int encode_stripe(struct encoder *e, uint64_t g0, uint32_t n, uint8_t **data,
			 uint8_t **parity)
{
	const struct ecc_header *h = e->h;
	size_t len = (size_t)n * ECC_BLOCK;
	for (uint32_t j = 0; j < h->k; j++) {
		uint64_t b = (uint64_t)j * h->groups + g0;
		uint64_t real = b >= h->data_blocks ? 0 : h->data_blocks - b;
		if (real > n)
			real = n;
		if (real && ecc_pread(e->in_fd, data[j], (size_t)real * ECC_BLOCK, b * ECC_BLOCK,
				      NULL) != 0)
			return errno ? errno : EIO;
		/* blocks past the data's end are zeros, not stored */
		memset(data[j] + real * ECC_BLOCK, 0, len - (size_t)real * ECC_BLOCK);
		for (uint64_t i = 0; i < real; i++)
			e->crc[b + i] = isal_block_crc(e->l, data[j] + i * ECC_BLOCK, ECC_BLOCK);
	}
	e->l->ec_encode_data((int)len, (int)h->k, (int)h->m, e->tables, data, parity);
	for (uint32_t r = 0; r < h->m; r++) {
		uint64_t at = ecc_parity_at(h) + (uint64_t)r * h->groups + g0;
		int rc = ecc_pwrite(e->out_fd, parity[r], len, e->area + at * ECC_BLOCK);
		if (rc)
			return rc;
		uint64_t c = h->data_blocks + (uint64_t)r * h->groups + g0;
		for (uint32_t i = 0; i < n; i++)
			e->crc[c + i] = isal_block_crc(e->l, parity[r] + (size_t)i * ECC_BLOCK, ECC_BLOCK);
	}
	return 0;
}

static void *encode_main(void *arg)
{
	struct encoder *e = arg;
	const struct ecc_header *h = e->h;
	uint8_t *data[ECC_MAX_CODE], *parity[ECC_MAX_CODE];
	size_t per = (size_t)STRIPE * ECC_BLOCK;
	uint8_t *mem = malloc(per * (h->k + h->m));
	if (!mem) {
		__atomic_store_n(&e->err, ENOMEM, __ATOMIC_RELAXED);
		return NULL;
	}
	for (uint32_t j = 0; j < h->k; j++)
		data[j] = mem + per * j;
	for (uint32_t r = 0; r < h->m; r++)
		parity[r] = mem + per * (h->k + r);
	for (;;) {
		if (__atomic_load_n(&e->err, __ATOMIC_RELAXED) ||
		    __atomic_load_n(&e->cancel, __ATOMIC_RELAXED))
			break;
		uint64_t s = __atomic_fetch_add(&e->next, 1, __ATOMIC_RELAXED);
		if (s >= e->stripes)
			break;
		uint64_t g0 = s * STRIPE;
		uint32_t n = (uint32_t)(h->groups - g0 < STRIPE ? h->groups - g0 : STRIPE);
		int rc = encode_stripe(e, g0, n, data, parity);
		if (rc) {
			int zero = 0;
			__atomic_compare_exchange_n(&e->err, &zero, rc, false, __ATOMIC_RELAXED,
						    __ATOMIC_RELAXED);
			break;
		}
		__atomic_add_fetch(&e->done, 1, __ATOMIC_RELAXED);
	}
	free(mem);
	return NULL;
}

/* Run the encoder on up to MAX_THREADS threads; this one reports progress
 * (and passes on a cancel) until they are done. */
static int encode_all(struct encoder *e, const struct isokit_ecc_options *o)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned nt = ncpu > 1 ? (unsigned)(ncpu < MAX_THREADS ? ncpu : MAX_THREADS) : 1;
	pthread_t th[MAX_THREADS];
	unsigned started = 0;
	for (unsigned i = 0; i < nt; i++)
		if (pthread_create(&th[started], NULL, encode_main, e) == 0)
			started++;
	if (started == 0)
		encode_main(e); /* no threads: this one does it all */
	uint64_t total = e->h->data_blocks * ECC_BLOCK;
	while (started && o && o->progress) {
		uint64_t done = __atomic_load_n(&e->done, __ATOMIC_RELAXED);
		if (done >= e->stripes || __atomic_load_n(&e->err, __ATOMIC_RELAXED) ||
		    __atomic_load_n(&e->cancel, __ATOMIC_RELAXED))
			break;
		if (!o->progress(o->ud, e->stripes ? total / e->stripes * done : 0, total))
			__atomic_store_n(&e->cancel, 1, __ATOMIC_RELAXED);
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (!e->err && o && o->progress)
		o->progress(o->ud, total, total);
	return e->err;
}


/* The CRC table's blocks into @p out; their SHA-256 into @p sha. */
static int crc_bytes(const struct isal *l, const struct ecc_header *h, const uint32_t *crc,
		     uint8_t *out, uint8_t sha[32])
{
	ecc_crc_table_build(l, h, crc, out);
	return digest_sha256_once(out, (size_t)(h->crc_blocks * ECC_BLOCK), sha);
}

/* The encoded area's table and headers, both copies. */
static int write_tables(const struct isal *l, const struct ecc_header *h, const uint32_t *crc,
			int fd, uint64_t area, char *msg, size_t msglen)
{
	size_t tbytes = (size_t)(h->crc_blocks * ECC_BLOCK);
	uint8_t *t = calloc(1, tbytes ? tbytes : 1);
	if (!t)
		return ISOKIT_E_NOMEM;
	struct ecc_header hh = *h;
	uint8_t blk[ECC_BLOCK];
	int rc = 0;
	if (crc_bytes(l, h, crc, t, hh.crc_sha256) != 0 ||
	    ecc_header_encode(blk, &hh) != 0)
		rc = ecc_message(msg, msglen, ISOKIT_E_NOTBUILT, "%s", digest_error());
	int e = 0;
	if (!rc && !(e = ecc_pwrite(fd, t, tbytes, area + ecc_crc1_at(h) * ECC_BLOCK)) &&
	    !(e = ecc_pwrite(fd, t, tbytes, area + ecc_crc2_at(h) * ECC_BLOCK)) &&
	    !(e = ecc_pwrite(fd, blk, ECC_BLOCK, area)))
		e = ecc_pwrite(fd, blk, ECC_BLOCK, area + ecc_header2_at(h) * ECC_BLOCK);
	if (!rc && e)
		rc = ecc_message(msg, msglen, e == ENOSPC ? ISOKIT_E_NOSPACE : ISOKIT_E_IO,
			  "writing the repair data: %s", strerror(e));
	free(t);
	return rc;
}

int isokit_ecc_add(const char *path, const struct isokit_ecc_options *o,
		   struct isokit_ecc_info *out, char *msg, size_t msglen)
{
	struct isokit_ecc_options def = {0};
	if (!o)
		o = &def;
	if (out)
		memset(out, 0, sizeof(*out));
	if (msg && msglen)
		msg[0] = '\0';
	unsigned percent = o->percent ? o->percent : 5;
	if (percent > 100)
		return ecc_message(msg, msglen, ISOKIT_E_INVAL, "the share of repair data is 1 to 100%%");
	const struct isal *l = isal_get();
	if (!l)
		return ecc_message(msg, msglen, ISOKIT_E_NOTBUILT, "%s", isal_error());
	int fd = open(path, (o->sidecar ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return ecc_message(msg, msglen, errno == ENOENT ? ISOKIT_E_NOENT : ISOKIT_E_IO, "%s",
			    strerror(errno));
	struct stat st;
	uint8_t pvd[ECC_BLOCK];
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ecc_message(msg, msglen, ISOKIT_E_INVAL, "not a regular file");
	}
	uint64_t size = (uint64_t)st.st_size;
	uint64_t missing = 0;
	if (ecc_pread(fd, pvd, sizeof(pvd), 16 * ECC_BLOCK, &missing) != 0 || missing ||
	    pvd[0] != 1 || memcmp(pvd + 1, "CD001", 5) != 0) {
		close(fd);
		return ecc_message(msg, msglen, ISOKIT_E_NOTISO, "no primary volume descriptor at block 16");
	}
	uint64_t volume = get_731(pvd + 80);
	/* repair data already there? */
	struct ecc_header old;
	int afd;
	uint64_t area;
	char spath[4096];
	if ((size_t)snprintf(spath, sizeof(spath), "%s.ecc", path) >= sizeof(spath)) {
		close(fd);
		return ecc_message(msg, msglen, ISOKIT_E_INVAL, "path too long");
	}
	const char *side = o->sidecar_path ? o->sidecar_path : spath;
	int rc = ecc_locate(fd, size, path, NULL, false, &old, &afd, &area, NULL, 0);
	if (rc == 0) {
		if (afd != fd)
			close(afd);
		if (!o->replace) {
			close(fd);
			return ecc_message(msg, msglen, ISOKIT_E_EXISTS, "the image has repair data already%s",
				    afd != fd ? " (in its .ecc file)" : "");
		}
		if (afd == fd)
			size = area; /* the old repair data goes */
	} else if (rc == ISOKIT_E_NOTBUILT) {
		close(fd);
		return ecc_message(msg, msglen, rc, "%s", digest_error());
	}
	if (size < volume * ECC_BLOCK) {
		close(fd);
		return ecc_message(msg, msglen, ISOKIT_E_TRUNCATED,
			    "the image is cut short (%llu bytes, its volume has %llu blocks): "
			    "repair data made now would protect the damage",
			    (unsigned long long)size, (unsigned long long)volume);
	}
	struct ecc_header h;
	ecc_plan((size + ECC_BLOCK - 1) / ECC_BLOCK, percent, &h);
	h.volume_blocks = volume;
	h.sidecar = o->sidecar;

	/* where the area goes */
	int ofd = fd;
	uint64_t obase = h.data_blocks * ECC_BLOCK;
	char tmp[4096 + 32] = "";
	if (o->sidecar) {
		snprintf(tmp, sizeof(tmp), "%s.isokit-XXXXXX", side);
		ofd = mkstemp(tmp);
		if (ofd < 0) {
			close(fd);
			return ecc_message(msg, msglen, ISOKIT_E_IO, "%s: %s", side, strerror(errno));
		}
		obase = 0;
	}
	if (ftruncate(ofd, (off_t)(obase + h.area_blocks * ECC_BLOCK)) != 0) {
		rc = ecc_message(msg, msglen, errno == ENOSPC || errno == EFBIG ? ISOKIT_E_NOSPACE : ISOKIT_E_IO,
			  "making room for the repair data: %s", strerror(errno));
		goto undo;
	}
	struct encoder e = {.l = l, .h = &h, .in_fd = fd, .out_fd = ofd, .area = obase};
	e.stripes = (h.groups + STRIPE - 1) / STRIPE;
	e.tables = malloc((size_t)32 * h.k * h.m);
	e.crc = malloc((size_t)ecc_crc_entries(&h) * sizeof(uint32_t));
	uint8_t *a = malloc((size_t)ECC_MAX_CODE * ECC_MAX_CODE);
	if (!e.tables || !e.crc || !a) {
		free(e.tables);
		free(e.crc);
		free(a);
		rc = ISOKIT_E_NOMEM;
		goto undo;
	}
	ecc_matrix(l, h.k, h.m, a);
	l->ec_init_tables((int)h.k, (int)h.m, a + (size_t)h.k * h.k, e.tables);
	free(a);
	int err = encode_all(&e, o);
	if (e.cancel)
		rc = ISOKIT_E_CANCELED;
	else if (err)
		rc = ecc_message(msg, msglen, err == ENOMEM ? ISOKIT_E_NOMEM : err == ENOSPC ? ISOKIT_E_NOSPACE
									       : ISOKIT_E_IO,
			  "computing the repair data: %s", strerror(err));
	else
		rc = write_tables(l, &h, e.crc, ofd, obase, msg, msglen);
	free(e.tables);
	free(e.crc);
	if (!rc && fsync(ofd) != 0)
		rc = ecc_message(msg, msglen, ISOKIT_E_IO, "writing the repair data: %s", strerror(errno));
	if (!rc && o->sidecar && rename(tmp, side) != 0)
		rc = ecc_message(msg, msglen, ISOKIT_E_IO, "%s: %s", side, strerror(errno));
	if (!rc) {
		if (out)
			ecc_info_of(&h, obase, out);
		if (ofd != fd)
			close(ofd);
		close(fd);
		return 0;
	}
undo:
	/* the image as it was: without (new) repair data */
	if (o->sidecar) {
		close(ofd);
		unlink(tmp);
	} else if (ftruncate(fd, (off_t)size) != 0 && msg && msglen) {
		size_t n = strlen(msg);
		snprintf(msg + n, msglen - n, "; and cutting the image back to %llu bytes failed: %s",
			 (unsigned long long)size, strerror(errno));
	}
	close(fd);
	return rc;
}
