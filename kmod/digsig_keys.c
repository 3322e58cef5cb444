// SPDX-License-Identifier: GPL-2.0
/* The trusted and revoked keyrings; see digsig_keys.h. */
#include <crypto/public_key.h>
#include <keys/asymmetric-type.h>
#include <linux/crypto.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/key.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "digsig_keys.h"
#include "digsig_policy.h"

/* Bound what securityfs writes can make the module hold. */
#define DIGSIG_MAX_CERTS 64

/* Which keyring a certificate is in; also the word the keys file shows. */
enum cert_state { CERT_TRUSTED, CERT_REVOKED, CERT_UNSUPPORTED, CERT_STATES };
static const char *const state_names[CERT_STATES] = { "trusted", "revoked", "unsupported" };
static const char *const ring_names[CERT_STATES] = {
	".digsig", ".digsig-revoked", ".digsig-unsupported"
};

/* Every certificate ever loaded, for the keys file. */
struct cert {
	struct key *key;
	enum cert_state state;
};

static struct key *rings[CERT_STATES];
static struct cert certs[DIGSIG_MAX_CERTS];
static unsigned int cert_count;
static struct digsig_key_id revoked_ids[DIGSIG_MAX_REVOKED_IDS];
static unsigned int revoked_id_count;
static DEFINE_MUTEX(keys_mutex);

#define KEYRING_PERM ((KEY_POS_ALL & ~KEY_POS_SETATTR) | KEY_USR_VIEW | KEY_USR_READ | \
		      KEY_USR_SEARCH)
#define KEY_PERM ((KEY_POS_ALL & ~KEY_POS_SETATTR) | KEY_USR_VIEW | KEY_USR_READ)

struct key *digsig_trusted_keys(void)
{
	return rings[CERT_TRUSTED];
}

struct key *digsig_revoked_keys(void)
{
	return rings[CERT_REVOKED];
}

struct key *digsig_unsupported_keys(void)
{
	return rings[CERT_UNSUPPORTED];
}

/*
 * True when one of @key's identifiers (issuer+serial, subject key id) ends
 * with @r: the same partial match keyring_search() does for "id:".
 */
static bool key_matches(const struct key *key, const struct digsig_key_id *r)
{
	const struct asymmetric_key_ids *ids = asymmetric_key_ids(key);
	int i;

	if (!ids)
		return false;
	for (i = 0; i < ARRAY_SIZE(ids->id); i++) {
		const struct asymmetric_key_id *kid = ids->id[i];

		if (kid && kid->len >= r->len &&
		    memcmp(kid->data + kid->len - r->len, r->id, r->len) == 0)
			return true;
	}
	return false;
}

static bool key_is_revoked(const struct key *key)
{
	unsigned int i;

	for (i = 0; i < revoked_id_count; i++)
		if (key_matches(key, &revoked_ids[i]))
			return true;
	return false;
}

/* Moves certs[@i] to the keyring of state @to. */
static void move_cert(unsigned int i, enum cert_state to)
{
	struct key *key = certs[i].key;

	if (certs[i].state == to)
		return;
	key_unlink(rings[certs[i].state], key);
	if (key_link(rings[to], key))
		pr_warn("digsig: %s: not in %s, reported as an unknown signer\n",
			key->description, ring_names[to]);
	certs[i].state = to;
	pr_info("digsig: certificate %s: %s\n", state_names[to], key->description);
}

/* Whether this kernel can verify signatures made with @key's algorithm. */
static bool algorithm_available(const struct key *key)
{
	const struct public_key *pk = key->payload.data[asym_crypto];

	return pk && crypto_has_alg(pk->pkey_algo, CRYPTO_ALG_TYPE_AKCIPHER,
				    CRYPTO_ALG_TYPE_MASK);
}

static int add_cert(const u8 *der, size_t len)
{
	struct key *key;
	key_ref_t ref;
	unsigned int i;

	if (cert_count == DIGSIG_MAX_CERTS)
		return -ENOSPC;
	ref = key_create_or_update(make_key_ref(rings[CERT_TRUSTED], 1), "asymmetric", NULL,
				   der, len, KEY_PERM, KEY_ALLOC_NOT_IN_QUOTA);
	if (IS_ERR(ref))
		return PTR_ERR(ref);
	key = key_ref_to_ptr(ref);
	/* The same certificate again replaced the old key in the keyring. */
	for (i = 0; i < cert_count; i++) {
		if (strcmp(certs[i].key->description, key->description) == 0) {
			key_put(certs[i].key);
			break;
		}
	}
	if (i == cert_count)
		cert_count++;
	certs[i].key = key;
	certs[i].state = CERT_TRUSTED;
	if (key_is_revoked(key)) {
		move_cert(i, CERT_REVOKED);
		return -EKEYREVOKED;
	}
	/*
	 * Kept, so files it signed are refused as "unsupported-algorithm"
	 * rather than as signed by an unknown key.
	 */
	if (!algorithm_available(key)) {
		move_cert(i, CERT_UNSUPPORTED);
		return 0;
	}
	pr_info("digsig: certificate trusted: %s\n", key->description);
	return 0;
}

int digsig_keys_add(const u8 *der, size_t len)
{
	int err;

	mutex_lock(&keys_mutex);
	err = digsig_policy_locked() ? -EPERM : add_cert(der, len);
	mutex_unlock(&keys_mutex);
	return err;
}

static bool id_revoked(const struct digsig_key_id *id)
{
	unsigned int i;

	for (i = 0; i < revoked_id_count; i++)
		if (revoked_ids[i].len == id->len &&
		    memcmp(revoked_ids[i].id, id->id, id->len) == 0)
			return true;
	return false;
}

int digsig_keys_revoke(const struct digsig_key_id *ids, unsigned int count)
{
	unsigned int i, j, fresh = 0;
	int err = 0;

	for (i = 0; i < count; i++)
		if (ids[i].len == 0 || ids[i].len > sizeof(ids[i].id))
			return -EINVAL;
	mutex_lock(&keys_mutex);
	/*
	 * Room for every new identifier is checked before the first moves a
	 * certificate: a list that does not fit changes nothing. @ids holds
	 * no duplicates (a list's lines are strictly ascending).
	 */
	for (i = 0; i < count; i++)
		if (!id_revoked(&ids[i]))
			fresh++;
	if (fresh > DIGSIG_MAX_REVOKED_IDS - revoked_id_count) {
		err = -ENOSPC;
		goto out;
	}
	for (i = 0; i < count; i++) {
		struct digsig_key_id *r;

		if (id_revoked(&ids[i]))
			continue;
		r = &revoked_ids[revoked_id_count++];
		r->len = ids[i].len;
		memcpy(r->id, ids[i].id, ids[i].len);
		for (j = 0; j < cert_count; j++)
			if (key_matches(certs[j].key, r))
				move_cert(j, CERT_REVOKED);
	}
out:
	mutex_unlock(&keys_mutex);
	return err;
}

int digsig_keys_show(char *buf, size_t size)
{
	unsigned int i;
	int len = 0;

	mutex_lock(&keys_mutex);
	for (i = 0; i < cert_count; i++)
		len += scnprintf(buf + len, size - len, "%s %s\n",
				 state_names[certs[i].state], certs[i].key->description);
	mutex_unlock(&keys_mutex);
	return len;
}

static struct key *new_keyring(const char *name)
{
	return keyring_alloc(name, GLOBAL_ROOT_UID, GLOBAL_ROOT_GID, current_cred(),
			     KEYRING_PERM, KEY_ALLOC_NOT_IN_QUOTA, NULL, NULL);
}

int digsig_keys_init(const u8 *builtin_cert, size_t len)
{
	int i, err;

	for (i = 0; i < CERT_STATES; i++) {
		rings[i] = new_keyring(ring_names[i]);
		if (IS_ERR(rings[i])) {
			err = PTR_ERR(rings[i]);
			rings[i] = NULL;
			digsig_keys_exit();
			return err;
		}
	}
	err = add_cert(builtin_cert, len);
	if (!err && certs[0].state != CERT_TRUSTED)
		err = -ENOPKG;	/* the built-in certificate must be usable */
	if (err)
		digsig_keys_exit();
	return err;
}

void digsig_keys_exit(void)
{
	unsigned int i;

	for (i = 0; i < cert_count; i++)
		key_put(certs[i].key);
	cert_count = 0;
	for (i = 0; i < CERT_STATES; i++) {
		key_put(rings[i]);	/* NULL is ignored */
		rings[i] = NULL;
	}
}
