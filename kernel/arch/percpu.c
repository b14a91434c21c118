/*
 * The table of CPUs and the GS base that makes this_cpu() work. The boot
 * CPU's struct cpu is static so that it exists before the allocators; the
 * SMP code allocates the others as it brings them up.
 */
#include "kernel/arch/percpu.h"
#include "kernel/arch/x86.h"
#include "kernel/sched/preempt.h"

STATIC_ASSERT(offsetof(struct cpu, self) == 0);
STATIC_ASSERT(offsetof(struct cpu, current) == CPU_OFFSET_CURRENT);
STATIC_ASSERT(offsetof(struct cpu, preempt_count) == CPU_OFFSET_PREEMPT_COUNT);
STATIC_ASSERT(offsetof(struct cpu, need_resched) == CPU_OFFSET_NEED_RESCHED);

struct cpu *cpu_table[MAX_CPUS];
unsigned int nr_cpus;
cpumask_t cpu_online_mask;
cpumask_t cpu_active_mask;

static struct cpu boot_cpu;

void runqueue_init(struct runqueue *rq);

bool cpu_has_rdtscp;

void cpu_tsc_aux_init(unsigned int id)
{
	u32 a, b, c, d;

	if (id == 0) {
		cpuid(0x80000000, 0, &a, &b, &c, &d);
		if (a >= 0x80000001) {
			cpuid(0x80000001, 0, &a, &b, &c, &d);
			cpu_has_rdtscp = d & (1u << 27);
		}
	}
	if (cpu_has_rdtscp)
		wrmsr(MSR_TSC_AUX, id);
}

void percpu_install(struct cpu *c)
{
	c->self = c;
	wrmsr(MSR_GS_BASE, (u64)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	cpu_tsc_aux_init(c->id);
	cpu_table[c->id] = c;
}

void percpu_init_boot(void)
{
	boot_cpu.id = 0;
	runqueue_init(&boot_cpu.rq);
	percpu_install(&boot_cpu);
	nr_cpus = 1;
	cpumask_set(&cpu_online_mask, 0);
	cpumask_set(&cpu_active_mask, 0);
}
