/*
 * The streaming JSON writer (lib/json.h): a stack of open containers kept
 * as two bit masks, commas placed from "does this container hold a member
 * yet", and the string escaper with its UTF-8 check.
 */
#include "lib/json.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define JSON_REPLACEMENT_CHAR 0xfffd

void json_init(struct json_writer *w, json_write_fn write, void *arg)
{
	memset(w, 0, sizeof(*w));
	w->write = write;
	w->arg = arg;
}

static void json_flush(struct json_writer *w)
{
	if (w->used)
		w->write(w->arg, w->buf, w->used);
	w->used = 0;
}

static void json_put(struct json_writer *w, const char *s, size_t n)
{
	while (n) {
		size_t room = sizeof(w->buf) - w->used;
		size_t take = n < room ? n : room;

		memcpy(w->buf + w->used, s, take);
		w->used += take;
		s += take;
		n -= take;
		if (w->used == sizeof(w->buf))
			json_flush(w);
	}
}

static void json_putc(struct json_writer *w, char c)
{
	json_put(w, &c, 1);
}

/* Record the first misuse; the writer is silent from then on. */
static void json_fail(struct json_writer *w, int err)
{
	if (!w->error)
		w->error = err;
}

static bool json_in_object(const struct json_writer *w)
{
	return w->depth && (w->is_object & (1U << (w->depth - 1)));
}

/* A member of the current container starts: its comma, if it is not the first. */
static void json_member_start(struct json_writer *w)
{
	u32 bit = 1U << (w->depth - 1);

	if (w->has_member & bit)
		json_putc(w, ',');
	w->has_member |= bit;
}

/*
 * Before any value: is one allowed here? At the top level only once; in an
 * object only right after its key (which wrote the comma); in an array,
 * after a comma unless it is the first.
 */
static bool json_value_start(struct json_writer *w)
{
	if (w->error)
		return false;
	if (!w->depth) {
		if (w->done) {
			json_fail(w, -EINVAL);
			return false;
		}
		return true;
	}
	if (json_in_object(w)) {
		if (!w->key_pending) {
			json_fail(w, -EINVAL);
			return false;
		}
		w->key_pending = false;
		return true;
	}
	json_member_start(w);
	return true;
}

static void json_value_end(struct json_writer *w)
{
	if (!w->depth)
		w->done = true;
}

static void json_container_begin(struct json_writer *w, bool object)
{
	if (!json_value_start(w))
		return;
	if (w->depth == JSON_DEPTH_MAX) {
		json_fail(w, -E2BIG);
		return;
	}
	if (object)
		w->is_object |= 1U << w->depth;
	else
		w->is_object &= ~(1U << w->depth);
	w->has_member &= ~(1U << w->depth);
	w->depth++;
	json_putc(w, object ? '{' : '[');
}

static void json_container_end(struct json_writer *w, bool object)
{
	if (w->error)
		return;
	if (!w->depth || json_in_object(w) != object || w->key_pending) {
		json_fail(w, -EINVAL);
		return;
	}
	w->depth--;
	json_putc(w, object ? '}' : ']');
	json_value_end(w);
}

void json_object_begin(struct json_writer *w)
{
	json_container_begin(w, true);
}

void json_object_end(struct json_writer *w)
{
	json_container_end(w, true);
}

void json_array_begin(struct json_writer *w)
{
	json_container_begin(w, false);
}

void json_array_end(struct json_writer *w)
{
	json_container_end(w, false);
}

/* ---- strings ---------------------------------------------------------------- */

static void json_put_u_escape(struct json_writer *w, unsigned int unit)
{
	static const char hex[] = "0123456789abcdef";
	char e[6] = { '\\', 'u', hex[(unit >> 12) & 15], hex[(unit >> 8) & 15],
		      hex[(unit >> 4) & 15], hex[unit & 15] };

	json_put(w, e, sizeof(e));
}

static void json_put_code_point(struct json_writer *w, u32 cp)
{
	if (cp >= 0x10000) {
		cp -= 0x10000;
		json_put_u_escape(w, 0xd800 + (cp >> 10));
		json_put_u_escape(w, 0xdc00 + (cp & 0x3ff));
	} else {
		json_put_u_escape(w, cp);
	}
}

/*
 * The length of the UTF-8 sequence a lead byte starts (0: it starts none),
 * and the range its second byte may take: Unicode's table of well-formed
 * byte sequences (chapter 3, table 3-7), which rules out overlong forms,
 * surrogates and code points above U+10FFFF.
 */
static unsigned int utf8_sequence_len(u8 lead, u8 *lo, u8 *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (lead >= 0xc2 && lead <= 0xdf)
		return 2;
	if (lead >= 0xe0 && lead <= 0xef) {
		if (lead == 0xe0)
			*lo = 0xa0;
		else if (lead == 0xed)
			*hi = 0x9f;
		return 3;
	}
	if (lead >= 0xf0 && lead <= 0xf4) {
		if (lead == 0xf0)
			*lo = 0x90;
		else if (lead == 0xf4)
			*hi = 0x8f;
		return 4;
	}
	return 0;
}

/*
 * Decode the sequence at s[0] (n > 0 bytes left, s[0] >= 0x80). Returns the
 * bytes it used and sets *cp: the code point of a well-formed sequence, or
 * U+FFFD for the longest prefix that could have begun one (at least a byte).
 */
static size_t utf8_decode(const u8 *s, size_t n, u32 *cp)
{
	u8 lo, hi;
	unsigned int len = utf8_sequence_len(s[0], &lo, &hi);
	size_t i;
	u32 v;

	*cp = JSON_REPLACEMENT_CHAR;
	if (!len)
		return 1;
	v = s[0] & (0x7f >> len);
	for (i = 1; i < len && i < n; i++) {
		if (s[i] < lo || s[i] > hi)
			return i;
		v = v << 6 | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	if (i == len)
		*cp = v;
	return i;
}

/* A byte below 0x80 that goes out as itself. */
static bool json_plain(u8 c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

static void json_put_escaped(struct json_writer *w, const char *str, size_t n)
{
	const u8 *s = (const u8 *)str;
	size_t i = 0;

	json_putc(w, '"');
	while (i < n) {
		size_t run = i;
		u32 cp;

		while (run < n && json_plain(s[run]))
			run++;
		json_put(w, (const char *)s + i, run - i);
		i = run;
		if (i == n)
			break;
		switch (s[i]) {
		case '"':  json_put(w, "\\\"", 2); break;
		case '\\': json_put(w, "\\\\", 2); break;
		case '\b': json_put(w, "\\b", 2); break;
		case '\f': json_put(w, "\\f", 2); break;
		case '\n': json_put(w, "\\n", 2); break;
		case '\r': json_put(w, "\\r", 2); break;
		case '\t': json_put(w, "\\t", 2); break;
		default:
			if (s[i] < 0x80) {
				json_put_u_escape(w, s[i]);	/* other controls, DEL */
				break;
			}
			i += utf8_decode(s + i, n - i, &cp);
			json_put_code_point(w, cp);
			continue;
		}
		i++;
	}
	json_putc(w, '"');
}

void json_key(struct json_writer *w, const char *key)
{
	if (w->error)
		return;
	if (!json_in_object(w) || w->key_pending) {
		json_fail(w, -EINVAL);
		return;
	}
	json_member_start(w);
	json_put_escaped(w, key, strlen(key));
	json_putc(w, ':');
	w->key_pending = true;
}

void json_string_n(struct json_writer *w, const char *s, size_t n)
{
	if (!json_value_start(w))
		return;
	json_put_escaped(w, s, n);
	json_value_end(w);
}

void json_string(struct json_writer *w, const char *s)
{
	if (!s)
		json_null(w);
	else
		json_string_n(w, s, strlen(s));
}

void json_stringf(struct json_writer *w, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	json_string_n(w, buf, min((size_t)n, sizeof(buf) - 1));
}

/* ---- numbers and literals -------------------------------------------------- */

/* The decimal digits of v, at least min_digits of them (zeros in front). */
static void json_put_decimal(struct json_writer *w, u64 v, unsigned int min_digits)
{
	char d[20];
	unsigned int i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v || sizeof(d) - i < min_digits);
	json_put(w, d + i, sizeof(d) - i);
}

void json_u64(struct json_writer *w, u64 v)
{
	if (!json_value_start(w))
		return;
	json_put_decimal(w, v, 1);
	json_value_end(w);
}

void json_s64(struct json_writer *w, s64 v)
{
	if (!json_value_start(w))
		return;
	if (v < 0)
		json_putc(w, '-');
	/* the magnitude in u64: -INT64_MIN does not fit an s64 */
	json_put_decimal(w, v < 0 ? 0 - (u64)v : (u64)v, 1);
	json_value_end(w);
}

void json_fixed(struct json_writer *w, u64 v, unsigned int digits)
{
	u64 scale = 1;

	if (digits > JSON_FIXED_DIGITS_MAX) {
		json_fail(w, -EINVAL);
		return;
	}
	if (!json_value_start(w))
		return;
	for (unsigned int i = 0; i < digits; i++)
		scale *= 10;
	json_put_decimal(w, v / scale, 1);
	if (digits) {
		json_putc(w, '.');
		json_put_decimal(w, v % scale, digits);
	}
	json_value_end(w);
}

void json_bool(struct json_writer *w, bool v)
{
	if (!json_value_start(w))
		return;
	if (v)
		json_put(w, "true", 4);
	else
		json_put(w, "false", 5);
	json_value_end(w);
}

void json_null(struct json_writer *w)
{
	if (!json_value_start(w))
		return;
	json_put(w, "null", 4);
	json_value_end(w);
}

/* ---- key and value in one call ------------------------------------------------ */

void json_field_str(struct json_writer *w, const char *key, const char *s)
{
	json_key(w, key);
	json_string(w, s);
}

void json_field_u64(struct json_writer *w, const char *key, u64 v)
{
	json_key(w, key);
	json_u64(w, v);
}

void json_field_s64(struct json_writer *w, const char *key, s64 v)
{
	json_key(w, key);
	json_s64(w, v);
}

void json_field_fixed(struct json_writer *w, const char *key, u64 v, unsigned int digits)
{
	json_key(w, key);
	json_fixed(w, v, digits);
}

void json_field_bool(struct json_writer *w, const char *key, bool v)
{
	json_key(w, key);
	json_bool(w, v);
}

/* ---- the end ------------------------------------------------------------------ */

int json_finish(struct json_writer *w)
{
	if (!w->error && (w->depth || !w->done))
		json_fail(w, -EINVAL);
	json_putc(w, '\n');
	json_flush(w);
	return w->error;
}
