#include "signer/lib/keygen.h"

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "signer/lib/certificate.h"
#include "signer/lib/file_io.h"
#include "signer/lib/openssl_util.h"

namespace digsig {
namespace {

Result<EvpPkeyPtr> NewKey(const std::string& algo) {
  EVP_PKEY* k = nullptr;
  if (algo == "rsa-2048" || algo == "rsa-3072" || algo == "rsa-4096")
    k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(std::stoi(algo.substr(4))));
  else if (algo == "ecdsa-p256")
    k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  else if (algo == "ecdsa-p384")
    k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  else if (algo == "ed25519")
    // OpenSSL 3.0 cannot make Ed25519 PKCS#7 SignedData, and the 6.1 kernel
    // cannot verify Ed25519: a key of this type could never sign anything.
    return Error(ErrorCode::kUnsupported,
                 "ed25519 is not supported: OpenSSL 3.0 CMS cannot sign with it and the board "
                 "kernel cannot verify it (docs/benchmarks.md)");
  else
    return Error(ErrorCode::kInvalidArgument,
                 "unknown key algorithm '" + algo +
                     "' (rsa-2048, rsa-3072, rsa-4096, ecdsa-p256, ecdsa-p384)");
  if (k == nullptr)
    return Error(ErrorCode::kCrypto, "key generation failed: " + TakeOpensslErrors());
  return EvpPkeyPtr(k);
}

// Accepts "CN=a,O=b" and "/CN=a/O=b".
Status AddSubject(X509_NAME* name, const std::string& subject) {
  std::string s = subject;
  char sep = ',';
  if (!s.empty() && s[0] == '/') {
    s.erase(0, 1);
    sep = '/';
  }
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t end = s.find(sep, pos);
    if (end == std::string::npos) end = s.size();
    std::string part = s.substr(pos, end - pos);
    pos = end + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string::npos || eq == 0)
      return Error(ErrorCode::kInvalidArgument, "bad subject component '" + part + "'");
    std::string field = part.substr(0, eq);
    while (!field.empty() && field[0] == ' ') field.erase(0, 1);
    std::string value = part.substr(eq + 1);
    if (X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                   0) != 1)
      return Error(ErrorCode::kInvalidArgument, "bad subject field '" + field + "'");
  }
  if (X509_NAME_entry_count(name) == 0)
    return Error(ErrorCode::kInvalidArgument, "empty certificate subject");
  return Status::Ok();
}

Status AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) {
    X509_EXTENSION_free(ext);
    return Error(ErrorCode::kCrypto, std::string("cannot add extension ") + value);
  }
  X509_EXTENSION_free(ext);
  return Status::Ok();
}

Result<X509Ptr> SelfSign(EVP_PKEY* key, const KeygenOptions& o) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  // A random positive 127-bit serial: unique enough to tell keys apart.
  uint8_t serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof(serial_bytes)) != 1)
    return Error(ErrorCode::kCrypto, "no randomness for the serial number");
  serial_bytes[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  if (X509_time_adj_ex(X509_getm_notAfter(cert.get()), o.valid_days, 0, nullptr) == nullptr)
    return Error(ErrorCode::kInvalidArgument,
                 "validity of " + std::to_string(o.valid_days) + " days is out of range");
  X509_set_pubkey(cert.get(), key);
  DIGSIG_RETURN_IF_ERROR(AddSubject(X509_get_subject_name(cert.get()), o.subject));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  // The kernel's own signing keys (certs/default_x509.genkey) carry these.
  DIGSIG_RETURN_IF_ERROR(AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  DIGSIG_RETURN_IF_ERROR(AddExtension(cert.get(), NID_key_usage, "digitalSignature"));
  DIGSIG_RETURN_IF_ERROR(AddExtension(cert.get(), NID_ext_key_usage, "codeSigning"));
  DIGSIG_RETURN_IF_ERROR(AddExtension(cert.get(), NID_subject_key_identifier, "hash"));
  DIGSIG_RETURN_IF_ERROR(AddExtension(cert.get(), NID_authority_key_identifier, "keyid:always"));
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0)
    return Error(ErrorCode::kCrypto, "cannot self-sign certificate: " + TakeOpensslErrors());
  return cert;
}

Bytes BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return Bytes(data, data + len);
}

}  // namespace

Result<KeygenResult> GenerateKeyPair(const KeygenOptions& o) {
  if (o.out_dir.empty()) return Error(ErrorCode::kInvalidArgument, "keygen needs --out DIR");
  if (mkdir(o.out_dir.c_str(), 0700) != 0 && errno != EEXIST)
    return Error(ErrorCode::kIo, "cannot create " + o.out_dir + ": " + std::strerror(errno));
  KeygenResult r{o.out_dir + "/key.pem", o.out_dir + "/cert.pem", o.out_dir + "/cert.der", ""};
  struct stat st;
  if (!o.overwrite && stat(r.key_path.c_str(), &st) == 0)
    return Error(ErrorCode::kInvalidArgument, r.key_path + " exists (pass --force to replace it)");

  auto key = NewKey(o.algorithm);
  if (!key) return key.error();
  auto cert = SelfSign(key->get(), o);
  if (!cert) return cert.error();

  BioPtr key_pem(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(key_pem.get(), key->get(), nullptr, nullptr, 0, nullptr, nullptr) !=
      1)
    return Error(ErrorCode::kCrypto, "cannot encode private key");
  Bytes key_bytes = BioContents(key_pem.get());
  struct stat private_mode {};
  private_mode.st_mode = 0600;
  Status written = WriteFileAtomically(r.key_path, {key_bytes}, {&private_mode, false, ""});
  OPENSSL_cleanse(key_bytes.data(), key_bytes.size());
  if (!written) return written.error();

  BioPtr cert_pem(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(cert_pem.get(), cert->get());
  struct stat public_mode {};
  public_mode.st_mode = 0644;
  DIGSIG_RETURN_IF_ERROR(WriteFileAtomically(r.cert_pem_path, {BioContents(cert_pem.get())},
                                             {&public_mode, false, ""}));
  DIGSIG_RETURN_IF_ERROR(
      WriteFileAtomically(r.cert_der_path, {CertToDer(cert->get())}, {&public_mode, false, ""}));
  r.key_id = HexEncode(CertSubjectKeyId(cert->get()));
  return r;
}

}  // namespace digsig
