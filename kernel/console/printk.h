/*
 * The kernel log. printk() stamps each message with its level and the
 * monotonic time since boot, keeps it in a ring buffer (read back by `dmesg`)
 * and prints it on the console when its level is at or below the console log
 * level (`loglevel=` on the kernel command line, default 6: info).
 */
#ifndef KERNEL_CONSOLE_PRINTK_H
#define KERNEL_CONSOLE_PRINTK_H

#include "lib/types.h"

enum log_level {
	LOG_EMERG, LOG_ALERT, LOG_CRIT, LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG,
};

void printk(int level, const char *fmt, ...) __printf(2, 3);
void vprintk(int level, const char *fmt, va_list ap);
/*
 * Called after each message that went to the consoles: the shell redraws
 * its prompt and the line being typed when a message (a probe ending in the
 * background) printed over them. One hook; NULL removes it.
 */
void printk_set_after_hook(void (*fn)(void));

#define pr_emerg(...)	printk(LOG_EMERG, __VA_ARGS__)
#define pr_err(...)	printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)	printk(LOG_WARNING, __VA_ARGS__)
#define pr_notice(...)	printk(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...)	printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...)	printk(LOG_DEBUG, __VA_ARGS__)

extern int console_loglevel;

/* Write the whole log (oldest first) through out(). */
void printk_dump(void (*out)(const char *s, size_t n));
/* The same with an argument for out (a console's replay of the boot log). */
void printk_dump_to(void (*out)(void *arg, const char *s, size_t n), void *arg);

#endif
