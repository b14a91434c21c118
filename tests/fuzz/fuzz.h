/*
 * What every fuzz harness shares: the libFuzzer entry point's declaration,
 * and a check that aborts (libFuzzer then keeps the input as a crash) when
 * an invariant of the parser under test does not hold, so that a harness
 * finds wrong answers as well as memory errors.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "lib/printf.h"
#include "lib/string.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Says which invariant failed (file:line and the condition), then traps. */
#define FUZZ_CHECK(cond)							\
	do {									\
		if (!(cond))							\
			fuzz_fail(__FILE__, __LINE__, #cond);			\
	} while (0)

long write(int fd, const void *buf, unsigned long count);

__attribute__((noreturn)) static inline void fuzz_fail(const char *file, int line,
							const char *cond)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "fuzz invariant failed: %s:%d: %s\n", file, line, cond);

	write(2, msg, n > 0 && (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	__builtin_trap();
}

/* The input as a NUL-terminated string, on the heap so ASan bounds it. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	for (size_t i = 0; i < size; i++)
		s[i] = (char)data[i];
	s[size] = 0;
	return s;
}

/*
 * A sparse disk image, so that a disk of any size is a short input that
 * libFuzzer mutates quickly (whole images of 51 and 160 KiB as seeds, read
 * by a traced byte loop, made fuzz_partition three times slower): the
 * input is a list of records, each "u32 LE unit
 * number, u16 LE length, that many bytes" (the last may be cut short),
 * which put their bytes at unit number * unit size. Bytes no record covers
 * read as zeroes; a later record overrides an earlier one. The reader is
 * not instrumented for coverage (it is the harness, not the parser; its
 * compares, traced, took half the time of fuzz_partition), and not inlined:
 * inlined, it would be instrumented as part of its caller.
 */
struct fuzz_image {
	const uint8_t *data;
	size_t len;
	uint32_t unit;		/* bytes */
};

#define FUZZ_IMAGE_RECORD_HEADER 6

__attribute__((no_sanitize("coverage"), noinline))
static inline void fuzz_image_read(const struct fuzz_image *im, uint64_t off, void *buf,
				   size_t len)
{
	uint8_t *dst = buf;
	size_t pos = 0;

	memset(dst, 0, len);
	while (im->len - pos >= FUZZ_IMAGE_RECORD_HEADER) {
		const uint8_t *r = im->data + pos;
		uint64_t at = (uint64_t)(r[0] | r[1] << 8 | r[2] << 16 | (uint32_t)r[3] << 24) *
			      im->unit;
		size_t n = r[4] | r[5] << 8;

		pos += FUZZ_IMAGE_RECORD_HEADER;
		if (n > im->len - pos)
			n = im->len - pos;
		/* the overlap of [at, at + n) with [off, off + len) */
		if (at < off + len && off < at + n) {
			uint64_t from = at > off ? at : off;
			uint64_t to = at + n < off + len ? at + n : off + len;

			memcpy(dst + (from - off), im->data + pos + (from - at), to - from);
		}
		pos += n;
	}
}

#endif
