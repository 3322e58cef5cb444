#include "signer/lib/tar_signing.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>

#include "signer/lib/elf_image.h"
#include "signer/lib/elf_signature.h"
#include "signer/lib/file_io.h"
#include "signer/lib/ima_signature.h"
#include "signer/lib/module_signature.h"

namespace digsig {
namespace {

// A libarchive handle with its matching free function.
using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

constexpr size_t kReadBlock = 64 * 1024;

Error ArchiveError(archive* a, const std::string& where) {
  const char* msg = archive_error_string(a);
  return Error(ErrorCode::kMalformed, where + ": " + (msg ? msg : "archive error"));
}

// Where an entry is, for error messages: its name and header offset.
std::string EntryWhere(archive* in, archive_entry* entry, uint64_t index) {
  const char* name = archive_entry_pathname(entry);
  return "entry " + std::to_string(index) + " '" + (name ? name : "?") + "' at offset " +
         std::to_string(archive_read_header_position(in));
}

// libarchive's write callback into our output (atomic file or stdout).
struct Sink {
  std::function<Status(ByteSpan)> write;
  std::optional<Error> error;
};

la_ssize_t WriteCallback(archive*, void* data, const void* buf, size_t len) {
  auto* sink = static_cast<Sink*>(data);
  Status st = sink->write(ByteSpan(static_cast<const uint8_t*>(buf), len));
  if (!st) {
    sink->error = st.error();
    return -1;
  }
  return static_cast<la_ssize_t>(len);
}

class TarSigner {
 public:
  TarSigner(const SigningKey& key, const TarSignOptions& options) : key_(key), options_(options) {}

  Result<TarSignReport> Run(archive* in, Sink& sink) {
    archive_entry* entry = nullptr;
    for (uint64_t index = 0;; ++index) {
      int r = archive_read_next_header(in, &entry);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) return ArchiveError(in, "reading entry " + std::to_string(index));
      if (!out_) DIGSIG_RETURN_IF_ERROR(OpenWriter(in, sink));
      ++report_.entries;
      Status st = CopyEntry(in, entry);
      if (!st) return st.error().Wrap(EntryWhere(in, entry, index));
    }
    if (!out_) DIGSIG_RETURN_IF_ERROR(OpenWriter(in, sink));  // an empty archive
    if (archive_write_close(out_.get()) != ARCHIVE_OK) {
      if (sink.error) return *sink.error;
      return ArchiveError(out_.get(), "finishing the archive");
    }
    return report_;
  }

 private:
  // Same format and compression as the input, decided by its first header.
  Status OpenWriter(archive* in, Sink& sink) {
    out_ = ArchivePtr(archive_write_new(), archive_write_free);
    const int format = options_.ima ? ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE : archive_format(in);
    if (archive_write_set_format(out_.get(), format) != ARCHIVE_OK)
      return ArchiveError(out_.get(), "output format");
    const int filter = archive_filter_code(in, 0);
    if (filter != ARCHIVE_FILTER_NONE && archive_write_add_filter(out_.get(), filter) != ARCHIVE_OK)
      return ArchiveError(out_.get(), "output compression");
    // Reproducible output: no time stamp in gzip headers. Extended
    // attributes as SCHILY.xattr only, the keyword GNU tar reads.
    if (filter == ARCHIVE_FILTER_GZIP)
      archive_write_set_filter_option(out_.get(), "gzip", "timestamp", nullptr);
    archive_write_set_format_option(out_.get(), "pax", "xattrheader", "SCHILY");
    // Padding belongs inside the tar stream, not after the compressed one:
    // zstd, for one, refuses trailing zeros.
    if (filter != ARCHIVE_FILTER_NONE) archive_write_set_bytes_in_last_block(out_.get(), 1);
    if (archive_write_open(out_.get(), &sink, nullptr, WriteCallback, nullptr) != ARCHIVE_OK)
      return ArchiveError(out_.get(), "opening output");
    return Status::Ok();
  }

  Status CopyEntry(archive* in, archive_entry* entry) {
    const void* block = nullptr;
    size_t len = 0;
    la_int64_t offset = 0;
    const bool regular = archive_entry_filetype(entry) == AE_IFREG &&
                         archive_entry_hardlink(entry) == nullptr && archive_entry_size(entry) > 0;
    if (!regular) return CopyThrough(in, entry, nullptr, 0, 0);
    int r = archive_read_data_block(in, &block, &len, &offset);
    if (r == ARCHIVE_EOF) return CopyThrough(in, entry, nullptr, 0, 0);
    if (r < ARCHIVE_WARN) return ArchiveError(in, "reading data");
    ByteSpan first(static_cast<const uint8_t*>(block), len);
    const bool elf = offset == 0 && HasElfMagic(first);
    if (!elf && !(options_.ima && options_.ima_all_files))
      return CopyThrough(in, entry, block, len, offset);
    auto data = ReadAll(in, entry, first, offset);
    if (!data) return data.error();
    if (!elf) return WriteEntry(entry, {*data});
    return SignElfEntry(entry, *data);
  }

  // Header and data as they are. Holes of sparse entries are written as
  // zeros: the content is kept, the sparseness is not (yet).
  Status CopyThrough(archive* in, archive_entry* entry, const void* block, size_t len,
                     la_int64_t offset) {
    if (archive_write_header(out_.get(), entry) < ARCHIVE_WARN)
      return ArchiveError(out_.get(), "writing header");
    la_int64_t written = 0;
    while (block != nullptr) {
      if (offset < written) return Error(ErrorCode::kMalformed, "overlapping data blocks");
      DIGSIG_RETURN_IF_ERROR(WriteZeros(static_cast<uint64_t>(offset - written)));
      if (len > 0 && archive_write_data(out_.get(), block, len) < 0)
        return ArchiveError(out_.get(), "writing data");
      written = offset + static_cast<la_int64_t>(len);
      int r = archive_read_data_block(in, &block, &len, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) return ArchiveError(in, "reading data");
    }
    return Status::Ok();
  }

  Status WriteZeros(uint64_t count) {
    static const uint8_t kZeros[kReadBlock] = {};
    while (count > 0) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(count, sizeof(kZeros)));
      if (archive_write_data(out_.get(), kZeros, n) < 0)
        return ArchiveError(out_.get(), "writing data");
      count -= n;
    }
    return Status::Ok();
  }

  // The whole payload in memory: signing needs it before the header (which
  // holds the new size and the IMA xattr) is written.
  Result<Bytes> ReadAll(archive* in, archive_entry* entry, ByteSpan first, la_int64_t first_at) {
    const auto size = static_cast<uint64_t>(archive_entry_size(entry));
    if (size > options_.max_elf_entry)
      return Error(ErrorCode::kUnsupported,
                   "entry of " + std::to_string(size) + " bytes exceeds the in-memory limit");
    Bytes data(static_cast<size_t>(size), 0);
    const void* block = first.data();
    size_t len = first.size();
    la_int64_t offset = first_at;
    for (;;) {
      if (offset < 0 || static_cast<uint64_t>(offset) > size || len > size - offset)
        return Error(ErrorCode::kMalformed, "data block outside the entry's size");
      if (len > 0) std::memcpy(data.data() + offset, block, len);
      int r = archive_read_data_block(in, &block, &len, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) return ArchiveError(in, "reading data");
    }
    return data;
  }

  // Writes header and payload pieces, with a fresh security.ima when asked.
  Status WriteEntry(archive_entry* entry, const std::vector<ByteSpan>& pieces) {
    uint64_t total = 0;
    for (ByteSpan p : pieces) total += p.size();
    archive_entry_set_size(entry, static_cast<la_int64_t>(total));
    if (options_.ima) {
      auto xattr = MakeImaSignature(pieces, key_, options_.hash);
      if (!xattr) return xattr.error();
      ReplaceImaXattr(entry, *xattr);
      ++report_.ima_signatures;
    }
    if (archive_write_header(out_.get(), entry) < ARCHIVE_WARN)
      return ArchiveError(out_.get(), "writing header");
    for (ByteSpan p : pieces)
      if (!p.empty() && archive_write_data(out_.get(), p.data(), p.size()) < 0)
        return ArchiveError(out_.get(), "writing data");
    return Status::Ok();
  }

  // Keeps every other attribute; drops the old security.ima and security.evm,
  // which describe content that no longer exists.
  static void ReplaceImaXattr(archive_entry* entry, const Bytes& value) {
    std::vector<std::pair<std::string, Bytes>> keep;
    archive_entry_xattr_reset(entry);
    const char* name = nullptr;
    const void* v = nullptr;
    size_t len = 0;
    while (archive_entry_xattr_next(entry, &name, &v, &len) == ARCHIVE_OK) {
      std::string n(name);
      if (n == kImaXattrName || n == "security.evm") continue;
      const auto* b = static_cast<const uint8_t*>(v);
      keep.emplace_back(n, Bytes(b, b + len));
    }
    archive_entry_xattr_clear(entry);
    for (const auto& [n, bytes] : keep)
      archive_entry_xattr_add_entry(entry, n.c_str(), bytes.data(), bytes.size());
    archive_entry_xattr_add_entry(entry, kImaXattrName, value.data(), value.size());
  }

  Status SignElfEntry(archive_entry* entry, const Bytes& data) {
    auto img = ParseElf(data);
    if (!img) return img.error();
    std::vector<ByteSpan> pieces;
    SignedElf signed_elf;
    SignedModule signed_module;
    if (IsKernelModule(*img)) {
      auto m = SignModule(data, key_, options_.hash);
      if (!m) return m.error();
      signed_module = std::move(*m);
      pieces = signed_module.Pieces();
      ++report_.signed_modules;
    } else {
      auto s = SignElf(data, key_, options_.hash);
      if (!s) return s.error();
      signed_elf = std::move(*s);
      pieces = signed_elf.Pieces();
      ++report_.signed_elf;
    }
    return WriteEntry(entry, pieces);
  }

  const SigningKey& key_;
  const TarSignOptions& options_;
  ArchivePtr out_{nullptr, archive_write_free};
  TarSignReport report_;
};

Result<TarSignReport> SignToSink(const std::string& input, const SigningKey& key,
                                 const TarSignOptions& options, Sink& sink) {
  ArchivePtr in(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(in.get());
  archive_read_support_format_tar(in.get());
  const char* path = input == "-" ? nullptr : input.c_str();
  if (archive_read_open_filename(in.get(), path, kReadBlock) != ARCHIVE_OK)
    return ArchiveError(in.get(), "opening " + input);
  TarSigner signer(key, options);
  return signer.Run(in.get(), sink);
}

}  // namespace

Result<TarSignReport> SignTar(const std::string& input, const std::string& output,
                              const SigningKey& key, const TarSignOptions& options) {
  if (output == "-") {
    Sink sink{[](ByteSpan b) -> Status {
                OutputFile out(STDOUT_FILENO, "standard output");
                return out.Write(b);
              },
              std::nullopt};
    return SignToSink(input, key, options, sink);
  }
  std::optional<Result<TarSignReport>> result;
  struct stat mode {};
  mode.st_mode = 0644;
  Status st = WriteFileAtomically(output, {&mode, false, ""}, [&](OutputFile& out) -> Status {
    Sink sink{[&out](ByteSpan b) { return out.Write(b); }, std::nullopt};
    result = SignToSink(input, key, options, sink);
    if (!*result) return result->error();
    return Status::Ok();
  });
  if (!st) return st.error();
  return std::move(*result);
}

}  // namespace digsig
