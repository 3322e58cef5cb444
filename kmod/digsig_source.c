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
 * Cached are only verdicts on filesystems where the stamp moves with every
 * change the kernel can make (sees_every_change()): the cache's fsnotify
 * marks see most writers, not those that open with FMODE_NONOTIFY (the
 * real files overlayfs writes through, fanotify's event files). Network,
 * cluster and in-memory filesystems, vfat, and devices fed from outside
 * the kernel (loop, nbd, ublk) are verified on every exec.
 */
#include <linux/blkdev.h>
#include <linux/magic.h>
#include <linux/major.h>
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

/* A block device whose bytes someone else supplies: a file, a server, a daemon. */
static bool bdev_fed_from_outside(const struct block_device *bdev)
{
	unsigned int major = MAJOR(bdev->bd_dev);

	return major == LOOP_MAJOR || major == NBD_MAJOR ||
	       strncmp(bdev->bd_disk->disk_name, "ublkb", 5) == 0;
}

/* Filesystems that cannot write at all: their bytes change only below them. */
static bool read_only_by_design(const struct super_block *sb)
{
	switch (sb->s_magic) {
	case SQUASHFS_MAGIC:
	case EROFS_SUPER_MAGIC_V1:
	case ISOFS_SUPER_MAGIC:
	case CRAMFS_MAGIC:
		return true;
	}
	return false;
}

/*
 * The kernel sees every change, and the stamp moves with each: local, on a
 * device only this kernel writes, and either with i_version
 * (file_update_time() bumps it on write(2) and on page_mkwrite, also for
 * FMODE_NONOTIFY writers such as overlayfs's real files and fanotify's
 * event files, which no mark sees) or unable to write at all. Not tmpfs
 * nor ramfs (a shared mapping writes without moving anything, and a write
 * through an overlay whose upper layer is there sends no event), not vfat
 * (no i_version, 2-second times).
 */
static bool sees_every_change(const struct super_block *sb)
{
	switch (sb->s_magic) {
	case DIGSIG_GFS2_MAGIC:
	case DIGSIG_OCFS2_MAGIC:
		return false;	/* shared with other machines */
	}
	if (!(sb->s_type->fs_flags & FS_REQUIRES_DEV) || !sb->s_bdev ||
	    bdev_fed_from_outside(sb->s_bdev))
		return false;
	return (sb->s_flags & SB_I_VERSION) || read_only_by_design(sb);
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
