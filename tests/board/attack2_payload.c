// SPDX-License-Identifier: GPL-2.0
/*
 * The code no trusted key signed: a static program with no libraries that
 * prints PAYLOAD_MSG with raw system calls. Linked as a static PIE (no
 * relocations, no PT_INTERP), so it also runs as another program's ELF
 * interpreter. With -DPAD_MB=N it carries N
 * MiB of data (a file that takes digsig.ko a while to hash).
 */
#ifndef PAYLOAD_MSG
#define PAYLOAD_MSG "attack2-payload: unsigned code ran"
#endif

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	asm volatile ("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c)
		      : "rcx", "r11", "memory");
	return ret;
}

#ifdef PAD_MB
__attribute__((used)) static const char pad[PAD_MB << 20] = { 1 };
#endif

void _start(void)
{
	static const char msg[] = PAYLOAD_MSG "\n";

	sys3(1, 1, (long)msg, sizeof(msg) - 1);	/* write(1, ...) */
	sys3(60, 0, 0, 0);			/* exit(0) */
	for (;;)
		;
}
