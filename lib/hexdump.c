/*
 * One `hexdump -C` line. The caller squeezes repeated lines into "*" and
 * prints the final offset, as hexdump does, because only it sees the lines
 * before and after.
 */
#include "lib/hexdump.h"
#include "lib/printf.h"

static const char hex_digits[] = "0123456789abcdef";

int hexdump_line(char *buf, size_t len, u64 offset, const u8 *data, size_t n)
{
	char hex[HEXDUMP_LINE_BYTES * 3 + 2], ascii[HEXDUMP_LINE_BYTES + 1];
	size_t h = 0;

	if (n > HEXDUMP_LINE_BYTES)
		n = HEXDUMP_LINE_BYTES;
	for (size_t i = 0; i < HEXDUMP_LINE_BYTES; i++) {
		if (i < n) {
			hex[h++] = hex_digits[data[i] >> 4];
			hex[h++] = hex_digits[data[i] & 15];
			ascii[i] = data[i] >= 0x20 && data[i] < 0x7f ? (char)data[i] : '.';
		} else {
			hex[h++] = ' ';
			hex[h++] = ' ';
		}
		hex[h++] = ' ';
		if (i == 7)
			hex[h++] = ' ';
	}
	hex[h] = '\0';
	ascii[n] = '\0';
	return snprintf(buf, len, "%08llx  %s |%s|", (unsigned long long)offset, hex, ascii);
}
