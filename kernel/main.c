/*
 * kmain: the boot, in order. boot/entry.S gets here in long mode on the boot
 * stack, with the loader's magic and the physical address of its information.
 * Each step may use everything above it and nothing below.
 */
#include "block/blkdev.h"
#include "drivers/block/null_blk.h"
#include "drivers/input/i8042.h"
#include "drivers/pci/pci.h"
#include "drivers/video/video.h"
#include "kernel/acpi/acpi.h"
#include "kernel/arch/apic.h"
#include "kernel/arch/cpu_protect.h"
#include "kernel/bootinfo.h"
#include "kernel/time/clockevent.h"
#include "kernel/cmdline.h"
#include "kernel/console/console.h"
#include "kernel/arch/gdt.h"
#include "kernel/arch/idt.h"
#include "kernel/arch/ioapic.h"
#include "kernel/io_wq/io_wq.h"
#include "kernel/mm/kstack.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/paging.h"
#include "kernel/arch/percpu.h"
#include "kernel/sched/async.h"
#include "kernel/sched/sched.h"
#include "kernel/panic.h"
#include "kernel/console/printk.h"
#include "kernel/shell/shell.h"
#include "kernel/arch/smp.h"
#include "kernel/arch/cpu_cache.h"
#include "kernel/stack_protector.h"
#include "kernel/time/time.h"

extern char boot_stack_guard[];	/* boot/entry.S */

void kmain(u32 magic, u32 info_phys);
static void __noreturn kmain_late(void);

void kmain(u32 magic, u32 info_phys)
{
	const char *canary_source;
	u64 protect;
	int boot_err;

	/* before any function that checks it has a frame that could outlive it */
	canary_source = stack_protector_init();
	/* then: spinlocks count preemption in this CPU's struct cpu, via GS */
	percpu_init_boot();
	console_init();
	time_init();
	/* from here a fault prints a report instead of resetting the machine */
	gdt_init_boot_cpu();
	idt_init();
	idt_load();
	protect = cpu_protect_init();
	boot_err = bootinfo_parse(magic, info_phys);
	cmdline_parse(boot_info.cmdline);
	/* console= known: the serial ports it does not name go quiet */
	console_setup();
	mm_init();
	/* the pages below the boot and boot IST stacks: a fault on overflow */
	if (vm_unmap_page((u64)boot_stack_guard) || gdt_guard_boot_ist_stacks())
		panic("boot: cannot unmap the boot stacks' guard pages");
	/* the screen, once it can be mapped; it replays the log so far */
	video_init();
	pr_info("stork %s booting (%s), TSC %llu.%03llu MHz (%s)\n", STORK_VERSION,
		boot_err ? "unknown loader" : boot_info.protocol == 2 ? "multiboot2" : "multiboot",
		(unsigned long long)(tsc_khz / 1000), (unsigned long long)(tsc_khz % 1000), tsc_source);
	if (boot_info.loader[0])
		pr_info("boot: loader '%s', command line '%s'\n", boot_info.loader, boot_info.cmdline);
	pr_info("protect: stack canary from %s;%s%s%s%s\n", canary_source,
		protect & CR4_SMEP ? " SMEP" : "", protect & CR4_SMAP ? " SMAP" : "",
		protect & CR4_UMIP ? " UMIP" : "", protect ? " on" : " no SMEP/SMAP/UMIP");

	/* leave the boot stack for one with a guard page below it */
	void *stack = kstack_alloc(KSTACK_BOOT_SIZE);

	if (!stack)
		panic("boot: no memory for the kernel stack");
	call_on_stack(stack, kmain_late);
}

/* The rest of the boot, on the guarded stack. */
static void __noreturn kmain_late(void)
{
	/* this context becomes CPU 0's first thread; it goes on as the shell */
	sched_init();
	acpi_init();
	/* interrupts: local APICs, IPIs, the per-CPU timer, then the console's IRQ */
	apic_init_bsp();
	apic_init_cpu();
	/* the TSC against every clock; the APIC timer's rate in the same windows */
	time_calibrate_late(clockevent_rider());
	ipi_init();
	clockevent_init_cpu();
	if (ioapic_init() == 0)
		console_irq_init();
	i8042_init();
	irq_enable();
	smp_init();
	/* which CPUs share a last-level cache, for blk-mq's rq_affinity */
	cpu_cache_init();
	/* worker pools, once every CPU runs: the default bound maximum counts them */
	if (io_wq_init())
		panic("io-wq: cannot start the worker pools");
	/* after the other CPUs: drivers aim each queue's vector at its CPU */
	pci_init();
	console_report_missing();
	blk_init();
	nullb_init();
	pr_info("boot: prompt after %llu ms\n", (unsigned long long)(time_ns() / 1000000));
	/* probes still running (AHCI links) end with "boot: background probes done" */
	if (async_boot_report_arm())
		pr_info("boot: probes still running in the background\n");
	shell_run();
}
