/*
 * Unit tests for lib/llist.h: push says "was empty" only for the first node,
 * del_all takes everything newest first and leaves the list empty,
 * reverse_order gives push order, and four threads pushing at once lose
 * no node (run under ASan/UBSan with real threads).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <cmocka.h>

#include "lib/llist.h"

struct item {
	struct llist_node node;	/* first: a node is its item */
	int value;
};

static void test_push_take(void **state)
{
	struct llist_head head = { NULL };
	struct item items[3];
	struct llist_node *n;

	(void)state;
	assert_true(llist_empty(&head));
	for (int i = 0; i < 3; i++) {
		items[i].value = i;
		assert_int_equal(llist_add(&items[i].node, &head), i == 0);
	}
	assert_false(llist_empty(&head));
	n = llist_del_all(&head);
	assert_true(llist_empty(&head));
	assert_ptr_equal(llist_del_all(&head), NULL);
	/* newest first */
	assert_int_equal(((struct item *)n)->value, 2);
	n = llist_reverse_order(n);
	for (int i = 0; i < 3; i++, n = n->next)
		assert_int_equal(((struct item *)n)->value, i);
	assert_ptr_equal(n, NULL);
	/* empty again: the next push is a first one */
	assert_true(llist_add(&items[0].node, &head));
}

#define PUSHERS 4
#define PER_PUSHER 20000

static struct llist_head shared;
static struct item pushed[PUSHERS][PER_PUSHER];

static void *pusher(void *arg)
{
	struct item *mine = arg;

	for (int i = 0; i < PER_PUSHER; i++)
		llist_add(&mine[i].node, &shared);
	return NULL;
}

static void test_concurrent_push(void **state)
{
	pthread_t threads[PUSHERS];
	static unsigned char seen[PUSHERS][PER_PUSHER];
	unsigned long taken = 0;

	(void)state;
	for (int t = 0; t < PUSHERS; t++) {
		for (int i = 0; i < PER_PUSHER; i++)
			pushed[t][i].value = t * PER_PUSHER + i;
		assert_int_equal(pthread_create(&threads[t], NULL, pusher, pushed[t]), 0);
	}
	/* take while they push: batches may come out in any number */
	while (taken < (unsigned long)PUSHERS * PER_PUSHER) {
		for (struct llist_node *n = llist_del_all(&shared); n; n = n->next) {
			int v = ((struct item *)n)->value;

			assert_int_equal(seen[v / PER_PUSHER][v % PER_PUSHER], 0);
			seen[v / PER_PUSHER][v % PER_PUSHER] = 1;
			taken++;
		}
	}
	for (int t = 0; t < PUSHERS; t++)
		pthread_join(threads[t], NULL);
	assert_true(llist_empty(&shared));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_take),
		cmocka_unit_test(test_concurrent_push),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
