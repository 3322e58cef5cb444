#include "signer/lib/file_signing.h"

#include "signer/lib/certificate.h"
#include "signer/lib/elf_image.h"
#include "signer/lib/elf_signature.h"
#include "signer/lib/file_io.h"
#include "signer/lib/module_signature.h"

namespace digsig {

const char* SignatureKindName(SignatureKind kind) {
  return kind == SignatureKind::kModule ? "module" : "elf";
}

Result<SignOutcome> SignFile(const SignRequest& request, const SigningKey& key, HashAlgo hash,
                             bool skip_non_elf) {
  auto in = MappedFile::Open(request.input);
  if (!in) return in.error();
  if (!HasElfMagic(in->bytes())) {
    if (skip_non_elf) return SignOutcome::kSkippedNotElf;
    return Error(ErrorCode::kNotElf, "not an ELF file");
  }
  const bool in_place = request.output == request.input;
  PreserveMetadata keep{&in->stat(), in_place, in_place ? request.input : std::string()};
  if (request.kind == SignatureKind::kModule) {
    auto signed_module = SignModule(in->bytes(), key, hash);
    if (!signed_module) return signed_module.error();
    DIGSIG_RETURN_IF_ERROR(WriteFileAtomically(request.output, signed_module->Pieces(), keep));
    return SignOutcome::kSigned;
  }
  auto signed_elf = SignElf(in->bytes(), key, hash);
  if (!signed_elf) return signed_elf.error();
  DIGSIG_RETURN_IF_ERROR(WriteFileAtomically(request.output, signed_elf->Pieces(), keep));
  return SignOutcome::kSigned;
}

Result<FileVerification> VerifyFile(const std::string& path, const std::vector<CertPtr>& trusted) {
  auto in = MappedFile::Open(path);
  if (!in) return in.error();
  ByteSpan bytes = in->bytes();
  if (!HasElfMagic(bytes)) return Error(ErrorCode::kNotElf, "not an ELF file");
  FileVerification out;
  CertPtr signer;
  if (HasModuleSignature(bytes)) {
    auto located = LocateModuleSignature(bytes);
    if (!located) return located.error();
    auto cert = VerifyModule(bytes, trusted);
    if (!cert) return cert.error();
    out.kind = SignatureKind::kModule;
    out.hash = located->signer.digest;
    for (char& c : out.hash) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    signer = *cert;
  } else {
    auto verified = VerifyElf(bytes, trusted);
    if (!verified) return verified.error();
    out.kind = SignatureKind::kEmbedded;
    out.hash = HashAlgoName(verified->signature.hash());
    signer = verified->signer;
  }
  out.signer = CertCommonName(signer.get());
  out.key_id = HexEncode(CertSubjectKeyId(signer.get()));
  return out;
}

}  // namespace digsig
