/*
 * Leaving the machine: power off through ACPI S5, reboot through the FADT
 * reset register, the 8042 keyboard controller, or a triple fault. Drivers
 * that must quiesce their hardware first (an NVMe controller wants a clean
 * shutdown notification) register a hook, which runs before either.
 */
#ifndef KERNEL_ACPI_POWER_H
#define KERNEL_ACPI_POWER_H

#include "lib/types.h"
#include "lib/list.h"

struct power_hook {
	struct list_head link;	/* on the hook list, protected by its lock */
	const char *name;	/* for the log: "nvme0" */
	void (*fn)(void);	/* on the CPU that is leaving; may poll, must not sleep */
};

/* Hooks run in the order they were registered. The hook must stay allocated. */
void power_register_hook(struct power_hook *hook);

/* Neither returns: when every method fails they say so and halt the CPU. */
void __noreturn power_off(void);
void __noreturn power_reboot(void);

#endif
