/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy: the mode, what happens to non-ELF executables, the lock, and
 * the counters the stats file shows. Once locked, the policy can only be
 * tightened (mode raised, non-ELF denied), no certificate can be added and
 * the module cannot be unloaded: nothing short of a reboot undoes it.
 */
#ifndef DIGSIG_POLICY_H
#define DIGSIG_POLICY_H

#include <linux/types.h>

enum digsig_mode { DIGSIG_MODE_OFF, DIGSIG_MODE_PERMISSIVE, DIGSIG_MODE_ENFORCE };

/* Checks and applies the module parameters; -EINVAL names no value. */
int digsig_policy_init(void);

int digsig_policy_mode(void);
const char *digsig_mode_name(int mode);
/* Parses "off", "permissive" or "enforce" (or 0, 1, 2); -EINVAL otherwise. */
int digsig_parse_mode(const char *text);
/* -EPERM when locked and @mode is lower than the current one. */
int digsig_set_mode(int mode);
/* Whether non-ELF executables (scripts, binfmt_misc) are refused. */
bool digsig_nonelf_denied(void);
/* @deny: 1 or 0 (or a negative error, returned); -EPERM to allow once locked. */
int digsig_set_nonelf_denied(int deny);

bool digsig_policy_locked(void);
/* Locks the policy and pins the module; locking twice is harmless. */
void digsig_lock(void);

void digsig_count_verified(void);
void digsig_count_refused(void);
void digsig_counts(u64 *verified, u64 *refused);

#endif /* DIGSIG_POLICY_H */
