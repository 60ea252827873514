// SPDX-License-Identifier: MIT
/* libcrypto's EVP digest calls, resolved with dlopen() on first use (see
 * digest.h for why it is not linked). Only the seven functions below are
 * used; they are part of OpenSSL 3's stable ABI (soname libcrypto.so.3). */
#include "integrity/digest.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

typedef void EVP_MD;
typedef void EVP_MD_CTX;

static struct {
	EVP_MD_CTX *(*ctx_new)(void);
	void (*ctx_free)(EVP_MD_CTX *);
	int (*init)(EVP_MD_CTX *, const EVP_MD *, void *engine);
	int (*update)(EVP_MD_CTX *, const void *, size_t);
	int (*final)(EVP_MD_CTX *, unsigned char *, unsigned int *);
	int (*copy)(EVP_MD_CTX *, const EVP_MD_CTX *);
	const EVP_MD *(*md5)(void);
	const EVP_MD *(*sha256)(void);
	bool ok;
	char why[160];
} crypto;

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;

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
#define SYM(field, name)                                                        \
	do {                                                                    \
		*(void **)&crypto.field = dlsym(h, name);                       \
		if (!crypto.field) {                                            \
			snprintf(crypto.why, sizeof(crypto.why),                \
				 "libcrypto has no %s", name);                  \
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
	EVP_MD_CTX *c = crypto.ctx_new();
	if (!c)
		return NULL;
	const EVP_MD *md = kind == DIGEST_MD5 ? crypto.md5() : crypto.sha256();
	if (!md || crypto.init(c, md, NULL) != 1) {
		crypto.ctx_free(c);
		return NULL;
	}
	return (struct digest *)c;
}

int digest_update(struct digest *d, const void *p, size_t n)
{
	return crypto.update((EVP_MD_CTX *)d, p, n) == 1 ? 0 : -1;
}

size_t digest_final(struct digest *d, uint8_t out[64])
{
	unsigned int len = 0;
	if (crypto.final((EVP_MD_CTX *)d, out, &len) != 1)
		return 0;
	return len;
}

size_t digest_peek(const struct digest *d, uint8_t out[64])
{
	EVP_MD_CTX *c = crypto.ctx_new();
	if (!c)
		return 0;
	size_t len = 0;
	if (crypto.copy(c, (const EVP_MD_CTX *)d) == 1)
		len = digest_final((struct digest *)c, out);
	crypto.ctx_free(c);
	return len;
}

void digest_free(struct digest *d)
{
	if (d)
		crypto.ctx_free((EVP_MD_CTX *)d);
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
