/* The IMA board's dynamic test program: linked against the host's glibc,
 * it runs through /lib64/ld-linux-x86-64.so.2 and libc.so.6 on the board.
 * Each argument is a shared library it dlopen()s (a third way to map code
 * that an exec hook never sees). Exit 0, or 3 when a dlopen failed. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
  int status = 0;
  printf("ima-hello: a signed dynamic program runs\n");
  fflush(stdout);
  for (int i = 1; i < argc; i++) {
    if (dlopen(argv[i], RTLD_NOW)) {
      printf("ima-hello: dlopen %s: loaded\n", argv[i]);
    } else {
      printf("ima-hello: dlopen failed: %s\n", dlerror());
      status = 3;
    }
    fflush(stdout);
  }
  return status;
}
