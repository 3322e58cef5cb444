// SPDX-License-Identifier: GPL-2.0
/*
 * Where an exec'd file comes from (see digsig_source.h).
 *
 * exec denies writers on the file it opens, which is what makes "the bytes
 * verified are the bytes mapped" true, and a verdict cacheable once the
 * cache watches the inode. Three kinds of file escape that:
 *  - a memfd: its first file was created writable without taking write
 *    access, so exec's denial does not stop writes through it. Only the
 *    write, shrink and grow seals make its content final (F_SEAL_WRITE
 *    also fails while a writable mapping exists).
 *  - overlayfs: exec denies writers on the overlay inode, not on the real
 *    one below, and the real file is what gets mapped. Writers of the real
 *    inode are denied here too while digsig verifies, and the verdict is
 *    cached and watched on the real inode, so a rewrite of a lower layer
 *    voids it. (After exec, a writer of a lower layer can still change a
 *    running program: lower layers must not be writable by anyone the
 *    board defends against.) A mount made from a user namespace is
 *    refused outright: its mounter owns the layers.
 *  - FUSE, and every filesystem mounted from a user namespace: the
 *    mounter decides what each read returns, so verifying one read proves
 *    nothing about the next (IMA calls these unverifiable). Refused.
 * Network and cluster filesystems, and anything not known to be local
 * (block-device or in-memory), are verified on every exec, never cached:
 * another machine can change them without an event here.
 */
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/shmem_fs.h>
#include <linux/user_namespace.h>
#include <uapi/linux/fcntl.h>

#include "digsig_source.h"

#define DIGSIG_SEALS_FINAL (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW)
/* Not in linux/magic.h: cluster filesystems that need a block device. */
#define DIGSIG_GFS2_MAGIC 0x01161970
#define DIGSIG_OCFS2_MAGIC 0x7461636f

static bool untrusted_mounter(const struct super_block *sb)
{
	return sb->s_user_ns != &init_user_ns ||
	       (sb->s_iflags & (SB_I_UNTRUSTED_MOUNTER | SB_I_IMA_UNVERIFIABLE_SIGNATURE));
}

/* The kernel sees every change: local, and written only through this kernel. */
static bool sees_every_change(const struct super_block *sb)
{
	switch (sb->s_magic) {
	case TMPFS_MAGIC:
	case RAMFS_MAGIC:
		return true;
	case DIGSIG_GFS2_MAGIC:
	case DIGSIG_OCFS2_MAGIC:
		return false;	/* shared with other machines */
	}
	return sb->s_type->fs_flags & FS_REQUIRES_DEV;
}

/* A file of a kernel-internal mount (memfd_create): only its seals hold it. */
static enum digsig_reason internal_file(struct file *file)
{
	struct inode *inode = file_inode(file);

	/* memfd_create on hugetlbfs has seals too, but no ELF maps there. */
	if (inode->i_sb->s_magic != TMPFS_MAGIC)
		return DIGSIG_UNSEALED;
	if ((READ_ONCE(SHMEM_I(inode)->seals) & DIGSIG_SEALS_FINAL) != DIGSIG_SEALS_FINAL)
		return DIGSIG_UNSEALED;
	return DIGSIG_OK;
}

enum digsig_reason digsig_source_of(struct file *file, struct digsig_source *src)
{
	struct inode *real = d_real_inode(file->f_path.dentry);

	src->real = real;
	src->cacheable = false;
	src->held = false;
	/* Sealed or refused; verified every time, never cached. */
	if (file->f_path.mnt->mnt_flags & MNT_INTERNAL)
		return internal_file(file);
	if (untrusted_mounter(file_inode(file)->i_sb) || untrusted_mounter(real->i_sb))
		return DIGSIG_UNTRUSTED_MOUNT;
	if (real != file_inode(file)) {
		/* What deny_write_access() does, on the inode that is read. */
		if (!atomic_dec_unless_positive(&real->i_writecount))
			return DIGSIG_BUSY;
		src->held = true;
	}
	src->cacheable = sees_every_change(real->i_sb);
	return DIGSIG_OK;
}

void digsig_source_put(struct digsig_source *src)
{
	if (src->held)
		atomic_inc(&src->real->i_writecount);
	src->held = false;
}
