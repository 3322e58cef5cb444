// SPDX-License-Identifier: GPL-2.0
/*
 * Subscriber rings and delivery (see aem.h).
 *
 * A ring is a power-of-two byte array holding whole records back to back;
 * a record may wrap around the end (read() copies it out in two pieces).
 * Positions are free-running byte counts, so head - tail is what is
 * queued. Producers serialize on the subscriber's spinlock; the one reader
 * at a time copies to user space without it.
 *
 * Loss: an event that does not fit is not queued; it still takes a
 * sequence number, and the count of such events is reported by one
 * AEM_EVENT_LOST record, placed exactly where they would have been: either
 * the next producer whose event fits writes it first (it checks room for
 * both), or, when the reader has drained the ring, read() makes it from the
 * counter. So the report never needs room the ring may not have, and no
 * loss is ever silent.
 */
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "aem.h"

#define LOST_SIZE ((u32)sizeof(struct aem_lost_event))	/* 32 */

struct aem_sub *aem_sub_alloc(void)
{
	struct aem_sub *sub = kzalloc(sizeof(*sub), GFP_KERNEL_ACCOUNT);

	if (!sub)
		return NULL;
	sub->ring = kvmalloc(AEM_RING_DEFAULT, GFP_KERNEL_ACCOUNT);
	if (!sub->ring) {
		kfree(sub);
		return NULL;
	}
	sub->size = AEM_RING_DEFAULT;
	INIT_LIST_HEAD(&sub->node);
	init_waitqueue_head(&sub->wait);
	spin_lock_init(&sub->lock);
	mutex_init(&sub->read_lock);
	return sub;
}

/* Only once no producer can see @sub any more (off the list, grace period). */
void aem_sub_free(struct aem_sub *sub)
{
	kfree(rcu_dereference_protected(sub->match, true));
	kvfree(sub->ring);
	mutex_destroy(&sub->read_lock);
	kfree(sub);
}

int aem_sub_set_ring(struct aem_sub *sub, u32 size)
{
	u8 *ring, *unused;
	int err = 0;

	if (size < AEM_RING_MIN || size > AEM_RING_MAX || !is_power_of_2(size))
		return -EINVAL;
	ring = kvmalloc(size, GFP_KERNEL_ACCOUNT);
	if (!ring)
		return -ENOMEM;
	if (mutex_lock_interruptible(&sub->read_lock)) {
		kvfree(ring);
		return -ERESTARTSYS;
	}
	spin_lock(&sub->lock);
	if (sub->head != sub->tail || sub->lost_pending) {
		err = -EBUSY;
		unused = ring;
	} else {
		/* Positions stay: they index any power-of-two ring. */
		unused = sub->ring;
		sub->ring = ring;
		sub->size = size;
	}
	spin_unlock(&sub->lock);
	mutex_unlock(&sub->read_lock);
	kvfree(unused);
	return err;
}

bool aem_sub_readable(struct aem_sub *sub)
{
	return READ_ONCE(sub->head) != READ_ONCE(sub->tail) || READ_ONCE(sub->lost_pending);
}

void aem_sub_stats(struct aem_sub *sub, struct aem_stats *st)
{
	spin_lock(&sub->lock);
	st->lost = sub->lost_total;
	st->queued_bytes = sub->head - READ_ONCE(sub->tail);
	st->ring_bytes = sub->size;
	spin_unlock(&sub->lock);
	st->delivered = READ_ONCE(sub->delivered);
}

/* --- Producers --------------------------------------------------------- */

static void ring_write(struct aem_sub *sub, u64 pos, const void *src, u32 len)
{
	u32 off = pos & (sub->size - 1);
	u32 first = min(len, sub->size - off);

	memcpy(sub->ring + off, src, first);
	if (len > first)
		memcpy(sub->ring, src + first, len - first);
}

/* Queues @rec (its seq set here) or counts it lost; under sub->lock. */
static void ring_push(struct aem_sub *sub, struct aem_event_header *rec)
{
	/* The reader has finished with every byte before tail. */
	u64 tail = smp_load_acquire(&sub->tail);
	u32 room = sub->size - (u32)(sub->head - tail);
	u32 need = rec->size + (sub->lost_pending ? LOST_SIZE : 0);
	u64 head = sub->head;

	sub->seq++;
	if (need > room) {
		sub->lost_pending++;
		sub->lost_total++;
		return;
	}
	if (sub->lost_pending) {
		struct aem_lost_event lost = {
			.h = {
				.size = LOST_SIZE,
				.type = AEM_EVENT_LOST,
				.cpu = rec->cpu,
				.seq = sub->seq - 1,	/* the last event lost */
				.time_ns = rec->time_ns,
			},
			.count = sub->lost_pending,
		};

		ring_write(sub, head, &lost, LOST_SIZE);
		head += LOST_SIZE;
		sub->lost_pending = 0;
	}
	rec->seq = sub->seq;
	ring_write(sub, head, rec, rec->size);
	/* The record's bytes before the position that shows them. */
	smp_store_release(&sub->head, head + rec->size);
}

static bool matches(const struct aem_match *m, const struct aem_source_event *ev)
{
	if (!m || !(m->types & AEM_TYPE_BIT(ev->rec->type)))
		return false;
	if (m->pid && m->pid != ev->pid && m->pid != ev->pid2)
		return false;
	if (m->uid != (u32)-1 && m->uid != ev->uid)
		return false;
	return ev->rec->type != AEM_EVENT_USER ||
	       !memcmp(m->channel, ev->channel, AEM_CHANNEL_LEN);
}

/*
 * Hands @ev to every subscriber whose filter takes it; returns how many did
 * (queued or counted lost). Bounded work: one filter check per subscriber,
 * one copy of at most one record per match. Preemption stays off from the
 * timestamp to the last copy, so the events of one CPU reach every ring in
 * the order of their timestamps.
 */
int aem_deliver(struct aem_source_event *ev)
{
	struct aem_event_header *rec = ev->rec;
	struct aem_sub *sub;
	int matched = 0;

	preempt_disable();
	rec->cpu = smp_processor_id();
	rec->time_ns = ktime_get_ns();
	rcu_read_lock();
	list_for_each_entry_rcu(sub, &aem_subs, node) {
		if (!matches(rcu_dereference(sub->match), ev))
			continue;
		matched++;
		spin_lock(&sub->lock);
		ring_push(sub, rec);
		spin_unlock(&sub->lock);
		/* Pairs with the barrier in the waiter's prepare_to_wait(). */
		if (wq_has_sleeper(&sub->wait))
			wake_up_interruptible_poll(&sub->wait, EPOLLIN | EPOLLRDNORM);
	}
	rcu_read_unlock();
	preempt_enable();
	return matched;
}

/* --- The reader (under sub->read_lock) --------------------------------- */

/* Whole records that fit in @count bytes; 0 when none is queued. */
static ssize_t copy_records(struct aem_sub *sub, char __user *buf, size_t count)
{
	/* Pairs with ring_push()'s release: the records up to head are whole. */
	u64 head = smp_load_acquire(&sub->head);
	u64 tail = sub->tail;
	u32 mask = sub->size - 1;
	u64 events = 0, pos = tail;
	size_t n = 0;
	u32 off, first;

	while (pos != head) {
		/* Size and type sit in a record's first 8 bytes, never split. */
		const struct aem_event_header *h = (const void *)(sub->ring + (pos & mask));

		if (n + h->size > count)
			break;
		n += h->size;
		pos += h->size;
		if (h->type != AEM_EVENT_LOST)
			events++;
	}
	if (!n)
		return pos == head ? 0 : -EINVAL;	/* buffer too small for the next */
	off = tail & mask;
	first = min_t(size_t, n, sub->size - off);
	if (copy_to_user(buf, sub->ring + off, first) ||
	    copy_to_user(buf + first, sub->ring, n - first))
		return -EFAULT;
	/* Our reads of the ring before the producers may reuse it. */
	smp_store_release(&sub->tail, pos);
	WRITE_ONCE(sub->delivered, sub->delivered + events);
	return n;
}

/*
 * The LOST record for events dropped since the ring was last drained, when
 * it is empty now. Made under the lock, copied without it, and committed
 * only if no producer touched the subscriber meanwhile; -EAGAIN: one did,
 * read again (its LOST record, if any, is now in the ring).
 */
static ssize_t report_lost(struct aem_sub *sub, char __user *buf, size_t count)
{
	struct aem_lost_event lost;
	bool committed;

	memset(&lost, 0, sizeof(lost));
	spin_lock(&sub->lock);
	if (!sub->lost_pending || sub->head != sub->tail) {
		spin_unlock(&sub->lock);
		return 0;
	}
	lost.h.size = LOST_SIZE;
	lost.h.type = AEM_EVENT_LOST;
	lost.h.cpu = smp_processor_id();
	lost.h.time_ns = ktime_get_ns();
	lost.h.seq = sub->seq;
	lost.count = sub->lost_pending;
	spin_unlock(&sub->lock);
	if (count < LOST_SIZE)
		return -EINVAL;
	if (copy_to_user(buf, &lost, LOST_SIZE))
		return -EFAULT;
	spin_lock(&sub->lock);
	committed = sub->head == sub->tail && sub->seq == lost.h.seq;
	if (committed)
		sub->lost_pending = 0;
	spin_unlock(&sub->lock);
	/* Not "committed ? LOST_SIZE : -EAGAIN": that would be unsigned. */
	if (!committed)
		return -EAGAIN;
	return LOST_SIZE;
}

ssize_t aem_sub_read(struct aem_sub *sub, char __user *buf, size_t count, bool nonblock)
{
	ssize_t ret, lost;

	if (mutex_lock_interruptible(&sub->read_lock))
		return -ERESTARTSYS;
	for (;;) {
		ret = copy_records(sub, buf, count);
		if (ret >= 0 && (size_t)ret < count) {
			lost = report_lost(sub, buf + ret, count - ret);
			if (lost > 0)
				ret += lost;
			else if (lost == -EAGAIN && !ret)
				continue;
			else if (!ret)
				ret = lost;
		}
		if (ret)
			break;
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		mutex_unlock(&sub->read_lock);
		if (wait_event_interruptible(sub->wait, aem_sub_readable(sub)))
			return -ERESTARTSYS;
		if (mutex_lock_interruptible(&sub->read_lock))
			return -ERESTARTSYS;
	}
	mutex_unlock(&sub->read_lock);
	return ret;
}
