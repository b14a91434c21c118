/*
 * Unit tests for lib/printf.c. Where the C standard defines the output, a
 * sweep compares ours with the host libc's over every combination of
 * flags, width, precision and length modifier; the stork-specific parts
 * (%p, %b, NULL strings, unknown conversions) have explicit expectations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/printf.h"
#include "lib/string.h"

/* The host's own functions, reached under their real symbol names. */
int host_snprintf(char *buf, size_t size, const char *fmt, ...)
	__asm__("snprintf") __printf(3, 4);
int host_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__asm__("vsnprintf") __printf(3, 0);

#define OUT_SIZE 512

static unsigned long comparisons;

/* Formats with ours and the host's and asserts identical output and length. */
static __printf(1, 2) void check_same(const char *fmt, ...)
{
	char ours[OUT_SIZE], theirs[OUT_SIZE];
	va_list ap, ap_host;
	int ret_ours, ret_theirs;

	va_start(ap, fmt);
	va_copy(ap_host, ap);
	ret_ours = vsnprintf(ours, sizeof(ours), fmt, ap);
	ret_theirs = host_vsnprintf(theirs, sizeof(theirs), fmt, ap_host);
	va_end(ap_host);
	va_end(ap);

	if (ret_ours != ret_theirs || strcmp(ours, theirs))
		print_error("format \"%s\": ours \"%s\" (%d), host \"%s\" (%d)\n",
			    fmt, ours, ret_ours, theirs, ret_theirs);
	assert_int_equal(ret_ours, ret_theirs);
	assert_string_equal(ours, theirs);
	comparisons++;
}

/*
 * Formats with ours only and checks against expected. No format attribute:
 * gcc does not know %b and would reject the deliberately broken formats.
 */
static void check_expect(const char *expected, const char *fmt, ...)
{
	char buf[OUT_SIZE];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_string_equal(buf, expected);
	assert_int_equal(ret, strlen(expected));
}

static void test_literals(void **state)
{
	(void)state;
	check_same("plain text");
	check_same("%s", "");
	check_same("100%%");
	check_same("%d%%", 50);
	check_same("[%c%c%c]", 'n', 'v', 'm');
	check_same("[%5c|%-5c]", 'x', 'y');
	check_same("%s=%d %s=%#x", "qid", 3, "cid", 0x1f);
}

/* Every spec prefix made of flags, width and precision. */
static const char *const flag_sets[] = {
	"", "-", "0", "+", " ", "#", "-0", "-+", "- ", "-#", "0+", "0 ", "0#",
	"+ ", "+#", " #", "-0+", "-0 ", "-0#", "-+ ", "-+#", "- #", "0+ ",
	"0+#", "0 #", "+ #", "-0+ ", "-0+#", "-0 #", "-+ #", "0+ #", "-0+ #",
};
static const char *const widths[] = { "", "1", "5", "24" };
static const char *const precisions[] = { "", ".", ".0", ".1", ".3", ".22" };

#define FOR_EACH_SPEC(fmt, conv, body)					\
	do {								\
		size_t f_, w_, p_;					\
		for (f_ = 0; f_ < ARRAY_SIZE(flag_sets); f_++)		\
		for (w_ = 0; w_ < ARRAY_SIZE(widths); w_++)		\
		for (p_ = 0; p_ < ARRAY_SIZE(precisions); p_++) {	\
			host_snprintf(fmt, sizeof(fmt), "%%%s%s%s%s",	\
				      flag_sets[f_], widths[w_],	\
				      precisions[p_], conv);		\
			body;						\
		}							\
	} while (0)

static const int int_values[] = {
	0, 1, -1, 7, -7, 42, 255, 300, -129, 65535, 70000, INT32_MAX, INT32_MIN,
};
static const s64 s64_values[] = {
	0, 1, -1, 1234567890123LL, -1234567890123LL, INT64_MAX, INT64_MIN,
};
static const u64 u64_values[] = {
	0, 1, 8, 0xdeadbeef, 0x100000000ULL, 0x123456789abcdefULL, UINT64_MAX,
};

static void test_sweep_int(void **state)
{
	static const char *const convs[] = {
		"d", "i", "hd", "hhd", "u", "x", "X", "o", "hu", "hhu", "hx", "hho",
	};
	char fmt[32];
	size_t c, v;

	(void)state;
	for (c = 0; c < ARRAY_SIZE(convs); c++) {
		FOR_EACH_SPEC(fmt, convs[c], {
			for (v = 0; v < ARRAY_SIZE(int_values); v++)
				check_same(fmt, int_values[v]);
		});
	}
}

static void test_sweep_64bit(void **state)
{
	static const char *const signed_convs[] = {
		"lld", "lli", "ld", "zd", "td", "jd",
	};
	static const char *const unsigned_convs[] = {
		"llu", "llx", "llX", "llo", "lu", "lx", "zu", "zx", "ju", "jo",
	};
	char fmt[32];
	size_t c, v;

	(void)state;
	for (c = 0; c < ARRAY_SIZE(signed_convs); c++) {
		FOR_EACH_SPEC(fmt, signed_convs[c], {
			for (v = 0; v < ARRAY_SIZE(s64_values); v++)
				check_same(fmt, (long long)s64_values[v]);
		});
	}
	for (c = 0; c < ARRAY_SIZE(unsigned_convs); c++) {
		FOR_EACH_SPEC(fmt, unsigned_convs[c], {
			for (v = 0; v < ARRAY_SIZE(u64_values); v++)
				check_same(fmt, (unsigned long long)u64_values[v]);
		});
	}
	print_message("%lu comparisons with the host's vsnprintf\n", comparisons);
}

static void test_sweep_string(void **state)
{
	static const char *const strings[] = { "", "a", "nvme0n1", "virtio-blk-pci" };
	char fmt[32];
	size_t f, w, p, s;

	(void)state;
	/* Only '-' is defined for %s. */
	for (f = 0; f < 2; f++)
		for (w = 0; w < ARRAY_SIZE(widths); w++)
			for (p = 0; p < ARRAY_SIZE(precisions); p++)
				for (s = 0; s < ARRAY_SIZE(strings); s++) {
					host_snprintf(fmt, sizeof(fmt), "%%%s%s%ss",
						      flag_sets[f], widths[w],
						      precisions[p]);
					check_same(fmt, strings[s]);
				}
}

static void test_extremes(void **state)
{
	(void)state;
	check_expect("-9223372036854775808", "%lld", (long long)INT64_MIN);
	check_expect("9223372036854775807", "%lld", (long long)INT64_MAX);
	check_expect("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	check_expect("ffffffffffffffff", "%llx", (unsigned long long)UINT64_MAX);
	check_expect("1777777777777777777777", "%llo", (unsigned long long)UINT64_MAX);
	check_expect("-2147483648", "%d", INT32_MIN);
	check_expect("-128 255", "%hhd %hhu", 128, 255);
	check_same("%300d|%-300x", -5, 0xabcu);
}

static void test_star(void **state)
{
	(void)state;
	check_same("[%*d]", 6, 42);
	check_same("[%*d]", -6, 42);
	check_same("[%-*d]", -6, 42);
	check_same("[%.*d]", 4, 42);
	check_same("[%.*d]", -4, 42);
	check_same("[%0*x|%*.*x]", 10, 0xbeefu, 10, 6, 0xbeefu);
	check_same("[%*.*s]", -8, 3, "storage");
	check_expect("[  0042]", "[%*.*d]", 6, 4, 42);
}

static void test_pointer(void **state)
{
	(void)state;
	check_expect("0x0000000000001234", "%p", (void *)0x1234);
	check_expect("0x0000000000000000", "%p", NULL);
	check_expect("0xffff800000000000", "%p", (void *)0xffff800000000000UL);
	check_expect("  0x00000000000000ff", "%20p", (void *)0xff);
	check_expect("0x00000000000000ff  |", "%-20p|", (void *)0xff);
}

static void test_binary(void **state)
{
	(void)state;
	check_expect("101", "%b", 5u);
	check_expect("0", "%b", 0u);
	check_expect("0b101", "%#b", 5u);
	check_expect("0", "%#b", 0u);
	check_expect("00000101", "%08b", 5u);
	check_expect("0b000101", "%#08b", 5u);
	check_expect("0001", "%.4b", 1u);
	check_expect("11111111", "%hhb", 0x1ffu);
	check_expect("1111111111111111111111111111111111111111111111111111111111111111",
		     "%llb", (unsigned long long)UINT64_MAX);
}

static void test_null_string(void **state)
{
	(void)state;
	check_expect("(null)", "%s", (char *)NULL);
	check_expect("  (null)", "%8s", (char *)NULL);
	check_expect("(nu", "%.3s", (char *)NULL);
}

static void test_unknown_conversion(void **state)
{
	(void)state;
	check_expect("a%yb", "a%yb");
	check_expect("[%-5y]", "[%-5y]");
	check_expect("%ll", "%ll");
	check_expect("50%", "50%");
	check_expect("7 %q 8", "%d %q %d", 7, 8);
}

/* Every buffer size from 0 up: same return, prefix + NUL, nothing beyond. */
static void test_truncation(void **state)
{
	const char *full = "nvme0: 4096 blocks of 512";
	size_t len = strlen(full), size, i;
	char buf[64];

	(void)state;
	assert_int_equal(snprintf(NULL, 0, "nvme%d: %d blocks of %u", 0, 4096, 512u), len);
	for (size = 0; size <= len + 2; size++) {
		memset(buf, '#', sizeof(buf));
		assert_int_equal(snprintf(buf, size, "nvme%d: %d blocks of %u",
					  0, 4096, 512u), len);
		if (size) {
			size_t kept = size - 1 < len ? size - 1 : len;

			assert_memory_equal(buf, full, kept);
			assert_int_equal(buf[kept], '\0');
		}
		for (i = size; i < sizeof(buf); i++)
			assert_int_equal(buf[i], '#');
	}
}

struct collect {
	char text[OUT_SIZE];
	size_t len;
};

static void collect_out(char c, void *arg)
{
	struct collect *col = arg;

	if (col->len < sizeof(col->text) - 1)
		col->text[col->len] = c;
	col->len++;
}

static __printf(2, 3) int collect_printf(struct collect *col, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vcbprintf(collect_out, col, fmt, ap);
	va_end(ap);
	col->text[col->len < sizeof(col->text) ? col->len : sizeof(col->text) - 1] = '\0';
	return ret;
}

static void test_vcbprintf(void **state)
{
	struct collect col = { .len = 0 };

	(void)state;
	assert_int_equal(collect_printf(&col, "%s %05d %c", "lba", -42, '!'), 11);
	assert_int_equal(col.len, 11);
	assert_string_equal(col.text, "lba -0042 !");

	/* A NUL from %c is a character like any other. */
	col.len = 0;
	assert_int_equal(collect_printf(&col, "a%cb", '\0'), 3);
	assert_int_equal(col.len, 3);
	assert_memory_equal(col.text, "a\0b", 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_sweep_int),
		cmocka_unit_test(test_sweep_64bit),
		cmocka_unit_test(test_sweep_string),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_star),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_unknown_conversion),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_vcbprintf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
