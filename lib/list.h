/*
 * Intrusive circular doubly-linked lists, as in Linux: a struct list_head
 * is embedded in each element and the list itself is one more list_head
 * whose next/prev point at the first/last element (or at itself when
 * empty). No function here locks; the owner of the list does.
 */
#ifndef LIB_LIST_H
#define LIB_LIST_H

#include "lib/types.h"

struct list_head {
	struct list_head *next, *prev;
};

/*
 * list_del() leaves these non-canonical addresses behind so that using a
 * removed entry faults at once instead of corrupting a neighbour.
 */
#define LIST_POISON_NEXT ((struct list_head *)0xdead000000000100UL)
#define LIST_POISON_PREV ((struct list_head *)0xdead000000000122UL)

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *list)
{
	list->next = list;
	list->prev = list;
}

static inline void __list_add(struct list_head *entry, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = entry;
	entry->next = next;
	entry->prev = prev;
	prev->next = entry;
}

/* Inserts entry right after head: pushes onto a stack. */
static inline void list_add(struct list_head *entry, struct list_head *head)
{
	__list_add(entry, head, head->next);
}

/* Inserts entry right before head: appends to a queue. */
static inline void list_add_tail(struct list_head *entry, struct list_head *head)
{
	__list_add(entry, head->prev, head);
}

static inline void __list_del(struct list_head *entry)
{
	entry->next->prev = entry->prev;
	entry->prev->next = entry->next;
}

static inline void list_del(struct list_head *entry)
{
	__list_del(entry);
	entry->next = LIST_POISON_NEXT;
	entry->prev = LIST_POISON_PREV;
}

/* Removes entry and leaves it an empty list, so it may be tested or re-added. */
static inline void list_del_init(struct list_head *entry)
{
	__list_del(entry);
	INIT_LIST_HEAD(entry);
}

static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}

static inline bool list_is_last(const struct list_head *entry,
				const struct list_head *head)
{
	return entry->next == head;
}

static inline void list_move(struct list_head *entry, struct list_head *head)
{
	__list_del(entry);
	list_add(entry, head);
}

static inline void list_move_tail(struct list_head *entry, struct list_head *head)
{
	__list_del(entry);
	list_add_tail(entry, head);
}

/* Moves every entry of list to the end of head and leaves list empty. */
static inline void list_splice_tail_init(struct list_head *list,
					 struct list_head *head)
{
	struct list_head *first = list->next, *last = list->prev;

	if (list_empty(list))
		return;
	first->prev = head->prev;
	head->prev->next = first;
	last->next = head;
	head->prev = last;
	INIT_LIST_HEAD(list);
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)

/* The list must not be empty. */
#define list_first_entry(head, type, member) \
	list_entry((head)->next, type, member)
#define list_last_entry(head, type, member) \
	list_entry((head)->prev, type, member)

#define list_first_entry_or_null(head, type, member) \
	(list_empty(head) ? NULL : list_first_entry(head, type, member))

#define list_next_entry(pos, member) \
	list_entry((pos)->member.next, __typeof__(*(pos)), member)

#define list_for_each(pos, head) \
	for (pos = (head)->next; pos != (head); pos = pos->next)

#define list_for_each_entry(pos, head, member)				\
	for (pos = list_first_entry(head, __typeof__(*(pos)), member);	\
	     &pos->member != (head);					\
	     pos = list_next_entry(pos, member))

/* Safe against removal of pos: tmp already holds the next entry. */
#define list_for_each_entry_safe(pos, tmp, head, member)		\
	for (pos = list_first_entry(head, __typeof__(*(pos)), member),	\
	     tmp = list_next_entry(pos, member);			\
	     &pos->member != (head);					\
	     pos = tmp, tmp = list_next_entry(tmp, member))

#endif
