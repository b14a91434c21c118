/*
 * Fuzz lib/parse.c, the number parser behind every shell argument: any
 * string, each parser; a number accepted by parse_u64 and printed again
 * must parse to the same value, and parse_size never gives less than the
 * plain number it starts with.
 */
#include "tests/fuzz/fuzz.h"
#include "lib/parse.h"
#include "lib/printf.h"
#include "lib/string.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	char again[32], *key, *value;
	u64 v, w, size_v;
	u32 v32;
	s64 sv;
	bool b;

	if (parse_u64(s, &v) == 0) {
		snprintf(again, sizeof(again), "%llu", (unsigned long long)v);
		FUZZ_CHECK(parse_u64(again, &w) == 0 && w == v);
		FUZZ_CHECK(parse_size(s, &size_v) == 0 && size_v == v);
	}
	if (parse_u32(s, &v32) == 0)
		FUZZ_CHECK(parse_u64(s, &v) == 0 && v == v32);
	parse_s64(s, &sv);
	parse_size(s, &size_v);
	parse_bool(s, &b);
	if (parse_kv(s, &key, &value) == 0)
		FUZZ_CHECK(key == s && value > s && value <= s + size);
	free(s);
	return 0;
}
