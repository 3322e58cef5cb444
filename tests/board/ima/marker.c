/* A shared library whose constructor prints a marker line: the board sees
 * whether the library was mapped and run (LD_PRELOAD, dlopen). */
#include <unistd.h>

__attribute__((constructor)) static void marker(void) {
  static const char msg[] = "IMA-MARKER libmarker constructor ran\n";
  if (write(1, msg, sizeof msg - 1) < 0) {
  }
}
