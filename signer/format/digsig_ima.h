/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The IMA signature in a file's security.ima extended attribute (digital
 * signature version 2, docs/format.md section 9): how digsig.ko accepts a
 * non-ELF executable that is "signed some other way", and how the signer
 * checks what it wrote. Plain C shared by both; no allocation, no reads
 * outside the buffer.
 */
#ifndef DIGSIG_IMA_H
#define DIGSIG_IMA_H

#include "digsig_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DIGSIG_IMA_XATTR "security.ima"
#define DIGSIG_IMA_TYPE_DIGSIG 0x03	/* EVM_IMA_XATTR_DIGSIG */
#define DIGSIG_IMA_VERSION 2
#define DIGSIG_IMA_HEADER_SIZE 9
#define DIGSIG_IMA_KEY_ID_SIZE 4
/* RSA-4096 is 512 bytes; IMA itself reads at most a few KiB of xattr. */
#define DIGSIG_IMA_MAX_XATTR 4096

struct digsig_ima_sig {
	u8 hash_algo;				/* DIGSIG_HASH_* */
	u8 key_id[DIGSIG_IMA_KEY_ID_SIZE];	/* last 4 bytes of the signer's SKID */
	u16 sig_len;
	const u8 *sig;				/* points into the caller's buffer */
};

/*
 * Parses an xattr value of @len bytes. Returns 0; -ENODATA when it is not a
 * signature (another IMA type, e.g. a bare hash); -EBADMSG when the header
 * and length disagree; -EOPNOTSUPP for another version or hash algorithm.
 */
int digsig_ima_parse(const u8 *xattr, size_t len, struct digsig_ima_sig *out);

#ifdef __cplusplus
}
#endif

#endif /* DIGSIG_IMA_H */
