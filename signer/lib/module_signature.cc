#include "signer/lib/module_signature.h"

#include <llvm/BinaryFormat/ELF.h>

#include <cstring>

#include "signer/lib/byte_order.h"
#include "signer/lib/elf_image.h"

namespace digsig {
namespace {

constexpr uint8_t kPkeyIdPkcs7 = 2;  // enum pkey_id_type in the kernel

// Layout of struct module_signature: algo, hash, id_type, signer_len,
// key_id_len, 3 bytes padding, big-endian sig_len.
constexpr size_t kIdTypeAt = 2;
constexpr size_t kSigLenAt = 8;

std::optional<HashAlgo> DigestNameToHash(const std::string& name) {
  if (name == "SHA256") return HashAlgo::kSha256;
  if (name == "SHA384") return HashAlgo::kSha384;
  if (name == "SHA512") return HashAlgo::kSha512;
  return HashAlgoFromName(name);
}

}  // namespace

bool HasModuleSignature(ByteSpan file) {
  return file.size() >= kModuleSignatureMagicSize &&
         std::memcmp(file.data() + file.size() - kModuleSignatureMagicSize, kModuleSignatureMagic,
                     kModuleSignatureMagicSize) == 0;
}

bool IsKernelModule(const ElfImage& image) {
  if (image.type != llvm::ELF::ET_REL) return false;
  for (const ElfSection& s : image.sections)
    if (s.name == ".modinfo") return true;
  return false;
}

Result<ModuleSignature> LocateModuleSignature(ByteSpan file) {
  if (!HasModuleSignature(file)) return Error(ErrorCode::kUnsigned, "no module signature");
  const size_t fixed = kModuleSignatureMagicSize + kModuleSignatureInfoSize;
  if (file.size() < fixed) return Error(ErrorCode::kMalformed, "truncated module signature");
  const uint8_t* info = file.data() + file.size() - fixed;
  if (info[kIdTypeAt] != kPkeyIdPkcs7)
    return Error(ErrorCode::kUnsupported, "module signature is not PKCS#7");
  // For PKCS#7 the kernel (mod_check_sig) requires every other field before
  // sig_len to be zero; so do we, or we would accept what the kernel refuses.
  for (size_t i = 0; i < kSigLenAt; ++i)
    if (i != kIdTypeAt && info[i] != 0)
      return Error(ErrorCode::kMalformed, "module signature header has non-zero fields");
  const uint32_t sig_len = LoadBe<uint32_t>(info + kSigLenAt);
  if (sig_len == 0 || sig_len > file.size() - fixed)
    return Error(ErrorCode::kMalformed, "module signature length out of range");
  ModuleSignature out;
  out.content = file.first(file.size() - fixed - sig_len);
  out.pkcs7 = file.subspan(out.content.size(), sig_len);
  auto signer = Pkcs7Describe(out.pkcs7);
  if (!signer) return signer.error();
  out.signer = std::move(*signer);
  return out;
}

Result<SignedModule> SignModule(ByteSpan file, const SigningKey& key, HashAlgo hash) {
  ByteSpan content = file;
  if (HasModuleSignature(file)) {
    auto old = LocateModuleSignature(file);
    if (!old) return old.error().Wrap("existing module signature cannot be replaced");
    content = old->content;
  }
  auto img = ParseElf(content);
  if (!img) return img.error();
  if (img->type != llvm::ELF::ET_REL)
    return Error(
        ErrorCode::kInvalidArgument,
        "not a kernel module (ELF type is " + ElfTypeName(img->type) + ", expected relocatable)");
  if (!IsKernelModule(*img))
    return Error(ErrorCode::kInvalidArgument, "not a kernel module (no .modinfo section)");

  auto pkcs7 = key.SignPkcs7(content, hash);
  if (!pkcs7) return pkcs7.error();
  SignedModule out;
  out.content = content;
  out.tail = std::move(*pkcs7);
  uint8_t info[kModuleSignatureInfoSize] = {0};
  info[kIdTypeAt] = kPkeyIdPkcs7;
  StoreBe<uint32_t>(info + kSigLenAt, static_cast<uint32_t>(out.tail.size()));
  out.tail.insert(out.tail.end(), info, info + sizeof(info));
  out.tail.insert(out.tail.end(), kModuleSignatureMagic,
                  kModuleSignatureMagic + kModuleSignatureMagicSize);
  return out;
}

Result<CertPtr> VerifyModule(ByteSpan file, const std::vector<CertPtr>& trusted) {
  auto sig = LocateModuleSignature(file);
  if (!sig) return sig.error();
  auto hash = DigestNameToHash(sig->signer.digest);
  if (!hash)
    return Error(ErrorCode::kUnsupported, "module signed with digest " + sig->signer.digest);
  return Pkcs7VerifyDetached(sig->pkcs7, sig->content, trusted, *hash, EcdsaForm::kAny);
}

}  // namespace digsig
