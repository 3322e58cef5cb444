// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/security/digsig/:
 *   mode   read: "off", "permissive" or "enforce"; write one of those
 *          (lowering it fails with EPERM once locked)
 *   lock   read: 0 or 1; write 1 to lock until reboot
 *   stats  verified, refused, cache hits, misses and entries
 * Writes need CAP_SYS_ADMIN; user buffers are copied with bounds.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/security.h>
#include <linux/uaccess.h>

#include "digsig_cache.h"
#include "digsig_fs.h"
#include "digsig_policy.h"

#define DIGSIG_WRITE_MAX 16

static struct dentry *dir, *mode_file, *lock_file, *stats_file;

/* Copies a short user write into @buf as a string. */
static ssize_t copy_small_write(char *buf, const char __user *ubuf, size_t count)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (count == 0 || count >= DIGSIG_WRITE_MAX)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	return 0;
}

static ssize_t mode_read(struct file *f, char __user *ubuf, size_t count, loff_t *ppos)
{
	char buf[DIGSIG_WRITE_MAX];
	int len = scnprintf(buf, sizeof(buf), "%s\n", digsig_mode_name(digsig_policy_mode()));

	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t mode_write(struct file *f, const char __user *ubuf, size_t count, loff_t *ppos)
{
	char buf[DIGSIG_WRITE_MAX];
	ssize_t err = copy_small_write(buf, ubuf, count);
	int m;

	if (err)
		return err;
	m = digsig_parse_mode(buf);
	if (m < 0)
		return m;
	err = digsig_set_mode(m);
	if (err)
		return err;
	pr_info("digsig: mode %s\n", digsig_mode_name(m));
	return count;
}

static ssize_t lock_read(struct file *f, char __user *ubuf, size_t count, loff_t *ppos)
{
	char buf[4];
	int len = scnprintf(buf, sizeof(buf), "%d\n", digsig_policy_locked());

	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t lock_write(struct file *f, const char __user *ubuf, size_t count, loff_t *ppos)
{
	char buf[DIGSIG_WRITE_MAX];
	ssize_t err = copy_small_write(buf, ubuf, count);

	if (err)
		return err;
	if (!sysfs_streq(buf, "1"))
		return -EINVAL;
	digsig_lock();
	pr_info("digsig: policy locked until reboot\n");
	return count;
}

static ssize_t stats_read(struct file *f, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct digsig_cache_stats cache;
	u64 verified, refused;
	char buf[192];
	int len;

	digsig_counts(&verified, &refused);
	digsig_cache_stats(&cache);
	len = scnprintf(buf, sizeof(buf),
			"verified %llu\nrefused %llu\ncache_hits %llu\ncache_misses %llu\ncache_entries %llu\n",
			verified, refused, cache.hits, cache.misses, cache.entries);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations mode_fops = {
	.read = mode_read,
	.write = mode_write,
	.llseek = generic_file_llseek,
};

static const struct file_operations lock_fops = {
	.read = lock_read,
	.write = lock_write,
	.llseek = generic_file_llseek,
};

static const struct file_operations stats_fops = {
	.read = stats_read,
	.llseek = generic_file_llseek,
};

int digsig_fs_init(void)
{
	dir = securityfs_create_dir("digsig", NULL);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	mode_file = securityfs_create_file("mode", 0600, dir, NULL, &mode_fops);
	lock_file = securityfs_create_file("lock", 0600, dir, NULL, &lock_fops);
	stats_file = securityfs_create_file("stats", 0400, dir, NULL, &stats_fops);
	if (IS_ERR(mode_file) || IS_ERR(lock_file) || IS_ERR(stats_file)) {
		digsig_fs_exit();
		return -ENOMEM;
	}
	return 0;
}

void digsig_fs_exit(void)
{
	/* securityfs_remove() ignores NULL and error pointers. */
	securityfs_remove(stats_file);
	securityfs_remove(lock_file);
	securityfs_remove(mode_file);
	securityfs_remove(dir);
}
