// SPDX-License-Identifier: GPL-2.0
/*
 * The revoked digests: a sorted array, replaced as a whole (RCU) when a
 * list adds to it, so the exec path looks up without taking a lock.
 */
#include <linux/bsearch.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/verification.h>

#include "digsig_cache.h"
#include "digsig_format.h"
#include "digsig_keys.h"
#include "digsig_revocation.h"
#include "digsig_revoke.h"

/* 65536 digests: about 4 MiB, more than any product revokes. */
#define DIGSIG_MAX_REVOKED_DIGESTS 65536

struct revoked_digest {
	u8 hash_algo;
	u8 len;
	u8 digest[DIGSIG_MAX_DIGEST];
};

struct digest_set {
	struct rcu_head rcu;
	u32 count;
	struct revoked_digest d[];
};

static struct digest_set __rcu *digests;
static u64 sequence;
static DEFINE_MUTEX(revoke_mutex);

/* Orders by algorithm, then bytes: the order of the list's lines. */
static int compare_digest(const void *a, const void *b)
{
	const struct revoked_digest *x = a, *y = b;

	if (x->hash_algo != y->hash_algo)
		return x->hash_algo < y->hash_algo ? -1 : 1;
	return memcmp(x->digest, y->digest, x->len);
}

bool digsig_digest_revoked(u8 hash_algo, const u8 *digest, u8 len)
{
	struct revoked_digest key = { .hash_algo = hash_algo, .len = len };
	struct digest_set *set;
	bool found = false;

	if (len > DIGSIG_MAX_DIGEST)
		return false;
	memcpy(key.digest, digest, len);
	rcu_read_lock();
	set = rcu_dereference(digests);
	if (set)
		found = bsearch(&key, set->d, set->count, sizeof(key), compare_digest);
	rcu_read_unlock();
	return found;
}

/*
 * Merges the old set and the list's digests (both sorted) into a new set,
 * dropping duplicates. Called with revoke_mutex held.
 */
static struct digest_set *merge(const struct digsig_rl *rl, struct digest_set *old)
{
	u32 old_count = old ? old->count : 0, i = 0, pos = rl->entries_offset;
	struct digsig_rl_entry e;
	struct digest_set *set;
	struct revoked_digest next;
	bool have_next = false;
	int r;

	if ((u64)old_count + rl->digests > DIGSIG_MAX_REVOKED_DIGESTS)
		return ERR_PTR(-ENOSPC);
	set = kvmalloc(struct_size(set, d, old_count + rl->digests), GFP_KERNEL);
	if (!set)
		return ERR_PTR(-ENOMEM);
	set->count = 0;
	for (;;) {
		const struct revoked_digest *take;

		while (!have_next) {
			r = digsig_rl_next(rl, &pos, &e);
			if (r < 0) {
				kvfree(set);
				return ERR_PTR(r);
			}
			if (r == 0)
				break;
			if (e.kind != DIGSIG_RL_DIGEST)
				continue;
			next.hash_algo = e.hash_algo;
			next.len = e.len;
			memset(next.digest, 0, sizeof(next.digest));
			memcpy(next.digest, e.id, e.len);
			have_next = true;
		}
		if (i < old_count && (!have_next || compare_digest(&old->d[i], &next) <= 0))
			take = &old->d[i++];
		else if (have_next)
			take = &next;
		else
			break;
		if (set->count == 0 || compare_digest(&set->d[set->count - 1], take) != 0)
			set->d[set->count++] = *take;
		if (take == &next)
			have_next = false;
	}
	return set;
}

/*
 * The list's certificate identifiers, staged before anything is applied;
 * kvfree() them. Never more than the keys module can hold in all.
 */
static struct digsig_key_id *stage_keys(const struct digsig_rl *rl)
{
	u32 pos = rl->entries_offset, n = 0;
	struct digsig_rl_entry e;
	struct digsig_key_id *ids;
	int r;

	if (rl->keys > DIGSIG_MAX_REVOKED_IDS)
		return ERR_PTR(-ENOSPC);
	ids = kvcalloc(max_t(u32, rl->keys, 1), sizeof(*ids), GFP_KERNEL);
	if (!ids)
		return ERR_PTR(-ENOMEM);
	while ((r = digsig_rl_next(rl, &pos, &e)) == 1) {
		if (e.kind != DIGSIG_RL_KEY)
			continue;
		if (n == rl->keys || e.len > sizeof(ids[n].id)) {
			r = -EBADMSG;	/* not the list digsig_rl_parse() counted */
			break;
		}
		ids[n].len = e.len;
		memcpy(ids[n].id, e.id, e.len);
		n++;
	}
	if (r == 0 && n != rl->keys)
		r = -EBADMSG;
	if (r < 0) {
		kvfree(ids);
		return ERR_PTR(r);
	}
	return ids;
}

int digsig_revocations_load(const u8 *data, size_t len)
{
	struct digsig_key_id *ids = NULL;
	struct digest_set *old, *set;
	struct digsig_rl rl;
	int err;

	err = digsig_rl_parse(data, len, &rl);
	if (err)
		return err;
	err = verify_pkcs7_signature(rl.body, rl.body_len, rl.sig, rl.sig_len,
				     digsig_trusted_keys(), VERIFYING_UNSPECIFIED_SIGNATURE,
				     NULL, NULL);
	if (err)
		return err;
	mutex_lock(&revoke_mutex);
	if (rl.sequence <= sequence) {
		err = -ESTALE;
		goto out;
	}
	/*
	 * All or nothing: the new digest set and the certificate identifiers
	 * are built first; the certificates then move in one step that checks
	 * its room before it changes anything, and after it nothing can fail.
	 * A list refused here leaves keys, digests, sequence and cache as
	 * they were.
	 */
	ids = stage_keys(&rl);
	if (IS_ERR(ids)) {
		err = PTR_ERR(ids);
		goto out;
	}
	old = rcu_dereference_protected(digests, lockdep_is_held(&revoke_mutex));
	set = merge(&rl, old);
	if (IS_ERR(set)) {
		err = PTR_ERR(set);
		goto out;
	}
	err = digsig_keys_revoke(ids, rl.keys);
	if (err) {
		kvfree(set);
		goto out;
	}
	rcu_assign_pointer(digests, set);
	if (old)
		kvfree_rcu(old, rcu);
	sequence = rl.sequence;
	/* Files verified before may carry a digest or key revoked now. */
	digsig_cache_clear();
	pr_info("digsig: revocation list %llu applied: %u certificates, %u digests\n",
		rl.sequence, rl.keys, rl.digests);
out:
	mutex_unlock(&revoke_mutex);
	if (!IS_ERR(ids))
		kvfree(ids);
	return err;
}

int digsig_revocations_show(char *buf, size_t size)
{
	struct digest_set *set;
	u32 count;
	int len;

	mutex_lock(&revoke_mutex);
	set = rcu_dereference_protected(digests, lockdep_is_held(&revoke_mutex));
	count = set ? set->count : 0;
	len = scnprintf(buf, size, "sequence %llu\ndigests %u\n", sequence, count);
	mutex_unlock(&revoke_mutex);
	return len;
}

void digsig_revocations_exit(void)
{
	struct digest_set *set = rcu_dereference_protected(digests, true);

	RCU_INIT_POINTER(digests, NULL);
	synchronize_rcu();
	kvfree(set);
}
