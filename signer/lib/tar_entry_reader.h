// Reads a tar archive entry by entry, each with its header cloned and, for
// regular files, its data held (memory or spool file), so entries can be
// handed to other threads while reading goes on.
#pragma once

#include <archive.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "signer/lib/entry_content.h"
#include "signer/lib/result.h"
#include "signer/lib/tar_archive.h"

namespace digsig {

struct ArchiveItem {
  uint64_t index = 0;         // position in the archive, from 0
  int64_t header_offset = 0;  // of the header, in the uncompressed stream
  ArchiveEntryPtr entry;
  std::optional<EntryContent> content;  // regular files (hard links excluded)

  std::string Where() const { return EntryWhere(index, entry.get(), header_offset); }
  bool is_manifest() const { return IsManifestEntry(archive_entry_pathname(entry.get())); }
};

class TarEntryReader {
 public:
  TarEntryReader(archive* in, SpoolPolicy spool) : in_(in), spool_(std::move(spool)) {}

  // The next entry, or nullptr after the last. Errors name the entry.
  Result<std::unique_ptr<ArchiveItem>> Next();

  // libarchive's format code for the first header (0 before it).
  int first_format() const { return first_format_; }
  uint64_t spooled() const { return spooled_; }

 private:
  archive* in_;
  SpoolPolicy spool_;
  uint64_t index_ = 0;
  int first_format_ = 0;
  uint64_t spooled_ = 0;
};

}  // namespace digsig
