/*
 * blk_cmd_disk(): a shell command opens the disk it names with a reference
 * (blkdev_get_by_name), so that `nullb del` or `dm remove` meanwhile cannot
 * free it under the command; a name that is no disk gets one error line
 * listing the disks there are. Shared by every block command, so it sits
 * below them (block/blk_disk_shell.h).
 */
#include "block/blk_disk_shell.h"
#include "kernel/shell/shell.h"
#include "lib/errno.h"
#include "lib/printf.h"

struct disk_list {
	char *buf;
	size_t len, used;
};

static int disk_list_add(struct gendisk *disk, void *arg)
{
	struct disk_list *l = arg;
	int n = snprintf(l->buf + l->used, l->len - l->used, "%s%s", l->used ? " " : "",
			 disk->name);

	if (n < 0 || (size_t)n >= l->len - l->used) {
		l->buf[l->used] = '\0';
		return 1;
	}
	l->used += (size_t)n;
	return 0;
}

void blk_cmd_disk_error(const char *name)
{
	char names[200];
	struct disk_list l = { names, sizeof(names), 0 };

	names[0] = '\0';
	disk_for_each(disk_list_add, &l);
	shell_error("no disk '%s' (%s%s)", name, l.used ? "disks: " : "there are no disks",
		    names);
}

struct gendisk *blk_cmd_disk(const char *name)
{
	struct gendisk *disk = blkdev_get_by_name(name);

	if (!IS_ERR(disk))
		return disk;
	blk_cmd_disk_error(name);
	return NULL;
}
