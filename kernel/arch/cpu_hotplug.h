/*
 * CPU hotplug: taking a running CPU offline and bringing it back
 * (kernel/arch/cpu_hotplug.c, docs/hotplug.md). Offline is a parked CPU:
 * halted with interrupts off, its threads, timers and interrupt vectors
 * moved to the other CPUs. Layers above (blk-mq, io-wq) register callbacks
 * that run while the CPU is leaving cpu_active_mask and after it is back.
 */
#ifndef KERNEL_ARCH_CPU_HOTPLUG_H
#define KERNEL_ARCH_CPU_HOTPLUG_H

#include "lib/types.h"

/*
 * A layer that follows the set of active CPUs. Both run in thread context
 * under the hotplug lock, with cpu_active_mask already changed:
 * down_prepare while CPU cpu is still online (it may still complete its
 * layer's work), online once it runs again. down_prepare may fail with a
 * negative errno: the CPU then stays online, is made active again, and
 * every callback up to the failed one gets online() to undo its part.
 */
struct cpu_hotplug_callback {
	const char *name;
	int (*down_prepare)(unsigned int cpu);
	void (*online)(unsigned int cpu);
};
#define CPU_HOTPLUG_MAX_CALLBACKS 8
/* Once, at boot; -ENOSPC past CPU_HOTPLUG_MAX_CALLBACKS. */
int cpu_hotplug_register(const struct cpu_hotplug_callback *cb);

/* How long one transition took, in ns, for `cpu` and the benchmarks. */
struct cpu_hotplug_times {
	u64 total_ns;
	u64 callbacks_ns;	/* the layers' callbacks (blk-mq's queue remap) */
	u64 park_ns;		/* down: IPI to parked; up: NMI to online */
	unsigned int threads_moved;	/* bound threads whose CPU went away */
};

/*
 * Take CPU cpu offline: -EINVAL for a CPU that is not there, -EBUSY for the
 * boot CPU (it owns the legacy interrupts and the console) and for the last
 * one, -EALREADY when it is offline, a callback's error, or -ETIMEDOUT when
 * it did not park within a second (then it stays half-down: see
 * docs/hotplug.md). times may be NULL.
 */
int cpu_down(unsigned int cpu, struct cpu_hotplug_times *times);
/* Bring a CPU that cpu_down() parked back: -EINVAL, -EALREADY, -ETIMEDOUT. */
int cpu_up(unsigned int cpu, struct cpu_hotplug_times *times);
/* "online", "offline" (parked) or "going-down". */
const char *cpu_hotplug_state(unsigned int cpu);
/* Transitions done since boot (for tests that wait for one). */
u64 cpu_hotplug_count(void);

#endif
