/* SPDX-License-Identifier: GPL-2.0 */
/*
 * digsig's place in the kernel's list of binary formats: first, and kept
 * first when a module (binfmt_misc) inserts a format at the head later;
 * and, once the policy is locked, a module that even a forced rmmod cannot
 * take out of the exec path.
 */
#ifndef DIGSIG_BINFMT_H
#define DIGSIG_BINFMT_H

#include <linux/binfmts.h>

/* Registers @verify as the first binary format (-ENOEXEC: let the next run). */
int digsig_binfmt_init(int (*verify)(struct linux_binprm *bprm));
/*
 * The policy is locked: from now on the formats hold no reference to the
 * module, so they are called even while a forced rmmod marks it going, and
 * digsig_binfmt_exit() never returns (the module's code stays in place);
 * and no module loads that the kernel's own keys did not sign.
 */
void digsig_binfmt_lock(void);
/*
 * Unregisters the formats. Locked, it logs that a forced unload was refused
 * and keeps the calling task (rmmod -f) here for good instead.
 */
void digsig_binfmt_exit(void);

#endif /* DIGSIG_BINFMT_H */
