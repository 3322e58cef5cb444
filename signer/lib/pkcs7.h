// Detached PKCS#7/CMS SignedData without signed attributes and without
// certificates: deterministic for RSA and Ed25519, accepted by the kernel's
// verify_pkcs7_signature() and by `openssl cms -verify`.
#pragma once

#include <string>
#include <vector>

#include "signer/lib/byte_span.h"
#include "signer/lib/hash.h"
#include "signer/lib/openssl_util.h"
#include "signer/lib/result.h"

namespace digsig {

// Signs `content` with `key`; the signer is identified by issuer and serial
// number of `cert` (what the kernel's module loader and modinfo expect).
Result<Bytes> Pkcs7SignDetached(EVP_PKEY* key, X509* cert, HashAlgo hash, ByteSpan content);

// What a signature says about its signer, without verifying anything.
struct Pkcs7Signer {
  std::string issuer;      // RFC 2253
  std::string serial_hex;  // serial number, hex
  std::string digest;      // e.g. "sha256"
  std::string signature_algorithm;
};
Result<Pkcs7Signer> Pkcs7Describe(ByteSpan der);

// Which ECDSA signatures a verifier accepts. digsig's own format admits only
// low-S signatures (one encoding per signature); kernel module signatures
// follow the kernel, which accepts both forms (and sign-file writes both).
enum class EcdsaForm { kLowSOnly, kAny };

// Verifies a detached signature over `content` against the trusted
// certificates (no chain building: the certificates are the trust anchors).
// Requires exactly one signer and its digest to be `expected_hash`.
// Errors: kMalformed, kUnknownSigner, kAltered, kUnsupported.
Result<CertPtr> Pkcs7VerifyDetached(ByteSpan der, ByteSpan content,
                                    const std::vector<CertPtr>& trusted, HashAlgo expected_hash,
                                    EcdsaForm ecdsa_form = EcdsaForm::kLowSOnly);

}  // namespace digsig
