// verify-tar: checks a signed archive in one streaming pass: every ELF
// file's embedded (or kernel module) signature, every security.ima
// signature, and the signed manifest against what the archive now holds,
// reporting each unsigned or altered file and each entry added, removed or
// changed after signing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "signer/lib/entry_content.h"
#include "signer/lib/hash.h"
#include "signer/lib/openssl_util.h"
#include "signer/lib/result.h"

namespace digsig {

struct TarVerifyOptions {
  HashAlgo hash = HashAlgo::kSha256;  // the manifest's and IMA's digest
  bool require_manifest = true;
  unsigned jobs = 0;  // 0: every core
  SpoolPolicy spool;
};

struct TarFinding {
  std::string where;    // "entry 3 'usr/bin/ls' at offset 1536", or the path
  std::string problem;  // "unsigned", "altered", "ima-altered", "added", ...
  std::string detail;
};

struct TarVerification {
  uint64_t entries = 0;
  uint64_t verified_elf = 0;
  uint64_t verified_modules = 0;
  uint64_t verified_ima = 0;
  bool manifest_verified = false;
  uint64_t manifest_entries = 0;
  std::vector<TarFinding> findings;  // empty when everything verified

  bool ok() const { return findings.empty(); }
};

// An error is returned only when the archive cannot be read at all; every
// verification failure is a finding.
Result<TarVerification> VerifyTar(const std::string& input, const std::vector<CertPtr>& trusted,
                                  const TarVerifyOptions& options);

}  // namespace digsig
