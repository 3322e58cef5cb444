#include "signer/lib/certificate.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "signer/lib/file_io.h"

namespace digsig {

Result<std::vector<CertPtr>> ParseCertificates(ByteSpan bytes, const std::string& origin) {
  std::vector<CertPtr> certs;
  BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certs.push_back(ShareCert(x));
  }
  TakeOpensslErrors();  // the PEM loop always ends on a "no start line" error
  if (certs.empty()) {
    const unsigned char* p = bytes.data();
    X509* x = d2i_X509(nullptr, &p, static_cast<long>(bytes.size()));
    if (x == nullptr || p != bytes.data() + bytes.size()) {
      X509_free(x);
      return Error(
          ErrorCode::kKey,
          origin + ": no certificate found (expected PEM or DER X.509): " + TakeOpensslErrors());
    }
    certs.push_back(ShareCert(x));
  }
  return certs;
}

Result<std::vector<CertPtr>> LoadCertificates(const std::string& path) {
  auto content = ReadWholeFile(path, 16 << 20);
  if (!content) return content.error();
  return ParseCertificates(*content, path);
}

std::string CertSubject(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string CertCommonName(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return CertSubject(cert);
  ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

Bytes CertSubjectKeyId(X509* cert) {
  const ASN1_OCTET_STRING* skid = X509_get0_subject_key_id(cert);
  if (skid == nullptr) return {};
  const uint8_t* d = ASN1_STRING_get0_data(skid);
  return Bytes(d, d + ASN1_STRING_length(skid));
}

std::string CertKeyAlgorithm(X509* cert) {
  EVP_PKEY* pk = X509_get0_pubkey(cert);
  if (pk == nullptr) return "unknown";
  switch (EVP_PKEY_get_base_id(pk)) {
    case EVP_PKEY_RSA: return "rsa-" + std::to_string(EVP_PKEY_get_bits(pk));
    case EVP_PKEY_EC: {
      char group[64] = {0};
      size_t len = 0;
      EVP_PKEY_get_group_name(pk, group, sizeof(group), &len);
      std::string g(group, len);
      if (g == "prime256v1" || g == "P-256") return "ecdsa-p256";
      if (g == "secp384r1" || g == "P-384") return "ecdsa-p384";
      return "ecdsa-" + g;
    }
    case EVP_PKEY_ED25519: return "ed25519";
    default: return "unknown";
  }
}

Bytes CertToDer(X509* cert) {
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  if (len <= 0) return {};
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

std::string HexEncode(ByteSpan bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::optional<Bytes> HexDecode(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2) return std::nullopt;
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

}  // namespace digsig
