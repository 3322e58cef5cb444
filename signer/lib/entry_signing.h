// Signing the content of one archive entry: an ELF file gets its embedded
// signature, a kernel module a module signature, anything else stays as it
// is; the digest of the resulting content (for the manifest) comes from the
// same pass over the bytes, and so does the IMA signature when asked.
#pragma once

#include <memory>
#include <optional>
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
  // The new content, in order (may point into the input); empty for
  // kNone, whose content is the input's as it is.
  std::vector<ByteSpan> pieces;
  std::vector<Bytes> storage;             // owns the pieces that are not the input's
  std::shared_ptr<const Bytes> restored;  // an unsigned copy when re-signing
  Bytes content_digest;                   // digest of all pieces
  Bytes ima;                              // the security.ima value, or empty
  bool ima_replaced = false;              // the input's was not the key's for this content

  uint64_t size(const EntryContent& content) const;
};

struct EntrySigningOptions {
  HashAlgo hash = HashAlgo::kSha256;
  bool ima_signed = false;  // security.ima for every ELF file and module
  bool ima_all = false;     // and for every other regular file
};

// `content` must outlive the result (pieces may point into it). `input_ima`
// is the entry's security.ima as read. Every entry that had one leaves with
// one the key made for its new content (the file was meant to be appraised;
// whoever signs the archive now vouches for it): the input's when it is
// exactly that, else a new one (ima_replaced). Others get one as the
// options say.
Result<SignedEntry> SignEntryContent(const EntryContent& content,
                                     const std::optional<Bytes>& input_ima, const SigningKey& key,
                                     const EntrySigningOptions& options);

}  // namespace digsig
