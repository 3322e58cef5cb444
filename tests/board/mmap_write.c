// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_write FILE OFFSET: changes 4 bytes of FILE at OFFSET through a
 * shared writable mapping, after reading them first (so the page is in
 * place before the write, as an attacker does on tmpfs, which then
 * updates neither mtime, ctime nor i_version), and prints the file's
 * times before and after. On the board, digsig.ko's cache must notice
 * the change anyway.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void print_times(const char *when, const struct stat *st)
{
	printf("mmap_write: %s: mtime %lld.%09ld ctime %lld.%09ld size %lld\n", when,
	       (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec,
	       st->st_ctim.tv_nsec, (long long)st->st_size);
}

int main(int argc, char **argv)
{
	struct stat before, after;
	volatile unsigned char *map;
	unsigned char old[4];
	long offset;
	int fd, i;

	if (argc != 3) {
		fprintf(stderr, "usage: mmap_write FILE OFFSET\n");
		return 2;
	}
	offset = strtol(argv[2], NULL, 0);
	fd = open(argv[1], O_RDWR);
	if (fd < 0 || fstat(fd, &before) != 0 || offset < 0 || offset + 4 > before.st_size) {
		perror("mmap_write: open");
		return 1;
	}
	map = mmap(NULL, (size_t)before.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("mmap_write: mmap");
		return 1;
	}
	for (i = 0; i < 4; i++)
		old[i] = map[offset + i];	/* fault the page in for reading */
	for (i = 0; i < 4; i++)
		map[offset + i] = (unsigned char)(old[i] ^ 0xa5);
	if (msync((void *)map, (size_t)before.st_size, MS_SYNC) != 0 ||
	    munmap((void *)map, (size_t)before.st_size) != 0 || fstat(fd, &after) != 0) {
		perror("mmap_write: msync");
		return 1;
	}
	print_times("before", &before);
	print_times("after", &after);
	return close(fd) == 0 ? 0 : 1;
}
