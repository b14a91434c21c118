/*
 * Kernel symbols: turn a text address into "function+offset/size" for stack
 * traces. The table is generated at build time from the kernel's own symbols
 * (tools/gen-ksyms, see the Makefile) and linked into the image: addresses
 * sorted ascending, with a name for each.
 */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include "lib/types.h"

/* Longest "name+0x.../0x..." worth printing; longer names are cut. */
#define KSYM_FORMAT_MAX	128

/*
 * The name of the function holding addr, its offset into it and its size
 * (the distance to the next symbol); offset and size may be NULL. NULL when
 * addr is outside kernel text.
 */
const char *ksym_lookup(u64 addr, u64 *offset, u64 *size);
/*
 * "name+0x1c/0x80", or "0x<hex>" when addr is not in kernel text. Returns
 * the length of the full string, like snprintf.
 */
int ksym_format(char *buf, size_t len, u64 addr);
/*
 * The same for a return address: named after the call instruction before
 * it, which matters when the call is the last instruction of a function (a
 * call to a noreturn function) and ret is already the next function.
 */
int ksym_format_return(char *buf, size_t len, u64 ret);

/* A symbol table; the kernel's own is built from the linked arrays. */
struct ksym_table {
	u64 count;
	const u64 *addrs;		/* ascending */
	const u32 *name_offsets;	/* into names */
	const char *names;		/* NUL-separated */
	u64 text_end;			/* end of the last symbol */
};

const char *ksym_table_lookup(const struct ksym_table *t, u64 addr, u64 *offset, u64 *size);
int ksym_table_format(const struct ksym_table *t, char *buf, size_t len, u64 addr,
		      bool is_return);

#endif
