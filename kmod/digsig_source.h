/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where an exec'd file comes from, and what that allows: whether its bytes
 * can be trusted to stay the ones verified, and whether a verdict on it may
 * be cached. docs/runtime.md ("Filesystems and fileless exec") is the
 * policy in words.
 */
#ifndef DIGSIG_SOURCE_H
#define DIGSIG_SOURCE_H

#include <linux/fs.h>

#include "digsig_verify.h"

struct digsig_source {
	/* The inode that holds the bytes (behind overlayfs: the real one). */
	struct inode *real;
	/* The kernel sees every change of @real: its verdict may be cached. */
	bool cacheable;
	/* Writers of @real denied until digsig_source_put() (stacked files). */
	bool held;
};

/*
 * Judges where @file comes from. DIGSIG_OK and fills @src when it may be
 * verified at all (then call digsig_source_put() when done); DIGSIG_BUSY
 * when the real file behind an overlay is open for writing (exec of a file
 * open for writing fails with ETXTBSY; this is the same rule one layer
 * down); else the refusal:
 *   DIGSIG_UNTRUSTED_MOUNT  a filesystem whose content its mounter controls
 *                           beyond the kernel's view: FUSE, or any mount
 *                           made from a user namespace (overlayfs, tmpfs);
 *   DIGSIG_UNSEALED         a memfd (or another file of a kernel-internal
 *                           mount) without the write, shrink and grow seals:
 *                           its writers can change a running program.
 */
enum digsig_reason digsig_source_of(struct file *file, struct digsig_source *src);
/* Lets writers of the real file in again. */
void digsig_source_put(struct digsig_source *src);

#endif /* DIGSIG_SOURCE_H */
