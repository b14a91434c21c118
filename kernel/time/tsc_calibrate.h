/*
 * Choosing the TSC rate from what the machine offers: measurements against
 * the HPET, the ACPI PM timer and the PIT (any of them may be missing, as
 * with QEMU's `pit=off` and `hpet=off`), and the rate CPUID leaf 0x15
 * (crystal ratio) or 0x16 (nominal MHz) states. Every candidate is a vote;
 * the one most others agree with (within TSC_AGREE_PERMILLE) wins, ties going
 * to the better source (HPET, PM timer, PIT, then CPUID), and CPUID is never
 * believed on its own word when a clock can check it. Pure logic
 * (tsc_calibrate.c), tested on the host; kernel/time/time.c measures and
 * reports.
 */
#ifndef KERNEL_TIME_TSC_CALIBRATE_H
#define KERNEL_TIME_TSC_CALIBRATE_H

#include "lib/types.h"

enum tsc_ref {
	TSC_REF_HPET,
	TSC_REF_PMTMR,
	TSC_REF_PIT,
	TSC_REF_CPUID,
	TSC_REF_COUNT,
};

#define TSC_AGREE_PERMILLE	20	/* 2%: what two honest measurements stay within */

enum tsc_verdict {
	TSC_AGREED,		/* every candidate agrees with the chosen one */
	TSC_OUTVOTED,		/* some disagree (in `disagree`): the majority is used */
	TSC_NONE_AGREE,		/* two or more candidates and no two agree: the best is used */
	TSC_UNCHECKED,		/* one candidate only: nothing to check it against */
	TSC_NO_CLOCK,		/* no candidate at all */
};

struct tsc_result {
	u64 khz;			/* 0 with TSC_NO_CLOCK */
	enum tsc_ref source;		/* where khz comes from */
	unsigned int agree;		/* bit per enum tsc_ref agreeing with source */
	unsigned int disagree;		/* bit per enum tsc_ref that does not */
	enum tsc_verdict verdict;
};

/*
 * khz[ref]: each candidate's rate, 0 when it is absent. cpuid_exact: the
 * CPUID rate comes from the crystal ratio (leaf 0x15) and is exact, so it is
 * the one used when a measurement confirms it; a nominal leaf 0x16 rate is
 * only a vote.
 */
void tsc_calibrate_choose(const u64 khz[TSC_REF_COUNT], bool cpuid_exact, struct tsc_result *r);

bool tsc_khz_agree(u64 a, u64 b);
/*
 * One calibration window's measurements (0: not measured) settle the rate
 * without a median: two or more clocks measured, and every two agree.
 */
bool tsc_window_conclusive(const u64 khz[TSC_REF_COUNT]);
const char *tsc_ref_name(enum tsc_ref ref);

#endif
