/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Verification of a file's embedded digsig signature (docs/format.md,
 * section 5) against the module's keyring.
 */
#ifndef DIGSIG_VERIFY_H
#define DIGSIG_VERIFY_H

#include <linux/fs.h>

/*
 * Why a file failed; digsig_reason_name() gives the word the kernel log
 * and the documentation use.
 */
enum digsig_reason {
	DIGSIG_OK,
	DIGSIG_UNSIGNED,
	DIGSIG_MALFORMED,
	DIGSIG_ALTERED,
	DIGSIG_UNKNOWN_SIGNER,
	DIGSIG_UNSUPPORTED,
	DIGSIG_REVOKED,
	DIGSIG_NOT_ELF,
	DIGSIG_IO,
	DIGSIG_INTERRUPTED,	/* a fatal signal stopped the hashing: no verdict */
	DIGSIG_UNTRUSTED_MOUNT,	/* FUSE, or mounted from a user namespace */
	DIGSIG_UNSEALED,	/* a memfd without its write, shrink, grow seals */
	DIGSIG_BUSY,		/* the real file is open for writing: no verdict */
};

const char *digsig_reason_name(enum digsig_reason reason);

/* The crypto API's name of a DIGSIG_HASH_* value ("sha256"), or NULL. */
const char *digsig_hash_name(u8 hash_algo);

/*
 * Digest of bytes [0, @len) of @file with DIGSIG_HASH_* @hash_algo into
 * @out: DIGSIG_OK, DIGSIG_UNSUPPORTED (no such hash here), DIGSIG_IO, or
 * DIGSIG_INTERRUPTED when the caller got a fatal signal while hashing.
 */
enum digsig_reason digsig_hash_file(struct file *file, u64 len, u8 hash_algo, u8 *out);

/* Reads exactly @len bytes at @pos of @file; -EIO when the file is shorter. */
int digsig_read_exact(struct file *file, void *buf, size_t len, loff_t pos);

/*
 * Parses the record and checks that the last section is ".digsig" over it
 * (DIGSIG_MALFORMED otherwise), verifies the signed payload with the
 * module's trusted certificates, then (only then) hashes every covered byte
 * of @file and compares; a revoked digest or a signature by a revoked
 * certificate is DIGSIG_REVOKED. Reads the file with kernel_read() only;
 * trusts no offset or length from it before checking it against the file's
 * size.
 */
enum digsig_reason digsig_verify_file(struct file *file);

/*
 * Verifies a non-ELF file by its security.ima signature (docs/format.md
 * section 9): the digest of the whole file, signed (RSA PKCS#1 v1.5) by a
 * trusted certificate picked by key id. DIGSIG_NOT_ELF when it has none.
 */
enum digsig_reason digsig_verify_ima(struct file *file);

#endif /* DIGSIG_VERIFY_H */
