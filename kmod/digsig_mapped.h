/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an exec mapped, checked once it has: the ELF loader opens the
 * program's PT_INTERP by path again after digsig verified it, so whoever
 * can change what that path names in between (a bind mount flipped in a
 * mount namespace of his own, root's mounts) would have an unverified
 * interpreter mapped. When the exec is done (the sched_process_exec
 * tracepoint, before the new program runs an instruction), every file the
 * new address space maps must be the program or the interpreter digsig
 * verified for it; else the process is killed.
 */
#ifndef DIGSIG_MAPPED_H
#define DIGSIG_MAPPED_H

#include <linux/binfmts.h>
#include <linux/fs.h>

int digsig_mapped_init(void);
/* After this no probe of ours runs any more. */
void digsig_mapped_exit(void);

/*
 * The current task's exec of @bprm goes on: @verified says whether digsig
 * verified it (false: permissive mode let a refused file through, already
 * logged, so its mappings are not checked); @interp_file is the ELF
 * interpreter digsig verified for it, still open and denying writers
 * (NULL: none), and is taken over. Returns -ENOMEM when the expectation
 * cannot be recorded (@interp_file is then released): the exec must fail.
 */
int digsig_mapped_expect(struct linux_binprm *bprm, bool verified, struct file *interp_file);

#endif /* DIGSIG_MAPPED_H */
