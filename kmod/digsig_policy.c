// SPDX-License-Identifier: GPL-2.0
/* The policy state (see digsig_policy.h). */
#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "digsig_binfmt.h"
#include "digsig_policy.h"

static int mode = DIGSIG_MODE_ENFORCE;
module_param(mode, int, 0444);
MODULE_PARM_DESC(mode, "0 off, 1 permissive (log and allow), 2 enforce (default)");

static char *nonelf = "allow";
module_param(nonelf, charp, 0444);
MODULE_PARM_DESC(nonelf, "non-ELF executables (scripts, binfmt_misc): allow (default) or deny");

static bool nonelf_denied;
static bool locked;
static DEFINE_MUTEX(policy_mutex);
static atomic64_t verified_count = ATOMIC64_INIT(0);
static atomic64_t refused_count = ATOMIC64_INIT(0);

int digsig_policy_mode(void)
{
	return READ_ONCE(mode);
}

const char *digsig_mode_name(int m)
{
	switch (m) {
	case DIGSIG_MODE_OFF:
		return "off";
	case DIGSIG_MODE_PERMISSIVE:
		return "permissive";
	case DIGSIG_MODE_ENFORCE:
		return "enforce";
	}
	return "?";
}

int digsig_parse_mode(const char *text)
{
	if (sysfs_streq(text, "off") || sysfs_streq(text, "0"))
		return DIGSIG_MODE_OFF;
	if (sysfs_streq(text, "permissive") || sysfs_streq(text, "1"))
		return DIGSIG_MODE_PERMISSIVE;
	if (sysfs_streq(text, "enforce") || sysfs_streq(text, "2"))
		return DIGSIG_MODE_ENFORCE;
	return -EINVAL;
}

int digsig_set_mode(int new_mode)
{
	int err = 0;

	if (new_mode < DIGSIG_MODE_OFF || new_mode > DIGSIG_MODE_ENFORCE)
		return -EINVAL;
	mutex_lock(&policy_mutex);
	if (locked && new_mode < mode)
		err = -EPERM;
	else
		WRITE_ONCE(mode, new_mode);
	mutex_unlock(&policy_mutex);
	return err;
}

int digsig_policy_init(void)
{
	int err = digsig_set_mode(READ_ONCE(mode));

	if (err)
		return err;
	return digsig_set_nonelf_denied(sysfs_streq(nonelf, "deny") ? true :
					sysfs_streq(nonelf, "allow") ? false : -EINVAL);
}

bool digsig_nonelf_denied(void)
{
	return READ_ONCE(nonelf_denied);
}

int digsig_set_nonelf_denied(int deny)
{
	int err = 0;

	if (deny < 0)
		return deny;
	mutex_lock(&policy_mutex);
	if (locked && nonelf_denied && !deny)
		err = -EPERM;
	else
		WRITE_ONCE(nonelf_denied, deny);
	mutex_unlock(&policy_mutex);
	return err;
}

bool digsig_policy_locked(void)
{
	return READ_ONCE(locked);
}

void digsig_lock(void)
{
	mutex_lock(&policy_mutex);
	if (!locked) {
		/*
		 * A reference nobody drops: rmmod fails from now on; and the
		 * formats judge on even through rmmod -f (digsig_binfmt.c).
		 */
		__module_get(THIS_MODULE);
		digsig_binfmt_lock();
		WRITE_ONCE(locked, true);
	}
	mutex_unlock(&policy_mutex);
}

void digsig_count_verified(void)
{
	atomic64_inc(&verified_count);
}

void digsig_count_refused(void)
{
	atomic64_inc(&refused_count);
}

void digsig_counts(u64 *verified, u64 *refused)
{
	*verified = atomic64_read(&verified_count);
	*refused = atomic64_read(&refused_count);
}
