/*
 * Number and keyword parsing for the shell. All the numeric parsers share
 * parse_number(), which reads the digits and leaves the caller to decide
 * what may follow them; the whole string is always read before an overflow
 * is reported, so "99999999999999999999x" is malformed, not out of range.
 */
#include "lib/parse.h"
#include "lib/ctype.h"
#include "lib/errno.h"
#include "lib/string.h"

static int digit_value(char c)
{
	if (isdigit(c))
		return c - '0';
	if (isxdigit(c))
		return tolower(c) - 'a' + 10;
	return 16;
}

/*
 * Reads an unsigned decimal or 0x-hex number at the start of s and sets
 * *end to the first character after it. Returns -EINVAL without digits,
 * -ERANGE if the value overflows u64 (still setting *end), else 0.
 */
static int parse_number(const char *s, const char **end, u64 *out)
{
	unsigned int base = 10;
	bool overflow = false;
	u64 value = 0;
	const char *p;
	int digit;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (p = s; (digit = digit_value(*p)) < (int)base; p++) {
		if (value > (UINT64_MAX - digit) / base)
			overflow = true;
		value = value * base + digit;
	}
	*end = p;
	if (p == s)
		return -EINVAL;
	if (overflow)
		return -ERANGE;
	*out = value;
	return 0;
}

/* Like parse_number() but the number must be the whole string. */
static int parse_whole_number(const char *s, u64 *out)
{
	const char *end;
	u64 value;
	int ret = parse_number(s, &end, &value);

	if (ret == -EINVAL || *end)
		return -EINVAL;
	if (ret)
		return ret;
	*out = value;
	return 0;
}

int parse_u64(const char *s, u64 *out)
{
	return parse_whole_number(s, out);
}

int parse_u32(const char *s, u32 *out)
{
	u64 value;
	int ret = parse_whole_number(s, &value);

	if (ret)
		return ret;
	if (value > UINT32_MAX)
		return -ERANGE;
	*out = value;
	return 0;
}

int parse_s64(const char *s, s64 *out)
{
	bool negative = false;
	u64 magnitude;
	int ret;

	if (*s == '-' || *s == '+')
		negative = *s++ == '-';
	ret = parse_whole_number(s, &magnitude);
	if (ret)
		return ret;
	if (negative) {
		if (magnitude > (u64)INT64_MAX + 1)
			return -ERANGE;
		/* Negate in u64: -(2^63) has no positive s64 counterpart. */
		*out = (s64)(0 - magnitude);
	} else {
		if (magnitude > INT64_MAX)
			return -ERANGE;
		*out = magnitude;
	}
	return 0;
}

static const struct {
	char letter;
	unsigned int shift;
} size_suffixes[] = {
	{ 'k', 10 },
	{ 'm', 20 },
	{ 'g', 30 },
	{ 't', 40 },
};

/* Returns the shift for a size suffix ("", "b", "k", "kb", "kib", ...) or -1. */
static int size_suffix_shift(const char *suffix)
{
	size_t i;

	if (!*suffix || !strcasecmp(suffix, "b"))
		return 0;
	for (i = 0; i < ARRAY_SIZE(size_suffixes); i++) {
		if (tolower(*suffix) != size_suffixes[i].letter)
			continue;
		suffix++;
		if (!*suffix || !strcasecmp(suffix, "b") ||
		    !strcasecmp(suffix, "ib"))
			return size_suffixes[i].shift;
		return -1;
	}
	return -1;
}

int parse_size(const char *s, u64 *out)
{
	const char *end;
	u64 value;
	int shift;
	int ret = parse_number(s, &end, &value);

	if (ret == -EINVAL)
		return ret;
	shift = size_suffix_shift(end);
	if (shift < 0)
		return -EINVAL;
	if (ret)
		return ret;
	if (value > UINT64_MAX >> shift)
		return -ERANGE;
	*out = value << shift;
	return 0;
}

static const struct {
	const char *word;
	bool value;
} bool_words[] = {
	{ "1", true },	  { "0", false },
	{ "on", true },	  { "off", false },
	{ "yes", true },  { "no", false },
	{ "true", true }, { "false", false },
};

int parse_bool(const char *s, bool *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bool_words); i++) {
		if (!strcasecmp(s, bool_words[i].word)) {
			*out = bool_words[i].value;
			return 0;
		}
	}
	return -EINVAL;
}

int parse_kv(char *arg, char **key, char **value)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return -EINVAL;
	*eq = '\0';
	*key = arg;
	*value = eq + 1;
	return 0;
}
