/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The verification cache: inodes whose content verified, each watched by an
 * fsnotify inode mark that drops the entry on any modification, truncation,
 * attribute change, close after write, deletion or eviction. The stamp the
 * inode had before verification (ctime, mtime, size, i_version,
 * generation) is a second line: an entry whose inode no longer matches it
 * is dropped too. Bounded; the least recently used entry goes first.
 *
 * Callers pass the real inode (behind overlayfs), and only inodes of
 * filesystems where the kernel sees every change (digsig_source.h).
 */
#ifndef DIGSIG_CACHE_H
#define DIGSIG_CACHE_H

#include <linux/fs.h>
#include <linux/types.h>

struct digsig_cache_stats {
	u64 hits;
	u64 misses;
	u64 entries;
	u64 entry_bytes;	/* allocated per entry, its fsnotify mark included */
};

struct digsig_cache_entry;

int digsig_cache_init(unsigned int max_entries);
/* Forgets everything and waits until no mark of the cache is left. */
void digsig_cache_exit(void);

/*
 * True when @inode verified before and has not changed since; then
 * *@has_interp says whether it names an ELF interpreter (false: a static
 * program, nothing more to check).
 */
bool digsig_cache_lookup(struct inode *inode, bool *has_interp);

/*
 * Before verifying @inode: watches it from now on and takes its stamp.
 * Returns the pending entry to pass to digsig_cache_commit() or
 * digsig_cache_abort(), or NULL when it will not be remembered (cache off,
 * no memory, another exec verifying the same inode). A change to the
 * inode, or a digsig_cache_clear(), from here on voids the entry.
 */
struct digsig_cache_entry *digsig_cache_begin(struct inode *inode);
/*
 * @inode verified: remembers it, with whether it names an interpreter,
 * unless it changed since digsig_cache_begin(). Consumes @e.
 */
void digsig_cache_commit(struct digsig_cache_entry *e, struct inode *inode, bool has_interp);
/* @inode did not verify: forgets @e. NULL is allowed (and ignored). */
void digsig_cache_abort(struct digsig_cache_entry *e);

/* Forgets everything, e.g. because what verified may be revoked now. */
void digsig_cache_clear(void);
void digsig_cache_stats(struct digsig_cache_stats *out);

#endif /* DIGSIG_CACHE_H */
