/*
 * The interrupt vector map. 0-31 are CPU exceptions; 0x20-0x2f legacy IRQs
 * routed through the IOAPIC; 0x30-0xdf are handed out per CPU by the vector
 * allocator (kernel/arch/vector.c) for MSI/MSI-X; the top vectors are the system
 * vectors, highest priority class first.
 */
#ifndef KERNEL_ARCH_VECTORS_H
#define KERNEL_ARCH_VECTORS_H

#define VECTOR_LEGACY_BASE	0x20	/* ISA IRQ n -> 0x20 + n */
#define VECTOR_DYNAMIC_FIRST	0x30
#define VECTOR_DYNAMIC_LAST	0xdf
#define VECTOR_TIMER		0xec
#define VECTOR_CALL_FUNCTION	0xed
#define VECTOR_TLB_SHOOTDOWN	0xee
#define VECTOR_RESCHEDULE	0xef
#define VECTOR_APIC_ERROR	0xfe
#define VECTOR_SPURIOUS		0xff

/* A per-CPU vector: the same number is a different handler on each CPU. */
static inline int vector_is_dynamic(unsigned int v)
{
	return v >= VECTOR_DYNAMIC_FIRST && v <= VECTOR_DYNAMIC_LAST;
}

#endif
