// File-level operations behind the CLI: sign or verify one path, with the
// nothing-lost rules of file_io.h. Stateless and safe to run in parallel.
#pragma once

#include <string>
#include <vector>

#include "signer/lib/hash.h"
#include "signer/lib/openssl_util.h"
#include "signer/lib/result.h"
#include "signer/lib/signing_key.h"

namespace digsig {

// kAuto signs the way sign-tar does: kernel modules in module format, every
// other ELF file with an embedded signature.
enum class SignatureKind { kEmbedded, kModule, kAuto };
const char* SignatureKindName(SignatureKind kind);

struct SignRequest {
  std::string input;
  std::string output;  // equal to input for in-place signing
  SignatureKind kind = SignatureKind::kEmbedded;
};

enum class SignOutcome { kSigned, kSkippedNotElf, kCopiedNotElf };
enum class NonElfInput { kFail, kSkip, kCopy };

// Signs `input` into `output` (atomically). In place, the file keeps its
// mode, owner and extended attributes (except security.ima/evm, which
// describe the old content). Non-ELF input fails, is left alone (kSkip) or is
// copied to the output unchanged (kCopy: build systems sign whatever a target
// produces, and its other files must still arrive).
Result<SignOutcome> SignFile(const SignRequest& request, const SigningKey& key, HashAlgo hash,
                             NonElfInput non_elf);

struct FileVerification {
  SignatureKind kind;
  std::string hash;    // "sha256"
  std::string signer;  // certificate subject CN
  std::string key_id;  // SubjectKeyIdentifier of the signer, hex
};

// Verifies an embedded ELF signature, or a module signature when the file
// ends with one. The error code says why a file fails (unsigned, altered...).
Result<FileVerification> VerifyFile(const std::string& path, const std::vector<CertPtr>& trusted);

}  // namespace digsig
