/*
 * The kernel's UBSan runtime (kernel/debug/ubsan.c), present in every build
 * and called only by a `make DEBUG=1` kernel, whose code gcc instruments.
 */
#ifndef KERNEL_DEBUG_UBSAN_H
#define KERNEL_DEBUG_UBSAN_H

/* Findings reported since boot (each source location once). */
unsigned long ubsan_report_count(void);

#endif
