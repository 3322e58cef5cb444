// Helpers shared by the fuzz targets that use libdigsig.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "base/fuzz_check.h"
#include "signer/lib/certificate.h"
#include "signer/lib/result.h"

namespace digsig::fuzz {

template <typename T>
void Report(const char* what, const Result<T>& r) {
  if (!Verbose()) return;
  if (r.ok())
    std::fprintf(stderr, "  %s: ok\n", what);
  else
    std::fprintf(stderr, "  %s: %s: %s\n", what, ErrorCodeName(r.error().code()),
                 r.error().message().c_str());
}

// The certificate of the key that signed the seed corpus (make_corpus.sh),
// parsed once. Verifying against it reaches the real signature check.
inline const std::vector<CertPtr>& TrustedCerts() {
  static const std::vector<CertPtr> certs = [] {
    static const char kPem[] =
#include "signer/fuzz/fuzz_cert.inc"
        ;
    auto parsed = ParseCertificates(
        ByteSpan(reinterpret_cast<const uint8_t*>(kPem), sizeof(kPem) - 1), "fuzz_cert.inc");
    if (!parsed || parsed->size() != 1) {
      std::fprintf(stderr, "fuzz_cert.inc does not hold one certificate\n");
      std::abort();
    }
    return *parsed;
  }();
  return certs;
}

}  // namespace digsig::fuzz
