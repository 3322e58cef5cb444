/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The verification cache: files that verified, keyed by inode, remembered
 * with what would change if their content did (ctime, mtime, size,
 * i_version, generation). Bounded; the least recently used entry goes first.
 */
#ifndef DIGSIG_CACHE_H
#define DIGSIG_CACHE_H

#include <linux/fs.h>
#include <linux/types.h>

struct digsig_cache_stats {
	u64 hits;
	u64 misses;
	u64 entries;
};

/*
 * True when @inode verified before and has not changed since; then
 * *@has_interp says whether it names an ELF interpreter (false: a static
 * program, nothing more to check).
 */
bool digsig_cache_lookup(struct inode *inode, bool *has_interp);
/*
 * The cache's epoch: read it before verifying and pass it to insert, so a
 * verification that raced with a clear (a revocation) is not remembered.
 */
u64 digsig_cache_epoch(void);
/*
 * Remembers that @inode verified (and whether it names an interpreter;
 * true when unknown); drops the oldest entry when full.
 */
void digsig_cache_insert(struct inode *inode, u64 epoch, bool has_interp);
/* Forgets everything, e.g. because what verified may be revoked now. */
void digsig_cache_clear(void);
void digsig_cache_stats(struct digsig_cache_stats *out);
void digsig_cache_set_limit(unsigned int max_entries);

#endif /* DIGSIG_CACHE_H */
