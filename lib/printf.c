/*
 * The formatting engine behind printk and snprintf. A conversion is first
 * parsed into a struct fmt_spec, then its argument is fetched according to
 * the length modifier and emitted as an integer or a string with padding.
 * Everything is produced one character at a time through a callback so that
 * the console path needs no intermediate buffer.
 */
#include "lib/printf.h"
#include "lib/ctype.h"
#include "lib/string.h"

#define FLAG_LEFT	(1u << 0)	/* '-': pad on the right */
#define FLAG_ZERO	(1u << 1)	/* '0': pad numbers with zeros */
#define FLAG_PLUS	(1u << 2)	/* '+': always print a sign */
#define FLAG_SPACE	(1u << 3)	/* ' ': space where a '+' would go */
#define FLAG_ALT	(1u << 4)	/* '#': 0x/0b prefix, leading 0 for octal */

enum fmt_length {
	LEN_INT,
	LEN_CHAR,	/* hh */
	LEN_SHORT,	/* h */
	LEN_LONG,	/* l */
	LEN_LLONG,	/* ll */
	LEN_SIZE,	/* z */
	LEN_PTRDIFF,	/* t */
	LEN_INTMAX,	/* j */
};

struct fmt_spec {
	unsigned int flags;
	int width;
	int precision;		/* -1 when not given */
	enum fmt_length length;
	char conversion;
};

struct fmt_out {
	void (*out)(char c, void *arg);
	void *arg;
	int count;
};

static void emit(struct fmt_out *o, char c)
{
	o->out(c, o->arg);
	o->count++;
}

static void emit_repeat(struct fmt_out *o, char c, int n)
{
	for (; n > 0; n--)
		emit(o, c);
}

static void emit_padded(struct fmt_out *o, const struct fmt_spec *spec,
			const char *s, size_t len)
{
	int pad = spec->width > (int)len ? spec->width - (int)len : 0;

	if (!(spec->flags & FLAG_LEFT))
		emit_repeat(o, ' ', pad);
	while (len--)
		emit(o, *s++);
	if (spec->flags & FLAG_LEFT)
		emit_repeat(o, ' ', pad);
}

/*
 * Layout: [spaces] prefix [zeros] digits [spaces]. The prefix is the sign or
 * the "0x"/"0b" chosen by the caller; precision sets the minimum number of
 * digits, and the '0' flag widens the zeros only when no precision is given.
 */
static void emit_integer(struct fmt_out *o, const struct fmt_spec *spec,
			 u64 value, unsigned int base, const char *prefix)
{
	const char *set = spec->conversion == 'X' ? "0123456789ABCDEF" :
						     "0123456789abcdef";
	char digits[64];	/* enough for a u64 in binary */
	int ndigits = 0, zeros, pad;
	int nprefix = strlen(prefix);

	for (; value; value /= base)
		digits[ndigits++] = set[value % base];

	zeros = spec->precision < 0 ? 1 : spec->precision;
	zeros = zeros > ndigits ? zeros - ndigits : 0;
	/* "%#o" guarantees a leading zero; digits never start with one. */
	if (base == 8 && (spec->flags & FLAG_ALT) && !zeros)
		zeros = 1;

	pad = spec->width - (nprefix + zeros + ndigits);
	if (pad < 0)
		pad = 0;
	if ((spec->flags & (FLAG_ZERO | FLAG_LEFT)) == FLAG_ZERO &&
	    spec->precision < 0) {
		zeros += pad;
		pad = 0;
	}

	if (!(spec->flags & FLAG_LEFT))
		emit_repeat(o, ' ', pad);
	while (*prefix)
		emit(o, *prefix++);
	emit_repeat(o, '0', zeros);
	while (ndigits)
		emit(o, digits[--ndigits]);
	if (spec->flags & FLAG_LEFT)
		emit_repeat(o, ' ', pad);
}

static s64 fetch_signed(const struct fmt_spec *spec, va_list *ap)
{
	switch (spec->length) {
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
	case LEN_PTRDIFF:
		return va_arg(*ap, ptrdiff_t);
	case LEN_INTMAX:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static u64 fetch_unsigned(const struct fmt_spec *spec, va_list *ap)
{
	switch (spec->length) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
	case LEN_PTRDIFF:
		return va_arg(*ap, size_t);
	case LEN_INTMAX:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Saturates instead of overflowing on absurd widths like "%99999999999d". */
static int parse_decimal(const char **fmt)
{
	int n = 0;

	for (; isdigit(**fmt); (*fmt)++) {
		if (n <= (INT32_MAX - 9) / 10)
			n = n * 10 + (**fmt - '0');
	}
	return n;
}

/* Parses what follows a '%' up to and including the conversion character. */
static const char *parse_spec(const char *fmt, struct fmt_spec *spec,
			      va_list *ap)
{
	spec->flags = 0;
	for (;; fmt++) {
		if (*fmt == '-')
			spec->flags |= FLAG_LEFT;
		else if (*fmt == '0')
			spec->flags |= FLAG_ZERO;
		else if (*fmt == '+')
			spec->flags |= FLAG_PLUS;
		else if (*fmt == ' ')
			spec->flags |= FLAG_SPACE;
		else if (*fmt == '#')
			spec->flags |= FLAG_ALT;
		else
			break;
	}

	if (*fmt == '*') {
		int width = va_arg(*ap, int);

		fmt++;
		/* A negative width argument means '-' and its magnitude. */
		if (width < 0) {
			spec->flags |= FLAG_LEFT;
			width = width < -INT32_MAX ? INT32_MAX : -width;
		}
		spec->width = width;
	} else {
		spec->width = parse_decimal(&fmt);
	}

	spec->precision = -1;
	if (*fmt == '.') {
		fmt++;
		if (*fmt == '*') {
			int precision = va_arg(*ap, int);

			fmt++;
			/* A negative precision argument counts as none. */
			spec->precision = precision < 0 ? -1 : precision;
		} else {
			spec->precision = parse_decimal(&fmt);
		}
	}

	spec->length = LEN_INT;
	switch (*fmt) {
	case 'h':
		fmt++;
		spec->length = LEN_SHORT;
		if (*fmt == 'h') {
			fmt++;
			spec->length = LEN_CHAR;
		}
		break;
	case 'l':
		fmt++;
		spec->length = LEN_LONG;
		if (*fmt == 'l') {
			fmt++;
			spec->length = LEN_LLONG;
		}
		break;
	case 'z':
		fmt++;
		spec->length = LEN_SIZE;
		break;
	case 't':
		fmt++;
		spec->length = LEN_PTRDIFF;
		break;
	case 'j':
		fmt++;
		spec->length = LEN_INTMAX;
		break;
	}

	spec->conversion = *fmt;
	return *fmt ? fmt + 1 : fmt;
}

static void format_signed(struct fmt_out *o, const struct fmt_spec *spec,
			  va_list *ap)
{
	s64 value = fetch_signed(spec, ap);
	const char *sign = "";

	if (value < 0)
		sign = "-";
	else if (spec->flags & FLAG_PLUS)
		sign = "+";
	else if (spec->flags & FLAG_SPACE)
		sign = " ";
	/* Negate in u64 so that INT64_MIN does not overflow. */
	emit_integer(o, spec, value < 0 ? -(u64)value : (u64)value, 10, sign);
}

static void format_unsigned(struct fmt_out *o, const struct fmt_spec *spec,
			    va_list *ap)
{
	u64 value = fetch_unsigned(spec, ap);
	bool alt = (spec->flags & FLAG_ALT) && value;

	switch (spec->conversion) {
	case 'x':
		emit_integer(o, spec, value, 16, alt ? "0x" : "");
		break;
	case 'X':
		emit_integer(o, spec, value, 16, alt ? "0X" : "");
		break;
	case 'b':
		emit_integer(o, spec, value, 2, alt ? "0b" : "");
		break;
	case 'o':
		emit_integer(o, spec, value, 8, "");
		break;
	default:
		emit_integer(o, spec, value, 10, "");
		break;
	}
}

static void format_pointer(struct fmt_out *o, const struct fmt_spec *spec,
			   va_list *ap)
{
	struct fmt_spec fixed = *spec;

	fixed.precision = 16;
	emit_integer(o, &fixed, (uintptr_t)va_arg(*ap, void *), 16, "0x");
}

static void format_string(struct fmt_out *o, const struct fmt_spec *spec,
			  va_list *ap)
{
	const char *s = va_arg(*ap, const char *);
	size_t max = spec->precision < 0 ? SIZE_MAX : (size_t)spec->precision;

	if (!s)
		s = "(null)";
	emit_padded(o, spec, s, strnlen(s, max));
}

static void format_char(struct fmt_out *o, const struct fmt_spec *spec,
			va_list *ap)
{
	char c = (char)va_arg(*ap, int);

	emit_padded(o, spec, &c, 1);
}

int vcbprintf(void (*out)(char c, void *arg), void *arg, const char *fmt,
	      va_list ap)
{
	struct fmt_out o = { .out = out, .arg = arg, .count = 0 };
	struct fmt_spec spec;
	const char *start;
	va_list args;

	/* A copy we can hand to helpers by pointer (va_list may be an array). */
	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			emit(&o, *fmt++);
			continue;
		}
		start = fmt;
		fmt = parse_spec(fmt + 1, &spec, &args);
		switch (spec.conversion) {
		case 'd':
		case 'i':
			format_signed(&o, &spec, &args);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
		case 'b':
			format_unsigned(&o, &spec, &args);
			break;
		case 'p':
			format_pointer(&o, &spec, &args);
			break;
		case 's':
			format_string(&o, &spec, &args);
			break;
		case 'c':
			format_char(&o, &spec, &args);
			break;
		case '%':
			emit(&o, '%');
			break;
		default:
			/* Show the broken conversion rather than hide it. */
			while (start < fmt)
				emit(&o, *start++);
			break;
		}
	}
	va_end(args);
	return o.count;
}

struct fmt_buffer {
	char *buf;
	size_t size;
	size_t len;		/* characters produced, stored or not */
};

static void buffer_out(char c, void *arg)
{
	struct fmt_buffer *b = arg;

	/* Keep the last byte for the terminating NUL. */
	if (b->len + 1 < b->size)
		b->buf[b->len] = c;
	b->len++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_buffer b = { .buf = buf, .size = size, .len = 0 };
	int count = vcbprintf(buffer_out, &b, fmt, ap);

	if (size)
		buf[min(b.len, size - 1)] = '\0';
	return count;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int count;

	va_start(ap, fmt);
	count = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return count;
}
