// Signatures that verify mathematically but are not the one encoding digsig
// writes must be refused: otherwise a signed file could be turned into other
// files that also verify, without the key.
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/pkcs7.h>

#include <cstring>

#include "signer/lib/byte_order.h"
#include "signer/lib/certificate.h"
#include "signer/lib/elf_signature.h"
#include "signer/tests/test_elf.h"

namespace digsig {
namespace {

struct Signed {
  Bytes file;
  std::vector<CertPtr> trusted;
};

Signed SignWith(const std::string& algo) {
  std::string dir = testing::TestKeyDir(algo);
  auto key = SigningKey::Load(KeySpec::Files(dir + "/key.pem", dir + "/cert.pem"));
  EXPECT_TRUE(key.ok());
  auto s = SignElf(testing::MakeElf({}), **key, HashAlgo::kSha256);
  EXPECT_TRUE(s.ok());
  Signed out;
  for (ByteSpan p : s->Pieces()) out.file.insert(out.file.end(), p.begin(), p.end());
  out.trusted = *LoadCertificates(dir + "/cert.pem");
  return out;
}

// Replaces the PKCS#7 inside a signed file's record (the slot has room for a
// few bytes more or less), keeping everything else as it was.
Bytes WithPkcs7(const Bytes& file, const Bytes& pkcs7) {
  auto sig = LocateSignature(file);
  EXPECT_TRUE(sig.ok());
  Bytes out = file;
  uint8_t* rec = out.data() + sig->record_offset;
  const size_t room = sig->record.record_len - DIGSIG_RECORD_HEADER_SIZE - DIGSIG_TRAILER_SIZE;
  EXPECT_LE(pkcs7.size(), room);
  std::memset(rec + DIGSIG_RECORD_HEADER_SIZE, 0, room);
  std::memcpy(rec + DIGSIG_RECORD_HEADER_SIZE, pkcs7.data(), pkcs7.size());
  StoreBe<uint32_t>(rec + DIGSIG_PAYLOAD_SIZE + 4, static_cast<uint32_t>(pkcs7.size()));
  return out;
}

using Pkcs7Ptr = std::unique_ptr<PKCS7, OsslDeleter<PKCS7, PKCS7_free>>;

Pkcs7Ptr ParsePkcs7(const Bytes& file) {
  auto sig = LocateSignature(file);
  ByteSpan der = sig->pkcs7();
  const unsigned char* p = der.data();
  return Pkcs7Ptr(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
}

Bytes Encode(PKCS7* p7) {
  unsigned char* der = nullptr;
  int len = i2d_PKCS7(p7, &der);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

TEST(Pkcs7Strictness, IssuerNameMustMatchByteForByte) {
  Signed s = SignWith("rsa-2048");
  ASSERT_TRUE(VerifyElf(s.file, s.trusted).ok());
  // OpenSSL's name comparison ignores case; the kernel's does not.
  Bytes tampered = s.file;
  const std::string cn = "digsig test rsa-2048";
  auto at = std::search(tampered.begin(), tampered.end(), cn.begin(), cn.end());
  ASSERT_NE(at, tampered.end());
  *at = 'D';
  auto v = VerifyElf(tampered, s.trusted);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), ErrorCode::kMalformed);
}

TEST(Pkcs7Strictness, SignatureAlgorithmIsFixed) {
  Signed s = SignWith("rsa-2048");
  Pkcs7Ptr p7 = ParsePkcs7(s.file);
  ASSERT_TRUE(p7);
  PKCS7_SIGNER_INFO* si = sk_PKCS7_SIGNER_INFO_value(p7->d.sign->signer_info, 0);
  // sha256WithRSAEncryption verifies the same RSA signature, but is not ours.
  X509_ALGOR_set0(si->digest_enc_alg, OBJ_nid2obj(NID_sha256WithRSAEncryption), V_ASN1_NULL,
                  nullptr);
  auto v = VerifyElf(WithPkcs7(s.file, Encode(p7.get())), s.trusted);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), ErrorCode::kMalformed);
}

TEST(Pkcs7Strictness, EcdsaIsLowSOnly) {
  for (int round = 0; round < 8; ++round) {
    Signed s = SignWith("ecdsa-p256");
    ASSERT_TRUE(VerifyElf(s.file, s.trusted).ok()) << "signer produced a rejected signature";
    Pkcs7Ptr p7 = ParsePkcs7(s.file);
    PKCS7_SIGNER_INFO* si = sk_PKCS7_SIGNER_INFO_value(p7->d.sign->signer_info, 0);
    const unsigned char* p = si->enc_digest->data;
    ECDSA_SIG* ecsig = d2i_ECDSA_SIG(nullptr, &p, si->enc_digest->length);
    ASSERT_NE(ecsig, nullptr);
    // (r, n - s) is the same signature's twin: valid, but high-S.
    EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    BIGNUM* high = BN_new();
    BN_sub(high, EC_GROUP_get0_order(group), ECDSA_SIG_get0_s(ecsig));
    BIGNUM* r = BN_dup(ECDSA_SIG_get0_r(ecsig));
    ECDSA_SIG_set0(ecsig, r, high);
    unsigned char* der = nullptr;
    int len = i2d_ECDSA_SIG(ecsig, &der);
    ASN1_OCTET_STRING_set(si->enc_digest, der, len);
    OPENSSL_free(der);
    ECDSA_SIG_free(ecsig);
    EC_GROUP_free(group);
    auto v = VerifyElf(WithPkcs7(s.file, Encode(p7.get())), s.trusted);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code(), ErrorCode::kMalformed) << v.error().message();
  }
}

}  // namespace
}  // namespace digsig
