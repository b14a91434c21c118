/*
 * The IDT (see idt.h): 256 interrupt gates to the stubs of trap_entry.S, the
 * table of handlers for vectors 32-255, and trap_dispatch(), where every
 * trap and interrupt arrives. All gates are interrupt gates, so handlers run
 * with interrupts disabled. The double fault, NMI and machine check gates
 * switch to their own stacks (the IST slots of kernel/arch/gdt.h).
 */
#include "kernel/arch/idt.h"
#include "kernel/arch/desc.h"
#include "kernel/arch/gdt.h"
#include "kernel/console/printk.h"
#include "kernel/sched/spinlock.h"
#include "kernel/arch/traps.h"
#include "lib/errno.h"

STATIC_ASSERT(sizeof(struct trap_frame) == TRAP_FRAME_SIZE);
STATIC_ASSERT(offsetof(struct trap_frame, vector) == 15 * 8);
STATIC_ASSERT(offsetof(struct trap_frame, rip) == 17 * 8);

struct idt_handler {
	idt_handler_fn fn;	/* NULL: free */
	void *arg;
};

extern const u64 trap_stub_table[IDT_VECTORS];

static struct idt_gate idt[IDT_VECTORS] __aligned(16);
static struct idt_handler handlers[IDT_VECTORS];	/* writers hold handlers_lock */
static spinlock_t handlers_lock = SPINLOCK_INIT;
static u64 unhandled[IDT_VECTORS];

static void idt_gate_set(u8 vector, u64 addr, u8 ist)
{
	struct idt_gate *g = &idt[vector];

	g->offset_low = addr & 0xFFFF;
	g->selector = GDT_KERNEL_CS;
	g->ist = ist;
	g->type_attr = GATE_PRESENT | DESC_TYPE_INTERRUPT_GATE;
	g->offset_mid = (addr >> 16) & 0xFFFF;
	g->offset_high = addr >> 32;
	g->reserved = 0;
}

void idt_init(void)
{
	for (int v = 0; v < IDT_VECTORS; v++)
		idt_gate_set(v, trap_stub_table[v], 0);
	idt[TRAP_DOUBLE_FAULT].ist = IST_DOUBLE_FAULT;
	idt[TRAP_NMI].ist = IST_NMI;
	idt[TRAP_MACHINE_CHECK].ist = IST_MACHINE_CHECK;
}

void idt_load(void)
{
	struct desc_ptr idtr = { sizeof(idt) - 1, (u64)idt };

	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

int idt_set_handler(u8 vector, idt_handler_fn fn, void *arg)
{
	unsigned long flags;
	int err = 0;

	if (vector < IDT_FIRST_EXTERNAL || !fn)
		return -EINVAL;
	flags = spin_lock_irqsave(&handlers_lock);
	if (handlers[vector].fn) {
		err = -EBUSY;
	} else {
		/* arg first: the dispatcher reads fn, then arg */
		handlers[vector].arg = arg;
		__atomic_store_n(&handlers[vector].fn, fn, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&handlers_lock, flags);
	return err;
}

void idt_clear_handler(u8 vector)
{
	unsigned long flags = spin_lock_irqsave(&handlers_lock);

	__atomic_store_n(&handlers[vector].fn, NULL, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&handlers_lock, flags);
}

u64 idt_unhandled_count(u8 vector)
{
	return __atomic_load_n(&unhandled[vector], __ATOMIC_RELAXED);
}

void trap_dispatch(struct trap_frame *tf)
{
	u8 vector = (u8)tf->vector;
	idt_handler_fn fn;

	if (vector < IDT_FIRST_EXTERNAL) {
		trap_exception_handle(tf);
		return;
	}
	fn = __atomic_load_n(&handlers[vector].fn, __ATOMIC_ACQUIRE);
	if (fn) {
		fn(tf, handlers[vector].arg);
		return;
	}
	if (__atomic_fetch_add(&unhandled[vector], 1, __ATOMIC_RELAXED) == 0)
		pr_warn("idt: vector %u arrived with no handler (logged once)\n", vector);
}
