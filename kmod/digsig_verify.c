// SPDX-License-Identifier: GPL-2.0
/*
 * digsig_verify_file(): the kernel side of docs/format.md section 5. The
 * record and the section table are checked by the same C code the signer
 * uses (digsig_format.c, digsig_sections.c).
 */
#include <crypto/hash.h>
#include <linux/err.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/verification.h>
#include <linux/vmalloc.h>

#include "digsig_elf.h"
#include "digsig_format.h"
#include "digsig_keys.h"
#include "digsig_revoke.h"
#include "digsig_sections.h"
#include "digsig_verify.h"

#define DIGSIG_CHUNK (64 * 1024)

const char *digsig_reason_name(enum digsig_reason reason)
{
	switch (reason) {
	case DIGSIG_OK:
		return "ok";
	case DIGSIG_UNSIGNED:
		return "unsigned";
	case DIGSIG_MALFORMED:
		return "malformed";
	case DIGSIG_ALTERED:
		return "altered";
	case DIGSIG_UNKNOWN_SIGNER:
		return "unknown-signer";
	case DIGSIG_UNSUPPORTED:
		return "unsupported-algorithm";
	case DIGSIG_REVOKED:
		return "revoked";
	case DIGSIG_NOT_ELF:
		return "not-elf";	/* and no security.ima signature */
	case DIGSIG_IO:
		return "io";
	case DIGSIG_INTERRUPTED:
		return "interrupted";
	case DIGSIG_UNTRUSTED_MOUNT:
		return "untrusted-mount";
	case DIGSIG_UNSEALED:
		return "unsealed-memfd";
	case DIGSIG_BUSY:
		return "busy";
	}
	return "?";
}

int digsig_read_exact(struct file *file, void *buf, size_t len, loff_t pos)
{
	while (len > 0) {
		ssize_t n = kernel_read(file, buf, len, &pos);

		if (n < 0)
			return (int)n;
		if (n == 0)
			return -EIO;	/* the file shrank */
		buf += n;
		len -= n;
	}
	return 0;
}

const char *digsig_hash_name(u8 hash_algo)
{
	switch (hash_algo) {
	case DIGSIG_HASH_SHA256:
		return "sha256";
	case DIGSIG_HASH_SHA384:
		return "sha384";
	case DIGSIG_HASH_SHA512:
		return "sha512";
	}
	return NULL;
}

enum digsig_reason digsig_hash_file(struct file *file, u64 len, u8 hash_algo, u8 *out)
{
	const char *name = digsig_hash_name(hash_algo);
	struct crypto_shash *tfm;
	struct shash_desc *desc = NULL;
	enum digsig_reason reason = DIGSIG_IO;
	u8 *buf = NULL;
	loff_t pos = 0;

	if (!name)
		return DIGSIG_UNSUPPORTED;
	tfm = crypto_alloc_shash(name, 0, 0);
	if (IS_ERR(tfm))
		return DIGSIG_UNSUPPORTED;
	desc = kzalloc(sizeof(*desc) + crypto_shash_descsize(tfm), GFP_KERNEL);
	buf = kvmalloc(DIGSIG_CHUNK, GFP_KERNEL);
	if (!desc || !buf)
		goto out;
	desc->tfm = tfm;
	if (crypto_shash_init(desc))
		goto out;
	while ((u64)pos < len) {
		size_t want = min_t(u64, DIGSIG_CHUNK, len - pos);

		if (digsig_read_exact(file, buf, want, pos))
			goto out;
		if (crypto_shash_update(desc, buf, want))
			goto out;
		pos += want;
		/*
		 * A covered range is as long as the file, and a sparse file
		 * costs nothing to make: a killed process must not stay here.
		 */
		if (fatal_signal_pending(current)) {
			reason = DIGSIG_INTERRUPTED;
			goto out;
		}
		cond_resched();
	}
	if (crypto_shash_final(desc, out))
		goto out;
	reason = DIGSIG_OK;
out:
	kvfree(buf);
	kfree(desc);
	crypto_free_shash(tfm);
	return reason;
}

static enum digsig_reason pkcs7_reason(int err)
{
	switch (err) {
	case 0:
		return DIGSIG_OK;
	case -ENOKEY:
		return DIGSIG_UNKNOWN_SIGNER;
	case -ENOPKG:	/* an algorithm the pkcs7 parser does not know */
	case -ENOENT:	/* one the crypto API cannot provide (e.g. no ECDSA) */
		return DIGSIG_UNSUPPORTED;
	case -EBADMSG:
		return DIGSIG_MALFORMED;
	default:
		return DIGSIG_ALTERED;	/* -EKEYREJECTED and friends */
	}
}

static int read_at(void *file, u8 *buf, u32 len, u64 pos)
{
	return digsig_read_exact(file, buf, len, pos);
}

/*
 * What the ELF header decides: the payload's orig_len is at least the
 * class's header (step 3), and the last section is ".digsig", exactly over
 * the record (step 4). The ELF header, then at most
 * DIGSIG_SECTIONS_MAX_READS reads of at most 64 bytes, whatever the
 * section count.
 */
static enum digsig_reason check_elf_layout(struct file *file, u64 size,
					    const struct digsig_record *rec)
{
	u8 ehdr[DIGSIG_ELF_HEADER_SIZE];
	int err;

	/* size >= rec->record_len >= DIGSIG_MIN_RECORD > sizeof(ehdr). */
	err = digsig_read_exact(file, ehdr, sizeof(ehdr), 0);
	if (!err)
		err = digsig_elf_orig_len_ok(ehdr, sizeof(ehdr), size, rec->payload.orig_len);
	if (!err)
		err = digsig_sections_check(ehdr, sizeof(ehdr), size, rec->payload.covered_len,
					    rec->record_len, read_at, file);
	if (err == -EBADMSG || err == -ENOEXEC)
		return DIGSIG_MALFORMED;
	return err ? DIGSIG_IO : DIGSIG_OK;
}

/* The verdict on the payload's signature, by the trusted certificates. */
static enum digsig_reason check_signature(const struct digsig_record *rec)
{
	int err = verify_pkcs7_signature(rec->payload_bytes, DIGSIG_PAYLOAD_SIZE, rec->sig,
					 rec->sig_len, digsig_trusted_keys(),
					 VERIFYING_UNSPECIFIED_SIGNATURE, NULL, NULL);

	if (err != -ENOKEY)
		return pkcs7_reason(err);
	/* No trusted signer: was it a revoked one, or one we cannot check? */
	if (verify_pkcs7_signature(rec->payload_bytes, DIGSIG_PAYLOAD_SIZE, rec->sig,
				   rec->sig_len, digsig_revoked_keys(),
				   VERIFYING_UNSPECIFIED_SIGNATURE, NULL, NULL) == 0)
		return DIGSIG_REVOKED;
	if (verify_pkcs7_signature(rec->payload_bytes, DIGSIG_PAYLOAD_SIZE, rec->sig,
				   rec->sig_len, digsig_unsupported_keys(),
				   VERIFYING_UNSPECIFIED_SIGNATURE, NULL, NULL) != -ENOKEY)
		return DIGSIG_UNSUPPORTED;
	return DIGSIG_UNKNOWN_SIGNER;
}

enum digsig_reason digsig_verify_file(struct file *file)
{
	u8 trailer[DIGSIG_TRAILER_SIZE];
	u8 digest[DIGSIG_MAX_DIGEST];
	struct digsig_record rec;
	enum digsig_reason reason;
	u64 size = i_size_read(file_inode(file));
	u32 rec_len;
	u8 *rec_buf;
	int err;

	if (size < DIGSIG_TRAILER_SIZE)
		return DIGSIG_UNSIGNED;
	if (digsig_read_exact(file, trailer, sizeof(trailer), size - sizeof(trailer)))
		return DIGSIG_IO;
	err = digsig_parse_trailer(trailer, size, &rec_len);
	if (err == -ENODATA)
		return DIGSIG_UNSIGNED;
	if (err)
		return DIGSIG_MALFORMED;
	/* rec_len is at most DIGSIG_MAX_RECORD and at most size (checked). */
	rec_buf = kvmalloc(rec_len, GFP_KERNEL);
	if (!rec_buf)
		return DIGSIG_IO;
	reason = DIGSIG_IO;
	if (digsig_read_exact(file, rec_buf, rec_len, size - rec_len))
		goto out;
	err = digsig_parse_record(rec_buf, rec_len, size, &rec);
	if (err) {
		reason = err == -EOPNOTSUPP ? DIGSIG_UNSUPPORTED : DIGSIG_MALFORMED;
		goto out;
	}
	/*
	 * Step 4 before the signature: like it, a fixed cost (six reads of at
	 * most 64 bytes, no crypto), and a file failing both gets the verdict
	 * digsig verify gives it (malformed: docs/format.md orders step 4
	 * first). Passing it proves nothing by itself: the section table is
	 * among the covered bytes, which only the digest vouches for.
	 */
	reason = check_elf_layout(file, size, &rec);
	if (reason != DIGSIG_OK)
		goto out;
	/*
	 * The signature over the 112-byte payload next: its cost is fixed,
	 * while hashing costs the covered length, which nothing but that
	 * signature vouches for. Only a file a trusted key signed is hashed.
	 */
	reason = check_signature(&rec);
	if (reason != DIGSIG_OK)
		goto out;
	reason = digsig_hash_file(file, rec.payload.covered_len, rec.payload.hash_algo, digest);
	if (reason != DIGSIG_OK)
		goto out;
	if (memcmp(digest, rec.payload.digest, rec.payload.digest_len) != 0)
		reason = DIGSIG_ALTERED;
	else if (digsig_digest_revoked(rec.payload.hash_algo, digest, rec.payload.digest_len))
		reason = DIGSIG_REVOKED;
out:
	kvfree(rec_buf);
	return reason;
}
