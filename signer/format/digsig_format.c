// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Parser and encoder of the digsig signature record; see digsig_format.h.
 * Shared verbatim by the kernel module and the userspace signer.
 */
#include "digsig_format.h"
#include "digsig_bytes.h"

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

static int all_zero(const u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

unsigned int digsig_digest_len(u8 hash_algo)
{
	switch (hash_algo) {
	case DIGSIG_HASH_SHA256:
		return 32;
	case DIGSIG_HASH_SHA384:
		return 48;
	case DIGSIG_HASH_SHA512:
		return 64;
	default:
		return 0;
	}
}

int digsig_parse_trailer(const u8 *trailer, u64 file_size, u32 *record_len)
{
	u32 len;

	if (file_size < DIGSIG_TRAILER_SIZE)
		return -ENODATA;
	if (memcmp(trailer + 4, DIGSIG_TRAILER_MAGIC,
		   DIGSIG_TRAILER_MAGIC_SIZE) != 0)
		return -ENODATA;
	len = digsig_get_be32(trailer);
	if (len < DIGSIG_MIN_RECORD || len > DIGSIG_MAX_RECORD ||
	    len > file_size)
		return -EBADMSG;
	*record_len = len;
	return 0;
}

void digsig_encode_payload(const struct digsig_payload *p, u8 *out)
{
	memset(out, 0, DIGSIG_PAYLOAD_SIZE);
	memcpy(out, DIGSIG_PAYLOAD_MAGIC, 8);
	out[8] = DIGSIG_PAYLOAD_VERSION;
	out[9] = p->hash_algo;
	out[10] = p->digest_len;
	digsig_put_be32(out + 12, p->flags);
	digsig_put_be64(out + 16, p->covered_len);
	digsig_put_be64(out + 24, p->orig_len);
	digsig_put_be64(out + 32, p->orig_shoff);
	digsig_put_be16(out + 40, p->orig_shentsize);
	digsig_put_be16(out + 42, p->orig_shnum);
	digsig_put_be16(out + 44, p->orig_shstrndx);
	memcpy(out + 48, p->digest,
	       p->digest_len <= DIGSIG_MAX_DIGEST ? p->digest_len : 0);
}

int digsig_decode_payload(const u8 *in, struct digsig_payload *p)
{
	unsigned int dlen;

	if (memcmp(in, DIGSIG_PAYLOAD_MAGIC, 8) != 0)
		return -EBADMSG;
	if (in[8] != DIGSIG_PAYLOAD_VERSION)
		return -EOPNOTSUPP;
	memset(p, 0, sizeof(*p));
	p->hash_algo = in[9];
	p->digest_len = in[10];
	dlen = digsig_digest_len(p->hash_algo);
	if (!dlen)
		return -EOPNOTSUPP;
	if (p->digest_len != dlen || in[11] != 0 || digsig_get_be16(in + 46) != 0)
		return -EBADMSG;
	p->flags = digsig_get_be32(in + 12);
	if (p->flags != 0)
		return -EOPNOTSUPP;
	p->covered_len = digsig_get_be64(in + 16);
	p->orig_len = digsig_get_be64(in + 24);
	p->orig_shoff = digsig_get_be64(in + 32);
	p->orig_shentsize = digsig_get_be16(in + 40);
	p->orig_shnum = digsig_get_be16(in + 42);
	p->orig_shstrndx = digsig_get_be16(in + 44);
	/* Unused digest bytes must be zero so the encoding is unique. */
	if (!all_zero(in + 48 + dlen, DIGSIG_MAX_DIGEST - dlen))
		return -EBADMSG;
	memcpy(p->digest, in + 48, dlen);
	if (p->orig_len > p->covered_len)
		return -EBADMSG;
	return 0;
}

/*
 * Length of the DER TLV at @p (a SEQUENCE, the ContentInfo) when it fits in
 * @n bytes; 0 when it is not one or is not in its minimal (DER) form. ASN.1
 * decoders stop at the end of the TLV, so without this a slot could carry
 * bytes that nothing reads or signs after the signature.
 */
static u32 der_sequence_len(const u8 *p, u32 n)
{
	u32 len, head;

	if (n < 2 || p[0] != 0x30)
		return 0;
	if (p[1] < 0x80) {
		len = p[1];
		head = 2;
	} else if (p[1] == 0x81 && n >= 3 && p[2] >= 0x80) {
		len = p[2];
		head = 3;
	} else if (p[1] == 0x82 && n >= 4 && p[2] != 0) {
		len = (u32)p[2] << 8 | p[3];
		head = 4;
	} else {
		/* Longer lengths cannot fit in a record of DIGSIG_MAX_RECORD. */
		return 0;
	}
	return len > n - head ? 0 : head + len;
}

int digsig_parse_record(const u8 *rec, u32 rec_len, u64 file_size,
			struct digsig_record *out)
{
	u32 trailer_len, sig_len, pad_start;
	int ret;

	if (rec_len < DIGSIG_MIN_RECORD || rec_len > DIGSIG_MAX_RECORD ||
	    rec_len > file_size)
		return -EBADMSG;
	ret = digsig_parse_trailer(rec + rec_len - DIGSIG_TRAILER_SIZE,
				   file_size, &trailer_len);
	if (ret)
		return ret == -ENODATA ? -EBADMSG : ret;
	if (trailer_len != rec_len)
		return -EBADMSG;

	memset(out, 0, sizeof(*out));
	ret = digsig_decode_payload(rec, &out->payload);
	if (ret)
		return ret;
	/* The record must start exactly where the hashed bytes end. */
	if (out->payload.covered_len != file_size - rec_len)
		return -EBADMSG;

	out->payload_bytes = rec;
	out->sig_format = rec[DIGSIG_PAYLOAD_SIZE];
	if (!all_zero(rec + DIGSIG_PAYLOAD_SIZE + 1, 3))
		return -EBADMSG;
	if (out->sig_format != DIGSIG_SIG_PKCS7)
		return -EOPNOTSUPP;
	sig_len = digsig_get_be32(rec + DIGSIG_PAYLOAD_SIZE + 4);
	if (sig_len == 0 ||
	    sig_len > rec_len - DIGSIG_RECORD_HEADER_SIZE - DIGSIG_TRAILER_SIZE)
		return -EBADMSG;
	out->sig_len = sig_len;
	out->sig = rec + DIGSIG_RECORD_HEADER_SIZE;
	/* The slot holds one DER signature and nothing after it. */
	if (der_sequence_len(out->sig, sig_len) != sig_len)
		return -EBADMSG;
	/* Padding between signature and trailer must be zero: one encoding. */
	pad_start = DIGSIG_RECORD_HEADER_SIZE + sig_len;
	if (!all_zero(rec + pad_start, rec_len - DIGSIG_TRAILER_SIZE - pad_start))
		return -EBADMSG;
	out->record_len = rec_len;
	return 0;
}
