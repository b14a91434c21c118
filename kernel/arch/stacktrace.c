/*
 * The frame-pointer stack walker (see stacktrace.h for the rules it keeps so
 * that it never faults on a broken stack).
 */
#include "kernel/arch/stacktrace.h"
#include "kernel/arch/gdt.h"
#include "kernel/ksyms.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/pgtable.h"
#include "kernel/arch/x86.h"
#include "lib/printf.h"
#include "lib/string.h"

/* The frame-pointer prologue GCC emits: push %rbp; mov %rsp, %rbp. */
#define INSN_PUSH_RBP		0x55
#define INSN_MOV_RBP_RSP	"\x48\x89\xe5"
#define INSN_RET		0xc3

extern const char boot_stack_bottom[], boot_stack_top[];

/*
 * Whether va is mapped in the current address space: a 4-level walk (Intel
 * SDM vol. 3A, "4-Level Paging") through the direct map, which covers the
 * page tables from boot on. Lockless, unlike vm_translate(): a fault may
 * come while the page-table lock is held.
 */
static bool stacktrace_page_mapped(u64 va)
{
	u64 table = read_cr3() & PTE_ADDR_MASK;

	for (int level = 3; level >= 0; level--) {
		const u64 *entries = phys_to_virt(table);
		u64 entry = entries[(va >> (PAGE_SHIFT + 9 * level)) & 511];

		if (!(entry & PTE_P))
			return false;
		if (level == 0 || (level < 3 && (entry & PTE_PS)))
			return true;
		table = entry & PTE_ADDR_MASK;
	}
	return false;
}

/*
 * The readable range [*lo, *hi) of the stack rsp is on; false if none. On a
 * stack we do not know, only the mapped pages of the window count: after an
 * overflow rsp itself may be in a guard page.
 */
static bool stacktrace_bounds(u64 rsp, u64 *lo, u64 *hi)
{
	u64 end;

	if (rsp >= (u64)boot_stack_bottom && rsp < (u64)boot_stack_top) {
		*lo = (u64)boot_stack_bottom;
		*hi = (u64)boot_stack_top;
	} else if (!gdt_ist_stack_find(rsp, lo, hi)) {
		/* only the kernel half, and no wrap past the top of memory */
		if (rsp < DIRECT_MAP_BASE || rsp > ~0ULL - PAGE_SIZE - STACKTRACE_WINDOW)
			return false;
		*lo = ALIGN_DOWN(rsp, PAGE_SIZE);
		end = *lo + STACKTRACE_WINDOW;
		while (*lo < end && !stacktrace_page_mapped(*lo))
			*lo += PAGE_SIZE;
		*hi = *lo;
		while (*hi < end && stacktrace_page_mapped(*hi))
			*hi += PAGE_SIZE;
		if (*lo == *hi)
			return false;
	}
	*lo = max(*lo, rsp);
	return true;
}

static void stacktrace_line(void (*out)(const char *line), u64 addr, bool is_return)
{
	char sym[KSYM_FORMAT_MAX], line[KSYM_FORMAT_MAX + 32];

	if (is_return)
		ksym_format_return(sym, sizeof(sym), addr);
	else
		ksym_format(sym, sizeof(sym), addr);
	snprintf(line, sizeof(line), "  [<%016llx>] %s\n", (unsigned long long)addr, sym);
	out(line);
}

/*
 * When rip was interrupted in a function whose frame is not on the rbp chain,
 * the return address to its caller is at the top of the stack: in a leaf
 * that GCC built without a frame (it does, even with frame pointers), at its
 * first instruction, between push %rbp and mov %rsp, %rbp (one word higher),
 * or at a ret after pop %rbp. Returns that address, or 0 when rbp already
 * points at the function's frame or the word does not look like a return
 * address into kernel text.
 */
static u64 stacktrace_frameless_return(u64 rip, u64 rsp, u64 lo, u64 hi)
{
	u64 offset, size, slot, ret;
	const u8 *fn;

	if (!ksym_lookup(rip, &offset, &size))
		return 0;
	fn = (const u8 *)(rip - offset);
	if (size < 4 || fn[0] != INSN_PUSH_RBP || offset == 0 || *(const u8 *)rip == INSN_RET)
		slot = rsp;
	else if (offset == 1)
		slot = rsp + 8;
	else if (memcmp(fn + 1, INSN_MOV_RBP_RSP, 3))
		slot = rsp;	/* a prologue we do not know: try the top of the stack */
	else
		return 0;
	if (slot < lo || slot > hi - 8)
		return 0;
	ret = *(const u64 *)slot;
	return ksym_lookup(ret - 1, NULL, NULL) ? ret : 0;
}

static void stacktrace_repeats(void (*out)(const char *line), unsigned int repeats)
{
	char line[64];

	if (!repeats)
		return;
	snprintf(line, sizeof(line), "  ... the frame above %u more time%s\n", repeats,
		 repeats == 1 ? "" : "s");
	out(line);
}

void stacktrace_print(u64 rip, u64 rbp, u64 rsp, void (*out)(const char *line))
{
	unsigned int frames = 0;
	u64 lo, hi, ret;
	bool bounded = stacktrace_bounds(rsp, &lo, &hi);

	if (rip) {
		stacktrace_line(out, rip, false);
		frames++;
		ret = bounded ? stacktrace_frameless_return(rip, rsp, lo, hi) : 0;
		if (ret) {
			stacktrace_line(out, ret, true);
			frames++;
		}
	}
	if (!bounded)
		return;
	/* a recursion (a stack overflow, say) prints its frame once, with a count */
	u64 last = 0;
	unsigned int repeats = 0, walked = 0;

	while (frames < STACKTRACE_MAX_FRAMES && walked++ < STACKTRACE_MAX_WALK) {
		const u64 *frame = (const u64 *)rbp;
		u64 ret;

		if (!IS_ALIGNED(rbp, 8) || rbp < lo || rbp > hi - 16)
			break;
		ret = frame[1];
		if (!ksym_lookup(ret - 1, NULL, NULL))
			break;
		if (ret == last) {
			repeats++;
		} else {
			stacktrace_repeats(out, repeats);
			repeats = 0;
			stacktrace_line(out, ret, true);
			frames++;
			last = ret;
		}
		if (frame[0] <= rbp)	/* frames only go up the stack */
			break;
		rbp = frame[0];
	}
	stacktrace_repeats(out, repeats);
}
