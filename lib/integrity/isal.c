// SPDX-License-Identifier: MIT
/* ISA-L's functions, resolved with dlopen() on first use (see isal.h).
 * Only the five below are used; they have kept their signatures since
 * ISA-L 2.14, and soname libisal.so.2 is Debian's. */
#include "integrity/isal.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static struct isal lib;
static bool loaded;
static char why[200];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	static const char *const names[] = {"libisal.so.2", "libisal.so"};
	void *h = NULL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !h; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, sizeof(why), "cannot load ISA-L (libisal.so.2, Debian package libisal2): %s",
			 dlerror());
		return;
	}
#define SYM(field)                                                              \
	do {                                                                    \
		*(void **)&lib.field = dlsym(h, #field);                        \
		if (!lib.field) {                                               \
			snprintf(why, sizeof(why), "ISA-L has no %s", #field);  \
			return;                                                 \
		}                                                               \
	} while (0)
	SYM(gf_gen_cauchy1_matrix);
	SYM(gf_invert_matrix);
	SYM(ec_init_tables);
	SYM(ec_encode_data);
	SYM(crc32_iscsi);
#undef SYM
	loaded = true;
}

const struct isal *isal_get(void)
{
	pthread_once(&once, load);
	return loaded ? &lib : NULL;
}

const char *isal_error(void)
{
	return why;
}
