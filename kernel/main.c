/*
 * kmain: the boot, in order. boot/entry.S gets here in long mode on the boot
 * stack, with the loader's magic and the physical address of its information.
 * Each step may use everything above it and nothing below.
 */
#include "block/blkdev.h"
#include "drivers/null_blk.h"
#include "drivers/pci.h"
#include "kernel/acpi.h"
#include "kernel/apic.h"
#include "kernel/bootinfo.h"
#include "kernel/clockevent.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/gdt.h"
#include "kernel/idt.h"
#include "kernel/ioapic.h"
#include "kernel/kstack.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "kernel/smp.h"
#include "kernel/time.h"

void kmain(u32 magic, u32 info_phys);
static void __noreturn kmain_late(void);

void kmain(u32 magic, u32 info_phys)
{
	int boot_err;

	/* first: spinlocks count preemption in this CPU's struct cpu, via GS */
	percpu_init_boot();
	console_init();
	time_init();
	/* from here a fault prints a report instead of resetting the machine */
	gdt_init_boot_cpu();
	idt_init();
	idt_load();
	boot_err = bootinfo_parse(magic, info_phys);
	cmdline_parse(boot_info.cmdline);
	mm_init();
	pr_info("stork %s booting (%s), TSC %llu.%03llu MHz (%s)\n", STORK_VERSION,
		boot_err ? "unknown loader" : boot_info.protocol == 2 ? "multiboot2" : "multiboot",
		(unsigned long long)(tsc_khz / 1000), (unsigned long long)(tsc_khz % 1000), tsc_source);
	if (boot_info.loader[0])
		pr_info("boot: loader '%s', command line '%s'\n", boot_info.loader, boot_info.cmdline);

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
	time_calibrate_late();
	/* interrupts: local APICs, IPIs, the per-CPU timer, then the console's IRQ */
	apic_init_bsp();
	apic_init_cpu();
	ipi_init();
	clockevent_init_cpu();
	if (ioapic_init() == 0)
		console_irq_init();
	irq_enable();
	smp_init();
	/* after the other CPUs: drivers aim each queue's vector at its CPU */
	pci_init();
	blk_init();
	nullb_init();
	pr_info("boot: prompt after %llu ms\n", (unsigned long long)(time_ns() / 1000000));
	shell_run();
}
