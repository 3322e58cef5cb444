// Why digsig reads with pread into a small buffer: hashes one file four ways
// (through a memory map, a pre-faulted map, a map copied in chunks, and
// pread into a 256 KiB buffer) and prints the throughput of each.
//
//   bazel run //tools/bench:hash_read_probe -- /path/to/large/file
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

constexpr size_t kChunk = 256 * 1024;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

enum class Mode { kMap, kMapPopulate, kMapCopy, kPread };

void Run(int fd, size_t size, Mode mode, const char* name) {
  std::vector<unsigned char> buffer(kChunk);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  const auto start = std::chrono::steady_clock::now();
  if (mode == Mode::kPread) {
    for (size_t off = 0; off < size;) {
      ssize_t n = pread(fd, buffer.data(), kChunk, static_cast<off_t>(off));
      if (n <= 0) break;
      EVP_DigestUpdate(ctx, buffer.data(), static_cast<size_t>(n));
      off += static_cast<size_t>(n);
    }
  } else {
    const int flags = MAP_PRIVATE | (mode == Mode::kMap ? 0 : MAP_POPULATE);
    auto* map = static_cast<unsigned char*>(mmap(nullptr, size, PROT_READ, flags, fd, 0));
    if (map == MAP_FAILED) return;
    if (mode == Mode::kMapCopy) {
      for (size_t off = 0; off < size; off += kChunk) {
        const size_t n = size - off < kChunk ? size - off : kChunk;
        std::memcpy(buffer.data(), map + off, n);
        EVP_DigestUpdate(ctx, buffer.data(), n);
      }
    } else {
      EVP_DigestUpdate(ctx, map, size);
    }
    munmap(map, size);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  const double s = Seconds(start);
  std::printf("%-22s %.3f s  %.2f GB/s\n", name, s, static_cast<double>(size) / s / 1e9);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: hash_read_probe FILE\n");
    return 2;
  }
  int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
    std::fprintf(stderr, "hash_read_probe: cannot read %s\n", argv[1]);
    return 2;
  }
  const auto size = static_cast<size_t>(st.st_size);
  for (int round = 0; round < 2; ++round) {
    Run(fd, size, Mode::kMap, "mmap");
    Run(fd, size, Mode::kMapPopulate, "mmap + MAP_POPULATE");
    Run(fd, size, Mode::kMapCopy, "mmap + chunk copy");
    Run(fd, size, Mode::kPread, "pread 256 KiB chunks");
  }
  close(fd);
  return 0;
}
