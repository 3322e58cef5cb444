// Regression driver for the fuzz targets (signer/fuzz, aem/tests): links with one target's
// LLVMFuzzerTestOneInput instead of libFuzzer and runs it over
//   - every file of the given files and directories (recursively), or, with
//     no paths, the target's seed corpus corpus/<name> in the test's
//     package (signer/fuzz, aem/tests), where <name> is this binary's name
//     without "_test";
//   - --mutations=N (default 3000, or $FUZZ_REPLAY_MUTATIONS) deterministic
//     pseudo-random mutations of each of those files: bit flips, byte and
//     integer overwrites, truncations, insertions, deletions and copies,
//     seeded by the file's content, so a failure reproduces on every run;
//     for a target with LLVMFuzzerCustomMutator, every other mutation is
//     made by that mutator instead.
// A crash, sanitizer report or violated invariant fails the test; the input
// that caused it is written to $TEST_UNDECLARED_OUTPUTS_DIR (or the current
// directory) first, as crash-input, ready to be added to the corpus.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "base/fuzz_rng.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// A target's structure-aware mutator, when it has one; it calls
// LLVMFuzzerMutate (defined below) for byte-level changes, as under libFuzzer.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed) __attribute__((weak));

// Sanitizer settings for `bazel test --config=asan`: an allocation of more
// than 1 GiB is a failure, as is any UBSan report (the default just warns).
extern "C" const char* __asan_default_options() {
  return "max_allocation_size_mb=1024:allocator_may_return_null=0:detect_leaks=1";
}
extern "C" const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }

#if !defined(__SANITIZE_ADDRESS__)
// Without ASan, the same 1 GiB limit for C++ allocations (libFuzzer's
// -malloc_limit_mb equivalent): a target must not allocate in proportion to
// a size its input merely claims. Only the plain form needs replacing: the
// array and nothrow forms call it, and operator delete stays free().
void* operator new(std::size_t n) {
  constexpr std::size_t kLimit = std::size_t{1} << 30;
  if (n > kLimit) {
    std::fprintf(stderr, "replay: allocation of %zu bytes exceeds the 1 GiB limit\n", n);
    std::abort();
  }
  for (;;) {
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}
#endif

namespace {

namespace fs = std::filesystem;
using digsig::fuzz::Rng;

struct Input {
  std::string name;
  std::vector<uint8_t> bytes;
};

uint64_t Fnv1a(const std::vector<uint8_t>& b) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (uint8_t c : b) h = (h ^ c) * 0x100000001B3ull;
  return h;
}

// A position biased towards where the parsers look: the headers at the
// start, the trailer and record at the end, and anywhere.
size_t Position(Rng& rng, size_t size) {
  if (size == 0) return 0;
  switch (rng.Below(3)) {
    case 0: return rng.Below(std::min<size_t>(size, 64));
    case 1: return size - 1 - rng.Below(std::min<size_t>(size, 160));
    default: return rng.Below(size);
  }
}

uint64_t InterestingInt(Rng& rng, size_t size) {
  static const uint64_t kValues[] = {
      0,      1,          2,          0x7F,    0x80,       0xFF,       0x100,      0x7FFF,
      0x8000, 0xFFFF,     0xFF00,     0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, ~0ull >> 1,
      ~0ull,  1ull << 32, 1ull << 58, 40,      52,         64,         136,        65536};
  const size_t n = sizeof(kValues) / sizeof(kValues[0]);
  switch (rng.Below(4)) {
    case 0: return size - rng.Below(std::min<size_t>(size, 200) + 1);  // near the file size
    case 1: return rng.Next();
    default: return kValues[rng.Below(n)];
  }
}

void MutateOnce(Rng& rng, std::vector<uint8_t>& b) {
  const size_t size = b.size();
  switch (rng.Below(size == 0 ? 1 : 9)) {
    case 0: {  // insert 1..16 random bytes
      const size_t at = rng.Below(size + 1);
      const size_t n = 1 + rng.Below(16);
      std::vector<uint8_t> ins(n);
      for (auto& c : ins) c = static_cast<uint8_t>(rng.Next());
      b.insert(b.begin() + static_cast<ptrdiff_t>(at), ins.begin(), ins.end());
      return;
    }
    case 1:  // flip one bit
      b[Position(rng, size)] ^= static_cast<uint8_t>(1u << rng.Below(8));
      return;
    case 2:  // random byte
      b[Position(rng, size)] = static_cast<uint8_t>(rng.Next());
      return;
    case 3: {  // 1, 2, 4 or 8-byte integer in either byte order
      const size_t width = size_t{1} << rng.Below(4);
      if (size < width) return;
      const size_t at = std::min(Position(rng, size), size - width);
      const uint64_t v = InterestingInt(rng, size);
      const bool be = rng.Below(2) == 0;
      for (size_t i = 0; i < width; ++i) {
        const size_t shift = (be ? width - 1 - i : i) * 8;
        b[at + i] = static_cast<uint8_t>(v >> shift);
      }
      return;
    }
    case 4:  // truncate
      b.resize(rng.Below(size));
      return;
    case 5: {  // delete a range
      const size_t at = rng.Below(size);
      const size_t n = 1 + rng.Below(std::min<size_t>(size - at, 64));
      b.erase(b.begin() + static_cast<ptrdiff_t>(at), b.begin() + static_cast<ptrdiff_t>(at + n));
      return;
    }
    case 6: {  // copy a chunk over another place
      const size_t from = rng.Below(size);
      const size_t to = rng.Below(size);
      const size_t n = 1 + rng.Below(std::min(size - std::max(from, to), size_t{128}));
      std::memmove(b.data() + to, b.data() + from, n);
      return;
    }
    case 7: {  // append random bytes
      const size_t n = 1 + rng.Below(32);
      for (size_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(rng.Next()));
      return;
    }
    default: {  // run of one byte value
      const size_t at = Position(rng, size);
      const size_t n = 1 + rng.Below(std::min<size_t>(size - at, 32));
      std::memset(b.data() + at, rng.Below(2) ? 0 : 0xFF, n);
      return;
    }
  }
}

std::vector<uint8_t> ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void Collect(const fs::path& p, std::vector<Input>& out) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(p, ec))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) out.push_back({f.string(), ReadFile(f)});
  } else if (fs::is_regular_file(p, ec)) {
    out.push_back({p.string(), ReadFile(p)});
  } else {
    std::fprintf(stderr, "replay: no such file or directory: %s\n", p.c_str());
    std::exit(2);
  }
}

// corpus/<name> in the test's own package: Bazel's TEST_BINARY names it
// (signer/fuzz/x_test, aem/tests/y_test); signer/fuzz outside Bazel.
fs::path DefaultCorpus(const char* argv0) {
  std::string name = fs::path(argv0).filename().string();
  const std::string suffix = "_test";
  if (name.size() > suffix.size() &&
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
    name.resize(name.size() - suffix.size());
  const char* binary = std::getenv("TEST_BINARY");
  const fs::path package =
      binary != nullptr ? fs::path(binary).parent_path() : fs::path("signer/fuzz");
  const fs::path rel = package / "corpus" / name;
  if (const char* srcdir = std::getenv("TEST_SRCDIR")) {
    const char* ws = std::getenv("TEST_WORKSPACE");
    return fs::path(srcdir) / (ws != nullptr ? ws : "digsig") / rel;
  }
  return rel;
}

// The random numbers LLVMFuzzerMutate uses during a custom mutation.
Rng* g_mutate_rng = nullptr;

// The input being run, written out by the crash handlers below.
const std::vector<uint8_t>* g_current = nullptr;

void SaveCurrent() {
  if (g_current == nullptr) return;
  const char* dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  const fs::path path = fs::path(dir != nullptr ? dir : ".") / "crash-input";
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(g_current->data(), 1, g_current->size(), f);
    std::fclose(f);
    if (dir != nullptr)
      std::fprintf(stderr,
                   "replay: the failing input (%zu bytes) is crash-input in "
                   "bazel-testlogs/<package>/<test>/test.outputs/outputs.zip\n",
                   g_current->size());
    else
      std::fprintf(stderr, "replay: the failing input (%zu bytes) is in %s\n", g_current->size(),
                   path.c_str());
  }
}

void Run(const std::vector<uint8_t>& bytes) {
  // A fresh heap copy of exactly the input's size, as libFuzzer passes it, so
  // ASan catches a read one byte past the end.
  std::unique_ptr<uint8_t[]> copy(new uint8_t[bytes.size()]);
  if (!bytes.empty()) std::memcpy(copy.get(), bytes.data(), bytes.size());
  g_current = &bytes;
  LLVMFuzzerTestOneInput(copy.get(), bytes.size());
  g_current = nullptr;
}

}  // namespace

// libFuzzer's byte-level mutator, for custom mutators to call.
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size) {
  static Rng fallback(1);
  Rng& rng = g_mutate_rng != nullptr ? *g_mutate_rng : fallback;
  std::vector<uint8_t> b(data, data + size);
  MutateOnce(rng, b);
  if (b.size() > max_size) b.resize(max_size);
  if (!b.empty()) std::memcpy(data, b.data(), b.size());
  return b.size();
}

extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

int main(int argc, char** argv) {
  long mutations = 3000;
  if (const char* env = std::getenv("FUZZ_REPLAY_MUTATIONS")) mutations = std::atol(env);
  std::vector<fs::path> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--mutations=", 0) == 0)
      mutations = std::atol(arg.c_str() + 12);
    else if (arg.rfind("-", 0) == 0) {
      std::fprintf(stderr, "usage: %s [--mutations=N] [FILE|DIR...]\n", argv[0]);
      return 2;
    } else {
      paths.emplace_back(arg);
    }
  }
  if (paths.empty()) paths.push_back(DefaultCorpus(argv[0]));

  std::vector<Input> inputs;
  for (const auto& p : paths) Collect(p, inputs);
  if (inputs.empty()) {
    std::fprintf(stderr, "replay: no inputs found\n");
    return 2;
  }

  if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(SaveCurrent);
  std::signal(SIGABRT, [](int) {
    SaveCurrent();
    std::_Exit(134);
  });
  std::signal(SIGILL, [](int) {
    SaveCurrent();
    std::_Exit(132);
  });                               // __builtin_trap
#if !defined(__SANITIZE_ADDRESS__)  // ASan's own handler reports a SEGV better
  std::signal(SIGSEGV, [](int) {
    SaveCurrent();
    std::_Exit(139);
  });
#endif

  const auto start = std::chrono::steady_clock::now();
  uint64_t runs = 0;
  const char* verbose = std::getenv("DIGSIG_FUZZ_VERBOSE");
  for (const Input& in : inputs) {
    if (verbose != nullptr && *verbose != '\0' && *verbose != '0')
      std::fprintf(stderr, "%s\n", in.name.c_str());
    Run(in.bytes);
    ++runs;
    const uint64_t base = Fnv1a(in.bytes);
    for (long i = 0; i < mutations; ++i) {
      Rng rng(base ^ (0xD1B54A32D192ED03ull * static_cast<uint64_t>(i + 1)));
      std::vector<uint8_t> m = in.bytes;
      if (LLVMFuzzerCustomMutator != nullptr && i % 2 == 1) {
        const size_t max_size = 2 * m.size() + 256;
        m.resize(max_size);
        g_mutate_rng = &rng;
        const size_t n = LLVMFuzzerCustomMutator(m.data(), in.bytes.size(), max_size,
                                                 static_cast<unsigned int>(rng.Next()));
        g_mutate_rng = nullptr;
        m.resize(std::min(n, max_size));
      } else {
        const int stack = 1 + static_cast<int>(rng.Below(4));
        for (int k = 0; k < stack; ++k) MutateOnce(rng, m);
      }
      Run(m);
      ++runs;
    }
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %zu corpus inputs + %ld mutations each%s = %llu inputs ran in %.2f s\n",
              fs::path(argv[0]).filename().c_str(), inputs.size(), mutations,
              LLVMFuzzerCustomMutator != nullptr ? " (half by the custom mutator)" : "",
              static_cast<unsigned long long>(runs), secs);
  return 0;
}
