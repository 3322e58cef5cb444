// SPDX-License-Identifier: GPL-2.0
/*
 * digsig_unhook: what root can load after digsig's lock when the kernel
 * does not insist on signed modules (the stock Debian kernel without
 * Secure Boot): a second after loading, it unregisters every binary
 * format whose code is digsig.ko's and that names no module (the locked
 * verifier's copies), then says how many it took out. The board test
 * loads it last, to show that the lock alone does not keep the verifier in
 * the exec path. A test fixture: it is never part of an image.
 */
#include <linux/binfmts.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/workqueue.h>

#define MAX_FOUND 16

static int probe_load(struct linux_binprm *bprm)
{
	return -ENOEXEC;
}

static struct linux_binfmt probe = {
	.module = THIS_MODULE,
	.load_binary = probe_load,
};

static void unhook(struct work_struct *work)
{
	struct linux_binfmt *found[MAX_FOUND];
	struct list_head *pos;
	char name[KSYM_SYMBOL_LEN];
	int n = 0, i;

	/* At the head, so the walk from here goes round every format. */
	insert_binfmt(&probe);
	for (pos = probe.lh.next; pos != &probe.lh && n < MAX_FOUND; pos = pos->next) {
		struct linux_binfmt *fmt = list_entry(pos, struct linux_binfmt, lh);

		/* The list's own head reads as garbage here: only a name. */
		sprint_symbol(name, (unsigned long)READ_ONCE(fmt->load_binary));
		if (strstr(name, "[digsig]") && !READ_ONCE(fmt->module))
			found[n++] = fmt;
	}
	for (i = 0; i < n; i++)
		unregister_binfmt(found[i]);
	unregister_binfmt(&probe);
	pr_info("digsig_unhook: %d digsig binary formats unregistered\n", n);
}

static DECLARE_DELAYED_WORK(unhook_work, unhook);

static int __init unhook_init(void)
{
	/* After this module is live: digsig's notifier has had its turn. */
	schedule_delayed_work(&unhook_work, HZ);
	return 0;
}

static void __exit unhook_exit(void)
{
	cancel_delayed_work_sync(&unhook_work);
}

module_init(unhook_init);
module_exit(unhook_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("board test fixture: takes digsig's binary formats out after the lock");
