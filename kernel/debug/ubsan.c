/*
 * UBSan's runtime for the kernel (`make DEBUG=1` builds the kernel with
 * -fsanitize=<the checks in the Makefile>): gcc calls these handlers when a
 * check fails. Each prints one line, "UBSAN: <what> at file:line:col in
 * <function>", once per source location, and returns: the kernel goes on,
 * as the sanitizer's recover mode does, so one run shows every finding.
 * The structures are gcc's (and clang's) ABI for these calls. Built without
 * -fsanitize itself (Makefile), so a handler cannot recurse into itself.
 */
#include "kernel/debug/ubsan.h"
#include "kernel/console/printk.h"
#include "kernel/ksyms.h"
#include "lib/types.h"

struct ubsan_source_location {
	const char *file;
	u32 line;
	u32 column;	/* its top bit: reported once already */
};

struct ubsan_type {
	u16 kind;	/* 0 integer, 1 float */
	u16 info;	/* integer: bit 0 signed, bits 15:1 log2 of the width */
	char name[];
};

struct ubsan_overflow {
	struct ubsan_source_location loc;
	const struct ubsan_type *type;
};

struct ubsan_shift {
	struct ubsan_source_location loc;
	const struct ubsan_type *lhs_type, *rhs_type;
};

struct ubsan_out_of_bounds {
	struct ubsan_source_location loc;
	const struct ubsan_type *array_type, *index_type;
};

struct ubsan_type_mismatch {
	struct ubsan_source_location loc;
	const struct ubsan_type *type;
	u8 log_alignment;
	u8 type_check_kind;
};

struct ubsan_location_only {
	struct ubsan_source_location loc;
};

struct ubsan_invalid_value {
	struct ubsan_source_location loc;
	const struct ubsan_type *type;
};

struct ubsan_nonnull_arg {
	struct ubsan_source_location loc;
	struct ubsan_source_location attr_loc;
	int arg_index;
};

#define UBSAN_REPORTED 0x80000000U

static unsigned long ubsan_reports;

unsigned long ubsan_report_count(void)
{
	return __atomic_load_n(&ubsan_reports, __ATOMIC_RELAXED);
}

static void ubsan_report(struct ubsan_source_location *loc, const char *what, u64 ret,
			 const char *detail)
{
	char where[96];

	/* once per location: a check in a loop must not flood the console */
	if (__atomic_fetch_or(&loc->column, UBSAN_REPORTED, __ATOMIC_RELAXED) & UBSAN_REPORTED)
		return;
	__atomic_fetch_add(&ubsan_reports, 1, __ATOMIC_RELAXED);
	ksym_format_return(where, sizeof(where), ret);
	pr_err("UBSAN: %s%s at %s:%u:%u in %s\n", what, detail, loc->file, loc->line,
	       (unsigned int)(loc->column & ~UBSAN_REPORTED), where);
}

#define RET ((u64)__builtin_return_address(0))

void __ubsan_handle_add_overflow(struct ubsan_overflow *d, void *a, void *b);
void __ubsan_handle_sub_overflow(struct ubsan_overflow *d, void *a, void *b);
void __ubsan_handle_mul_overflow(struct ubsan_overflow *d, void *a, void *b);
void __ubsan_handle_negate_overflow(struct ubsan_overflow *d, void *a);
void __ubsan_handle_divrem_overflow(struct ubsan_overflow *d, void *a, void *b);
void __ubsan_handle_shift_out_of_bounds(struct ubsan_shift *d, void *a, void *b);
void __ubsan_handle_out_of_bounds(struct ubsan_out_of_bounds *d, void *index);
void __ubsan_handle_type_mismatch_v1(struct ubsan_type_mismatch *d, void *ptr);
void __ubsan_handle_pointer_overflow(struct ubsan_location_only *d, void *base, void *result);
void __ubsan_handle_builtin_unreachable(struct ubsan_location_only *d);
void __ubsan_handle_load_invalid_value(struct ubsan_invalid_value *d, void *v);
void __ubsan_handle_nonnull_arg(struct ubsan_nonnull_arg *d);
void __ubsan_handle_nonnull_return_v1(struct ubsan_location_only *d,
				      struct ubsan_source_location *loc);
void __ubsan_handle_vla_bound_not_positive(struct ubsan_invalid_value *d, void *bound);
void __ubsan_handle_invalid_builtin(struct ubsan_location_only *d);

void __ubsan_handle_add_overflow(struct ubsan_overflow *d, void *a, void *b)
{
	ubsan_report(&d->loc, "addition overflow of ", RET, d->type->name);
}

void __ubsan_handle_sub_overflow(struct ubsan_overflow *d, void *a, void *b)
{
	ubsan_report(&d->loc, "subtraction overflow of ", RET, d->type->name);
}

void __ubsan_handle_mul_overflow(struct ubsan_overflow *d, void *a, void *b)
{
	ubsan_report(&d->loc, "multiplication overflow of ", RET, d->type->name);
}

void __ubsan_handle_negate_overflow(struct ubsan_overflow *d, void *a)
{
	ubsan_report(&d->loc, "negation overflow of ", RET, d->type->name);
}

void __ubsan_handle_divrem_overflow(struct ubsan_overflow *d, void *a, void *b)
{
	ubsan_report(&d->loc, "division by zero or overflow of ", RET, d->type->name);
}

void __ubsan_handle_shift_out_of_bounds(struct ubsan_shift *d, void *a, void *b)
{
	ubsan_report(&d->loc, "shift out of bounds of ", RET, d->lhs_type->name);
}

void __ubsan_handle_out_of_bounds(struct ubsan_out_of_bounds *d, void *index)
{
	ubsan_report(&d->loc, "index out of bounds of ", RET, d->array_type->name);
}

void __ubsan_handle_type_mismatch_v1(struct ubsan_type_mismatch *d, void *ptr)
{
	const char *what = !ptr ? "null pointer use of " :
			   d->log_alignment && ((uintptr_t)ptr & ((1UL << d->log_alignment) - 1)) ?
			   "misaligned pointer use of " : "object too small for ";

	ubsan_report(&d->loc, what, RET, d->type->name);
}

void __ubsan_handle_pointer_overflow(struct ubsan_location_only *d, void *base, void *result)
{
	ubsan_report(&d->loc, "pointer overflow", RET, "");
}

void __ubsan_handle_builtin_unreachable(struct ubsan_location_only *d)
{
	ubsan_report(&d->loc, "unreachable code reached", RET, "");
}

void __ubsan_handle_load_invalid_value(struct ubsan_invalid_value *d, void *v)
{
	ubsan_report(&d->loc, "invalid value loaded for ", RET, d->type->name);
}

void __ubsan_handle_nonnull_arg(struct ubsan_nonnull_arg *d)
{
	ubsan_report(&d->loc, "null passed as a nonnull argument", RET, "");
}

void __ubsan_handle_nonnull_return_v1(struct ubsan_location_only *d,
				      struct ubsan_source_location *loc)
{
	ubsan_report(loc, "null returned from a returns_nonnull function", RET, "");
}

void __ubsan_handle_vla_bound_not_positive(struct ubsan_invalid_value *d, void *bound)
{
	ubsan_report(&d->loc, "variable-length array bound not positive for ", RET,
		     d->type->name);
}

void __ubsan_handle_invalid_builtin(struct ubsan_location_only *d)
{
	ubsan_report(&d->loc, "invalid argument to a builtin (clz/ctz of 0)", RET, "");
}
