/*
 * The fair share of a shared tag map (docs/shared_tags.md): when several
 * request queues allocate from one blk_mq_tags (NVMe namespaces on one
 * controller, null devices made with shared_tags=1), each queue that is
 * active may hold at most max(4, ceil(depth / active queues)) tags, as
 * Linux's hctx_may_queue allows, so one busy queue cannot take every tag
 * and starve the others. Pure arithmetic, tested on the host.
 */
#ifndef BLOCK_BLK_MQ_TAG_SHARE_H
#define BLOCK_BLK_MQ_TAG_SHARE_H

#include "lib/types.h"

/* Tags no queue is limited below, however many share: a floor for progress. */
#define BLK_MQ_TAG_SHARE_MIN 4U

/*
 * The tags one active queue may hold out of depth (normal tags, reserved
 * ones not counted) when users queues are active: ceil(depth / users), at
 * least BLK_MQ_TAG_SHARE_MIN, at most depth. users == 0 (nobody counted
 * yet) is treated as 1: the whole depth.
 */
unsigned int blk_mq_tag_fair_share(unsigned int depth, unsigned int users);

/*
 * The share `mq` reports for one queue: its limit now when it is active,
 * else the limit it would get on its next allocation (which makes it one
 * more active queue); depth when the set is not shared.
 */
unsigned int blk_mq_tag_share_shown(unsigned int depth, bool shared, bool active,
				    unsigned int active_queues);

#endif
