// Invariant checks shared by the fuzz targets; no dependencies beyond libc.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace digsig::fuzz {

// An invariant of the code under test. Fuzzers treat a trap as a crash, so a
// violated invariant is reported with the input that caused it.
#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond); \
      __builtin_trap();                                                                   \
    }                                                                                     \
  } while (0)

// DIGSIG_FUZZ_VERBOSE=1 prints what each call returned (for inspecting seeds).
inline bool Verbose() {
  static const bool verbose = [] {
    const char* v = std::getenv("DIGSIG_FUZZ_VERBOSE");
    return v != nullptr && *v != '\0' && *v != '0';
  }();
  return verbose;
}

}  // namespace digsig::fuzz
