// Development key pairs: a private key (mode 0600) and a self-signed X.509
// certificate with the extensions the kernel's keyrings expect.
#pragma once

#include <string>

#include "signer/lib/result.h"

namespace digsig {

// rsa-2048 is the default: the stock board kernel verifies only RSA, and
// docs/benchmarks.md has the measured sign/verify rates behind the choice.
inline constexpr char kDefaultKeyAlgorithm[] = "rsa-2048";

struct KeygenOptions {
  std::string out_dir;
  std::string algorithm = kDefaultKeyAlgorithm;  // rsa-{2048,3072,4096}, ecdsa-p{256,384}
  std::string subject = "CN=digsig development key";
  int valid_days = 3650;
  bool overwrite = false;
};

struct KeygenResult {
  std::string key_path;       // OUT/key.pem
  std::string cert_pem_path;  // OUT/cert.pem
  std::string cert_der_path;  // OUT/cert.der
  std::string key_id;         // SubjectKeyIdentifier, hex
};

Result<KeygenResult> GenerateKeyPair(const KeygenOptions& options);

}  // namespace digsig
