// File access with the "nothing lost" rules: inputs are only ever read, and
// outputs appear whole or not at all (temporary file, fsync, rename).
#pragma once

#include <sys/stat.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "signer/lib/byte_span.h"
#include "signer/lib/result.h"

namespace digsig {

// security.ima and security.evm hold a hash or signature of a file's
// content; carried to new content they would make IMA appraisal refuse the
// file, so every copy or rewrite drops them.
bool IsContentBoundXattr(std::string_view name);

// Reads a small file (keys, certificates, configuration) up to max_size bytes.
Result<Bytes> ReadWholeFile(const std::string& path, size_t max_size);

// A read-only memory map of a whole file (empty files map to an empty span).
class MappedFile {
 public:
  static Result<MappedFile> Open(const std::string& path);
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;
  MappedFile(const MappedFile&) = delete;
  ~MappedFile();

  ByteSpan bytes() const { return ByteSpan(data_, size_); }
  const struct stat& stat() const { return st_; }
  // The open descriptor, for streaming reads (see ForEachChunk).
  int fd() const { return fd_; }

 private:
  MappedFile(int fd, const uint8_t* data, size_t size, const struct stat& st)
      : fd_(fd), data_(data), size_(size), st_(st) {}
  int fd_;
  const uint8_t* data_;
  size_t size_;
  struct stat st_;
};

// Hands [offset, offset + length) of `fd` to `sink` in cache-sized chunks
// read with pread. Hashing data that was just copied into a small buffer is
// markedly faster than hashing it through a memory map (docs/benchmarks.md).
using ChunkSink = std::function<Status(ByteSpan)>;
Status ForEachChunk(int fd, uint64_t offset, uint64_t length, const ChunkSink& sink);

// The destination of WriteFileAtomically's producer.
class OutputFile {
 public:
  OutputFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  Status Write(ByteSpan data);

 private:
  int fd_;
  std::string path_;
};

// What to carry over from the file being replaced or copied.
struct PreserveMetadata {
  const struct stat* from = nullptr;  // mode (and owner when `owner`) come from here
  bool owner = false;
  std::string xattrs_from;  // path whose extended attributes are copied
};

// Writes `pieces` in order to `path` atomically: a temporary file in the same
// directory (unnamed where the file system allows, else hidden; temp_file.h),
// fsync, link or rename over `path`, fsync of the directory. On failure, or
// if the process is killed, `path` is untouched; an unnamed temporary file
// leaves nothing, a hidden one is removed by the next write to the directory.
// DIGSIG_TEMP_FILES=named in the environment forces hidden names (tests).
Status WriteFileAtomically(const std::string& path, const std::vector<ByteSpan>& pieces,
                           const PreserveMetadata& preserve);

// The same, with the content written by `produce` as it goes (streaming).
Status WriteFileAtomically(const std::string& path, const PreserveMetadata& preserve,
                           const std::function<Status(OutputFile&)>& produce);

}  // namespace digsig
