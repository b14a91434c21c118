/*
 * Exception handling (see traps.h). The report of a fatal exception goes
 * straight to the console in panic mode, like panic(): it must come out even
 * if the fault hit while a lock of printk or the console was held. The
 * CR2 value is read first, before anything else can take a page fault.
 */
#include "kernel/arch/traps.h"
#include "kernel/arch/percpu.h"
#include "kernel/console/console.h"
#include "kernel/ksyms.h"
#include "kernel/panic.h"
#include "kernel/console/printk.h"
#include "kernel/arch/stacktrace.h"
#include "kernel/arch/x86.h"
#include "lib/printf.h"

struct exception_info {
	const char *name;
	const char *mnemonic;
};

static const struct exception_info exceptions[TRAP_EXCEPTIONS] = {
	[TRAP_DIVIDE_ERROR]		= { "divide error", "#DE" },
	[TRAP_DEBUG]			= { "debug", "#DB" },
	[TRAP_NMI]			= { "non-maskable interrupt", "NMI" },
	[TRAP_BREAKPOINT]		= { "breakpoint", "#BP" },
	[TRAP_OVERFLOW]			= { "overflow", "#OF" },
	[TRAP_BOUND_RANGE]		= { "bound range exceeded", "#BR" },
	[TRAP_INVALID_OPCODE]		= { "invalid opcode", "#UD" },
	[TRAP_DEVICE_NOT_AVAILABLE]	= { "device not available", "#NM" },
	[TRAP_DOUBLE_FAULT]		= { "double fault", "#DF" },
	[9]				= { "coprocessor segment overrun", "reserved" },
	[TRAP_INVALID_TSS]		= { "invalid TSS", "#TS" },
	[TRAP_SEGMENT_NOT_PRESENT]	= { "segment not present", "#NP" },
	[TRAP_STACK_SEGMENT]		= { "stack-segment fault", "#SS" },
	[TRAP_GENERAL_PROTECTION]	= { "general protection fault", "#GP" },
	[TRAP_PAGE_FAULT]		= { "page fault", "#PF" },
	[TRAP_X87_FPU]			= { "x87 floating-point error", "#MF" },
	[TRAP_ALIGNMENT_CHECK]		= { "alignment check", "#AC" },
	[TRAP_MACHINE_CHECK]		= { "machine check", "#MC" },
	[TRAP_SIMD]			= { "SIMD floating-point exception", "#XM" },
	[TRAP_VIRTUALIZATION]		= { "virtualization exception", "#VE" },
	[TRAP_CONTROL_PROTECTION]	= { "control protection exception", "#CP" },
	[TRAP_HYPERVISOR_INJECTION]	= { "hypervisor injection exception", "#HV" },
	[TRAP_VMM_COMMUNICATION]	= { "VMM communication exception", "#VC" },
	[TRAP_SECURITY]			= { "security exception", "#SX" },
};

static u64 exception_counts[TRAP_EXCEPTIONS];

/* The flags worth naming in a dump, in the order they are printed. */
static const struct {
	u64 bit;
	const char *name;
} rflags_names[] = {
	{ RFLAGS_CF, "CF" }, { RFLAGS_PF, "PF" }, { RFLAGS_AF, "AF" }, { RFLAGS_ZF, "ZF" },
	{ RFLAGS_SF, "SF" }, { RFLAGS_TF, "TF" }, { RFLAGS_IF, "IF" }, { RFLAGS_DF, "DF" },
	{ RFLAGS_OF, "OF" }, { RFLAGS_NT, "NT" }, { RFLAGS_RF, "RF" }, { RFLAGS_AC, "AC" },
};

u64 trap_exception_count(u8 vector)
{
	return vector < TRAP_EXCEPTIONS ? __atomic_load_n(&exception_counts[vector], __ATOMIC_RELAXED) : 0;
}

static const char *exception_name(u64 vector)
{
	return exceptions[vector].name ? exceptions[vector].name : "reserved";
}

static const char *exception_mnemonic(u64 vector)
{
	return exceptions[vector].mnemonic ? exceptions[vector].mnemonic : "reserved";
}

static int exception_decode_page_fault(char *buf, size_t len, u64 error)
{
	return snprintf(buf, len, "%s, %s, %s%s%s%s",
			error & PF_INSTRUCTION ? "instruction fetch" :
			error & PF_WRITE ? "write" : "read",
			error & PF_PRESENT ? "protection violation" : "not-present",
			error & PF_USER ? "user" : "kernel",
			error & PF_RESERVED ? ", reserved bit set" : "",
			error & PF_PROTECTION_KEY ? ", protection key" : "",
			error & PF_SHADOW_STACK ? ", shadow stack" : "");
}

static int exception_decode_selector(char *buf, size_t len, u64 error)
{
	const char *table = error & SEL_ERR_IDT ? "IDT" : error & SEL_ERR_LDT ? "LDT" : "GDT";

	return snprintf(buf, len, "%s entry %llu%s", table,
			(unsigned long long)((error & 0xFFFF) >> SEL_ERR_INDEX_SHIFT),
			error & SEL_ERR_EXTERNAL ? ", external event" : "");
}

/* The bracketed meaning of the error code, or an empty string. */
static void exception_decode_error(char *buf, size_t len, u64 vector, u64 error)
{
	buf[0] = 0;
	switch (vector) {
	case TRAP_PAGE_FAULT:
		exception_decode_page_fault(buf, len, error);
		break;
	case TRAP_INVALID_TSS:
	case TRAP_SEGMENT_NOT_PRESENT:
	case TRAP_STACK_SEGMENT:
	case TRAP_GENERAL_PROTECTION:
		if (error)	/* 0: the fault is not about a selector */
			exception_decode_selector(buf, len, error);
		break;
	}
}

static void exception_print_header(struct trap_frame *tf)
{
	char where[KSYM_FORMAT_MAX], decoded[96];

	ksym_format(where, sizeof(where), tf->rip);
	printf("EXCEPTION: %s (%s, vector %llu)", exception_name(tf->vector),
	       exception_mnemonic(tf->vector), (unsigned long long)tf->vector);
	if (TRAP_HAS_ERROR_CODE(tf->vector)) {
		exception_decode_error(decoded, sizeof(decoded), tf->vector, tf->error);
		printf(" error 0x%llx", (unsigned long long)tf->error);
		if (decoded[0])
			printf(" [%s]", decoded);
	}
	printf(" at rip %016llx %s\n", (unsigned long long)tf->rip, where);
}

static void exception_print_rflags(u64 rflags)
{
	printf("  rflags %016llx [", (unsigned long long)rflags);
	for (size_t i = 0, n = 0; i < ARRAY_SIZE(rflags_names); i++)
		if (rflags & rflags_names[i].bit)
			printf("%s%s", n++ ? " " : "", rflags_names[i].name);
	printf(" IOPL=%llu]", (unsigned long long)((rflags >> RFLAGS_IOPL_SHIFT) & 3));
}

static void exception_print_registers(struct trap_frame *tf, u64 cr2)
{
	const struct {
		const char *name;
		u64 value;
	} regs[] = {
		{ "rax", tf->rax }, { "rbx", tf->rbx }, { "rcx", tf->rcx },
		{ "rdx", tf->rdx }, { "rsi", tf->rsi }, { "rdi", tf->rdi },
		{ "rbp", tf->rbp }, { "rsp", tf->rsp }, { "r8", tf->r8 },
		{ "r9", tf->r9 }, { "r10", tf->r10 }, { "r11", tf->r11 },
		{ "r12", tf->r12 }, { "r13", tf->r13 }, { "r14", tf->r14 },
		{ "r15", tf->r15 }, { "rip", tf->rip },
	};

	for (size_t i = 0; i < ARRAY_SIZE(regs); i++)
		printf("  %-3s %016llx%s", regs[i].name,
		       (unsigned long long)regs[i].value,
		       i % 3 == 2 || i + 1 == ARRAY_SIZE(regs) ? "\n" : "");
	exception_print_rflags(tf->rflags);
	printf("  cs %04llx  ss %04llx\n", (unsigned long long)tf->cs, (unsigned long long)tf->ss);
	printf("  cr0 %016llx  cr2 %016llx  cr3 %016llx  cr4 %016llx\n",
	       (unsigned long long)read_cr0(), (unsigned long long)cr2,
	       (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	printf("  error %016llx\n", (unsigned long long)tf->error);
}

static void __noreturn exception_die(struct trap_frame *tf, u64 cr2)
{
	char decoded[96];

	if (!panic_begin())
		panic_cpu_stop();
	exception_print_header(tf);
	if (tf->vector == TRAP_PAGE_FAULT) {
		exception_decode_page_fault(decoded, sizeof(decoded), tf->error);
		printf("  fault address (cr2) %016llx: %s\n", (unsigned long long)cr2, decoded);
	}
	exception_print_registers(tf, cr2);
	puts("Call trace:\n");
	stacktrace_print(tf->rip, tf->rbp, tf->rsp, puts);
	panic_end();
}

/* int3 is a trap: rip is already past the 1-byte instruction. */
static void exception_breakpoint(struct trap_frame *tf)
{
	char where[KSYM_FORMAT_MAX];

	ksym_format(where, sizeof(where), tf->rip - 1);
	pr_warn("breakpoint (#BP) at %016llx %s, continuing\n",
		(unsigned long long)(tf->rip - 1), where);
}

/*
 * An NMI can arrive while this CPU holds the console lock, so its notice is
 * dropped rather than waited for when the lock is busy.
 */
static void exception_nmi(struct trap_frame *tf)
{
	char where[KSYM_FORMAT_MAX], line[KSYM_FORMAT_MAX + 64];
	int n;

	/* the panicking CPU stops the others with an NMI (smp_stop_other_cpus) */
	if (panic_in_progress())
		panic_cpu_stop();
	/* cpu_up() wakes a parked CPU out of its halt with an NMI: nothing to say */
	if (READ_ONCE(this_cpu()->parked))
		return;
	/*
	 * smp_init() wakes a starting AP the same way, and may send one more
	 * than it takes (the AP could not say it woke in time): one each is
	 * quiet. NMIs that merged leave the count up, which silences this
	 * notice for as many later NMIs, nothing else.
	 */
	if (__atomic_load_n(&this_cpu()->nmi_expected, __ATOMIC_ACQUIRE) &&
	    __atomic_sub_fetch(&this_cpu()->nmi_expected, 1, __ATOMIC_ACQ_REL) != ~0U)
		return;
	ksym_format(where, sizeof(where), tf->rip);
	n = snprintf(line, sizeof(line), "NMI received at rip %016llx %s, continuing\n",
		     (unsigned long long)tf->rip, where);
	console_trywrite(line, min((size_t)n, sizeof(line) - 1));
}

void trap_exception_handle(struct trap_frame *tf)
{
	u64 cr2 = read_cr2();

	__atomic_fetch_add(&exception_counts[tf->vector], 1, __ATOMIC_RELAXED);
	switch (tf->vector) {
	case TRAP_BREAKPOINT:
		exception_breakpoint(tf);
		return;
	case TRAP_NMI:
		exception_nmi(tf);
		return;
	default:
		exception_die(tf, cr2);
	}
}
