/*
 * Hex dumps in the layout of `hexdump -C`: the offset, sixteen bytes in two
 * groups of eight, then the bytes as ASCII between bars ('.' for anything
 * not printable). Used by the `read` shell command.
 */
#ifndef LIB_HEXDUMP_H
#define LIB_HEXDUMP_H

#include "lib/types.h"

#define HEXDUMP_LINE_BYTES 16
/* A line's length without its newline, for an offset below 2^32; 18 more for any u64. */
#define HEXDUMP_LINE_LEN 78
#define HEXDUMP_LINE_MAX (HEXDUMP_LINE_LEN + 8 + 1)

/*
 * Format one line for n (1 .. 16) bytes found at offset: offset in at least
 * eight lowercase hex digits, and the hex columns padded so that the ASCII
 * column lines up on a short last line. No newline. Returns the length
 * snprintf would have written.
 */
int hexdump_line(char *buf, size_t len, u64 offset, const u8 *data, size_t n);

#endif
