// Signing the content of one archive entry: an ELF file gets its embedded
// signature, a kernel module a module signature, anything else stays as it
// is; the digest of the resulting content (for the manifest) comes from the
// same pass over the bytes, and so does the IMA signature when asked.
#pragma once

#include <memory>
#include <vector>

#include "signer/lib/byte_span.h"
#include "signer/lib/entry_content.h"
#include "signer/lib/hash.h"
#include "signer/lib/result.h"
#include "signer/lib/signing_key.h"

namespace digsig {

enum class EntrySignature { kNone, kEmbedded, kModule };

struct SignedEntry {
  EntrySignature signature = EntrySignature::kNone;
  std::vector<ByteSpan> pieces;           // the new content, in order; may point into the input
  std::vector<Bytes> storage;             // owns the pieces that are not the input's
  std::shared_ptr<const Bytes> restored;  // an unsigned copy when re-signing
  Bytes content_digest;                   // digest of all pieces
  Bytes ima;                              // the security.ima value, or empty

  uint64_t size() const;
};

struct EntrySigningOptions {
  HashAlgo hash = HashAlgo::kSha256;
  bool ima_signed = false;  // security.ima for every ELF file and module
  bool ima_all = false;     // and for every other regular file
};

// `content` must outlive the result (pieces may point into it).
Result<SignedEntry> SignEntryContent(const EntryContent& content, const SigningKey& key,
                                     const EntrySigningOptions& options);

}  // namespace digsig
