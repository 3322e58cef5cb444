#include "signer/lib/file_signing.h"

#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "signer/lib/certificate.h"
#include "signer/lib/elf_image.h"
#include "signer/lib/elf_signature.h"
#include "signer/lib/file_io.h"
#include "signer/lib/module_signature.h"

namespace digsig {

namespace {

// One pass over the covered bytes: each chunk is read once, hashed and
// written while it is still in cache; the record follows at the end.
Status WriteStreaming(const ElfSigningPlan& plan, const MappedFile& in, const SigningKey& key,
                      const std::string& output, const PreserveMetadata& keep) {
  auto hasher = Hasher::Create(plan.hash);
  if (!hasher) return hasher.error();
  return WriteFileAtomically(output, keep, [&](OutputFile& out) -> Status {
    auto emit = [&](ByteSpan bytes) -> Status {
      hasher->Update(bytes);
      return out.Write(bytes);
    };
    DIGSIG_RETURN_IF_ERROR(emit(plan.header));
    if (plan.body_is_input_range())
      DIGSIG_RETURN_IF_ERROR(ForEachChunk(in.fd(), plan.body_offset, plan.body.size(), emit));
    else
      DIGSIG_RETURN_IF_ERROR(emit(plan.body));
    DIGSIG_RETURN_IF_ERROR(emit(plan.tail));
    auto record = MakeSignatureRecord(plan, hasher->Finish(), key);
    if (!record) return record.error();
    return out.Write(*record);
  });
}

}  // namespace

const char* SignatureKindName(SignatureKind kind) {
  switch (kind) {
    case SignatureKind::kEmbedded: return "elf";
    case SignatureKind::kModule: return "module";
    case SignatureKind::kAuto: return "auto";
  }
  return "?";
}

Result<SignOutcome> SignFile(const SignRequest& request, const SigningKey& key, HashAlgo hash,
                             NonElfInput non_elf) {
  auto in = MappedFile::Open(request.input);
  if (!in) return in.error();
  const bool elf = HasElfMagic(in->bytes());
  if (!elf && non_elf == NonElfInput::kSkip) return SignOutcome::kSkippedNotElf;
  if (!elf && non_elf == NonElfInput::kFail) return Error(ErrorCode::kNotElf, "not an ELF file");
  // In place means the output is the input file itself, whatever the path
  // spelling; then the signed file replaces the link target, not a link.
  std::string output = request.output;
  struct stat out_st;
  const bool in_place = stat(output.c_str(), &out_st) == 0 && out_st.st_dev == in->stat().st_dev &&
                        out_st.st_ino == in->stat().st_ino;
  if (in_place) {
    char resolved[PATH_MAX];
    if (realpath(output.c_str(), resolved) == nullptr)
      return Error(ErrorCode::kIo, "cannot resolve " + output + ": " + std::strerror(errno));
    output = resolved;
  }
  PreserveMetadata keep{&in->stat(), in_place, in_place ? output : std::string()};
  if (!elf) {
    DIGSIG_RETURN_IF_ERROR(WriteFileAtomically(output, {in->bytes()}, keep));
    return SignOutcome::kCopiedNotElf;
  }
  SignatureKind kind = request.kind;
  if (kind == SignatureKind::kAuto) {
    auto image = ParseElf(in->bytes());
    if (!image) return image.error();
    kind = IsKernelModule(*image) ? SignatureKind::kModule : SignatureKind::kEmbedded;
  }
  if (kind == SignatureKind::kModule) {
    auto signed_module = SignModule(in->bytes(), key, hash);
    if (!signed_module) return signed_module.error();
    DIGSIG_RETURN_IF_ERROR(WriteFileAtomically(output, signed_module->Pieces(), keep));
    return SignOutcome::kSigned;
  }
  if (HasModuleSignature(in->bytes()))
    return Error(ErrorCode::kInvalidArgument,
                 "carries a kernel module signature, which an embedded signature would bury "
                 "(sign modules with sign-module)");
  auto plan = PlanElfSignature(in->bytes(), key, hash);
  if (!plan) return plan.error();
  DIGSIG_RETURN_IF_ERROR(WriteStreaming(*plan, *in, key, output, keep));
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
    auto verified = VerifyElf(bytes, trusted, in->fd());
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
