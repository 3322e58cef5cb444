// SPDX-License-Identifier: GPL-2.0
/*
 * digsig's binary formats (see digsig_binfmt.h).
 *
 * Staying first: binfmt_misc (and any format module) registers with
 * insert_binfmt(), at the head of the list, so a binfmt_misc loaded after
 * digsig would judge a file before digsig sees it: an entry could run a
 * script digsig refuses, or hand an unsigned ELF file to a signed loader.
 * When a module goes live with a format ahead of ours, we insert another
 * copy of ours at the head. The kernel offers no safe way to move or
 * remove a format that an exec may be inside (the exec loop reads its list
 * link after the call), so older copies stay registered behind, and judge
 * too: an exec that was already past the head when the new copy went in
 * reaches an older copy without having been judged. A file judged twice
 * costs a cache lookup where it may be cached. There is room for
 * DIGSIG_FORMATS copies; once the policy is locked, a module is refused
 * when none is left (it could stay ahead for good), and so is any module
 * the kernel's own keys did not sign (it could take the formats out).
 *
 * Forced unload: the stock kernel has CONFIG_MODULE_FORCE_UNLOAD, and
 * rmmod -f unloads a module whatever its reference count. The exec loop
 * skips a format whose module is going, so until the lock our formats
 * name the module (an ordinary rmmod must be able to free it safely);
 * from the lock on they name none and keep judging, and the exit function
 * never returns, so the module's code is never freed.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>

#include "digsig_binfmt.h"

#define DIGSIG_FORMATS 8

static int (*verifier)(struct linux_binprm *bprm);
static struct linux_binfmt formats[DIGSIG_FORMATS];
static unsigned int registered;		/* formats[0, registered) are in the list */
static struct list_head *format_list;	/* the kernel's list head */
static bool pinned;			/* locked: no module reference */
static DEFINE_MUTEX(formats_mutex);

/* Inserts copy number @registered at the head of the list. */
static void insert_copy_locked(void)
{
	struct linux_binfmt *fmt = &formats[registered];

	fmt->module = pinned ? NULL : THIS_MODULE;
	fmt->load_binary = verifier;
	__register_binfmt(fmt, 1);
	registered++;
}

/* Puts a copy of ours back at the head when another format got there. */
static void stay_first_locked(void)
{
	if (READ_ONCE(format_list->next) == &formats[registered - 1].lh)
		return;
	if (registered == DIGSIG_FORMATS) {
		pr_err("digsig: a binary format registered ahead of the verifier, and no copy is left to stay first\n");
		return;
	}
	insert_copy_locked();
	pr_info("digsig: a binary format registered ahead; the verifier is first again\n");
}

/*
 * Locked, a module the kernel's keys did not sign could take the verifier
 * out of the list; and once no copy is left, a module's format could stay
 * ahead for good. Both are refused before their init runs.
 */
static int module_coming(struct module *mod)
{
	int err = 0;

	mutex_lock(&formats_mutex);
	if (pinned && IS_ENABLED(CONFIG_MODULE_SIG) && !mod->sig_ok) {
		pr_err("digsig: module %s refused: not signed by a key the kernel trusts, and the policy is locked\n",
		       mod->name);
		err = -EPERM;
	} else if (pinned && registered == DIGSIG_FORMATS) {
		pr_err("digsig: module %s refused: no copy of the verifier is left to stay first\n",
		       mod->name);
		err = -EPERM;
	}
	mutex_unlock(&formats_mutex);
	return notifier_from_errno(err);
}

static int module_event(struct notifier_block *nb, unsigned long state, void *data)
{
	if (state == MODULE_STATE_COMING)
		return module_coming(data);
	/* A module's init (where formats register) has run by MODULE_STATE_LIVE. */
	if (state != MODULE_STATE_LIVE)
		return NOTIFY_DONE;
	mutex_lock(&formats_mutex);
	stay_first_locked();
	mutex_unlock(&formats_mutex);
	return NOTIFY_DONE;
}

static struct notifier_block module_notifier = {
	.notifier_call = module_event,
};

int digsig_binfmt_init(int (*verify)(struct linux_binprm *bprm))
{
	int err;

	verifier = verify;
	mutex_lock(&formats_mutex);
	insert_copy_locked();
	/* Just inserted at the head: its back link is the list head. */
	format_list = formats[0].lh.prev;
	mutex_unlock(&formats_mutex);
	err = register_module_notifier(&module_notifier);
	if (err)
		unregister_binfmt(&formats[0]);
	return err;
}

void digsig_binfmt_lock(void)
{
	unsigned int i;

	mutex_lock(&formats_mutex);
	pinned = true;
	/*
	 * An exec between try_module_get() and put may see the module here
	 * and none at the put: one reference leaked on a module that can no
	 * longer go anyway.
	 */
	for (i = 0; i < registered; i++)
		WRITE_ONCE(formats[i].module, NULL);
	stay_first_locked();
	mutex_unlock(&formats_mutex);
}

void digsig_binfmt_exit(void)
{
	unsigned int i;

	if (READ_ONCE(pinned)) {
		pr_crit("digsig: forced unload of the locked verifier refused; %s (pid %d) waits here for good\n",
			current->comm, task_pid_nr(current));
		/* TASK_IDLE: neither killable nor counted as a hung task. */
		for (;;)
			schedule_timeout_idle(MAX_SCHEDULE_TIMEOUT);
	}
	unregister_module_notifier(&module_notifier);
	for (i = registered; i > 0; i--)
		unregister_binfmt(&formats[i - 1]);
}
