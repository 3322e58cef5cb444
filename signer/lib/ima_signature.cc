#include "signer/lib/ima_signature.h"

#include "signer/lib/byte_order.h"
#include "signer/lib/certificate.h"

namespace digsig {
namespace {

constexpr uint8_t kEvmImaXattrDigsig = 0x03;  // enum evm_ima_xattr_type
constexpr uint8_t kSignatureVersion2 = 2;
constexpr size_t kHeaderSize = 9;  // type, version, hash, be32 keyid, be16 size

}  // namespace

Result<Bytes> MakeImaSignature(const std::vector<ByteSpan>& content, const SigningKey& key,
                               HashAlgo hash) {
  const Bytes skid = CertSubjectKeyId(key.cert());
  if (skid.size() < 4)
    return Error(ErrorCode::kKey, "certificate has no SubjectKeyIdentifier for the IMA key id");
  auto hasher = Hasher::Create(hash);
  if (!hasher) return hasher.error();
  for (ByteSpan piece : content) hasher->Update(piece);
  auto sig = key.SignDigest(hasher->Finish(), hash);
  if (!sig) return sig.error();
  if (sig->size() > 0xffff) return Error(ErrorCode::kUnsupported, "IMA signature too long");
  Bytes out(kHeaderSize);
  out[0] = kEvmImaXattrDigsig;
  out[1] = kSignatureVersion2;
  out[2] = static_cast<uint8_t>(hash);
  std::copy(skid.end() - 4, skid.end(), out.begin() + 3);
  StoreBe<uint16_t>(out.data() + 7, static_cast<uint16_t>(sig->size()));
  out.insert(out.end(), sig->begin(), sig->end());
  return out;
}

}  // namespace digsig
