#include "signer/lib/tar_signing.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "signer/lib/entry_signing.h"
#include "signer/lib/file_io.h"
#include "signer/lib/ima_signature.h"
#include "signer/lib/ordered_work.h"
#include "signer/lib/parallel.h"
#include "signer/lib/tar_archive.h"
#include "signer/lib/tar_entry_reader.h"
#include "signer/lib/tar_manifest.h"

namespace digsig {
namespace {

// One entry on its way from the input to the output.
struct PendingEntry {
  std::unique_ptr<ArchiveItem> item;
  std::optional<Bytes> input_ima;  // read on the reading thread
  Result<SignedEntry> signed_entry = Error(ErrorCode::kInvalidArgument, "not processed");
};

// Keeps every other attribute; drops the old security.ima and security.evm,
// which describe content that no longer exists, and adds `value` as the new
// security.ima unless it is empty.
void ReplaceImaXattr(archive_entry* entry, const Bytes& value) {
  Xattrs keep = EntryXattrs(entry);
  std::erase_if(keep, [](const auto& attr) { return IsContentBoundXattr(attr.first); });
  archive_entry_xattr_clear(entry);
  for (const auto& [n, bytes] : keep)
    archive_entry_xattr_add_entry(entry, n.c_str(), bytes.data(), bytes.size());
  if (!value.empty())
    archive_entry_xattr_add_entry(entry, kImaXattrName, value.data(), value.size());
}

// A signed entry's holes: the input's holes wherever a piece of the new
// content is an unchanged range of the input, so a sparse file signed stays
// sparse. Pieces that are new bytes (headers, signatures) are data.
void RemapSparseMap(archive_entry* entry, const EntryContent& content,
                    const std::vector<ByteSpan>& pieces) {
  std::vector<std::pair<int64_t, int64_t>> input_data;  // offset, length
  if (archive_entry_sparse_reset(entry) == 0) return;   // not sparse
  la_int64_t offset = 0, length = 0;
  while (archive_entry_sparse_next(entry, &offset, &length) == ARCHIVE_OK)
    input_data.emplace_back(offset, length);
  std::vector<std::pair<int64_t, int64_t>> output_data;
  auto add = [&output_data](int64_t at, int64_t len) {
    if (len <= 0) return;
    if (!output_data.empty() && output_data.back().first + output_data.back().second == at)
      output_data.back().second += len;
    else
      output_data.emplace_back(at, len);
  };
  const ByteSpan whole = content.bytes();
  int64_t out = 0;
  for (ByteSpan piece : pieces) {
    const auto len = static_cast<int64_t>(piece.size());
    const bool from_input = !piece.empty() && piece.data() >= whole.data() &&
                            piece.data() + piece.size() <= whole.data() + whole.size();
    if (!from_input) {
      add(out, len);
    } else {
      const int64_t src = piece.data() - whole.data();
      for (const auto& [start, size] : input_data) {
        const int64_t lo = std::max(start, src), hi = std::min(start + size, src + len);
        if (lo < hi) add(out + (lo - src), hi - lo);
      }
    }
    out += len;
  }
  archive_entry_sparse_clear(entry);
  for (const auto& [at, len] : output_data) archive_entry_sparse_add_entry(entry, at, len);
}

// The bytes of a sparse entry that are holes (0 for other entries).
uint64_t HoleBytes(archive_entry* entry) {
  if (archive_entry_sparse_reset(entry) == 0) return 0;
  uint64_t data = 0;
  la_int64_t offset = 0, length = 0;
  while (archive_entry_sparse_next(entry, &offset, &length) == ARCHIVE_OK)
    data += static_cast<uint64_t>(std::max<la_int64_t>(0, length));
  const auto size = static_cast<uint64_t>(std::max<la_int64_t>(0, archive_entry_size(entry)));
  return size > data ? size - data : 0;
}

class TarSigner {
 public:
  TarSigner(archive* in, const SigningKey& key, const TarSignOptions& options, ArchiveSink& sink)
      : in_(in), reader_(in, options.spool), key_(key), options_(options), sink_(sink) {
    entry_options_.hash = options.hash;
    entry_options_.ima_signed = options.ima || options.ima_all_files;
    entry_options_.ima_all = options.ima_all_files;
    manifest_.hash = options.hash;
  }

  Result<TarSignReport> Run() {
    OrderedWork<PendingEntry> work(
        options_.jobs ? options_.jobs : DefaultJobCount(), {},
        [this](PendingEntry& e) {
          e.signed_entry = SignEntryContent(*e.item->content, e.input_ima, key_, entry_options_);
        },
        [this](PendingEntry& e) { return Write(e); });
    for (;;) {
      auto item = reader_.Next();
      if (!item) return item.error();
      if (!*item) break;
      // A manifest from an earlier signing describes the old content.
      if ((*item)->is_manifest()) continue;
      ++report_.entries;
      auto pending = std::make_unique<PendingEntry>();
      pending->item = std::move(*item);
      const bool has_content = pending->item->content.has_value();
      if (has_content) DIGSIG_RETURN_IF_ERROR(CheckHolesFit(*pending->item));
      if (has_content) pending->input_ima = EntryXattr(pending->item->entry.get(), kImaXattrName);
      const uint64_t memory = has_content ? pending->item->content->memory() : 0;
      DIGSIG_RETURN_IF_ERROR(work.Submit(std::move(pending), memory, has_content));
    }
    report_.spooled = reader_.spooled();
    DIGSIG_RETURN_IF_ERROR(work.Finish());
    if (!out_) DIGSIG_RETURN_IF_ERROR(OpenWriter());  // an empty archive
    if (options_.manifest) DIGSIG_RETURN_IF_ERROR(WriteManifest());
    if (archive_write_close(out_.get()) != ARCHIVE_OK) {
      if (sink_.error) return *sink_.error;
      return ArchiveError(out_.get(), "finishing the archive");
    }
    return report_;
  }

 private:
  // The input's compression, and its format as its first header shows it:
  // GNU stays GNU and pax stays pax. A first header in plain ustar may be
  // followed by pax ones, so ustar is written as "restricted pax", which is
  // byte for byte ustar until an entry needs an extended header. Adding IMA
  // signatures needs pax, the only tar format with extended attributes.
  // Either can be overridden by the options.
  Result<int> OutputFormat() const {
    int format = reader_.first_format();
    if (format == 0 || format == ARCHIVE_FORMAT_TAR_USTAR)
      format = ARCHIVE_FORMAT_TAR_PAX_RESTRICTED;
    switch (options_.format) {
      case TarFormat::kAsInput: break;
      case TarFormat::kUstar: format = ARCHIVE_FORMAT_TAR_USTAR; break;
      case TarFormat::kGnu: format = ARCHIVE_FORMAT_TAR_GNUTAR; break;
      case TarFormat::kPax: format = ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE; break;
    }
    if (options_.ima || options_.ima_all_files) {
      if (options_.format != TarFormat::kAsInput && options_.format != TarFormat::kPax)
        return Error(ErrorCode::kInvalidArgument,
                     "IMA signatures are extended attributes, which only the pax format holds");
      format = ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE;
    }
    return format;
  }

  Status OpenWriter() {
    auto format = OutputFormat();
    if (!format) return format.error();
    int filter = archive_filter_code(in_, 0);
    switch (options_.compression) {
      case TarCompression::kAsInput: break;
      case TarCompression::kNone: filter = ARCHIVE_FILTER_NONE; break;
      case TarCompression::kGzip: filter = ARCHIVE_FILTER_GZIP; break;
      case TarCompression::kXz: filter = ARCHIVE_FILTER_XZ; break;
      case TarCompression::kZstd: filter = ARCHIVE_FILTER_ZSTD; break;
      case TarCompression::kBzip2: filter = ARCHIVE_FILTER_BZIP2; break;
    }
    auto out = OpenTarWriter(sink_, *format, filter);
    if (!out) return out.error();
    out_ = std::move(*out);
    return Status::Ok();
  }

  // Holes go to libarchive as zeros too: the pax writer drops those that
  // the entry's sparse map marks as holes.
  Status WriteContent(const EntryContent& content, const SignedEntry& signed_entry) {
    auto write = [this](ByteSpan chunk) -> Status {
      if (archive_write_data(out_.get(), chunk.data(), chunk.size()) < 0) {
        if (sink_.error) return *sink_.error;
        return ArchiveError(out_.get(), "writing data");
      }
      return Status::Ok();
    };
    if (signed_entry.signature == EntrySignature::kNone) return content.ForEachChunk(write);
    for (ByteSpan piece : signed_entry.pieces)
      DIGSIG_RETURN_IF_ERROR(content.ForEachChunk(piece, write));
    return Status::Ok();
  }

  // libarchive writes GNU tar without sparse entries, holes as data: a few
  // are tolerable, an output that grows by the apparent size is not. Checked
  // as the entry is read, before any work on it.
  Status CheckHolesFit(const ArchiveItem& item) const {
    // libarchive's own GNU sparse test archives fill ~100 MB: still fine.
    constexpr uint64_t kMaxFilledHoles = 1ull << 30;
    const uint64_t holes = HoleBytes(item.entry.get());
    if (holes <= kMaxFilledHoles) return Status::Ok();
    auto format = OutputFormat();
    if (!format || *format != ARCHIVE_FORMAT_TAR_GNUTAR) return Status::Ok();
    return Error(ErrorCode::kTooLarge,
                 "GNU tar output would store this sparse entry's " + std::to_string(holes) +
                     " bytes of holes as data; sign with --format pax, which keeps them")
        .Wrap(item.Where());
  }

  // Runs on the reading thread, in input order.
  Status Write(PendingEntry& e) {
    const ArchiveItem& item = *e.item;
    if (!out_) DIGSIG_RETURN_IF_ERROR(OpenWriter());
    archive_entry* entry = item.entry.get();
    const SignedEntry* signed_entry = nullptr;
    if (item.content) {
      if (!e.signed_entry) return e.signed_entry.error().Wrap(item.Where());
      signed_entry = &*e.signed_entry;
      archive_entry_set_size(entry, static_cast<la_int64_t>(signed_entry->size(*item.content)));
      // New content or a new IMA signature: the old IMA and EVM xattrs go
      // (EVM covers security.ima, and digsig makes no EVM signatures), and
      // the holes move with the bytes around them.
      const bool new_content = signed_entry->signature != EntrySignature::kNone;
      if (new_content || (!signed_entry->ima.empty() && signed_entry->ima != e.input_ima)) {
        if (EntryXattr(entry, kEvmXattrName)) ++report_.evm_dropped;
        ReplaceImaXattr(entry, signed_entry->ima);
      }
      if (new_content) RemapSparseMap(entry, *item.content, signed_entry->pieces);
      if (!signed_entry->ima.empty()) ++report_.ima_signatures;
      if (signed_entry->ima_replaced) ++report_.ima_replaced;
      if (signed_entry->signature == EntrySignature::kEmbedded) ++report_.signed_elf;
      if (signed_entry->signature == EntrySignature::kModule) ++report_.signed_modules;
    }
    if (!ArchiveSucceeded(archive_write_header(out_.get(), entry))) {
      if (sink_.error) return *sink_.error;
      return ArchiveError(out_.get(), "writing header").Wrap(item.Where());
    }
    if (signed_entry) {
      Status st = WriteContent(*item.content, *signed_entry);
      if (!st) return st.error().Wrap(item.Where());
    }
    if (manifest_.entries.empty()) {
      const char* first = archive_entry_pathname(entry);
      dot_slash_ = first != nullptr && std::string_view(first).starts_with("./");
    }
    auto described =
        DescribeEntry(entry, signed_entry ? signed_entry->content_digest : Bytes(), options_.hash);
    if (!described) return described.error().Wrap(item.Where());
    manifest_.entries.push_back(std::move(*described));
    latest_mtime_ = std::max<int64_t>(latest_mtime_, archive_entry_mtime(entry));
    return Status::Ok();
  }

  // The manifest and its signature as two read-only files owned by root,
  // dated like the newest entry so the output stays reproducible.
  Status WriteManifest() {
    const std::string text = SerializeManifest(manifest_);
    const ByteSpan text_bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    auto signature = key_.SignPkcs7(text_bytes, options_.hash);
    if (!signature) return signature.error().Wrap("signing the manifest");
    // Spelled like the archive's own paths, with or without "./".
    const std::string prefix = dot_slash_ ? "./" : "";
    DIGSIG_RETURN_IF_ERROR(WriteFileEntry(prefix + kManifestPath, text_bytes));
    return WriteFileEntry(prefix + kManifestSignaturePath, *signature);
  }

  Status WriteFileEntry(const std::string& path, ByteSpan data) {
    ArchiveEntryPtr entry(archive_entry_new());
    if (!entry) return Error(ErrorCode::kIo, "out of memory");
    archive_entry_set_pathname(entry.get(), path.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0444);
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    archive_entry_set_uname(entry.get(), "root");
    archive_entry_set_gname(entry.get(), "root");
    archive_entry_set_mtime(entry.get(), latest_mtime_, 0);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(data.size()));
    if (!ArchiveSucceeded(archive_write_header(out_.get(), entry.get())) ||
        archive_write_data(out_.get(), data.data(), data.size()) < 0) {
      if (sink_.error) return *sink_.error;
      return ArchiveError(out_.get(), "writing " + path);
    }
    return Status::Ok();
  }

  archive* const in_;
  TarEntryReader reader_;
  const SigningKey& key_;
  const TarSignOptions& options_;
  ArchiveSink& sink_;
  EntrySigningOptions entry_options_;
  ArchivePtr out_{nullptr, archive_write_free};
  Manifest manifest_;
  int64_t latest_mtime_ = 0;
  bool dot_slash_ = false;
  TarSignReport report_;
};

}  // namespace

std::optional<TarFormat> TarFormatFromName(const std::string& name) {
  if (name == "ustar") return TarFormat::kUstar;
  if (name == "gnu") return TarFormat::kGnu;
  if (name == "pax") return TarFormat::kPax;
  return std::nullopt;
}

std::optional<TarCompression> TarCompressionFromName(const std::string& name) {
  if (name == "none") return TarCompression::kNone;
  if (name == "gzip") return TarCompression::kGzip;
  if (name == "xz") return TarCompression::kXz;
  if (name == "zstd") return TarCompression::kZstd;
  if (name == "bzip2") return TarCompression::kBzip2;
  return std::nullopt;
}

Result<TarSignReport> SignTarTo(const std::string& input,
                                const std::function<Status(ByteSpan)>& write, const SigningKey& key,
                                const TarSignOptions& options) {
  // Reading and writing both happen on this thread.
  Utf8LocaleScope utf8;
  auto in = OpenTarReader(input);
  if (!in) return in.error();
  ArchiveSink sink{write, std::nullopt};
  TarSigner signer(in->get(), key, options, sink);
  return signer.Run();
}

Result<TarSignReport> SignTar(const std::string& input, const std::string& output,
                              const SigningKey& key, const TarSignOptions& options) {
  auto sign_to = [&](OutputFile& out) {
    return SignTarTo(
        input, [&out](ByteSpan b) { return out.Write(b); }, key, options);
  };
  if (output == "-") {
    OutputFile out(STDOUT_FILENO, "standard output");
    return sign_to(out);
  }
  std::optional<Result<TarSignReport>> result;
  struct stat mode {};
  mode.st_mode = 0644;
  Status st = WriteFileAtomically(output, {&mode, false, ""}, [&](OutputFile& out) -> Status {
    result = sign_to(out);
    if (!*result) return result->error();
    return Status::Ok();
  });
  if (!st) return st.error();
  return std::move(*result);
}

}  // namespace digsig
