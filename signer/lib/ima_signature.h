// IMA signatures (the security.ima extended attribute, digital signature
// version 2), as `evmctl ima_sign` writes them and the kernel's IMA appraisal
// checks them: 0x03, version 2, hash algorithm, the signer's key id (last
// four bytes of its SubjectKeyIdentifier), be16 length, then a signature
// over the digest of the whole file content.
#pragma once

#include <vector>

#include "signer/lib/byte_span.h"
#include "signer/lib/hash.h"
#include "signer/lib/openssl_util.h"
#include "signer/lib/result.h"
#include "signer/lib/signing_key.h"

namespace digsig {

inline constexpr char kImaXattrName[] = "security.ima";
inline constexpr char kEvmXattrName[] = "security.evm";

// The xattr value for a file whose content has digest `content_digest`.
Result<Bytes> MakeImaSignature(ByteSpan content_digest, const SigningKey& key, HashAlgo hash);

// The same for content given as pieces, in order.
Result<Bytes> MakeImaSignature(const std::vector<ByteSpan>& content, const SigningKey& key,
                               HashAlgo hash);

// Checks an xattr value against the digest of the content (computed with
// `hash`) and the trusted certificates, matched by key id as the kernel does.
// Errors: kMalformed, kUnsupported (another hash or type), kUnknownSigner,
// kAltered.
Status VerifyImaSignature(ByteSpan xattr, ByteSpan content_digest, HashAlgo hash,
                          const std::vector<CertPtr>& trusted);

}  // namespace digsig
