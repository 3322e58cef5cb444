/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Fixed-width integer access for the shared parsers (digsig_format.c,
 * digsig_elf.c, digsig_sections.c, digsig_revocation.c): explicit byte
 * order, no alignment assumptions, the same in the kernel and in userspace.
 */
#ifndef DIGSIG_BYTES_H
#define DIGSIG_BYTES_H

#include "digsig_types.h"

static inline u16 digsig_get_be16(const u8 *p)
{
	return (u16)((p[0] << 8) | p[1]);
}

static inline u32 digsig_get_be32(const u8 *p)
{
	return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3];
}

static inline u64 digsig_get_be64(const u8 *p)
{
	return ((u64)digsig_get_be32(p) << 32) | digsig_get_be32(p + 4);
}

static inline u16 digsig_get_le16(const u8 *p)
{
	return (u16)((p[1] << 8) | p[0]);
}

static inline u32 digsig_get_le32(const u8 *p)
{
	return ((u32)p[3] << 24) | ((u32)p[2] << 16) | ((u32)p[1] << 8) | p[0];
}

static inline u64 digsig_get_le64(const u8 *p)
{
	return ((u64)digsig_get_le32(p + 4) << 32) | digsig_get_le32(p);
}

/* In the byte order an ELF file names (@be: ELFDATA2MSB). */
static inline u16 digsig_get16(const u8 *p, int be)
{
	return be ? digsig_get_be16(p) : digsig_get_le16(p);
}

static inline u32 digsig_get32(const u8 *p, int be)
{
	return be ? digsig_get_be32(p) : digsig_get_le32(p);
}

static inline u64 digsig_get64(const u8 *p, int be)
{
	return be ? digsig_get_be64(p) : digsig_get_le64(p);
}

static inline void digsig_put_be16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

static inline void digsig_put_be32(u8 *p, u32 v)
{
	digsig_put_be16(p, (u16)(v >> 16));
	digsig_put_be16(p + 2, (u16)v);
}

static inline void digsig_put_be64(u8 *p, u64 v)
{
	digsig_put_be32(p, (u32)(v >> 32));
	digsig_put_be32(p + 4, (u32)v);
}

#endif /* DIGSIG_BYTES_H */
