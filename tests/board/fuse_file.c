// SPDX-License-Identifier: GPL-2.0
/*
 * fuse_file [--swap=OTHER] [--allow-other] MOUNTPOINT NAME SOURCE: serves
 * one read-only file, MOUNTPOINT/NAME (mode 0755), with SOURCE's content
 * (read once, at start), from a FUSE mount, without libfuse: it opens
 * /dev/fuse, mounts it with mount(2) and answers the kernel's requests
 * itself. For the board: digsig.ko must refuse exec from FUSE, whose
 * server decides what every read returns. The mount is read-only, nosuid,
 * nodev, owned by the caller (user_id, group_id), with default_permissions
 * (the kernel checks the mode bits); as root or in a user namespace.
 *
 * Once mounted it forks: the parent exits 0 at once (the file is usable:
 * requests wait for the child's answer to FUSE_INIT), the child serves in
 * the background, stdin and stdout on /dev/null, until the mount goes away
 * (umount), and logs each open of the file on stderr (kept: send it to a
 * file, not to a pipe that must see its end, as $(...) waits for).
 *
 * --swap=OTHER: the first open reads SOURCE, every later one OTHER (of the
 * same size: the attributes are SOURCE's), the way a server shows a
 * checker one file and hands exec another.
 * --allow-other: other users may use the mount (mount option allow_other).
 *
 * Answers INIT, LOOKUP, GETATTR, OPEN, READ, FLUSH, RELEASE, GETXATTR
 * (ENODATA), DESTROY; FORGET, BATCH_FORGET and INTERRUPT need no answer;
 * everything else (LISTXATTR, OPENDIR, ...) is ENOSYS.
 * Exit status: 0 mounted (the server runs on), 1 failed, 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define FILE_ID 2		/* the file's node id; the root is FUSE_ROOT_ID */
#define MAX_SOURCE (64 << 20)
#define MAX_WRITE 4096		/* never written to: the least the kernel takes */
/* fuse_init_out is the 7.23 size and later: older kernels are not served. */
#define MIN_MINOR 23

struct content {
	const char *path;
	char *bytes;
	size_t size;
};

static struct {
	const char *name;
	struct content content[2];	/* SOURCE, and OTHER with --swap */
	unsigned int contents;
	unsigned int opens;
	uid_t uid;
	gid_t gid;
} served;

/* Request buffer: at least FUSE_MIN_READ_BUFFER, and room for a 64 KiB xattr. */
static uint64_t request[(65536 + 4096) / sizeof(uint64_t)];

static int load(struct content *c)
{
	struct stat st;
	size_t done = 0;
	int fd = open(c->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0)
		goto fail;
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_SOURCE) {
		fprintf(stderr, "fuse_file: %s: not a regular file of at most %d bytes\n", c->path,
			MAX_SOURCE);
		close(fd);
		return -1;
	}
	c->size = (size_t)st.st_size;
	c->bytes = malloc(c->size ? c->size : 1);
	while (c->bytes && done < c->size) {
		ssize_t n = read(fd, c->bytes + done, c->size - done);

		if (n <= 0) {
			errno = n ? errno : EIO;	/* EIO: shorter than fstat said */
			goto fail;
		}
		done += (size_t)n;
	}
	if (!c->bytes)
		goto fail;
	close(fd);
	return 0;
fail:
	fprintf(stderr, "fuse_file: %s: %s\n", c->path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* One answer: the header, then SIZE bytes of DATA; ERROR is a positive errno. */
static void reply(int fd, uint64_t unique, int error, const void *data, size_t size)
{
	struct fuse_out_header out = {
		.len = (uint32_t)(sizeof(out) + size), .error = -error, .unique = unique
	};
	struct iovec iov[2] = { { &out, sizeof(out) }, { (void *)data, size } };

	/* ENOENT: the request was interrupted and is gone; nothing to do. */
	if (writev(fd, iov, size ? 2 : 1) != (ssize_t)out.len && errno != ENOENT)
		fprintf(stderr, "fuse_file: reply to %llu: %s\n", (unsigned long long)unique,
			strerror(errno));
}

static void fill_attr(struct fuse_attr *attr, uint64_t node)
{
	memset(attr, 0, sizeof(*attr));
	attr->ino = node;
	attr->uid = served.uid;
	attr->gid = served.gid;
	attr->blksize = 4096;
	if (node == FUSE_ROOT_ID) {
		attr->mode = S_IFDIR | 0755;
		attr->nlink = 2;
	} else {
		attr->mode = S_IFREG | 0755;
		attr->nlink = 1;
		attr->size = served.content[0].size;
		attr->blocks = (attr->size + 511) / 512;
	}
}

/* Returns -1 when the kernel speaks a protocol this server does not. */
static int do_init(int fd, const struct fuse_in_header *in, const void *arg, size_t len)
{
	struct fuse_init_in init = { 0 };
	struct fuse_init_out out = { 0 };

	memcpy(&init, arg, len < sizeof(init) ? len : sizeof(init));
	if (len < offsetof(struct fuse_init_in, flags) + sizeof(init.flags) ||
	    init.major != FUSE_KERNEL_VERSION || init.minor < MIN_MINOR) {
		fprintf(stderr, "fuse_file: FUSE %u.%u (%zu bytes) unsupported\n", init.major,
			init.minor, len);
		reply(fd, in->unique, EPROTO, NULL, 0);
		return -1;
	}
	out.major = FUSE_KERNEL_VERSION;
	out.minor = init.minor < FUSE_KERNEL_MINOR_VERSION ? init.minor : FUSE_KERNEL_MINOR_VERSION;
	out.max_readahead = init.max_readahead;
	out.max_write = MAX_WRITE;
	reply(fd, in->unique, 0, &out, sizeof(out));
	return 0;
}

static void do_lookup(int fd, const struct fuse_in_header *in, const char *arg, size_t len)
{
	struct fuse_entry_out out = { 0 };

	/* The name, NUL-terminated within the request. */
	if (len == 0 || !memchr(arg, '\0', len)) {
		reply(fd, in->unique, EINVAL, NULL, 0);
		return;
	}
	if (in->nodeid != FUSE_ROOT_ID || strcmp(arg, served.name) != 0) {
		reply(fd, in->unique, ENOENT, NULL, 0);
		return;
	}
	/* No validity: the kernel asks again at every use. */
	out.nodeid = FILE_ID;
	out.generation = 1;
	fill_attr(&out.attr, FILE_ID);
	reply(fd, in->unique, 0, &out, sizeof(out));
}

/* Its fuse_getattr_in (a handle, maybe) is not needed: one set of attributes. */
static void do_getattr(int fd, const struct fuse_in_header *in)
{
	struct fuse_attr_out out = { 0 };

	if (in->nodeid != FUSE_ROOT_ID && in->nodeid != FILE_ID) {
		reply(fd, in->unique, ENOENT, NULL, 0);
		return;
	}
	fill_attr(&out.attr, in->nodeid);
	reply(fd, in->unique, 0, &out, sizeof(out));
}

static void do_open(int fd, const struct fuse_in_header *in, const void *arg, size_t len)
{
	struct fuse_open_in open_in;
	struct fuse_open_out out = { 0 };

	if (len < sizeof(open_in)) {
		reply(fd, in->unique, EINVAL, NULL, 0);
		return;
	}
	memcpy(&open_in, arg, sizeof(open_in));
	if (in->nodeid != FILE_ID) {
		reply(fd, in->unique, ENOENT, NULL, 0);
		return;
	}
	if ((open_in.flags & O_ACCMODE) != O_RDONLY) {
		reply(fd, in->unique, EROFS, NULL, 0);
		return;
	}
	/* The handle names the content; no FOPEN_KEEP_CACHE: the open drops the page cache. */
	out.fh = served.opens++ == 0 ? 0 : served.contents - 1;
	fprintf(stderr, "fuse_file: open %u of %s (pid %u) reads %s\n", served.opens, served.name,
		in->pid, served.content[out.fh].path);
	reply(fd, in->unique, 0, &out, sizeof(out));
}

static void do_read(int fd, const struct fuse_in_header *in, const void *arg, size_t len)
{
	struct fuse_read_in read_in = { 0 };
	const struct content *c;
	size_t size = 0;

	/* Kernels before 7.9 send only fh, offset and size. */
	if (len < offsetof(struct fuse_read_in, read_flags)) {
		reply(fd, in->unique, EINVAL, NULL, 0);
		return;
	}
	memcpy(&read_in, arg, len < sizeof(read_in) ? len : sizeof(read_in));
	if (in->nodeid != FILE_ID || read_in.fh >= served.contents) {
		reply(fd, in->unique, EBADF, NULL, 0);
		return;
	}
	c = &served.content[read_in.fh];
	if (read_in.offset < c->size) {
		size = c->size - (size_t)read_in.offset;
		if (size > read_in.size)
			size = read_in.size;
	}
	reply(fd, in->unique, 0, c->bytes + (size ? read_in.offset : 0), size);
}

/* Serves until the mount goes away. */
static int serve(int fd)
{
	for (;;) {
		struct fuse_in_header in;
		const char *arg = (const char *)request + sizeof(in);
		ssize_t n = read(fd, request, sizeof(request));
		size_t len;

		if (n < 0 && (errno == EINTR || errno == ENOENT))
			continue;	/* ENOENT: a request interrupted before we read it */
		if (n < 0 && errno == ENODEV)
			return 0;	/* unmounted */
		if (n < 0) {
			perror("fuse_file: read /dev/fuse");
			return 1;
		}
		memcpy(&in, request, (size_t)n < sizeof(in) ? (size_t)n : sizeof(in));
		if ((size_t)n < sizeof(in) || in.len != (size_t)n) {
			fprintf(stderr, "fuse_file: a request of %zd bytes says %u\n", n,
				(size_t)n < sizeof(in) ? 0 : in.len);
			return 1;
		}
		len = (size_t)n - sizeof(in);
		switch (in.opcode) {
		case FUSE_INIT:
			if (do_init(fd, &in, arg, len) != 0)
				return 1;
			break;
		case FUSE_LOOKUP: do_lookup(fd, &in, arg, len); break;
		case FUSE_GETATTR: do_getattr(fd, &in); break;
		case FUSE_OPEN: do_open(fd, &in, arg, len); break;
		case FUSE_READ: do_read(fd, &in, arg, len); break;
		case FUSE_FLUSH:
		case FUSE_RELEASE: reply(fd, in.unique, 0, NULL, 0); break;
		case FUSE_GETXATTR: reply(fd, in.unique, ENODATA, NULL, 0); break;
		case FUSE_FORGET:
		case FUSE_BATCH_FORGET:
		case FUSE_INTERRUPT: break;	/* no answer: we answer every request at once */
		case FUSE_DESTROY:
			reply(fd, in.unique, 0, NULL, 0);
			return 0;
		default: reply(fd, in.unique, ENOSYS, NULL, 0); break;
		}
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: fuse_file [--swap=OTHER] [--allow-other] MOUNTPOINT NAME SOURCE\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *other = NULL;
	char options[128];
	int allow_other = 0, fd, null;

	for (; argc > 1 && strncmp(argv[1], "--", 2) == 0; argc--, argv++) {
		if (strncmp(argv[1], "--swap=", 7) == 0 && argv[1][7])
			other = argv[1] + 7;
		else if (strcmp(argv[1], "--allow-other") == 0)
			allow_other = 1;
		else
			return usage();
	}
	if (argc != 4)
		return usage();
	served.name = argv[2];
	if (!*served.name || strchr(served.name, '/') || strlen(served.name) > 255) {
		fprintf(stderr, "fuse_file: NAME must be one path component\n");
		return 2;
	}
	served.content[served.contents++].path = argv[3];
	if (other)
		served.content[served.contents++].path = other;
	for (unsigned int i = 0; i < served.contents; i++)
		if (load(&served.content[i]) != 0)
			return 1;
	if (served.content[served.contents - 1].size != served.content[0].size) {
		fprintf(stderr, "fuse_file: %s and %s differ in size\n", argv[3], other);
		return 1;
	}
	served.uid = getuid();
	served.gid = getgid();

	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("fuse_file: /dev/fuse");
		return 1;
	}
	snprintf(options, sizeof(options),
		 "fd=%d,rootmode=40000,user_id=%u,group_id=%u,default_permissions%s", fd,
		 (unsigned int)served.uid, (unsigned int)served.gid,
		 allow_other ? ",allow_other" : "");
	if (mount("fuse_file", argv[1], "fuse", MS_RDONLY | MS_NOSUID | MS_NODEV, options) != 0) {
		fprintf(stderr, "fuse_file: mount %s (%s): %s\n", argv[1], options, strerror(errno));
		return 1;
	}
	switch (fork()) {
	case -1:
		perror("fuse_file: fork");
		umount2(argv[1], MNT_DETACH);
		return 1;
	case 0:
		break;
	default:
		return 0;
	}
	setsid();
	signal(SIGPIPE, SIG_IGN);
	if (chdir("/") != 0)
		return 1;
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		if (null > 2)
			close(null);
	}
	return serve(fd);
}
