// SPDX-License-Identifier: MIT
/*
 * MD5 and SHA-256 from OpenSSL's libcrypto, resolved with dlopen() on first
 * use (see digest.h for why it is not linked).
 *
 * The one-shot functions SHA256_Init/Update/Final and MD5_* are used when
 * libcrypto has them (OpenSSL 3 still exports them, deprecated): they run
 * the same assembly (SHA extensions, the MD5 code) as EVP, but without the
 * provider machinery that EVP sets up on first use, which costs about 2 MiB
 * of resident memory (measured: 5.0 MiB for a program making one EVP digest,
 * 3.1 MiB with these) - a tenth of create's whole budget on a tree of
 * 100,000 files. Their contexts are plain structures, so a running digest is
 * copied with memcpy. Without them, EVP is used.
 */
#include "integrity/digest.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef void EVP_MD;
typedef void EVP_MD_CTX;

/* larger than SHA256_CTX (112 bytes) and MD5_CTX (92) of every OpenSSL */
#define LL_CTX_BYTES 256

struct ll_algo {
	int (*init)(void *ctx);
	int (*update)(void *ctx, const void *p, size_t n);
	int (*final)(unsigned char *out, void *ctx);
	size_t len;
};

static struct {
	EVP_MD_CTX *(*ctx_new)(void);
	void (*ctx_free)(EVP_MD_CTX *);
	int (*init)(EVP_MD_CTX *, const EVP_MD *, void *engine);
	int (*update)(EVP_MD_CTX *, const void *, size_t);
	int (*final)(EVP_MD_CTX *, unsigned char *, unsigned int *);
	int (*copy)(EVP_MD_CTX *, const EVP_MD_CTX *);
	const EVP_MD *(*md5)(void);
	const EVP_MD *(*sha256)(void);
	struct ll_algo ll[2]; /* by enum digest_kind */
	bool have_ll;
	bool ok;
	char why[160];
} crypto;

struct digest {
	enum digest_kind kind;
	EVP_MD_CTX *evp; /* NULL: the one-shot functions, in ctx */
	_Alignas(16) unsigned char ctx[LL_CTX_BYTES];
};

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;

static void load_low_level(void *h)
{
	static const char *const names[2][3] = {
		{"MD5_Init", "MD5_Update", "MD5_Final"},
		{"SHA256_Init", "SHA256_Update", "SHA256_Final"},
	};
	for (int k = 0; k < 2; k++) {
		*(void **)&crypto.ll[k].init = dlsym(h, names[k][0]);
		*(void **)&crypto.ll[k].update = dlsym(h, names[k][1]);
		*(void **)&crypto.ll[k].final = dlsym(h, names[k][2]);
		crypto.ll[k].len = k == DIGEST_MD5 ? 16 : 32;
		if (!crypto.ll[k].init || !crypto.ll[k].update || !crypto.ll[k].final)
			return;
	}
	crypto.have_ll = true;
}

static void crypto_load(void)
{
	static const char *const names[] = {"libcrypto.so.3", "libcrypto.so"};
	void *h = NULL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !h; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(crypto.why, sizeof(crypto.why),
			 "cannot load OpenSSL's libcrypto (libcrypto.so.3): %s", dlerror());
		return;
	}
	load_low_level(h);
#define SYM(field, name)                                                        \
	do {                                                                    \
		*(void **)&crypto.field = dlsym(h, name);                       \
		if (!crypto.field) {                                            \
			snprintf(crypto.why, sizeof(crypto.why),                \
				 "libcrypto has no %s", name);                  \
			crypto.ok = crypto.have_ll;                             \
			return;                                                 \
		}                                                               \
	} while (0)
	SYM(ctx_new, "EVP_MD_CTX_new");
	SYM(ctx_free, "EVP_MD_CTX_free");
	SYM(init, "EVP_DigestInit_ex");
	SYM(update, "EVP_DigestUpdate");
	SYM(final, "EVP_DigestFinal_ex");
	SYM(copy, "EVP_MD_CTX_copy_ex");
	SYM(md5, "EVP_md5");
	SYM(sha256, "EVP_sha256");
#undef SYM
	crypto.ok = true;
}

const char *digest_error(void)
{
	return crypto.why[0] ? crypto.why : "out of memory";
}

struct digest *digest_new(enum digest_kind kind)
{
	pthread_once(&crypto_once, crypto_load);
	if (!crypto.ok)
		return NULL;
	struct digest *d = malloc(sizeof(*d));
	if (!d)
		return NULL;
	d->kind = kind;
	d->evp = NULL;
	if (crypto.have_ll) {
		if (crypto.ll[kind].init(d->ctx) == 1)
			return d;
		free(d);
		return NULL;
	}
	d->evp = crypto.ctx_new();
	const EVP_MD *md = kind == DIGEST_MD5 ? crypto.md5() : crypto.sha256();
	if (!d->evp || !md || crypto.init(d->evp, md, NULL) != 1) {
		if (d->evp)
			crypto.ctx_free(d->evp);
		free(d);
		return NULL;
	}
	return d;
}

int digest_update(struct digest *d, const void *p, size_t n)
{
	if (!d->evp)
		return crypto.ll[d->kind].update(d->ctx, p, n) == 1 ? 0 : -1;
	return crypto.update(d->evp, p, n) == 1 ? 0 : -1;
}

size_t digest_final(struct digest *d, uint8_t out[64])
{
	if (!d->evp)
		return crypto.ll[d->kind].final(out, d->ctx) == 1 ? crypto.ll[d->kind].len : 0;
	unsigned int len = 0;
	if (crypto.final(d->evp, out, &len) != 1)
		return 0;
	return len;
}

size_t digest_peek(const struct digest *d, uint8_t out[64])
{
	if (!d->evp) {
		/* a plain structure: finish a copy on the stack (no allocation,
		 * which matters on the MD5 thread: see write/tap.c) */
		_Alignas(16) unsigned char copy[LL_CTX_BYTES];
		memcpy(copy, d->ctx, sizeof(copy));
		return crypto.ll[d->kind].final(out, copy) == 1 ? crypto.ll[d->kind].len : 0;
	}
	EVP_MD_CTX *c = crypto.ctx_new();
	if (!c)
		return 0;
	size_t len = 0;
	unsigned int n = 0;
	if (crypto.copy(c, d->evp) == 1 && crypto.final(c, out, &n) == 1)
		len = n;
	crypto.ctx_free(c);
	return len;
}

void digest_free(struct digest *d)
{
	if (!d)
		return;
	if (d->evp)
		crypto.ctx_free(d->evp);
	free(d);
}

void digest_hex(const uint8_t *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int digest_sha256_once(const void *p, size_t n, uint8_t out[32])
{
	struct digest *d = digest_new(DIGEST_SHA256);
	if (!d)
		return -1;
	uint8_t v[64];
	int rc = digest_update(d, p, n) == 0 && digest_final(d, v) == 32 ? 0 : -1;
	digest_free(d);
	if (rc == 0)
		memcpy(out, v, 32);
	return rc;
}

bool md5_hex_matches(const char *recorded, const char *computed)
{
	return strlen(recorded) == 32 && strncasecmp(recorded, computed, 32) == 0;
}
