// digsig-hello: the demo product's own C++ program. It prints what the
// board is running, so a boot log shows that a signed program of ours ran.
#include <sys/utsname.h>

#include <cstdio>

int main() {
  utsname u{};
  if (uname(&u) != 0) {
    std::perror("digsig-hello: uname");
    return 1;
  }
  std::printf("digsig-hello: a signed program runs on %s %s (%s)\n", u.sysname, u.release,
              u.machine);
  return 0;
}
