// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Parser of the security.ima signature header; see digsig_ima.h. */
#include "digsig_ima.h"
#include "digsig_bytes.h"
#include "digsig_format.h"

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

int digsig_ima_parse(const u8 *xattr, size_t len, struct digsig_ima_sig *out)
{
	if (len < 1 || xattr[0] != DIGSIG_IMA_TYPE_DIGSIG)
		return -ENODATA;
	if (len < DIGSIG_IMA_HEADER_SIZE || len > DIGSIG_IMA_MAX_XATTR)
		return -EBADMSG;
	if (xattr[1] != DIGSIG_IMA_VERSION || digsig_digest_len(xattr[2]) == 0)
		return -EOPNOTSUPP;
	out->hash_algo = xattr[2];
	memcpy(out->key_id, xattr + 3, DIGSIG_IMA_KEY_ID_SIZE);
	out->sig_len = digsig_get_be16(xattr + 7);
	if (out->sig_len == 0 || out->sig_len != len - DIGSIG_IMA_HEADER_SIZE)
		return -EBADMSG;
	out->sig = xattr + DIGSIG_IMA_HEADER_SIZE;
	return 0;
}
