/*
 * Fair share of a shared tag map: the arithmetic of Linux's hctx_may_queue
 * (block/blk_mq_tag_share.h). Kept apart from blk_mq_tag.c so the host
 * tests can check it for every depth and number of queues.
 */
#include "block/blk_mq_tag_share.h"

unsigned int blk_mq_tag_fair_share(unsigned int depth, unsigned int users)
{
	unsigned int share;

	if (users <= 1)
		return depth;
	/* ceil without overflow: depth + users - 1 could wrap near UINT_MAX */
	share = depth / users + (depth % users != 0);
	if (share < BLK_MQ_TAG_SHARE_MIN)
		share = BLK_MQ_TAG_SHARE_MIN;
	return share < depth ? share : depth;
}

unsigned int blk_mq_tag_share_shown(unsigned int depth, bool shared, bool active,
				    unsigned int active_queues)
{
	if (!shared)
		return depth;
	return blk_mq_tag_fair_share(depth, active ? active_queues : active_queues + 1);
}
