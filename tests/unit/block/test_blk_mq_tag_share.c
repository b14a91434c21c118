/*
 * Unit tests for block/blk_mq_tag_share.c: the fair share of a shared tag
 * map is ceil(depth / users), never below 4 nor above the depth, the whole
 * depth for one user (or none), and users active queues at their share
 * cover the depth without leaving more than one share's worth unused.
 * What `mq` shows for an idle queue is the share it would get as one
 * more active queue.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "block/blk_mq_tag_share.c"

static void test_examples(void **state)
{
	(void)state;
	assert_int_equal(blk_mq_tag_fair_share(64, 0), 64);
	assert_int_equal(blk_mq_tag_fair_share(64, 1), 64);
	assert_int_equal(blk_mq_tag_fair_share(64, 2), 32);
	assert_int_equal(blk_mq_tag_fair_share(64, 3), 22);	/* ceil(21.3) */
	assert_int_equal(blk_mq_tag_fair_share(16, 2), 8);
	assert_int_equal(blk_mq_tag_fair_share(16, 5), 4);	/* ceil(3.2) = 4 */
	assert_int_equal(blk_mq_tag_fair_share(16, 16), 4);	/* the floor */
	assert_int_equal(blk_mq_tag_fair_share(3, 2), 3);	/* the floor, capped at the depth */
	assert_int_equal(blk_mq_tag_fair_share(1, 7), 1);
	assert_int_equal(blk_mq_tag_fair_share(0xffffffffU, 2), 0x80000000U);	/* no wrap */
	assert_int_equal(blk_mq_tag_fair_share(0xffffffffU, 0xffffffffU), 4);
}

static void test_every_depth_and_user_count(void **state)
{
	(void)state;
	for (unsigned int depth = 1; depth <= 1024; depth++) {
		for (unsigned int users = 1; users <= 64; users++) {
			unsigned int share = blk_mq_tag_fair_share(depth, users);
			unsigned int want = (depth + users - 1) / users;

			if (want < BLK_MQ_TAG_SHARE_MIN)
				want = BLK_MQ_TAG_SHARE_MIN;
			if (want > depth)
				want = depth;
			assert_int_equal(share, want);
			assert_true(share >= 1 && share <= depth);
			/* users queues at their share can use the whole depth... */
			assert_true((unsigned long)share * users >= depth);
			/* ...and it is the least share that can, unless the floor holds it up */
			if (share > BLK_MQ_TAG_SHARE_MIN && users > 1)
				assert_true((unsigned long)(share - 1) * users < depth);
			/* more users never get a bigger share */
			assert_true(blk_mq_tag_fair_share(depth, users + 1) <= share);
		}
	}
}

static void test_shown(void **state)
{
	(void)state;
	/* not shared: the depth, whatever the counters say */
	assert_int_equal(blk_mq_tag_share_shown(64, false, true, 3), 64);
	/* shared and active: its share among the active queues it is one of */
	assert_int_equal(blk_mq_tag_share_shown(64, true, true, 2), 32);
	assert_int_equal(blk_mq_tag_share_shown(64, true, true, 1), 64);
	/* shared and idle: what it gets when its next allocation makes it active */
	assert_int_equal(blk_mq_tag_share_shown(64, true, false, 0), 64);
	assert_int_equal(blk_mq_tag_share_shown(64, true, false, 1), 32);
	assert_int_equal(blk_mq_tag_share_shown(64, true, false, 3), 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_every_depth_and_user_count),
		cmocka_unit_test(test_shown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
