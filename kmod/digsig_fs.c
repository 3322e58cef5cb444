// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/security/digsig/:
 *   mode         read: "off", "permissive" or "enforce"; write one of those
 *                (lowering it fails with EPERM once locked)
 *   nonelf       read/write: "allow" or "deny" (non-ELF executables);
 *                allowing fails with EPERM once locked
 *   lock         read: 0 or 1; write 1 to lock until reboot
 *   keys         read: one line per certificate, "trusted|revoked <name>";
 *                write: one DER X.509 certificate to trust (EPERM once
 *                locked, EKEYREVOKED if revoked)
 *   revocations  read: sequence number and revoked digests; write: a signed
 *                revocation list (docs/format.md section 11)
 *   stats        verified, refused, cache hits, misses and entries
 * Writes need CAP_SYS_ADMIN; user buffers are copied with bounds. Binary
 * files (keys, revocations) take their whole content in one write(2) at
 * offset 0, so a torn write is rejected instead of half applied.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "digsig_cache.h"
#include "digsig_fs.h"
#include "digsig_keys.h"
#include "digsig_policy.h"
#include "digsig_revocation.h"
#include "digsig_revoke.h"

#define DIGSIG_WRITE_MAX 16
/* A certificate is a few hundred bytes to a few KiB. */
#define DIGSIG_CERT_MAX 16384
/* Room for DIGSIG_MAX_CERTS lines of key descriptions. */
#define DIGSIG_KEYS_SHOW_MAX 16384

static struct dentry *dir, *files[6];

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

static ssize_t nonelf_read(struct file *f, char __user *ubuf, size_t count, loff_t *ppos)
{
	const char *text = digsig_nonelf_denied() ? "deny\n" : "allow\n";

	return simple_read_from_buffer(ubuf, count, ppos, text, strlen(text));
}

static ssize_t nonelf_write(struct file *f, const char __user *ubuf, size_t count, loff_t *ppos)
{
	char buf[DIGSIG_WRITE_MAX];
	ssize_t err = copy_small_write(buf, ubuf, count);
	int deny;

	if (err)
		return err;
	deny = sysfs_streq(buf, "deny") ? 1 : sysfs_streq(buf, "allow") ? 0 : -EINVAL;
	err = digsig_set_nonelf_denied(deny);
	if (err)
		return err;
	pr_info("digsig: non-ELF executables %s\n", deny ? "denied" : "allowed");
	return count;
}

/* Copies a whole binary write (one write(2) at offset 0, at most @max). */
static void *copy_binary_write(const char __user *ubuf, size_t count, loff_t *ppos,
			       size_t max)
{
	if (!capable(CAP_SYS_ADMIN))
		return ERR_PTR(-EPERM);
	if (*ppos != 0 || count == 0 || count > max)
		return ERR_PTR(-EINVAL);
	return vmemdup_user(ubuf, count);
}

static ssize_t keys_read(struct file *f, char __user *ubuf, size_t count, loff_t *ppos)
{
	char *buf = kvmalloc(DIGSIG_KEYS_SHOW_MAX, GFP_KERNEL);
	ssize_t ret;

	if (!buf)
		return -ENOMEM;
	ret = simple_read_from_buffer(ubuf, count, ppos, buf,
				      digsig_keys_show(buf, DIGSIG_KEYS_SHOW_MAX));
	kvfree(buf);
	return ret;
}

static ssize_t keys_write(struct file *f, const char __user *ubuf, size_t count, loff_t *ppos)
{
	void *der = copy_binary_write(ubuf, count, ppos, DIGSIG_CERT_MAX);
	int err;

	if (IS_ERR(der))
		return PTR_ERR(der);
	err = digsig_keys_add(der, count);
	kvfree(der);
	return err ? err : count;
}

static ssize_t revocations_read(struct file *f, char __user *ubuf, size_t count, loff_t *ppos)
{
	char buf[96];

	return simple_read_from_buffer(ubuf, count, ppos, buf,
				       digsig_revocations_show(buf, sizeof(buf)));
}

static ssize_t revocations_write(struct file *f, const char __user *ubuf, size_t count,
				 loff_t *ppos)
{
	void *list = copy_binary_write(ubuf, count, ppos, DIGSIG_RL_MAX_FILE);
	int err;

	if (IS_ERR(list))
		return PTR_ERR(list);
	err = digsig_revocations_load(list, count);
	kvfree(list);
	if (err)
		pr_warn("digsig: revocation list rejected: %d\n", err);
	return err ? err : count;
}

static ssize_t stats_read(struct file *f, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct digsig_cache_stats cache;
	u64 verified, refused;
	char buf[256];
	int len;

	digsig_counts(&verified, &refused);
	digsig_cache_stats(&cache);
	len = scnprintf(buf, sizeof(buf),
			"verified %llu\nrefused %llu\ncache_hits %llu\ncache_misses %llu\ncache_entries %llu\ncache_entry_bytes %llu\n",
			verified, refused, cache.hits, cache.misses, cache.entries,
			cache.entry_bytes);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

/*
 * .owner: an open file pins the module, so rmmod fails (EAGAIN) instead
 * of leaving the file's operations pointing into freed module text.
 */
static const struct file_operations mode_fops = {
	.owner = THIS_MODULE,
	.read = mode_read,
	.write = mode_write,
	.llseek = generic_file_llseek,
};

static const struct file_operations lock_fops = {
	.owner = THIS_MODULE,
	.read = lock_read,
	.write = lock_write,
	.llseek = generic_file_llseek,
};

static const struct file_operations nonelf_fops = {
	.owner = THIS_MODULE,
	.read = nonelf_read,
	.write = nonelf_write,
	.llseek = generic_file_llseek,
};

static const struct file_operations keys_fops = {
	.owner = THIS_MODULE,
	.read = keys_read,
	.write = keys_write,
	.llseek = generic_file_llseek,
};

static const struct file_operations revocations_fops = {
	.owner = THIS_MODULE,
	.read = revocations_read,
	.write = revocations_write,
	.llseek = generic_file_llseek,
};

static const struct file_operations stats_fops = {
	.owner = THIS_MODULE,
	.read = stats_read,
	.llseek = generic_file_llseek,
};

int digsig_fs_init(void)
{
	static const struct {
		const char *name;
		umode_t mode;
		const struct file_operations *fops;
	} table[] = {
		{ "mode", 0600, &mode_fops },
		{ "nonelf", 0600, &nonelf_fops },
		{ "lock", 0600, &lock_fops },
		{ "keys", 0600, &keys_fops },
		{ "revocations", 0600, &revocations_fops },
		{ "stats", 0400, &stats_fops },
	};
	int i;

	BUILD_BUG_ON(ARRAY_SIZE(table) != ARRAY_SIZE(files));
	dir = securityfs_create_dir("digsig", NULL);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	for (i = 0; i < ARRAY_SIZE(table); i++) {
		files[i] = securityfs_create_file(table[i].name, table[i].mode, dir, NULL,
						  table[i].fops);
		if (IS_ERR(files[i])) {
			digsig_fs_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

void digsig_fs_exit(void)
{
	int i;

	/* securityfs_remove() ignores NULL and error pointers. */
	for (i = ARRAY_SIZE(files) - 1; i >= 0; i--)
		securityfs_remove(files[i]);
	securityfs_remove(dir);
}
