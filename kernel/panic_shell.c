/*
 * `crash <kind>`: make the kernel fail on purpose, to see (and to test) the
 * exception and panic reports. Most kinds stop the machine; `breakpoint` and
 * `warn` return to the prompt.
 *
 * `stack-overflow` recurses until the stack runs out. On a stack with a
 * guard page below it that is a page fault which cannot be delivered on the
 * same stack, hence a double fault on its IST stack. Every stack has such a
 * guard page once the kernel's page tables are in, the boot stack and the
 * boot CPU's IST stacks included (kmain unmaps the page below them).
 * `double-fault` gets there on any stack: it points rsp at unmapped memory
 * and faults, so the CPU cannot deliver the first exception.
 *
 * The protection kinds prove that a protection is on: `write-to-text`
 * writes to kernel code through the direct map (its alias of the kernel
 * image is read-only), `execute-data` calls into a writable data page
 * (no-execute), `stack-smash` writes past a stack array over the canary
 * (the stack protector names the function when it returns).
 *
 * The debug kinds need `make DEBUG=1` and return to the prompt after the
 * report: `ubsan` (a signed overflow), `slab-overflow` (a write past an
 * object, found in its red zone when it is freed), `use-after-free` (a
 * write to a freed object, found in its poison when it is allocated again).
 * Other builds refuse them: there they would corrupt memory silently.
 */
#include "kernel/console/console.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/slab.h"
#include "kernel/panic.h"
#include "kernel/shell/shell.h"
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

static void crash_write_to_text(void)
{
	volatile u8 *alias = phys_to_virt(virt_to_phys(crash_divide));

	*alias = 0xcc;
	puts("wrote to kernel text: it is writable\n");
}

/* a `ret`, in writable data: calling it must fault on the fetch */
static u8 crash_data_code[16] __aligned(16) = { 0xc3 };

static void crash_execute_data(void)
{
	void (*fn)(void) = (void (*)(void))(uintptr_t)crash_data_code;

	fn();
	puts("executed data: it is executable\n");
}

/* how far past buf to write: more than the array, less than the frame above */
static volatile size_t crash_smash_len = 48;

static __attribute__((noinline)) void crash_stack_smash_victim(void)
{
	char buf[16];
	volatile char *p = buf;

	for (size_t i = 0; i < crash_smash_len; i++)
		p[i] = 'A';
	__asm__ volatile("" : : "r"(buf) : "memory");
}

static void crash_stack_smash(void)
{
	crash_stack_smash_victim();
	puts("returned over a smashed canary\n");
}

#ifdef CONFIG_DEBUG
static volatile int crash_big = 0x7fffffff, crash_one = 1;

static void crash_ubsan(void)
{
	int sum = crash_big + crash_one;	/* signed overflow: UBSan reports it */

	printf("returned from the overflow (%d)\n", sum);
}

/* a cache of its own, so the damage stays in objects nobody else uses */
static void crash_slab(bool after_free)
{
	struct kmem_cache *c = kmem_cache_create("crash-test", 24, 8);
	volatile u8 *obj;

	if (!c)
		return;
	obj = kmem_cache_alloc(c);
	if (!obj)
		goto destroy;
	if (after_free) {
		kmem_cache_free(c, (void *)obj);
		obj[20] = 0x42;			/* written while free */
		obj = kmem_cache_alloc(c);	/* the same object: its poison is checked */
	} else {
		obj[24] = 0x42;			/* one past the end: the red zone */
	}
	kmem_cache_free(c, (void *)obj);
	puts("returned from the slab error\n");
destroy:
	kmem_cache_destroy(c);
}

static void crash_slab_overflow(void)
{
	crash_slab(false);
}

static void crash_use_after_free(void)
{
	crash_slab(true);
}
#endif

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
	{ "write-to-text", crash_write_to_text },
	{ "execute-data", crash_execute_data },
	{ "stack-smash", crash_stack_smash },
#ifdef CONFIG_DEBUG
	{ "ubsan", crash_ubsan },
	{ "slab-overflow", crash_slab_overflow },
	{ "use-after-free", crash_use_after_free },
#endif
};

static int cmd_crash(int argc, char **argv)
{
	char kinds[256] = "";

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
#ifndef CONFIG_DEBUG
	if (!strcmp(argv[1], "ubsan") || !strcmp(argv[1], "slab-overflow") ||
	    !strcmp(argv[1], "use-after-free"))
		return shell_error("crash %s needs the debug kernel (make DEBUG=1)", argv[1]);
#endif
	return shell_error("unknown kind '%s' (%s)", argv[1], kinds);
}
SHELL_COMMAND(crash, cmd_crash,
	      "crash divide|invalid-opcode|gp|pagefault|double-fault|stack-overflow|write-to-text|execute-data|stack-smash|breakpoint|panic|warn|ubsan|slab-overflow|use-after-free",
	      "fault on purpose to test the exception reports (most kinds halt)");
