/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one function aem.ko exports to digsig.ko: a verdict on an exec by
 * current becomes an AEM_EVENT_VERDICT record. Neither module needs the
 * other: digsig.ko looks the function up by name at each verdict with
 * symbol_get(), so it has no undefined symbol for the module loader to
 * resolve, and holds a reference on aem.ko only for the call. Both modules
 * compile against this declaration.
 */
#ifndef AEM_DIGSIG_H
#define AEM_DIGSIG_H

#include <linux/types.h>

/*
 * @path: the refused file (the ELF interpreter when @interp); @reason: an
 * enum aem_verdict_reason (aem_uapi.h); @refused: false in permissive mode.
 * May sleep.
 */
void aem_digsig_verdict(const char *path, unsigned int reason, bool refused, bool interp);

#endif /* AEM_DIGSIG_H */
