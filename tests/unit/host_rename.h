/*
 * Forced into every host unit-test compilation (gcc -include) so that the
 * library's versions of libc functions get names of their own: the tests
 * then call our memcpy/snprintf/... rather than glibc's or the sanitizer's
 * interceptors. Tests must not include the libc headers declaring these
 * functions (<string.h>, <stdio.h>); lib/ headers replace them. Add a line
 * here whenever lib/ gains a function that libc also defines.
 */
#ifndef TESTS_UNIT_HOST_RENAME_H
#define TESTS_UNIT_HOST_RENAME_H

#define memcpy stork_memcpy
#define memmove stork_memmove
#define memset stork_memset
#define memcmp stork_memcmp
#define memchr stork_memchr
#define strlen stork_strlen
#define strnlen stork_strnlen
#define strcmp stork_strcmp
#define strncmp stork_strncmp
#define strcasecmp stork_strcasecmp
#define strchr stork_strchr
#define strrchr stork_strrchr
#define strstr stork_strstr
#define strlcpy stork_strlcpy
#define strlcat stork_strlcat
#define vsnprintf stork_vsnprintf
#define snprintf stork_snprintf

#endif
