/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Verdicts as events for aem.ko (aem/kernel/, docs/aem.md), when it is
 * loaded; aem/include/aem_digsig.h says how the two modules meet.
 */
#ifndef DIGSIG_EVENTS_H
#define DIGSIG_EVENTS_H

#include <linux/types.h>

#include "aem_digsig.h"
#include "digsig_verify.h"

/*
 * Tells aem.ko, if loaded, about a verdict on an exec by current: @path is
 * the refused file (the ELF interpreter when @interp), @refused false in
 * permissive mode. May sleep; no-op without aem.ko.
 */
void digsig_event_verdict(const char *path, enum digsig_reason reason, bool refused,
			  bool interp);

#endif /* DIGSIG_EVENTS_H */
