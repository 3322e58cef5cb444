// SPDX-License-Identifier: GPL-2.0
/*
 * digsig_verify_ima(): a non-ELF executable (a script, a binfmt_misc file)
 * has no place for an embedded signature, so with nonelf=deny it must
 * carry the security.ima signature the signer writes (sign-tar --ima-all,
 * digsig_rootfs(ima = "all")), verified here against the same trusted
 * keyring as ELF files. The header is parsed by the C the signer uses
 * (digsig_ima.c).
 */
#include <crypto/public_key.h>
#include <keys/asymmetric-type.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xattr.h>

#include "digsig_format.h"
#include "digsig_ima.h"
#include "digsig_keys.h"
#include "digsig_revoke.h"
#include "digsig_verify.h"

/* The key in @keyring whose identifier ends with the signature's key id. */
static struct key *find_key(struct key *keyring, const struct digsig_ima_sig *sig)
{
	char query[3 + 2 * DIGSIG_IMA_KEY_ID_SIZE + 1];
	key_ref_t ref;

	snprintf(query, sizeof(query), "id:%*phN", DIGSIG_IMA_KEY_ID_SIZE, sig->key_id);
	ref = keyring_search(make_key_ref(keyring, 1), &key_type_asymmetric, query, false);
	return IS_ERR(ref) ? NULL : key_ref_to_ptr(ref);
}

/* RSA PKCS#1 v1.5 over @digest, as IMA's own asymmetric_verify() checks it. */
static enum digsig_reason check_ima_signature(const struct digsig_ima_sig *sig, u8 *digest)
{
	struct public_key_signature pks = {
		.s = (u8 *)sig->sig,
		.s_size = sig->sig_len,
		.digest = digest,
		.digest_size = digsig_digest_len(sig->hash_algo),
		.hash_algo = digsig_hash_name(sig->hash_algo),
		.encoding = "pkcs1",
	};
	const struct public_key *pk;
	enum digsig_reason reason;
	struct key *key;
	int err;

	key = find_key(digsig_trusted_keys(), sig);
	if (!key) {
		key = find_key(digsig_revoked_keys(), sig);
		if (key) {
			key_put(key);
			return DIGSIG_REVOKED;
		}
		return DIGSIG_UNKNOWN_SIGNER;
	}
	pk = key->payload.data[asym_crypto];
	if (!pk || strcmp(pk->pkey_algo, "rsa") != 0) {
		key_put(key);
		return DIGSIG_UNSUPPORTED;
	}
	pks.pkey_algo = pk->pkey_algo;
	err = verify_signature(key, &pks);
	key_put(key);
	if (err == 0)
		reason = DIGSIG_OK;
	else if (err == -ENOPKG || err == -ENOENT)
		reason = DIGSIG_UNSUPPORTED;
	else
		reason = DIGSIG_ALTERED;
	return reason;
}

enum digsig_reason digsig_verify_ima(struct file *file)
{
	u8 digest[DIGSIG_MAX_DIGEST];
	struct digsig_ima_sig sig;
	enum digsig_reason reason;
	ssize_t len;
	u8 *xattr;
	int err;

	xattr = kmalloc(DIGSIG_IMA_MAX_XATTR, GFP_KERNEL);
	if (!xattr)
		return DIGSIG_IO;
	len = __vfs_getxattr(file->f_path.dentry, file_inode(file), DIGSIG_IMA_XATTR, xattr,
			     DIGSIG_IMA_MAX_XATTR);
	if (len == -ENODATA || len == -EOPNOTSUPP) {
		reason = DIGSIG_NOT_ELF;	/* no signature of any kind */
		goto out;
	}
	if (len < 0) {
		reason = len == -ERANGE ? DIGSIG_MALFORMED : DIGSIG_IO;
		goto out;
	}
	err = digsig_ima_parse(xattr, len, &sig);
	if (err) {
		reason = err == -ENODATA ? DIGSIG_NOT_ELF :
			 err == -EOPNOTSUPP ? DIGSIG_UNSUPPORTED : DIGSIG_MALFORMED;
		goto out;
	}
	reason = digsig_hash_file(file, i_size_read(file_inode(file)), sig.hash_algo, digest);
	if (reason != DIGSIG_OK)
		goto out;
	if (digsig_digest_revoked(sig.hash_algo, digest, digsig_digest_len(sig.hash_algo)))
		reason = DIGSIG_REVOKED;
	else
		reason = check_ima_signature(&sig, digest);
out:
	kfree(xattr);
	return reason;
}
