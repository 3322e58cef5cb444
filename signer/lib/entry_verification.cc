#include "signer/lib/entry_verification.h"

#include <utility>

#include "signer/lib/elf_image.h"
#include "signer/lib/elf_signature.h"
#include "signer/lib/ima_signature.h"
#include "signer/lib/module_signature.h"
#include "signer/lib/tar_archive.h"

namespace digsig {
namespace {

std::optional<Error> CheckElfSignature(const EntryContent& content,
                                       const std::vector<CertPtr>& trusted, bool& module) {
  ByteSpan bytes = content.bytes();
  module = HasModuleSignature(bytes);
  if (module) {
    auto cert = VerifyModule(bytes, trusted);
    if (!cert) return cert.error();
    return std::nullopt;
  }
  auto verified = VerifyElf(bytes, trusted, content.fd());
  if (!verified) return verified.error();
  return std::nullopt;
}

}  // namespace

Result<EntryVerification> VerifyEntryContent(archive_entry* entry, const EntryContent& content,
                                             const std::vector<CertPtr>& trusted, HashAlgo hash) {
  EntryVerification out;
  auto hasher = Hasher::Create(hash);
  if (!hasher) return hasher.error();
  DIGSIG_RETURN_IF_ERROR(content.ForEachChunk([&](ByteSpan chunk) {
    hasher->Update(chunk);
    return Status::Ok();
  }));
  out.content_digest = hasher->Finish();
  out.elf = content.elf();
  if (out.elf) out.elf_problem = CheckElfSignature(content, trusted, out.module);
  if (auto ima = EntryXattr(entry, kImaXattrName)) {
    out.has_ima = true;
    Status st = VerifyImaSignature(*ima, out.content_digest, hash, trusted);
    if (!st) out.ima_problem = st.error();
  }
  return out;
}

}  // namespace digsig
