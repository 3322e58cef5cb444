// The embedded ELF signature: appends a ".digsig" section whose record signs
// every other byte of the file, finds it again, removes it, verifies it.
// docs/format.md describes the layout; signer/format/ holds the record codec.
#pragma once

#include <memory>
#include <vector>

#include "signer/format/digsig_format.h"
#include "signer/lib/byte_span.h"
#include "signer/lib/elf_image.h"
#include "signer/lib/hash.h"
#include "signer/lib/pkcs7.h"
#include "signer/lib/result.h"
#include "signer/lib/signing_key.h"

namespace digsig {

inline constexpr char kSignatureSectionName[] = ".digsig";

// A signed file as three pieces, so the (possibly huge) original body is
// written straight from the input mapping without a copy.
struct SignedElf {
  Bytes header;                          // the ELF header with the section table fields rewritten
  ByteSpan body;                         // the unsigned file after its header
  Bytes tail;                            // padding, section name table, section headers, record
  std::shared_ptr<const Bytes> storage;  // keeps `body` alive when re-signing

  std::vector<ByteSpan> Pieces() const { return {header, body, tail}; }
  uint64_t size() const { return header.size() + body.size() + tail.size(); }
};

Result<SignedElf> SignElf(ByteSpan file, const SigningKey& key, HashAlgo hash);

// Signing in two steps, so a caller can stream the covered bytes through the
// hash and to the output in one pass: everything but the record is known
// before the digest is.
struct ElfSigningPlan {
  Bytes header;                          // covered piece 1
  ByteSpan body;                         // covered piece 2: the unsigned file after its header
  uint64_t body_offset;                  // where `body` starts in the input (when not re-signing)
  Bytes tail;                            // covered piece 3: padding, name table, section headers
  std::shared_ptr<const Bytes> storage;  // set when `body` is a restored copy
  HashAlgo hash;
  digsig_payload payload;  // complete but for the digest
  uint64_t record_len;
  size_t signature_slot;

  bool body_is_input_range() const { return storage == nullptr; }
};
Result<ElfSigningPlan> PlanElfSignature(ByteSpan file, const SigningKey& key, HashAlgo hash);
// The record (section content) for the digest of the plan's covered pieces.
Result<Bytes> MakeSignatureRecord(const ElfSigningPlan& plan, ByteSpan digest,
                                  const SigningKey& key);

// The file as it was before signing: `bytes` is `file` itself when unsigned.
struct UnsignedElf {
  ByteSpan bytes;
  std::shared_ptr<const Bytes> storage;
  bool was_signed = false;
};
Result<UnsignedElf> RemoveSignature(ByteSpan file);

// A located, well-formed (not yet verified) signature.
struct ElfSignature {
  ElfImage image;
  // The decoded record (signer/format's C struct, shared with the kernel
  // module; pointers refer into the file). The library and its tests read
  // it; callers use the accessors below, which do not change with it.
  digsig_record record;
  uint64_t record_offset = 0;
  Pkcs7Signer signer;  // what the PKCS#7 says about its signer

  HashAlgo hash() const { return static_cast<HashAlgo>(record.payload.hash_algo); }
  ByteSpan payload() const { return ByteSpan(record.payload_bytes, DIGSIG_PAYLOAD_SIZE); }
  ByteSpan pkcs7() const { return ByteSpan(record.sig, record.sig_len); }
  // The signed digest of the covered bytes: what a revocation list names.
  ByteSpan digest() const { return ByteSpan(record.payload.digest, record.payload.digest_len); }
  // Bytes the digest covers: the file up to the record.
  uint64_t covered_size() const { return record.payload.covered_len; }
  // The size of the file before it was signed.
  uint64_t unsigned_size() const { return record.payload.orig_len; }
  // The record's size, signature slot and trailer included.
  uint64_t record_size() const { return record.record_len; }
};

// kNotElf, kUnsigned, kMalformed or kUnsupported when there is no usable signature.
Result<ElfSignature> LocateSignature(ByteSpan file);

struct VerifiedElf {
  ElfSignature signature;
  CertPtr signer;
};

// Checks the digest of the covered bytes and the signature over the payload.
// With `fd` (the same file, open), the covered bytes are hashed by streaming
// reads instead of through `file`, which is faster for large files.
Result<VerifiedElf> VerifyElf(ByteSpan file, const std::vector<CertPtr>& trusted, int fd = -1);

}  // namespace digsig
