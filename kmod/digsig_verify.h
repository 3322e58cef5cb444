/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Verification of a file's embedded digsig signature (docs/format.md,
 * section 5) against the module's keyring.
 */
#ifndef DIGSIG_VERIFY_H
#define DIGSIG_VERIFY_H

#include <linux/fs.h>
#include <linux/key.h>

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
	DIGSIG_IO,
};

const char *digsig_reason_name(enum digsig_reason reason);

/*
 * Hashes every covered byte of @file and verifies the signed payload with
 * the keys of @keyring. Reads the file with kernel_read() only; trusts no
 * offset or length from it before checking it against the file's size.
 */
enum digsig_reason digsig_verify_file(struct file *file, struct key *keyring);

#endif /* DIGSIG_VERIFY_H */
