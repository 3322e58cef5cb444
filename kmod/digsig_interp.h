/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ELF interpreter (PT_INTERP) of an executable being exec'd: the ELF
 * loader opens it itself, so no binary format handler is offered it.
 */
#ifndef DIGSIG_INTERP_H
#define DIGSIG_INTERP_H

#include <linux/binfmts.h>

#include "digsig_verify.h"

/*
 * Finds the interpreter @bprm's file names and verifies it with @verify.
 * Returns 0 and sets *@reason (DIGSIG_OK also when there is none); returns
 * a negative errno when the interpreter cannot be opened, which exec should
 * report as the ELF loader would have; never -ENOEXEC (made -EACCES), which
 * exec would take for "try the next format". On a refusal *@path is the
 * interpreter's path (kfree() it); otherwise NULL. *@has_interp is false
 * only when the program certainly names no interpreter. When the
 * interpreter verified, *@kept is its file, still open and denying writers
 * (the caller releases it: allow_write_access(), fput()); otherwise NULL.
 */
int digsig_check_interpreter(struct linux_binprm *bprm,
			     enum digsig_reason (*verify)(struct file *file),
			     enum digsig_reason *reason, char **path, bool *has_interp,
			     struct file **kept);

#endif /* DIGSIG_INTERP_H */
