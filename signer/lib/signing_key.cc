// The pkcs11 engine (libp11) is an OpenSSL ENGINE: Debian 12 ships no
// PKCS#11 provider, so the deprecated ENGINE API is used on purpose here.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "signer/lib/signing_key.h"

#include <openssl/engine.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ui.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>

#include "signer/format/digsig_format.h"
#include "signer/lib/certificate.h"
#include "signer/lib/file_io.h"
#include "signer/lib/pkcs7.h"

namespace digsig {
namespace {

// Refuses to prompt: signing runs unattended in builds.
int NoPassword(char*, int, int, void*) { return -1; }

Result<EVP_PKEY*> LoadPemKey(const KeySpec& spec) {
  struct stat st;
  if (stat(spec.key.c_str(), &st) != 0)
    return Error(ErrorCode::kKey, spec.key + ": cannot stat key file: " + std::strerror(errno));
  if ((st.st_mode & 077) != 0 && !spec.allow_insecure_key_file)
    return Error(ErrorCode::kKey, spec.key +
                                      ": private key is readable by group or others (chmod 600, "
                                      "or pass --allow-insecure-key)");
  auto bytes = ReadWholeFile(spec.key, 1 << 20);
  if (!bytes) return bytes.error();
  BioPtr bio(BIO_new_mem_buf(bytes->data(), static_cast<int>(bytes->size())));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr);
  OPENSSL_cleanse(bytes->data(), bytes->size());
  if (key == nullptr) {
    TakeOpensslErrors();  // may describe the file; keep it out of logs entirely
    return Error(ErrorCode::kKey, spec.key + ": not an unencrypted PEM private key");
  }
  return key;
}

Result<EVP_PKEY*> LoadTokenKey(const KeySpec& spec, ENGINE** engine_out) {
  ENGINE_load_builtin_engines();
  ENGINE* e = ENGINE_by_id("pkcs11");
  if (e == nullptr)
    return Error(
        ErrorCode::kKey,
        "pkcs11 engine not available (install libengine-pkcs11-openssl): " + TakeOpensslErrors());
  auto fail = [&](const std::string& what) {
    ENGINE_free(e);
    return Error(ErrorCode::kKey, what + ": " + TakeOpensslErrors());
  };
  // libp11 otherwise prints its own diagnostics straight to stderr, the key
  // URI among them, and a URI can hold a pin-value. Optional (last argument
  // 1): engines without QUIET still work, only more verbosely.
  ENGINE_ctrl_cmd_string(e, "QUIET", nullptr, 1);
  if (!spec.pkcs11_module.empty() &&
      ENGINE_ctrl_cmd_string(e, "MODULE_PATH", spec.pkcs11_module.c_str(), 0) != 1)
    return fail("cannot set PKCS#11 module " + spec.pkcs11_module);
  if (ENGINE_init(e) != 1) return fail("cannot initialise pkcs11 engine");
  const char* pin =
      spec.pkcs11_pin_env.empty() ? nullptr : std::getenv(spec.pkcs11_pin_env.c_str());
  if (pin != nullptr && ENGINE_ctrl_cmd_string(e, "PIN", pin, 0) != 1) {
    ENGINE_finish(e);
    return fail("pkcs11 engine refused the PIN");
  }
  // A UI method that always fails: with no PIN configured the engine would
  // otherwise prompt on the terminal, and an unattended build would hang.
  UI_METHOD* no_prompt = UI_UTIL_wrap_read_pem_callback(NoPassword, 0);
  EVP_PKEY* key = ENGINE_load_private_key(e, spec.key.c_str(), no_prompt, nullptr);
  UI_destroy_method(no_prompt);
  if (key == nullptr) {
    ENGINE_finish(e);
    ENGINE_free(e);
    TakeOpensslErrors();  // may echo the URI, which can hold a pin-value
    return Error(ErrorCode::kKey,
                 "cannot load private key from the PKCS#11 token "
                 "(check the URI's token/object and the PIN)");
  }
  *engine_out = e;
  return key;
}

// Key types OpenSSL 3.0 can make PKCS#7 SignedData with; Ed25519 and others
// fail only at the first signature otherwise.
Status CheckSupportedKeyType(X509* cert) {
  const int id = EVP_PKEY_get_base_id(X509_get0_pubkey(cert));
  if (id == EVP_PKEY_RSA || id == EVP_PKEY_EC) return Status::Ok();
  return Error(ErrorCode::kUnsupported,
               "unsupported key type " + CertKeyAlgorithm(cert) + " (RSA or ECDSA keys only)");
}

bool PublicKeysMatch(EVP_PKEY* priv, X509* cert) {
  return EVP_PKEY_eq(priv, X509_get0_pubkey(cert)) == 1;
}

}  // namespace

bool IsPkcs11Uri(const std::string& key) { return key.rfind("pkcs11:", 0) == 0; }

Result<std::shared_ptr<SigningKey>> SigningKey::Load(const KeySpec& spec) {
  if (spec.key.empty()) return Error(ErrorCode::kKey, "no signing key given (--key)");
  if (spec.cert.empty()) return Error(ErrorCode::kKey, "no certificate given (--cert)");
  std::shared_ptr<SigningKey> sk(new SigningKey());
  auto certs = LoadCertificates(spec.cert);
  if (!certs) return certs.error();
  X509_up_ref((*certs)[0].get());
  sk->cert_.reset((*certs)[0].get());
  if (Status st = CheckSupportedKeyType(sk->cert()); !st) return st.error().Wrap(spec.cert);

  ENGINE* engine = nullptr;
  auto key = IsPkcs11Uri(spec.key) ? LoadTokenKey(spec, &engine) : LoadPemKey(spec);
  if (!key) return key.error();
  sk->pkey_.reset(*key);
  sk->engine_ = engine;
  sk->from_token_ = engine != nullptr;
  if (!PublicKeysMatch(sk->pkey_.get(), sk->cert_.get())) {
    TakeOpensslErrors();
    return Error(ErrorCode::kKey, spec.cert + ": certificate does not belong to the signing key");
  }
  return sk;
}

SigningKey::~SigningKey() {
  pkey_.reset();
  cert_.reset();
  if (engine_ != nullptr) {
    auto* e = static_cast<ENGINE*>(engine_);
    ENGINE_finish(e);
    ENGINE_free(e);
  }
}

std::string SigningKey::algorithm() const { return CertKeyAlgorithm(cert_.get()); }

bool SigningKey::deterministic() const {
  int id = EVP_PKEY_get_base_id(X509_get0_pubkey(cert_.get()));
  return id == EVP_PKEY_RSA;
}

Result<Bytes> SigningKey::SignPkcs7(ByteSpan content, HashAlgo hash) const {
  std::unique_lock<std::mutex> lock(token_mutex_, std::defer_lock);
  if (from_token_) lock.lock();
  return Pkcs7SignDetached(pkey_.get(), cert_.get(), hash, content);
}

Result<Bytes> SigningKey::SignDigest(ByteSpan digest, HashAlgo hash) const {
  std::unique_lock<std::mutex> lock(token_mutex_, std::defer_lock);
  if (from_token_) lock.lock();
  std::unique_ptr<EVP_PKEY_CTX, OsslDeleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>> ctx(
      EVP_PKEY_CTX_new(pkey_.get(), nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), HashAlgoMd(hash)) != 1)
    return Error(ErrorCode::kCrypto, "cannot set up signing: " + TakeOpensslErrors());
  if (EVP_PKEY_get_base_id(pkey_.get()) == EVP_PKEY_RSA &&
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1)
    return Error(ErrorCode::kCrypto, "cannot select PKCS#1 v1.5: " + TakeOpensslErrors());
  size_t len = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) != 1)
    return Error(ErrorCode::kCrypto, "signing failed: " + TakeOpensslErrors());
  Bytes sig(len);
  if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()) != 1)
    return Error(ErrorCode::kCrypto, "signing failed: " + TakeOpensslErrors());
  sig.resize(len);
  return sig;
}

Result<size_t> SigningKey::SignatureSlot(HashAlgo hash) const {
  std::lock_guard<std::mutex> lock(slot_mutex_);
  auto it = slot_cache_.find(hash);
  if (it != slot_cache_.end()) return it->second;
  uint8_t probe[DIGSIG_PAYLOAD_SIZE] = {0};
  auto sig = SignPkcs7(ByteSpan(probe, sizeof(probe)), hash);
  if (!sig) return sig.error();
  // ECDSA's DER integers vary by a few bytes between signatures; RSA and
  // Ed25519 signatures have one length. The slack covers every variation.
  size_t slot = sig->size() + (deterministic() ? 0 : 16);
  slot_cache_[hash] = slot;
  return slot;
}

}  // namespace digsig
