// A private key (PEM file or PKCS#11 token object) with its certificate.
// The private key never leaves this object: no accessor returns key bytes,
// and no error message contains a PIN or passphrase.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "signer/lib/byte_span.h"
#include "signer/lib/hash.h"
#include "signer/lib/openssl_util.h"
#include "signer/lib/result.h"

namespace digsig {

struct KeySpec {
  std::string key;            // path to a PEM private key, or a pkcs11: URI
  std::string cert;           // path to the certificate (PEM or DER)
  std::string pkcs11_module;  // PKCS#11 module for pkcs11: keys (optional)
  // The PIN for pkcs11: keys is read from this environment variable, so it
  // never appears on a command line; a pin-value in the URI also works.
  std::string pkcs11_pin_env = "DIGSIG_PKCS11_PIN";
  bool allow_insecure_key_file = false;  // accept group/other-readable keys

  // The common case: a key file and its certificate, defaults for the rest.
  static KeySpec Files(std::string key_path, std::string cert_path) {
    KeySpec spec;
    spec.key = std::move(key_path);
    spec.cert = std::move(cert_path);
    return spec;
  }
};

bool IsPkcs11Uri(const std::string& key);

class SigningKey {
 public:
  static Result<std::shared_ptr<SigningKey>> Load(const KeySpec& spec);
  ~SigningKey();
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;

  X509* cert() const { return cert_.get(); }
  // "rsa-3072", "ecdsa-p256".
  std::string algorithm() const;
  // True when signatures depend only on key and message (RSA PKCS#1 v1.5).
  bool deterministic() const;

  // Detached PKCS#7 over `content`. Safe to call from many threads; token
  // keys are serialised because PKCS#11 sessions are not shareable.
  Result<Bytes> SignPkcs7(ByteSpan content, HashAlgo hash) const;

  // A raw signature over an already computed digest (RSA PKCS#1 v1.5 with
  // the digest's DigestInfo, or DER ECDSA), as IMA signatures carry.
  Result<Bytes> SignDigest(ByteSpan digest, HashAlgo hash) const;

  // An upper bound on SignPkcs7's output length for a message of the
  // payload's size, so layouts can be fixed before the signature exists.
  Result<size_t> SignatureSlot(HashAlgo hash) const;

 private:
  SigningKey() = default;
  EvpPkeyPtr pkey_;
  X509Ptr cert_;
  void* engine_ = nullptr;  // ENGINE* for token keys, released last
  bool from_token_ = false;
  mutable std::mutex token_mutex_;
  mutable std::mutex slot_mutex_;
  mutable std::map<HashAlgo, size_t> slot_cache_;
};

}  // namespace digsig
