// Signed revocation lists (docs/format.md section 11): the certificates and
// signed-content digests digsig.ko must stop accepting. Lists are built here
// and parsed by the same C code the kernel module uses
// (signer/format/digsig_revocation.c).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "signer/lib/byte_span.h"
#include "signer/lib/hash.h"
#include "signer/lib/openssl_util.h"
#include "signer/lib/result.h"
#include "signer/lib/signing_key.h"

namespace digsig {

struct RevocationList {
  uint64_t sequence = 0;  // 1 .. 10^18-1; the kernel accepts only increases
  // Subject key identifiers of revoked certificates.
  std::set<Bytes> key_ids;
  // Revoked digests of signed content (the payload digest `inspect` shows).
  std::set<std::pair<HashAlgo, Bytes>> digests;

  // Adds what `other` revokes (lists are cumulative).
  void Merge(const RevocationList& other);
};

// The canonical body text: header, sequence, entries in ascending order.
// Errors: kInvalidArgument for a sequence or entry out of range.
Result<std::string> RevocationListBody(const RevocationList& list);

// body || detached PKCS#7 (SHA-256) || be32 signature length || magic.
Result<Bytes> SignRevocationList(const RevocationList& list, const SigningKey& key);

// Parses a signed list and verifies its signature against `trusted`.
// Errors: kMalformed, kUnknownSigner, kAltered, kUnsupported.
Result<RevocationList> VerifyRevocationList(ByteSpan file, const std::vector<CertPtr>& trusted);

}  // namespace digsig
