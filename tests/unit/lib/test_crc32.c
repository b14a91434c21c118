/*
 * Unit tests for lib/crc32.c: published check values, chaining at every
 * split point and alignment (which moves bytes between the eight-byte loop
 * and the byte loop), and agreement with a bit-at-a-time reference.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/crc32.h"
#include "lib/string.h"

#define POLY_IEEE 0xedb88320u
#define POLY_CASTAGNOLI 0x82f63b78u

/* The textbook definition, one bit at a time, same chaining convention. */
static u32 crc_reference(u32 poly, u32 crc, const u8 *p, size_t len)
{
	int bit;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ ((crc & 1) ? poly : 0);
	}
	return ~crc;
}

static void test_check_values(void **state)
{
	static const u8 zeros[32], ones[32] = {
		[0 ... 31] = 0xff,
	};

	(void)state;
	assert_int_equal(crc32(0, "123456789", 9), 0xcbf43926);
	assert_int_equal(crc32c(0, "123456789", 9), 0xe3069283);
	assert_int_equal(crc32(0, "", 0), 0);
	assert_int_equal(crc32c(0, "", 0), 0);
	assert_int_equal(crc32(0, "a", 1), 0xe8b7be43);
	/* zlib.crc32(b"The quick brown fox jumps over the lazy dog") */
	assert_int_equal(crc32(0, "The quick brown fox jumps over the lazy dog", 43),
			 0x414fa339);
	/* RFC 3720 (iSCSI) B.4 test vectors for CRC32C. */
	assert_int_equal(crc32c(0, zeros, 32), 0x8a9136aa);
	assert_int_equal(crc32c(0, ones, 32), 0x62a8ab43);
}

static void test_rfc3720_sequences(void **state)
{
	u8 up[32], down[32];
	size_t i;

	(void)state;
	for (i = 0; i < 32; i++) {
		up[i] = i;
		down[i] = 31 - i;
	}
	assert_int_equal(crc32c(0, up, 32), 0x46dd794e);
	assert_int_equal(crc32c(0, down, 32), 0x113fdb5c);
}

static void test_chaining(void **state)
{
	const char *text = "stork: a small storage kernel for NVMe and virtio-blk";
	size_t len = strlen(text), split;
	u32 whole = crc32(0, text, len), whole_c = crc32c(0, text, len);

	(void)state;
	for (split = 0; split <= len; split++) {
		assert_int_equal(crc32(crc32(0, text, split), text + split, len - split),
				 whole);
		assert_int_equal(crc32c(crc32c(0, text, split), text + split, len - split),
				 whole_c);
	}
}

static void test_against_reference(void **state)
{
	u8 buf[300];
	size_t off, len, i;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)(i * 131 + 17);
	for (off = 0; off < 8; off++) {
		for (len = 0; off + len <= sizeof(buf); len += 7) {
			assert_int_equal(crc32(0, buf + off, len),
					 crc_reference(POLY_IEEE, 0, buf + off, len));
			assert_int_equal(crc32c(0x12345678, buf + off, len),
					 crc_reference(POLY_CASTAGNOLI, 0x12345678,
						       buf + off, len));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_values),
		cmocka_unit_test(test_rfc3720_sequences),
		cmocka_unit_test(test_chaining),
		cmocka_unit_test(test_against_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
