// SPDX-License-Identifier: GPL-2.0
/*
 * digsig: refuses to exec ELF files that do not carry a valid digsig
 * signature from a certificate built into this module.
 *
 * The stock kernel lets a module see execve only as a binary format: this
 * one registers first in the list, checks every ELF file it is offered and
 * returns -ENOEXEC (let the real ELF loader run it) or -EACCES (refused).
 * exec holds deny_write_access() on the file while formats look at it, so
 * the bytes verified are the bytes loaded.
 *
 * Verified files are remembered by inode until they change (digsig_cache.c);
 * the policy (digsig_policy.c) is set by the mode parameter and through
 * /sys/kernel/security/digsig/ (digsig_fs.c): off, permissive (log,
 * allow), enforce (log, refuse); once locked it can only be raised.
 */
#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/elf.h>
#include <linux/fs.h>
#include <linux/err.h>
#include <linux/key.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "digsig_cache.h"
#include "digsig_certs.h"
#include "digsig_fs.h"
#include "digsig_policy.h"
#include "digsig_verify.h"

static unsigned int cache_size = 4096;
module_param(cache_size, uint, 0444);
MODULE_PARM_DESC(cache_size, "verified files remembered (0: no cache)");

static struct key *digsig_keyring;

static void log_verdict(struct linux_binprm *bprm, enum digsig_reason reason, bool refused)
{
	pr_warn_ratelimited("digsig: %s %s (pid %d, %s): %s\n",
			    refused ? "refused" : "would refuse", bprm->filename,
			    task_pid_nr(current), current->comm, digsig_reason_name(reason));
}

static int digsig_load_binary(struct linux_binprm *bprm)
{
	struct inode *inode = file_inode(bprm->file);
	enum digsig_reason reason;
	int m = digsig_policy_mode();

	if (m == DIGSIG_MODE_OFF)
		return -ENOEXEC;
	/* Not ELF: scripts and other formats follow their own handlers. */
	if (memcmp(bprm->buf, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	/* exec denies writers from here on, so the stamp cannot go stale. */
	if (digsig_cache_lookup(inode))
		return -ENOEXEC;
	reason = digsig_verify_file(bprm->file, digsig_keyring);
	if (reason == DIGSIG_OK) {
		digsig_count_verified();
		digsig_cache_insert(inode);
		return -ENOEXEC;	/* verified: the ELF loader takes over */
	}
	digsig_count_refused();
	log_verdict(bprm, reason, m == DIGSIG_MODE_ENFORCE);
	return m == DIGSIG_MODE_ENFORCE ? -EACCES : -ENOEXEC;
}

static struct linux_binfmt digsig_format = {
	.module = THIS_MODULE,
	.load_binary = digsig_load_binary,
};

static int __init load_builtin_certs(void)
{
	key_ref_t key;

	digsig_keyring = keyring_alloc(".digsig", GLOBAL_ROOT_UID, GLOBAL_ROOT_GID,
				       current_cred(),
				       (KEY_POS_ALL & ~KEY_POS_SETATTR) | KEY_USR_VIEW |
				       KEY_USR_READ | KEY_USR_SEARCH,
				       KEY_ALLOC_NOT_IN_QUOTA, NULL, NULL);
	if (IS_ERR(digsig_keyring))
		return PTR_ERR(digsig_keyring);
	key = key_create_or_update(make_key_ref(digsig_keyring, 1), "asymmetric", NULL,
				   digsig_builtin_cert, sizeof(digsig_builtin_cert),
				   (KEY_POS_ALL & ~KEY_POS_SETATTR) | KEY_USR_VIEW | KEY_USR_READ,
				   KEY_ALLOC_NOT_IN_QUOTA);
	if (IS_ERR(key)) {
		key_put(digsig_keyring);
		return PTR_ERR(key);
	}
	key_ref_put(key);
	return 0;
}

static int __init digsig_init(void)
{
	int err = load_builtin_certs();

	if (err) {
		pr_err("digsig: cannot load the built-in certificate: %d\n", err);
		return err;
	}
	err = digsig_set_mode(digsig_policy_mode());
	if (err) {
		pr_err("digsig: mode must be 0, 1 or 2\n");
		key_put(digsig_keyring);
		return err;
	}
	digsig_cache_set_limit(cache_size);
	err = digsig_fs_init();
	if (err) {
		key_put(digsig_keyring);
		return err;
	}
	__register_binfmt(&digsig_format, 1);
	pr_info("digsig: loaded, mode %s\n", digsig_mode_name(digsig_policy_mode()));
	return 0;
}

static void __exit digsig_exit(void)
{
	unregister_binfmt(&digsig_format);
	digsig_fs_exit();
	digsig_cache_clear();
	key_put(digsig_keyring);
}

module_init(digsig_init);
module_exit(digsig_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("digsig: refuse to exec unsigned or altered ELF files");
