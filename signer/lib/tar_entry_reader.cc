#include "signer/lib/tar_entry_reader.h"

#include <algorithm>

namespace digsig {

Result<std::unique_ptr<ArchiveItem>> TarEntryReader::Next() {
  archive_entry* entry = nullptr;
  const int r = archive_read_next_header(in_, &entry);
  if (r == ARCHIVE_EOF) return std::unique_ptr<ArchiveItem>();
  // The offset of the header just read, or of the damaged one.
  const int64_t header_offset = archive_read_header_position(in_);
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
