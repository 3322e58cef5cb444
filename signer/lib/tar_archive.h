// What reading and writing tar archives through libarchive has in common for
// sign-tar and verify-tar: handles, error messages that name the entry, and
// the reader that accepts every tar dialect and compression by content.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "signer/lib/byte_span.h"
#include "signer/lib/result.h"

namespace digsig {

// A libarchive handle with its matching free function.
using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

struct ArchiveEntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using ArchiveEntryPtr = std::unique_ptr<archive_entry, ArchiveEntryFree>;

// True for libarchive results that let the caller go on: ARCHIVE_OK and
// ARCHIVE_WARN (e.g. a name that cannot be shown in the locale). Everything
// else fails, ARCHIVE_RETRY included, which the tar reader returns for a
// damaged header it skipped.
inline bool ArchiveSucceeded(int r) { return r == ARCHIVE_OK || r == ARCHIVE_WARN; }

// libarchive's message for the last failure of `a`, after `where`.
Error ArchiveError(archive* a, const std::string& where);

// An entry for error messages: its index, name and header offset.
std::string EntryWhere(uint64_t index, archive_entry* entry, int64_t header_offset);

// For its lifetime, the calling thread's character type is UTF-8 (C.UTF-8),
// the charset of pax headers: libarchive converts names between the header's
// and the thread's charset, and in the C locale it cannot, so it would
// rewrite every non-ASCII pax path with "hdrcharset=BINARY" (which GNU tar
// warns about). uselocale is per thread: the process's locale is untouched.
class Utf8LocaleScope {
 public:
  Utf8LocaleScope();
  ~Utf8LocaleScope();
  Utf8LocaleScope(const Utf8LocaleScope&) = delete;
  Utf8LocaleScope& operator=(const Utf8LocaleScope&) = delete;

 private:
  locale_t utf8_;
  locale_t previous_ = nullptr;
};

// Opens `input` ("-" for stdin) for reading: ustar, GNU and pax tar,
// uncompressed or with any compression libarchive recognises by content.
Result<ArchivePtr> OpenTarReader(const std::string& input);

// Where a writer's bytes go: a callback that may fail, with the failure kept
// so the caller reports it instead of libarchive's generic message.
struct ArchiveSink {
  std::function<Status(ByteSpan)> write;
  std::optional<Error> error;
};

// Opens a writer on `sink` in `format` with compression `filter` (libarchive
// codes), set up for reproducible output.
Result<ArchivePtr> OpenTarWriter(ArchiveSink& sink, int format, int filter);

// An entry's extended attributes (name, value), in the entry's order.
using Xattrs = std::vector<std::pair<std::string, Bytes>>;
Xattrs EntryXattrs(archive_entry* entry);
// The value of the entry's attribute `name`, if it has one.
std::optional<Bytes> EntryXattr(archive_entry* entry, const char* name);

// The reserved entries of the signed manifest (docs/format.md §10), matched
// with or without a leading "./".
inline constexpr char kManifestPath[] = ".digsig/manifest";
inline constexpr char kManifestSignaturePath[] = ".digsig/manifest.p7s";
bool IsManifestEntry(const char* pathname);

}  // namespace digsig
