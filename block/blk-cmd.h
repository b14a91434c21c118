/*
 * What the block shell commands share: block/blk-cmd.c (read, write, sum,
 * flush, discard, write-zeroes) and block/blk-mq-cmd.c (mq, queue).
 */
#ifndef BLOCK_BLK_CMD_H
#define BLOCK_BLK_CMD_H

#include "block/blkdev.h"

/*
 * The disk called name; when there is none, print an error line that lists
 * the disks there are, and return NULL.
 */
struct gendisk *blk_cmd_disk(const char *name);

/*
 * Take every flag ("--json") out of argv, wherever it is after argv[0];
 * returns whether there was one. argc is updated.
 */
bool blk_cmd_take_flag(int *argc, char **argv, const char *flag);

#endif
