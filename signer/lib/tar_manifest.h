// The signed manifest of an archive: one line per entry with its path, type,
// mode, owner, size, content digest and extended-attribute digest, in archive
// order. sign-tar appends it (with a detached PKCS#7 signature) as the last
// two entries; verify-tar recomputes it and reports every difference.
// docs/format.md §10 is the normative description.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <string>
#include <vector>

#include "signer/lib/byte_span.h"
#include "signer/lib/hash.h"
#include "signer/lib/result.h"

namespace digsig {

struct ManifestEntry {
  char type = '?';    // f regular, h hard link, l symlink, d directory,
                      // c/b character/block device, p fifo, s socket
  unsigned mode = 0;  // permission bits with setuid, setgid and sticky
  int64_t uid = 0;
  int64_t gid = 0;
  uint64_t size = 0;   // content size of regular files, else 0
  std::string digest;  // hex digest of the content, "-" when there is none
  std::string xattrs;  // hex digest of the extended attributes, "-" when none
  std::string path;    // as stored, raw bytes
  std::string target;  // link target, "major,minor" for devices, "" otherwise

  bool operator==(const ManifestEntry&) const = default;
};

struct Manifest {
  HashAlgo hash = HashAlgo::kSha256;
  std::vector<ManifestEntry> entries;
};

// The line for `entry` as it is written (or read) now; `content_digest` is
// the digest of its data (regular files only, else empty).
Result<ManifestEntry> DescribeEntry(archive_entry* entry, const Bytes& content_digest,
                                    HashAlgo hash);

// The canonical text; parsing it back gives the same manifest.
std::string SerializeManifest(const Manifest& manifest);
Result<Manifest> ParseManifest(ByteSpan text);

struct ManifestDifference {
  enum class Kind { kAdded, kRemoved, kChanged };
  Kind kind;
  std::string path;
  std::string detail;  // for kChanged: the fields that differ
};
const char* ManifestDifferenceName(ManifestDifference::Kind kind);

// What changed between the signed manifest and the archive as read. Entries
// are matched by path and, for a path stored more than once, by occurrence.
std::vector<ManifestDifference> CompareManifests(const Manifest& signed_manifest,
                                                 const std::vector<ManifestEntry>& actual);

// A path for messages: printable ASCII as is, other bytes escaped as \xHH.
std::string EscapeManifestField(const std::string& raw);

}  // namespace digsig
