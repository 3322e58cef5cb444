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
 * mode=0 off, 1 permissive (log, allow), 2 enforce (log, refuse).
 */
#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/elf.h>
#include <linux/err.h>
#include <linux/key.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "digsig_certs.h"
#include "digsig_verify.h"

enum digsig_mode { DIGSIG_MODE_OFF, DIGSIG_MODE_PERMISSIVE, DIGSIG_MODE_ENFORCE };

static int mode = DIGSIG_MODE_ENFORCE;
module_param(mode, int, 0444);
MODULE_PARM_DESC(mode, "0 off, 1 permissive (log and allow), 2 enforce (default)");

static struct key *digsig_keyring;

static void log_verdict(struct linux_binprm *bprm, enum digsig_reason reason, bool refused)
{
	pr_warn_ratelimited("digsig: %s %s (pid %d, %s): %s\n",
			    refused ? "refused" : "would refuse", bprm->filename,
			    task_pid_nr(current), current->comm, digsig_reason_name(reason));
}

static int digsig_load_binary(struct linux_binprm *bprm)
{
	enum digsig_reason reason;
	int m = READ_ONCE(mode);

	if (m == DIGSIG_MODE_OFF)
		return -ENOEXEC;
	/* Not ELF: scripts and other formats follow their own handlers. */
	if (memcmp(bprm->buf, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	reason = digsig_verify_file(bprm->file, digsig_keyring);
	if (reason == DIGSIG_OK)
		return -ENOEXEC;	/* verified: the ELF loader takes over */
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
	__register_binfmt(&digsig_format, 1);
	pr_info("digsig: loaded, mode %d\n", mode);
	return 0;
}

static void __exit digsig_exit(void)
{
	unregister_binfmt(&digsig_format);
	key_put(digsig_keyring);
}

module_init(digsig_init);
module_exit(digsig_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("digsig: refuse to exec unsigned or altered ELF files");
