// SPDX-License-Identifier: GPL-2.0
/*
 * The verification cache (see digsig_cache.h). One spinlock guards a hash
 * table and an LRU list of small fixed-size entries; each entry embeds the
 * fsnotify mark that watches its inode.
 *
 * Why marks and not only stamps: a stamp is what the filesystem chooses to
 * update. vfat keeps 2-second times and no i_version, so a rewrite within
 * two seconds (or one that sets the old times back) looks unchanged; tmpfs
 * updates nothing when a shared writable mapping changes a page. fsnotify
 * sees the write, the truncate, the attribute change and, for mappings,
 * the close of the last writable reference (a file cannot be exec'd while
 * it is open for writing, so an entry always starts with no writer).
 *
 * Ownership: an entry in the table holds the mark's first reference. A
 * pending entry (being verified) belongs to its verifier; anyone else only
 * unhashes it, and commit or abort releases it. A committed entry belongs
 * to the table: whoever unhashes it (lookup, eviction, clear, an event)
 * destroys the mark and drops that reference; fsnotify frees the entry
 * after its grace period (free_mark).
 */
#include <linux/fsnotify_backend.h>
#include <linux/hashtable.h>
#include <linux/iversion.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "digsig_cache.h"

/* What voids a verdict: the content, the attributes (security.ima), the inode. */
#define DIGSIG_CACHE_EVENTS (FS_MODIFY | FS_ATTRIB | FS_CLOSE_WRITE | FS_DELETE_SELF)

struct digsig_stamp {
	const struct inode *inode;	/* (dev, ino) repeat: btrfs subvolumes */
	dev_t dev;
	unsigned long ino;
	u32 generation;
	struct timespec64 mtime;
	struct timespec64 ctime;
	loff_t size;
	u64 version;
};

struct digsig_cache_entry {
	struct fsnotify_mark mark;
	struct hlist_node node;
	struct list_head lru;	/* committed entries; a dispose list when unhashed */
	struct digsig_stamp stamp;
	bool hashed;
	bool pending;
	bool has_interp;
};

static DEFINE_HASHTABLE(cache_table, 10);
static LIST_HEAD(cache_lru);
static DEFINE_SPINLOCK(cache_lock);
static unsigned int cache_entries;
static unsigned int cache_limit;
static u64 cache_hits, cache_misses;
static struct fsnotify_group *cache_group;
/*
 * Entries not yet freed. free_mark runs after fsnotify's grace period, so
 * when this reaches 0 no event handler of ours runs any more: the module's
 * code may go (after the reaper's work item has finished, too).
 */
static atomic_t cache_marks = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(cache_marks_freed);

static void stamp_of(struct inode *inode, struct digsig_stamp *s)
{
	memset(s, 0, sizeof(*s));
	s->inode = inode;
	s->dev = inode->i_sb->s_dev;
	s->ino = inode->i_ino;
	s->generation = inode->i_generation;
	s->mtime = inode->i_mtime;
	s->ctime = inode->i_ctime;
	s->size = i_size_read(inode);
	s->version = inode_query_iversion(inode);
}

static u32 stamp_hash(const struct digsig_stamp *s)
{
	return s->ino ^ s->dev;
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

	hash_for_each_possible(cache_table, e, node, stamp_hash(s))
		if (e->stamp.inode == s->inode && e->stamp.dev == s->dev && e->stamp.ino == s->ino)
			return e;
	return NULL;
}

/*
 * Takes @e out of the table. A committed entry moves to @dispose (its
 * caller releases it after unlocking); a pending one stays its verifier's.
 */
static void unhash_locked(struct digsig_cache_entry *e, struct list_head *dispose)
{
	if (!e->hashed)
		return;
	hash_del(&e->node);
	e->hashed = false;
	if (e->pending)
		return;
	list_move(&e->lru, dispose);
	cache_entries--;
}

/* Destroys the mark (it may sleep) and drops the table's reference. */
static void release(struct digsig_cache_entry *e)
{
	fsnotify_destroy_mark(&e->mark, cache_group);
	fsnotify_put_mark(&e->mark);
}

static void dispose_all(struct list_head *dispose)
{
	struct digsig_cache_entry *e, *next;

	list_for_each_entry_safe(e, next, dispose, lru) {
		list_del(&e->lru);
		release(e);
	}
}

/* A watched inode changed: its verdict goes. Runs in the changer's context. */
static int cache_inode_event(struct fsnotify_mark *mark, u32 mask, struct inode *inode,
			     struct inode *dir, const struct qstr *name, u32 cookie)
{
	struct digsig_cache_entry *e = container_of(mark, struct digsig_cache_entry, mark);
	LIST_HEAD(dispose);

	spin_lock(&cache_lock);
	unhash_locked(e, &dispose);
	spin_unlock(&cache_lock);
	dispose_all(&dispose);
	return 0;
}

/*
 * fsnotify destroys the mark itself (the inode is deleted or evicted, its
 * filesystem unmounted): forget the entry, and only drop the reference,
 * as the destruction is under way.
 */
static void cache_freeing_mark(struct fsnotify_mark *mark, struct fsnotify_group *group)
{
	struct digsig_cache_entry *e = container_of(mark, struct digsig_cache_entry, mark);
	LIST_HEAD(dispose);

	spin_lock(&cache_lock);
	unhash_locked(e, &dispose);
	spin_unlock(&cache_lock);
	if (!list_empty(&dispose)) {
		list_del(&e->lru);
		fsnotify_put_mark(mark);
	}
}

static void cache_free_mark(struct fsnotify_mark *mark)
{
	kfree(container_of(mark, struct digsig_cache_entry, mark));
	if (atomic_dec_and_test(&cache_marks))
		wake_up(&cache_marks_freed);
}

static const struct fsnotify_ops cache_ops = {
	.handle_inode_event = cache_inode_event,
	.freeing_mark = cache_freeing_mark,
	.free_mark = cache_free_mark,
};

int digsig_cache_init(unsigned int max_entries)
{
	/*
	 * NOFS: the marks do not pin their inodes (an evicted inode takes
	 * its entry with it), so reclaim may destroy marks, and the group's
	 * lock must then never be held across an allocation that reclaims.
	 */
	cache_group = fsnotify_alloc_group(&cache_ops, FSNOTIFY_GROUP_NOFS);
	if (IS_ERR(cache_group))
		return PTR_ERR(cache_group);
	cache_limit = max_entries;
	return 0;
}

void digsig_cache_exit(void)
{
	digsig_cache_clear();
	/* An event handler may still hold an entry it unhashed: wait for all. */
	wait_event(cache_marks_freed, atomic_read(&cache_marks) == 0);
	/* ...and for the reaper's work item that ran the last free_mark. */
	fsnotify_wait_marks_destroyed();
	fsnotify_put_group(cache_group);
}

bool digsig_cache_lookup(struct inode *inode, bool *has_interp)
{
	struct digsig_cache_entry *e;
	struct digsig_stamp s;
	LIST_HEAD(dispose);
	bool hit = false;

	stamp_of(inode, &s);
	spin_lock(&cache_lock);
	e = find_locked(&s);
	if (e && !e->pending && unchanged(&e->stamp, &s)) {
		list_move(&e->lru, &cache_lru);
		*has_interp = e->has_interp;
		hit = true;
	} else if (e && !e->pending) {
		unhash_locked(e, &dispose);	/* the stamp moved: verify again */
	}
	if (hit)
		cache_hits++;
	else
		cache_misses++;
	spin_unlock(&cache_lock);
	dispose_all(&dispose);
	return hit;
}

struct digsig_cache_entry *digsig_cache_begin(struct inode *inode)
{
	struct digsig_cache_entry *e;
	bool busy;

	if (READ_ONCE(cache_limit) == 0)
		return NULL;
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return NULL;	/* not remembering is always safe */
	atomic_inc(&cache_marks);
	fsnotify_init_mark(&e->mark, cache_group);
	e->mark.mask = DIGSIG_CACHE_EVENTS;
	e->mark.flags |= FSNOTIFY_MARK_FLAG_NO_IREF;
	e->pending = true;
	stamp_of(inode, &e->stamp);
	spin_lock(&cache_lock);
	busy = find_locked(&e->stamp) != NULL;
	if (!busy) {
		hash_add(cache_table, &e->node, stamp_hash(&e->stamp));
		e->hashed = true;
	}
	spin_unlock(&cache_lock);
	if (busy || fsnotify_add_inode_mark(&e->mark, inode, 0)) {
		digsig_cache_abort(e);
		return NULL;
	}
	/*
	 * Watched from here on: the stamp verification is compared with is
	 * the one after this point, so no change falls between the two.
	 */
	stamp_of(inode, &e->stamp);
	return e;
}

void digsig_cache_commit(struct digsig_cache_entry *e, struct inode *inode, bool has_interp)
{
	struct digsig_stamp now;
	LIST_HEAD(dispose);

	if (!e)
		return;
	stamp_of(inode, &now);
	spin_lock(&cache_lock);
	if (!e->hashed || !unchanged(&e->stamp, &now)) {
		unhash_locked(e, &dispose);
		spin_unlock(&cache_lock);
		release(e);	/* voided while verifying */
		return;
	}
	e->pending = false;
	e->has_interp = has_interp;
	list_add(&e->lru, &cache_lru);
	cache_entries++;
	while (cache_entries > cache_limit)
		unhash_locked(list_last_entry(&cache_lru, struct digsig_cache_entry, lru),
			      &dispose);
	spin_unlock(&cache_lock);
	dispose_all(&dispose);
}

void digsig_cache_abort(struct digsig_cache_entry *e)
{
	LIST_HEAD(dispose);

	if (!e)
		return;
	spin_lock(&cache_lock);
	unhash_locked(e, &dispose);
	spin_unlock(&cache_lock);
	release(e);
}

void digsig_cache_clear(void)
{
	struct digsig_cache_entry *e;
	struct hlist_node *tmp;
	LIST_HEAD(dispose);
	int bucket;

	spin_lock(&cache_lock);
	/* Pending entries too: what they verify may be revoked now. */
	hash_for_each_safe(cache_table, bucket, tmp, e, node)
		unhash_locked(e, &dispose);
	spin_unlock(&cache_lock);
	dispose_all(&dispose);
}

void digsig_cache_stats(struct digsig_cache_stats *out)
{
	spin_lock(&cache_lock);
	out->hits = cache_hits;
	out->misses = cache_misses;
	out->entries = cache_entries;
	spin_unlock(&cache_lock);
	out->entry_bytes = kmalloc_size_roundup(sizeof(struct digsig_cache_entry));
}
