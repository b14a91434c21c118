/*
 * The I/O scheduler hook ("elevator"). With none (q->elevator NULL, the
 * default) a request goes from the submitter straight to the driver. With
 * an elevator, requests are handed to insert_requests on submission (or at
 * the plug's flush) and the hctx's issuer pulls them back in the order the
 * elevator chooses with dispatch_request, BLK_PLUG_MAX_REQUESTS at a time,
 * as one batch to the driver. insert_requests and dispatch_request may run
 * on several CPUs at once: an elevator locks its own state.
 *
 * A scheduler is added by listing its struct elevator_type in
 * elevator_list below.
 */
#include "block/blk_internal.h"
#include "lib/errno.h"
#include "lib/string.h"

const struct elevator_type *const elevator_list[] = {
	&mq_deadline_elevator,
	NULL,
};

const struct elevator_type *elevator_find(const char *name)
{
	for (unsigned int i = 0; elevator_list[i]; i++)
		if (!strcmp(elevator_list[i]->name, name))
			return elevator_list[i];
	return NULL;
}

void blk_mq_sched_insert(struct blk_mq_hw_ctx *hctx, struct list_head *list)
{
	hctx->queue->elevator->insert_requests(hctx, list);
}

unsigned int blk_mq_sched_pull(struct blk_mq_hw_ctx *hctx, struct list_head *list,
			       unsigned int max)
{
	const struct elevator_type *e = hctx->queue->elevator;
	unsigned int n = 0;

	while (n < max) {
		struct request *rq = e->dispatch_request(hctx);

		if (!rq)
			break;
		list_add_tail(&rq->queuelist, list);
		n++;
	}
	return n;
}

bool blk_mq_sched_has_work(struct blk_mq_hw_ctx *hctx)
{
	const struct elevator_type *e = hctx->queue->elevator;

	return e && (!e->has_work || e->has_work(hctx));
}

/* Switch q to e (NULL: none), frozen and quiesced so no request is inside either. */
int elevator_switch_type(struct request_queue *q, const struct elevator_type *e)
{
	const struct elevator_type *old;
	int err = 0;

	blk_mq_freeze_queue(q);
	mutex_lock(&q->config_lock);
	blk_mq_quiesce_queue(q);
	old = q->elevator;
	if (old == e)
		goto out;
	if (old && old->exit)
		old->exit(q);
	q->elevator = NULL;
	q->elevator_data = NULL;
	if (e && e->init)
		err = e->init(q);
	if (!err) {
		q->elevator = e;
	} else if (old && old->init && old->init(q) == 0) {
		q->elevator = old;	/* keep what worked */
	} else if (old && !old->init) {
		q->elevator = old;
	}
	/* completions test the hook, not q->elevator (frozen: none is running) */
	if (q->elevator && q->elevator->completed_request)
		__atomic_fetch_or(&q->hooks, BLK_HOOK_ELV_DONE, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(&q->hooks, (u8)~BLK_HOOK_ELV_DONE, __ATOMIC_SEQ_CST);
out:
	blk_mq_unquiesce_queue(q);
	mutex_unlock(&q->config_lock);
	blk_mq_unfreeze_queue(q);
	return err;
}

int elevator_switch(struct request_queue *q, const char *name)
{
	const struct elevator_type *e = NULL;

	if (strcmp(name, "none")) {
		e = elevator_find(name);
		if (!e)
			return -EINVAL;
	}
	return elevator_switch_type(q, e);
}

const struct elv_attr *elevator_attr_find(const struct elevator_type *e, const char *name)
{
	if (!e)
		return NULL;
	for (unsigned int i = 0; i < e->nr_attrs; i++)
		if (!strcmp(e->attrs[i].name, name))
			return &e->attrs[i];
	return NULL;
}

int elevator_attr_set(struct request_queue *q, const struct elevator_type *e,
		      const struct elv_attr *attr, u64 value)
{
	int err;

	if (value < attr->min || value > attr->max)
		return -EINVAL;
	mutex_lock(&q->config_lock);
	/* a switch in between took the scheduler (and its data) away */
	err = q->elevator == e ? attr->store(q, value) : -EBUSY;
	mutex_unlock(&q->config_lock);
	return err;
}
