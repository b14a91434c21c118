/*
 * printk: format a message, stamp it "[seconds.micros] ", append it to the log
 * ring and, if its level passes console_loglevel, write it to the console.
 * The ring keeps whole bytes of formatted text; when it wraps, the oldest text
 * is overwritten and dmesg starts at the next whole line.
 */
#include "kernel/console/printk.h"
#include "kernel/console/console.h"
#include "kernel/cmdline.h"
#include "kernel/sched/spinlock.h"
#include "kernel/time/time.h"
#include "lib/printf.h"
#include "lib/parse.h"
#include "lib/errno.h"

#define LOG_RING_SIZE (64 * 1024)	/* a power of two */

int console_loglevel = LOG_INFO;

static spinlock_t log_lock = SPINLOCK_INIT;
static char log_ring[LOG_RING_SIZE];
static u64 log_head;	/* bytes ever written; protected by log_lock */

static int loglevel_option(const char *value)
{
	u32 level;

	if (parse_u32(value, &level) || level > LOG_DEBUG)
		return -EINVAL;
	console_loglevel = (int)level;
	return 0;
}
CMDLINE_OPTION("loglevel", loglevel_option, "console log level, 0 (emergencies only) to 7 (debug)");

static void log_append(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log_ring[(log_head + i) % LOG_RING_SIZE] = s[i];
	log_head += n;
}

static void (*printk_after_hook)(void);	/* atomic */

void vprintk(int level, const char *fmt, va_list ap)
{
	char buf[512];
	unsigned long flags;
	u64 ns = time_ns();
	int n;

	n = snprintf(buf, sizeof(buf), "[%5llu.%06llu] ", (unsigned long long)(ns / 1000000000),
		     (unsigned long long)(ns / 1000 % 1000000));
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	if (n > (int)sizeof(buf) - 2)	/* truncated: keep room for the newline */
		n = sizeof(buf) - 2;
	if (buf[n - 1] != '\n')
		buf[n++] = '\n';

	flags = spin_lock_irqsave(&log_lock);
	log_append(buf, n);
	spin_unlock_irqrestore(&log_lock, flags);
	if (level <= console_loglevel) {
		void (*hook)(void) = __atomic_load_n(&printk_after_hook, __ATOMIC_ACQUIRE);

		console_write(buf, n);
		if (hook)
			hook();
	}
}

void printk_set_after_hook(void (*fn)(void))
{
	__atomic_store_n(&printk_after_hook, fn, __ATOMIC_RELEASE);
}

void printk(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

static void printk_dump_plain(void *arg, const char *s, size_t n)
{
	void (*out)(const char *s, size_t n) = arg;

	out(s, n);
}

void printk_dump(void (*out)(const char *s, size_t n))
{
	printk_dump_to(printk_dump_plain, (void *)out);
}

void printk_dump_to(void (*out)(void *arg, const char *s, size_t n), void *arg)
{
	static char copy[LOG_RING_SIZE];
	unsigned long flags;
	u64 start, end, len;
	size_t skip = 0;

	/* copy under the lock, print without it: printing is slow */
	flags = spin_lock_irqsave(&log_lock);
	end = log_head;
	start = end > LOG_RING_SIZE ? end - LOG_RING_SIZE : 0;
	len = end - start;
	for (u64 i = 0; i < len; i++)
		copy[i] = log_ring[(start + i) % LOG_RING_SIZE];
	spin_unlock_irqrestore(&log_lock, flags);

	if (start > 0)	/* the ring wrapped: drop the partial first line */
		while (skip < len && copy[skip++] != '\n')
			;
	out(arg, copy + skip, len - skip);
}
