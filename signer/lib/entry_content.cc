#include "signer/lib/entry_content.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "signer/lib/elf_image.h"
#include "signer/lib/tar_archive.h"

namespace digsig {
namespace {

constexpr size_t kChunk = 256 * 1024;

Error SpoolError(const std::string& what) {
  return Error(ErrorCode::kIo, what + ": " + std::strerror(errno));
}

std::string SpoolDirectory(const SpoolPolicy& policy) {
  if (!policy.directory.empty()) return policy.directory;
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

// An anonymous file: nothing to clean up if the process dies.
Result<int> OpenSpoolFile(const std::string& dir) {
  int fd = open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  std::string path = dir + "/digsig-spool.XXXXXX";  // file systems without O_TMPFILE
  fd = mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) return SpoolError("cannot create a spool file in " + dir);
  unlink(path.c_str());
  return fd;
}

Status PwriteAll(int fd, const uint8_t* data, size_t len, uint64_t offset) {
  while (len > 0) {
    ssize_t n = pwrite(fd, data, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SpoolError("cannot write the spool file");
    data += n;
    len -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

// Calls put(offset, block) for each data block of the current entry, after
// checking that it lies inside the entry's declared size and after the
// previous one (libarchive hands sparse entries' blocks in order), and
// hole(offset, length) for each gap, the last one up to `size` included.
template <typename Put, typename Hole>
Status ForEachDataBlock(archive* in, uint64_t size, Put put, Hole hole) {
  uint64_t end = 0;  // of the data so far
  for (;;) {
    const void* block = nullptr;
    size_t len = 0;
    la_int64_t offset = 0;
    int r = archive_read_data_block(in, &block, &len, &offset);
    if (r == ARCHIVE_EOF) break;
    if (!ArchiveSucceeded(r)) return ArchiveError(in, "reading data");
    if (offset < 0 || static_cast<uint64_t>(offset) > size || len > size - offset)
      return Error(ErrorCode::kMalformed, "data block outside the entry's size");
    const auto at = static_cast<uint64_t>(offset);
    if (at < end) return Error(ErrorCode::kMalformed, "data blocks out of order");
    if (at > end) hole(end, at - end);
    DIGSIG_RETURN_IF_ERROR(put(at, static_cast<const uint8_t*>(block), len));
    end = at + len;
  }
  if (end < size) hole(end, size - end);
  return Status::Ok();
}

// Zeros for the holes of spooled content, so they are never read.
const uint8_t* ZeroBlock() {
  static const uint8_t kZeros[kChunk] = {};
  return kZeros;
}

// [offset, offset + length) of the spool file in chunks: data with pread,
// holes (SEEK_HOLE) as zeros.
Status ForEachSpoolChunk(int fd, uint64_t offset, uint64_t length, const ChunkSink& sink) {
  const uint64_t end = offset + length;
  while (offset < end) {
    off_t data = lseek(fd, static_cast<off_t>(offset), SEEK_DATA);
    if (data < 0 && errno != ENXIO) return SpoolError("cannot read the spool file");
    const uint64_t data_at = data < 0 ? end : std::min<uint64_t>(static_cast<uint64_t>(data), end);
    for (; offset < data_at; offset += std::min<uint64_t>(kChunk, data_at - offset))
      DIGSIG_RETURN_IF_ERROR(
          sink(ByteSpan(ZeroBlock(), std::min<uint64_t>(kChunk, data_at - offset))));
    if (offset >= end) break;
    off_t hole = lseek(fd, static_cast<off_t>(offset), SEEK_HOLE);
    if (hole < 0) return SpoolError("cannot read the spool file");
    const uint64_t hole_at = std::min<uint64_t>(static_cast<uint64_t>(hole), end);
    DIGSIG_RETURN_IF_ERROR(digsig::ForEachChunk(fd, offset, hole_at - offset, sink));
    offset = hole_at;
  }
  return Status::Ok();
}

}  // namespace

EntryContent::EntryContent(std::unique_ptr<uint8_t[]> buffer, uint64_t size)
    : buffer_(std::move(buffer)), data_(buffer_.get()), size_(size) {}

EntryContent::EntryContent(EntryContent&& other) noexcept
    : buffer_(std::move(other.buffer_)),
      fd_(std::exchange(other.fd_, -1)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      elf_(other.elf_) {
  if (fd_ < 0) data_ = buffer_.get();
}

EntryContent::~EntryContent() {
  if (fd_ >= 0) {
    if (data_ != nullptr && size_ > 0) munmap(const_cast<uint8_t*>(data_), size_);
    close(fd_);
  }
}

Result<EntryContent> EntryContent::Read(archive* in, uint64_t size, const SpoolPolicy& policy) {
  if (size > policy.max_size)
    return Error(ErrorCode::kTooLarge, "entry of " + std::to_string(size) +
                                           " bytes is larger than the limit of " +
                                           std::to_string(policy.max_size));
  if (size <= policy.memory_limit) {
    auto buffer = std::make_unique_for_overwrite<uint8_t[]>(static_cast<size_t>(size));
    DIGSIG_RETURN_IF_ERROR(ForEachDataBlock(
        in, size,
        [&](uint64_t offset, const uint8_t* block, size_t len) {
          std::memcpy(buffer.get() + offset, block, len);
          return Status::Ok();
        },
        [&](uint64_t offset, uint64_t len) { std::memset(buffer.get() + offset, 0, len); }));
    EntryContent content(std::move(buffer), size);
    content.elf_ = HasElfMagic(content.bytes());
    return content;
  }
  auto fd = OpenSpoolFile(SpoolDirectory(policy));
  if (!fd) return fd.error();
  EntryContent content(*fd);  // owns the descriptor from here on
  // Holes stay holes in the spool file; ftruncate sets the final size.
  DIGSIG_RETURN_IF_ERROR(ForEachDataBlock(
      in, size,
      [&](uint64_t offset, const uint8_t* block, size_t len) {
        return PwriteAll(*fd, block, len, offset);
      },
      [](uint64_t, uint64_t) {}));
  if (ftruncate(*fd, static_cast<off_t>(size)) != 0)
    return SpoolError("cannot size the spool file");
  content.size_ = size;
  uint8_t magic[4] = {};
  if (pread(*fd, magic, sizeof(magic), 0) == sizeof(magic)) content.elf_ = HasElfMagic(magic);
  if (!content.elf_) return content;
  void* map = mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_SHARED, *fd, 0);
  if (map == MAP_FAILED) return SpoolError("cannot map the spool file");
  content.data_ = static_cast<const uint8_t*>(map);
  return content;
}

Status EntryContent::ForEachChunk(const ChunkSink& sink) const {
  if (spooled()) return ForEachSpoolChunk(fd_, 0, size_, sink);
  return ForEachChunk(bytes(), sink);
}

Status EntryContent::ForEachChunk(ByteSpan span, const ChunkSink& sink) const {
  const bool inside = spooled() && data_ != nullptr && span.data() >= data_ &&
                      span.data() + span.size() <= data_ + size_;
  if (inside)
    return ForEachSpoolChunk(fd_, static_cast<uint64_t>(span.data() - data_), span.size(), sink);
  for (size_t at = 0; at < span.size(); at += kChunk)
    DIGSIG_RETURN_IF_ERROR(sink(span.subspan(at, std::min(kChunk, span.size() - at))));
  return Status::Ok();
}

}  // namespace digsig
