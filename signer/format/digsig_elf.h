/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Finding the ELF interpreter (PT_INTERP) an executable names, the way the
 * kernel's ELF loader does (fs/binfmt_elf.c), so digsig.ko can verify the
 * interpreter before the loader maps it. Any class and byte order. The
 * identification of the ELF header is digsig_sections.c's too.
 *
 * Plain C shared by the kernel module and userspace (unit tests, fuzzing):
 * no allocation, no reads outside the given buffers, and every offset and
 * size taken from the file is checked against the file's size first.
 */
#ifndef DIGSIG_ELF_H
#define DIGSIG_ELF_H

#include "digsig_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of the ELF header a caller should provide (the ELF64 size). */
#define DIGSIG_ELF_HEADER_SIZE 64
/* The loader's limits: a program header table of at most 64 KiB, an
 * interpreter path of 2 to 4096 bytes (NUL included).
 */
#define DIGSIG_ELF_MAX_PHDRS_SIZE 65536
#define DIGSIG_ELF_MAX_INTERP 4096

/*
 * The class and byte order of the ELF header @ehdr (@len bytes, the start
 * of a file of @file_size bytes): 0, and *@is64 and *@big_endian set;
 * -ENOEXEC when the bytes are not ELF; -EBADMSG when the class or byte
 * order is unknown or the header (52 or 64 bytes) is not whole in both.
 */
int digsig_elf_ident(const u8 *ehdr, size_t len, u64 file_size, int *is64, int *big_endian);

/*
 * docs/format.md section 3: a payload's orig_len (the unsigned file's
 * length) is at least the ELF header of the signed file's class (52 or 64
 * bytes). 0 when it is; -EBADMSG when not; digsig_elf_ident()'s errors.
 */
int digsig_elf_orig_len_ok(const u8 *ehdr, size_t len, u64 file_size, u64 orig_len);

/* Where an executable's program header table is. */
struct digsig_elf_phdrs {
	u64 offset;	/* file offset of the table */
	u32 size;	/* bytes: count * entry size */
	u16 count;
	u16 entry_size;	/* 32 (ELF32) or 56 (ELF64) */
	u8 is64;
	u8 big_endian;
};

/*
 * Reads the ELF header in @ehdr (@len bytes, the start of a file of
 * @file_size bytes). Returns 0 and fills @out; -ENOEXEC when the bytes are
 * not ELF; -EBADMSG when the header is malformed (unknown class or byte
 * order, entry size not the class's, table outside the file or too big).
 * A file without program headers gives a table of size 0.
 */
int digsig_elf_phdrs(const u8 *ehdr, size_t len, u64 file_size,
		     struct digsig_elf_phdrs *out);

/*
 * Looks through the program header table @table (@len bytes, exactly
 * @ph->size) for the first PT_INTERP, as the loader uses the first.
 * Returns 1 and sets *@offset and *@size (2..DIGSIG_ELF_MAX_INTERP, inside
 * the file); 0 when there is none; -EBADMSG when the entry is impossible.
 */
int digsig_elf_find_interp(const u8 *table, size_t len,
			   const struct digsig_elf_phdrs *ph, u64 file_size,
			   u64 *offset, u32 *size);

/*
 * True when @path (@size bytes read from the PT_INTERP segment) is a path
 * the loader would open: NUL-terminated, not empty.
 */
int digsig_elf_interp_path_ok(const u8 *path, u32 size);

#ifdef __cplusplus
}
#endif

#endif /* DIGSIG_ELF_H */
