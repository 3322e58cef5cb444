// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The ELF identification and the PT_INTERP lookup; see digsig_elf.h. Field offsets are those of the ELF
 * specification (Elf32_Ehdr/Elf64_Ehdr, Elf32_Phdr/Elf64_Phdr).
 */
#include "digsig_elf.h"
#include "digsig_bytes.h"

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

#define EI_CLASS 4
#define EI_DATA 5
#define ELFCLASS32_ 1
#define ELFCLASS64_ 2
#define ELFDATA2LSB_ 1
#define ELFDATA2MSB_ 2
#define PT_INTERP_ 3

int digsig_elf_ident(const u8 *ehdr, size_t len, u64 file_size, int *is64, int *big_endian)
{
	if (len < 4 || file_size < 4 || memcmp(ehdr, "\177ELF", 4) != 0)
		return -ENOEXEC;
	if (len < 52 || file_size < 52)
		return -EBADMSG;
	if (ehdr[EI_DATA] != ELFDATA2LSB_ && ehdr[EI_DATA] != ELFDATA2MSB_)
		return -EBADMSG;
	if (ehdr[EI_CLASS] != ELFCLASS32_ && ehdr[EI_CLASS] != ELFCLASS64_)
		return -EBADMSG;
	*is64 = ehdr[EI_CLASS] == ELFCLASS64_;
	*big_endian = ehdr[EI_DATA] == ELFDATA2MSB_;
	if (*is64 && (len < 64 || file_size < 64))
		return -EBADMSG;
	return 0;
}

int digsig_elf_orig_len_ok(const u8 *ehdr, size_t len, u64 file_size, u64 orig_len)
{
	int is64, be;
	int err = digsig_elf_ident(ehdr, len, file_size, &is64, &be);

	if (err)
		return err;
	return orig_len < (is64 ? 64u : 52u) ? -EBADMSG : 0;
}

int digsig_elf_phdrs(const u8 *ehdr, size_t len, u64 file_size,
		     struct digsig_elf_phdrs *out)
{
	u64 phoff;
	u16 phentsize, phnum, want;
	int is64, be;
	int err = digsig_elf_ident(ehdr, len, file_size, &is64, &be);

	if (err)
		return err;
	if (is64) {
		phoff = digsig_get64(ehdr + 32, be);
		phentsize = digsig_get16(ehdr + 54, be);
		phnum = digsig_get16(ehdr + 56, be);
		want = 56;
	} else {
		phoff = digsig_get32(ehdr + 28, be);
		phentsize = digsig_get16(ehdr + 42, be);
		phnum = digsig_get16(ehdr + 44, be);
		want = 32;
	}
	out->is64 = (u8)is64;
	out->big_endian = (u8)be;
	out->offset = phoff;
	out->count = phnum;
	out->entry_size = want;
	out->size = 0;
	if (phnum == 0)
		return 0;
	if (phentsize != want)
		return -EBADMSG;
	/* phnum * 56 < 2^22: no overflow; the offset is checked by subtraction. */
	if ((u32)phnum * want > DIGSIG_ELF_MAX_PHDRS_SIZE)
		return -EBADMSG;
	out->size = (u32)phnum * want;
	if (phoff > file_size || out->size > file_size - phoff)
		return -EBADMSG;
	return 0;
}

int digsig_elf_find_interp(const u8 *table, size_t len,
			   const struct digsig_elf_phdrs *ph, u64 file_size,
			   u64 *offset, u32 *size)
{
	int be = ph->big_endian;
	u32 i;

	/* Holds even for a caller that ignored digsig_elf_phdrs()'s error. */
	if (ph->entry_size == 0 || len != ph->size || len != (size_t)ph->count * ph->entry_size)
		return -EBADMSG;
	for (i = 0; i < ph->count; i++) {
		const u8 *e = table + (size_t)i * ph->entry_size;
		u64 off, filesz;

		if (digsig_get32(e, be) != PT_INTERP_)
			continue;
		if (ph->is64) {
			off = digsig_get64(e + 8, be);
			filesz = digsig_get64(e + 32, be);
		} else {
			off = digsig_get32(e + 4, be);
			filesz = digsig_get32(e + 16, be);
		}
		if (filesz < 2 || filesz > DIGSIG_ELF_MAX_INTERP)
			return -EBADMSG;
		if (off > file_size || filesz > file_size - off)
			return -EBADMSG;
		*offset = off;
		*size = (u32)filesz;
		return 1;
	}
	return 0;
}

int digsig_elf_interp_path_ok(const u8 *path, u32 size)
{
	return size >= 2 && path[size - 1] == '\0' && path[0] != '\0';
}
