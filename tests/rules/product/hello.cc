#include <cstdio>

#include "greet.h"

int main() {
  std::puts(Greeting());
  return 0;
}
