/*
 * Static keys: a branch that costs one 5-byte NOP while its key is off and
 * a direct jump while it is on, with no load and no test of a variable.
 * For code on the I/O hot path that must be free when unused (block
 * tracing: docs/blk-trace.md).
 *
 * Each static_key_false() use site emits a 5-byte NOP and records {site,
 * jump target, key} in the section .static_key_sites (linker.ld collects
 * it). static_key_enable() rewrites every site of the key into
 * `jmp rel32` to its target; static_key_disable() writes the NOP back.
 * Patching stops the other CPUs (kernel/arch/static_key.c), so no CPU
 * executes a half-written instruction.
 */
#ifndef KERNEL_ARCH_STATIC_KEY_H
#define KERNEL_ARCH_STATIC_KEY_H

#include "lib/types.h"

struct static_key {
	int enabled;		/* enable count; changed under static_key_lock only */
};

#define STATIC_KEY_INIT { 0 }

/* One use site, as emitted by static_key_false(). */
struct static_key_site {
	u64 code;		/* address of the 5-byte NOP */
	u64 target;		/* where the jump goes while the key is on */
	u64 key;		/* struct static_key * */
};

#define STATIC_KEY_NOP5 ".byte 0x0f, 0x1f, 0x44, 0x00, 0x00"

/*
 * True while key is enabled. Use as `if (static_key_false(&k)) slow();`:
 * the slow path moves out of line and the straight line costs one NOP.
 */
static inline __attribute__((always_inline)) bool static_key_false(struct static_key *key)
{
	__asm__ goto("1: " STATIC_KEY_NOP5 "\n\t"
		     ".pushsection .static_key_sites, \"a\"\n\t"
		     ".balign 8\n\t"
		     ".quad 1b, %l[l_yes], %c0\n\t"
		     ".popsection\n\t"
		     : : "i"(key) : : l_yes);
	return false;
l_yes:
	return true;
}

/*
 * Count up (down); the sites are patched when the count leaves (reaches)
 * 0. Thread context, may sleep; returns the number of sites patched.
 */
unsigned int static_key_enable(struct static_key *key);
unsigned int static_key_disable(struct static_key *key);
bool static_key_enabled(const struct static_key *key);
/* How many sites key has in the kernel image. */
unsigned int static_key_nr_sites(const struct static_key *key);

#endif
