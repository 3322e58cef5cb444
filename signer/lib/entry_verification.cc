#include "signer/lib/entry_verification.h"

#include <cstring>

#include "signer/lib/elf_image.h"
#include "signer/lib/elf_signature.h"
#include "signer/lib/ima_signature.h"
#include "signer/lib/module_signature.h"

namespace digsig {
namespace {

std::optional<Bytes> FindXattr(archive_entry* entry, const char* wanted) {
  archive_entry_xattr_reset(entry);
  const char* name = nullptr;
  const void* value = nullptr;
  size_t len = 0;
  while (archive_entry_xattr_next(entry, &name, &value, &len) == ARCHIVE_OK) {
    if (std::strcmp(name, wanted) != 0) continue;
    const auto* v = static_cast<const uint8_t*>(value);
    return Bytes(v, v + len);
  }
  return std::nullopt;
}

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
  DIGSIG_RETURN_IF_ERROR(content.ForEachChunk(content.bytes(), [&](ByteSpan chunk) {
    hasher->Update(chunk);
    return Status::Ok();
  }));
  out.content_digest = hasher->Finish();
  out.elf = HasElfMagic(content.bytes());
  if (out.elf) out.elf_problem = CheckElfSignature(content, trusted, out.module);
  if (auto ima = FindXattr(entry, kImaXattrName)) {
    out.has_ima = true;
    Status st = VerifyImaSignature(*ima, out.content_digest, hash, trusted);
    if (!st) out.ima_problem = st.error();
  }
  return out;
}

}  // namespace digsig
