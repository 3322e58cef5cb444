// Verifying the content of one archive entry as verify-tar sees it: the
// digest of its content (for the manifest), its ELF or module signature when
// it is an ELF file, and its security.ima signature when it carries one.
#pragma once

#include <archive_entry.h>

#include <optional>
#include <vector>

#include "signer/lib/entry_content.h"
#include "signer/lib/hash.h"
#include "signer/lib/openssl_util.h"
#include "signer/lib/result.h"

namespace digsig {

struct EntryVerification {
  Bytes content_digest;
  bool elf = false;
  bool module = false;               // verified (or failed) as a kernel module
  std::optional<Error> elf_problem;  // unsigned, altered, unknown signer...
  bool has_ima = false;
  std::optional<Error> ima_problem;
};

// `entry` supplies the extended attributes; it is read, not changed (apart
// from libarchive's xattr cursor).
Result<EntryVerification> VerifyEntryContent(archive_entry* entry, const EntryContent& content,
                                             const std::vector<CertPtr>& trusted, HashAlgo hash);

}  // namespace digsig
