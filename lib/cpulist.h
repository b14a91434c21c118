/*
 * CPU lists as Linux writes them ("0-3,8,10-11"): parsed into and formatted
 * from bitmaps. Used by `cpus_allowed=` style options and by `mq` output.
 */
#ifndef LIB_CPULIST_H
#define LIB_CPULIST_H

#include "lib/types.h"

/*
 * Parse s into map (nbits bits, cleared first). Returns 0, -EINVAL for a
 * malformed list or a reversed range, -ERANGE for a CPU number >= nbits.
 */
int cpulist_parse(const char *s, unsigned long *map, size_t nbits);
/* Format map as a list; returns the length snprintf would have written. */
int cpulist_format(char *buf, size_t len, const unsigned long *map, size_t nbits);

#endif
