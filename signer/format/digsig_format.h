/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The digsig signature record: the bytes appended to a signed ELF file as
 * the content of its last section, ".digsig". docs/format.md is the
 * normative description; this header is its executable form.
 *
 * This file and digsig_format.c are plain C shared by the userspace signer
 * and the kernel module, so the two can never disagree about the format.
 * They never allocate and never read outside the buffer they are given.
 */
#ifndef DIGSIG_FORMAT_H
#define DIGSIG_FORMAT_H

#include "digsig_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Hash algorithm identifiers: the values of Linux's enum hash_algo. */
#define DIGSIG_HASH_SHA256 4
#define DIGSIG_HASH_SHA384 5
#define DIGSIG_HASH_SHA512 6

/* sig_format values. */
#define DIGSIG_SIG_PKCS7 1 /* DER CMS/PKCS#7 SignedData, detached, no attributes */

#define DIGSIG_PAYLOAD_MAGIC "DIGSIGP1"
#define DIGSIG_PAYLOAD_VERSION 1
#define DIGSIG_PAYLOAD_SIZE 112
#define DIGSIG_MAX_DIGEST 64

#define DIGSIG_RECORD_HEADER_SIZE (DIGSIG_PAYLOAD_SIZE + 8)
#define DIGSIG_TRAILER_MAGIC "~digsig-v1~\n"
#define DIGSIG_TRAILER_MAGIC_SIZE 12
#define DIGSIG_TRAILER_SIZE 16
#define DIGSIG_MIN_RECORD (DIGSIG_RECORD_HEADER_SIZE + DIGSIG_TRAILER_SIZE)
/* No real signature comes close; the bound keeps every reader's buffer small. */
#define DIGSIG_MAX_RECORD 65536

/* The signed message. All integers are big-endian on disk. */
struct digsig_payload {
	u8 hash_algo;      /* DIGSIG_HASH_* */
	u8 digest_len;     /* 32, 48 or 64, matching hash_algo */
	u32 flags;         /* reserved, 0 */
	u64 covered_len;   /* bytes [0, covered_len) of the file are hashed */
	u64 orig_len;      /* file length before signing */
	u64 orig_shoff;    /* e_shoff before signing */
	u16 orig_shentsize;/* e_shentsize before signing */
	u16 orig_shnum;    /* e_shnum before signing */
	u16 orig_shstrndx; /* e_shstrndx before signing */
	u8 digest[DIGSIG_MAX_DIGEST];
};

/* A parsed record; pointers refer into the caller's buffer. */
struct digsig_record {
	struct digsig_payload payload;
	const u8 *payload_bytes; /* DIGSIG_PAYLOAD_SIZE bytes: the signed message */
	u8 sig_format;           /* DIGSIG_SIG_* */
	u32 sig_len;
	const u8 *sig;
	u32 record_len;          /* whole record, trailer included */
};

/* Digest length of a DIGSIG_HASH_* value, or 0 when unknown. */
unsigned int digsig_digest_len(u8 hash_algo);

/*
 * Reads the trailer from the last DIGSIG_TRAILER_SIZE bytes of a file.
 * Returns 0 and sets *record_len, -ENODATA when the file carries no digsig
 * trailer (unsigned), or -EBADMSG when the trailer is impossible for a file
 * of file_size bytes.
 */
int digsig_parse_trailer(const u8 *trailer, u64 file_size, u32 *record_len);

/*
 * Parses a whole record (rec_len bytes, the trailer included) that ends at
 * the end of a file of file_size bytes. Returns 0, -EBADMSG for a malformed
 * record, or -EOPNOTSUPP for a version, hash or signature format this code
 * does not know.
 */
int digsig_parse_record(const u8 *rec, u32 rec_len, u64 file_size,
			struct digsig_record *out);

/* Serialises a payload into exactly DIGSIG_PAYLOAD_SIZE bytes. */
void digsig_encode_payload(const struct digsig_payload *p, u8 *out);

/* Parses DIGSIG_PAYLOAD_SIZE bytes; same errors as digsig_parse_record. */
int digsig_decode_payload(const u8 *in, struct digsig_payload *p);

#ifdef __cplusplus
}
#endif

#endif /* DIGSIG_FORMAT_H */
