/*
 * Opening a disk by name for a shell command, which every block command
 * does (block/blk_shell.c, blk_mq_shell.c, dio_shell.c, the trace and
 * floor commands); implemented in block/blk_disk_shell.c.
 */
#ifndef BLOCK_BLK_DISK_SHELL_H
#define BLOCK_BLK_DISK_SHELL_H

#include "block/blkdev.h"

/*
 * Open the disk called name for the command (blkdev_get_by_name), so that
 * a `nullb del` or `dm remove` meanwhile cannot free it under the command
 * (a background one, say); when there is none, print an error line that
 * lists the disks there are, and return NULL. The command blkdev_puts it:
 * a pointer declared __blk_cmd_put does so on every return (GCC's cleanup
 * attribute, as Linux's __free()).
 */
struct gendisk *blk_cmd_disk(const char *name);
/* The error line of blk_cmd_disk alone: "no disk 'x' (disks: ...)". */
void blk_cmd_disk_error(const char *name);

static inline void blk_cmd_disk_release(struct gendisk **disk)
{
	if (*disk)
		blkdev_put(*disk);
}
#define __blk_cmd_put __attribute__((cleanup(blk_cmd_disk_release)))

#endif
