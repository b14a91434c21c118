/*
 * The TSC as the kernel clock. Its rate is settled in two steps:
 *
 * - time_init(), first thing at boot: a provisional rate, from CPUID leaf
 *   0x15 (crystal ratio) or 0x16 (nominal MHz) when the CPU states one, else
 *   measured against PIT channel 2 over 2 ms if a PIT answers (its counter
 *   is seen to count; QEMU's `pit=off` and many new machines have none),
 *   else a guess, so that time moves until ACPI is read;
 * - time_calibrate_late(), once ACPI has been parsed: measured against every
 *   clock there is (the HPET, the ACPI PM timer, the PIT again; every clock
 *   read in the same 2 ms window, and two more windows for a median when
 *   the first one's clocks disagree or only one clock answers), and the
 *   candidates, CPUID's rate among them, vote (tsc_calibrate.c): the rate
 *   most of them agree with wins, a candidate that disagrees is named in
 *   the log, and when nothing can be measured the log says so in an error
 *   line. The local APIC timer rides in the same windows (struct
 *   time_rider): its rate comes out against the rate voted for, without a
 *   window of its own. This runs before the other CPUs are started.
 *
 * Every measurement is bounded twice: the reference must be seen to count
 * within a few thousand reads, and the measurement gives up after 2^34 TSC
 * cycles. The switch keeps time_ns() continuous. Conversion to nanoseconds
 * is a multiply and a shift: ns = cycles * mult >> 32, with a 128-bit
 * product so that it cannot overflow in the lifetime of the machine.
 */
#include "kernel/time/time.h"
#include "kernel/time/tsc_calibrate.h"
#include "kernel/acpi/acpi.h"
#include "kernel/time/hpet_regs.h"
#include "kernel/mm/ioremap.h"
#include "kernel/arch/x86.h"
#include "kernel/console/printk.h"
#include "kernel/console/console.h"
#include "lib/printf.h"

#define PIT_HZ		1193182ULL
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PIT_GATE	0x61	/* bit 0: gate ch2, bit 1: speaker, bit 5: ch2 output */
#define PMTMR_HZ	3579545ULL
/*
 * 2 ms against a reference of at least the PIT's 1.19 MHz is 2386 ticks,
 * under 0.05 % of rounding, far inside the 2 % the candidates must agree
 * within. The clocks share each window, and one window is enough when two
 * or more clocks agree in it; else three keep a median that one disturbed
 * run cannot move (tsc_khz_measure). It was 60 ms of the boot with 5 runs
 * of 4 ms per clock, then 6 with three shared windows; now 2, and 2 ms for
 * the provisional rate (one window against the PIT).
 */
#define CALIBRATE_MS	2
#define CALIBRATE_RUNS	3	/* at most, per clock, the median kept */
#define SAMPLE_TRIES	3	/* reads per sample, the tightest kept */
#define COUNT_PROBES	10000	/* reads within which a live counter must change */
#define MEASURE_LIMIT	(1ULL << 34)	/* TSC cycles: 8 s at 2 GHz, 1.7 s at 10 GHz */
#define GUESS_KHZ	2000000	/* until late calibration, with no CPUID rate and no PIT */

u64 boot_tsc;
u64 tsc_khz;
static u64 ns_mult;	/* ns per cycle, 32.32 fixed point */
static u64 tsc_mult;	/* cycles per ns, 32.32 fixed point */
/* time_ns() = base_ns + ns since base_tsc; moved when the frequency is refined */
static u64 base_ns, base_tsc;
static u64 cpuid_khz;
static bool cpuid_exact;	/* the rate came from the crystal ratio (leaf 0x15) */

const char *tsc_source = "cpuid";

static u64 tsc_khz_from_cpuid(bool *exact)
{
	u32 max, a, b, c, d;

	cpuid(0, 0, &max, &b, &c, &d);
	if (max >= 0x15) {
		cpuid(0x15, 0, &a, &b, &c, &d);
		if (a && b && c) {
			*exact = true;
			return (u64)c * b / a / 1000;
		}
	}
	if (max >= 0x16) {
		cpuid(0x16, 0, &a, &b, &c, &d);
		if (a)
			return (u64)a * 1000;	/* base frequency in MHz */
	}
	return 0;
}

/*
 * One reference clock measured against the TSC. read() gives a count that
 * goes up (the PIT's down-counter is turned round) within mask; fs is the
 * length of one tick in femtoseconds. A window samples every clock in turn
 * and stamps each read with the midpoint of the TSC before and after it, so
 * the read's own latency (large and erratic under emulation) cancels.
 */
struct tsc_probe {
	enum tsc_ref ref;
	u64 (*read)(struct tsc_probe *p);
	u64 mask, fs, ticks;		/* ticks: CALIBRATE_MS of this clock */
	u64 c0, t0;			/* first sample */
	u64 khz;			/* this window's result; 0: absent or not finished */
	u16 port;			/* PM timer */
	volatile u64 *hpet;		/* HPET registers */
	u64 hpet_config;		/* to put back */
	u8 pit_gate;			/* to put back */
};

#define FS_PER_S	1000000000000000ULL

/*
 * The tightest of SAMPLE_TRIES reads: a read the CPU was taken from in the
 * middle (a host preempting a vCPU, an SMI) has a wide TSC bracket and a
 * midpoint far from the read; the next try is almost surely clean.
 */
static u64 tsc_probe_sample(struct tsc_probe *p, u64 *tsc)
{
	u64 best_c = 0, best_width = ~0ULL;

	for (int i = 0; i < SAMPLE_TRIES; i++) {
		u64 before = rdtsc(), c = p->read(p), after = rdtsc();

		if (after - before < best_width) {
			best_width = after - before;
			best_c = c;
			*tsc = before + (after - before) / 2;
		}
	}
	return best_c & p->mask;
}

/* The clock is seen to count within COUNT_PROBES reads. */
static bool tsc_probe_counts(struct tsc_probe *p)
{
	u64 t, c0 = tsc_probe_sample(p, &t);

	for (int i = 0; i < COUNT_PROBES; i++)
		if (tsc_probe_sample(p, &t) != c0)
			return true;
	return false;
}

/* PIT channel 2's count, latched, turned into one that goes up. */
static u64 pit_read(struct tsc_probe *p)
{
	u8 lo, hi;

	(void)p;
	outb(PIT_CMD, 0x80);	/* latch channel 2 */
	lo = inb(PIT_CH2);
	hi = inb(PIT_CH2);
	return 0xffffU - (u16)(hi << 8 | lo);
}

/*
 * PIT channel 2 counting down from 0xffff (mode 0, gate on, speaker off);
 * false when there is no PIT (its ports read all ones, the count never
 * moves) or it has too little of its 16 bits left for a window.
 */
static bool pit_start(struct tsc_probe *p)
{
	u64 t;

	*p = (struct tsc_probe){ .ref = TSC_REF_PIT, .read = pit_read, .mask = 0xffff,
				 .fs = FS_PER_S / PIT_HZ, .ticks = PIT_HZ * CALIBRATE_MS / 1000 };
	p->pit_gate = inb(PIT_GATE);
	outb(PIT_GATE, (p->pit_gate & ~0x02) | 0x01);
	outb(PIT_CMD, 0xb0);	/* channel 2, lobyte/hibyte, mode 0 */
	outb(PIT_CH2, 0xff);
	outb(PIT_CH2, 0xff);
	if (tsc_probe_counts(p) && tsc_probe_sample(p, &t) + p->ticks + 0x1000 < 0xffff)
		return true;
	outb(PIT_GATE, p->pit_gate);
	return false;
}

static void pit_stop(struct tsc_probe *p)
{
	outb(PIT_GATE, p->pit_gate);
}

static u64 hpet_read(struct tsc_probe *p)
{
	return p->hpet[HPET_COUNTER / 8];
}

/* The HPET's main counter, enabled; false when there is none or it does not count. */
static bool hpet_start(struct tsc_probe *p)
{
	const struct acpi_hpet_info *info = acpi_hpet();
	u64 period_fs;

	*p = (struct tsc_probe){ .ref = TSC_REF_HPET, .read = hpet_read, .mask = ~0ULL };
	if (!info || info->base.space_id != ACPI_GAS_MEMORY || !info->base.address)
		return false;
	p->hpet = ioremap(info->base.address, HPET_MMIO_SIZE);
	if (!p->hpet)
		return false;
	period_fs = p->hpet[HPET_CAPABILITIES / 8] >> HPET_CAP_PERIOD_SHIFT;
	if (!period_fs || period_fs > HPET_MAX_PERIOD_FS)
		goto unmap;
	p->fs = period_fs;
	p->ticks = CALIBRATE_MS * 1000000000000ULL / period_fs;
	p->hpet_config = p->hpet[HPET_CONFIG / 8];
	p->hpet[HPET_CONFIG / 8] = p->hpet_config | HPET_CONFIG_ENABLE;
	if (tsc_probe_counts(p))
		return true;
	p->hpet[HPET_CONFIG / 8] = p->hpet_config;
unmap:
	iounmap((void *)p->hpet, HPET_MMIO_SIZE);
	return false;
}

static void hpet_stop(struct tsc_probe *p)
{
	p->hpet[HPET_CONFIG / 8] = p->hpet_config;
	iounmap((void *)p->hpet, HPET_MMIO_SIZE);
}

static u64 pmtmr_read(struct tsc_probe *p)
{
	return inl(p->port);
}

/* The ACPI PM timer (a port); false when the FADT names none or it does not count. */
static bool pmtmr_start(struct tsc_probe *p)
{
	const struct acpi_fadt_info *fadt = acpi_fadt();

	*p = (struct tsc_probe){ .ref = TSC_REF_PMTMR, .read = pmtmr_read,
				 .fs = FS_PER_S / PMTMR_HZ, .ticks = PMTMR_HZ * CALIBRATE_MS / 1000 };
	if (!fadt || !fadt->pm_tmr.address || fadt->pm_tmr.space_id != ACPI_GAS_IO ||
	    fadt->pm_tmr.address > 0xfffc)
		return false;
	p->port = (u16)fadt->pm_tmr.address;
	p->mask = fadt->pm_tmr_32bit ? 0xffffffffU : 0xffffffU;
	return tsc_probe_counts(p);
}

/* What a rider counted over one window: 0 ticks when it did not count. */
struct rider_run {
	u64 ticks, cycles;
};

/*
 * One window, interrupts off: every clock of probes sampled in turn until
 * each has counted CALIBRATE_MS, each clock's TSC rate from its own first
 * and last sample. The clocks are independent, so measuring them over the
 * same 2 ms costs 2 ms, not 2 ms each. Gives up after MEASURE_LIMIT TSC
 * cycles (a clock that stopped); a clock that did not finish gets 0. The
 * rider (if any) is sampled before the first clock and after the last.
 */
static void tsc_probe_window(struct tsc_probe *probes, int n, struct time_rider *rider,
			     struct rider_run *rr)
{
	unsigned long flags = irq_save();
	u64 start = rdtsc(), r0 = 0, rt0 = 0;
	int left = n;

	if (rider)
		r0 = rider->sample(&rt0);
	for (int i = 0; i < n; i++) {
		probes[i].c0 = tsc_probe_sample(&probes[i], &probes[i].t0);
		probes[i].khz = 0;
	}
	while (left && rdtsc() - start < MEASURE_LIMIT) {
		for (int i = 0; i < n; i++) {
			struct tsc_probe *p = &probes[i];
			u64 t, ticks, elapsed_ns;

			if (p->khz)
				continue;
			ticks = (tsc_probe_sample(p, &t) - p->c0) & p->mask;
			if (ticks < p->ticks)
				continue;
			/* kHz = cycles / ms; ticks * fs is at most a few 10^12 fs here */
			elapsed_ns = ticks * p->fs / 1000000;
			p->khz = elapsed_ns ? (t - p->t0) * 1000000 / elapsed_ns : 0;
			if (!p->khz)
				p->khz = 1;	/* done, and absurd: the vote throws it out */
			left--;
		}
	}
	if (rider) {
		u64 rt1, r1 = rider->sample(&rt1);

		*rr = (struct rider_run){ .ticks = n && !left ? (r1 - r0) & rider->mask : 0,
					  .cycles = rt1 - rt0 };
	}
	irq_restore(flags);
}

/* Insertion sort of a handful of runs, for the median. */
static void tsc_runs_sort(u64 *runs, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && runs[j - 1] > runs[j]; j--) {
			u64 t = runs[j];

			runs[j] = runs[j - 1];
			runs[j - 1] = t;
		}
}

/*
 * Every clock measured in the same windows. A read the CPU was taken from
 * in the middle (an SMI, a host preempting a virtual CPU) is already thrown
 * out by tsc_probe_sample, so one window is enough when two or more clocks
 * were measured in it and agree. When they do not (emulated PITs read bad
 * counts) or only one clock answered, two more windows are taken and each
 * clock's median kept: one bad run cannot move it, whichever way it is
 * wrong. A clock that failed any run gets 0. Returns the windows taken.
 */
static int tsc_khz_measure(u64 khz[TSC_REF_COUNT], struct time_rider *rider,
			   struct rider_run rr[CALIBRATE_RUNS])
{
	struct tsc_probe probes[3];
	u64 runs[TSC_REF_COUNT][CALIBRATE_RUNS] = { { 0 } };
	bool failed[TSC_REF_COUNT] = { false };
	struct tsc_probe hpet, pmtmr;
	bool have_hpet = hpet_start(&hpet);
	bool have_pmtmr = pmtmr_start(&pmtmr);
	int nruns = CALIBRATE_RUNS;

	for (int r = 0; r < nruns; r++) {
		int n = 0;
		bool have_pit;

		if (have_hpet)
			probes[n++] = hpet;
		if (have_pmtmr)
			probes[n++] = pmtmr;
		/* the PIT's 16 bits are set going again for each window */
		have_pit = pit_start(&probes[n]);
		n += have_pit;
		if (!have_pit)
			failed[TSC_REF_PIT] = true;
		tsc_probe_window(probes, n, rider, &rr[r]);
		if (have_pit)
			pit_stop(&probes[n - 1]);
		for (int i = 0; i < n; i++) {
			runs[probes[i].ref][r] = probes[i].khz;
			if (!probes[i].khz)
				failed[probes[i].ref] = true;
		}
		if (r == 0) {
			u64 first[TSC_REF_COUNT];

			for (int i = 0; i < TSC_REF_COUNT; i++)
				first[i] = runs[i][0];
			if (tsc_window_conclusive(first))
				nruns = 1;
		}
	}
	if (have_hpet)
		hpet_stop(&hpet);
	for (int ref = TSC_REF_HPET; ref <= TSC_REF_PIT; ref++) {
		bool present = ref == TSC_REF_HPET ? have_hpet : ref == TSC_REF_PMTMR ? have_pmtmr :
			       true;

		khz[ref] = 0;
		if (!present || failed[ref])
			continue;
		tsc_runs_sort(runs[ref], nruns);
		khz[ref] = runs[ref][nruns / 2];
	}
	return nruns;
}

/* The rider's rate at the TSC rate chosen: the median of the windows, 0 if one did not count. */
static u64 rider_khz(const struct rider_run *rr, int nruns)
{
	u64 khz[CALIBRATE_RUNS];

	for (int r = 0; r < nruns; r++) {
		if (!rr[r].ticks || !rr[r].cycles)
			return 0;
		/* ticks per ms = ticks / (cycles / cycles-per-ms); ticks < 2^32, kHz < 2^26 */
		khz[r] = rr[r].ticks * tsc_khz / rr[r].cycles;
	}
	tsc_runs_sort(khz, nruns);
	return khz[nruns / 2];
}

static void time_set_khz(u64 khz)
{
	tsc_khz = khz;
	ns_mult = (1000000ULL << 32) / tsc_khz;
	tsc_mult = (tsc_khz << 32) / 1000000ULL;
}

static void tsc_report(const u64 khz[TSC_REF_COUNT], const struct tsc_result *r)
{
	char line[160];
	int n = 0;

	for (int i = 0; i < TSC_REF_COUNT; i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%s %llu", n ? ", " : "",
			      tsc_ref_name((enum tsc_ref)i), (unsigned long long)khz[i]);
	switch (r->verdict) {
	case TSC_AGREED:
		pr_info("time: TSC %llu kHz from the %s (kHz: %s)\n", (unsigned long long)r->khz,
			tsc_ref_name(r->source), line);
		break;
	case TSC_OUTVOTED:
		pr_warn("time: TSC %llu kHz from the %s; disagreeing and ignored:%s%s%s%s"
			" (kHz: %s)\n", (unsigned long long)r->khz, tsc_ref_name(r->source),
			r->disagree & 1U << TSC_REF_HPET ? " HPET" : "",
			r->disagree & 1U << TSC_REF_PMTMR ? " PM-timer" : "",
			r->disagree & 1U << TSC_REF_PIT ? " PIT" : "",
			r->disagree & 1U << TSC_REF_CPUID ? " CPUID" : "", line);
		break;
	case TSC_NONE_AGREE:
		pr_err("time: error: no two clocks agree on the TSC rate (kHz: %s); using the %s's"
		       " %llu kHz: time may be wrong\n", line, tsc_ref_name(r->source),
		       (unsigned long long)r->khz);
		break;
	case TSC_UNCHECKED:
		pr_info("time: TSC %llu kHz from the %s, the only clock there is (kHz: %s)\n",
			(unsigned long long)r->khz, tsc_ref_name(r->source), line);
		break;
	case TSC_NO_CLOCK:
		pr_err("time: error: no HPET, ACPI PM timer or PIT answers and CPUID states no"
		       " TSC rate; keeping the guess of %llu kHz: time will be wrong\n",
		       (unsigned long long)tsc_khz);
		break;
	}
}

void time_calibrate_late(struct time_rider *rider)
{
	u64 khz[TSC_REF_COUNT] = { 0 };
	struct rider_run rr[CALIBRATE_RUNS] = { { 0 } };
	struct tsc_result r;
	u64 now_tsc, now_ns;
	int nruns = tsc_khz_measure(khz, rider, rr);

	khz[TSC_REF_CPUID] = cpuid_khz;
	tsc_calibrate_choose(khz, cpuid_exact, &r);
	tsc_report(khz, &r);
	if (r.verdict != TSC_NO_CLOCK) {
		/* continue from the time reached so far, at the new rate */
		now_tsc = rdtsc();
		now_ns = base_ns + tsc_to_ns(now_tsc - base_tsc);
		base_tsc = now_tsc;
		base_ns = now_ns;
		time_set_khz(r.khz);
		tsc_source = tsc_ref_name(r.source);
	}
	if (rider)
		rider->khz = rider_khz(rr, nruns);
}

void time_init(void)
{
	cpuid_khz = tsc_khz_from_cpuid(&cpuid_exact);
	tsc_khz = cpuid_khz;
	if (!tsc_khz) {
		/* provisional: one window is enough until the late vote */
		struct tsc_probe pit;

		if (pit_start(&pit)) {
			tsc_probe_window(&pit, 1, NULL, NULL);
			pit_stop(&pit);
			tsc_khz = pit.khz;
		}
		tsc_source = "PIT";
	}
	if (!tsc_khz) {
		tsc_khz = GUESS_KHZ;
		tsc_source = "a guess: no CPUID rate, no PIT";
	}
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
