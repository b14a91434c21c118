/*
 * Unit tests for lib/json.c: exact output for every single byte in a
 * string, UTF-8 sequences well- and ill-formed, nesting and commas, numbers
 * at the limits of 64 bits and fixed-point, and misuse caught as an error
 * rather than written out.
 *
 * Python's json module is the second judge: when make unit sets
 * UNIT_JSON_SAMPLES, this test appends documents to that file (every byte
 * string of length 1 and 2, pseudo-random ones, numbers at the limits),
 * one per line after what they must decode to, and
 * tests/unit/check_json_samples.py checks each with json.loads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/errno.h"
#include "lib/json.h"
#include "lib/printf.h"
#include "lib/string.h"

static char out[1 << 16];
static size_t out_len;
static unsigned int sink_calls;

static void sink(void *arg, const char *s, size_t n)
{
	(void)arg;
	assert_true(out_len + n < sizeof(out));
	memcpy(out + out_len, s, n);
	out_len += n;
	out[out_len] = 0;
	sink_calls++;
}

static void start(struct json_writer *w)
{
	out_len = 0;
	out[0] = 0;
	sink_calls = 0;
	json_init(w, sink, NULL);
}

/* Finish w, expecting err, and compare the document (newline included). */
static void expect(struct json_writer *w, int err, const char *want)
{
	assert_int_equal(json_finish(w), err);
	assert_string_equal(out, want);
}

static void check_string(const char *s, size_t n, const char *want)
{
	struct json_writer w;
	char line[512];

	start(&w);
	json_string_n(&w, s, n);
	snprintf(line, sizeof(line), "%s\n", want);
	expect(&w, 0, line);
}

/* What one byte alone must become, spelled out by class rather than by the escaper's code. */
static void byte_expected(unsigned int b, char *buf, size_t len)
{
	static const char *const short_forms[0x20] = {
		['\b'] = "\\b", ['\f'] = "\\f", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
	};

	if (b == '"')
		snprintf(buf, len, "\"\\\"\"");
	else if (b == '\\')
		snprintf(buf, len, "\"\\\\\"");
	else if (b < 0x20 && short_forms[b])
		snprintf(buf, len, "\"%s\"", short_forms[b]);
	else if (b < 0x20 || b == 0x7f)
		snprintf(buf, len, "\"\\u%04x\"", b);
	else if (b < 0x80)
		snprintf(buf, len, "\"%c\"", (char)b);
	else
		snprintf(buf, len, "\"\\ufffd\"");	/* no byte >= 0x80 is UTF-8 alone */
}

static void test_every_byte(void **state)
{
	char want[16];

	(void)state;
	for (unsigned int b = 0; b < 256; b++) {
		char c = (char)b;

		byte_expected(b, want, sizeof(want));
		check_string(&c, 1, want);
	}
	/* and inside a longer string, between plain characters */
	check_string("a\"b\\c\x01" "d\x7f" "e", 9, "\"a\\\"b\\\\c\\u0001d\\u007fe\"");
	check_string("", 0, "\"\"");
	check_string("nul\0in", 6, "\"nul\\u0000in\"");
}

static void test_utf8(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "\xc3\xa9", "\"\\u00e9\"" },			/* é */
		{ "\xc2\x80", "\"\\u0080\"" },			/* the smallest two-byte */
		{ "\xdf\xbf", "\"\\u07ff\"" },
		{ "\xe0\xa0\x80", "\"\\u0800\"" },		/* the smallest three-byte */
		{ "\xe2\x82\xac", "\"\\u20ac\"" },		/* € */
		{ "\xed\x9f\xbf", "\"\\ud7ff\"" },		/* below the surrogates */
		{ "\xef\xbf\xbf", "\"\\uffff\"" },
		{ "\xf0\x90\x80\x80", "\"\\ud800\\udc00\"" },	/* U+10000 */
		{ "\xf0\x9f\x98\x80", "\"\\ud83d\\ude00\"" },	/* U+1F600 */
		{ "\xf4\x8f\xbf\xbf", "\"\\udbff\\udfff\"" },	/* U+10FFFF */
		/* overlong forms: C0, C1 never start a sequence; E0 80, F0 80 too short a value */
		{ "\xc0\x80", "\"\\ufffd\\ufffd\"" },
		{ "\xc1\xbf", "\"\\ufffd\\ufffd\"" },
		{ "\xe0\x80\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "\xf0\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		/* a UTF-16 surrogate encoded, and a code point beyond U+10FFFF */
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		{ "\xf5\x80", "\"\\ufffd\\ufffd\"" },
		{ "\xff", "\"\\ufffd\"" },
		/* a truncated sequence is one U+FFFD, then what broke it */
		{ "\xe2\x82", "\"\\ufffd\"" },
		{ "\xe2\x82" "A", "\"\\ufffdA\"" },
		{ "\xf0\x9f\x98" "\"", "\"\\ufffd\\\"\"" },
		{ "\xe2\xe2\x82\xac", "\"\\ufffd\\u20ac\"" },
		/* a lone continuation byte */
		{ "a\x80" "b", "\"a\\ufffdb\"" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_string(cases[i].in, strlen(cases[i].in), cases[i].want);
}

static void test_nesting_and_commas(void **state)
{
	struct json_writer w;

	(void)state;
	start(&w);
	json_object_begin(&w);
	json_key(&w, "a");
	json_array_begin(&w);
	json_u64(&w, 1);
	json_array_begin(&w);
	json_array_end(&w);
	json_object_begin(&w);
	json_object_end(&w);
	json_string(&w, "x");
	json_array_end(&w);
	json_key(&w, "b");
	json_object_begin(&w);
	json_key(&w, "c");
	json_array_begin(&w);
	json_bool(&w, true);
	json_bool(&w, false);
	json_null(&w);
	json_string(&w, NULL);
	json_array_end(&w);
	json_object_end(&w);
	json_field_str(&w, "d", "");
	json_field_u64(&w, "e", 7);
	json_field_s64(&w, "f", -7);
	json_field_fixed(&w, "g", 1500, 3);
	json_field_bool(&w, "h", true);
	json_key(&w, "key \"quoted\"\n");
	json_stringf(&w, "%u.%u.%u", 1, 4, 0);
	json_object_end(&w);
	expect(&w, 0, "{\"a\":[1,[],{},\"x\"],\"b\":{\"c\":[true,false,null,null]},\"d\":\"\","
	       "\"e\":7,\"f\":-7,\"g\":1.500,\"h\":true,\"key \\\"quoted\\\"\\n\":\"1.4.0\"}\n");

	/* a scalar alone is a document too */
	start(&w);
	json_u64(&w, 3);
	expect(&w, 0, "3\n");
}

static void test_depth_limit(void **state)
{
	struct json_writer w;
	char want[4 * JSON_DEPTH_MAX + 2];
	size_t n = 0;

	(void)state;
	start(&w);
	for (int i = 0; i < JSON_DEPTH_MAX; i++) {
		json_array_begin(&w);
		want[n++] = '[';
	}
	for (int i = 0; i < JSON_DEPTH_MAX; i++) {
		json_array_end(&w);
		want[n++] = ']';
	}
	want[n++] = '\n';
	want[n] = 0;
	expect(&w, 0, want);

	/* one more level fails, and nothing more is written */
	start(&w);
	for (int i = 0; i <= JSON_DEPTH_MAX; i++) {
		json_object_begin(&w);
		if (i < JSON_DEPTH_MAX)
			json_key(&w, "k");
	}
	for (int i = 0; i <= JSON_DEPTH_MAX; i++)
		json_object_end(&w);
	assert_int_equal(json_finish(&w), -E2BIG);
	assert_null(strchr(out, '}'));
}

static void test_numbers(void **state)
{
	static const struct {
		u64 v;
		unsigned int digits;
		const char *want;
	} fixed[] = {
		{ 0, 3, "0.000\n" },
		{ 7, 3, "0.007\n" },
		{ 5000500, 3, "5000.500\n" },
		{ 42, 0, "42\n" },
		{ UINT64_MAX, 3, "18446744073709551.615\n" },
		{ UINT64_MAX, 19, "1.8446744073709551615\n" },
		{ 1, 19, "0.0000000000000000001\n" },
	};
	struct json_writer w;

	(void)state;
	start(&w);
	json_array_begin(&w);
	json_u64(&w, 0);
	json_u64(&w, UINT64_MAX);
	json_s64(&w, INT64_MIN);
	json_s64(&w, INT64_MAX);
	json_s64(&w, -1);
	json_s64(&w, 0);
	json_u64(&w, 1000000);
	json_array_end(&w);
	expect(&w, 0, "[0,18446744073709551615,-9223372036854775808,9223372036854775807,-1,0,"
	       "1000000]\n");

	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++) {
		start(&w);
		json_fixed(&w, fixed[i].v, fixed[i].digits);
		expect(&w, 0, fixed[i].want);
	}
	start(&w);
	json_fixed(&w, 1, JSON_FIXED_DIGITS_MAX + 1);
	expect(&w, -EINVAL, "\n");
}

/* Each misuse: the error, and the output stops before the misused call. */
static void test_misuse(void **state)
{
	struct json_writer w;

	(void)state;
	/* a key at the top level, and in an array */
	start(&w);
	json_key(&w, "k");
	expect(&w, -EINVAL, "\n");
	start(&w);
	json_array_begin(&w);
	json_key(&w, "k");
	json_array_end(&w);
	expect(&w, -EINVAL, "[\n");

	/* a value in an object without its key */
	start(&w);
	json_object_begin(&w);
	json_u64(&w, 1);
	json_object_end(&w);
	expect(&w, -EINVAL, "{\n");

	/* two keys in a row */
	start(&w);
	json_object_begin(&w);
	json_key(&w, "a");
	json_key(&w, "b");
	expect(&w, -EINVAL, "{\"a\":\n");

	/* closes that do not match */
	start(&w);
	json_object_begin(&w);
	json_array_end(&w);
	expect(&w, -EINVAL, "{\n");
	start(&w);
	json_array_begin(&w);
	json_object_end(&w);
	expect(&w, -EINVAL, "[\n");
	start(&w);
	json_object_end(&w);
	expect(&w, -EINVAL, "\n");
	start(&w);
	json_object_begin(&w);
	json_key(&w, "a");
	json_object_end(&w);
	expect(&w, -EINVAL, "{\"a\":\n");

	/* a second top-level value */
	start(&w);
	json_object_begin(&w);
	json_object_end(&w);
	json_object_begin(&w);
	expect(&w, -EINVAL, "{}\n");
	start(&w);
	json_u64(&w, 1);
	json_u64(&w, 2);
	expect(&w, -EINVAL, "1\n");

	/* an incomplete document: nothing, or a container left open */
	start(&w);
	expect(&w, -EINVAL, "\n");
	start(&w);
	json_object_begin(&w);
	json_field_u64(&w, "a", 1);
	expect(&w, -EINVAL, "{\"a\":1\n");

	/* the first error is the one reported */
	start(&w);
	json_object_end(&w);
	json_fixed(&w, 1, 99);
	assert_int_equal(json_finish(&w), -EINVAL);
}

/* Long output reaches the sink whole, in buffer-sized writes rather than per token. */
static void test_buffering(void **state)
{
	static char big[3000];
	struct json_writer w;

	(void)state;
	memset(big, 'x', sizeof(big));
	start(&w);
	json_array_begin(&w);
	json_string_n(&w, big, sizeof(big));
	for (int i = 0; i < 100; i++)
		json_u64(&w, (u64)i);
	json_array_end(&w);
	assert_int_equal(json_finish(&w), 0);
	assert_int_equal(out_len, 1 + 2 + sizeof(big) + 10 + 2 * 90 + 100 + 1 + 1);
	assert_true(sink_calls <= out_len / JSON_BUF_LEN + 1);
	assert_int_equal(out[0], '[');
	assert_int_equal(out[1], '"');
	assert_int_equal(out[2 + sizeof(big)], '"');
	assert_int_equal(out[out_len - 2], ']');
}

/* ---- samples for Python's json module ----------------------------------------- */

static int samples_fd = -1;

static void sample_line(const char *kind, const char *expected)
{
	char head[256];
	int n = snprintf(head, sizeof(head), "%s %s ", kind, expected);

	assert_true(n > 0 && (size_t)n < sizeof(head));
	assert_int_equal(write(samples_fd, head, (size_t)n), n);
	assert_int_equal(write(samples_fd, out, out_len), (ssize_t)out_len);
}

static void sample_string(const u8 *s, size_t n)
{
	struct json_writer w;
	char hex[2 * 16 + 2] = "-";

	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", s[i]);
	start(&w);
	json_string_n(&w, (const char *)s, n);
	assert_int_equal(json_finish(&w), 0);
	sample_line("str", hex);
}

/* xorshift64: the same strings on every run */
static u64 sample_rand(u64 *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void test_python_samples(void **state)
{
	const char *path = getenv("UNIT_JSON_SAMPLES");
	static const s64 signed_values[] = { INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX };
	static const u64 unsigned_values[] = { 0, 1, 9, 10, UINT32_MAX, UINT64_MAX - 1, UINT64_MAX };
	struct json_writer w;
	char text[64];
	u64 seed = 0x5eed5eed5eedULL;
	u8 s[16];

	(void)state;
	if (!path)
		skip();
	samples_fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	assert_true(samples_fd >= 0);
	for (unsigned int a = 0; a < 256; a++) {
		s[0] = (u8)a;
		sample_string(s, 1);
		for (unsigned int b = 0; b < 256; b++) {
			s[1] = (u8)b;
			sample_string(s, 2);
		}
	}
	/* random strings weighted toward UTF-8's lead and continuation bytes */
	for (int i = 0; i < 20000; i++) {
		size_t n = sample_rand(&seed) % 12;

		for (size_t j = 0; j < n; j++) {
			u64 r = sample_rand(&seed);

			s[j] = (u8)(r % 4 == 0 ? (r >> 8) % 0x80 : r % 4 == 1 ? 0xc0 + (r >> 8) % 0x40 :
				    0x80 + (r >> 8) % 0x40);
		}
		sample_string(s, n);
	}
	for (size_t i = 0; i < ARRAY_SIZE(signed_values); i++) {
		start(&w);
		json_s64(&w, signed_values[i]);
		assert_int_equal(json_finish(&w), 0);
		snprintf(text, sizeof(text), "%lld", (long long)signed_values[i]);
		sample_line("int", text);
	}
	for (size_t i = 0; i < ARRAY_SIZE(unsigned_values); i++) {
		for (unsigned int d = 0; d <= JSON_FIXED_DIGITS_MAX; d += 3) {
			start(&w);
			json_fixed(&w, unsigned_values[i], d);
			assert_int_equal(json_finish(&w), 0);
			snprintf(text, sizeof(text), "%llue-%u", (unsigned long long)unsigned_values[i], d);
			sample_line("dec", text);
		}
	}
	close(samples_fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_nesting_and_commas),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_buffering),
		cmocka_unit_test(test_python_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
