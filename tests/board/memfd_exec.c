// SPDX-License-Identifier: GPL-2.0
/*
 * memfd_exec [--seal=write,shrink,grow] FILE [ARG...]: copies FILE into an
 * anonymous memfd, adds the seals named (none by default) and execs it
 * with execveat(AT_EMPTY_PATH), the way fileless loaders do. On the board,
 * digsig.ko must judge the memfd's content like any other file's, and in
 * enforce mode refuse one that is not sealed against writes, shrinking
 * and growing. Exits 126 (printing the errno) when the exec is refused.
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

/* "write,shrink,grow" (any subset, any order) to F_SEAL_* bits; -1 if bad. */
static int parse_seals(const char *list)
{
	static const struct {
		const char *name;
		int seal;
	} names[] = { { "write", F_SEAL_WRITE }, { "shrink", F_SEAL_SHRINK }, { "grow", F_SEAL_GROW } };
	char copy[64], *save = NULL, *word;
	int seals = 0;

	if (strlen(list) >= sizeof(copy))
		return -1;
	strcpy(copy, list);
	for (word = strtok_r(copy, ",", &save); word; word = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(word, names[i].name) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -1;
		seals |= names[i].seal;
	}
	return seals;
}

int main(int argc, char **argv)
{
	int in, mem, seals = 0;

	if (argc >= 2 && strncmp(argv[1], "--seal=", 7) == 0) {
		seals = parse_seals(argv[1] + 7);
		argv++;
		argc--;
	}
	if (argc < 2 || seals < 0) {
		fprintf(stderr, "usage: memfd_exec [--seal=write,shrink,grow] FILE [ARG...]\n");
		return 2;
	}
	in = open(argv[1], O_RDONLY | O_CLOEXEC);
	mem = memfd_create("payload", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (in < 0 || mem < 0 || copy_into(in, mem) != 0) {
		fprintf(stderr, "memfd_exec: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (seals && fcntl(mem, F_ADD_SEALS, seals) != 0) {
		fprintf(stderr, "memfd_exec: F_ADD_SEALS: %s\n", strerror(errno));
		return 2;
	}
	syscall(SYS_execveat, mem, "", argv + 1, environ, AT_EMPTY_PATH);
	fprintf(stderr, "memfd_exec: execveat: %s\n", strerror(errno));
	return 126;
}
