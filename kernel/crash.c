/*
 * `crash <kind>`: make the kernel fail on purpose, to see (and to test) the
 * exception and panic reports. Most kinds stop the machine; `breakpoint` and
 * `warn` return to the prompt.
 *
 * `stack-overflow` recurses until the stack runs out. On a stack with a
 * guard page below it that is a page fault which cannot be delivered on the
 * same stack, hence a double fault on its IST stack. The boot stack has no
 * guard page (it sits right above the boot page tables), so there the
 * recursion silently overwrites them: run it only on a guarded stack.
 * `double-fault` gets there on any stack: it points rsp at unmapped memory
 * and faults, so the CPU cannot deliver the first exception.
 */
#include "kernel/console.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/shell.h"
#include "lib/string.h"

/* Mapped by nobody: the boot tables map the first GiB only, at 3 places. */
#define CRASH_UNMAPPED_ADDR	0xFFFF900000000000ULL
/* Not canonical: any access is a #GP, not a #PF. */
#define CRASH_NONCANONICAL_ADDR	0x8000000000000000ULL

static void crash_divide(void)
{
	__asm__ volatile("xor %%ecx, %%ecx\n\tdiv %%ecx" : : : "rax", "rcx", "rdx");
}

static void crash_invalid_opcode(void)
{
	__asm__ volatile("ud2");
}

static void crash_gp(void)
{
	u64 v;

	__asm__ volatile("mov (%1), %0" : "=r"(v) : "r"(CRASH_NONCANONICAL_ADDR) : "memory");
}

static void crash_pagefault(void)
{
	*(volatile u64 *)CRASH_UNMAPPED_ADDR = 1;
}

static void crash_double_fault(void)
{
	__asm__ volatile("mov %0, %%rsp\n\tud2" : : "r"(CRASH_UNMAPPED_ADDR + PAGE_SIZE) : "memory");
}

static void crash_breakpoint(void)
{
	__asm__ volatile("int3" ::: "memory");
	puts("returned from the breakpoint\n");
}

static void crash_panic(void)
{
	panic("crash command");
}

static void crash_warn(void)
{
	bool asked = true;

	if (WARN_ON(asked))
		puts("returned from the warning\n");
}

/*
 * Each level keeps a frame with live data and uses the callee's result, so
 * the compiler can turn it neither into a loop nor into a tail call. Ctrl-C
 * is the way out if the stack is larger than patience.
 */
static __attribute__((noinline)) u64 crash_recurse(u64 depth)
{
	volatile u8 pad[128];

	pad[0] = (u8)depth;
	if (console_interrupted())
		return depth;
	return crash_recurse(depth + 1) + pad[0];
}

static void crash_stack_overflow(void)
{
	crash_recurse(0);
}

static const struct {
	const char *name;
	void (*run)(void);
} crash_kinds[] = {
	{ "divide", crash_divide },
	{ "invalid-opcode", crash_invalid_opcode },
	{ "gp", crash_gp },
	{ "pagefault", crash_pagefault },
	{ "breakpoint", crash_breakpoint },
	{ "panic", crash_panic },
	{ "warn", crash_warn },
	{ "stack-overflow", crash_stack_overflow },
	{ "double-fault", crash_double_fault },
};

static int cmd_crash(int argc, char **argv)
{
	char kinds[128] = "";

	if (argc != 2)
		return shell_usage_error(argv[0]);
	for (size_t i = 0; i < ARRAY_SIZE(crash_kinds); i++) {
		if (!strcmp(argv[1], crash_kinds[i].name)) {
			crash_kinds[i].run();
			return 0;
		}
		if (i)
			strlcat(kinds, ", ", sizeof(kinds));
		strlcat(kinds, crash_kinds[i].name, sizeof(kinds));
	}
	return shell_error("unknown kind '%s' (%s)", argv[1], kinds);
}
SHELL_COMMAND(crash, cmd_crash,
	      "crash divide|invalid-opcode|gp|pagefault|double-fault|stack-overflow|breakpoint|panic|warn",
	      "fault on purpose to test the exception reports (most kinds halt)");
