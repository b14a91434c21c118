/*
 * Remote completion (rq_affinity, docs/rq_affinity.md): ops->complete of a
 * request run on another CPU than the one whose interrupt found it done,
 * as Linux's blk_mq_complete_request_remote.
 *
 * Each CPU has a lock-less list of requests to complete (lib/llist.h) and
 * one call-function record. A completing CPU pushes the request on the
 * submitter's list and sends an IPI only when the list was empty: the
 * target takes the whole list in its handler, so a burst of completions
 * costs one IPI, and the call record is free again by the time anyone
 * sees the list empty. Nothing is allocated and no lock is shared between
 * CPUs but the target's call-function queue lock, taken once per batch.
 *
 * A target that went offline refuses the call (-ENXIO): the CPU that found
 * the list empty then takes it back and completes it where it is. A call
 * queued before the target went down runs there as it leaves
 * (smp_call_queue_flush_dying), so no request stays on a parked CPU's list.
 */
#include "block/blk_internal.h"
#include "kernel/arch/smp.h"
#include "lib/llist.h"

struct blk_mq_complete_cpu {
	struct llist_head list;		/* requests to complete here; any CPU pushes */
	/* in use from the push that found list empty until the handler takes list */
	struct call_single_data csd;
} __aligned(64);

static struct blk_mq_complete_cpu blk_mq_complete_cpus[MAX_CPUS];

/* ops->complete for each request of list, oldest first; rq may be reused once completed. */
static void blk_mq_complete_list(struct llist_head *list)
{
	struct llist_node *node = llist_reverse_order(llist_del_all(list));

	while (node) {
		struct request *rq = container_of(node, struct request, ipi_node);

		node = node->next;
		rq->q->tag_set->ops->complete(rq);
	}
}

static void blk_mq_complete_ipi(void *arg)
{
	blk_mq_complete_list(arg);
}

void blk_mq_complete_send(struct request *rq, unsigned int cpu)
{
	struct blk_mq_complete_cpu *c = &blk_mq_complete_cpus[cpu];

	if (!llist_add(&rq->ipi_node, &c->list))
		return;		/* an IPI is on its way, or its sender is draining */
	c->csd.fn = blk_mq_complete_ipi;
	c->csd.arg = &c->list;
	if (smp_call_function_single_async(cpu, &c->csd))
		blk_mq_complete_list(&c->list);	/* offline since we looked */
}
