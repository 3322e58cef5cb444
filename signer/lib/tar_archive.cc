#include "signer/lib/tar_archive.h"

#include <cstring>
#include <string_view>

namespace digsig {
namespace {

constexpr size_t kReadBlock = 64 * 1024;

la_ssize_t WriteCallback(archive*, void* data, const void* buf, size_t len) {
  auto* sink = static_cast<ArchiveSink*>(data);
  Status st = sink->write(ByteSpan(static_cast<const uint8_t*>(buf), len));
  if (!st) {
    sink->error = st.error();
    return -1;
  }
  return static_cast<la_ssize_t>(len);
}

}  // namespace

Utf8LocaleScope::Utf8LocaleScope() : utf8_(newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr)) {
  // Without C.UTF-8 (an old C library) names still go through, as binary.
  if (utf8_ != nullptr) previous_ = uselocale(utf8_);
}

Utf8LocaleScope::~Utf8LocaleScope() {
  if (utf8_ == nullptr) return;
  uselocale(previous_);
  freelocale(utf8_);
}

Error ArchiveError(archive* a, const std::string& where) {
  const char* msg = archive_error_string(a);
  return Error(ErrorCode::kMalformed, where + ": " + (msg ? msg : "archive error"));
}

std::string EntryWhere(uint64_t index, archive_entry* entry, int64_t header_offset) {
  const char* name = entry ? archive_entry_pathname(entry) : nullptr;
  return "entry " + std::to_string(index) + " '" + (name ? name : "?") + "' at offset " +
         std::to_string(header_offset);
}

Result<ArchivePtr> OpenTarReader(const std::string& input) {
  ArchivePtr in(archive_read_new(), archive_read_free);
  if (!in) return Error(ErrorCode::kIo, "out of memory");
  archive_read_support_filter_all(in.get());
  archive_read_support_format_tar(in.get());
  const char* path = input == "-" ? nullptr : input.c_str();
  if (archive_read_open_filename(in.get(), path, kReadBlock) != ARCHIVE_OK)
    return ArchiveError(in.get(), "opening " + input);
  return in;
}

Result<ArchivePtr> OpenTarWriter(ArchiveSink& sink, int format, int filter) {
  ArchivePtr out(archive_write_new(), archive_write_free);
  if (!out) return Error(ErrorCode::kIo, "out of memory");
  if (archive_write_set_format(out.get(), format) != ARCHIVE_OK)
    return ArchiveError(out.get(), "output format");
  if (filter != ARCHIVE_FILTER_NONE && archive_write_add_filter(out.get(), filter) != ARCHIVE_OK)
    return ArchiveError(out.get(), "output compression");
  // Reproducible output: no time stamp in gzip headers. Extended attributes
  // as SCHILY.xattr only, the keyword GNU tar reads.
  if (filter == ARCHIVE_FILTER_GZIP)
    archive_write_set_filter_option(out.get(), "gzip", "timestamp", nullptr);
  archive_write_set_format_option(out.get(), "pax", "xattrheader", "SCHILY");
  // Output goes out in ~1 MB writes (libarchive's default, 10 KiB, costs a
  // system call per 10 KiB), while the end is padded like GNU tar's, to a
  // 10 KiB record: libarchive pads the last write, so the write size is a
  // multiple of the record. Padding belongs inside the tar stream, not after
  // the compressed one: zstd, for one, refuses trailing zeros.
  constexpr int kRecord = 10240;
  archive_write_set_bytes_per_block(out.get(), 100 * kRecord);
  archive_write_set_bytes_in_last_block(out.get(), filter == ARCHIVE_FILTER_NONE ? kRecord : 1);
  if (archive_write_open(out.get(), &sink, nullptr, WriteCallback, nullptr) != ARCHIVE_OK)
    return ArchiveError(out.get(), "opening output");
  return out;
}

Xattrs EntryXattrs(archive_entry* entry) {
  Xattrs out;
  archive_entry_xattr_reset(entry);
  const char* name = nullptr;
  const void* value = nullptr;
  size_t len = 0;
  while (archive_entry_xattr_next(entry, &name, &value, &len) == ARCHIVE_OK) {
    const auto* v = static_cast<const uint8_t*>(value);
    out.emplace_back(name, Bytes(v, v + len));
  }
  return out;
}

std::optional<Bytes> EntryXattr(archive_entry* entry, const char* name) {
  for (auto& [n, value] : EntryXattrs(entry))
    if (n == name) return std::move(value);
  return std::nullopt;
}

bool IsManifestEntry(const char* pathname) {
  if (pathname == nullptr) return false;
  std::string_view p(pathname);
  while (p.substr(0, 2) == "./") p.remove_prefix(2);
  return p == kManifestPath || p == kManifestSignaturePath;
}

}  // namespace digsig
