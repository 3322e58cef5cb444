// SPDX-License-Identifier: GPL-2.0
/*
 * aem: the asynchronous event mechanism's kernel half. /dev/aem hands each
 * opener a subscriber: a filter (AEM_IOC_SET_FILTER) and a bounded ring of
 * event records read with read() and waited for with poll/epoll/io_uring.
 * Events: process fork, exec and exit (scheduler tracepoints), digsig.ko's
 * verdicts, and user events posted to named channels (AEM_IOC_POST). The
 * ABI is aem/include/aem_uapi.h; docs/aem.md describes the module.
 *
 * Lifetime: every open file holds a reference on the module (fops.owner),
 * so the module cannot be unloaded while a subscriber exists; close (also
 * at process exit) unlinks the subscriber and frees it after an RCU grace
 * period, when no event source can still be looking at it.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "aem.h"

static unsigned int max_subscribers = 64;
module_param(max_subscribers, uint, 0444);
MODULE_PARM_DESC(max_subscribers, "open /dev/aem files at most (default 64); more get ENFILE");

LIST_HEAD(aem_subs);
u32 aem_wanted;
/* Adding, removing and refiltering subscribers; producers use RCU. */
static DEFINE_MUTEX(aem_subs_lock);
static unsigned int aem_nsubs;

/* The union of the filters, so sources skip types nobody takes. */
static void update_wanted(void)
{
	struct aem_sub *sub;
	u32 types = 0;

	lockdep_assert_held(&aem_subs_lock);
	list_for_each_entry(sub, &aem_subs, node) {
		struct aem_match *m = rcu_dereference_protected(sub->match,
								lockdep_is_held(&aem_subs_lock));

		if (m)
			types |= m->types;
	}
	WRITE_ONCE(aem_wanted, types);
}

static int aem_open(struct inode *inode, struct file *file)
{
	struct aem_sub *sub = aem_sub_alloc();

	if (!sub)
		return -ENOMEM;
	mutex_lock(&aem_subs_lock);
	if (aem_nsubs >= max_subscribers) {
		mutex_unlock(&aem_subs_lock);
		aem_sub_free(sub);
		return -ENFILE;
	}
	aem_nsubs++;
	list_add_tail_rcu(&sub->node, &aem_subs);
	mutex_unlock(&aem_subs_lock);
	file->private_data = sub;
	return stream_open(inode, file);
}

static int aem_release(struct inode *inode, struct file *file)
{
	struct aem_sub *sub = file->private_data;

	mutex_lock(&aem_subs_lock);
	list_del_rcu(&sub->node);
	aem_nsubs--;
	update_wanted();
	mutex_unlock(&aem_subs_lock);
	/* Every probe and poster that could still see @sub has finished. */
	synchronize_rcu();
	aem_sub_free(sub);
	return 0;
}

static ssize_t aem_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	return aem_sub_read(file->private_data, buf, count, file->f_flags & O_NONBLOCK);
}

static __poll_t aem_poll(struct file *file, poll_table *wait)
{
	struct aem_sub *sub = file->private_data;

	poll_wait(file, &sub->wait, wait);
	return aem_sub_readable(sub) ? EPOLLIN | EPOLLRDNORM : 0;
}

static int set_filter(struct aem_sub *sub, const void __user *arg)
{
	struct aem_match *m, *old;
	struct aem_filter f;

	if (copy_from_user(&f, arg, sizeof(f)))
		return -EFAULT;
	if (f.reserved || f.pid < 0 || (f.types & ~(AEM_TYPE_BIT(AEM_EVENT_TYPES) - 1)) ||
	    !memchr(f.channel, 0, sizeof(f.channel)))
		return -EINVAL;
	m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
	if (!m)
		return -ENOMEM;
	m->types = f.types & ~AEM_TYPE_BIT(AEM_EVENT_LOST);
	m->pid = f.pid;
	m->uid = f.uid;
	strscpy_pad(m->channel, f.channel, sizeof(m->channel));
	mutex_lock(&aem_subs_lock);
	old = rcu_replace_pointer(sub->match, m, lockdep_is_held(&aem_subs_lock));
	update_wanted();
	mutex_unlock(&aem_subs_lock);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

static long aem_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct aem_sub *sub = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case AEM_IOC_SET_FILTER:
		return set_filter(sub, argp);
	case AEM_IOC_POST: {
		struct aem_post post;

		if (copy_from_user(&post, argp, sizeof(post)))
			return -EFAULT;
		return aem_post(&post);
	}
	case AEM_IOC_GET_STATS: {
		struct aem_stats st;

		aem_sub_stats(sub, &st);
		return copy_to_user(argp, &st, sizeof(st)) ? -EFAULT : 0;
	}
	case AEM_IOC_SET_RING: {
		u32 size;

		if (get_user(size, (u32 __user *)argp))
			return -EFAULT;
		return aem_sub_set_ring(sub, size);
	}
	default:
		return -ENOTTY;
	}
}

static const struct file_operations aem_fops = {
	.owner = THIS_MODULE,
	.open = aem_open,
	.release = aem_release,
	.read = aem_read,
	.poll = aem_poll,
	.unlocked_ioctl = aem_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

static struct miscdevice aem_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = AEM_DEVICE_NAME,
	.fops = &aem_fops,
	/* Events describe every process: root only, unless an admin says so. */
	.mode = 0600,
};

static int __init aem_init(void)
{
	int err = aem_sources_init();

	if (err)
		return err;
	err = misc_register(&aem_misc);
	if (err) {
		aem_sources_exit();
		return err;
	}
	pr_info("aem: loaded, /dev/%s, at most %u subscribers\n", AEM_DEVICE_NAME,
		max_subscribers);
	return 0;
}

/* Runs only with no file open: each holds a module reference. */
static void __exit aem_exit(void)
{
	misc_deregister(&aem_misc);
	aem_sources_exit();
}

module_init(aem_init);
module_exit(aem_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("aem: process, digsig and user events to subscribers of /dev/aem");
