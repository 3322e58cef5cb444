// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The step-4 check; see digsig_sections.h. Field offsets are those of the
 * ELF specification (Elf32_Ehdr/Elf64_Ehdr, Elf32_Shdr/Elf64_Shdr). The
 * comments name the check of signer/lib each rule reproduces: libObject's
 * ELFFile (llvm/Object/ELF.h: program_headers(), sections(),
 * getStringTable()), ParseElf() in elf_image.cc and LocateSignature() in
 * elf_signature.cc. Every failure is -EBADMSG, so their order is free.
 */
#include "digsig_sections.h"
#include "digsig_bytes.h"
#include "digsig_elf.h"

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

#define SHT_NULL_ 0
#define SHT_STRTAB_ 3
#define SHT_NOBITS_ 8
#define SHN_XINDEX_ 0xffff
#define U32_MAX_ 0xffffffffu
#define U64_MAX_ (~(u64)0)

static const u8 digsig_name[8] = ".digsig";	/* NUL included */

/* Where the fields are, by class: ELF header, then section header. */
struct layout {
	u8 phoff, shoff, phentsize, phnum, shentsize, shnum, shstrndx;
	u8 sh_offset, sh_size, sh_link;
	u8 phdr_size, shdr_size;
};

static const struct layout elf64 = {
	.phoff = 32, .shoff = 40, .phentsize = 54, .phnum = 56, .shentsize = 58, .shnum = 60,
	.shstrndx = 62, .sh_offset = 24, .sh_size = 32, .sh_link = 40, .phdr_size = 56,
	.shdr_size = 64,
};

static const struct layout elf32 = {
	.phoff = 28, .shoff = 32, .phentsize = 42, .phnum = 44, .shentsize = 46, .shnum = 48,
	.shstrndx = 50, .sh_offset = 16, .sh_size = 20, .sh_link = 24, .phdr_size = 32,
	.shdr_size = 40,
};

struct elf_file {
	const struct layout *l;
	u64 size;
	u64 shoff;
	u64 count;	/* sections */
	u32 shentsize;
	int be;
	int is64;
	int (*read)(void *ctx, u8 *buf, u32 n, u64 pos);
	void *ctx;
};

struct section {
	u32 name;
	u32 type;
	u32 link;
	u64 offset;
	u64 size;
};

/* An address-sized field: 8 bytes in ELF64, 4 in ELF32. */
static u64 get_word(const struct elf_file *f, const u8 *p)
{
	return f->is64 ? digsig_get64(p, f->be) : digsig_get32(p, f->be);
}

/* Section header @index, inside the file: @index < count was checked. */
static int read_section(const struct elf_file *f, u64 index, struct section *s)
{
	u8 b[DIGSIG_SECTIONS_MAX_READ];
	int err = f->read(f->ctx, b, f->shentsize, f->shoff + index * f->shentsize);

	if (err)
		return err;
	s->name = digsig_get32(b, f->be);
	s->type = digsig_get32(b + 4, f->be);
	s->offset = get_word(f, b + f->l->sh_offset);
	s->size = get_word(f, b + f->l->sh_size);
	s->link = digsig_get32(b + f->l->sh_link, f->be);
	return 0;
}

/* [offset, offset + size) lies inside a file of @file_size bytes. */
static int inside(u64 offset, u64 size, u64 file_size)
{
	return offset <= file_size && size <= file_size - offset;
}

/*
 * ParseElf's check of every section: its data inside the file unless it
 * has none (SHT_NULL, SHT_NOBITS); a name offset inside the name table.
 */
static int section_ok(const struct section *s, u64 file_size, u64 names_size)
{
	if (s->type != SHT_NULL_ && s->type != SHT_NOBITS_ &&
	    !inside(s->offset, s->size, file_size))
		return 0;
	return s->name == 0 || s->name < names_size;
}

/* The ELF header: libObject's program_headers() and sections() up to section 0. */
static int parse_header(const u8 *ehdr, size_t len, struct elf_file *f, u16 *shnum,
			u16 *shstrndx)
{
	const struct layout *l;
	u16 phentsize, phnum;
	u64 phoff;
	int err = digsig_elf_ident(ehdr, len, f->size, &f->is64, &f->be);

	if (err)
		return err;
	l = f->is64 ? &elf64 : &elf32;
	f->l = l;
	phoff = get_word(f, ehdr + l->phoff);
	phentsize = digsig_get16(ehdr + l->phentsize, f->be);
	phnum = digsig_get16(ehdr + l->phnum, f->be);
	f->shoff = get_word(f, ehdr + l->shoff);
	f->shentsize = digsig_get16(ehdr + l->shentsize, f->be);
	*shnum = digsig_get16(ehdr + l->shnum, f->be);
	*shstrndx = digsig_get16(ehdr + l->shstrndx, f->be);
	/* program_headers(): the table inside the file, even when empty. */
	if (phnum != 0 && phentsize != l->phdr_size)
		return -EBADMSG;
	if (!inside(phoff, (u64)phnum * phentsize, f->size))
		return -EBADMSG;
	/* No section header table: no .digsig section (LocateSignature). */
	if (f->shoff == 0)
		return -EBADMSG;
	if (f->shentsize != l->shdr_size)
		return -EBADMSG;
	/* sections(): section 0 inside the file, its end representable (ELF32). */
	if (!f->is64 && f->shoff > U32_MAX_ - f->shentsize)
		return -EBADMSG;
	if (!inside(f->shoff, f->shentsize, f->size))
		return -EBADMSG;
	return 0;
}

int digsig_sections_check(const u8 *ehdr, size_t len, u64 file_size,
			  u64 covered_len, u32 record_len,
			  int (*read)(void *ctx, u8 *buf, u32 n, u64 pos),
			  void *ctx)
{
	struct elf_file f = { .size = file_size, .read = read, .ctx = ctx };
	struct section first, names, last;
	u8 buf[sizeof(digsig_name)];
	u16 shnum, shstrndx;
	u64 names_index;
	int err;

	err = parse_header(ehdr, len, &f, &shnum, &shstrndx);
	if (err)
		return err;
	/* Step 3, which the callers made: the record ends the file. */
	if (covered_len > file_size || record_len != file_size - covered_len)
		return -EBADMSG;

	err = read_section(&f, 0, &first);
	if (err)
		return err;
	/* sections(): extended numbering, the whole table inside the file. */
	f.count = shnum ? shnum : first.size;
	if (f.count > U64_MAX_ / 64 || f.count * f.shentsize > file_size - f.shoff)
		return -EBADMSG;
	/* LocateSignature: a table with no section has no last one. */
	if (f.count == 0)
		return -EBADMSG;
	/* ParseElf: the name table's index, in range; 0 is "no names". */
	names_index = shstrndx == SHN_XINDEX_ ? first.link : shstrndx;
	if (names_index == 0 || names_index >= f.count)
		return -EBADMSG;

	err = read_section(&f, f.count - 1, &last);
	if (!err)
		err = read_section(&f, names_index, &names);
	if (err)
		return err;
	/*
	 * getStringTable(): SHT_STRTAB, not empty, its end representable in
	 * the class's offset type and inside the file; last byte NUL (below).
	 */
	if (names.type != SHT_STRTAB_ || names.size == 0)
		return -EBADMSG;
	if (names.size > (f.is64 ? U64_MAX_ : U32_MAX_) - names.offset ||
	    !inside(names.offset, names.size, file_size))
		return -EBADMSG;
	if (!section_ok(&first, file_size, names.size) ||
	    !section_ok(&names, file_size, names.size) ||
	    !section_ok(&last, file_size, names.size))
		return -EBADMSG;
	/*
	 * LocateSignature: the last section is the record. Its name is the
	 * NUL-terminated string at sh_name, "" when sh_name is 0: ".digsig"
	 * exactly when these 8 bytes, NUL included, are in the table.
	 */
	if (last.offset != covered_len || last.size != record_len)
		return -EBADMSG;
	if (last.name == 0 || names.size < sizeof(digsig_name) ||
	    last.name > names.size - sizeof(digsig_name))
		return -EBADMSG;

	err = read(ctx, buf, 1, names.offset + names.size - 1);
	if (err)
		return err;
	if (buf[0] != '\0')
		return -EBADMSG;
	err = read(ctx, buf, sizeof(digsig_name), names.offset + last.name);
	if (err)
		return err;
	return memcmp(buf, digsig_name, sizeof(digsig_name)) == 0 ? 0 : -EBADMSG;
}
