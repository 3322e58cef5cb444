// Regression driver for aem's fuzz targets (the role signer/fuzz/replay_main.cc
// plays for the signer's): links with a target's LLVMFuzzerTestOneInput
// instead of libFuzzer and runs it over the given files and directories, or
// by default corpus/<name>/ next to this test (<name>: the binary's name
// without "_test"), plus --mutations=N (default 3000) deterministic
// mutations of each input, biased to the places an event header's size and
// type fields sit. A violated invariant traps; the input is written to
// $TEST_UNDECLARED_OUTPUTS_DIR/crash-input first.
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" const char* __asan_default_options() {
  return "max_allocation_size_mb=1024:allocator_may_return_null=0:detect_leaks=1";
}
extern "C" const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }

namespace {

namespace fs = std::filesystem;

struct Rng {  // splitmix64
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }
};

const std::vector<uint8_t>* g_current = nullptr;

void SaveCurrent() {
  if (g_current == nullptr) return;
  const char* dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  const fs::path path = fs::path(dir != nullptr ? dir : ".") / "crash-input";
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(g_current->data(), 1, g_current->size(), f);
    std::fclose(f);
    std::fprintf(stderr, "replay: the failing input (%zu bytes) is %s\n", g_current->size(),
                 path.c_str());
  }
}

void Mutate(Rng& rng, std::vector<uint8_t>& b) {
  const size_t size = b.size();
  // A header field: size (u16 at 0), type (u16 at 2), or a length inside the
  // record, at an 8-aligned record start.
  auto field_at = [&]() -> size_t {
    return size < 8 ? 0 : (rng.Below(size / 8) * 8) + rng.Below(8);
  };
  switch (rng.Below(size == 0 ? 1 : 8)) {
    case 0: {
      const size_t at = rng.Below(size + 1);
      const size_t n = 1 + rng.Below(16);
      std::vector<uint8_t> ins(n);
      for (auto& c : ins) c = static_cast<uint8_t>(rng.Next());
      b.insert(b.begin() + static_cast<ptrdiff_t>(at), ins.begin(), ins.end());
      return;
    }
    case 1: b[rng.Below(size)] ^= static_cast<uint8_t>(1u << rng.Below(8)); return;
    case 2: b[rng.Below(size)] = static_cast<uint8_t>(rng.Next()); return;
    case 3: {  // an interesting 16- or 32-bit value where a header field could be
      static const uint32_t kValues[] = {
          0,  1,   7,   8,    16,   23, 24, 32, 63,     64,     65,     72,      88,
          96, 255, 256, 1024, 1025, 5,  6,  42, 0x7fff, 0xfff8, 0xffff, 0x10000, 0xffffffff};
      const uint32_t v = kValues[rng.Below(sizeof(kValues) / sizeof(kValues[0]))];
      const size_t width = rng.Below(2) ? 2 : 4;
      if (size < width) return;
      const size_t at = std::min(field_at(), size - width);
      std::memcpy(b.data() + at, &v, width);
      return;
    }
    case 4: b.resize(rng.Below(size)); return;
    case 5: {
      const size_t at = rng.Below(size);
      const size_t n = 1 + rng.Below(std::min<size_t>(size - at, 64));
      b.erase(b.begin() + static_cast<ptrdiff_t>(at), b.begin() + static_cast<ptrdiff_t>(at + n));
      return;
    }
    case 6: {  // duplicate a chunk (records repeated or overlapping)
      const size_t at = rng.Below(size);
      const size_t n = 1 + rng.Below(std::min<size_t>(size - at, 128));
      std::vector<uint8_t> chunk(b.begin() + static_cast<ptrdiff_t>(at),
                                 b.begin() + static_cast<ptrdiff_t>(at + n));
      b.insert(b.begin() + static_cast<ptrdiff_t>(rng.Below(size)), chunk.begin(), chunk.end());
      return;
    }
    default: {
      const size_t at = rng.Below(size);
      const size_t n = 1 + rng.Below(std::min<size_t>(size - at, 32));
      std::memset(b.data() + at, rng.Below(2) ? 0 : 0xFF, n);
      return;
    }
  }
}

void Run(const std::vector<uint8_t>& bytes) {
  // A heap copy of exactly the input's size, so ASan sees a read past its end.
  std::unique_ptr<uint8_t[]> copy(new uint8_t[bytes.size()]);
  if (!bytes.empty()) std::memcpy(copy.get(), bytes.data(), bytes.size());
  g_current = &bytes;
  LLVMFuzzerTestOneInput(copy.get(), bytes.size());
  g_current = nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  long mutations = 3000;
  std::vector<fs::path> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--mutations=", 0) == 0) {
      mutations = std::atol(arg.c_str() + 12);
    } else if (arg.rfind("-", 0) == 0) {
      std::fprintf(stderr, "usage: %s [--mutations=N] [FILE|DIR...]\n", argv[0]);
      return 2;
    } else {
      paths.emplace_back(arg);
    }
  }
  if (paths.empty()) {
    std::string name = fs::path(argv[0]).filename().string();
    if (name.size() > 5 && name.compare(name.size() - 5, 5, "_test") == 0)
      name.resize(name.size() - 5);
    fs::path rel = fs::path("aem/tests/corpus") / name;
    if (const char* srcdir = std::getenv("TEST_SRCDIR")) {
      const char* ws = std::getenv("TEST_WORKSPACE");
      rel = fs::path(srcdir) / (ws != nullptr ? ws : "digsig") / rel;
    }
    paths.push_back(rel);
  }
  std::vector<std::vector<uint8_t>> inputs;
  for (const auto& p : paths) {
    std::error_code ec;
    std::vector<fs::path> files;
    if (fs::is_directory(p, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(p, ec))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(p);
    }
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "replay: cannot read %s\n", f.c_str());
        return 2;
      }
      inputs.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "replay: no inputs found\n");
    return 2;
  }
  std::signal(SIGILL, [](int) {
    SaveCurrent();
    std::_Exit(132);
  });
  std::signal(SIGABRT, [](int) {
    SaveCurrent();
    std::_Exit(134);
  });
  uint64_t runs = 0;
  for (const auto& in : inputs) {
    Run(in);
    ++runs;
    uint64_t seed = 0xCBF29CE484222325ull;
    for (uint8_t c : in) seed = (seed ^ c) * 0x100000001B3ull;
    for (long i = 0; i < mutations; ++i) {
      Rng rng{seed ^ (0xD1B54A32D192ED03ull * static_cast<uint64_t>(i + 1))};
      std::vector<uint8_t> m = in;
      const int stack = 1 + static_cast<int>(rng.Below(4));
      for (int k = 0; k < stack; ++k) Mutate(rng, m);
      Run(m);
      ++runs;
    }
  }
  std::printf("%s: %zu corpus inputs + %ld mutations each = %llu inputs\n",
              fs::path(argv[0]).filename().c_str(), inputs.size(), mutations,
              static_cast<unsigned long long>(runs));
  return 0;
}
