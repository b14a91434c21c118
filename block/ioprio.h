/*
 * I/O priorities, with Linux's classes and levels (ioprio_set(2), ionice):
 * RT (1) is served before BE (2) before IDLE (3); within RT and BE a level
 * 0 (most urgent) .. 7; "none" (0) means not set, and is served as BE
 * level 4, the level Linux derives from nice 0.
 *
 * stork keeps a priority in one byte, class << 3 | level, in bio->ioprio,
 * request->ioprio and io_context->ioprio; 0 is none. A bio with ioprio 0
 * takes its submitter's io_context's (block/blk_ioc.h).
 */
#ifndef BLOCK_IOPRIO_H
#define BLOCK_IOPRIO_H

#include "lib/types.h"

enum ioprio_class {
	IOPRIO_CLASS_NONE,
	IOPRIO_CLASS_RT,
	IOPRIO_CLASS_BE,
	IOPRIO_CLASS_IDLE,
	IOPRIO_NR_CLASSES,
};

#define IOPRIO_NR_LEVELS 8
#define IOPRIO_BE_NORM 4	/* the level of "none" */

static inline u8 ioprio_value(unsigned int cls, unsigned int level)
{
	return (u8)((cls << 3) | (level & 7));
}

static inline unsigned int ioprio_class_of(u8 prio)
{
	return prio >> 3;
}

static inline unsigned int ioprio_level_of(u8 prio)
{
	return prio & 7;
}

/* A class and level ionice or bench may set: the idle class has no levels. */
static inline bool ioprio_valid(unsigned int cls, unsigned int level)
{
	if (cls >= IOPRIO_NR_CLASSES || level >= IOPRIO_NR_LEVELS)
		return false;
	return cls != IOPRIO_CLASS_IDLE || level == 0;
}

/* util-linux ionice's names: "none", "realtime", "best-effort", "idle". */
static inline const char *ioprio_class_name(unsigned int cls)
{
	static const char *const names[IOPRIO_NR_CLASSES] = {
		"none", "realtime", "best-effort", "idle",
	};

	return cls < IOPRIO_NR_CLASSES ? names[cls] : "?";
}

#endif
