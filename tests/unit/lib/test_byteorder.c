/*
 * Unit tests for lib/byteorder.h: values read and written at every offset
 * of a buffer (unaligned included) land in the byte order the name says,
 * round trips, and the CPU-order conversions agree with the byte layout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/byteorder.h"
#include "lib/string.h"

static const u8 bytes[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };

static void test_get(void **state)
{
	u8 buf[16];

	(void)state;
	for (size_t off = 0; off < 8; off++) {
		memset(buf, 0xee, sizeof(buf));
		memcpy(buf + off, bytes, sizeof(bytes));
		assert_int_equal(get_le16(buf + off), 0x2301);
		assert_int_equal(get_le32(buf + off), 0x67452301);
		assert_int_equal(get_le64(buf + off), 0xefcdab8967452301ULL);
		assert_int_equal(get_be16(buf + off), 0x0123);
		assert_int_equal(get_be32(buf + off), 0x01234567);
		assert_int_equal(get_be64(buf + off), 0x0123456789abcdefULL);
	}
	/* the top bit survives the promotions */
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(get_le16(buf), 0xffff);
	assert_int_equal(get_be32(buf + 1), 0xffffffffU);
	assert_int_equal(get_le64(buf + 3), UINT64_MAX);
	assert_int_equal(get_be64(buf + 5), UINT64_MAX);
}

/* put writes exactly its bytes at any offset and leaves the neighbours alone */
static void test_put(void **state)
{
	static const u8 le[8] = { 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01 };
	u8 buf[16];

	(void)state;
	for (size_t off = 0; off < 8; off++) {
		memset(buf, 0xee, sizeof(buf));
		put_be64(buf + off, 0x0123456789abcdefULL);
		assert_memory_equal(buf + off, bytes, 8);
		assert_int_equal(buf[off + 8], 0xee);
		if (off)
			assert_int_equal(buf[off - 1], 0xee);

		memset(buf, 0xee, sizeof(buf));
		put_le64(buf + off, 0x0123456789abcdefULL);
		assert_memory_equal(buf + off, le, 8);
		assert_int_equal(buf[off + 8], 0xee);

		memset(buf, 0xee, sizeof(buf));
		put_le32(buf + off, 0x89abcdef);
		assert_memory_equal(buf + off, le, 4);
		assert_int_equal(buf[off + 4], 0xee);

		memset(buf, 0xee, sizeof(buf));
		put_be32(buf + off, 0x01234567);
		assert_memory_equal(buf + off, bytes, 4);
		assert_int_equal(buf[off + 4], 0xee);

		memset(buf, 0xee, sizeof(buf));
		put_le16(buf + off, 0xcdef);
		assert_memory_equal(buf + off, le, 2);
		assert_int_equal(buf[off + 2], 0xee);

		memset(buf, 0xee, sizeof(buf));
		put_be16(buf + off, 0x0123);
		assert_memory_equal(buf + off, bytes, 2);
		assert_int_equal(buf[off + 2], 0xee);
	}
}

static void test_round_trip(void **state)
{
	static const u64 values[] = { 0, 1, 0x80, 0xff00, 0x80000000ULL, 0xdeadbeefcafef00dULL,
				      UINT64_MAX };
	u8 buf[9];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
		u64 v = values[i];

		put_le16(buf + 1, (u16)v);
		assert_int_equal(get_le16(buf + 1), (u16)v);
		put_be16(buf + 1, (u16)v);
		assert_int_equal(get_be16(buf + 1), (u16)v);
		put_le32(buf + 1, (u32)v);
		assert_int_equal(get_le32(buf + 1), (u32)v);
		put_be32(buf + 1, (u32)v);
		assert_int_equal(get_be32(buf + 1), (u32)v);
		put_le64(buf + 1, v);
		assert_int_equal(get_le64(buf + 1), v);
		put_be64(buf + 1, v);
		assert_int_equal(get_be64(buf + 1), v);
	}
}

/* A field loaded in the CPU's order and converted reads as get_* reads the bytes. */
static void test_cpu_conversions(void **state)
{
	u16 v16;
	u32 v32;
	u64 v64;

	(void)state;
	memcpy(&v16, bytes, sizeof(v16));
	memcpy(&v32, bytes, sizeof(v32));
	memcpy(&v64, bytes, sizeof(v64));
	assert_int_equal(le16_to_cpu(v16), get_le16(bytes));
	assert_int_equal(be16_to_cpu(v16), get_be16(bytes));
	assert_int_equal(le32_to_cpu(v32), get_le32(bytes));
	assert_int_equal(be32_to_cpu(v32), get_be32(bytes));
	assert_int_equal(le64_to_cpu(v64), get_le64(bytes));
	assert_int_equal(be64_to_cpu(v64), get_be64(bytes));

	/* and back: the value stored in the device's order has the device's bytes */
	v16 = cpu_to_be16(0x0123);
	v32 = cpu_to_le32(0x67452301);
	v64 = cpu_to_be64(0x0123456789abcdefULL);
	assert_memory_equal(&v16, bytes, 2);
	assert_memory_equal(&v32, bytes, 4);
	assert_memory_equal(&v64, bytes, 8);
	v16 = cpu_to_le16(0x2301);
	v32 = cpu_to_be32(0x01234567);
	v64 = cpu_to_le64(0xefcdab8967452301ULL);
	assert_memory_equal(&v16, bytes, 2);
	assert_memory_equal(&v32, bytes, 4);
	assert_memory_equal(&v64, bytes, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_cpu_conversions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
