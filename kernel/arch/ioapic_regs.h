/*
 * I/O APIC registers: Intel 82093AA I/O APIC datasheet, 3.0 and 3.2. The
 * chip has two memory-mapped windows: write a register index to IOREGSEL,
 * then read or write it through IOWIN.
 */
#ifndef KERNEL_ARCH_IOAPIC_REGS_H
#define KERNEL_ARCH_IOAPIC_REGS_H

#define IOAPIC_REGSEL		0x00
#define IOAPIC_WINDOW		0x10
#define IOAPIC_MMIO_SIZE	0x20

#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01	/* bits 23:16: highest redirection entry */
#define IOAPIC_REG_REDIR(pin)	(0x10 + 2 * (pin))	/* low dword; high at +1 */

#define IOAPIC_VERSION_MAX_REDIR(v)	(((v) >> 16) & 0xff)

/* redirection entry, low dword */
#define IOAPIC_REDIR_DM_FIXED		(0U << 8)
#define IOAPIC_REDIR_DEST_LOGICAL	(1U << 11)	/* clear: physical APIC id */
#define IOAPIC_REDIR_POLARITY_LOW	(1U << 13)
#define IOAPIC_REDIR_TRIGGER_LEVEL	(1U << 15)
#define IOAPIC_REDIR_MASKED		(1U << 16)
/* redirection entry, high dword: physical destination in bits 31:24 */
#define IOAPIC_REDIR_DEST_SHIFT		24

#endif
