/*
 * Unit tests for lib/string.c: every function, and the bulk operations at
 * every alignment and length that changes the word-at-a-time path taken.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/string.h"

#define AREA 96

static void fill_pattern(u8 *p, size_t n, u8 seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (u8)(seed + i * 7);
}

static void test_memcpy_alignments(void **state)
{
	u8 src[AREA], dst[AREA], want[AREA];
	size_t so, doff, n, i;

	(void)state;
	fill_pattern(src, AREA, 1);
	for (so = 0; so < 8; so++) {
		for (doff = 0; doff < 8; doff++) {
			for (n = 0; n + 8 <= AREA - 8; n++) {
				memset(dst, 0xee, AREA);
				for (i = 0; i < AREA; i++)
					want[i] = 0xee;
				for (i = 0; i < n; i++)
					want[doff + i] = src[so + i];
				assert_ptr_equal(memcpy(dst + doff, src + so, n), dst + doff);
				assert_memory_equal(dst, want, AREA);
			}
		}
	}
}

/* memmove must act as if it copied through a temporary buffer. */
static void test_memmove_overlap(void **state)
{
	u8 buf[AREA], want[AREA], tmp[AREA];
	size_t from, to, n, i;

	(void)state;
	for (from = 0; from < 20; from++) {
		for (to = 0; to < 20; to++) {
			for (n = 0; n <= AREA - 20; n += 3) {
				fill_pattern(buf, AREA, 3);
				fill_pattern(want, AREA, 3);
				for (i = 0; i < n; i++)
					tmp[i] = want[from + i];
				for (i = 0; i < n; i++)
					want[to + i] = tmp[i];
				assert_ptr_equal(memmove(buf + to, buf + from, n), buf + to);
				assert_memory_equal(buf, want, AREA);
			}
		}
	}
}

static void test_memset(void **state)
{
	u8 buf[AREA];
	size_t off, n, i;

	(void)state;
	for (off = 0; off < 8; off++) {
		for (n = 0; off + n <= AREA; n++) {
			for (i = 0; i < AREA; i++)
				buf[i] = 0x11;
			assert_ptr_equal(memset(buf + off, 0x1a5, n), buf + off);
			for (i = 0; i < AREA; i++) {
				bool inside = i >= off && i < off + n;

				assert_int_equal(buf[i], inside ? 0xa5 : 0x11);
			}
		}
	}
}

static void test_memcmp_memchr(void **state)
{
	const u8 a[] = { 1, 2, 3, 0x80 };
	const u8 b[] = { 1, 2, 3, 0x7f };

	(void)state;
	assert_int_equal(memcmp(a, b, 3), 0);
	/* Bytes compare as unsigned: 0x80 > 0x7f. */
	assert_true(memcmp(a, b, 4) > 0);
	assert_true(memcmp(b, a, 4) < 0);
	assert_int_equal(memcmp(a, b, 0), 0);

	assert_ptr_equal(memchr(a, 3, 4), a + 2);
	assert_ptr_equal(memchr(a, 0x80, 4), a + 3);
	assert_ptr_equal(memchr(a, 0x180, 4), a + 3);
	assert_null(memchr(a, 3, 2));
	assert_null(memchr(a, 9, 4));
}

static void test_strlen_strnlen(void **state)
{
	(void)state;
	assert_int_equal(strlen(""), 0);
	assert_int_equal(strlen("stork"), 5);
	assert_int_equal(strnlen("stork", 3), 3);
	assert_int_equal(strnlen("stork", 5), 5);
	assert_int_equal(strnlen("stork", 100), 5);
	assert_int_equal(strnlen("stork", 0), 0);
}

static void test_strcmp_family(void **state)
{
	(void)state;
	assert_int_equal(strcmp("abc", "abc"), 0);
	assert_true(strcmp("abc", "abd") < 0);
	assert_true(strcmp("abd", "abc") > 0);
	assert_true(strcmp("ab", "abc") < 0);
	assert_true(strcmp("abc", "ab") > 0);
	assert_true(strcmp("\x80", "\x7f") > 0);

	assert_int_equal(strncmp("abcx", "abcy", 3), 0);
	assert_true(strncmp("abcx", "abcy", 4) < 0);
	assert_int_equal(strncmp("ab", "ab", 10), 0);
	assert_true(strncmp("ab", "abc", 10) < 0);
	assert_int_equal(strncmp("x", "y", 0), 0);

	assert_int_equal(strcasecmp("NVMe0", "nvme0"), 0);
	assert_true(strcasecmp("a", "B") < 0);
	assert_true(strcasecmp("ab", "A") > 0);
}

static void test_strchr_strrchr(void **state)
{
	const char *s = "a/b/c";

	(void)state;
	assert_ptr_equal(strchr(s, '/'), s + 1);
	assert_ptr_equal(strrchr(s, '/'), s + 3);
	assert_null(strchr(s, 'x'));
	assert_null(strrchr(s, 'x'));
	/* The terminator is part of the string. */
	assert_ptr_equal(strchr(s, '\0'), s + 5);
	assert_ptr_equal(strrchr(s, '\0'), s + 5);
}

static void test_strstr(void **state)
{
	const char *s = "aaab-nvme";

	(void)state;
	assert_ptr_equal(strstr(s, "aab"), s + 1);
	assert_ptr_equal(strstr(s, "nvme"), s + 5);
	assert_ptr_equal(strstr(s, ""), s);
	assert_null(strstr(s, "nvme0"));
	assert_null(strstr(s, "x"));
	assert_null(strstr("", "a"));
}

static void test_strlcpy(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(strlcpy(buf, "disk", sizeof(buf)), 4);
	assert_string_equal(buf, "disk");

	assert_int_equal(strlcpy(buf, "virtio-blk", sizeof(buf)), 10);
	assert_string_equal(buf, "virtio-");

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(strlcpy(buf, "abc", 0), 3);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(strlcpy(buf, "abc", 1), 3);
	assert_string_equal(buf, "");
}

static void test_strlcat(void **state)
{
	char buf[8] = "nv";

	(void)state;
	assert_int_equal(strlcat(buf, "me", sizeof(buf)), 4);
	assert_string_equal(buf, "nvme");
	assert_int_equal(strlcat(buf, "0n1p1", sizeof(buf)), 9);
	assert_string_equal(buf, "nvme0n1");
	assert_int_equal(strlcat(buf, "x", sizeof(buf)), 8);
	assert_string_equal(buf, "nvme0n1");

	/* No terminator within size: report size + strlen(src), touch nothing. */
	memset(buf, 'y', sizeof(buf));
	assert_int_equal(strlcat(buf, "abc", 4), 7);
	assert_int_equal(buf[3], 'y');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy_alignments),
		cmocka_unit_test(test_memmove_overlap),
		cmocka_unit_test(test_memset),
		cmocka_unit_test(test_memcmp_memchr),
		cmocka_unit_test(test_strlen_strnlen),
		cmocka_unit_test(test_strcmp_family),
		cmocka_unit_test(test_strchr_strrchr),
		cmocka_unit_test(test_strstr),
		cmocka_unit_test(test_strlcpy),
		cmocka_unit_test(test_strlcat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
