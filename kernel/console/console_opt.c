/*
 * Parsing `console=` values (kernel/console/console_opt.h). Linux's syntax:
 * the device name, then for a serial port an optional comma and
 * <baud><parity><bits>, each part optional from the right ("ttyS0,9600",
 * "ttyS0,9600e7"). Flow control ('r') is accepted and ignored: the UART
 * driver does none.
 */
#include "kernel/console/console_opt.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define CONSOLE_MAX_SERIAL	64
#define CONSOLE_MAX_VT		63

/* A decimal number of at most 9 digits at *s; advances *s past it. */
static int console_opt_number(const char **s, u32 *out)
{
	u32 v = 0;
	int digits = 0;

	while (**s >= '0' && **s <= '9') {
		if (++digits > 9)
			return -EINVAL;
		v = v * 10 + (u32)(**s - '0');
		(*s)++;
	}
	if (!digits)
		return -EINVAL;
	*out = v;
	return 0;
}

static int console_opt_serial(const char *s, struct console_opt *opt)
{
	u32 v;

	if (console_opt_number(&s, &v) || v >= CONSOLE_MAX_SERIAL)
		return -EINVAL;
	opt->index = v;
	if (!*s)
		return 0;
	if (*s++ != ',')
		return -EINVAL;
	if (!*s)
		return 0;
	/* the divisor must come out whole, as the UART has no other clock */
	if (console_opt_number(&s, &v) || v == 0 || v > 115200 || 115200 % v)
		return -EINVAL;
	opt->baud = v;
	if (!*s)
		return 0;
	if (*s != 'n' && *s != 'o' && *s != 'e')
		return -EINVAL;
	opt->parity = *s++;
	if (!*s)
		return 0;
	if (*s < '5' || *s > '8')
		return -EINVAL;
	opt->bits = (u8)(*s++ - '0');
	if (*s == 'r')
		s++;
	return *s ? -EINVAL : 0;
}

int console_opt_parse(const char *value, struct console_opt *opt)
{
	u32 v;

	*opt = (struct console_opt){ .parity = 'n', .bits = 8 };
	if (!strncmp(value, "ttyS", 4)) {
		opt->kind = CONSOLE_SERIAL;
		return console_opt_serial(value + 4, opt);
	}
	if (!strncmp(value, "tty", 3)) {
		const char *s = value + 3;

		opt->kind = CONSOLE_SCREEN;
		if (!*s)
			return 0;
		if (console_opt_number(&s, &v) || *s || v > CONSOLE_MAX_VT)
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

void console_opt_name(const struct console_opt *opt, char *buf, size_t len)
{
	if (opt->kind == CONSOLE_SCREEN)
		snprintf(buf, len, "tty0");
	else
		snprintf(buf, len, "ttyS%u", opt->index);
}
