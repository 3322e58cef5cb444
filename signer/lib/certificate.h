// X.509 certificates: loading (PEM bundles or DER) and the facts reports
// and the kernel-facing formats need (subject, key id, key algorithm).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signer/lib/byte_span.h"
#include "signer/lib/openssl_util.h"
#include "signer/lib/result.h"

namespace digsig {

// Loads every certificate from a PEM bundle or a single DER certificate.
Result<std::vector<CertPtr>> LoadCertificates(const std::string& path);

// Certificates parsed from bytes already in memory (PEM or DER).
Result<std::vector<CertPtr>> ParseCertificates(ByteSpan bytes, const std::string& origin);

std::string CertSubject(X509* cert);       // one-line RFC 2253 form
std::string CertCommonName(X509* cert);    // CN, or the whole subject if none
Bytes CertSubjectKeyId(X509* cert);        // empty when the extension is absent
std::string CertKeyAlgorithm(X509* cert);  // "rsa-3072", "ecdsa-p256", "ed25519"
Bytes CertToDer(X509* cert);

// Lower-case hex, as keys ids are usually printed.
std::string HexEncode(ByteSpan bytes);
// The inverse, for either case; nullopt unless every character pairs up.
std::optional<Bytes> HexDecode(std::string_view hex);

}  // namespace digsig
