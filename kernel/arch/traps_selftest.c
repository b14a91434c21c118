/*
 * The `traps` self tests: IDT handlers and unhandled vectors
 * (kernel/arch/idt.c), an int3 that returns (traps.c), symbol lookup and a
 * frame-pointer walk (stacktrace.c, kernel/ksyms.c), and WARN_ON
 * (kernel/panic.c).
 */
#include "kernel/arch/idt.h"
#include "kernel/arch/stacktrace.h"
#include "kernel/arch/traps.h"
#include "kernel/arch/gdt.h"
#include "kernel/ksyms.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/paging.h"
#include "kernel/panic.h"
#include "kernel/selftest/selftest.h"
#include "lib/errno.h"
#include "lib/string.h"

extern const char boot_stack_bottom[];	/* boot/entry.S */

/* --- the IDT --- */

/* A vector nothing else uses while the tests run (interrupts are off). */
#define TEST_VECTOR 0xF7

static void test_handler_count(struct trap_frame *tf, void *arg)
{
	u64 *count = arg;

	if (tf->vector == TEST_VECTOR)
		(*count)++;
}

static void test_idt_handler(struct selftest *t)
{
	u64 count = 0;

	ST_EXPECT_EQ(t, idt_set_handler(14, test_handler_count, &count), -EINVAL);
	ST_ASSERT_EQ(t, idt_set_handler(TEST_VECTOR, test_handler_count, &count), 0);
	ST_EXPECT_EQ(t, idt_set_handler(TEST_VECTOR, test_handler_count, &count), -EBUSY);
	__asm__ volatile("int %0" : : "i"(TEST_VECTOR) : "memory");
	__asm__ volatile("int %0" : : "i"(TEST_VECTOR) : "memory");
	idt_clear_handler(TEST_VECTOR);
	ST_EXPECT_EQ(t, count, 2);
}
SELFTEST(traps, idt_handler, test_idt_handler);

static void test_idt_unhandled(struct selftest *t)
{
	u64 before = idt_unhandled_count(TEST_VECTOR);

	__asm__ volatile("int %0" : : "i"(TEST_VECTOR) : "memory");
	ST_EXPECT_EQ(t, idt_unhandled_count(TEST_VECTOR), before + 1);
}
SELFTEST(traps, idt_unhandled, test_idt_unhandled);

/* --- exceptions --- */

static void test_breakpoint_returns(struct selftest *t)
{
	u64 before = trap_exception_count(TRAP_BREAKPOINT);
	volatile int after_int3 = 0;

	__asm__ volatile("int3" ::: "memory");
	after_int3 = 1;
	ST_EXPECT_EQ(t, after_int3, 1);
	ST_EXPECT_EQ(t, trap_exception_count(TRAP_BREAKPOINT), before + 1);
}
SELFTEST(traps, breakpoint_returns, test_breakpoint_returns);

/* --- symbols and stack traces --- */

static void test_ksym_lookup(struct selftest *t)
{
	u64 addr = (u64)ksym_lookup, offset, size;
	const char *name = ksym_lookup(addr + 1, &offset, &size);
	char buf[KSYM_FORMAT_MAX];

	ST_ASSERT(t, name != NULL);
	ST_EXPECT(t, !strcmp(name, "ksym_lookup"));
	ST_EXPECT_EQ(t, offset, 1);
	ST_EXPECT(t, size > 1);
	ST_EXPECT(t, ksym_lookup((u64)boot_stack_bottom, NULL, NULL) == NULL);
	ksym_format(buf, sizeof(buf), addr);
	ST_EXPECT(t, !strncmp(buf, "ksym_lookup+0x0/0x", 18));
	ksym_format(buf, sizeof(buf), 0x1234);
	ST_EXPECT(t, !strcmp(buf, "0x1234"));
}
SELFTEST(traps, ksym_lookup, test_ksym_lookup);

static char trace_first[KSYM_FORMAT_MAX + 32];
static unsigned int trace_lines;

static void test_trace_out(const char *line)
{
	if (!trace_lines++)
		strlcpy(trace_first, line, sizeof(trace_first));
}

/* noinline: the trace's first return address must be in the test itself */
static __attribute__((noinline)) void test_trace_here(void)
{
	u64 rsp;

	__asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
	stacktrace_print(0, (u64)__builtin_frame_address(0), rsp, test_trace_out);
}

static void test_stacktrace_walk(struct selftest *t)
{
	trace_lines = 0;
	test_trace_here();
	ST_EXPECT(t, trace_lines >= 3);	/* the test, the runner, the shell... */
	ST_EXPECT(t, trace_lines <= STACKTRACE_MAX_FRAMES);
	ST_EXPECT(t, strstr(trace_first, "] test_stacktrace_walk+0x") != NULL);
}
SELFTEST(traps, stacktrace_walk, test_stacktrace_walk);

/* --- WARN_ON --- */

static void test_warn_on(struct selftest *t)
{
	int calls = 0;

	ST_EXPECT_EQ(t, WARN_ON(calls++ == 1), false);
	ST_EXPECT_EQ(t, WARN_ON(calls++ == 1), true);	/* prints a warning */
	ST_EXPECT_EQ(t, calls, 2);	/* the condition is evaluated once */
}
SELFTEST(traps, warn_on, test_warn_on);

/* The boot stack and the boot CPU's IST stacks have an unmapped page below them. */
static void test_boot_stack_guards(struct selftest *t)
{
	extern char boot_stack_guard[];	/* boot/entry.S */
	u64 pa;

	ST_EXPECT_EQ(t, vm_translate((u64)boot_stack_guard, &pa), -ENOENT);
	ST_EXPECT_EQ(t, vm_translate((u64)boot_stack_guard + PAGE_SIZE, &pa), 0);
	for (int i = 0; i < IST_COUNT; i++) {
		u8 *guard = gdt_boot_ist_guard(i);

		ST_ASSERT(t, guard != NULL);
		ST_EXPECT_EQ(t, vm_translate((u64)guard, &pa), -ENOENT);
		ST_EXPECT_EQ(t, vm_translate((u64)guard + PAGE_SIZE, &pa), 0);
	}
}
SELFTEST(traps, boot_stack_guards, test_boot_stack_guards);
