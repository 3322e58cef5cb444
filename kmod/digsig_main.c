// SPDX-License-Identifier: GPL-2.0
/*
 * digsig: refuses to exec ELF files, and the ELF interpreters they name,
 * that do not carry a valid digsig signature from a trusted certificate.
 *
 * The stock kernel lets a module see execve only as a binary format: this
 * one registers first in the list, checks every file it is offered and
 * returns -ENOEXEC (let the real loader run it) or -EACCES (refused).
 * exec holds deny_write_access() on the file while formats look at it, so
 * the bytes verified are the bytes loaded.
 *
 * Verified files are remembered by inode until they change (digsig_cache.c);
 * certificates live in the module's keyrings (digsig_keys.c); signed lists
 * revoke certificates and digests (digsig_revoke.c); the policy
 * (digsig_policy.c) is set by module parameters and through
 * /sys/kernel/security/digsig/ (digsig_fs.c): off, permissive (log,
 * allow), enforce (log, refuse); once locked it can only be tightened.
 */
#include <linux/binfmts.h>
#include <linux/elf.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "digsig_cache.h"
#include "digsig_certs.h"
#include "digsig_events.h"
#include "digsig_fs.h"
#include "digsig_interp.h"
#include "digsig_keys.h"
#include "digsig_policy.h"
#include "digsig_revoke.h"
#include "digsig_verify.h"

static unsigned int cache_size = 4096;
module_param(cache_size, uint, 0444);
MODULE_PARM_DESC(cache_size, "verified files remembered (0: no cache)");

/*
 * At most 50 verdict lines per 5 seconds: enough to see every refusal of a
 * normal boot, too few for a process exec'ing unsigned files in a loop to
 * flood the log (the kernel reports how many lines it suppressed).
 */
static DEFINE_RATELIMIT_STATE(verdict_ratelimit, 5 * HZ, 50);

/* One line per verdict, naming the file, the process and the reason. */
static void log_verdict(struct linux_binprm *bprm, const char *interp,
			enum digsig_reason reason, bool refused)
{
	const char *verdict = refused ? "refused" : "would refuse";

	if (!__ratelimit(&verdict_ratelimit))
		return;
	if (interp)
		pr_warn("digsig: %s %s (pid %d, %s): interpreter %s: %s\n", verdict,
			bprm->filename, task_pid_nr(current), current->comm, interp,
			digsig_reason_name(reason));
	else
		pr_warn("digsig: %s %s (pid %d, %s): %s\n", verdict, bprm->filename,
			task_pid_nr(current), current->comm, digsig_reason_name(reason));
}

/* Verifies one file with @verify, through the cache. */
static enum digsig_reason verify_cached(struct file *file,
					enum digsig_reason (*verify)(struct file *file))
{
	struct inode *inode = file_inode(file);
	enum digsig_reason reason;
	bool has_interp;
	u64 epoch;

	/* exec denies writers from here on, so the stamp cannot go stale. */
	if (digsig_cache_lookup(inode, &has_interp))
		return DIGSIG_OK;
	epoch = digsig_cache_epoch();
	reason = verify(file);
	if (reason == DIGSIG_OK) {
		digsig_count_verified();
		digsig_cache_insert(inode, epoch, true);
	}
	return reason;
}

/* An ELF interpreter: its embedded signature. */
static enum digsig_reason verify_interpreter(struct file *file)
{
	return verify_cached(file, digsig_verify_file);
}

/*
 * The program and the interpreter it names. The cache remembers whether
 * the program has one, so a static program on a warm cache costs one lookup.
 */
static int check_elf(struct linux_binprm *bprm, enum digsig_reason *reason, char **interp)
{
	struct inode *inode = file_inode(bprm->file);
	bool has_interp;
	u64 epoch;
	int err;

	if (digsig_cache_lookup(inode, &has_interp)) {
		*reason = DIGSIG_OK;
		if (!has_interp)
			return 0;
		return digsig_check_interpreter(bprm, verify_interpreter, reason, interp,
						&has_interp);
	}
	epoch = digsig_cache_epoch();
	*reason = digsig_verify_file(bprm->file);
	if (*reason != DIGSIG_OK)
		return 0;
	digsig_count_verified();
	err = digsig_check_interpreter(bprm, verify_interpreter, reason, interp, &has_interp);
	/* The program verified, whatever its interpreter's verdict. */
	digsig_cache_insert(inode, epoch, has_interp);
	return err;
}

/* The verdict on @bprm; @interp is set when the interpreter is at fault. */
static int check_exec(struct linux_binprm *bprm, enum digsig_reason *reason, char **interp)
{
	*interp = NULL;
	if (memcmp(bprm->buf, ELFMAG, SELFMAG) != 0) {
		/*
		 * Scripts reach this handler again with their interpreter.
		 * Denied, a non-ELF file needs its security.ima signature.
		 */
		*reason = digsig_nonelf_denied() ? verify_cached(bprm->file, digsig_verify_ima) :
			  DIGSIG_OK;
		return 0;
	}
	return check_elf(bprm, reason, interp);
}

static int digsig_load_binary(struct linux_binprm *bprm)
{
	int m = digsig_policy_mode();
	enum digsig_reason reason;
	char *interp;
	int err;

	if (m == DIGSIG_MODE_OFF)
		return -ENOEXEC;
	err = check_exec(bprm, &reason, &interp);
	if (err)
		return err;
	if (reason == DIGSIG_OK)
		return -ENOEXEC;	/* verified: the real loader takes over */
	if (reason == DIGSIG_INTERRUPTED) {
		/* Killed while hashing: no verdict, nothing to log; exec fails. */
		kfree(interp);
		return -EINTR;
	}
	digsig_count_refused();
	log_verdict(bprm, interp, reason, m == DIGSIG_MODE_ENFORCE);
	/* Every verdict, also those the log's rate limit drops. */
	digsig_event_verdict(interp ? interp : bprm->filename, reason,
			     m == DIGSIG_MODE_ENFORCE, interp);
	kfree(interp);
	return m == DIGSIG_MODE_ENFORCE ? -EACCES : -ENOEXEC;
}

static struct linux_binfmt digsig_format = {
	.module = THIS_MODULE,
	.load_binary = digsig_load_binary,
};

static int __init digsig_init(void)
{
	int err = digsig_policy_init();

	if (err) {
		pr_err("digsig: mode must be 0, 1 or 2 and nonelf allow or deny\n");
		return err;
	}
	err = digsig_keys_init(digsig_builtin_cert, sizeof(digsig_builtin_cert));
	if (err) {
		pr_err("digsig: cannot load the built-in certificate: %d\n", err);
		return err;
	}
	digsig_cache_set_limit(cache_size);
	err = digsig_fs_init();
	if (err) {
		digsig_keys_exit();
		return err;
	}
	__register_binfmt(&digsig_format, 1);
	pr_info("digsig: loaded, mode %s, non-ELF %s\n", digsig_mode_name(digsig_policy_mode()),
		digsig_nonelf_denied() ? "denied" : "allowed");
	return 0;
}

static void __exit digsig_exit(void)
{
	unregister_binfmt(&digsig_format);
	digsig_fs_exit();
	digsig_cache_clear();
	digsig_revocations_exit();
	digsig_keys_exit();
}

module_init(digsig_init);
module_exit(digsig_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("digsig: refuse to exec unsigned or altered ELF files");
