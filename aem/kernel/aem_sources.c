// SPDX-License-Identifier: GPL-2.0
/*
 * Where events come from: the scheduler's process tracepoints (fork, exec,
 * exit), digsig.ko's verdicts (aem_digsig_verdict(), looked up by digsig.ko
 * with symbol_get(), so neither module needs the other loaded) and
 * AEM_IOC_POST.
 *
 * The sched_process_* tracepoints are not exported to modules on the stock
 * kernel, but for_each_kernel_tracepoint() finds them by name and
 * tracepoint_probe_register() attaches to them. Probes run with preemption
 * off: they build one record on the stack and hand it to aem_deliver(),
 * which neither sleeps nor allocates. Each returns at once when no
 * subscriber takes its event type.
 */
#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
/* Only for the probes' prototypes (check_trace_callback_type_*). */
#include <trace/events/sched.h>

#include "aem.h"

static bool wanted(unsigned int type)
{
	return READ_ONCE(aem_wanted) & AEM_TYPE_BIT(type);
}

/* pid/uid in the initial namespaces. Safe in atomic context. */
void aem_fill_process(struct aem_process *p, struct task_struct *t)
{
	rcu_read_lock();
	p->pid = task_tgid_nr(t);
	p->tid = task_pid_nr(t);
	p->ppid = task_tgid_nr(rcu_dereference(t->real_parent));
	p->uid = from_kuid_munged(&init_user_ns, task_uid(t));
	rcu_read_unlock();
	/* set_task_comm() may race: the copy is still NUL-terminated. */
	strscpy_pad(p->comm, t->comm, sizeof(p->comm));
}

/* Copies @src into the AEM_PATH_MAX bytes at @dst; the length copied. */
static u16 copy_path(char *dst, const char *src, u16 *flags)
{
	ssize_t n = strscpy_pad(dst, src ? src : "", AEM_PATH_MAX);

	if (n < 0) {
		*flags |= AEM_FLAG_TRUNCATED;
		n = AEM_PATH_MAX - 1;
	}
	return n;
}

/*
 * Sets the path of a record whose fixed part is @fixed bytes, and the
 * record's size from the path's length.
 */
static void set_path(struct aem_event_header *h, size_t fixed, char *dst, u16 *path_len,
		     const char *src)
{
	*path_len = copy_path(dst, src, &h->flags);
	h->size = fixed + ALIGN(*path_len + 1, 8);
}

/* Delivers a record about one process: the pid and uid filters match it. */
static void deliver_about(struct aem_event_header *h, const struct aem_process *proc)
{
	struct aem_source_event ev = {
		.rec = h, .pid = proc->pid, .pid2 = proc->pid, .uid = proc->uid,
	};

	aem_deliver(&ev);
}

/* Room for a record with a path of up to AEM_PATH_MAX bytes. */
#define PATH_RECORD_WORDS(type) DIV_ROUND_UP(sizeof(type) + AEM_PATH_MAX, sizeof(u64))

static void aem_probe_fork(void *data, struct task_struct *parent, struct task_struct *child)
{
	struct aem_fork_event rec;
	struct aem_source_event ev = { .rec = &rec.h };

	if (!wanted(AEM_EVENT_FORK))
		return;
	memset(&rec, 0, sizeof(rec));
	rec.h.size = sizeof(rec);
	rec.h.type = AEM_EVENT_FORK;
	aem_fill_process(&rec.parent, parent);
	aem_fill_process(&rec.child, child);
	ev.pid = rec.parent.pid;
	ev.pid2 = rec.child.pid;
	ev.uid = rec.child.uid;
	aem_deliver(&ev);
}

static void aem_probe_exec(void *data, struct task_struct *p, pid_t old_pid,
			   struct linux_binprm *bprm)
{
	u64 buf[PATH_RECORD_WORDS(struct aem_exec_event)];
	struct aem_exec_event *rec = (void *)buf;

	if (!wanted(AEM_EVENT_EXEC))
		return;
	memset(rec, 0, sizeof(*rec));
	rec->h.type = AEM_EVENT_EXEC;
	aem_fill_process(&rec->proc, p);
	/* The name execve() was given, as the tracepoint itself reports. */
	set_path(&rec->h, sizeof(*rec), rec->path, &rec->path_len, bprm->filename);
	deliver_about(&rec->h, &rec->proc);
}

/*
 * Every thread passes here; a process's exit is its thread group leader's,
 * with the status wait(2) reports for it.
 */
static void aem_probe_exit(void *data, struct task_struct *p)
{
	struct aem_exit_event rec;

	if (!wanted(AEM_EVENT_EXIT) || !thread_group_leader(p))
		return;
	memset(&rec, 0, sizeof(rec));
	rec.h.size = sizeof(rec);
	rec.h.type = AEM_EVENT_EXIT;
	aem_fill_process(&rec.proc, p);
	rec.exit_code = p->exit_code;
	deliver_about(&rec.h, &rec.proc);
}

void aem_digsig_verdict(const char *path, unsigned int reason, bool refused, bool interp)
{
	u64 buf[PATH_RECORD_WORDS(struct aem_verdict_event)];
	struct aem_verdict_event *rec = (void *)buf;

	if (!wanted(AEM_EVENT_VERDICT))
		return;
	memset(rec, 0, sizeof(*rec));
	rec->h.type = AEM_EVENT_VERDICT;
	aem_fill_process(&rec->proc, current);
	rec->reason = reason;
	rec->refused = refused;
	rec->interp = interp;
	set_path(&rec->h, sizeof(*rec), rec->path, &rec->path_len, path);
	deliver_about(&rec->h, &rec->proc);
}
EXPORT_SYMBOL_GPL(aem_digsig_verdict);

int aem_post(const struct aem_post *post)
{
	struct aem_user_event *rec;
	struct aem_source_event ev;
	size_t size;
	int ret;

	if (post->reserved || !post->channel[0] ||
	    !memchr(post->channel, 0, sizeof(post->channel)))
		return -EINVAL;
	if (post->len > AEM_USER_DATA_MAX)
		return -EMSGSIZE;
	size = sizeof(*rec) + ALIGN(post->len, 8);
	rec = kzalloc(size, GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	if (copy_from_user(rec->data, u64_to_user_ptr(post->data), post->len)) {
		ret = -EFAULT;
		goto out;
	}
	rec->h.size = size;
	rec->h.type = AEM_EVENT_USER;
	aem_fill_process(&rec->sender, current);
	strscpy_pad(rec->channel, post->channel, sizeof(rec->channel));
	rec->len = post->len;
	ev.rec = &rec->h;
	ev.pid = rec->sender.pid;
	ev.pid2 = ev.pid;
	ev.uid = rec->sender.uid;
	ev.channel = rec->channel;
	ret = aem_deliver(&ev);
out:
	kfree(rec);
	return ret;
}

struct aem_tracepoint {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool registered;
};

static struct aem_tracepoint aem_tracepoints[] = {
	{ .name = "sched_process_fork", .probe = aem_probe_fork },
	{ .name = "sched_process_exec", .probe = aem_probe_exec },
	{ .name = "sched_process_exit", .probe = aem_probe_exit },
};

static void find_tracepoint(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(aem_tracepoints); i++)
		if (!strcmp(tp->name, aem_tracepoints[i].name))
			aem_tracepoints[i].tp = tp;
}

int aem_sources_init(void)
{
	int i, err;

	/* The compiler checks each probe against the tracepoint's TP_PROTO. */
	check_trace_callback_type_sched_process_fork(aem_probe_fork);
	check_trace_callback_type_sched_process_exec(aem_probe_exec);
	check_trace_callback_type_sched_process_exit(aem_probe_exit);
	for_each_kernel_tracepoint(find_tracepoint, NULL);
	for (i = 0; i < ARRAY_SIZE(aem_tracepoints); i++) {
		struct aem_tracepoint *t = &aem_tracepoints[i];

		if (!t->tp) {
			pr_err("aem: the kernel has no tracepoint %s\n", t->name);
			err = -ENOENT;
			goto fail;
		}
		err = tracepoint_probe_register(t->tp, t->probe, NULL);
		if (err) {
			pr_err("aem: cannot attach to %s: %d\n", t->name, err);
			goto fail;
		}
		t->registered = true;
	}
	return 0;
fail:
	aem_sources_exit();
	return err;
}

/* After this no probe runs any more, on any CPU. */
void aem_sources_exit(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(aem_tracepoints); i++) {
		struct aem_tracepoint *t = &aem_tracepoints[i];

		if (t->registered)
			tracepoint_probe_unregister(t->tp, t->probe, NULL);
		t->registered = false;
	}
	tracepoint_synchronize_unregister();
}
