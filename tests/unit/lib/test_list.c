/* Unit tests for lib/list.h: order after each operation, checked both ways. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/list.h"

struct request {
	int tag;
	struct list_head node;
};

/* Asserts that list holds exactly the tags in want, walking both directions. */
static void expect_tags(struct list_head *list, const int *want, size_t n)
{
	struct list_head *pos;
	struct request *rq;
	size_t i = 0;

	list_for_each_entry(rq, list, node) {
		assert_true(i < n);
		assert_int_equal(rq->tag, want[i]);
		i++;
	}
	assert_int_equal(i, n);
	for (pos = list->prev; pos != list; pos = pos->prev) {
		assert_true(i > 0);
		assert_int_equal(list_entry(pos, struct request, node)->tag, want[--i]);
		assert_ptr_equal(pos->next->prev, pos);
	}
	assert_int_equal(i, 0);
	assert_int_equal(list_empty(list), n == 0);
}

#define EXPECT(list, ...)						\
	do {								\
		const int want_[] = { __VA_ARGS__ };			\
		expect_tags(list, want_, ARRAY_SIZE(want_));		\
	} while (0)

static void init_requests(struct request *rq, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		rq[i].tag = i;
}

static void test_init_and_empty(void **state)
{
	LIST_HEAD(static_list);
	struct list_head dynamic;
	struct list_head *pos;
	int count = 0;

	(void)state;
	INIT_LIST_HEAD(&dynamic);
	assert_true(list_empty(&static_list));
	assert_true(list_empty(&dynamic));
	list_for_each(pos, &static_list)
		count++;
	assert_int_equal(count, 0);
	assert_null(list_first_entry_or_null(&dynamic, struct request, node));
}

static void test_add_and_del(void **state)
{
	struct request rq[4];
	LIST_HEAD(list);

	(void)state;
	init_requests(rq, 4);
	list_add_tail(&rq[1].node, &list);
	list_add_tail(&rq[2].node, &list);
	list_add(&rq[0].node, &list);
	list_add_tail(&rq[3].node, &list);
	EXPECT(&list, 0, 1, 2, 3);
	assert_ptr_equal(list_first_entry(&list, struct request, node), &rq[0]);
	assert_ptr_equal(list_last_entry(&list, struct request, node), &rq[3]);
	assert_true(list_is_last(&rq[3].node, &list));

	list_del(&rq[1].node);
	EXPECT(&list, 0, 2, 3);
	assert_ptr_equal(rq[1].node.next, LIST_POISON_NEXT);
	assert_ptr_equal(rq[1].node.prev, LIST_POISON_PREV);

	list_del_init(&rq[0].node);
	EXPECT(&list, 2, 3);
	assert_true(list_empty(&rq[0].node));

	list_del(&rq[2].node);
	list_del(&rq[3].node);
	assert_true(list_empty(&list));
}

static void test_move(void **state)
{
	struct request rq[4];
	LIST_HEAD(a);
	LIST_HEAD(b);
	int i;

	(void)state;
	init_requests(rq, 4);
	for (i = 0; i < 4; i++)
		list_add_tail(&rq[i].node, &a);
	list_move_tail(&rq[0].node, &a);
	EXPECT(&a, 1, 2, 3, 0);
	list_move_tail(&rq[2].node, &b);
	list_move(&rq[3].node, &b);
	EXPECT(&a, 1, 0);
	EXPECT(&b, 3, 2);
}

static void test_splice_tail_init(void **state)
{
	struct request rq[5];
	LIST_HEAD(a);
	LIST_HEAD(b);
	int i;

	(void)state;
	init_requests(rq, 5);
	list_splice_tail_init(&b, &a);
	assert_true(list_empty(&a));

	for (i = 0; i < 2; i++)
		list_add_tail(&rq[i].node, &a);
	for (i = 2; i < 5; i++)
		list_add_tail(&rq[i].node, &b);
	list_splice_tail_init(&b, &a);
	EXPECT(&a, 0, 1, 2, 3, 4);
	assert_true(list_empty(&b));

	/* Into an empty list. */
	list_splice_tail_init(&a, &b);
	EXPECT(&b, 0, 1, 2, 3, 4);
	assert_true(list_empty(&a));
}

static void test_for_each_entry_safe(void **state)
{
	struct request rq[6], *pos, *tmp;
	LIST_HEAD(list);
	LIST_HEAD(done);
	int i;

	(void)state;
	init_requests(rq, 6);
	for (i = 0; i < 6; i++)
		list_add_tail(&rq[i].node, &list);
	/* Remove every odd tag while walking, as a completion loop would. */
	list_for_each_entry_safe(pos, tmp, &list, node) {
		if (pos->tag % 2)
			list_move_tail(&pos->node, &done);
	}
	EXPECT(&list, 0, 2, 4);
	EXPECT(&done, 1, 3, 5);

	list_for_each_entry_safe(pos, tmp, &list, node)
		list_del(&pos->node);
	assert_true(list_empty(&list));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_and_empty),
		cmocka_unit_test(test_add_and_del),
		cmocka_unit_test(test_move),
		cmocka_unit_test(test_splice_tail_init),
		cmocka_unit_test(test_for_each_entry_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
