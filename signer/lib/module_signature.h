// The Linux kernel's module signature: a detached PKCS#7 over the module,
// then struct module_signature, then "~Module signature appended~\n"
// (include/linux/module_signature.h). modinfo and the module loader read it.
#pragma once

#include <memory>
#include <vector>

#include "signer/lib/byte_span.h"
#include "signer/lib/elf_image.h"
#include "signer/lib/hash.h"
#include "signer/lib/pkcs7.h"
#include "signer/lib/result.h"
#include "signer/lib/signing_key.h"

namespace digsig {

inline constexpr char kModuleSignatureMagic[] = "~Module signature appended~\n";
inline constexpr size_t kModuleSignatureMagicSize = sizeof(kModuleSignatureMagic) - 1;
inline constexpr size_t kModuleSignatureInfoSize = 12;  // struct module_signature

// True when the file ends with the module signature marker.
bool HasModuleSignature(ByteSpan file);

// True for a kernel module: a relocatable ELF (ET_REL) with a .modinfo section.
bool IsKernelModule(const ElfImage& image);

struct SignedModule {
  ByteSpan content;  // the module without any previous signature
  Bytes tail;        // PKCS#7, struct module_signature, marker
  std::vector<ByteSpan> Pieces() const { return {content, tail}; }
};

// Signs a relocatable ELF (ET_REL) kernel module; replaces an existing
// module signature rather than stacking a second one.
Result<SignedModule> SignModule(ByteSpan file, const SigningKey& key, HashAlgo hash);

struct ModuleSignature {
  ByteSpan content;  // bytes the signature covers
  ByteSpan pkcs7;
  Pkcs7Signer signer;
};
Result<ModuleSignature> LocateModuleSignature(ByteSpan file);

// Verifies a module signature against trusted certificates.
Result<CertPtr> VerifyModule(ByteSpan file, const std::vector<CertPtr>& trusted);

}  // namespace digsig
