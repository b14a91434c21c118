/*
 * What other shell commands use of direct-IO: reading a range of a file
 * "<disk>:<path>" for `read` and `sum` (block/blk_shell.c), which take a
 * file wherever they take a disk.
 */
#ifndef BLOCK_DIO_SHELL_H
#define BLOCK_DIO_SHELL_H

#include "lib/types.h"

/* Called for each piece read: data holds len bytes of the file from byte off. */
typedef void (*dio_shell_consume_fn)(void *arg, const u8 *data, size_t len, u64 off);

/*
 * Read count blocks of the file name from block lba (numbers of the
 * filesystem's blocks; with a size suffix, bytes in multiples of 512), at
 * most max_bytes, stopping short at the end of the file; pieces go to
 * consume. *bytes is what was read. Errors are printed ("error: ...") and
 * returned.
 */
int dio_shell_file_read(const char *name, const char *lba_s, const char *count_s,
			u64 max_bytes, dio_shell_consume_fn consume, void *arg, u64 *first,
			u64 *bytes);

#endif
