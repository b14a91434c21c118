/*
 * Lock-less singly-linked lists, as Linux's llist: any number of producers
 * push with a compare-and-swap, one consumer takes the whole list at once
 * with an exchange. Nothing else (no single delete, no walk of a live
 * list), which is what makes it safe without a lock. push says whether the
 * list was empty, so that a producer can tell whether it is the one that
 * must wake the consumer (blk-mq sends one IPI per batch that way).
 */
#ifndef LIB_LLIST_H
#define LIB_LLIST_H

#include "lib/types.h"

struct llist_node {
	struct llist_node *next;
};

struct llist_head {
	struct llist_node *first;
};

static inline bool llist_empty(const struct llist_head *head)
{
	return __atomic_load_n(&head->first, __ATOMIC_RELAXED) == NULL;
}

/* Add node at the head; true when the list was empty before. */
static inline bool llist_add(struct llist_node *node, struct llist_head *head)
{
	struct llist_node *first = __atomic_load_n(&head->first, __ATOMIC_RELAXED);

	do {
		node->next = first;
	} while (!__atomic_compare_exchange_n(&head->first, &first, node, true, __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
	return first == NULL;
}

/* Take every node, newest first; the list is empty after. */
static inline struct llist_node *llist_del_all(struct llist_head *head)
{
	return __atomic_exchange_n(&head->first, NULL, __ATOMIC_ACQUIRE);
}

/* Reverse what llist_del_all returned: oldest first. */
static inline struct llist_node *llist_reverse_order(struct llist_node *node)
{
	struct llist_node *reversed = NULL;

	while (node) {
		struct llist_node *next = node->next;

		node->next = reversed;
		reversed = node;
		node = next;
	}
	return reversed;
}

#endif
