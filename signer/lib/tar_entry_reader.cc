#include "signer/lib/tar_entry_reader.h"

#include <algorithm>

namespace digsig {

Result<std::unique_ptr<ArchiveItem>> TarEntryReader::Next() {
  // Where the next header starts: past the previous entry's padding, which
  // skipping its (already read) data consumes. Taken before the header is
  // read because after a fatal error libarchive answers
  // archive_read_header_position with ARCHIVE_FATAL (-30), not an offset;
  // archive_filter_bytes (uncompressed position) answers in any state.
  if (index_ > 0 && archive_read_data_skip(in_) != ARCHIVE_OK)
    return ArchiveError(in_, "after entry " + std::to_string(index_ - 1));
  const int64_t header_offset = archive_filter_bytes(in_, 0);
  archive_entry* entry = nullptr;
  const int r = archive_read_next_header(in_, &entry);
  if (r == ARCHIVE_EOF) return std::unique_ptr<ArchiveItem>();
  if (!ArchiveSucceeded(r))
    return ArchiveError(
        in_, "entry " + std::to_string(index_) + " at offset " + std::to_string(header_offset));
  if (index_ == 0) first_format_ = archive_format(in_);
  auto item = std::make_unique<ArchiveItem>();
  item->index = index_++;
  item->header_offset = header_offset;
  item->entry.reset(archive_entry_clone(entry));
  if (!item->entry) return Error(ErrorCode::kIo, "out of memory");
  const bool regular =
      archive_entry_filetype(entry) == AE_IFREG && archive_entry_hardlink(entry) == nullptr;
  if (!regular) return item;
  const auto size = static_cast<uint64_t>(std::max<la_int64_t>(0, archive_entry_size(entry)));
  auto content = EntryContent::Read(in_, size, spool_);
  if (!content) return content.error().Wrap(item->Where());
  if (content->spooled()) ++spooled_;
  item->content.emplace(std::move(*content));
  return item;
}

}  // namespace digsig
