// The data of one archive entry, held so it can be signed before its header
// is written (the header carries the new size and the IMA xattr): in memory
// when small, otherwise spooled to an unlinked temporary file, so memory
// stays bounded whatever the entry's size. A sparse entry's holes stay holes
// in the spool file and cost neither memory nor reads: only its data blocks
// are stored, and only ELF content (which the parsers need as one span) is
// mapped, so neither memory nor address space grows with apparent size.
#pragma once

#include <archive.h>

#include <cstdint>
#include <memory>
#include <string>

#include "signer/lib/byte_span.h"
#include "signer/lib/file_io.h"
#include "signer/lib/result.h"

namespace digsig {

struct SpoolPolicy {
  uint64_t memory_limit = 16ull << 20;  // larger entries go to a file
  // Entries claiming more are refused: a sparse entry can declare a size
  // far beyond its stored bytes, and every byte of it would be hashed.
  uint64_t max_size = 64ull << 30;
  std::string directory;  // empty: $TMPDIR, else /tmp
};

class EntryContent {
 public:
  // Reads the current entry's data from `in`; `size` is the header's size.
  // Holes of sparse entries read as zeros.
  static Result<EntryContent> Read(archive* in, uint64_t size, const SpoolPolicy& policy);

  EntryContent(EntryContent&& other) noexcept;
  EntryContent& operator=(EntryContent&&) = delete;
  EntryContent(const EntryContent&) = delete;
  ~EntryContent();

  // All bytes: a buffer, or for spooled content that starts with the ELF
  // magic a read-only map of the spool file, for sparse access (headers)
  // only, never swept end to end. Other spooled content is not mapped: this
  // is empty, and the content is read with ForEachChunk.
  ByteSpan bytes() const { return ByteSpan(data_, data_ ? size_ : 0); }
  // Whether the content starts with the ELF magic (then bytes() is all).
  bool elf() const { return elf_; }
  uint64_t size() const { return size_; }
  bool spooled() const { return fd_ >= 0; }
  // The spool file, or -1.
  int fd() const { return fd_; }
  // Bytes held in this process's memory.
  uint64_t memory() const { return spooled() ? 0 : size_; }

  // Hands `span` to `sink` in chunks; spans that lie inside a spooled
  // content are read from the file instead of through the map, so sweeping
  // a 1 GB entry does not make it resident.
  Status ForEachChunk(ByteSpan span, const ChunkSink& sink) const;
  // The same for the whole content; the spool file's holes come from a
  // shared zero block without reading.
  Status ForEachChunk(const ChunkSink& sink) const;

 private:
  EntryContent(std::unique_ptr<uint8_t[]> buffer, uint64_t size);
  explicit EntryContent(int fd) : fd_(fd) {}
  // Not a Bytes: that would zero every byte before the data overwrites it.
  std::unique_ptr<uint8_t[]> buffer_;
  int fd_ = -1;
  const uint8_t* data_ = nullptr;  // buffer_, the map, or null
  uint64_t size_ = 0;
  bool elf_ = false;
};

}  // namespace digsig
