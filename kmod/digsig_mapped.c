// SPDX-License-Identifier: GPL-2.0
/*
 * What an exec mapped (see digsig_mapped.h).
 *
 * The stock kernel exports the scheduler's tracepoints to no module, but
 * for_each_kernel_tracepoint() finds them by name (as aem.ko does).
 * sched_process_exec fires after the ELF loader has built the new address
 * space and before the task returns to user space, so a SIGKILL sent there
 * lands before the new program runs one instruction. Probes run with
 * preemption off: no sleeping here, so the expectation (which interpreter
 * digsig verified) is recorded beforehand, per task, by digsig_load_binary,
 * with a reference on the interpreter's file so its inode cannot be freed
 * and another take its address.
 */
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/tracepoint.h>
#include <trace/events/sched.h>

#include "digsig_mapped.h"
#include "digsig_policy.h"

struct digsig_expectation {
	struct hlist_node node;
	struct task_struct *task;
	struct linux_binprm *bprm;
	struct inode *program;		/* real inodes */
	struct inode *interp;
	struct file *interp_file;	/* holds @interp; NULL when none */
	bool verified;
};

static DEFINE_HASHTABLE(expectations, 8);
static DEFINE_SPINLOCK(expectations_lock);
static struct tracepoint *exec_tp, *exit_tp;

static void release(struct digsig_expectation *x)
{
	if (!x)
		return;
	if (x->interp_file) {
		allow_write_access(x->interp_file);
		fput(x->interp_file);	/* deferred: fine with preemption off */
	}
	kfree(x);
}

/* Takes the current task's expectation out of the table. */
static struct digsig_expectation *take(struct task_struct *task)
{
	struct digsig_expectation *x;

	spin_lock(&expectations_lock);
	hash_for_each_possible(expectations, x, node, (unsigned long)task)
		if (x->task == task) {
			hash_del(&x->node);
			spin_unlock(&expectations_lock);
			return x;
		}
	spin_unlock(&expectations_lock);
	return NULL;
}

int digsig_mapped_expect(struct linux_binprm *bprm, bool verified, struct file *interp_file)
{
	struct digsig_expectation *x = kzalloc(sizeof(*x), GFP_KERNEL);

	if (!x) {
		if (interp_file) {
			allow_write_access(interp_file);
			fput(interp_file);
		}
		return -ENOMEM;
	}
	x->task = current;
	x->verified = verified;
	x->bprm = bprm;
	x->program = d_real_inode(bprm->file->f_path.dentry);
	x->interp_file = interp_file;
	if (interp_file)
		x->interp = d_real_inode(interp_file->f_path.dentry);
	/* An earlier exec of this task that failed after its check. */
	release(take(current));
	spin_lock(&expectations_lock);
	hash_add(expectations, &x->node, (unsigned long)current);
	spin_unlock(&expectations_lock);
	return 0;
}

/* The first mapped file that is neither the program nor its interpreter. */
static struct file *unexpected_mapping(struct mm_struct *mm, const struct digsig_expectation *x,
				       bool *unreadable)
{
	struct vm_area_struct *vma;
	struct file *found = NULL;

	VMA_ITERATOR(vmi, mm, 0);

	*unreadable = false;
	/* Only this task uses the new mm yet: the lock is free but for races. */
	if (!mmap_read_trylock(mm)) {
		*unreadable = true;
		return NULL;
	}
	for_each_vma(vmi, vma) {
		struct inode *inode;

		if (!vma->vm_file)
			continue;
		inode = file_inode(vma->vm_file);
		if (inode == x->program || (x->interp && inode == x->interp))
			continue;
		found = get_file(vma->vm_file);
		break;
	}
	mmap_read_unlock(mm);
	return found;
}

static void probe_exec(void *data, struct task_struct *p, pid_t old_pid,
		       struct linux_binprm *bprm)
{
	struct digsig_expectation *x = take(current);
	int m = digsig_policy_mode();
	bool unreadable = false;
	struct file *bad = NULL;

	/* Off, or a refusal permissive mode let through (logged already). */
	if (m == DIGSIG_MODE_OFF || (x && x->bprm == bprm && !x->verified))
		goto out;
	if (x && x->bprm == bprm)
		bad = unexpected_mapping(current->mm, x, &unreadable);
	if (x && x->bprm == bprm && !bad && !unreadable)
		goto out;
	if (bad)
		pr_warn_ratelimited("digsig: %s %s (pid %d): it maps %pD, which digsig did not verify\n",
				    m == DIGSIG_MODE_ENFORCE ? "killed" : "would kill",
				    bprm->filename, task_pid_nr(current), bad);
	else
		pr_warn_ratelimited("digsig: %s %s (pid %d): %s\n",
				    m == DIGSIG_MODE_ENFORCE ? "killed" : "would kill",
				    bprm->filename, task_pid_nr(current),
				    unreadable ? "its mappings cannot be read" :
				    "an exec digsig did not judge");
	if (bad)
		fput(bad);
	if (m == DIGSIG_MODE_ENFORCE)
		force_sig(SIGKILL);
out:
	release(x);
}

static void probe_exit(void *data, struct task_struct *p)
{
	release(take(current));
}

static void find_tracepoints(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_exec"))
		exec_tp = tp;
	else if (!strcmp(tp->name, "sched_process_exit"))
		exit_tp = tp;
}

int digsig_mapped_init(void)
{
	int err;

	check_trace_callback_type_sched_process_exec(probe_exec);
	check_trace_callback_type_sched_process_exit(probe_exit);
	for_each_kernel_tracepoint(find_tracepoints, NULL);
	if (!exec_tp || !exit_tp) {
		pr_err("digsig: the kernel has no sched_process_exec/exit tracepoint\n");
		return -ENOENT;
	}
	err = tracepoint_probe_register(exit_tp, probe_exit, NULL);
	if (err)
		return err;
	err = tracepoint_probe_register(exec_tp, probe_exec, NULL);
	if (err) {
		tracepoint_probe_unregister(exit_tp, probe_exit, NULL);
		tracepoint_synchronize_unregister();
	}
	return err;
}

void digsig_mapped_exit(void)
{
	struct digsig_expectation *x;
	struct hlist_node *tmp;
	int bucket;

	tracepoint_probe_unregister(exec_tp, probe_exec, NULL);
	tracepoint_probe_unregister(exit_tp, probe_exit, NULL);
	tracepoint_synchronize_unregister();
	hash_for_each_safe(expectations, bucket, tmp, x, node) {
		hash_del(&x->node);
		release(x);
	}
}
