#include "signer/lib/ima_signature.h"

#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cerrno>

#include "signer/format/digsig_ima.h"
#include "signer/lib/byte_order.h"
#include "signer/lib/certificate.h"

namespace digsig {
namespace {

constexpr uint8_t kEvmImaXattrDigsig = DIGSIG_IMA_TYPE_DIGSIG;
constexpr uint8_t kSignatureVersion2 = DIGSIG_IMA_VERSION;
constexpr size_t kHeaderSize = DIGSIG_IMA_HEADER_SIZE;  // type, version, hash, key id, be16 size
constexpr size_t kKeyIdSize = DIGSIG_IMA_KEY_ID_SIZE;

// IMA's key id: the low four bytes of the SubjectKeyIdentifier.
Bytes ImaKeyId(X509* cert) {
  Bytes skid = CertSubjectKeyId(cert);
  if (skid.size() < kKeyIdSize) return {};
  return Bytes(skid.end() - kKeyIdSize, skid.end());
}

}  // namespace

Result<Bytes> MakeImaSignature(ByteSpan content_digest, const SigningKey& key, HashAlgo hash) {
  const Bytes key_id = ImaKeyId(key.cert());
  if (key_id.empty())
    return Error(ErrorCode::kUnsuitableCertificate,
                 "certificate has no SubjectKeyIdentifier for the IMA key id");
  auto sig = key.SignDigest(content_digest, hash);
  if (!sig) return sig.error();
  if (sig->size() > 0xffff) return Error(ErrorCode::kTooLarge, "IMA signature too long");
  Bytes out(kHeaderSize);
  out[0] = kEvmImaXattrDigsig;
  out[1] = kSignatureVersion2;
  out[2] = static_cast<uint8_t>(hash);
  std::copy(key_id.begin(), key_id.end(), out.begin() + 3);
  StoreBe<uint16_t>(out.data() + 7, static_cast<uint16_t>(sig->size()));
  out.insert(out.end(), sig->begin(), sig->end());
  return out;
}

Result<Bytes> MakeImaSignature(const std::vector<ByteSpan>& content, const SigningKey& key,
                               HashAlgo hash) {
  auto hasher = Hasher::Create(hash);
  if (!hasher) return hasher.error();
  for (ByteSpan piece : content) hasher->Update(piece);
  return MakeImaSignature(hasher->Finish(), key, hash);
}

Status VerifyImaSignature(ByteSpan xattr, ByteSpan content_digest, HashAlgo hash,
                          const std::vector<CertPtr>& trusted) {
  digsig_ima_sig parsed;
  switch (digsig_ima_parse(xattr.data(), xattr.size(), &parsed)) {
    case 0:
      break;
    case -ENODATA:
      return Error(ErrorCode::kMalformed, "security.ima is not a digital signature");
    case -EOPNOTSUPP:
      return Error(ErrorCode::kUnsupported,
                   "security.ima signature version " + std::to_string(xattr[1]) +
                       " or hash algorithm " + std::to_string(xattr[2]) + " is not supported");
    default:
      return Error(ErrorCode::kMalformed, "security.ima signature length does not match");
  }
  if (parsed.hash_algo != static_cast<uint8_t>(hash))
    return Error(ErrorCode::kUnsupported, "security.ima uses another hash algorithm");
  const ByteSpan key_id(parsed.key_id, kKeyIdSize);
  const ByteSpan sig(parsed.sig, parsed.sig_len);
  for (const CertPtr& cert : trusted) {
    const Bytes id = ImaKeyId(cert.get());
    if (id.empty() || !std::equal(id.begin(), id.end(), key_id.begin())) continue;
    EVP_PKEY* pub = X509_get0_pubkey(cert.get());
    std::unique_ptr<EVP_PKEY_CTX, OsslDeleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>> ctx(
        pub ? EVP_PKEY_CTX_new(pub, nullptr) : nullptr);
    if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx.get(), HashAlgoMd(hash)) != 1)
      return Error(ErrorCode::kCrypto, "cannot set up verification: " + TakeOpensslErrors());
    if (EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA &&
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1)
      return Error(ErrorCode::kCrypto, "cannot select PKCS#1 v1.5: " + TakeOpensslErrors());
    const int ok = EVP_PKEY_verify(ctx.get(), sig.data(), sig.size(), content_digest.data(),
                                   content_digest.size());
    TakeOpensslErrors();
    if (ok == 1) return Status::Ok();
    return Error(ErrorCode::kAltered, "security.ima signature does not match the content");
  }
  return Error(ErrorCode::kUnknownSigner, "security.ima signed by an unknown key");
}

}  // namespace digsig
