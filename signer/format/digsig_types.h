/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The kernel's fixed-width types and errno values, for the C shared by the
 * kernel module and the userspace signer (everything in signer/format/).
 */
#ifndef DIGSIG_TYPES_H
#define DIGSIG_TYPES_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#endif /* DIGSIG_TYPES_H */
