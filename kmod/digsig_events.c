// SPDX-License-Identifier: GPL-2.0
/*
 * digsig.ko's verdicts to aem.ko (see digsig_events.h).
 */
#include <linux/module.h>

#include "aem_uapi.h"
#include "digsig_events.h"

static unsigned int aem_reason(enum digsig_reason reason)
{
	switch (reason) {
	case DIGSIG_UNSIGNED:
		return AEM_VERDICT_UNSIGNED;
	case DIGSIG_MALFORMED:
		return AEM_VERDICT_MALFORMED;
	case DIGSIG_ALTERED:
		return AEM_VERDICT_ALTERED;
	case DIGSIG_UNKNOWN_SIGNER:
		return AEM_VERDICT_UNKNOWN_SIGNER;
	case DIGSIG_UNSUPPORTED:
		return AEM_VERDICT_UNSUPPORTED;
	case DIGSIG_REVOKED:
		return AEM_VERDICT_REVOKED;
	case DIGSIG_NOT_ELF:
		return AEM_VERDICT_NOT_ELF;
	case DIGSIG_UNTRUSTED_MOUNT:
		return AEM_VERDICT_UNTRUSTED_MOUNT;
	case DIGSIG_UNSEALED:
		return AEM_VERDICT_UNSEALED;
	case DIGSIG_IO:
	default:
		return AEM_VERDICT_IO;
	}
}

void digsig_event_verdict(const char *path, enum digsig_reason reason, bool refused,
			  bool interp)
{
	typeof(&aem_digsig_verdict) fn = symbol_get(aem_digsig_verdict);

	if (!fn)
		return;		/* aem.ko is not loaded (or still loading) */
	fn(path, aem_reason(reason), refused, interp);
	symbol_put(aem_digsig_verdict);
}
