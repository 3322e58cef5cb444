/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Revocation: signed lists (docs/format.md section 11) revoke certificates
 * and file digests until reboot. Lists only add: a later list (higher
 * sequence number) extends what earlier ones revoked, never shrinks it.
 * Revocations are accepted after the policy is locked; they only tighten it.
 */
#ifndef DIGSIG_REVOKE_H
#define DIGSIG_REVOKE_H

#include <linux/types.h>

/*
 * Verifies @len bytes as a revocation list signed by a trusted certificate
 * and applies it. Returns 0; -EBADMSG (malformed), -ENOKEY/-EKEYREJECTED
 * (signature), -ESTALE (sequence not above the last list's), -ENOSPC (past
 * the limits); nothing is applied on error.
 */
int digsig_revocations_load(const u8 *data, size_t len);

/* True when a list revoked this signed-content digest. Takes no lock. */
bool digsig_digest_revoked(u8 hash_algo, const u8 *digest, u8 len);

/* "sequence N\ndigests N\n" (revoked certificates: digsig_keys_show) */
int digsig_revocations_show(char *buf, size_t size);

void digsig_revocations_exit(void);

#endif /* DIGSIG_REVOKE_H */
