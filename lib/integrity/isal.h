/* SPDX-License-Identifier: MIT */
/* ISA-L (Intel's storage acceleration library): Reed-Solomon erasure codes
 * over GF(2^8) and CRC32C, loaded with dlopen() on first use, as libcrypto
 * is (integrity/digest.h): only ecc add, create --ecc, repair and verify of
 * images with repair data need it, and every other command stays small. */
#ifndef ISOKIT_INTEGRITY_ISAL_H
#define ISOKIT_INTEGRITY_ISAL_H

#include <stdbool.h>
#include <stdint.h>

struct isal {
	void (*gf_gen_cauchy1_matrix)(unsigned char *a, int m, int k);
	int (*gf_invert_matrix)(unsigned char *in, unsigned char *out, const int n);
	void (*ec_init_tables)(int k, int rows, unsigned char *a, unsigned char *gftbls);
	void (*ec_encode_data)(int len, int k, int rows, unsigned char *gftbls,
			       unsigned char **data, unsigned char **coding);
	unsigned int (*crc32_iscsi)(unsigned char *buffer, int len, unsigned int init_crc);
};

/* The functions, or NULL when libisal.so.2 cannot be loaded (isal_error()
 * says why). */
const struct isal *isal_get(void);
const char *isal_error(void);

/* CRC32C of one block, as the repair data records it. */
static inline uint32_t isal_block_crc(const struct isal *l, const uint8_t *p, int len)
{
	/* ISA-L's prototype lacks the const; it does not write */
	union {
		const uint8_t *c;
		unsigned char *m;
	} u = {p};
	return l->crc32_iscsi(u.m, len, 0xFFFFFFFFu);
}

#endif
