// SPDX-License-Identifier: GPL-2.0
/*
 * PT_INTERP verification; see digsig_interp.h. The program headers are
 * parsed by the C shared with userspace (digsig_elf.c), which checks every
 * offset and size against the file's size before it is used.
 *
 * The ELF loader opens the interpreter again by path after this check; a
 * process able to replace that file between the two opens could win the
 * race, so the file verified here is kept open and digsig_mapped.c checks,
 * once the exec is done, that the loader mapped this one.
 */
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>

#include "digsig_elf.h"
#include "digsig_interp.h"

/* Reads the interpreter path out of the executable; NULL when malformed. */
static char *read_interp_path(struct file *file, const struct digsig_elf_phdrs *ph,
			      u64 size, int *found)
{
	u8 *table = kvmalloc(ph->size, GFP_KERNEL);
	char *path = NULL;
	u64 offset;
	u32 len;
	int r;

	*found = 0;
	if (!table)
		return ERR_PTR(-ENOMEM);
	r = digsig_read_exact(file, table, ph->size, ph->offset);
	if (r)
		goto out;
	r = digsig_elf_find_interp(table, ph->size, ph, size, &offset, &len);
	if (r <= 0)
		goto out;
	path = kmalloc(len, GFP_KERNEL);
	if (!path) {
		r = -ENOMEM;
		goto out;
	}
	r = digsig_read_exact(file, path, len, offset);
	if (!r && !digsig_elf_interp_path_ok((u8 *)path, len))
		r = -EBADMSG;
	if (r) {
		kfree(path);
		path = NULL;
		goto out;
	}
	*found = 1;
out:
	kvfree(table);
	return r < 0 ? ERR_PTR(r) : path;
}

int digsig_check_interpreter(struct linux_binprm *bprm,
			     enum digsig_reason (*verify)(struct file *file),
			     enum digsig_reason *reason, char **path, bool *has_interp,
			     struct file **kept)
{
	u64 size = i_size_read(file_inode(bprm->file));
	struct digsig_elf_phdrs ph;
	struct file *interp;
	char *name;
	int found;

	*path = NULL;
	*kept = NULL;
	*reason = DIGSIG_OK;
	*has_interp = true;
	if (digsig_elf_phdrs(bprm->buf, BINPRM_BUF_SIZE, size, &ph)) {
		*reason = DIGSIG_MALFORMED;
		return 0;
	}
	if (ph.size == 0) {
		*has_interp = false;
		return 0;
	}
	name = read_interp_path(bprm->file, &ph, size, &found);
	if (IS_ERR(name)) {
		*reason = PTR_ERR(name) == -EBADMSG ? DIGSIG_MALFORMED : DIGSIG_IO;
		return 0;
	}
	if (!found) {
		*has_interp = false;
		return 0;
	}
	interp = open_exec(name);
	if (IS_ERR(interp)) {
		int err = PTR_ERR(interp);

		kfree(name);
		/*
		 * exec reads -ENOEXEC from a format as "not mine, try the
		 * next", and binfmt_elf would then open the interpreter
		 * unchecked: an interpreter that cannot be checked is refused.
		 */
		return err == -ENOEXEC ? -EACCES : err;
	}
	*reason = verify(interp);
	if (*reason == DIGSIG_OK) {
		kfree(name);
		*kept = interp;	/* digsig_mapped.c compares the loader's mapping */
		return 0;
	}
	allow_write_access(interp);
	fput(interp);
	*path = name;
	return 0;
}
