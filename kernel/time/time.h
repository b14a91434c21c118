/*
 * Time: the TSC is the clock. time_ns() is monotonic nanoseconds since the
 * kernel was entered (the TSC is read in the 32-bit entry code).
 */
#ifndef KERNEL_TIME_TIME_H
#define KERNEL_TIME_TIME_H

#include "lib/types.h"

#define NSEC_PER_USEC	1000ULL
#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

extern u64 tsc_khz;
extern const char *tsc_source;	/* how tsc_khz was found */
extern u64 boot_tsc;	/* TSC at kernel entry, written by boot/entry.S */

/* calibrate the TSC; silent, so that it can run before the command line is read */
void time_init(void);
/*
 * A counter measured in the late calibration's own windows, against the
 * TSC (the local APIC timer: one set of windows for both). sample() gives a
 * count that goes up within mask, stamped with the TSC midway through its
 * read; khz is set to its rate at the TSC rate chosen, the median of the
 * windows, or 0 when it did not count.
 */
struct time_rider {
	u64 (*sample)(u64 *tsc);
	u64 mask;
	u64 khz;
};

/*
 * After acpi_init(), before other CPUs run or interrupts are on: measure the
 * TSC against every clock there is and vote; rider (may be NULL) is measured
 * in the same windows.
 */
void time_calibrate_late(struct time_rider *rider);
u64 time_ns(void);
/* The TSC value at which time_ns() reaches ns (for TSC-deadline timers). */
u64 time_ns_to_tsc(u64 ns);
u64 tsc_to_ns(u64 cycles);
u64 ns_to_tsc(u64 ns);
/* busy-wait; for drivers' short register delays and for early boot */
void udelay(u64 us);
void ndelay(u64 ns);

#endif
