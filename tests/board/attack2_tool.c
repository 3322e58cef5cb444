// SPDX-License-Identifier: GPL-2.0
/*
 * attack2_tool: the system calls the second round of board attacks on
 * digsig.ko's cache and sources needs and busybox lacks. Static, so the
 * board needs no C library; signed by the test, so it runs under enforce.
 *
 *   overwrite TARGET SOURCE     copies SOURCE over the start of TARGET
 *                               through a shared writable mapping (size
 *                               unchanged; on tmpfs no time moves)
 *   fanotify-overwrite TARGET SOURCE
 *                               the same through the O_RDWR file fanotify
 *                               hands its listener (FMODE_NONOTIFY): root
 *   write-at HOW TARGET OFFSET  flips 4 bytes at OFFSET with one of
 *                               pwrite, copy-range, splice, aio, uring;
 *                               then closes the file
 *   punch TARGET OFFSET LEN     fallocate(PUNCH_HOLE | KEEP_SIZE)
 *   truncate-back TARGET SIZE   truncate(2) by path to SIZE, then back to
 *                               the old size (the tail reads as zeros)
 *   setxattr PATH NAME VALUE    setxattr(2)
 *   dontneed FILE               fdatasync + POSIX_FADV_DONTNEED: drops the
 *                               file's clean page cache (read access is
 *                               enough)
 *   patch-image IMAGE FILE SOURCE
 *                               finds FILE's first 4 KiB in the disk image
 *                               IMAGE (512-byte steps) and writes SOURCE
 *                               there, behind the filesystem's back
 *   memfd-exec SEALS HOW FILE [ARG...]
 *                               FILE's bytes in a memfd; SEALS is "none" or
 *                               a list of write,shrink,grow,future_write;
 *                               HOW: fd (execveat AT_EMPTY_PATH), proc
 *                               (execve /proc/self/fd/N), mapped (a shared
 *                               writable mapping first, then the seals),
 *                               mapped-ro (a shared read-only mapping, the
 *                               seals, then mprotect to writable), hugetlb
 *                               (MFD_HUGETLB, filled by mmap)
 *   shm-exec FILE               FILE's bytes in a SysV shared memory
 *                               segment, exec'd by /proc/self/map_files
 *   tmpfile DIR DEST FILE [held]
 *                               FILE's bytes in an O_TMPFILE of DIR, linked
 *                               as DEST (mode 0755); "held" execs DEST with
 *                               the writable descriptor still open
 *
 * Exit status: 0 done, 1 a system call failed, 2 usage, 126 an exec
 * failed (its errno printed), so the board's "refused" helper reads it
 * like the shell's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

extern char **environ;

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif

static int fail(const char *what)
{
	fprintf(stderr, "attack2_tool: %s: %s\n", what, strerror(errno));
	return 1;
}

static int exec_failed(const char *what)
{
	printf("attack2_tool: exec %s: %s\n", what, strerror(errno));
	fflush(stdout);
	return 126;
}

/* The whole of PATH in a malloc'd buffer; NULL (errno set) on failure. */
static unsigned char *slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	size_t done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0)
		return NULL;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return NULL;
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n <= 0) {
			free(buf);
			close(fd);
			if (n == 0)
				errno = EIO;
			return NULL;
		}
		done += (size_t)n;
	}
	close(fd);
	*len = done;
	return buf;
}

static int write_all(int fd, const unsigned char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void print_times(const char *tag, int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0)
		printf("attack2_tool: %s: mtime %lld.%09ld ctime %lld.%09ld size %lld\n", tag,
		       (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		       (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec, (long long)st.st_size);
}

/* SOURCE's bytes over the start of the file open on @fd, by a shared mapping. */
static int overwrite_fd(int fd, const char *source)
{
	unsigned char *src;
	volatile unsigned char *map;
	struct stat st;
	size_t len, i;
	unsigned char sum = 0;

	src = slurp(source, &len);
	if (!src || fstat(fd, &st) != 0)
		return fail(source);
	if ((off_t)len > st.st_size) {
		fprintf(stderr, "attack2_tool: %s is larger than the target\n", source);
		return 1;
	}
	print_times("before", fd);
	map = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return fail("mmap");
	for (i = 0; i < len; i += 4096)
		sum ^= map[i];	/* the pages in place first, as read faults */
	(void)sum;
	for (i = 0; i < len; i++)
		map[i] = src[i];
	if (msync((void *)map, (size_t)st.st_size, MS_SYNC) != 0 ||
	    munmap((void *)map, (size_t)st.st_size) != 0)
		return fail("msync");
	print_times("after", fd);
	return close(fd) == 0 ? 0 : fail("close");
}

static int cmd_overwrite(const char *target, const char *source)
{
	int fd = open(target, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return fail(target);
	return overwrite_fd(fd, source);
}

/*
 * A fanotify listener asks for its event files O_RDWR: what it gets is a
 * writable file that fsnotify never reports on (FMODE_NONOTIFY).
 */
static int cmd_fanotify_overwrite(const char *target, const char *source)
{
	struct fanotify_event_metadata ev;
	int group, fd;

	group = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC, O_RDWR | O_LARGEFILE);
	if (group < 0)
		return fail("fanotify_init");
	if (fanotify_mark(group, FAN_MARK_ADD, FAN_CLOSE_NOWRITE, AT_FDCWD, target) != 0)
		return fail("fanotify_mark");
	fd = open(target, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || close(fd) != 0)
		return fail(target);
	if (read(group, &ev, sizeof(ev)) < (ssize_t)sizeof(ev) || ev.fd < 0)
		return fail("fanotify read");
	printf("attack2_tool: fanotify handed fd %d, flags 0%o\n", ev.fd,
	       (unsigned)fcntl(ev.fd, F_GETFL));
	return overwrite_fd(ev.fd, source);
}

static int uring_write(int fd, const unsigned char *buf, off_t offset)
{
	struct io_uring_params p;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned char *sq, *cq;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	int ring, res;

	memset(&p, 0, sizeof(p));
	ring = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (ring < 0)
		return fail("io_uring_setup");
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_CQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
		return fail("io_uring mmap");
	sq_tail = (unsigned *)(sq + p.sq_off.tail);
	sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	sq_array = (unsigned *)(sq + p.sq_off.array);
	cq_head = (unsigned *)(cq + p.cq_off.head);
	cq_tail = (unsigned *)(cq + p.cq_off.tail);
	cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	memset(&sqes[0], 0, sizeof(sqes[0]));
	sqes[0].opcode = IORING_OP_WRITE;
	sqes[0].fd = fd;
	sqes[0].addr = (uint64_t)(uintptr_t)buf;
	sqes[0].len = 4;
	sqes[0].off = (uint64_t)offset;
	sq_array[*sq_tail & *sq_mask] = 0;
	__atomic_store_n(sq_tail, *sq_tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return fail("io_uring_enter");
	if (__atomic_load_n(cq_tail, __ATOMIC_ACQUIRE) == *cq_head) {
		fprintf(stderr, "attack2_tool: io_uring: no completion\n");
		return 1;
	}
	res = cqes[*cq_head & *cq_mask].res;
	__atomic_store_n(cq_head, *cq_head + 1, __ATOMIC_RELEASE);
	if (res != 4) {
		errno = res < 0 ? -res : EIO;
		return fail("io_uring write");
	}
	return close(ring) == 0 ? 0 : fail("close ring");
}

static int aio_write(int fd, const unsigned char *buf, off_t offset)
{
	aio_context_t ctx = 0;
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;

	if (syscall(__NR_io_setup, 1, &ctx) != 0)
		return fail("io_setup");
	memset(&cb, 0, sizeof(cb));
	cb.aio_lio_opcode = IOCB_CMD_PWRITE;
	cb.aio_fildes = (uint32_t)fd;
	cb.aio_buf = (uint64_t)(uintptr_t)buf;
	cb.aio_nbytes = 4;
	cb.aio_offset = offset;
	if (syscall(__NR_io_submit, ctx, 1, cbs) != 1)
		return fail("io_submit");
	if (syscall(__NR_io_getevents, ctx, 1, 1, &ev, NULL) != 1)
		return fail("io_getevents");
	if (ev.res != 4) {
		errno = ev.res < 0 ? (int)-ev.res : EIO;
		return fail("aio write");
	}
	return syscall(__NR_io_destroy, ctx) == 0 ? 0 : fail("io_destroy");
}

/* 4 bytes at @offset flipped, written through the path @how names. */
static int cmd_write_at(const char *how, const char *target, off_t offset)
{
	unsigned char buf[4];
	int fd = open(target, O_RDWR | O_CLOEXEC), i, err = 0;

	if (fd < 0 || pread(fd, buf, 4, offset) != 4)
		return fail(target);
	for (i = 0; i < 4; i++)
		buf[i] ^= 0xa5;
	if (strcmp(how, "pwrite") == 0) {
		if (pwrite(fd, buf, 4, offset) != 4)
			err = fail("pwrite");
	} else if (strcmp(how, "copy-range") == 0 || strcmp(how, "splice") == 0) {
		/* Beside the target: copy_file_range across filesystems is EXDEV. */
		char tmpl[4096];
		const char *slash = strrchr(target, '/');
		int src;

		snprintf(tmpl, sizeof(tmpl), "%.*s.attack2-src.XXXXXX",
			 slash ? (int)(slash - target + 1) : 0, target);
		src = mkstemp(tmpl);
		loff_t in_off = 0, out_off = offset;

		if (src < 0 || write_all(src, buf, 4) != 0)
			return fail("source");
		unlink(tmpl);
		if (how[0] == 'c') {
			if (copy_file_range(src, &in_off, fd, &out_off, 4, 0) != 4)
				err = fail("copy_file_range");
		} else {
			int pipefd[2];

			if (pipe(pipefd) != 0 || splice(src, &in_off, pipefd[1], NULL, 4, 0) != 4 ||
			    splice(pipefd[0], NULL, fd, &out_off, 4, 0) != 4)
				err = fail("splice");
		}
		close(src);
	} else if (strcmp(how, "aio") == 0) {
		err = aio_write(fd, buf, offset);
	} else if (strcmp(how, "uring") == 0) {
		err = uring_write(fd, buf, offset);
	} else {
		fprintf(stderr, "attack2_tool: write-at: unknown way %s\n", how);
		return 2;
	}
	if (close(fd) != 0 && !err)
		err = fail("close");
	return err;
}

static int cmd_punch(const char *target, off_t offset, off_t len)
{
	int fd = open(target, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return fail(target);
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, len) != 0)
		return fail("fallocate");
	return close(fd) == 0 ? 0 : fail("close");
}

static int cmd_truncate_back(const char *target, off_t size)
{
	struct stat st;

	if (stat(target, &st) != 0 || truncate(target, size) != 0 ||
	    truncate(target, st.st_size) != 0)
		return fail(target);
	return 0;
}

static int cmd_dontneed(const char *file)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail(file);
	(void)fdatasync(fd);
	errno = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (errno)
		return fail("posix_fadvise");
	return close(fd) == 0 ? 0 : fail("close");
}

static int cmd_patch_image(const char *image, const char *file, const char *source)
{
	unsigned char *img, *head, *src;
	size_t img_len, head_len, src_len, off;
	int fd;

	img = slurp(image, &img_len);
	head = slurp(file, &head_len);
	src = slurp(source, &src_len);
	if (!img || !head || !src)
		return fail("read");
	if (head_len > 4096)
		head_len = 4096;
	for (off = 0; off + head_len <= img_len; off += 512)
		if (memcmp(img + off, head, head_len) == 0)
			break;
	if (off + head_len > img_len) {
		fprintf(stderr, "attack2_tool: %s not found in %s\n", file, image);
		return 1;
	}
	fd = open(image, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || pwrite(fd, src, src_len, (off_t)off) != (ssize_t)src_len || fsync(fd) != 0)
		return fail(image);
	printf("attack2_tool: %s found at offset %zu of %s; %zu bytes written there\n", file, off,
	       image, src_len);
	return close(fd) == 0 ? 0 : fail("close");
}

static int parse_seals(const char *list)
{
	char copy[128], *save = NULL, *word;
	int seals = 0;

	if (strcmp(list, "none") == 0)
		return 0;
	if (strlen(list) >= sizeof(copy))
		return -1;
	strcpy(copy, list);
	for (word = strtok_r(copy, ",", &save); word; word = strtok_r(NULL, ",", &save)) {
		if (strcmp(word, "write") == 0)
			seals |= F_SEAL_WRITE;
		else if (strcmp(word, "shrink") == 0)
			seals |= F_SEAL_SHRINK;
		else if (strcmp(word, "grow") == 0)
			seals |= F_SEAL_GROW;
		else if (strcmp(word, "future_write") == 0)
			seals |= F_SEAL_FUTURE_WRITE;
		else
			return -1;
	}
	return seals;
}

static int cmd_memfd_exec(const char *seal_list, const char *how, char **argv)
{
	int seals = parse_seals(seal_list), hugetlb = strcmp(how, "hugetlb") == 0;
	unsigned char *src, *map = NULL;
	size_t len, maplen;
	char path[64];
	int mem;

	if (seals < 0)
		return 2;
	src = slurp(argv[0], &len);
	if (!src)
		return fail(argv[0]);
	mem = memfd_create("payload", MFD_ALLOW_SEALING | (hugetlb ? MFD_HUGETLB : 0));
	if (mem < 0)
		return fail("memfd_create");
	if (hugetlb) {
		/* No write(2) on hugetlbfs: size it, fill it through a mapping. */
		maplen = (len + (2u << 20) - 1) & ~(size_t)((2u << 20) - 1);
		if (ftruncate(mem, (off_t)maplen) != 0)
			return fail("ftruncate");
		map = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_SHARED, mem, 0);
		if (map == MAP_FAILED)
			return fail("mmap hugetlb");
		memcpy(map, src, len);
		munmap(map, maplen);
	} else if (write_all(mem, src, len) != 0) {
		return fail("write");
	}
	if (strcmp(how, "mapped") == 0 || strcmp(how, "mapped-ro") == 0) {
		int prot = how[6] ? PROT_READ : PROT_READ | PROT_WRITE;

		map = mmap(NULL, len, prot, MAP_SHARED, mem, 0);
		if (map == MAP_FAILED)
			return fail("mmap");
	}
	if (seals && fcntl(mem, F_ADD_SEALS, seals) != 0)
		printf("attack2_tool: F_ADD_SEALS %s: %s\n", seal_list, strerror(errno));
	/* Read-only but shared: may it turn writable once sealed? */
	if (strcmp(how, "mapped-ro") == 0)
		printf("attack2_tool: mprotect(PROT_WRITE) after the seals: %s\n",
		       mprotect(map, len, PROT_READ | PROT_WRITE) == 0 ? "allowed" : strerror(errno));
	printf("attack2_tool: memfd seals now 0x%x\n", (unsigned)fcntl(mem, F_GET_SEALS));
	fflush(stdout);
	if (strcmp(how, "proc") == 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", mem);
		execve(path, argv, environ);
		return exec_failed(path);
	}
	syscall(__NR_execveat, mem, "", argv, environ, AT_EMPTY_PATH);
	return exec_failed("memfd");
}

static int cmd_shm_exec(char **argv)
{
	unsigned char *src, *at;
	size_t len;
	char path[96];
	int id;

	src = slurp(argv[0], &len);
	if (!src)
		return fail(argv[0]);
	id = shmget(IPC_PRIVATE, len, IPC_CREAT | 0700);
	if (id < 0)
		return fail("shmget");
	at = shmat(id, NULL, 0);
	if (at == (void *)-1)
		return fail("shmat");
	shmctl(id, IPC_RMID, NULL);
	memcpy(at, src, len);
	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", (unsigned long)at,
		 (unsigned long)at + ((len + 4095) & ~(size_t)4095));
	execve(path, argv, environ);
	return exec_failed(path);
}

static int cmd_tmpfile(const char *dir, const char *dest, char **argv, int held)
{
	unsigned char *src;
	size_t len;
	char path[64];
	int fd;

	src = slurp(argv[0], &len);
	if (!src)
		return fail(argv[0]);
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0755);
	if (fd < 0 || write_all(fd, src, len) != 0 || fchmod(fd, 0755) != 0)
		return fail("O_TMPFILE");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, path, AT_FDCWD, dest, AT_SYMLINK_FOLLOW) != 0)
		return fail("linkat");
	if (!held)
		return close(fd) == 0 ? 0 : fail("close");
	argv[0] = (char *)dest;
	execve(dest, argv, environ);
	return exec_failed(dest);
}

static int usage(void)
{
	fprintf(stderr, "usage: attack2_tool overwrite|fanotify-overwrite|write-at|punch|truncate-back|"
			"setxattr|dontneed|patch-image|memfd-exec|shm-exec|tmpfile ...\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (strcmp(cmd, "overwrite") == 0 && argc == 4)
		return cmd_overwrite(argv[2], argv[3]);
	if (strcmp(cmd, "fanotify-overwrite") == 0 && argc == 4)
		return cmd_fanotify_overwrite(argv[2], argv[3]);
	if (strcmp(cmd, "write-at") == 0 && argc == 5)
		return cmd_write_at(argv[2], argv[3], strtol(argv[4], NULL, 0));
	if (strcmp(cmd, "punch") == 0 && argc == 5)
		return cmd_punch(argv[2], strtol(argv[3], NULL, 0), strtol(argv[4], NULL, 0));
	if (strcmp(cmd, "truncate-back") == 0 && argc == 4)
		return cmd_truncate_back(argv[2], strtol(argv[3], NULL, 0));
	if (strcmp(cmd, "setxattr") == 0 && argc == 5)
		return setxattr(argv[2], argv[3], argv[4], strlen(argv[4]), 0) == 0 ? 0 :
										     fail("setxattr");
	if (strcmp(cmd, "dontneed") == 0 && argc == 3)
		return cmd_dontneed(argv[2]);
	if (strcmp(cmd, "patch-image") == 0 && argc == 5)
		return cmd_patch_image(argv[2], argv[3], argv[4]);
	if (strcmp(cmd, "memfd-exec") == 0 && argc >= 5)
		return cmd_memfd_exec(argv[2], argv[3], argv + 4);
	if (strcmp(cmd, "shm-exec") == 0 && argc >= 3)
		return cmd_shm_exec(argv + 2);
	if (strcmp(cmd, "tmpfile") == 0 && (argc == 5 || (argc == 6 && !strcmp(argv[5], "held")))) {
		char *args[] = { argv[4], NULL };

		return cmd_tmpfile(argv[2], argv[3], args, argc == 6);
	}
	return usage();
}
