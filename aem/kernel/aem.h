/* SPDX-License-Identifier: GPL-2.0 */
/*
 * aem.ko internals. The ABI is aem_uapi.h (aem/include/); docs/aem.md
 * describes the module.
 *
 * Every open() of /dev/aem is one subscriber (struct aem_sub): a filter and
 * a ring of records. Event sources (tracepoint probes, digsig.ko's verdicts,
 * AEM_IOC_POST) build one record and hand it to aem_deliver(), which walks
 * the subscribers under RCU and copies it into each matching ring under that
 * ring's spinlock. Nothing on that path sleeps or allocates.
 */
#ifndef AEM_H
#define AEM_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "aem_digsig.h"
#include "aem_uapi.h"

#define AEM_RING_MIN 4096u
#define AEM_RING_MAX (4u << 20)
#define AEM_RING_DEFAULT (256u << 10)

/* A subscriber's filter, replaced whole (RCU) by AEM_IOC_SET_FILTER. */
struct aem_match {
	u32 types;		/* AEM_TYPE_BIT() mask, AEM_EVENT_LOST cleared */
	s32 pid;		/* 0: any */
	u32 uid;		/* (u32)-1: any */
	char channel[AEM_CHANNEL_LEN];	/* zero-padded; "": no user events */
	struct rcu_head rcu;
};

struct aem_sub {
	struct list_head node;		/* in the subscriber list (RCU) */
	struct aem_match __rcu *match;	/* NULL: receives nothing */
	wait_queue_head_t wait;		/* readers and pollers */
	/*
	 * Producers (any CPU) hold @lock while they fill the ring and bump
	 * @head; the reader (one at a time, @read_lock) copies out from @tail
	 * without @lock and publishes the new @tail with a release store.
	 * Replacing the ring takes both locks.
	 */
	spinlock_t lock;
	struct mutex read_lock;		/* one reader at a time; ring swaps */
	u8 *ring;
	u32 size;			/* power of two */
	u64 head;			/* bytes ever written */
	u64 tail;			/* bytes ever read */
	u64 seq;			/* last sequence number given out */
	u64 lost_pending;		/* dropped, not yet reported in-band */
	u64 lost_total;
	u64 delivered;			/* event records read (not LOST ones) */
};

/*
 * An event on its way to the subscribers: the record (header first; size,
 * type and flags set, seq/cpu/time_ns filled in by aem_deliver()) and what
 * filters look at.
 */
struct aem_source_event {
	struct aem_event_header *rec;
	s32 pid;		/* the tgid the event is about */
	s32 pid2;		/* a second one (fork: the child), else = pid */
	u32 uid;
	const char *channel;	/* user events: zero-padded AEM_CHANNEL_LEN */
};

/* aem_ring.c */
struct aem_sub *aem_sub_alloc(void);
void aem_sub_free(struct aem_sub *sub);
int aem_sub_set_ring(struct aem_sub *sub, u32 size);
bool aem_sub_readable(struct aem_sub *sub);
ssize_t aem_sub_read(struct aem_sub *sub, char __user *buf, size_t count, bool nonblock);
void aem_sub_stats(struct aem_sub *sub, struct aem_stats *st);
int aem_deliver(struct aem_source_event *ev);

/* aem_main.c: the subscriber list and the union of their filters. */
extern struct list_head aem_subs;
extern u32 aem_wanted;		/* READ_ONCE(): types some subscriber takes */

/* aem_sources.c */
int aem_sources_init(void);
void aem_sources_exit(void);
void aem_fill_process(struct aem_process *p, struct task_struct *t);
int aem_post(const struct aem_post *post);


#endif /* AEM_H */
