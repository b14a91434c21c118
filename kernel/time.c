/*
 * The TSC as the kernel clock. Its frequency comes from CPUID leaf 0x15
 * (crystal ratio) or 0x16 when the CPU reports it, else it is measured against
 * PIT channel 2 over 20 ms at the very start, and measured again against the
 * HPET once ACPI has found it (time_calibrate_late()): the HPET's period is
 * stated by the hardware in femtoseconds, where the PIT measurement rests on
 * port-I/O timing. The switch keeps time_ns() continuous. Conversion to nanoseconds is a multiply and a
 * shift: ns = cycles * mult >> 32, with a 128-bit product so that it cannot
 * overflow in the lifetime of the machine.
 */
#include "kernel/time.h"
#include "kernel/acpi.h"
#include "kernel/hpet_regs.h"
#include "kernel/ioremap.h"
#include "kernel/x86.h"
#include "kernel/printk.h"
#include "kernel/shell.h"
#include "kernel/console.h"

#define PIT_HZ		1193182ULL
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PIT_GATE	0x61	/* bit 0: gate ch2, bit 1: speaker, bit 5: ch2 output */
#define HPET_CALIBRATE_NS	(10 * NSEC_PER_MSEC)

u64 boot_tsc;
u64 tsc_khz;
static u64 ns_mult;	/* ns per cycle, 32.32 fixed point */
static u64 tsc_mult;	/* cycles per ns, 32.32 fixed point */
/* time_ns() = base_ns + ns since base_tsc; moved when the frequency is refined */
static u64 base_ns, base_tsc;

static u64 tsc_khz_from_cpuid(void)
{
	u32 max, a, b, c, d;

	cpuid(0, 0, &max, &b, &c, &d);
	if (max >= 0x15) {
		cpuid(0x15, 0, &a, &b, &c, &d);
		if (a && b && c)
			return (u64)c * b / a / 1000;
	}
	if (max >= 0x16) {
		cpuid(0x16, 0, &a, &b, &c, &d);
		if (a)
			return (u64)a * 1000;	/* base frequency in MHz */
	}
	return 0;
}

/* Count TSC cycles while PIT channel 2 counts down 20 ms in one-shot mode. */
static u64 tsc_khz_from_pit(void)
{
	u32 ticks = PIT_HZ / 50;
	u64 t0, t1;
	u8 gate;

	gate = inb(PIT_GATE);
	outb(PIT_GATE, (gate & ~0x02) | 0x01);
	outb(PIT_CMD, 0xb0);	/* channel 2, lobyte/hibyte, mode 0 */
	outb(PIT_CH2, ticks & 0xff);
	outb(PIT_CH2, ticks >> 8);
	t0 = rdtsc();
	/* bounded: a machine without a PIT must not hang the boot */
	while (!(inb(PIT_GATE) & 0x20) && rdtsc() - t0 < (1ULL << 36))
		;
	t1 = rdtsc();
	outb(PIT_GATE, gate);
	return (t1 - t0) * 50 / 1000;
}

const char *tsc_source = "cpuid";
static bool tsc_khz_trusted;	/* from CPUID: nothing to measure */

/* Count TSC cycles over HPET_CALIBRATE_NS of HPET time; 0 if it cannot. */
static u64 tsc_khz_from_hpet(void)
{
	const struct acpi_hpet_info *info = acpi_hpet();
	volatile u64 *regs;
	u64 period_fs, ticks, config, h0, h1, t0, t1, elapsed_ns;

	if (!info || info->base.space_id != ACPI_GAS_MEMORY || !info->base.address)
		return 0;
	regs = ioremap(info->base.address, HPET_MMIO_SIZE);
	if (!regs)
		return 0;
	period_fs = regs[HPET_CAPABILITIES / 8] >> HPET_CAP_PERIOD_SHIFT;
	if (!period_fs || period_fs > HPET_MAX_PERIOD_FS) {
		iounmap((void *)regs, HPET_MMIO_SIZE);
		return 0;
	}
	config = regs[HPET_CONFIG / 8];
	regs[HPET_CONFIG / 8] = config | HPET_CONFIG_ENABLE;
	ticks = HPET_CALIBRATE_NS * 1000000ULL / period_fs;
	h0 = regs[HPET_COUNTER / 8];
	t0 = rdtsc();
	/* bounded: an HPET that does not count must not hang the boot */
	do {
		h1 = regs[HPET_COUNTER / 8];
		t1 = rdtsc();
	} while (h1 - h0 < ticks && t1 - t0 < (1ULL << 36));
	regs[HPET_CONFIG / 8] = config;
	iounmap((void *)regs, HPET_MMIO_SIZE);
	elapsed_ns = (h1 - h0) * period_fs / 1000000ULL;
	if (h1 - h0 < ticks || !elapsed_ns)
		return 0;
	return (t1 - t0) * 1000000ULL / elapsed_ns;
}

static void time_set_khz(u64 khz)
{
	tsc_khz = khz;
	ns_mult = (1000000ULL << 32) / tsc_khz;
	tsc_mult = (tsc_khz << 32) / 1000000ULL;
}

void time_calibrate_late(void)
{
	u64 khz, now_tsc, now_ns, old_khz = tsc_khz;
	const char *old_source = tsc_source;

	if (tsc_khz_trusted)
		return;
	khz = tsc_khz_from_hpet();
	if (!khz) {
		pr_info("time: TSC %llu kHz from the %s (no usable HPET)\n",
			(unsigned long long)tsc_khz, tsc_source);
		return;
	}
	/* continue from the time reached so far, at the new rate */
	now_tsc = rdtsc();
	now_ns = base_ns + tsc_to_ns(now_tsc - base_tsc);
	base_tsc = now_tsc;
	base_ns = now_ns;
	time_set_khz(khz);
	tsc_source = "HPET";
	pr_info("time: TSC %llu kHz from the HPET (the %s said %llu kHz)\n",
		(unsigned long long)khz, old_source, (unsigned long long)old_khz);
}

void time_init(void)
{
	tsc_khz = tsc_khz_from_cpuid();
	tsc_khz_trusted = tsc_khz != 0;
	if (!tsc_khz) {
		tsc_khz = tsc_khz_from_pit();
		tsc_source = "PIT";
	}
	if (!tsc_khz)
		tsc_khz = 1000000;	/* cannot happen on real hardware; keep time moving */
	base_tsc = boot_tsc;
	time_set_khz(tsc_khz);
}

u64 tsc_to_ns(u64 cycles)
{
	return (u64)(((unsigned __int128)cycles * ns_mult) >> 32);
}

u64 ns_to_tsc(u64 ns)
{
	return (u64)(((unsigned __int128)ns * tsc_mult) >> 32);
}

u64 time_ns(void)
{
	if (!ns_mult)
		return 0;
	return base_ns + tsc_to_ns(rdtsc() - base_tsc);
}

u64 time_ns_to_tsc(u64 ns)
{
	if (ns <= base_ns)
		return base_tsc;
	return base_tsc + ns_to_tsc(ns - base_ns);
}

void ndelay(u64 ns)
{
	u64 end = rdtsc() + ns_to_tsc(ns) + 1;

	while ((s64)(rdtsc() - end) < 0)
		cpu_relax();
}

void udelay(u64 us)
{
	ndelay(us * NSEC_PER_USEC);
}

static int cmd_uptime(int argc, char **argv)
{
	u64 ns = time_ns();
	u64 s = ns / NSEC_PER_SEC;

	if (argc > 1)
		return shell_usage_error(argv[0]);
	printf("up %llu:%02llu:%02llu.%03llu (%llu.%09llu s)\n", (unsigned long long)(s / 3600),
	       (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60),
	       (unsigned long long)(ns / NSEC_PER_MSEC % 1000), (unsigned long long)s,
	       (unsigned long long)(ns % NSEC_PER_SEC));
	return 0;
}
SHELL_COMMAND(uptime, cmd_uptime, "uptime", "time since the kernel was entered");
