/* SPDX-License-Identifier: MIT */
/* Rock Ridge entries (RRIP 1.12 4.1): PX PN SL NM CL PL RE TF RR SF, ZF. */
#ifndef ISOKIT_SUSP_RRIP_H
#define ISOKIT_SUSP_RRIP_H

#include <stddef.h>
#include <stdint.h>

#include "susp/susp.h"

/* Decode one entry of @p len bytes (signature, length, version, data);
 * unknown signatures are ignored. */
void rrip_parse_entry(const uint8_t *e, size_t len, struct rr_info *rr);

#endif
