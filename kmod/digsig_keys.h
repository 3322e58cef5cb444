/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's certificates, in three keyrings none of which userspace can
 * reach: ".digsig" holds the trusted certificates (built in, plus any added
 * through securityfs before the policy is locked); ".digsig-revoked" those
 * a signed revocation list revoked, and ".digsig-unsupported" those whose
 * algorithm this kernel cannot verify (the stock Debian kernel has no
 * ECDSA), so a signature by one of them is reported as "revoked" or
 * "unsupported-algorithm" rather than as by an unknown signer.
 */
#ifndef DIGSIG_KEYS_H
#define DIGSIG_KEYS_H

#include <linux/key.h>
#include <linux/types.h>

int digsig_keys_init(const u8 *builtin_cert, size_t len);
void digsig_keys_exit(void);

struct key *digsig_trusted_keys(void);
struct key *digsig_revoked_keys(void);
struct key *digsig_unsupported_keys(void);

/*
 * Adds a DER X.509 certificate to the trusted keyring (to the unsupported
 * one when the kernel cannot verify its algorithm). -EPERM once the policy
 * is locked, -EKEYREVOKED when a revocation list revoked it, the key
 * subsystem's error when the kernel cannot parse it (a self-signed ECDSA
 * certificate fails here: the kernel checks its self-signature).
 */
int digsig_keys_add(const u8 *der, size_t len);

/* Identifiers revoked in all, until reboot: bounds what lists make us hold. */
#define DIGSIG_MAX_REVOKED_IDS 256

/* A certificate identifier a revocation list names (a "key" line). */
struct digsig_key_id {
	u8 len;		/* 1 .. 64 */
	u8 id[64];
};

/*
 * Revokes the certificates whose subject key identifiers are @ids (no
 * duplicates): they leave the trusted keyring now, and may never be added
 * again. All or nothing: returns 0 (also when no such certificate is
 * loaded), or -ENOSPC past the limit of revoked identifiers, or -EINVAL,
 * and then nothing changed.
 */
int digsig_keys_revoke(const struct digsig_key_id *ids, unsigned int count);

/* One line per certificate: "trusted|revoked|unsupported <description>". */
int digsig_keys_show(char *buf, size_t size);

#endif /* DIGSIG_KEYS_H */
