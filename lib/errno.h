/*
 * Error numbers (Linux's values, so that messages read the same) and the
 * ERR_PTR convention for functions that return a pointer or an error.
 */
#ifndef LIB_ERRNO_H
#define LIB_ERRNO_H

#include "lib/types.h"

#define EPERM 1
#define ENOENT 2
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define EFBIG 27
#define ENOSPC 28
#define EROFS 30
#define ERANGE 34
#define ENOSYS 38
#define ELOOP 40
#define ENOTSUP 95
#define ETIMEDOUT 110
#define EALREADY 114
#define EUCLEAN 117	/* Linux's EFSCORRUPTED: a filesystem structure is corrupt */
#define ECANCELED 125

#define MAX_ERRNO 4095

static inline void *ERR_PTR(long err) { return (void *)err; }
static inline long PTR_ERR(const void *p) { return (long)p; }
static inline bool IS_ERR(const void *p)
{
	return (unsigned long)p >= (unsigned long)-MAX_ERRNO;
}
static inline bool IS_ERR_OR_NULL(const void *p) { return !p || IS_ERR(p); }

/* "EIO", "ENOMEM", ... for messages; "E?" for an unknown number. */
const char *errno_name(int err);

#endif
