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
  digsig_record record;  // pointers refer into the file
  uint64_t record_offset = 0;
  Pkcs7Signer signer;  // what the PKCS#7 says about its signer

  HashAlgo hash() const { return static_cast<HashAlgo>(record.payload.hash_algo); }
  ByteSpan payload() const { return ByteSpan(record.payload_bytes, DIGSIG_PAYLOAD_SIZE); }
  ByteSpan pkcs7() const { return ByteSpan(record.sig, record.sig_len); }
};

// kNotElf, kUnsigned, kMalformed or kUnsupported when there is no usable signature.
Result<ElfSignature> LocateSignature(ByteSpan file);

struct VerifiedElf {
  ElfSignature signature;
  CertPtr signer;
};

// Checks the digest of the covered bytes and the signature over the payload.
Result<VerifiedElf> VerifyElf(ByteSpan file, const std::vector<CertPtr>& trusted);

}  // namespace digsig
