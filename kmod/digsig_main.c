// SPDX-License-Identifier: GPL-2.0
/*
 * digsig: refuses to exec ELF files, and the ELF interpreters they name,
 * that do not carry a valid digsig signature from a trusted certificate.
 *
 * The stock kernel lets a module see execve only as a binary format: this
 * one registers first in the list and stays first (digsig_binfmt.c),
 * checks every file it is offered and returns -ENOEXEC (let the real
 * loader run it) or -EACCES (refused). exec holds deny_write_access() on
 * the file while formats look at it, so the bytes verified are the bytes
 * loaded, where that denial holds at all (digsig_source.c: memfds,
 * overlayfs, FUSE, user-namespace mounts).
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

#include "digsig_binfmt.h"
#include "digsig_cache.h"
#include "digsig_certs.h"
#include "digsig_events.h"
#include "digsig_fs.h"
#include "digsig_interp.h"
#include "digsig_keys.h"
#include "digsig_mapped.h"
#include "digsig_policy.h"
#include "digsig_revoke.h"
#include "digsig_source.h"
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

static enum digsig_reason verify_interpreter(struct file *file);

/*
 * Verifies @file with @verify, through the cache where the file's source
 * allows one (digsig_source.h). With @bprm (an ELF program), the ELF
 * interpreter it names is checked too, on a hit as well; the cache
 * remembers whether there is one, so a static program on a warm cache
 * costs one lookup. @interp is set when the interpreter is at fault;
 * @interp_file (with @bprm) to the interpreter verified, still open.
 */
static int verify_through_cache(struct file *file, enum digsig_reason (*verify)(struct file *file),
				struct linux_binprm *bprm, enum digsig_reason *reason,
				char **interp, struct file **interp_file)
{
	struct digsig_cache_entry *pending = NULL;
	struct digsig_source src;
	bool has_interp = false;
	bool hit;
	int err = 0;

	*reason = digsig_source_of(file, &src);
	if (*reason != DIGSIG_OK)
		return 0;
	hit = src.cacheable && digsig_cache_lookup(src.real, &has_interp);
	if (!hit) {
		/* Watched before the first byte is read: no change goes unseen. */
		if (src.cacheable)
			pending = digsig_cache_begin(src.real);
		*reason = verify(file);
		if (*reason != DIGSIG_OK) {
			digsig_cache_abort(pending);
			goto out;
		}
		digsig_count_verified();
		/*
		 * Not known yet: only digsig_check_interpreter() may say
		 * "none". An interpreter's verdict (no bprm) stays "unknown",
		 * so the same file exec'd as a program later has its own
		 * PT_INTERP checked.
		 */
		has_interp = true;
	}
	if (bprm && has_interp)
		err = digsig_check_interpreter(bprm, verify_interpreter, reason, interp,
					       &has_interp, interp_file);
	/* The program verified, whatever its interpreter's verdict. */
	if (!hit)
		digsig_cache_commit(pending, src.real, has_interp);
out:
	digsig_source_put(&src);
	return err;
}

/* An ELF interpreter: its embedded signature. */
static enum digsig_reason verify_interpreter(struct file *file)
{
	enum digsig_reason reason;

	verify_through_cache(file, digsig_verify_file, NULL, &reason, NULL, NULL);
	return reason;
}

/*
 * The verdict on @bprm; @interp is set when the interpreter is at fault,
 * @interp_file when it verified (still open).
 */
static int check_exec(struct linux_binprm *bprm, enum digsig_reason *reason, char **interp,
		      struct file **interp_file)
{
	*interp = NULL;
	*interp_file = NULL;
	if (memcmp(bprm->buf, ELFMAG, SELFMAG) != 0) {
		/*
		 * Scripts reach this handler again with their interpreter.
		 * Denied, a non-ELF file needs its security.ima signature.
		 */
		*reason = DIGSIG_OK;
		if (!digsig_nonelf_denied())
			return 0;
		return verify_through_cache(bprm->file, digsig_verify_ima, NULL, reason, interp,
					    NULL);
	}
	return verify_through_cache(bprm->file, digsig_verify_file, bprm, reason, interp,
				    interp_file);
}

static int digsig_load_binary(struct linux_binprm *bprm)
{
	int m = digsig_policy_mode();
	struct file *interp_file;
	enum digsig_reason reason;
	char *interp;
	int err;

	if (m == DIGSIG_MODE_OFF)
		return -ENOEXEC;
	err = check_exec(bprm, &reason, &interp, &interp_file);
	if (err)
		return err;
	if (reason == DIGSIG_OK) {
		/* Verified: the real loader takes over; what it maps is checked. */
		err = digsig_mapped_expect(bprm, true, interp_file);
		return err ? err : -ENOEXEC;
	}
	if (reason == DIGSIG_INTERRUPTED || reason == DIGSIG_BUSY) {
		/*
		 * No verdict, nothing to log; exec fails as it would have on
		 * its own: killed while hashing, or the file open for writing.
		 */
		kfree(interp);
		return reason == DIGSIG_BUSY ? -ETXTBSY : -EINTR;
	}
	digsig_count_refused();
	log_verdict(bprm, interp, reason, m == DIGSIG_MODE_ENFORCE);
	/* Every verdict, also those the log's rate limit drops. */
	digsig_event_verdict(interp ? interp : bprm->filename, reason,
			     m == DIGSIG_MODE_ENFORCE, interp);
	kfree(interp);
	if (m == DIGSIG_MODE_ENFORCE)
		return -EACCES;
	err = digsig_mapped_expect(bprm, false, NULL);
	return err ? err : -ENOEXEC;
}

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
	err = digsig_cache_init(cache_size);
	if (err)
		goto out_keys;
	err = digsig_fs_init();
	if (err)
		goto out_cache;
	err = digsig_mapped_init();
	if (err)
		goto out_fs;
	err = digsig_binfmt_init(digsig_load_binary);
	if (err)
		goto out_mapped;
	pr_info("digsig: loaded, mode %s, non-ELF %s\n", digsig_mode_name(digsig_policy_mode()),
		digsig_nonelf_denied() ? "denied" : "allowed");
	return 0;
out_mapped:
	digsig_mapped_exit();
out_fs:
	digsig_fs_exit();
out_cache:
	digsig_cache_exit();
out_keys:
	digsig_keys_exit();
	return err;
}

static void __exit digsig_exit(void)
{
	/* Locked, this never returns: nothing below may be torn down. */
	digsig_binfmt_exit();
	digsig_mapped_exit();
	digsig_fs_exit();
	digsig_cache_exit();
	digsig_revocations_exit();
	digsig_keys_exit();
}

module_init(digsig_init);
module_exit(digsig_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("digsig: refuse to exec unsigned or altered ELF files");
