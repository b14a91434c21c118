/*
 * CPU list parsing and formatting: comma-separated CPU numbers and inclusive
 * ranges, in Linux's cpulist syntax.
 */
#include "lib/cpulist.h"
#include "lib/bitmap.h"
#include "lib/ctype.h"
#include "lib/errno.h"
#include "lib/printf.h"

static int cpulist_number(const char **sp, size_t *out)
{
	const char *s = *sp;
	size_t v = 0;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (size_t)(*s++ - '0');
		if (v > 1000000)
			return -ERANGE;
	}
	*sp = s;
	*out = v;
	return 0;
}

int cpulist_parse(const char *s, unsigned long *map, size_t nbits)
{
	bitmap_zero(map, nbits);
	if (!*s)
		return -EINVAL;
	for (;;) {
		size_t first, last;
		int err = cpulist_number(&s, &first);

		if (err)
			return err;
		last = first;
		if (*s == '-') {
			s++;
			err = cpulist_number(&s, &last);
			if (err)
				return err;
			if (last < first)
				return -EINVAL;
		}
		if (last >= nbits)
			return -ERANGE;
		bitmap_set(map, first, last - first + 1);
		if (!*s)
			return 0;
		if (*s++ != ',')
			return -EINVAL;
	}
}

int cpulist_format(char *buf, size_t len, const unsigned long *map, size_t nbits)
{
	size_t n = 0, cpu = find_first_bit(map, nbits);

	if (len)
		buf[0] = 0;
	while (cpu < nbits) {
		size_t end = find_next_zero_bit(map, nbits, cpu) - 1;
		char *at = n < len ? buf + n : NULL;
		size_t room = n < len ? len - n : 0;

		if (end == cpu)
			n += snprintf(at, room, "%s%zu", n ? "," : "", cpu);
		else
			n += snprintf(at, room, "%s%zu-%zu", n ? "," : "", cpu, end);
		cpu = find_next_bit(map, nbits, end + 1);
	}
	return (int)n;
}
