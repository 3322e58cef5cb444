// SPDX-License-Identifier: GPL-2.0
/*
 * The verification cache (see digsig_cache.h). One spinlock guards a hash
 * table and an LRU list; entries are small and fixed-size.
 */
#include <linux/hashtable.h>
#include <linux/iversion.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "digsig_cache.h"

struct digsig_stamp {
	dev_t dev;
	unsigned long ino;
	u32 generation;
	struct timespec64 mtime;
	struct timespec64 ctime;
	loff_t size;
	u64 version;
};

struct digsig_cache_entry {
	struct hlist_node node;
	struct list_head lru;
	struct digsig_stamp stamp;
	bool has_interp;
};

static DEFINE_HASHTABLE(cache_table, 10);
static LIST_HEAD(cache_lru);
static DEFINE_SPINLOCK(cache_lock);
static unsigned int cache_entries;
static unsigned int cache_limit = 4096;
static u64 cache_hits, cache_misses;
/* Bumped by every clear; an insert from an older epoch is dropped. */
static u64 cache_epoch;

static void stamp_of(struct inode *inode, struct digsig_stamp *s)
{
	memset(s, 0, sizeof(*s));
	s->dev = inode->i_sb->s_dev;
	s->ino = inode->i_ino;
	s->generation = inode->i_generation;
	s->mtime = inode->i_mtime;
	s->ctime = inode->i_ctime;
	s->size = i_size_read(inode);
	s->version = inode_query_iversion(inode);
}

static bool same_file(const struct digsig_stamp *a, const struct digsig_stamp *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

static bool unchanged(const struct digsig_stamp *a, const struct digsig_stamp *b)
{
	return a->generation == b->generation && a->size == b->size &&
	       a->version == b->version && timespec64_equal(&a->mtime, &b->mtime) &&
	       timespec64_equal(&a->ctime, &b->ctime);
}

static struct digsig_cache_entry *find_locked(const struct digsig_stamp *s)
{
	struct digsig_cache_entry *e;

	hash_for_each_possible(cache_table, e, node, s->ino ^ s->dev)
		if (same_file(&e->stamp, s))
			return e;
	return NULL;
}

static void remove_locked(struct digsig_cache_entry *e)
{
	hash_del(&e->node);
	list_del(&e->lru);
	cache_entries--;
	kfree(e);
}

bool digsig_cache_lookup(struct inode *inode, bool *has_interp)
{
	struct digsig_cache_entry *e;
	struct digsig_stamp s;
	bool hit = false;

	stamp_of(inode, &s);
	spin_lock(&cache_lock);
	e = find_locked(&s);
	if (e && unchanged(&e->stamp, &s)) {
		list_move(&e->lru, &cache_lru);
		*has_interp = e->has_interp;
		hit = true;
	} else if (e) {
		remove_locked(e);	/* the file changed: verify it again */
	}
	if (hit)
		cache_hits++;
	else
		cache_misses++;
	spin_unlock(&cache_lock);
	return hit;
}

u64 digsig_cache_epoch(void)
{
	u64 epoch;

	spin_lock(&cache_lock);
	epoch = cache_epoch;
	spin_unlock(&cache_lock);
	return epoch;
}

void digsig_cache_insert(struct inode *inode, u64 epoch, bool has_interp)
{
	struct digsig_cache_entry *e = kmalloc(sizeof(*e), GFP_KERNEL);
	struct digsig_cache_entry *old;

	if (!e)
		return;		/* not remembering is always safe */
	stamp_of(inode, &e->stamp);
	e->has_interp = has_interp;
	spin_lock(&cache_lock);
	old = find_locked(&e->stamp);
	if (old)
		remove_locked(old);
	while (cache_entries >= cache_limit && !list_empty(&cache_lru))
		remove_locked(list_last_entry(&cache_lru, struct digsig_cache_entry, lru));
	if (cache_limit == 0 || epoch != cache_epoch) {
		spin_unlock(&cache_lock);
		kfree(e);
		return;
	}
	hash_add(cache_table, &e->node, e->stamp.ino ^ e->stamp.dev);
	list_add(&e->lru, &cache_lru);
	cache_entries++;
	spin_unlock(&cache_lock);
}

void digsig_cache_clear(void)
{
	spin_lock(&cache_lock);
	cache_epoch++;
	while (!list_empty(&cache_lru))
		remove_locked(list_first_entry(&cache_lru, struct digsig_cache_entry, lru));
	spin_unlock(&cache_lock);
}

void digsig_cache_stats(struct digsig_cache_stats *out)
{
	spin_lock(&cache_lock);
	out->hits = cache_hits;
	out->misses = cache_misses;
	out->entries = cache_entries;
	spin_unlock(&cache_lock);
}

void digsig_cache_set_limit(unsigned int max_entries)
{
	spin_lock(&cache_lock);
	cache_limit = max_entries;
	while (cache_entries > cache_limit && !list_empty(&cache_lru))
		remove_locked(list_last_entry(&cache_lru, struct digsig_cache_entry, lru));
	spin_unlock(&cache_lock);
}
