// SPDX-License-Identifier: GPL-2.0
/*
 * A program with no libraries at all, linked as a PIE with a chosen
 * PT_INTERP (the test links it with --dynamic-linker=PATH): the dynamic
 * loader maps it and jumps to _start, which prints "interp-probe ran" with
 * raw system calls. Lets the board check which interpreters digsig.ko
 * accepts without shipping a C library.
 */
static long sys3(long nr, long a, long b, long c)
{
	long ret;

	asm volatile ("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c)
		      : "rcx", "r11", "memory");
	return ret;
}

void _start(void)
{
	static const char msg[] = "interp-probe ran\n";

	sys3(1, 1, (long)msg, sizeof(msg) - 1);	/* write(1, ...) */
	sys3(60, 0, 0, 0);			/* exit(0) */
	for (;;)
		;
}
