/*
 * panic() and WARN_ON reports (see panic.h). A panic writes straight to the
 * console, bypassing printk's log and the console lock: the log lock or the
 * console lock may be held by whoever broke, and the report matters more
 * than the log once the machine stops.
 */
#include "kernel/panic.h"
#include "kernel/console/console.h"
#include "kernel/ksyms.h"
#include "kernel/console/printk.h"
#include "kernel/arch/smp.h"
#include "kernel/arch/stacktrace.h"
#include "kernel/arch/x86.h"

static int panic_claimed;

bool panic_in_progress(void)
{
	return __atomic_load_n(&panic_claimed, __ATOMIC_ACQUIRE);
}

bool panic_begin(void)
{
	irq_disable();
	if (__atomic_exchange_n(&panic_claimed, 1, __ATOMIC_ACQ_REL))
		return false;
	console_panic_mode();
	smp_stop_other_cpus();
	return true;
}

void panic_cpu_stop(void)
{
	for (;;) {
		irq_disable();
		halt();
	}
}

void panic_end(void)
{
	puts("halting\n");
	panic_cpu_stop();
}

static u64 current_rsp(void)
{
	u64 rsp;

	__asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
	return rsp;
}

void panic(const char *fmt, ...)
{
	char where[KSYM_FORMAT_MAX];
	va_list ap;

	if (!panic_begin())
		panic_cpu_stop();
	puts("PANIC: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	ksym_format_return(where, sizeof(where), (u64)__builtin_return_address(0));
	printf("\n  called from %s\nCall trace:\n", where);
	/* from our own frame: the first return address is the caller's */
	stacktrace_print(0, (u64)__builtin_frame_address(0), current_rsp(), puts);
	panic_end();
}

static void warn_line(const char *line)
{
	pr_warn("%s", line);
}

__attribute__((noinline)) void panic_warn(const char *file, int line, const char *cond)
{
	pr_warn("WARNING: %s:%d %s\n", file, line, cond);
	stacktrace_print(0, (u64)__builtin_frame_address(0), current_rsp(), warn_line);
}
