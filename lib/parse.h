/*
 * Strict parsing of the numbers, sizes and switches typed at the shell.
 * Every function returns 0 or a negative errno: -EINVAL when the text is not
 * exactly one well-formed value (no surrounding spaces, no trailing
 * characters), -ERANGE when it is well-formed but does not fit. *out is only
 * written on success.
 *
 * Numbers are decimal, or hexadecimal with a "0x"/"0X" prefix.
 */
#ifndef LIB_PARSE_H
#define LIB_PARSE_H

#include "lib/types.h"

/* No sign allowed. */
int parse_u64(const char *s, u64 *out);
int parse_u32(const char *s, u32 *out);

/* An optional '+' or '-' before the number ("-0x10" is -16). */
int parse_s64(const char *s, s64 *out);

/*
 * A number of bytes with an optional binary-multiple suffix: k, m, g, t in
 * either case, optionally followed by "b" or "ib" in either case ("4k",
 * "4KB", "4KiB"), or a bare "b" for bytes. In hex, b is a digit: "0x1b" is
 * 27 and "0x1bk" is 27 KiB.
 */
int parse_size(const char *s, u64 *out);

/* 1/0, on/off, yes/no, true/false, in any case. */
int parse_bool(const char *s, bool *out);

/*
 * Splits "key=value" in place at the first '=' (which becomes a NUL). The
 * value may be empty; the key may not. arg is untouched on error.
 */
int parse_kv(char *arg, char **key, char **value);

#endif
