/*
 * The TSC rate vote (tsc_calibrate.h). Agreement is symmetric: |a - b| at
 * most TSC_AGREE_PERMILLE thousandths of the larger. A candidate's score is
 * how many others agree with it; the highest score wins and the first in
 * enum order breaks a tie, so with everything present and agreeing the HPET's
 * measurement is the rate (its period is stated by the hardware in
 * femtoseconds), unless CPUID's exact crystal ratio is among those that agree.
 */
#include "kernel/time/tsc_calibrate.h"

bool tsc_khz_agree(u64 a, u64 b)
{
	u64 hi = a > b ? a : b, lo = a > b ? b : a;

	return hi && (hi - lo) * 1000 <= hi * TSC_AGREE_PERMILLE;
}

bool tsc_window_conclusive(const u64 khz[TSC_REF_COUNT])
{
	int measured = 0;

	for (int i = 0; i < TSC_REF_COUNT; i++) {
		if (!khz[i])
			continue;
		measured++;
		for (int j = 0; j < i; j++)
			if (khz[j] && !tsc_khz_agree(khz[i], khz[j]))
				return false;
	}
	return measured >= 2;
}

const char *tsc_ref_name(enum tsc_ref ref)
{
	static const char *const names[TSC_REF_COUNT] = {
		[TSC_REF_HPET] = "HPET", [TSC_REF_PMTMR] = "ACPI PM timer",
		[TSC_REF_PIT] = "PIT", [TSC_REF_CPUID] = "CPUID",
	};

	return ref < TSC_REF_COUNT ? names[ref] : "?";
}

void tsc_calibrate_choose(const u64 khz[TSC_REF_COUNT], bool cpuid_exact, struct tsc_result *r)
{
	int score[TSC_REF_COUNT], best = -1;
	unsigned int present = 0;

	*r = (struct tsc_result){ .verdict = TSC_NO_CLOCK, .source = TSC_REF_COUNT };
	for (int i = 0; i < TSC_REF_COUNT; i++) {
		score[i] = -1;
		if (!khz[i])
			continue;
		present++;
		score[i] = 0;
		for (int j = 0; j < TSC_REF_COUNT; j++)
			if (j != i && khz[j] && tsc_khz_agree(khz[i], khz[j]))
				score[i]++;
		if (best < 0 || score[i] > score[best])
			best = i;
	}
	if (best < 0)
		return;
	/* an exact CPUID rate stands in for the measurement it agrees with */
	if (best != TSC_REF_CPUID && cpuid_exact && khz[TSC_REF_CPUID] &&
	    tsc_khz_agree(khz[best], khz[TSC_REF_CPUID]))
		best = TSC_REF_CPUID;
	r->source = (enum tsc_ref)best;
	r->khz = khz[best];
	for (int i = 0; i < TSC_REF_COUNT; i++) {
		if (i == best || !khz[i])
			continue;
		if (tsc_khz_agree(khz[best], khz[i]))
			r->agree |= 1U << i;
		else
			r->disagree |= 1U << i;
	}
	if (present == 1)
		r->verdict = TSC_UNCHECKED;
	else if (!r->agree)
		r->verdict = TSC_NONE_AGREE;
	else
		r->verdict = r->disagree ? TSC_OUTVOTED : TSC_AGREED;
}
