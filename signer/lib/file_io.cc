#include "signer/lib/file_io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "signer/lib/temp_file.h"

namespace digsig {
namespace {

// Inputs are opened with O_NONBLOCK so that a FIFO or device among them is
// refused by the S_ISREG check instead of blocking the open; the flag has no
// effect on regular files.

Error IoError(const std::string& what, const std::string& path) {
  return Error(ErrorCode::kIo, what + " " + path + ": " + std::strerror(errno));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// DIGSIG_TEMP_FILES=named forces the hidden-name fallback, so tests can
// exercise it on file systems that have unnamed files.
TempFileKind TempFileKindFromEnvironment() {
  const char* kind = std::getenv("DIGSIG_TEMP_FILES");
  return kind != nullptr && std::string_view(kind) == "named" ? TempFileKind::kNamed
                                                              : TempFileKind::kAuto;
}

constexpr size_t kChunkSize = 256 * 1024;  // fits in L2 next to the hash state

Status WriteAll(int fd, ByteSpan data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write", path);
    }
    data = data.subspan(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status CopyXattrs(const std::string& from, int to_fd, const std::string& to_path) {
  ssize_t list_len = llistxattr(from.c_str(), nullptr, 0);
  if (list_len < 0) {
    if (errno == ENOTSUP) return Status::Ok();
    return IoError("cannot list extended attributes of", from);
  }
  std::string names(static_cast<size_t>(list_len), '\0');
  list_len = llistxattr(from.c_str(), names.data(), names.size());
  if (list_len < 0) return IoError("cannot list extended attributes of", from);
  names.resize(static_cast<size_t>(list_len));
  for (size_t pos = 0; pos < names.size();) {
    std::string name(names.c_str() + pos);
    pos += name.size() + 1;
    if (name.empty() || IsContentBoundXattr(name)) continue;
    ssize_t vlen = lgetxattr(from.c_str(), name.c_str(), nullptr, 0);
    if (vlen < 0) return IoError("cannot read attribute " + name + " of", from);
    Bytes value(static_cast<size_t>(vlen));
    vlen = lgetxattr(from.c_str(), name.c_str(), value.data(), value.size());
    if (vlen < 0) return IoError("cannot read attribute " + name + " of", from);
    if (fsetxattr(to_fd, name.c_str(), value.data(), static_cast<size_t>(vlen), 0) != 0)
      return IoError("cannot set attribute " + name + " on", to_path);
  }
  return Status::Ok();
}

}  // namespace

bool IsContentBoundXattr(std::string_view name) {
  return name == "security.ima" || name == "security.evm";
}

Result<Bytes> ReadWholeFile(const std::string& path, size_t max_size) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return IoError("cannot open", path);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return IoError("cannot stat", path);
  if (!S_ISREG(st.st_mode)) return Error(ErrorCode::kIo, path + ": not a regular file");
  if (static_cast<uint64_t>(st.st_size) > max_size)
    return Error(ErrorCode::kIo, path + ": larger than " + std::to_string(max_size) + " bytes");
  Bytes out(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = read(fd.get(), out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("cannot read", path);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

Result<MappedFile> MappedFile::Open(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return IoError("cannot open", path);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return IoError("cannot stat", path);
  if (!S_ISREG(st.st_mode)) return Error(ErrorCode::kIo, path + ": not a regular file");
  if (st.st_size == 0) return MappedFile(fd.release(), nullptr, 0, st);
  // The map serves the parsers, which touch only headers and tables; bulk
  // reads go through ForEachChunk.
  void* p = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (p == MAP_FAILED) return IoError("cannot map", path);
  return MappedFile(fd.release(), static_cast<const uint8_t*>(p), static_cast<size_t>(st.st_size),
                    st);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      st_(other.st_) {}

MappedFile::~MappedFile() {
  if (data_ != nullptr) munmap(const_cast<uint8_t*>(data_), size_);
  if (fd_ >= 0) close(fd_);
}

Status ForEachChunk(int fd, uint64_t offset, uint64_t length, const ChunkSink& sink) {
  Bytes buffer(static_cast<size_t>(std::min<uint64_t>(length, kChunkSize)));
  while (length > 0) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(length, buffer.size()));
    ssize_t n = pread(fd, buffer.data(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(ErrorCode::kIo, std::string("read failed: ") + std::strerror(errno));
    if (n == 0) return Error(ErrorCode::kIo, "file shrank while being read");
    DIGSIG_RETURN_IF_ERROR(sink(ByteSpan(buffer.data(), static_cast<size_t>(n))));
    offset += static_cast<uint64_t>(n);
    length -= static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Status OutputFile::Write(ByteSpan data) { return WriteAll(fd_, data, path_); }

Status WriteFileAtomically(const std::string& path, const std::vector<ByteSpan>& pieces,
                           const PreserveMetadata& preserve) {
  return WriteFileAtomically(path, preserve, [&](OutputFile& out) -> Status {
    for (ByteSpan piece : pieces) DIGSIG_RETURN_IF_ERROR(out.Write(piece));
    return Status::Ok();
  });
}

Status WriteFileAtomically(const std::string& path, const PreserveMetadata& preserve,
                           const std::function<Status(OutputFile&)>& produce) {
  auto tmp = TempFile::Create(path, TempFileKindFromEnvironment());
  if (!tmp) return tmp.error();
  const int fd = tmp->fd();
  const std::string name = tmp->Describe();
  // On any failure `tmp` goes without Commit: nothing of it stays.
  OutputFile out(fd, name);
  DIGSIG_RETURN_IF_ERROR(produce(out));
  mode_t mode = preserve.from ? (preserve.from->st_mode & 07777) : 0644;
  // A copy owned by someone else must not inherit setuid/setgid: signing a
  // setuid-nobody file as root would otherwise make a setuid-root one.
  if (preserve.from && !preserve.owner) {
    if (preserve.from->st_uid != geteuid()) mode &= ~static_cast<mode_t>(S_ISUID);
    if (preserve.from->st_gid != getegid()) mode &= ~static_cast<mode_t>(S_ISGID);
  }
  if (preserve.owner && preserve.from &&
      fchown(fd, preserve.from->st_uid, preserve.from->st_gid) != 0)
    return IoError("cannot set owner of", name);
  // chmod after chown: chown clears setuid/setgid bits.
  if (fchmod(fd, mode) != 0) return IoError("cannot set mode of", name);
  if (!preserve.xattrs_from.empty())
    DIGSIG_RETURN_IF_ERROR(CopyXattrs(preserve.xattrs_from, fd, name));
  if (fsync(fd) != 0) return IoError("cannot fsync", name);
  return tmp->Commit();
}

}  // namespace digsig
