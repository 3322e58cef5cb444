/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * docs/format.md section 5 step 4: the last section of a signed ELF file
 * must be ".digsig" with sh_offset = covered_len and sh_size = record_len.
 * Any class and byte order, extended section numbering included.
 *
 * The rule is the one `digsig verify` applies (signer/lib/elf_signature.cc,
 * which calls this code, over elf_image.cc's reading of the headers with
 * LLVM libObject): "last" is the last index of the section header table,
 * whose count is e_shnum, or section 0's sh_size when e_shnum is 0; names
 * come from the section e_shstrndx names (section 0's sh_link when it is
 * SHN_XINDEX), which must be an SHT_STRTAB inside the file, not empty and
 * ending in NUL. Every header check libObject and elf_image.cc make on the
 * ELF header, section 0, the name table's header and the last section's is
 * made here too; the other sections' headers are not read (a table can
 * hold millions), so their offsets and name offsets are left unchecked.
 *
 * Plain C shared by the kernel module and userspace: no allocation, the
 * file is read through the caller's @read in at most
 * DIGSIG_SECTIONS_MAX_READS reads of at most DIGSIG_SECTIONS_MAX_READ
 * bytes each (section 0, the last section header, the name table's header,
 * the name table's last byte, the 8 bytes of the name), and every offset
 * and size taken from the file is checked against the file's size before
 * it is read.
 */
#ifndef DIGSIG_SECTIONS_H
#define DIGSIG_SECTIONS_H

#include "digsig_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DIGSIG_SECTIONS_MAX_READ 64
#define DIGSIG_SECTIONS_MAX_READS 5

/*
 * Checks step 4 for a file of @file_size bytes that starts with @ehdr
 * (@len bytes, DIGSIG_ELF_HEADER_SIZE suffice) and whose record (step 3:
 * covered_len = file_size - record_len, checked again here) is @record_len
 * bytes at @covered_len. @read(@ctx, buf, n, pos) must fill buf with the n
 * bytes at pos (always inside the file) and return 0, or a negative errno.
 *
 * Returns 0 when the last section is the record; -ENOEXEC when @ehdr is not
 * ELF; -EBADMSG when the headers are malformed or the last section is not
 * ".digsig" exactly over the record; or the error @read returned.
 */
int digsig_sections_check(const u8 *ehdr, size_t len, u64 file_size,
			  u64 covered_len, u32 record_len,
			  int (*read)(void *ctx, u8 *buf, u32 n, u64 pos),
			  void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* DIGSIG_SECTIONS_H */
