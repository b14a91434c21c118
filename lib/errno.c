/*
 * Names of the error numbers of lib/errno.h, for messages such as
 * "nvme0: identify failed: ETIMEDOUT". Keep this table in step with the
 * header when adding a number.
 */
#include "lib/errno.h"

#define ERRNO_NAME(e) [e] = #e

static const char *const errno_names[] = {
	ERRNO_NAME(EPERM),
	ERRNO_NAME(ENOENT),
	ERRNO_NAME(EINTR),
	ERRNO_NAME(EIO),
	ERRNO_NAME(ENXIO),
	ERRNO_NAME(E2BIG),
	ERRNO_NAME(EAGAIN),
	ERRNO_NAME(ENOMEM),
	ERRNO_NAME(EFAULT),
	ERRNO_NAME(EBUSY),
	ERRNO_NAME(EEXIST),
	ERRNO_NAME(ENODEV),
	ERRNO_NAME(ENOTDIR),
	ERRNO_NAME(EISDIR),
	ERRNO_NAME(EINVAL),
	ERRNO_NAME(EFBIG),
	ERRNO_NAME(ENOSPC),
	ERRNO_NAME(EROFS),
	ERRNO_NAME(ERANGE),
	ERRNO_NAME(ENOSYS),
	ERRNO_NAME(ELOOP),
	ERRNO_NAME(ENOTSUP),
	ERRNO_NAME(ETIMEDOUT),
	ERRNO_NAME(EALREADY),
	ERRNO_NAME(EUCLEAN),
	ERRNO_NAME(ECANCELED),
};

const char *errno_name(int err)
{
	/* Either sign is accepted; negate in unsigned so INT_MIN is safe. */
	unsigned int n = err < 0 ? 0u - (unsigned int)err : (unsigned int)err;

	if (n < ARRAY_SIZE(errno_names) && errno_names[n])
		return errno_names[n];
	return "E?";
}
