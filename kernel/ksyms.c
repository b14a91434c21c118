/*
 * Symbol lookup over the table that tools/gen-ksyms links into the image.
 * The search works on a struct ksym_table so that the host unit test
 * (tests/unit/kernel/test_ksyms.c) can run it on a table of its own; the
 * kernel's table is the linked arrays, bounded by the end of .text.
 */
#include "kernel/ksyms.h"
#include "lib/printf.h"

extern const u64 ksyms_count;
extern const u64 ksyms_addrs[];
extern const u32 ksyms_name_offsets[];
extern const char ksyms_names[];
extern const char __text_end[];

/*
 * The last symbol at or below addr. Several names can share an address
 * (__text_start and the first function); the last one in the table wins,
 * which is the function, since the linker's markers sort first.
 */
const char *ksym_table_lookup(const struct ksym_table *t, u64 addr, u64 *offset, u64 *size)
{
	u64 lo = 0, hi = t->count, next;

	if (!t->count || addr < t->addrs[0] || addr >= t->text_end)
		return NULL;
	/* invariant: addrs[lo] <= addr, and every index >= hi is above addr */
	while (hi - lo > 1) {
		u64 mid = lo + (hi - lo) / 2;

		if (t->addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	next = lo + 1 < t->count ? t->addrs[lo + 1] : t->text_end;
	if (offset)
		*offset = addr - t->addrs[lo];
	if (size)
		*size = next - t->addrs[lo];
	return t->names + t->name_offsets[lo];
}

int ksym_table_format(const struct ksym_table *t, char *buf, size_t len, u64 addr,
		      bool is_return)
{
	u64 offset, size;
	const char *name;

	/* a return address of 0 has no call before it; leave it raw */
	name = is_return && addr ? ksym_table_lookup(t, addr - 1, &offset, &size)
				 : ksym_table_lookup(t, addr, &offset, &size);
	if (!name)
		return snprintf(buf, len, "0x%llx", (unsigned long long)addr);
	if (is_return)
		offset++;
	return snprintf(buf, len, "%s+0x%llx/0x%llx", name, (unsigned long long)offset,
			(unsigned long long)size);
}

static struct ksym_table kernel_table(void)
{
	struct ksym_table t = {
		ksyms_count, ksyms_addrs, ksyms_name_offsets, ksyms_names, (u64)__text_end,
	};

	return t;
}

const char *ksym_lookup(u64 addr, u64 *offset, u64 *size)
{
	struct ksym_table t = kernel_table();

	return ksym_table_lookup(&t, addr, offset, size);
}

int ksym_format(char *buf, size_t len, u64 addr)
{
	struct ksym_table t = kernel_table();

	return ksym_table_format(&t, buf, len, addr, false);
}

int ksym_format_return(char *buf, size_t len, u64 ret)
{
	struct ksym_table t = kernel_table();

	return ksym_table_format(&t, buf, len, ret, true);
}
