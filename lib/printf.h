/*
 * printf-style formatting without floating point. vcbprintf streams the
 * characters to a callback (printk sends them to the console); vsnprintf
 * and snprintf write into a buffer on top of it.
 *
 * Conversions: %d %i %u %x %X %o %b %p %s %c %%, flags - 0 + space #,
 * width and precision (also as *), length modifiers hh h l ll z t j.
 * %p is always "0x" and 16 hex digits, %s of NULL prints "(null)", %b is
 * binary ("%#b" adds "0b"). An unknown conversion is copied out verbatim.
 * gcc's format checking does not know %b, so it warns about it at call
 * sites of the __printf-annotated functions.
 */
#ifndef LIB_PRINTF_H
#define LIB_PRINTF_H

#include "lib/types.h"

/* Returns the number of characters passed to out. */
int vcbprintf(void (*out)(char c, void *arg), void *arg, const char *fmt,
	      va_list ap) __printf(3, 0);

/*
 * C99 semantics: return the length the full output would have had, write at
 * most size bytes and always NUL-terminate when size > 0. The output was
 * truncated when the return value is >= size.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __printf(3, 0);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
