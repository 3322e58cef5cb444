#include "signer/lib/pkcs7.h"

#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>

#include <cstring>

#include "signer/lib/certificate.h"

namespace digsig {
namespace {

constexpr unsigned int kSignFlags =
    CMS_BINARY | CMS_DETACHED | CMS_NOCERTS | CMS_NOATTR | CMS_NOSMIMECAP | CMS_PARTIAL;

Result<CmsPtr> ParseCms(ByteSpan der) {
  const unsigned char* p = der.data();
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
  if (!cms || p != der.data() + der.size()) {
    ERR_clear_error();
    return Error(ErrorCode::kMalformed, "signature is not a DER PKCS#7 structure");
  }
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed)
    return Error(ErrorCode::kMalformed, "PKCS#7 structure is not SignedData");
  return cms;
}

Result<CMS_SignerInfo*> OnlySigner(CMS_ContentInfo* cms) {
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
  if (infos == nullptr || sk_CMS_SignerInfo_num(infos) != 1)
    return Error(ErrorCode::kMalformed, "signature must have exactly one signer");
  return sk_CMS_SignerInfo_value(infos, 0);
}

int EcdsaNid(HashAlgo hash) {
  switch (hash) {
    case HashAlgo::kSha256: return NID_ecdsa_with_SHA256;
    case HashAlgo::kSha384: return NID_ecdsa_with_SHA384;
    case HashAlgo::kSha512: return NID_ecdsa_with_SHA512;
  }
  return NID_undef;
}

// ECDSA signatures come in pairs, (r, s) and (r, n - s), both valid: only the
// low-S form (s <= n/2) is produced and accepted, so there is one encoding.
bool IsHighS(const ASN1_OCTET_STRING* signature, EVP_PKEY* pub) {
  if (EVP_PKEY_get_base_id(pub) != EVP_PKEY_EC) return false;
  char group_name[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(pub, group_name, sizeof(group_name), &len) != 1) return true;
  std::unique_ptr<EC_GROUP, OsslDeleter<EC_GROUP, EC_GROUP_free>> group(
      EC_GROUP_new_by_curve_name(OBJ_sn2nid(group_name)));
  const unsigned char* p = ASN1_STRING_get0_data(signature);
  std::unique_ptr<ECDSA_SIG, OsslDeleter<ECDSA_SIG, ECDSA_SIG_free>> sig(
      d2i_ECDSA_SIG(nullptr, &p, ASN1_STRING_length(signature)));
  if (!group || !sig) return true;
  std::unique_ptr<BIGNUM, OsslDeleter<BIGNUM, BN_free>> twice_s(BN_new());
  BN_lshift1(twice_s.get(), ECDSA_SIG_get0_s(sig.get()));
  return BN_cmp(twice_s.get(), EC_GROUP_get0_order(group.get())) > 0;
}

// The issuer name must match the certificate's byte for byte, as the kernel
// compares it; OpenSSL's comparison forgives case and spacing differences.
bool IssuerBytesMatch(CMS_SignerInfo* si, X509* cert) {
  ASN1_OCTET_STRING* keyid = nullptr;
  X509_NAME* issuer = nullptr;
  ASN1_INTEGER* serial = nullptr;
  if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) != 1 || issuer == nullptr)
    return false;
  const unsigned char* a = nullptr;
  const unsigned char* b = nullptr;
  size_t alen = 0, blen = 0;
  if (X509_NAME_get0_der(issuer, &a, &alen) != 1 ||
      X509_NAME_get0_der(X509_get_issuer_name(cert), &b, &blen) != 1)
    return false;
  return alen == blen && std::memcmp(a, b, alen) == 0;
}

bool ParamType(const X509_ALGOR* alg, int want) {
  int ptype = V_ASN1_UNDEF;
  const void* pval = nullptr;
  X509_ALGOR_get0(nullptr, &ptype, &pval, alg);
  return ptype == want;
}

// Only one encoding of a signature is accepted: parts of SignedData outside
// SignerInfo (the digestAlgorithms set, for one) are not covered by the
// signature, and letting them vary would make signed files malleable.
Status CheckCanonical(ByteSpan der, HashAlgo expected_hash) {
  const unsigned char* p = der.data();
  std::unique_ptr<PKCS7, OsslDeleter<PKCS7, PKCS7_free>> p7(
      d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
  auto bad = [](const char* why) {
    ERR_clear_error();
    return Status(Error(ErrorCode::kMalformed, std::string("signature encoding: ") + why));
  };
  if (!p7 || p != der.data() + der.size() || !PKCS7_type_is_signed(p7.get()))
    return bad("not a PKCS#7 SignedData");
  unsigned char* again = nullptr;
  int len = i2d_PKCS7(p7.get(), &again);
  bool same =
      len == static_cast<int>(der.size()) && std::memcmp(again, der.data(), der.size()) == 0;
  OPENSSL_free(again);
  if (!same) return bad("not canonical DER");
  PKCS7_SIGNED* sd = p7->d.sign;
  // Version 1 throughout: issuer-and-serial signer identification (RFC 2315).
  if (ASN1_INTEGER_get(sd->version) != 1) return bad("SignedData version is not 1");
  if (sk_PKCS7_SIGNER_INFO_num(sd->signer_info) != 1 ||
      ASN1_INTEGER_get(sk_PKCS7_SIGNER_INFO_value(sd->signer_info, 0)->version) != 1)
    return bad("expected one SignerInfo of version 1");
  PKCS7_SIGNER_INFO* si = sk_PKCS7_SIGNER_INFO_value(sd->signer_info, 0);
  if (si->auth_attr != nullptr || si->unauth_attr != nullptr) return bad("attributes present");
  // Before element 0 is read: an empty SET would make it a null pointer.
  if (sk_X509_ALGOR_num(sd->md_algs) != 1) return bad("expected exactly one digest algorithm");
  // Digest identifiers carry no parameters; the signature identifier has a
  // NULL parameter for RSA and none otherwise, as OpenSSL writes them.
  if (!ParamType(si->digest_alg, V_ASN1_UNDEF) ||
      !ParamType(sk_X509_ALGOR_value(sd->md_algs, 0), V_ASN1_UNDEF))
    return bad("digest algorithm has parameters");
  // The signature algorithm is one fixed identifier per key type: RSA
  // PKCS#1 v1.5 as rsaEncryption with NULL parameters, ECDSA as
  // ecdsa-with-<payload hash> without parameters.
  const ASN1_OBJECT* sig_oid = nullptr;
  X509_ALGOR_get0(&sig_oid, nullptr, nullptr, si->digest_enc_alg);
  const int sig_nid = OBJ_obj2nid(sig_oid);
  if (sig_nid == NID_rsaEncryption) {
    if (!ParamType(si->digest_enc_alg, V_ASN1_NULL)) return bad("signature algorithm parameters");
  } else if (sig_nid == EcdsaNid(expected_hash)) {
    if (!ParamType(si->digest_enc_alg, V_ASN1_UNDEF)) return bad("signature algorithm parameters");
  } else {
    return bad("signature algorithm is not rsaEncryption or ECDSA with the payload's hash");
  }
  const ASN1_OBJECT* obj = nullptr;
  X509_ALGOR_get0(&obj, nullptr, nullptr, sk_X509_ALGOR_value(sd->md_algs, 0));
  if (OBJ_obj2nid(obj) != EVP_MD_get_type(HashAlgoMd(expected_hash)))
    return bad("digest algorithm set does not match the payload");
  if (sd->cert != nullptr || sd->crl != nullptr) return bad("certificates or CRLs embedded");
  if (!PKCS7_type_is_data(sd->contents) || sd->contents->d.data != nullptr)
    return bad("content is not detached data");
  return Status::Ok();
}

std::string ObjName(const ASN1_OBJECT* obj) {
  int nid = OBJ_obj2nid(obj);
  if (nid == NID_undef) return "unknown";
  return OBJ_nid2sn(nid);
}

Result<Bytes> SignOnce(EVP_PKEY* key, X509* cert, HashAlgo hash, ByteSpan content) {
  BioPtr in(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
  CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, kSignFlags));
  if (!cms) return Error(ErrorCode::kCrypto, "CMS_sign: " + TakeOpensslErrors());
  if (CMS_add1_signer(cms.get(), cert, key, HashAlgoMd(hash), kSignFlags) == nullptr)
    return Error(ErrorCode::kCrypto, "cannot add signer: " + TakeOpensslErrors());
  if (CMS_final(cms.get(), in.get(), nullptr, kSignFlags) != 1)
    return Error(ErrorCode::kCrypto, "signing failed: " + TakeOpensslErrors());
  unsigned char* der = nullptr;
  int len = i2d_CMS_ContentInfo(cms.get(), &der);
  if (len <= 0) return Error(ErrorCode::kCrypto, "cannot encode signature: " + TakeOpensslErrors());
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace

Result<Bytes> Pkcs7SignDetached(EVP_PKEY* key, X509* cert, HashAlgo hash, ByteSpan content) {
  // ECDSA: half of all signatures are high-S; sign again until low-S.
  for (int attempt = 0; attempt < 64; ++attempt) {
    auto der = SignOnce(key, cert, hash, content);
    if (!der) return der.error();
    auto cms = ParseCms(*der);
    if (!cms) return cms.error();
    auto si = OnlySigner(cms->get());
    if (!si) return si.error();
    if (!IsHighS(CMS_SignerInfo_get0_signature(*si), X509_get0_pubkey(cert))) return der;
  }
  return Error(ErrorCode::kCrypto, "no low-S ECDSA signature in 64 attempts");
}

Result<Pkcs7Signer> Pkcs7Describe(ByteSpan der) {
  auto cms = ParseCms(der);
  if (!cms) return cms.error();
  auto si = OnlySigner(cms->get());
  if (!si) return si.error();
  Pkcs7Signer out;
  ASN1_OCTET_STRING* keyid = nullptr;
  X509_NAME* issuer = nullptr;
  ASN1_INTEGER* serial = nullptr;
  if (CMS_SignerInfo_get0_signer_id(*si, &keyid, &issuer, &serial) == 1) {
    if (issuer != nullptr) {
      BioPtr bio(BIO_new(BIO_s_mem()));
      X509_NAME_print_ex(bio.get(), issuer, 0, XN_FLAG_RFC2253);
      char* data = nullptr;
      long len = BIO_get_mem_data(bio.get(), &data);
      out.issuer.assign(data, static_cast<size_t>(len));
    }
    if (serial != nullptr) {
      BIGNUM* bn = ASN1_INTEGER_to_BN(serial, nullptr);
      char* hex = BN_bn2hex(bn);
      out.serial_hex = hex;
      OPENSSL_free(hex);
      BN_free(bn);
    }
    if (keyid != nullptr)
      out.serial_hex =
          "keyid:" + HexEncode(ByteSpan(ASN1_STRING_get0_data(keyid),
                                        static_cast<size_t>(ASN1_STRING_length(keyid))));
  }
  X509_ALGOR* dig = nullptr;
  X509_ALGOR* sig = nullptr;
  CMS_SignerInfo_get0_algs(*si, nullptr, nullptr, &dig, &sig);
  const ASN1_OBJECT* obj = nullptr;
  if (dig != nullptr) {
    X509_ALGOR_get0(&obj, nullptr, nullptr, dig);
    out.digest = ObjName(obj);
  }
  if (sig != nullptr) {
    X509_ALGOR_get0(&obj, nullptr, nullptr, sig);
    out.signature_algorithm = ObjName(obj);
  }
  return out;
}

Result<CertPtr> Pkcs7VerifyDetached(ByteSpan der, ByteSpan content,
                                    const std::vector<CertPtr>& trusted, HashAlgo expected_hash,
                                    EcdsaForm ecdsa_form) {
  auto cms = ParseCms(der);
  if (!cms) return cms.error();
  auto si = OnlySigner(cms->get());
  if (!si) return si.error();
  if (Status st = CheckCanonical(der, expected_hash); !st) return st.error();
  if (CMS_signed_get_attr_count(*si) > 0)
    return Error(ErrorCode::kMalformed, "signature carries signed attributes");

  // The digest inside the signature must be the one the payload names: no
  // downgrade to a weaker hash behind the verifier's back.
  X509_ALGOR* dig = nullptr;
  CMS_SignerInfo_get0_algs(*si, nullptr, nullptr, &dig, nullptr);
  const ASN1_OBJECT* obj = nullptr;
  if (dig != nullptr) X509_ALGOR_get0(&obj, nullptr, nullptr, dig);
  if (obj == nullptr || OBJ_obj2nid(obj) != EVP_MD_get_type(HashAlgoMd(expected_hash)))
    return Error(ErrorCode::kUnsupported, "signature digest is " + ObjName(obj) +
                                              ", payload says " + HashAlgoName(expected_hash));

  for (const CertPtr& cert : trusted) {
    if (CMS_SignerInfo_cert_cmp(*si, cert.get()) != 0) continue;
    if (!IssuerBytesMatch(*si, cert.get()))
      return Error(ErrorCode::kMalformed,
                   "signer's issuer name is not encoded as in the certificate");
    if (ecdsa_form == EcdsaForm::kLowSOnly &&
        IsHighS(CMS_SignerInfo_get0_signature(*si), X509_get0_pubkey(cert.get())))
      return Error(ErrorCode::kMalformed, "ECDSA signature is not in low-S form");
    STACK_OF(X509)* certs = sk_X509_new_null();
    sk_X509_push(certs, cert.get());
    BioPtr data(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
    int ok = CMS_verify(cms->get(), certs, nullptr, data.get(), nullptr,
                        CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY | CMS_NOINTERN);
    sk_X509_free(certs);
    if (ok == 1) return cert;
    unsigned long reason = ERR_GET_REASON(ERR_peek_last_error());
    std::string detail = TakeOpensslErrors();
    if (reason == CMS_R_VERIFICATION_FAILURE || reason == CMS_R_CONTENT_VERIFY_ERROR)
      return Error(ErrorCode::kAltered, "signature does not match the signed payload");
    return Error(ErrorCode::kUnsupported, "signature cannot be verified: " + detail);
  }
  return Error(ErrorCode::kUnknownSigner, "signed by a key none of the given certificates holds");
}

}  // namespace digsig
