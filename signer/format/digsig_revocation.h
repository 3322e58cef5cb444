/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The signed revocation list (docs/format.md section 11): certificates
 * (by subject key identifier) and signed-content digests that digsig.ko
 * must no longer accept. The file is
 *
 *   body || signature || sig_len (be32) || "~digsig-rl1\n"
 *
 * where the body is canonical text and the signature a detached PKCS#7
 * over it, in the same profile as the signature record's.
 *
 * Plain C shared by the kernel module and the userspace signer: no
 * allocation, no reads outside the given buffer, linear time.
 */
#ifndef DIGSIG_REVOCATION_H
#define DIGSIG_REVOCATION_H

#include "digsig_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DIGSIG_RL_MAGIC "~digsig-rl1\n"
#define DIGSIG_RL_MAGIC_SIZE 12
#define DIGSIG_RL_TRAILER_SIZE 16
#define DIGSIG_RL_HEADER "digsig-revocations 1\n"
#define DIGSIG_RL_MAX_BODY (1u << 20)
#define DIGSIG_RL_MAX_SIG 16384
#define DIGSIG_RL_MAX_FILE (DIGSIG_RL_MAX_BODY + DIGSIG_RL_MAX_SIG + DIGSIG_RL_TRAILER_SIZE)
/* A subject key identifier is 1 to 64 bytes (SHA-1 ones are 20). */
#define DIGSIG_RL_MAX_KEY_ID 64

enum digsig_rl_kind { DIGSIG_RL_KEY = 1, DIGSIG_RL_DIGEST = 2 };

struct digsig_rl_entry {
	u8 kind;	/* enum digsig_rl_kind */
	u8 hash_algo;	/* DIGSIG_HASH_* for digests, 0 for keys */
	u8 len;		/* bytes of id */
	u8 id[64];	/* key identifier or digest */
};

/* A parsed list; pointers refer into the caller's buffer. */
struct digsig_rl {
	const u8 *body;
	u32 body_len;
	const u8 *sig;
	u32 sig_len;
	u64 sequence;		/* 1 .. 10^18 - 1 */
	u32 keys;		/* entries of each kind */
	u32 digests;
	u32 entries_offset;	/* where the entry lines start in body */
};

/*
 * Splits @len bytes into body and signature and checks the whole body:
 * header, sequence, and every entry (well formed, strictly ascending, so
 * no duplicates). Returns 0, or -EBADMSG naming nothing more: the list is
 * either exactly right or refused.
 */
int digsig_rl_parse(const u8 *data, u64 len, struct digsig_rl *out);

/*
 * Iterates the entries of a list digsig_rl_parse() accepted: start with
 * *@pos = @rl->entries_offset. Returns 1 and fills @out, 0 at the end,
 * -EBADMSG if the body is not what was parsed.
 */
int digsig_rl_next(const struct digsig_rl *rl, u32 *pos, struct digsig_rl_entry *out);

#ifdef __cplusplus
}
#endif

#endif /* DIGSIG_REVOCATION_H */
