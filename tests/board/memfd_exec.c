// SPDX-License-Identifier: GPL-2.0
/*
 * memfd_exec FILE [ARG...]: copies FILE into an anonymous memfd and execs
 * it with execveat(AT_EMPTY_PATH), the way fileless loaders do. On the
 * board, digsig.ko must judge the memfd's content like any other file.
 * Exits 126 (printing the errno) when the exec is refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

static int copy_into(int from, int to)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(from, buf, sizeof(buf))) > 0)
		if (write(to, buf, (size_t)n) != n)
			return -1;
	return n < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	int in, mem;

	if (argc < 2) {
		fprintf(stderr, "usage: memfd_exec FILE [ARG...]\n");
		return 2;
	}
	in = open(argv[1], O_RDONLY | O_CLOEXEC);
	mem = memfd_create("payload", MFD_CLOEXEC);
	if (in < 0 || mem < 0 || copy_into(in, mem) != 0) {
		fprintf(stderr, "memfd_exec: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	syscall(SYS_execveat, mem, "", argv + 1, environ, AT_EMPTY_PATH);
	fprintf(stderr, "memfd_exec: execveat: %s\n", strerror(errno));
	return 126;
}
