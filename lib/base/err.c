// SPDX-License-Identifier: MIT
/* The error table: messages and names generated from ISOKIT_ERROR_LIST. */
#include <isokit/error.h>

const char *isokit_strerror(int code)
{
	switch (code) {
	case ISOKIT_OK:
		return "success";
#define ISOKIT_ERR_MSG(name, value, msg)                                       \
	case value:                                                            \
		return msg;
		ISOKIT_ERROR_LIST(ISOKIT_ERR_MSG)
#undef ISOKIT_ERR_MSG
	default:
		return "unknown error";
	}
}

const char *isokit_errname(int code)
{
	switch (code) {
	case ISOKIT_OK:
		return "ISOKIT_OK";
#define ISOKIT_ERR_NAME(name, value, msg)                                      \
	case value:                                                            \
		return "ISOKIT_E_" #name;
		ISOKIT_ERROR_LIST(ISOKIT_ERR_NAME)
#undef ISOKIT_ERR_NAME
	default:
		return "ISOKIT_E_UNKNOWN";
	}
}
